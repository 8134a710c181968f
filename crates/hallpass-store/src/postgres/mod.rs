//! The [`Dialect`] of PostgreSQL: for production and for several nodes on one database.
//!
//! Races between nodes are settled by the database: conditional UPDATEs re-checked under row
//! locks (READ COMMITTED), row or advisory locks where a read decides a write. Triggers
//! announce every change other nodes must apply with `NOTIFY hallpass_changes`, delivered on
//! commit (see `changes.rs`). Concurrent starts, rotations and revokes of one session are
//! written together (`batched.rs`).

use std::sync::Arc;

use hallpass_core::Result;
use hallpass_core::events::Event;
use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, ChangeFeed, RevokeContext, Revoked, Rotation};
use sqlx::Postgres;
use tokio::sync::MutexGuard;

use crate::dialect::Dialect;
use crate::queries;
use crate::queries::webhooks::{select_due, select_undispatched};
use crate::store::SqlStore;
use batched::Batched;
use batched_inserts::Insert;
use batched_revokes::Revoke;
use batched_rotations::Rotate;

mod batched;
mod batched_inserts;
mod batched_revokes;
mod batched_rotations;
mod changes;
mod connect;
mod event_arrays;
mod sessions;

/// A hallpass store in a PostgreSQL database.
pub(crate) type PgStore = SqlStore<Postgres>;

impl PgStore {
    /// Connects to the database `url` names (`postgres://user:password@host:port/database`)
    /// and migrates it, so the store is ready to use. The database must exist.
    ///
    /// # Errors
    /// [`hallpass_core::Error::InvalidRequest`] for a malformed URL;
    /// [`hallpass_core::Error::StoreUnavailable`] when the database cannot be reached or migrated.
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        let pool = connect::connect(url).await?;
        Ok(Self {
            writes: HotWrites {
                inserts: Batched::start(&pool),
                revokes: Batched::start(&pool),
                rotations: Batched::start(&pool),
            },
            pool,
            event_ids: Arc::default(),
        })
    }
}

/// The queues of the hot writes, each written many at a time.
#[derive(Debug)]
pub(crate) struct HotWrites {
    inserts: Batched<Insert>,
    revokes: Batched<Revoke>,
    rotations: Batched<Rotate>,
}

impl Dialect for Postgres {
    type Writes = HotWrites;

    const BEGIN_WRITE: Option<&'static str> = None;
    /// REPEATABLE READ: every statement sees the state committed when the first began.
    const BEGIN_SNAPSHOT: Option<&'static str> =
        Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const LOCK_PRODUCT: Option<&'static str> =
        Some("SELECT 1 FROM products WHERE tag = $1 FOR UPDATE");
    /// A transaction-scoped advisory lock, which serialises bootstraps (no row to lock yet).
    const LOCK_BOOTSTRAP: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtext('hallpass bootstrap admin'))");
    /// A transaction-scoped advisory lock on the identifier's 64-bit hash (a collision only
    /// makes two identifiers' limited starts wait for each other).
    const LOCK_IDENTIFIER: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
    const SESSION_TYPE_FOR_DELETE: &'static str =
        "SELECT CAST(1 AS BIGINT) FROM session_types WHERE product = $1 AND tag = $2 FOR UPDATE";
    /// Several nodes dispatch and deliver at once; each takes rows the others have not.
    const SELECT_UNDISPATCHED: &'static str =
        concat!(select_undispatched!(), " FOR UPDATE SKIP LOCKED");
    const SELECT_DUE: &'static str = concat!(select_due!(), " FOR UPDATE OF d SKIP LOCKED");

    /// Writers do not queue in process: the database's locks order them, across nodes too.
    async fn writing(_: &HotWrites) -> Option<MutexGuard<'_, ()>> {
        None
    }

    async fn insert_session(store: &PgStore, session: &SessionRecord, event: Event) -> Result<()> {
        store
            .writes
            .inserts
            .write(Insert(session.clone(), event))
            .await
    }

    async fn session_by_refresh_hash(store: &PgStore, hash: &str) -> Result<Option<SessionRecord>> {
        queries::sessions::by_refresh_hash(&store.pool, hash).await
    }

    async fn rotate_refresh(
        store: &PgStore,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
        event: Event,
    ) -> Result<bool> {
        let rotate = Rotate {
            session_id: id.to_owned(),
            expected_hash: expected_hash.to_owned(),
            rotation: rotation.clone(),
            event,
        };
        store.writes.rotations.write(rotate).await
    }

    async fn revoke_session(
        store: &PgStore,
        id: &str,
        context: &RevokeContext,
    ) -> Result<Option<Revoked>> {
        let revoke = Revoke {
            session_id: id.to_owned(),
            context: context.clone(),
            event_ids: Arc::clone(&store.event_ids),
        };
        store.writes.revokes.write(revoke).await
    }

    async fn record_activity(store: &PgStore, activity: &[Activity]) -> Result<()> {
        sessions::record_activity(&store.pool, activity).await
    }

    async fn changes(store: &PgStore) -> Result<Option<Box<dyn ChangeFeed>>> {
        Ok(Some(Box::new(
            changes::PgChangeFeed::listen(&store.pool).await?,
        )))
    }
}
