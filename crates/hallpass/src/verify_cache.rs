//! The verification cache. A session sends the same token on every request; checking its
//! signature (25–30 µs for EdDSA) and decrypting its data each time would bound verify far
//! below the HTTP stack. So a token that verified once is recognised afterwards by a keyed
//! hash and answered from memory.
//!
//! What keeps that safe:
//! - The key is a BLAKE3 keyed hash of the token together with the product, env and tag it
//!   was verified for, under a random key of this process: no one can make another token,
//!   or the same token asked for another env or tag, land on an entry.
//! - An entry is never used at or after the token's `exp`; it is only a shortcut past the
//!   signature and the decryption. The revocation set and the session type are checked on
//!   every hit exactly as on a full verify.
//! - Memory is bounded by a fixed number of entries (evicting the least useful first).

use std::sync::Arc;

use hallpass_core::Timestamp;
use hallpass_core::model::Scope;
use quick_cache::sync::Cache;

use crate::verification::Verified;

/// Tokens remembered by default.
pub const DEFAULT_VERIFY_CACHE_ENTRIES: usize = 50_000;

/// Verified tokens by keyed hash.
pub(crate) struct VerifyCache {
    key: [u8; 32],
    entries: Option<Cache<u128, Arc<Verified>>>,
}

impl VerifyCache {
    /// A cache of at most `capacity` tokens; 0 turns caching off.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            key: rand::random(),
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// Where `token`, verified for `scope` and `tag`, is kept.
    pub(crate) fn slot(&self, scope: &Scope, tag: &str, token: &str) -> u128 {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        for part in [&scope.product, &scope.env, tag] {
            // Lengths first, so that no two different triples hash the same bytes.
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(token.as_bytes());
        let mut out = [0; 16];
        hasher.finalize_xof().fill(&mut out);
        u128::from_le_bytes(out)
    }

    /// The token's verification, if it is remembered and has not expired at `now`.
    pub(crate) fn get(&self, slot: u128, now: Timestamp) -> Option<Arc<Verified>> {
        let entries = self.entries.as_ref()?;
        let verified = entries.get(&slot)?;
        if now >= verified.expires_at {
            entries.remove(&slot);
            return None;
        }
        Some(verified)
    }

    /// Remembers a verification.
    pub(crate) fn insert(&self, slot: u128, verified: Arc<Verified>) {
        if let Some(entries) = &self.entries {
            entries.insert(slot, verified);
        }
    }

    /// Tokens remembered now.
    pub(crate) fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, Cache::len)
    }
}

impl std::fmt::Debug for VerifyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyCache")
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(env: &str) -> Scope {
        Scope {
            product: "shop".into(),
            env: env.into(),
        }
    }

    fn verified(expires_at: i64) -> Arc<Verified> {
        Arc::new(Verified {
            session_id: "s1".into(),
            tag: "user".into(),
            identifier: None,
            data: serde_json::Value::Null,
            issued_at: Timestamp::from_secs(0),
            expires_at: Timestamp::from_secs(expires_at),
            authenticated_at: Timestamp::from_secs(0),
            amr: None,
            data_version: 0,
            idle_expires_at: None,
            superseded: false,
        })
    }

    #[test]
    fn a_token_is_found_only_for_the_env_and_tag_it_was_verified_for() {
        let cache = VerifyCache::new(10);
        let slot = cache.slot(&scope("dev"), "user", "t");
        cache.insert(slot, verified(100));
        assert!(cache.get(slot, Timestamp::from_secs(1)).is_some());
        for other in [
            cache.slot(&scope("prd"), "user", "t"),
            cache.slot(&scope("dev"), "admin", "t"),
            cache.slot(&scope("dev"), "user", "t2"),
        ] {
            assert_ne!(other, slot);
            assert!(cache.get(other, Timestamp::from_secs(1)).is_none());
        }
        // The boundaries between the parts count: ("ab", "c") is not ("a", "bc").
        let joined = Scope {
            product: "sho".into(),
            env: "pdev".into(),
        };
        assert_ne!(cache.slot(&joined, "user", "t"), slot);
    }

    #[test]
    fn an_entry_is_never_used_at_or_after_the_tokens_expiry() {
        let cache = VerifyCache::new(10);
        let slot = cache.slot(&scope("dev"), "user", "t");
        cache.insert(slot, verified(100));
        assert!(cache.get(slot, Timestamp::from_millis(99_999)).is_some());
        assert!(cache.get(slot, Timestamp::from_secs(100)).is_none());
        assert_eq!(cache.len(), 0, "an expired entry is dropped when met");
    }

    #[test]
    fn two_processes_hash_the_same_token_differently() {
        let (a, b) = (VerifyCache::new(1), VerifyCache::new(1));
        assert_ne!(
            a.slot(&scope("dev"), "user", "t"),
            b.slot(&scope("dev"), "user", "t")
        );
    }

    #[test]
    fn capacity_zero_remembers_nothing() {
        let cache = VerifyCache::new(0);
        let slot = cache.slot(&scope("dev"), "user", "t");
        cache.insert(slot, verified(100));
        assert!(cache.get(slot, Timestamp::from_secs(1)).is_none());
    }
}
