//! The [`Store`] on either database, written once: each method runs the shared query of
//! `queries/` or, where the databases differ, the [`Dialect`]'s own code.
//!
//! Every method also reports its duration and failures for `/metrics`
//! (`hallpass_store_operation_duration_seconds{operation}` and
//! `hallpass_store_errors_total{operation}`, labelled with the method's name), through the
//! helper it runs in anyway ([`SqlStore::run`], or [`SqlStore::write`] for a write that takes
//! its turn): timing costs no line of its own per method, and no decorator repeats the trait.

use std::sync::Arc;
use std::time::Instant;

use hallpass_core::console::{ConsoleSessionRecord, ConsoleSignIn};
use hallpass_core::events::{Audit, EventIds, EventType};
use hallpass_core::model::{ApiKeyRecord, EnvKeyRecord, Product, SessionRecord};
use hallpass_core::session_type::SessionLimit;
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{
    Activity, ChangeFeed, DeleteTypeOutcome, IdentifierFilter, LimitedStart, PoolUsage, Revoked,
    Rotation, SessionPage, SessionUpdate, Store, Superseded, Updated,
};
use hallpass_core::store::{Each, EventFilter, EventPage, RevokeContext};
use hallpass_core::webhooks::{Attempt, DueDelivery, Finished, WebhookRecord};
use hallpass_core::{Result, Timestamp};
use sqlx::Pool;

use crate::dialect::Dialect;
use crate::queries::{
    api_keys, console, env_keys, events, lifecycle, products, revocation, session_types, sessions,
    webhooks,
};
use crate::records::facts;
use crate::sql::Db as _;

/// A hallpass store in a database of dialect `D`.
#[derive(Debug)]
pub(crate) struct SqlStore<D: Dialect> {
    /// Connections for reads and for the writes that go through sqlx.
    pub(crate) pool: Pool<D>,
    /// Where the dialect queues its hot writes.
    pub(crate) writes: D::Writes,
    /// Makes the ids of the events this store records.
    pub(crate) event_ids: Arc<EventIds>,
}

impl<D: Dialect> SqlStore<D> {
    /// Runs a call that needs no turn to write (reads, and the writes a dialect queues
    /// itself), timed as `operation`.
    async fn run<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        timed(operation, call).await
    }

    /// Runs a write in this process's turn to write, timed as `operation` (the wait included).
    async fn write<T>(
        &self,
        operation: &'static str,
        write: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        timed(operation, async {
            let _turn = D::writing(&self.writes).await;
            write.await
        })
        .await
    }
}

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

#[async_trait::async_trait]
impl<D: Dialect> Store for SqlStore<D> {
    fn pool_usage(&self) -> PoolUsage {
        crate::usage::pool_usage(&self.pool)
    }

    async fn ping(&self) -> Result<()> {
        self.run("ping", self.pool.execute("SELECT 1", &[]))
            .await
            .map(drop)
    }

    async fn insert_product(&self, product: &Product, keys: &[EnvKeyRecord]) -> Result<bool> {
        self.write(
            "insert_product",
            products::insert(&self.pool, product, keys),
        )
        .await
    }

    async fn product(&self, tag: &str) -> Result<Option<Product>> {
        self.run("product", products::get(&self.pool, tag)).await
    }

    async fn products(&self) -> Result<Vec<Product>> {
        self.run("products", products::list(&self.pool)).await
    }

    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool> {
        self.write(
            "update_product",
            products::update(&self.pool, product, previous),
        )
        .await
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord, audit: &Audit) -> Result<()> {
        self.write(
            "insert_api_key",
            api_keys::insert(&self.pool, &self.event_ids, key, audit),
        )
        .await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        self.run("api_key_by_hash", api_keys::by_hash(&self.pool, hash))
            .await
    }

    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>> {
        self.run("api_keys", api_keys::list(&self.pool, product))
            .await
    }

    async fn delete_api_key(&self, id: &str, audit: &Audit) -> Result<bool> {
        self.write(
            "delete_api_key",
            api_keys::delete(&self.pool, &self.event_ids, id, audit),
        )
        .await
    }

    async fn insert_first_admin_key(&self, key: &ApiKeyRecord, audit: &Audit) -> Result<bool> {
        self.write(
            "insert_first_admin_key",
            api_keys::insert_first_admin(&self.pool, &self.event_ids, key, audit),
        )
        .await
    }

    async fn insert_console_session(&self, session: &ConsoleSessionRecord) -> Result<()> {
        self.write(
            "insert_console_session",
            console::insert(&self.pool, session),
        )
        .await
    }

    async fn console_session(&self, token_hash: &str) -> Result<Option<ConsoleSignIn>> {
        self.run("console_session", console::get(&self.pool, token_hash))
            .await
    }

    async fn touch_console_session(&self, token_hash: &str, at: Timestamp) -> Result<()> {
        self.write(
            "touch_console_session",
            console::touch(&self.pool, token_hash, at),
        )
        .await
    }

    async fn delete_console_session(&self, token_hash: &str) -> Result<bool> {
        self.write(
            "delete_console_session",
            console::delete(&self.pool, token_hash),
        )
        .await
    }

    async fn sweep_console_sessions(
        &self,
        idle_before: Timestamp,
        begun_before: Timestamp,
    ) -> Result<u64> {
        self.write(
            "sweep_console_sessions",
            console::sweep(&self.pool, idle_before, begun_before),
        )
        .await
    }

    async fn env_keys(&self) -> Result<Vec<EnvKeyRecord>> {
        self.run("env_keys", env_keys::list(&self.pool)).await
    }

    async fn rotate_signing_key(
        &self,
        new: &EnvKeyRecord,
        verify_until: Timestamp,
        audit: &Audit,
    ) -> Result<()> {
        self.write(
            "rotate_signing_key",
            env_keys::rotate_signing(&self.pool, &self.event_ids, new, verify_until, audit),
        )
        .await
    }

    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>> {
        self.run(
            "max_token_expiry",
            env_keys::max_token_expiry(&self.pool, product, env),
        )
        .await
    }

    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
        audit: &Audit,
    ) -> Result<Option<Vec<Revoked>>> {
        self.write(
            "insert_session_type",
            session_types::insert(&self.pool, &self.event_ids, record, audit),
        )
        .await
    }

    async fn session_type(&self, product: &str, tag: &str) -> Result<Option<SessionTypeRecord>> {
        self.run("session_type", session_types::get(&self.pool, product, tag))
            .await
    }

    async fn session_types(&self, product: &str) -> Result<Vec<SessionTypeRecord>> {
        self.run("session_types", session_types::list(&self.pool, product))
            .await
    }

    async fn update_session_type(
        &self,
        record: &SessionTypeRecord,
        previous: Timestamp,
        audit: &Audit,
    ) -> Result<bool> {
        self.write(
            "update_session_type",
            session_types::update(&self.pool, &self.event_ids, record, previous, audit),
        )
        .await
    }

    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        audit: &Audit,
    ) -> Result<DeleteTypeOutcome> {
        self.write(
            "delete_session_type",
            session_types::delete(&self.pool, &self.event_ids, product, tag, force, audit),
        )
        .await
    }

    async fn insert_session(&self, session: &SessionRecord, audit: &Audit) -> Result<()> {
        let started = self
            .event_ids
            .session(EventType::SessionStarted, audit, facts(session), &[]);
        // Queued for the dialect's group commit or batch, which takes its own turns to write.
        self.run("insert_session", D::insert_session(self, session, started))
            .await
    }

    async fn insert_session_limited(
        &self,
        session: &SessionRecord,
        filter: &IdentifierFilter,
        limit: SessionLimit,
        audit: &Audit,
    ) -> Result<LimitedStart> {
        self.write(
            "insert_session_limited",
            lifecycle::insert_limited(&self.pool, &self.event_ids, session, filter, limit, audit),
        )
        .await
    }

    async fn update_sessions(
        &self,
        updates: &[SessionUpdate],
        audit: &Audit,
    ) -> Result<Vec<Updated>> {
        self.write(
            "update_sessions",
            lifecycle::update(&self.pool, &self.event_ids, updates, audit),
        )
        .await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        self.run("session", sessions::get(&self.pool, id)).await
    }

    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>> {
        self.run(
            "session_by_refresh_hash",
            D::session_by_refresh_hash(self, hash),
        )
        .await
    }

    async fn rotate_refresh(
        &self,
        session: &SessionRecord,
        expected_hash: &str,
        rotation: &Rotation,
        audit: &Audit,
    ) -> Result<bool> {
        let refreshed =
            self.event_ids
                .session(EventType::SessionRefreshed, audit, facts(session), &[]);
        self.run(
            "rotate_refresh",
            D::rotate_refresh(self, &session.id, expected_hash, rotation, refreshed),
        )
        .await
    }

    async fn record_activity(&self, activity: &[Activity]) -> Result<()> {
        self.write("record_activity", D::record_activity(self, activity))
            .await
    }

    async fn revoke_session(&self, id: &str, context: &RevokeContext) -> Result<Option<Revoked>> {
        self.run("revoke_session", D::revoke_session(self, id, context))
            .await
    }

    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        audit: &Audit,
    ) -> Result<Vec<Revoked>> {
        self.write(
            "revoke_all",
            revocation::revoke_all(&self.pool, &self.event_ids, filter, exclude, audit),
        )
        .await
    }

    async fn list_sessions(
        &self,
        filter: &IdentifierFilter,
        before: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<SessionPage> {
        self.run(
            "list_sessions",
            sessions::list(&self.pool, filter, before, limit, now),
        )
        .await
    }

    async fn live_revocations(&self, now: Timestamp, each: Each<'_, Revoked>) -> Result<u64> {
        self.run("live_revocations", revocation::live(&self.pool, now, each))
            .await
    }

    async fn revocations_since(
        &self,
        since: Timestamp,
        now: Timestamp,
        each: Each<'_, Revoked>,
    ) -> Result<u64> {
        self.run(
            "revocations_since",
            revocation::since(&self.pool, since, now, each),
        )
        .await
    }

    async fn live_supersessions(&self, now: Timestamp, each: Each<'_, Superseded>) -> Result<u64> {
        self.run("live_supersessions", lifecycle::live(&self.pool, now, each))
            .await
    }

    async fn supersessions_since(
        &self,
        since: Timestamp,
        now: Timestamp,
        each: Each<'_, Superseded>,
    ) -> Result<u64> {
        self.run(
            "supersessions_since",
            lifecycle::since(&self.pool, since, now, each),
        )
        .await
    }

    async fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>> {
        // Opening the feed, not waiting on it: the feed's waits are idle time, not latency.
        self.run("changes", D::changes(self)).await
    }

    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        self.write(
            "sweep_expired",
            revocation::sweep(&self.pool, cutoff, batch),
        )
        .await
    }

    async fn events(&self, filter: &EventFilter, limit: u32) -> Result<EventPage> {
        let mut found = self
            .run("events", events::list(&self.pool, filter, limit))
            .await?;
        let has_more = found.len() > limit as usize;
        found.truncate(limit as usize);
        Ok(EventPage {
            events: found,
            has_more,
        })
    }

    async fn sweep_events(&self, cutoff: Timestamp, batch: u32) -> Result<u64> {
        self.write(
            "sweep_webhook_attempts",
            webhooks::sweep_attempts(&self.pool, cutoff, batch),
        )
        .await?;
        self.write("sweep_events", events::sweep(&self.pool, cutoff, batch))
            .await
    }

    async fn insert_webhook(&self, webhook: &WebhookRecord) -> Result<()> {
        self.write("insert_webhook", webhooks::insert(&self.pool, webhook))
            .await
    }

    async fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>> {
        self.run("webhook", webhooks::get(&self.pool, id)).await
    }

    async fn webhooks(&self, product: &str) -> Result<Vec<WebhookRecord>> {
        self.run("webhooks", webhooks::list(&self.pool, product))
            .await
    }

    async fn update_webhook(&self, webhook: &WebhookRecord, previous: Timestamp) -> Result<bool> {
        self.write(
            "update_webhook",
            webhooks::update(&self.pool, webhook, previous),
        )
        .await
    }

    async fn delete_webhook(&self, id: &str) -> Result<bool> {
        self.write("delete_webhook", webhooks::delete(&self.pool, id))
            .await
    }

    async fn dispatch_events(&self, batch: u32) -> Result<u64> {
        if !self
            .run("any_undispatched", webhooks::any_undispatched(&self.pool))
            .await?
        {
            return Ok(0);
        }
        self.write("dispatch_events", webhooks::dispatch(&self.pool, batch))
            .await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>> {
        if !self
            .run("any_due_delivery", webhooks::any_due(&self.pool, now))
            .await?
        {
            return Ok(Vec::new());
        }
        self.write(
            "claim_deliveries",
            webhooks::claim(&self.pool, now, lease_until, limit),
        )
        .await
    }

    async fn finish_deliveries(&self, finished: &[Finished]) -> Result<Vec<bool>> {
        self.write(
            "finish_deliveries",
            webhooks::finish_all(&self.pool, &self.event_ids, finished),
        )
        .await
    }

    async fn record_attempt(&self, attempt: &Attempt) -> Result<()> {
        self.write("record_attempt", webhooks::log_attempt(&self.pool, attempt))
            .await
    }

    async fn attempts(&self, webhook_id: &str, limit: u32) -> Result<Vec<Attempt>> {
        self.run(
            "attempts",
            webhooks::attempts(&self.pool, webhook_id, limit),
        )
        .await
    }
}
