//! Persistent storage for hallpass: the [`hallpass_core::store::Store`] trait implemented on
//! SQLite (the embedded default) and PostgreSQL (several nodes), chosen by the database URL.
//!
//! Every backend passes one conformance suite (the test-support crate
//! `hallpass-store-conformance`, run in `tests/it/`), so the domain can rely on the trait's
//! contract whatever the database.

use std::sync::Arc;

use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

mod error;
pub mod postgres;
mod rows;
pub mod sqlite;
mod usage;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

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
