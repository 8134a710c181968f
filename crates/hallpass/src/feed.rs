//! The revocation feed's live part: one broadcast channel and one log of recent events per
//! product/env, fed by [`crate::revocations::Revocations`] at every door into its sets (this
//! node's own revocations and supersessions, the change feed, the catch-up), so subscribers get
//! exactly what this node's verify refuses, from memory.
//!
//! A subscriber is a receiver of its scope's channel. The channel holds at most
//! `Settings::feed_buffer` events a receiver has not read yet; a receiver that falls further
//! behind is cut off (its stream ends and the client reconnects with `Last-Event-ID`), so a
//! slow reader never makes the node hold more. Subscribing and publishing take one lock, so a
//! replay from the log and the live events that follow it leave no gap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use hallpass_core::Timestamp;
use hallpass_core::feed::{FeedChange, FeedEvent, FeedId, FeedLog};
use hallpass_core::model::Scope;
use hallpass_core::revocation::{RevokedEntry, SupersededEntry};
use tokio::sync::broadcast;

use crate::counters;

/// Events a subscriber may be behind before it is cut off, by default.
pub const DEFAULT_FEED_BUFFER: usize = 1024;

/// How a subscription begins.
#[derive(Debug)]
pub enum FeedStart {
    /// Everything the node holds for the scope now; replaces what the client held.
    Snapshot(FeedSnapshot),
    /// The events published since shortly before the client's `Last-Event-ID`.
    Replay(Vec<Arc<FeedEvent>>),
}

/// Every revoked session of a scope whose tokens may still be unexpired, and every session
/// with superseded tokens still unexpired.
#[derive(Debug)]
pub struct FeedSnapshot {
    /// The snapshot's event id: a resume from it replays what followed.
    pub id: FeedId,
    /// Revoked sessions, by id.
    pub revoked: Vec<RevokedEntry>,
    /// Sessions with superseded tokens, by id.
    pub superseded: Vec<SupersededEntry>,
}

/// One subscriber of a scope's feed: how it starts, then its live events.
#[derive(Debug)]
pub struct FeedSubscription {
    /// The snapshot or the replay to send first.
    pub start: FeedStart,
    receiver: broadcast::Receiver<Arc<FeedEvent>>,
    _counted: Subscriber,
}

impl FeedSubscription {
    /// The next live event. `None` when the subscriber fell more than the buffer behind (it is
    /// cut off and counted; it reconnects and resumes) or the node is shutting down.
    pub async fn next(&mut self) -> Option<Arc<FeedEvent>> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                counters::feed_subscriber_cut();
                None
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Counts a subscriber in the connected gauge while it lives.
#[derive(Debug)]
struct Subscriber;

impl Subscriber {
    fn new() -> Self {
        counters::feed_subscribers(1.0);
        Self
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        counters::feed_subscribers(-1.0);
    }
}

/// One scope's channel and log.
struct ScopeFeed {
    sender: broadcast::Sender<Arc<FeedEvent>>,
    log: FeedLog,
}

/// What the lock guards: every scope's feed, and the last id handed out.
struct State {
    scopes: HashMap<Arc<Scope>, ScopeFeed>,
    last_id: Timestamp,
}

/// The feeds of every scope of this node.
pub(crate) struct Feed {
    /// When the node began publishing: its logs are complete from then on.
    start: Timestamp,
    buffer: usize,
    log_entries: usize,
    state: Mutex<State>,
}

impl Feed {
    pub(crate) fn new(start: Timestamp, buffer: usize, log_entries: usize) -> Self {
        Self {
            start,
            buffer: buffer.max(1),
            log_entries,
            state: Mutex::new(State {
                scopes: HashMap::new(),
                last_id: start,
            }),
        }
    }

    /// Publishes changes of `scope` at `now`: logged, and sent to its subscribers.
    pub(crate) fn publish(
        &self,
        scope: &Arc<Scope>,
        changes: impl IntoIterator<Item = FeedChange>,
        now: Timestamp,
    ) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let id = next_id(&mut state, now);
        let feed = self.scope_feed(&mut state, scope);
        for change in changes {
            let event = Arc::new(FeedEvent { id, change });
            feed.log.push(Arc::clone(&event), now);
            // No receiver is no error: the log still answers later resumes.
            let _ = feed.sender.send(event);
        }
    }

    /// Subscribes to `scope` at `now`, resuming after `last` when the log reaches back far
    /// enough; otherwise `snapshot` (called after subscribing, so nothing published meanwhile
    /// is missed: it may come twice, which is harmless) makes the start.
    pub(crate) fn subscribe(
        &self,
        scope: &Arc<Scope>,
        last: Option<&str>,
        now: Timestamp,
        snapshot: impl FnOnce() -> (Vec<RevokedEntry>, Vec<SupersededEntry>),
    ) -> FeedSubscription {
        let (receiver, start) = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let id = next_id(&mut state, now);
            let feed = self.scope_feed(&mut state, scope);
            feed.log.trim(now);
            let replay = last
                .and_then(FeedId::parse)
                .and_then(|last| feed.log.since(last, now));
            (feed.sender.subscribe(), replay.ok_or(id))
        };
        let start = match start {
            Ok(replay) => FeedStart::Replay(replay),
            Err(id) => {
                let (revoked, superseded) = snapshot();
                FeedStart::Snapshot(FeedSnapshot {
                    id,
                    revoked,
                    superseded,
                })
            }
        };
        FeedSubscription {
            start,
            receiver,
            _counted: Subscriber::new(),
        }
    }

    fn scope_feed<'a>(&self, state: &'a mut State, scope: &Arc<Scope>) -> &'a mut ScopeFeed {
        state
            .scopes
            .entry(Arc::clone(scope))
            .or_insert_with(|| ScopeFeed {
                sender: broadcast::channel(self.buffer).0,
                log: FeedLog::new(self.start, self.log_entries),
            })
    }
}

/// The next event id: now, but never before the last one (the clock may step back).
fn next_id(state: &mut State, now: Timestamp) -> FeedId {
    state.last_id = state.last_id.max(now);
    FeedId::at(state.last_id)
}
