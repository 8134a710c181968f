//! Integration tests of the SQLite store: the conformance suite on a file and in memory, and
//! what `open` does with URLs, files and migrations.

mod conformance;
mod open;
mod postgres;
mod postgres_changes;
mod postgres_silent;
