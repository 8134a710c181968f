//! The in-memory revocation set that verify consults instead of the database.
//!
//! An entry is kept until the revoked session's last token has expired: after that, the token
//! fails on its own `exp`, so the entry is no longer needed and memory stays bounded by the
//! number of sessions revoked within one token lifetime.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::Timestamp;

/// Revoked session ids, each with the time after which it can be forgotten.
#[derive(Debug, Default)]
pub struct RevocationSet {
    entries: RwLock<HashMap<String, Timestamp>>,
}

impl RevocationSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `session_id` is revoked; its tokens all expire by `forget_after`.
    pub fn insert(&self, session_id: &str, forget_after: Timestamp) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = entries.entry(session_id.to_owned()).or_insert(forget_after);
        *at = (*at).max(forget_after);
    }

    /// Whether `session_id` is revoked.
    pub fn contains(&self, session_id: &str) -> bool {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(session_id)
    }

    /// Forgets entries whose tokens have all expired at `now`; returns how many were dropped.
    pub fn purge(&self, now: Timestamp) -> usize {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = entries.len();
        entries.retain(|_, forget_after| *forget_after > now);
        before - entries.len()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
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
}
