//! The [`Dialect`] of SQLite: one file (or memory) database, WAL journal, a small pool.
//!
//! Writes queue for one writer in this process, and those that must see a consistent state
//! also take the database's write lock up front (`BEGIN IMMEDIATE`), so no read-then-write
//! can race another connection or process; that lock is also why SQLite needs none of
//! PostgreSQL's row and advisory locks. The hot session writes (start, refresh) queue for the
//! group commit (`group_commit.rs`), which applies many in one transaction.

use std::sync::Arc;

use hallpass_core::Result;
use hallpass_core::events::Event;
use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, ChangeFeed, RevokeContext, Revoked, Rotation};
use sqlx::Sqlite;
use tokio::sync::{Mutex, MutexGuard};

use crate::dialect::Dialect;
use crate::queries::webhooks::{select_due, select_undispatched};
use crate::store::SqlStore;
use group_commit::{Connections, GroupCommit};

mod connect;
mod group_commit;
mod sessions;

/// A hallpass store in a SQLite database.
pub(crate) type SqliteStore = SqlStore<Sqlite>;

/// How a SQLite store queues its writes.
#[derive(Debug)]
pub(crate) struct Writes {
    /// Taken by every write. SQLite runs one writer at a time; queueing writers here, in
    /// arrival order, replaces the busy handler's sleep-and-retry between connections, which
    /// left a write waiting up to hundreds of milliseconds under load.
    writer: Arc<Mutex<()>>,
    /// Where session inserts and rotations queue, to commit many in one transaction.
    group_commit: GroupCommit,
}

impl SqliteStore {
    /// Opens (creating if missing) the database `url` names and migrates it, so the store is
    /// ready to use; `url` is `sqlite://path`, `sqlite:path` or `sqlite::memory:`.
    ///
    /// # Errors
    /// [`hallpass_core::Error::InvalidRequest`] for a malformed URL or a missing directory;
    /// [`hallpass_core::Error::StoreUnavailable`] when the file cannot be opened or migrated.
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        let opened = connect::connect(url).await?;
        let writer = Arc::default();
        let connections = match opened.writer {
            Some(own) => Connections::Own(own),
            None => Connections::Pool(opened.pool.clone()),
        };
        Ok(Self {
            writes: Writes {
                group_commit: GroupCommit::start(connections, Arc::clone(&writer))?,
                writer,
            },
            pool: opened.pool,
            event_ids: Arc::default(),
        })
    }
}

impl Dialect for Sqlite {
    type Writes = Writes;

    const BEGIN_WRITE: Option<&'static str> = Some("BEGIN IMMEDIATE");
    /// In WAL mode a read transaction sees the snapshot of its first read.
    const BEGIN_SNAPSHOT: Option<&'static str> = None;
    const LOCK_PRODUCT: Option<&'static str> = None;
    const LOCK_BOOTSTRAP: Option<&'static str> = None;
    const LOCK_IDENTIFIER: Option<&'static str> = None;
    const SELECT_UNDISPATCHED: &'static str = select_undispatched!();
    const SELECT_DUE: &'static str = select_due!();
    const SESSION_TYPE_FOR_DELETE: &'static str =
        "SELECT CAST(1 AS BIGINT) FROM session_types WHERE product = $1 AND tag = $2";

    async fn writing(writes: &Writes) -> Option<MutexGuard<'_, ()>> {
        Some(writes.writer.lock().await)
    }

    async fn insert_session(
        store: &SqliteStore,
        session: &SessionRecord,
        event: Event,
    ) -> Result<()> {
        let session = session.clone();
        store
            .writes
            .group_commit
            .write(move |db| sessions::insert(db, &session, &event))
            .await
    }

    async fn session_by_refresh_hash(
        store: &SqliteStore,
        hash: &str,
    ) -> Result<Option<SessionRecord>> {
        let hash = hash.to_owned();
        store
            .writes
            .group_commit
            .write(move |db| sessions::by_refresh_hash(db, &hash))
            .await
    }

    async fn rotate_refresh(
        store: &SqliteStore,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
        event: Event,
    ) -> Result<bool> {
        let (id, expected_hash, rotation) =
            (id.to_owned(), expected_hash.to_owned(), rotation.clone());
        store
            .writes
            .group_commit
            .write(move |db| sessions::rotate_refresh(db, &id, &expected_hash, &rotation, &event))
            .await
    }

    /// In the group commit: a revoke through the pool cost four round trips to a connection's
    /// thread (begin, update, insert, commit) under the writer lock.
    async fn revoke_session(
        store: &SqliteStore,
        id: &str,
        context: &RevokeContext,
    ) -> Result<Option<Revoked>> {
        let (id, context, ids) = (id.to_owned(), context.clone(), Arc::clone(&store.event_ids));
        store
            .writes
            .group_commit
            .write(move |db| sessions::revoke(db, &ids, &id, &context))
            .await
    }

    async fn record_activity(store: &SqliteStore, activity: &[Activity]) -> Result<()> {
        sessions::record_activity(&store.pool, activity).await
    }

    /// SQLite serves one node, which sees its own changes.
    async fn changes(_: &SqliteStore) -> Result<Option<Box<dyn ChangeFeed>>> {
        Ok(None)
    }
}
