//! The [`Store`] on either database, written once: each method runs the shared query of
//! `queries/` or, where the databases differ, the [`Dialect`]'s own code.

use hallpass_core::model::{ApiKeyRecord, EnvKeyRecord, Product, SessionRecord};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{
    Activity, ChangeFeed, DeleteTypeOutcome, IdentifierFilter, PoolUsage, Revoked, Rotation,
    SessionPage, Store,
};
use hallpass_core::{Result, Timestamp};
use sqlx::Pool;

use crate::dialect::Dialect;
use crate::queries::{api_keys, env_keys, products, revocation, session_types, sessions};
use crate::sql::Db as _;

/// A hallpass store in a database of dialect `D`.
#[derive(Debug)]
pub(crate) struct SqlStore<D: Dialect> {
    /// Connections for reads and for the writes that go through sqlx.
    pub(crate) pool: Pool<D>,
    /// Where the dialect queues its hot writes.
    pub(crate) writes: D::Writes,
}

impl<D: Dialect> SqlStore<D> {
    /// Runs a write in this process's turn to write.
    async fn write<T>(&self, write: impl Future<Output = Result<T>>) -> Result<T> {
        let _turn = D::writing(&self.writes).await;
        write.await
    }
}

#[async_trait::async_trait]
impl<D: Dialect> Store for SqlStore<D> {
    fn pool_usage(&self) -> PoolUsage {
        crate::usage::pool_usage(&self.pool)
    }

    async fn ping(&self) -> Result<()> {
        self.pool.execute("SELECT 1", &[]).await.map(drop)
    }

    async fn insert_product(&self, product: &Product, keys: &[EnvKeyRecord]) -> Result<bool> {
        self.write(products::insert(&self.pool, product, keys))
            .await
    }

    async fn product(&self, tag: &str) -> Result<Option<Product>> {
        products::get(&self.pool, tag).await
    }

    async fn products(&self) -> Result<Vec<Product>> {
        products::list(&self.pool).await
    }

    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool> {
        self.write(products::update(&self.pool, product, previous))
            .await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        self.write(api_keys::insert(&self.pool, key)).await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        api_keys::by_hash(&self.pool, hash).await
    }

    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
        api_keys::list(&self.pool, product).await
    }

    async fn delete_api_key(&self, id: &str) -> Result<bool> {
        self.write(api_keys::delete(&self.pool, id)).await
    }

    async fn insert_first_admin_key(&self, key: &ApiKeyRecord) -> Result<bool> {
        self.write(api_keys::insert_first_admin(&self.pool, key))
            .await
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
        self.write(env_keys::rotate_signing(
            &self.pool,
            new,
            retired_at,
            verify_until,
        ))
        .await
    }

    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>> {
        env_keys::max_token_expiry(&self.pool, product, env).await
    }

    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
    ) -> Result<Option<Vec<Revoked>>> {
        self.write(session_types::insert(&self.pool, record)).await
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
        self.write(session_types::update(&self.pool, record, previous))
            .await
    }

    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        now: Timestamp,
    ) -> Result<DeleteTypeOutcome> {
        self.write(session_types::delete(&self.pool, product, tag, force, now))
            .await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        // Queued for the dialect's group commit or batch, which takes its own turns to write.
        D::insert_session(self, session).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        sessions::get(&self.pool, id).await
    }

    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        D::session_by_refresh_hash(self, hash).await
    }

    async fn rotate_refresh(
        &self,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
    ) -> Result<bool> {
        D::rotate_refresh(self, id, expected_hash, rotation).await
    }

    async fn record_activity(&self, activity: &[Activity]) -> Result<()> {
        self.write(D::record_activity(self, activity)).await
    }

    async fn revoke_session(&self, id: &str, now: Timestamp) -> Result<Option<Revoked>> {
        self.write(revocation::revoke_session(&self.pool, id, now))
            .await
    }

    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Revoked>> {
        self.write(revocation::revoke_all(&self.pool, filter, exclude, now))
            .await
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
        // Opening the feed, not waiting on it: the feed's waits are idle time, not latency.
        D::changes(self).await
    }

    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        self.write(revocation::sweep(&self.pool, cutoff, batch))
            .await
    }
}
