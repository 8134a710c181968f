//! Opening a SQLite database: connection settings, pool size and schema migration.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use hallpass_core::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, SqliteConnection, SqlitePool};

use crate::error::{map_err, map_migrate_err};

/// Connections of a file database: SQLite has one writer at a time, so a few readers suffice.
const MAX_FILE_CONNECTIONS: u32 = 4;
/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open, migrated database.
pub(crate) struct Opened {
    /// Connections for reads and for the writes that go through sqlx.
    pub(crate) pool: SqlitePool,
    /// A connection of its own for the group commit, on a file database. SQLite drops a
    /// connection's page cache whenever another connection has written, so writes that all go
    /// through one connection keep its cache warm. `None` for a memory database, whose one
    /// connection is the pool's.
    pub(crate) writer: Option<SqliteConnection>,
}

/// Opens the database `url` names, creating the file if missing, and runs the migrations.
pub(crate) async fn connect(url: &str) -> Result<Opened> {
    let memory = is_memory(url);
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| Error::InvalidRequest(format!("invalid SQLite database URL: {e}")))?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = if memory {
        // Every connection to `sqlite::memory:` would be a database of its own, and the database
        // vanishes with its last connection: keep exactly one, forever.
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
    } else {
        check_directory(options.get_filename())?;
        create_private(options.get_filename())?;
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        SqlitePoolOptions::new()
            .max_connections(MAX_FILE_CONNECTIONS)
            .connect_with(options)
            .await
    }
    .map_err(map_err)?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .map_err(map_migrate_err)?;
    let writer = if memory {
        None
    } else {
        Some(pool.connect_options().connect().await.map_err(map_err)?)
    };
    Ok(Opened { pool, writer })
}

/// Whether the URL names an in-memory database rather than a file.
fn is_memory(url: &str) -> bool {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.starts_with(":memory:") || rest.contains("mode=memory")
}

/// Creates a missing database file with mode 0600 before SQLite opens it: it holds identifiers,
/// session ids, addresses and user agents, and SQLite would create it 0644 (after the umask).
/// SQLite gives its `-wal` and `-shm` files the mode of the database file, so they are private
/// too. An existing file is left as it is.
fn create_private(file: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::StoreUnavailable(format!(
            "cannot create the SQLite database '{}': {e}",
            file.display()
        ))),
    }
}

/// SQLite creates the file but not its directory; say so plainly instead of "unable to open".
fn check_directory(file: &Path) -> Result<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(Error::InvalidRequest(format!(
                "the directory '{}' of the SQLite database does not exist: create it or change the database URL",
                dir.display()
            )))
        }
        _ => Ok(()),
    }
}
