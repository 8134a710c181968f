//! The [`Store`] on PostgreSQL: for production and for several nodes on one database.
//!
//! Races between nodes are settled by the database: conditional UPDATEs re-checked under row
//! locks (READ COMMITTED), row or advisory locks where a read decides a write. Triggers
//! announce every change other nodes must apply with `NOTIFY hallpass_changes`, delivered on
//! commit (see `changes.rs`). Queries live in one file per resource.

use hallpass_core::model::{ApiKeyRecord, EnvKeyRecord, Product, SessionRecord};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{
    Activity, ChangeFeed, DeleteTypeOutcome, IdentifierFilter, PoolUsage, Revoked, Rotation,
    SessionPage, Store,
};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;

use crate::error::map_err;
use batched_inserts::BatchedInserts;

mod api_keys;
mod batched_inserts;
mod changes;
mod connect;
mod env_keys;
mod products;
mod revocation;
mod session_types;
mod sessions;

/// A hallpass store in a PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Where session inserts queue, to be written many in one statement.
    inserts: BatchedInserts,
}

impl PgStore {
    /// Connects to the database `url` names (`postgres://user:password@host:port/database`)
    /// and migrates it, so the store is ready to use. The database must exist.
    ///
    /// # Errors
    /// [`hallpass_core::Error::InvalidRequest`] for a malformed URL;
    /// [`hallpass_core::Error::StoreUnavailable`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = connect::connect(url).await?;
        Ok(Self {
            inserts: BatchedInserts::start(pool.clone()),
            pool,
        })
    }
}

#[async_trait::async_trait]
impl Store for PgStore {
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
        products::insert(&self.pool, product, keys).await
    }

    async fn product(&self, tag: &str) -> Result<Option<Product>> {
        products::get(&self.pool, tag).await
    }

    async fn products(&self) -> Result<Vec<Product>> {
        products::list(&self.pool).await
    }

    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool> {
        products::update(&self.pool, product, previous).await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        api_keys::insert(&self.pool, key).await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        api_keys::by_hash(&self.pool, hash).await
    }

    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
        api_keys::list(&self.pool, product).await
    }

    async fn delete_api_key(&self, id: &str) -> Result<bool> {
        api_keys::delete(&self.pool, id).await
    }

    async fn insert_first_admin_key(&self, key: &ApiKeyRecord) -> Result<bool> {
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
        env_keys::rotate_signing(&self.pool, new, retired_at, verify_until).await
    }

    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>> {
        env_keys::max_token_expiry(&self.pool, product, env).await
    }

    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
    ) -> Result<Option<Vec<Revoked>>> {
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
        session_types::update(&self.pool, record, previous).await
    }

    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        now: Timestamp,
    ) -> Result<DeleteTypeOutcome> {
        session_types::delete(&self.pool, product, tag, force, now).await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        self.inserts.insert(session.clone()).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        sessions::get(&self.pool, id).await
    }

    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        sessions::by_refresh_hash(&self.pool, hash).await
    }

    async fn rotate_refresh(
        &self,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
    ) -> Result<bool> {
        sessions::rotate_refresh(&self.pool, id, expected_hash, rotation).await
    }

    async fn record_activity(&self, activity: &[Activity]) -> Result<()> {
        sessions::record_activity(&self.pool, activity).await
    }

    async fn revoke_session(&self, id: &str, now: Timestamp) -> Result<Option<Revoked>> {
        revocation::revoke_session(&self.pool, id, now).await
    }

    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Revoked>> {
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
        Ok(Some(Box::new(
            changes::PgChangeFeed::listen(&self.pool).await?,
        )))
    }

    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        revocation::sweep(&self.pool, cutoff, batch).await
    }
}
