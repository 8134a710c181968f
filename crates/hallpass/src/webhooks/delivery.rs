//! The delivery loop of a node: it dispatches recorded events into deliveries, claims the
//! deliveries due, and makes each attempt off the request path, a bounded number at a time.
//! What is pending lives in the database, so a node killed at any point loses nothing: the
//! dispatch is one transaction, and a claim it held expires ([`LEASE`]) and is made again,
//! with the same `webhook-id`.
//!
//! Attempts hand their outcome to one recorder task, which writes every outcome waiting in one
//! transaction; an attempt's slot stays taken until its outcome is written, so a node never
//! holds more than [`MAX_IN_FLIGHT`] deliveries between claim and record. With one write
//! transaction per delivery (and SQLite's one writer), a node delivered fewer than a hundred
//! a second to a receiver that answered at once (docs/BENCHMARKS.md, "Webhook delivery").

use std::sync::Arc;
use std::time::Duration;

use hallpass_core::webhooks::{
    ATTEMPT_TIMEOUT, Attempt, AttemptOutcome, DISABLE_AFTER, DueDelivery, Finished, next_attempt_at,
};
use hallpass_core::{Error, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

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

/// What a round did.
struct Round {
    /// Attempts started.
    started: usize,
    /// Whether the free slots, not the deliveries due, limited it: more may be due now.
    more_due: bool,
}

/// An attempt made, waiting for its outcome to be written, with the slot it holds till then.
type Made = (Finished, OwnedSemaphorePermit);

impl Webhooks {
    /// Runs the delivery loop until the task is aborted.
    pub(crate) async fn deliver_forever(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        // Never more waiting than slots: each holds one.
        let (made, to_record) = mpsc::channel(MAX_IN_FLIGHT);
        // Ends when the loop (the last sender) does.
        tokio::spawn(Arc::clone(&self).record_forever(to_record));
        loop {
            match self.round(&slots, &made).await {
                // The slots, not the deliveries due, limited the round: go on as soon as a slot
                // frees, rather than cap delivery at one round of slots per poll.
                Ok(round) if round.more_due => {
                    drop(slots.acquire().await);
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery round failed; retrying"),
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// One round, waiting until the outcome of every attempt it started is written; answers
    /// how many it started.
    pub(crate) async fn deliver_once(self: &Arc<Self>) -> Result<usize> {
        let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let (made, to_record) = mpsc::channel(MAX_IN_FLIGHT);
        tokio::spawn(Arc::clone(self).record_forever(to_record));
        let started = self.round(&slots, &made).await?.started;
        // Every slot is back once every outcome is written (or its attempt failed).
        let _all = slots
            .acquire_many(u32::try_from(MAX_IN_FLIGHT).unwrap_or(u32::MAX))
            .await;
        Ok(started)
    }

    /// One round: dispatch every event waiting, then start the attempts due that free slots
    /// allow.
    async fn round(
        self: &Arc<Self>,
        slots: &Arc<Semaphore>,
        made: &mpsc::Sender<Made>,
    ) -> Result<Round> {
        while self.store.dispatch_events(DISPATCH_BATCH).await? == u64::from(DISPATCH_BATCH) {}
        let free = u32::try_from(slots.available_permits()).unwrap_or(0);
        if free == 0 {
            return Ok(Round {
                started: 0,
                more_due: true,
            });
        }
        let now = self.clock.now();
        let lease_until = now.plus_millis(i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX));
        let due = self.store.claim_deliveries(now, lease_until, free).await?;
        let started = due.len();
        // As many due as free slots: more may be due. (Testing instead whether every slot is
        // busy after the claim missed this whenever an attempt ended meanwhile, and the loop
        // slept a whole poll with deliveries waiting: 85 a second at most.)
        let more_due = started == free as usize;
        for delivery in due {
            let permit = Arc::clone(slots)
                .acquire_owned()
                .await
                .map_err(|_| Error::Internal("the delivery slots are closed".into()))?;
            let (this, made) = (Arc::clone(self), made.clone());
            tokio::spawn(async move {
                match this.attempt(delivery).await {
                    // The recorder has gone only when the loop has: the lease runs out.
                    Ok(finished) => drop(made.send((finished, permit)).await),
                    // The lease runs out and the delivery is made again.
                    Err(e) => tracing::warn!(error = %e, "a webhook attempt could not be made"),
                }
            });
        }
        Ok(Round { started, more_due })
    }

    /// Writes the outcomes of attempts made, every one waiting in one transaction, then frees
    /// their slots. If the write fails, their leases run out and they are made again.
    async fn record_forever(self: Arc<Self>, mut to_record: mpsc::Receiver<Made>) {
        let mut batch = Vec::with_capacity(MAX_IN_FLIGHT);
        while to_record.recv_many(&mut batch, MAX_IN_FLIGHT).await > 0 {
            let finished: Vec<Finished> = batch.iter().map(|(f, _)| f.clone()).collect();
            match self.store.finish_deliveries(&finished).await {
                Ok(disabled) => {
                    for (f, disabled) in finished.iter().zip(disabled) {
                        crate::counters::webhook_attempt(&f.outcome, disabled);
                        if disabled {
                            tracing::warn!(webhook = %f.attempt.webhook_id, "webhook disabled: every attempt has failed for 3 days");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempts = finished.len(), "webhook attempts could not be recorded; they will be made again")
                }
            }
            batch.clear();
        }
    }

    /// Makes one attempt of a claimed delivery; answers what follows from it, to record.
    async fn attempt(&self, d: DueDelivery) -> Result<Finished> {
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
        let disable_if_failing_before =
            at.plus_millis(-i64::try_from(DISABLE_AFTER.as_millis()).unwrap_or(i64::MAX));
        Ok(Finished {
            attempt,
            outcome,
            disable_if_failing_before,
        })
    }
}

/// The `type` of a payload (the event as the API shows it).
fn event_type(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}
