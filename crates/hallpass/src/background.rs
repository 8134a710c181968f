//! The tasks a running node keeps going: following other nodes' changes, catching up on
//! revocations, and sweeping ended sessions.

use std::sync::Arc;
use std::time::Duration;

use hallpass_core::Result;
use tokio::sync::Notify;

use crate::Hallpass;
use crate::revocations::CATCH_UP_EVERY;

/// Revoked sessions and expired ones are kept this long after their session ended, so that a
/// late revoke still answers `revoked: false` rather than 404.
const SWEEP_RETENTION_SECS: i64 = 24 * 3600;
/// Sessions (and events) deleted per sweep batch: one short transaction each, so sweeping never holds
/// locks that requests wait on for long.
const SWEEP_BATCH: u32 = 1000;
/// How often expired sessions are swept and stale revocations forgotten.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How often noted session activity is written (each session's at most once a minute).
pub const ACTIVITY_FLUSH_EVERY: Duration = Duration::from_secs(5);
/// Longest wait for one catch-up query.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(15);
/// Pause after the change feed fails before it reconnects.
const FEED_RETRY: Duration = Duration::from_millis(500);

/// The running background tasks of a node. [`Background::stop`] ends them and writes the
/// session activity still noted; dropping this ends them at once.
#[derive(Debug)]
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The activity writer and its stop request: it is asked to stop, not aborted, so that a
    /// write in progress completes and the activity noted last is written too.
    activity: Option<(tokio::task::JoinHandle<()>, Arc<Notify>)>,
}

impl Background {
    /// Ends the background work. The other tasks are aborted (each is safe to cut: they read,
    /// or write in single statements that a restart repeats); the activity writer writes what
    /// was noted since its last round, then ends. Waits for that at most `within`; answers
    /// whether it finished (if not, that activity is lost, as at a crash).
    pub async fn stop(mut self, within: Duration) -> bool {
        for task in &self.tasks {
            task.abort();
        }
        let Some((task, stop)) = self.activity.take() else {
            return true;
        };
        stop.notify_one();
        tokio::time::timeout(within, task).await.is_ok()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some((task, _)) = &self.activity {
            task.abort();
        }
    }
}

impl Hallpass {
    /// Starts the node's background work: the change feed (when the store has one), the
    /// revocation catch-up every [`CATCH_UP_EVERY`], the sweep every `sweep_every`, the
    /// writer of session activity every [`ACTIVITY_FLUSH_EVERY`], and webhook delivery.
    pub fn spawn_background(self: &Arc<Self>, sweep_every: Duration) -> Background {
        let mut tasks = vec![
            every(
                self,
                CATCH_UP_EVERY,
                "revocation catch-up",
                |hp| async move {
                    // One read, safe to cancel: a connection the network lost without a word
                    // would otherwise stall the catch-up for good.
                    tokio::time::timeout(CATCH_UP_TIMEOUT, hp.catch_up())
                        .await
                        .unwrap_or_else(|_| {
                            Err(hallpass_core::Error::StoreUnavailable(format!(
                                "the catch-up query did not answer within {} s",
                                CATCH_UP_TIMEOUT.as_secs()
                            )))
                        })
                        .map(drop)
                },
            ),
            every(self, sweep_every, "session sweep", |hp| async move {
                hp.sweep().await.map(drop)
            }),
        ];
        tasks.push(tokio::spawn(follow_changes(Arc::clone(self))));
        tasks.push(tokio::spawn(Arc::clone(&self.webhooks).deliver_forever()));
        let stop = Arc::new(Notify::new());
        let writer = tokio::spawn(write_activity(Arc::clone(self), Arc::clone(&stop)));
        Background {
            tasks,
            activity: Some((writer, stop)),
        }
    }

    /// One round of upkeep: forgets revocations whose tokens have expired and deletes sessions
    /// that ended long ago, events older than the retention (`Settings::event_retention`), in bounded batches, and ended console sign-ins. Returns the number of sessions deleted.
    ///
    /// # Errors
    /// [`hallpass_core::Error::StoreUnavailable`] when the store cannot be reached.
    pub async fn sweep(&self) -> Result<u64> {
        let now = self.now();
        self.revocations.purge(now);
        let cutoff = now.plus_secs(-SWEEP_RETENTION_SECS);
        let mut total = 0;
        loop {
            let deleted = self.store.sweep_expired(cutoff, SWEEP_BATCH).await?;
            total += deleted;
            if deleted < u64::from(SWEEP_BATCH) {
                break;
            }
            tokio::task::yield_now().await;
        }
        let retention = i64::try_from(self.settings.event_retention.as_secs()).unwrap_or(i64::MAX);
        let events_cutoff = now.plus_secs(-retention);
        while self.store.sweep_events(events_cutoff, SWEEP_BATCH).await? == u64::from(SWEEP_BATCH) {
            tokio::task::yield_now().await;
        }
        self.console.sweep(now).await?;
        Ok(total)
    }
}

/// Runs `job` every `period` (first after one period), logging failures; the next round retries.
fn every<F, Fut>(
    hp: &Arc<Hallpass>,
    period: Duration,
    what: &'static str,
    job: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(Arc<Hallpass>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<()>> + Send,
{
    let hp = Arc::clone(hp);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let mut outage = Outage::default();
        loop {
            tick.tick().await;
            outage.record(what, job(Arc::clone(&hp)).await);
        }
    })
}

/// Writes the noted session activity every [`ACTIVITY_FLUSH_EVERY`], and once more when asked
/// to stop, then ends.
async fn write_activity(hp: Arc<Hallpass>, stop: Arc<Notify>) {
    let mut tick = tokio::time::interval(ACTIVITY_FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let mut outage = Outage::default();
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            () = stop.notified() => true,
        };
        outage.record("session activity", hp.flush_activity().await.map(drop));
        if stopping {
            return;
        }
    }
}

/// Applies other nodes' changes as they commit. Subscribing (again) counts as a gap: what
/// committed before the subscription is reloaded, so nothing falls between load and listen.
async fn follow_changes(hp: Arc<Hallpass>) {
    let mut feed = loop {
        match hp.store.changes().await {
            Ok(Some(feed)) => break feed,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot subscribe to changes; retrying");
                tokio::time::sleep(FEED_RETRY).await;
            }
        }
    };
    let mut change = Ok(hallpass_core::store::Change::Gap);
    let mut outage = Outage::default();
    loop {
        match change {
            // A change is applied before the next is read: one that fails (a key reload while
            // the database is away) is retried until it works, never skipped.
            Ok(c) => loop {
                let result = hp.apply_change(c.clone()).await;
                let failed = result.is_err();
                outage.record("change feed", result);
                if !failed {
                    break;
                }
                tokio::time::sleep(FEED_RETRY).await;
            },
            Err(e) => {
                outage.record("change feed", Err(e));
                tokio::time::sleep(FEED_RETRY).await;
            }
        }
        change = feed.next().await;
    }
}

/// Logs a task's failures once per outage (a warning when it starts, a note when it ends)
/// rather than on every retry while the database is away.
#[derive(Default)]
struct Outage {
    failures: u64,
}

impl Outage {
    fn record(&mut self, what: &str, result: Result<()>) {
        match result {
            Ok(()) if self.failures > 0 => {
                tracing::info!(failures = self.failures, "{what} works again");
                self.failures = 0;
            }
            Ok(()) => {}
            Err(e) => {
                if self.failures == 0 {
                    tracing::warn!(error = %e, "{what} failed; retrying until it works");
                } else {
                    tracing::debug!(error = %e, "{what} failed again");
                }
                self.failures += 1;
            }
        }
    }
}
