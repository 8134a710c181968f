//! The [`Store`] on SQLite: one file (or memory) database, WAL journal, a small pool.
//!
//! Writes queue for one writer in this process, and those that must see a consistent state
//! also take the database's write lock up front (`BEGIN IMMEDIATE`), so no read-then-write
//! can race another connection or process. The hot session writes (start, refresh) queue for
//! the group commit (`group_commit.rs`), which applies many in one transaction. Queries live
//! in one file per resource.

use std::sync::Arc;

use hallpass_core::model::{ApiKeyRecord, EnvKeyRecord, Product, SessionRecord};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{
    Activity, ChangeFeed, DeleteTypeOutcome, IdentifierFilter, PoolUsage, Revoked, Rotation,
    SessionPage, Store,
};
use hallpass_core::{Result, Timestamp};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::map_err;
use group_commit::{Connections, GroupCommit};

mod api_keys;
mod connect;
mod env_keys;
mod group_commit;
mod products;
mod revocation;
mod session_types;
mod sessions;

/// A hallpass store in a SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Taken by every write. SQLite runs one writer at a time; queueing writers here, in
    /// arrival order, replaces the busy handler's sleep-and-retry between connections, which
    /// left a write waiting up to hundreds of milliseconds under load.
    writer: Arc<tokio::sync::Mutex<()>>,
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
    pub async fn connect(url: &str) -> Result<Self> {
        let opened = connect::connect(url).await?;
        let writer = Arc::default();
        let connections = match opened.writer {
            Some(own) => Connections::Own(own),
            None => Connections::Pool(opened.pool.clone()),
        };
        Ok(Self {
            group_commit: GroupCommit::start(connections, Arc::clone(&writer))?,
            pool: opened.pool,
            writer,
        })
    }
}

/// Starts a transaction holding the database's write lock from its first statement.
async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn pool_usage(&self) -> PoolUsage {
        crate::usage::pool_usage(&self.pool)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn insert_product(&self, product: &Product, keys: &[EnvKeyRecord]) -> Result<bool> {
        let _writer = self.writer.lock().await;
        products::insert(&self.pool, product, keys).await
    }

    async fn product(&self, tag: &str) -> Result<Option<Product>> {
        products::get(&self.pool, tag).await
    }

    async fn products(&self) -> Result<Vec<Product>> {
        products::list(&self.pool).await
    }

    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool> {
        let _writer = self.writer.lock().await;
        products::update(&self.pool, product, previous).await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let _writer = self.writer.lock().await;
        api_keys::insert(&self.pool, key).await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        api_keys::by_hash(&self.pool, hash).await
    }

    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
        api_keys::list(&self.pool, product).await
    }

    async fn delete_api_key(&self, id: &str) -> Result<bool> {
        let _writer = self.writer.lock().await;
        api_keys::delete(&self.pool, id).await
    }

    async fn insert_first_admin_key(&self, key: &ApiKeyRecord) -> Result<bool> {
        let _writer = self.writer.lock().await;
        api_keys::insert_first_admin(&self.pool, key).await
    }

    async fn env_keys(&self) -> Result<Vec<EnvKeyRecord>> {
        env_keys::list(&self.pool).await
    }

    async fn rotate_signing_key(
        &self,
        new: &EnvKeyRecord,
        retired_at: Timestamp,
        verify_until: Timestamp,
    ) -> Result<()> {
        let _writer = self.writer.lock().await;
        env_keys::rotate_signing(&self.pool, new, retired_at, verify_until).await
    }

    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>> {
        env_keys::max_token_expiry(&self.pool, product, env).await
    }

    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
    ) -> Result<Option<Vec<Revoked>>> {
        let _writer = self.writer.lock().await;
        session_types::insert(&self.pool, record).await
    }

    async fn session_type(&self, product: &str, tag: &str) -> Result<Option<SessionTypeRecord>> {
        session_types::get(&self.pool, product, tag).await
    }

    async fn session_types(&self, product: &str) -> Result<Vec<SessionTypeRecord>> {
        session_types::list(&self.pool, product).await
    }

    async fn update_session_type(
        &self,
        record: &SessionTypeRecord,
        previous: Timestamp,
    ) -> Result<bool> {
        let _writer = self.writer.lock().await;
        session_types::update(&self.pool, record, previous).await
    }

    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        now: Timestamp,
    ) -> Result<DeleteTypeOutcome> {
        let _writer = self.writer.lock().await;
        session_types::delete(&self.pool, product, tag, force, now).await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        let session = session.clone();
        self.group_commit
            .write(move |db| sessions::insert(db, &session))
            .await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        sessions::get(&self.pool, id).await
    }

    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        let hash = hash.to_owned();
        self.group_commit
            .write(move |db| sessions::by_refresh_hash(db, &hash))
            .await
    }

    async fn rotate_refresh(
        &self,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
    ) -> Result<bool> {
        let (id, expected_hash, rotation) =
            (id.to_owned(), expected_hash.to_owned(), rotation.clone());
        self.group_commit
            .write(move |db| sessions::rotate_refresh(db, &id, &expected_hash, &rotation))
            .await
    }

    async fn record_activity(&self, activity: &[Activity]) -> Result<()> {
        let _writer = self.writer.lock().await;
        sessions::record_activity(&self.pool, activity).await
    }

    async fn revoke_session(&self, id: &str, now: Timestamp) -> Result<Option<Revoked>> {
        let _writer = self.writer.lock().await;
        revocation::revoke_session(&self.pool, id, now).await
    }

    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Revoked>> {
        let _writer = self.writer.lock().await;
        revocation::revoke_all(&self.pool, filter, exclude, now).await
    }

    async fn list_sessions(
        &self,
        filter: &IdentifierFilter,
        before: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<SessionPage> {
        sessions::list(&self.pool, filter, before, limit, now).await
    }

    async fn live_revocations(&self, now: Timestamp) -> Result<Vec<Revoked>> {
        revocation::live(&self.pool, now).await
    }

    async fn revocations_since(&self, since: Timestamp, now: Timestamp) -> Result<Vec<Revoked>> {
        revocation::since(&self.pool, since, now).await
    }

    async fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>> {
        Ok(None)
    }

    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        let _writer = self.writer.lock().await;
        revocation::sweep(&self.pool, cutoff, batch).await
    }
}
