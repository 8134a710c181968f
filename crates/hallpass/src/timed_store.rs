//! A [`Store`] that times every call of the store it wraps, for `/metrics`:
//! `hallpass_store_operation_duration_seconds{operation}` and
//! `hallpass_store_errors_total{operation}` (calls that failed, whatever the reason).
//!
//! The service wraps whatever store it is given, so both backends (and any other) report
//! alike, and the domain code stays free of timing.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use hallpass_core::model::{ApiKeyRecord, EnvKeyRecord, Product, SessionRecord};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{
    Activity, ChangeFeed, DeleteTypeOutcome, IdentifierFilter, PoolUsage, Revoked, Rotation,
    SessionPage, Store,
};
use hallpass_core::{Result, Timestamp};

/// The wrapped store.
pub(crate) struct TimedStore(pub(crate) Arc<dyn Store>);

/// Awaits `call` and records its duration (and failure) under `operation`.
async fn timed<T>(operation: &'static str, call: impl Future<Output = Result<T>>) -> Result<T> {
    let started = Instant::now();
    let result = call.await;
    metrics::histogram!("hallpass_store_operation_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    if result.is_err() {
        metrics::counter!("hallpass_store_errors_total", "operation" => operation).increment(1);
    }
    result
}

#[async_trait]
impl Store for TimedStore {
    fn pool_usage(&self) -> PoolUsage {
        self.0.pool_usage()
    }

    async fn ping(&self) -> Result<()> {
        timed("ping", self.0.ping()).await
    }

    async fn insert_product(&self, product: &Product, keys: &[EnvKeyRecord]) -> Result<bool> {
        timed("insert_product", self.0.insert_product(product, keys)).await
    }

    async fn product(&self, tag: &str) -> Result<Option<Product>> {
        timed("product", self.0.product(tag)).await
    }

    async fn products(&self) -> Result<Vec<Product>> {
        timed("products", self.0.products()).await
    }

    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool> {
        timed("update_product", self.0.update_product(product, previous)).await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        timed("insert_api_key", self.0.insert_api_key(key)).await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        timed("api_key_by_hash", self.0.api_key_by_hash(hash)).await
    }

    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
        timed("api_keys", self.0.api_keys(product)).await
    }

    async fn delete_api_key(&self, id: &str) -> Result<bool> {
        timed("delete_api_key", self.0.delete_api_key(id)).await
    }

    async fn insert_first_admin_key(&self, key: &ApiKeyRecord) -> Result<bool> {
        timed("insert_first_admin_key", self.0.insert_first_admin_key(key)).await
    }

    async fn env_keys(&self) -> Result<Vec<EnvKeyRecord>> {
        timed("env_keys", self.0.env_keys()).await
    }

    async fn rotate_signing_key(
        &self,
        new: &EnvKeyRecord,
        retired_at: Timestamp,
        verify_until: Timestamp,
    ) -> Result<()> {
        timed(
            "rotate_signing_key",
            self.0.rotate_signing_key(new, retired_at, verify_until),
        )
        .await
    }

    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>> {
        timed("max_token_expiry", self.0.max_token_expiry(product, env)).await
    }

    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
    ) -> Result<Option<Vec<Revoked>>> {
        timed("insert_session_type", self.0.insert_session_type(record)).await
    }

    async fn session_type(&self, product: &str, tag: &str) -> Result<Option<SessionTypeRecord>> {
        timed("session_type", self.0.session_type(product, tag)).await
    }

    async fn session_types(&self, product: &str) -> Result<Vec<SessionTypeRecord>> {
        timed("session_types", self.0.session_types(product)).await
    }

    async fn update_session_type(
        &self,
        record: &SessionTypeRecord,
        previous: Timestamp,
    ) -> Result<bool> {
        timed(
            "update_session_type",
            self.0.update_session_type(record, previous),
        )
        .await
    }

    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        now: Timestamp,
    ) -> Result<DeleteTypeOutcome> {
        timed(
            "delete_session_type",
            self.0.delete_session_type(product, tag, force, now),
        )
        .await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        timed("insert_session", self.0.insert_session(session)).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        timed("session", self.0.session(id)).await
    }

    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        timed(
            "session_by_refresh_hash",
            self.0.session_by_refresh_hash(hash),
        )
        .await
    }

    async fn rotate_refresh(
        &self,
        id: &str,
        expected_hash: &str,
        rotation: &Rotation,
    ) -> Result<bool> {
        timed(
            "rotate_refresh",
            self.0.rotate_refresh(id, expected_hash, rotation),
        )
        .await
    }

    async fn record_activity(&self, activity: &[Activity]) -> Result<()> {
        timed("record_activity", self.0.record_activity(activity)).await
    }

    async fn revoke_session(&self, id: &str, now: Timestamp) -> Result<Option<Revoked>> {
        timed("revoke_session", self.0.revoke_session(id, now)).await
    }

    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Revoked>> {
        timed("revoke_all", self.0.revoke_all(filter, exclude, now)).await
    }

    async fn list_sessions(
        &self,
        filter: &IdentifierFilter,
        before: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<SessionPage> {
        timed(
            "list_sessions",
            self.0.list_sessions(filter, before, limit, now),
        )
        .await
    }

    async fn live_revocations(&self, now: Timestamp) -> Result<Vec<Revoked>> {
        timed("live_revocations", self.0.live_revocations(now)).await
    }

    async fn revocations_since(&self, since: Timestamp, now: Timestamp) -> Result<Vec<Revoked>> {
        timed("revocations_since", self.0.revocations_since(since, now)).await
    }

    async fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>> {
        // Opening the feed, not waiting on it: the feed's waits are idle time, not latency.
        timed("changes", self.0.changes()).await
    }

    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        timed("sweep_expired", self.0.sweep_expired(cutoff, batch)).await
    }
}
