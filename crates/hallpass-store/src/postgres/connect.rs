//! Connecting to PostgreSQL: pool size, timeouts and schema migration.

use std::str::FromStr;
use std::time::Duration;

use hallpass_core::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};

use crate::error::{map_err, map_migrate_err};

/// Connections per node. Requests hold one for a single short statement or transaction, so a
/// few per core serve thousands of requests per second; N nodes use N times this many.
const MAX_CONNECTIONS: u32 = 16;
/// How long a request waits for a connection before answering `store_unavailable`: short, so
/// that an outage turns into clear 503s instead of requests piling up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// A statement that runs longer than this is cancelled by the server.
const STATEMENT_TIMEOUT: &str = "10s";
/// A transaction left open and idle this long is ended by the server, which then closes the
/// connection: a safety net, since every transaction hallpass opens ends in milliseconds.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

/// Connects to the database `url` names and runs the migrations (several nodes starting at
/// once are serialised by the migrator's advisory lock).
pub(crate) async fn connect(url: &str) -> Result<PgPool> {
    // The parser's message never includes the URL, which may hold a password.
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| Error::InvalidRequest(format!("invalid PostgreSQL database URL: {e}")))?
        .application_name("hallpass")
        .options([(
            "idle_in_transaction_session_timeout",
            IDLE_IN_TRANSACTION_TIMEOUT,
        )]);
    // Migrations run on a connection of their own, without the statement timeout: waiting for
    // another node's migration, or building an index on a large table, may take longer.
    let mut migrating = tokio::time::timeout(ACQUIRE_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| {
            Error::StoreUnavailable(format!(
                "PostgreSQL did not accept a connection within {} s",
                ACQUIRE_TIMEOUT.as_secs()
            ))
        })?
        .map_err(map_err)?;
    sqlx::migrate!("./migrations/postgres")
        .run(&mut migrating)
        .await
        .map_err(map_migrate_err)?;
    migrating.close().await.map_err(map_err)?;
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options.options([("statement_timeout", STATEMENT_TIMEOUT)]))
        .await
        .map_err(map_err)
}
