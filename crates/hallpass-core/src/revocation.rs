//! The in-memory sets verify consults instead of the database: revoked sessions, and sessions
//! whose data changed (tokens of an older data version are superseded).
//!
//! An entry is kept until the last token it refuses has expired: after that, the token fails on
//! its own `exp`, so the entry is no longer needed and memory stays bounded by the number of
//! sessions revoked (or updated) within one token lifetime.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use crate::Timestamp;

/// Session ids, each with a value that only grows and the time after which it can be forgotten.
#[derive(Debug, Default)]
struct ExpiringMap<V> {
    entries: RwLock<HashMap<String, (V, Timestamp)>>,
}

impl<V: Copy + Ord> ExpiringMap<V> {
    fn insert(&self, session_id: &str, value: V, forget_after: Timestamp) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        let entry = entries
            .entry(session_id.to_owned())
            .or_insert((value, forget_after));
        entry.0 = entry.0.max(value);
        entry.1 = entry.1.max(forget_after);
    }

    fn get(&self, session_id: &str) -> Option<V> {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(session_id)
            .map(|(value, _)| *value)
    }

    fn purge(&self, now: Timestamp) -> usize {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        let before = entries.len();
        entries.retain(|_, (_, forget_after)| *forget_after > now);
        before - entries.len()
    }

    fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Revoked session ids, each with the time after which it can be forgotten.
#[derive(Debug, Default)]
pub struct RevocationSet {
    map: ExpiringMap<()>,
}

impl RevocationSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `session_id` is revoked; its tokens all expire by `forget_after`.
    pub fn insert(&self, session_id: &str, forget_after: Timestamp) {
        self.map.insert(session_id, (), forget_after);
    }

    /// Whether `session_id` is revoked.
    pub fn contains(&self, session_id: &str) -> bool {
        self.map.get(session_id).is_some()
    }

    /// Forgets entries whose tokens have all expired at `now`; returns how many were dropped.
    pub fn purge(&self, now: Timestamp) -> usize {
        self.map.purge(now)
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sessions whose data changed, each with its current data version: a token of an older
/// version is superseded. Versions only grow, so updates learnt out of order (the change feed
/// and the catch-up query race) leave the newest.
#[derive(Debug, Default)]
pub struct SupersededSet {
    map: ExpiringMap<i64>,
}

impl SupersededSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that tokens of `session_id` older than `version` are superseded; they all
    /// expire by `forget_after`.
    pub fn insert(&self, session_id: &str, version: i64, forget_after: Timestamp) {
        self.map.insert(session_id, version, forget_after);
    }

    /// Whether a token of `session_id` carrying data `version` is superseded.
    pub fn supersedes(&self, session_id: &str, version: i64) -> bool {
        self.map
            .get(session_id)
            .is_some_and(|current| version < current)
    }

    /// Forgets entries whose superseded tokens have all expired at `now`; returns how many.
    pub fn purge(&self, now: Timestamp) -> usize {
        self.map.purge(now)
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_forgotten_once_their_tokens_expired() {
        let set = RevocationSet::new();
        let t0 = Timestamp::from_secs(100);
        set.insert("a", t0.plus_secs(10));
        set.insert("b", t0.plus_secs(60));
        assert!(set.contains("a") && set.contains("b") && !set.contains("c"));
        assert_eq!(set.purge(t0.plus_secs(10)), 1);
        assert!(!set.contains("a") && set.contains("b"));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn a_later_expiry_extends_an_entry() {
        let set = RevocationSet::new();
        let t0 = Timestamp::from_secs(100);
        set.insert("a", t0.plus_secs(60));
        set.insert("a", t0.plus_secs(10));
        assert_eq!(set.purge(t0.plus_secs(30)), 0);
    }

    #[test]
    fn older_versions_are_superseded_and_versions_never_go_back() {
        let set = SupersededSet::new();
        let t0 = Timestamp::from_secs(100);
        set.insert("a", 2, t0.plus_secs(60));
        set.insert("a", 1, t0.plus_secs(30));
        assert!(set.supersedes("a", 0) && set.supersedes("a", 1));
        assert!(!set.supersedes("a", 2) && !set.supersedes("b", 0));
        assert_eq!(set.purge(t0.plus_secs(59)), 0, "the later expiry is kept");
        assert_eq!(set.purge(t0.plus_secs(60)), 1);
        assert!(set.is_empty());
    }
}
