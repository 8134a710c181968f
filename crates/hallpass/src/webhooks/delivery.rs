//! The delivery loop of a node: it dispatches recorded events into deliveries, claims the
//! deliveries due, and makes each attempt off the request path, a bounded number at a time.
//! What is pending lives in the database, so a node killed at any point loses nothing: the
//! dispatch is one transaction, and a claim it held expires ([`LEASE`]) and is made again,
//! with the same `webhook-id`.

use std::sync::Arc;
use std::time::Duration;

use hallpass_core::webhooks::{
    ATTEMPT_TIMEOUT, Attempt, AttemptOutcome, DISABLE_AFTER, DueDelivery, next_attempt_at,
};
use hallpass_core::{Error, Result};
use tokio::sync::Semaphore;

use super::Webhooks;

/// Attempts in flight at once on a node; a slow endpoint holds one slot for at most
/// [`ATTEMPT_TIMEOUT`].
pub(crate) const MAX_IN_FLIGHT: usize = 16;
/// How long a claim keeps other nodes off a delivery: longer than an attempt can take.
pub(crate) const LEASE: Duration = Duration::from_secs(ATTEMPT_TIMEOUT.as_secs() + 20);
/// How often the loop looks for events to dispatch and deliveries due.
pub(crate) const POLL_EVERY: Duration = Duration::from_millis(200);
/// Events dispatched per transaction.
const DISPATCH_BATCH: u32 = 200;

impl Webhooks {
    /// Runs the delivery loop until the task is aborted.
    pub(crate) async fn deliver_forever(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        loop {
            match self.round(&slots).await {
                // Every slot is busy, so more may be due: go on as soon as one frees, rather
                // than cap delivery at one round of slots per poll.
                Ok(started) if started > 0 && slots.available_permits() == 0 => {
                    drop(slots.acquire().await);
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery round failed; retrying"),
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// One round: dispatch every event waiting, then start the attempts due that free slots
    /// allow. Returns how many attempts it started.
    pub(crate) async fn round(self: &Arc<Self>, slots: &Arc<Semaphore>) -> Result<usize> {
        while self.store.dispatch_events(DISPATCH_BATCH).await? == u64::from(DISPATCH_BATCH) {}
        let free = u32::try_from(slots.available_permits()).unwrap_or(0);
        if free == 0 {
            return Ok(0);
        }
        let now = self.clock.now();
        let lease_until = now.plus_millis(i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX));
        let due = self.store.claim_deliveries(now, lease_until, free).await?;
        let started = due.len();
        for delivery in due {
            let permit = Arc::clone(slots)
                .acquire_owned()
                .await
                .map_err(|_| Error::Internal("the delivery slots are closed".into()))?;
            let this = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(e) = this.attempt(delivery).await {
                    // The lease runs out and the delivery is made again.
                    tracing::warn!(error = %e, "a webhook attempt could not be recorded");
                }
                drop(permit);
            });
        }
        Ok(started)
    }

    /// Makes one attempt of a claimed delivery and records what follows from it.
    async fn attempt(&self, d: DueDelivery) -> Result<()> {
        let at = self.clock.now();
        let key = self.signing_key(&d.webhook_id, &d.sealed_secret)?;
        let sent = self
            .sender
            .send(&d.url, &key, &d.event_id, &d.payload, at.as_secs())
            .await;
        let attempt = Attempt {
            event_type: event_type(&d.payload),
            webhook_id: d.webhook_id,
            event_id: d.event_id,
            at,
            attempt: d.attempts + 1,
            status: sent.status,
            error: sent.error,
            duration_ms: u64::try_from(sent.took.as_millis()).unwrap_or(u64::MAX),
        };
        let outcome = if attempt.delivered() {
            AttemptOutcome::Delivered
        } else {
            next_attempt_at(self.clock.now(), attempt.attempt, rand::random())
                .map_or(AttemptOutcome::GiveUp, AttemptOutcome::Retry)
        };
        let disable_before =
            at.plus_millis(-i64::try_from(DISABLE_AFTER.as_millis()).unwrap_or(i64::MAX));
        let disabled = self
            .store
            .finish_delivery(&attempt, &outcome, disable_before)
            .await?;
        crate::counters::webhook_attempt(&outcome, disabled);
        if disabled {
            tracing::warn!(webhook = %attempt.webhook_id, "webhook disabled: every attempt has failed for 3 days");
        }
        Ok(())
    }
}

/// The `type` of a payload (the event as the API shows it).
fn event_type(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}
