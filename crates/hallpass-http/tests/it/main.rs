//! HTTP integration tests of the hallpass API v1 (docs/API.md §2–§5), driven through the axum
//! router with `oneshot` over a temporary SQLite store and a manual clock.

mod abandoned;
mod browser_checks;
mod browser_cookies;
mod browser_devices;
mod console_page;
mod console_sign_in;
mod errors_auth;
mod errors_bodies;
mod errors_conflicts;
mod errors_forbidden;
mod errors_not_found;
mod errors_validation;
mod event_query;
mod events;
mod forward_auth;
mod idle_and_limits;
mod key_scopes;
mod lifecycle;
mod metrics;
mod refresh;
mod revocation_feed;
mod routes_products_and_keys;
mod routes_public;
mod routes_session_types;
mod routes_sessions;
mod routes_signing_keys;
mod session_changes;
mod support;
mod verify;
mod verify_cache;
mod webhooks;
mod wire_rules;
