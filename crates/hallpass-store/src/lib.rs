//! Persistent storage for hallpass: the [`hallpass_core::store::Store`] trait implemented on
//! SQLite (the embedded default) and PostgreSQL (several nodes), chosen by the database URL.
//!
//! Every backend passes one conformance suite (the test-support crate
//! `hallpass-store-conformance`, run in `tests/it/`), so the domain can rely on the trait's
//! contract whatever the database.
//!
//! # Layout
//!
//! One `Store` implementation serves both databases (`store.rs`, generic over a
//! `Dialect`, in `dialect.rs`). Each statement the databases agree on is written once, in
//! `queries/` (one file per resource), with numbered parameters (`$1`, `$2`, …), which sqlx
//! binds by number on SQLite as on PostgreSQL; `sql.rs` is the small interface those queries
//! run through, where sqlx's generic bounds are stated once. `records.rs` reads each record
//! from a row by column position, for sqlx rows of both databases and rusqlite rows of
//! SQLite's group commit alike. What remains in `sqlite/` and `postgres/` is what differs.
//!
//! # Dialects
//!
//! The only places SQLite and PostgreSQL are written apart, each an item of
//! `Dialect` or a file of its own:
//!
//! - **Write locks.** A read-then-write transaction begins `BEGIN IMMEDIATE` on SQLite, which
//!   takes the database's write lock at once, and plain `BEGIN` (READ COMMITTED) on
//!   PostgreSQL, which locks what the read decides: the product row for a signing-key rotation
//!   and the session type row for its deletion (`SELECT … FOR UPDATE`).
//! - **Advisory lock.** The first admin key's bootstrap takes a transaction-scoped advisory
//!   lock on PostgreSQL (there is no row to lock yet); SQLite's write lock covers it.
//! - **Snapshot reads.** A list that counts in a second statement reads in one transaction:
//!   plain `BEGIN` on SQLite (WAL gives it one snapshot), `REPEATABLE READ READ ONLY` on
//!   PostgreSQL.
//! - **Writer queue.** SQLite writes queue for one writer in this process (`sqlite/mod.rs`);
//!   PostgreSQL writers are ordered by the database, across nodes too.
//! - **Hot session writes.** SQLite's group commit (`sqlite/group_commit.rs`) applies
//!   concurrent starts, refreshes and revocations of one session, and the refresh-hash lookup
//!   before a rotation, in one transaction through rusqlite, with two statements per start
//!   (session, then its hashes) and `MAX(…)`. PostgreSQL queues concurrent starts, rotations
//!   and revokes of one session, and writes each kind's batch over arrays (`UNNEST`): starts
//!   and rotations in one statement each (a CTE with the hashes and events), revokes in one
//!   transaction (`postgres/batched.rs` and its three writes); alone, a start or a rotation
//!   is one statement (`postgres/sessions.rs`), rotating with `GREATEST(…)`. A single write binds the same
//!   values on both, from `queries/sessions.rs`.
//! - **Activity.** SQLite updates row by row in one transaction; PostgreSQL updates every row
//!   in one statement over arrays, skipping rows another transaction has locked.
//! - **Change feed.** PostgreSQL's schema triggers `NOTIFY` every change other nodes must
//!   apply, and each node `LISTEN`s (`postgres/changes.rs`); SQLite serves one node.
//! - **Schema and connection.** The migrations (`migrations/sqlite`, `migrations/postgres`)
//!   differ in column types (INTEGER and BLOB in STRICT tables, BIGINT and BYTEA), the `"C"`
//!   collation of PostgreSQL's ids and tags (so ordering compares bytes, as on SQLite) and the
//!   triggers; `connect.rs` of each sets the pool, timeouts and, for SQLite, the WAL journal
//!   and the file's mode.
//! - **Errors.** PostgreSQL refuses some values SQLite stores (a NUL character in text); such
//!   a refusal is the caller's error (`error.rs`).
//!
//! Where they once differed and no longer do: `IS NOT` (SQLite) and `IS DISTINCT FROM`
//! (PostgreSQL) are both `IS DISTINCT FROM` (SQLite has it since 3.39, and sqlx bundles a
//! later SQLite), and `EXISTS` (an integer on SQLite, a boolean on PostgreSQL) became
//! `COUNT(*)`.

use std::sync::Arc;

use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

mod dialect;
mod error;
mod postgres;
mod queries;
mod records;
mod sql;
mod sqlite;
mod store;
mod usage;

use postgres::PgStore;
use sqlite::SqliteStore;

/// Opens the store a database URL names and brings its schema up to date, so a server needs
/// only its configured URL to get a ready [`Store`].
///
/// Accepted: `sqlite://path`, `sqlite:path` and `sqlite::memory:` (the file is created if
/// missing; its directory must exist), and `postgres://…` or `postgresql://…` (the database
/// must exist).
///
/// # Errors
/// [`Error::InvalidRequest`] for an unsupported scheme, a malformed URL or a missing
/// directory; [`Error::StoreUnavailable`] when the database cannot be opened or migrated.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        return Ok(Arc::new(SqliteStore::connect(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::connect(url).await?));
    }
    // Only the scheme is echoed: the rest of a URL may hold a password.
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    let message = match scheme {
        "" => "the database URL has no scheme: use sqlite://path/to/hallpass.db or postgres://user@host/database".to_owned(),
        other => format!(
            "unsupported database URL scheme '{other}': use sqlite://path/to/hallpass.db or postgres://user@host/database"
        ),
    };
    Err(Error::InvalidRequest(message))
}
