//! End-to-end tests: the real `hallpass` binary on port 0, driven by its own CLI and over HTTP,
//! alone on SQLite and as several nodes on one PostgreSQL database.

mod cli;
mod cluster_access_keys;
mod cluster_feed;
mod cluster_lifecycle;
mod cluster_revocation;
mod cluster_session_types;
mod cluster_signing_keys;
mod cluster_start;
mod connections;
mod durability;
mod nginx;
#[cfg(unix)]
mod outage;
#[cfg(unix)]
mod pg_instance;
mod refresh_race;
mod seal;
mod serve;
mod support;
mod webhook_delivery;
