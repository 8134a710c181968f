//! What SQLite and PostgreSQL do differently, as the one trait each backend implements
//! (`sqlite/mod.rs`, `postgres/mod.rs`); everything else is written once, in `queries/`.
//! The crate documentation lists these differences and why each exists.

use std::fmt::Debug;

use hallpass_core::Result;
use hallpass_core::events::Event;
use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, ChangeFeed, RevokeContext, Revoked, Rotation};
use tokio::sync::MutexGuard;

use crate::sql::Conn;
use crate::store::SqlStore;

/// A database hallpass stores in: an sqlx database whose connections run the shared queries,
/// with what it does its own way.
pub(crate) trait Dialect: sqlx::Database<Connection: Conn> {
    /// What a store keeps besides its pool to queue its hot writes.
    type Writes: Send + Sync + Debug;

    /// How a transaction whose reads decide its writes begins (`None`: plain `BEGIN`), so that
    /// no concurrent writer (of this or another process or node) can interleave.
    const BEGIN_WRITE: Option<&'static str>;
    /// How a read-only transaction whose statements must see one snapshot begins.
    const BEGIN_SNAPSHOT: Option<&'static str>;
    /// Run first in a signing-key rotation, locking product `$1` until commit so that
    /// concurrent rotations of one env leave one current key; `None` where [`Self::BEGIN_WRITE`]
    /// already excludes every other writer.
    const LOCK_PRODUCT: Option<&'static str>;
    /// Run first in the bootstrap of the first admin key, so that nodes starting together
    /// insert one; `None` where [`Self::BEGIN_WRITE`] already excludes every other writer.
    const LOCK_BOOTSTRAP: Option<&'static str>;
    /// Run first in a start under a session limit, locking the identifier `$1` until commit
    /// so that concurrent limited starts of it (on any node) count one after another; `None`
    /// where [`Self::BEGIN_WRITE`] already excludes every other writer.
    const LOCK_IDENTIFIER: Option<&'static str>;
    /// The dispatcher's select of events not yet dispatched (`select_undispatched!` of
    /// `queries/webhooks.rs`), skipping and locking what another node's dispatcher holds where
    /// the database locks rows; as it is where [`Self::BEGIN_WRITE`] excludes every other
    /// writer.
    const SELECT_UNDISPATCHED: &'static str;
    /// The same for the claim of due deliveries (`select_due!`).
    const SELECT_DUE: &'static str;
    /// Selects `CAST(1 AS BIGINT)` from the session type (`$1`, `$2`) if it exists, locking it
    /// until commit for its deletion where the database locks rows.
    const SESSION_TYPE_FOR_DELETE: &'static str;

    /// Waits for this process's turn to write, where writers queue in process.
    fn writing(writes: &Self::Writes) -> impl Future<Output = Option<MutexGuard<'_, ()>>> + Send;
    /// Inserts a session, registers its refresh hash and records `event` (the hot path of a
    /// start).
    fn insert_session(
        store: &SqlStore<Self>,
        session: &SessionRecord,
        event: Event,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The session any refresh token with this hash was issued to (what a refresh reads).
    fn session_by_refresh_hash(
        store: &SqlStore<Self>,
        hash: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    /// Applies a rotation if the current hash is still `expected_hash` and the session is not
    /// revoked, and then records `event` (the hot path of a refresh).
    fn rotate_refresh(
        store: &SqlStore<Self>,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
        event: Event,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes the session if it is active at the context's time and records why, in one
    /// transaction (the hot path of a revoke).
    fn revoke_session(
        store: &SqlStore<Self>,
        id: &str,
        context: &RevokeContext,
    ) -> impl Future<Output = Result<Option<Revoked>>> + Send;
    /// Records activity, in this process's turn to write.
    fn record_activity(
        store: &SqlStore<Self>,
        activity: &[Activity],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Subscribes to the changes every node commits, where the database can push them.
    fn changes(
        store: &SqlStore<Self>,
    ) -> impl Future<Output = Result<Option<Box<dyn ChangeFeed>>>> + Send;
}
