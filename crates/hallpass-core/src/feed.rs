//! The rules of the revocation feed (docs/API.md §14.4): what an event is, what its id says, and
//! the bounded log of recent events that answers a reconnect without the database.
//!
//! An event id is the time (milliseconds, this node's clock) at which the node published the
//! event. Ids mean the same on every node, so a client that reconnects through a load balancer
//! to another node resumes there too: the node replays what it published from
//! [`RESUME_MARGIN_MS`] before the id on (nodes learn a change at slightly different moments,
//! and clocks differ a little; a duplicate is harmless, a lost change is not), and answers a
//! fresh snapshot when its log does not reach back that far.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use crate::Timestamp;
use crate::revocation::{RevokedEntry, SupersededEntry};

/// How far before a `Last-Event-ID` a resume replays: more than the catch-up query's look-back
/// (15 s) and its period, so a change one node learnt late from the catch-up is still replayed
/// by a node that learnt it at once, with room for modest clock skew.
pub const RESUME_MARGIN_MS: i64 = 30_000;

/// How long the log keeps an event: a client away for longer gets a snapshot.
pub const LOG_AGE_SECS: i64 = 300;

/// Most events the log of one product/env keeps (a forced type deletion may revoke many).
pub const DEFAULT_LOG_ENTRIES: usize = 10_000;

/// The longest id accepted: 16 digits of milliseconds reach the year 318,857.
const MAX_ID_DIGITS: usize = 16;

/// What one event of the feed says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedChange {
    /// A session was revoked: refuse all its tokens.
    Revoked(RevokedEntry),
    /// A session's data changed: refuse its tokens of an older version.
    Superseded(SupersededEntry),
}

/// An event id: when this node published it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedId(Timestamp);

impl FeedId {
    /// The id of an event published at `at`.
    pub const fn at(at: Timestamp) -> Self {
        Self(at)
    }

    /// When the event was published.
    pub const fn time(self) -> Timestamp {
        self.0
    }

    /// Reads an id as [`fmt::Display`] writes it; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = !text.is_empty()
            && text.len() <= MAX_ID_DIGITS
            && text.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| text.parse().ok())
            .flatten()
            .map(|ms| Self(Timestamp::from_millis(ms)))
    }
}

impl fmt::Display for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_millis())
    }
}

/// One published event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEvent {
    /// Its id.
    pub id: FeedId,
    /// What changed.
    pub change: FeedChange,
}

/// The recent events of one product/env, oldest first, and the time from which it holds every
/// event published (the node's start, or later once older events were dropped).
#[derive(Debug)]
pub struct FeedLog {
    entries: VecDeque<Arc<FeedEvent>>,
    complete_from: Timestamp,
    max_entries: usize,
}

impl FeedLog {
    /// An empty log holding every event published from `start` on, at most `max_entries`.
    pub fn new(start: Timestamp, max_entries: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            complete_from: start,
            max_entries: max_entries.max(1),
        }
    }

    /// Appends an event (ids never decrease) and drops what is too old or too many.
    pub fn push(&mut self, event: Arc<FeedEvent>, now: Timestamp) {
        self.entries.push_back(event);
        self.trim(now);
    }

    /// Drops events older than [`LOG_AGE_SECS`] and those beyond the most entries kept.
    pub fn trim(&mut self, now: Timestamp) {
        let oldest_kept = now.plus_secs(-LOG_AGE_SECS);
        while let Some(first) = self.entries.front() {
            if first.id.time() >= oldest_kept && self.entries.len() <= self.max_entries {
                break;
            }
            // Events of the same millisecond may remain: the log is complete only after it.
            self.complete_from = self.complete_from.max(first.id.time().plus_millis(1));
            self.entries.pop_front();
        }
    }

    /// What a client whose last event was `last` missed: every event from
    /// [`RESUME_MARGIN_MS`] before it on. `None` when the log does not reach back that far, or
    /// the id is further in the future than the margin (another node's clock far ahead, or not
    /// an id of ours): the client needs a snapshot.
    pub fn since(&self, last: FeedId, now: Timestamp) -> Option<Vec<Arc<FeedEvent>>> {
        let from = last.time().plus_millis(-RESUME_MARGIN_MS);
        if from < self.complete_from || last.time() > now.plus_millis(RESUME_MARGIN_MS) {
            return None;
        }
        Some(
            self.entries
                .iter()
                .filter(|e| e.id.time() >= from)
                .cloned()
                .collect(),
        )
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_secs(1_800_000_000);

    fn event(at: Timestamp, session: &str) -> Arc<FeedEvent> {
        Arc::new(FeedEvent {
            id: FeedId::at(at),
            change: FeedChange::Revoked(RevokedEntry {
                session_id: session.into(),
                until: at.plus_secs(3600),
            }),
        })
    }

    fn ids(events: &[Arc<FeedEvent>]) -> Vec<String> {
        events.iter().map(|e| e.id.to_string()).collect()
    }

    #[test]
    fn ids_are_milliseconds_and_nothing_else_parses() {
        let id = FeedId::at(Timestamp::from_millis(1_795_428_000_123));
        assert_eq!(id.to_string(), "1795428000123");
        assert_eq!(FeedId::parse("1795428000123"), Some(id));
        for bad in [
            "",
            "-1",
            "+1",
            "1.5",
            "12345678901234567",
            "abc",
            " 1",
            "1e3",
            "١",
        ] {
            assert_eq!(FeedId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_resume_replays_from_the_margin_before_its_id() {
        let mut log = FeedLog::new(T0, 100);
        for (secs, s) in [(40, "a"), (60, "b"), (100, "c")] {
            log.push(event(T0.plus_secs(secs), s), T0.plus_secs(secs));
        }
        let now = T0.plus_secs(100);
        let replay = log
            .since(FeedId::at(T0.plus_secs(90)), now)
            .expect("in the log");
        assert_eq!(ids(&replay), ["1800000060000", "1800000100000"]);
        let all = log
            .since(FeedId::at(T0.plus_secs(30)), now)
            .expect("from the start");
        assert_eq!(all.len(), 3);
        assert!(
            log.since(FeedId::at(T0.plus_secs(29)), now).is_none(),
            "before the log's start"
        );
        assert!(
            log.since(FeedId::at(now.plus_secs(31)), now).is_none(),
            "too far in the future"
        );
        assert_eq!(
            log.since(FeedId::at(now.plus_secs(30)), now)
                .map(|r| r.len()),
            Some(1),
            "a clock ahead within the margin still resumes: c, published now, is replayed"
        );
    }

    #[test]
    fn old_events_leave_the_log_and_take_its_completeness_with_them() {
        let mut log = FeedLog::new(T0, 100);
        log.push(event(T0, "a"), T0);
        log.push(event(T0.plus_secs(200), "b"), T0.plus_secs(200));
        log.trim(T0.plus_secs(LOG_AGE_SECS + 1));
        assert_eq!(log.len(), 1);
        let now = T0.plus_secs(LOG_AGE_SECS + 1);
        assert!(
            log.since(FeedId::at(T0.plus_secs(30)), now).is_none(),
            "a was dropped"
        );
        assert!(log.since(FeedId::at(T0.plus_secs(31)), now).is_some());
    }

    #[test]
    fn at_most_the_entries_allowed_are_kept() {
        let mut log = FeedLog::new(T0, 2);
        for (i, s) in ["a", "b", "c"].iter().enumerate() {
            log.push(event(T0.plus_secs(i as i64), s), T0);
        }
        assert_eq!(log.len(), 2);
        let replay = log.since(FeedId::at(T0.plus_secs(31)), T0.plus_secs(2));
        assert_eq!(
            replay.map(|r| ids(&r)),
            Some(vec!["1800000001000".into(), "1800000002000".into()])
        );
        assert!(
            log.since(FeedId::at(T0.plus_secs(30)), T0.plus_secs(2))
                .is_none()
        );
    }

    #[test]
    fn events_of_the_dropped_millisecond_do_not_count_as_complete() {
        let mut log = FeedLog::new(T0, 1);
        log.push(event(T0.plus_secs(40), "a"), T0);
        log.push(event(T0.plus_secs(40), "b"), T0);
        assert_eq!(log.len(), 1);
        assert!(
            log.since(FeedId::at(T0.plus_secs(70)), T0.plus_secs(70))
                .is_none()
        );
    }
}
