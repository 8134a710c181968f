//! The in-memory sets verify consults instead of the database: revoked sessions, and sessions
//! whose data changed (tokens of an older data version are superseded).
//!
//! An entry is kept until the last token it refuses has expired: after that, the token fails on
//! its own `exp`, so the entry is no longer needed and memory stays bounded by the number of
//! sessions revoked (or updated) within one token lifetime.
//!
//! Each entry also points at its session's (product, env), interned once per scope, so that the
//! revocation feed (docs/API.md §14.4) can answer a scope's entries from memory: eight bytes per
//! entry rather than two strings.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::Timestamp;
use crate::model::Scope;

/// The (product, env) pairs entries point at, one shared `Arc` per pair.
#[derive(Debug, Default)]
pub struct Scopes {
    known: RwLock<HashMap<String, HashMap<String, Arc<Scope>>>>,
}

impl Scopes {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The one shared scope of `product` and `env`.
    pub fn intern(&self, product: &str, env: &str) -> Arc<Scope> {
        if let Some(scope) = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(product)
            .and_then(|envs| envs.get(env))
        {
            return Arc::clone(scope);
        }
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        let scope = known
            .entry(product.to_owned())
            .or_default()
            .entry(env.to_owned())
            .or_insert_with(|| {
                Arc::new(Scope {
                    product: product.to_owned(),
                    env: env.to_owned(),
                })
            });
        Arc::clone(scope)
    }

    /// Forgets the scopes no entry (and nobody else) points at any more.
    pub fn forget_unused(&self) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        for envs in known.values_mut() {
            envs.retain(|_, scope| Arc::strong_count(scope) > 1);
        }
        known.retain(|_, envs| !envs.is_empty());
    }

    /// Number of scopes held.
    pub fn len(&self) -> usize {
        self.known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(HashMap::len)
            .sum()
    }

    /// Whether no scope is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A session id as the sets hold it. Every id hallpass makes is a ULID in canonical form, kept
/// as its 16 bytes: no string of its own per entry, which is most of what an entry would
/// otherwise cost (a 24-byte `String` and a 48-byte heap block for 26 characters). Any other
/// text is kept as it is, so the sets still answer for it exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SessionKey {
    Ulid([u8; 16]),
    Text(Box<str>),
}

impl SessionKey {
    fn of(session_id: &str) -> Self {
        match ulid::Ulid::from_string(session_id) {
            // Only the canonical spelling: `from_string` also reads lowercase, which would
            // make two different ids one key.
            Ok(u) if u.array_to_str(&mut [0; ulid::ULID_LEN]) == session_id => {
                Self::Ulid(u.to_bytes())
            }
            _ => Self::Text(session_id.into()),
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Ulid(bytes) => ulid::Ulid::from_bytes(*bytes).to_string(),
            Self::Text(text) => text.to_string(),
        }
    }
}

/// One entry: the value, when it may be forgotten, and the session's scope.
#[derive(Debug)]
struct Entry<V> {
    value: V,
    forget_after: Timestamp,
    scope: Arc<Scope>,
}

/// Session ids, each with a value that only grows and the time after which it can be forgotten.
#[derive(Debug, Default)]
struct ExpiringMap<V> {
    entries: RwLock<HashMap<SessionKey, Entry<V>>>,
}

impl<V: Copy + Ord> ExpiringMap<V> {
    /// Keeps the larger value and the later expiry; answers whether the entry is new or changed.
    fn insert(
        &self,
        session_id: &str,
        scope: &Arc<Scope>,
        value: V,
        forget_after: Timestamp,
    ) -> bool {
        let key = SessionKey::of(session_id);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        match entries.get_mut(&key) {
            Some(entry) => {
                let before = (entry.value, entry.forget_after);
                entry.value = entry.value.max(value);
                entry.forget_after = entry.forget_after.max(forget_after);
                before != (entry.value, entry.forget_after)
            }
            None => {
                entries.insert(
                    key,
                    Entry {
                        value,
                        forget_after,
                        scope: Arc::clone(scope),
                    },
                );
                true
            }
        }
    }

    fn get(&self, session_id: &str) -> Option<V> {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&SessionKey::of(session_id))
            .map(|entry| entry.value)
    }

    /// The entries of `scope` not yet expired at `now`, sorted by session id.
    fn live_in(&self, scope: &Scope, now: Timestamp) -> Vec<(String, V, Timestamp)> {
        let mut live: Vec<_> = self
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, e)| e.forget_after > now && *e.scope == *scope)
            .map(|(key, e)| (key.text(), e.value, e.forget_after))
            .collect();
        live.sort_by(|a, b| a.0.cmp(&b.0));
        live
    }

    fn purge(&self, now: Timestamp) -> usize {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        let before = entries.len();
        entries.retain(|_, entry| entry.forget_after > now);
        before - entries.len()
    }

    fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A revoked session as the revocation feed gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The session id.
    pub session_id: String,
    /// When its last token expires: the entry may be forgotten then.
    pub until: Timestamp,
}

/// A session with superseded tokens as the revocation feed gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupersededEntry {
    /// The session id.
    pub session_id: String,
    /// Its current data version: tokens with a lower `ver` are superseded.
    pub version: i64,
    /// When the data version moved (tokens issued before it are superseded).
    pub before: Timestamp,
    /// When the last superseded token expires: the entry may be forgotten then.
    pub until: Timestamp,
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

    /// Records that `session_id` (of `scope`) is revoked; its tokens all expire by
    /// `forget_after`. Answers whether that is news: a new entry or a later expiry.
    pub fn insert(&self, session_id: &str, scope: &Arc<Scope>, forget_after: Timestamp) -> bool {
        self.map.insert(session_id, scope, (), forget_after)
    }

    /// Whether `session_id` is revoked.
    pub fn contains(&self, session_id: &str) -> bool {
        self.map.get(session_id).is_some()
    }

    /// The revoked sessions of `scope` whose tokens may still be unexpired at `now`, by id.
    pub fn live_in(&self, scope: &Scope, now: Timestamp) -> Vec<RevokedEntry> {
        self.map
            .live_in(scope, now)
            .into_iter()
            .map(|(session_id, (), until)| RevokedEntry { session_id, until })
            .collect()
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
    /// The version, with the time it was reached (ordered by version first).
    map: ExpiringMap<(i64, Timestamp)>,
}

impl SupersededSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that tokens of `session_id` (of `scope`) older than `version`, reached at `at`,
    /// are superseded; they all expire by `forget_after`. Answers whether that is news.
    pub fn insert(
        &self,
        session_id: &str,
        scope: &Arc<Scope>,
        version: i64,
        at: Timestamp,
        forget_after: Timestamp,
    ) -> bool {
        self.map
            .insert(session_id, scope, (version, at), forget_after)
    }

    /// Whether a token of `session_id` carrying data `version` is superseded.
    pub fn supersedes(&self, session_id: &str, version: i64) -> bool {
        self.map
            .get(session_id)
            .is_some_and(|(current, _)| version < current)
    }

    /// The sessions of `scope` with superseded tokens still unexpired at `now`, by id.
    pub fn live_in(&self, scope: &Scope, now: Timestamp) -> Vec<SupersededEntry> {
        self.map
            .live_in(scope, now)
            .into_iter()
            .map(|(session_id, (version, before), until)| SupersededEntry {
                session_id,
                version,
                before,
                until,
            })
            .collect()
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

    fn scopes() -> (Scopes, Arc<Scope>, Arc<Scope>) {
        let scopes = Scopes::new();
        let prd = scopes.intern("shop", "prd");
        let dev = scopes.intern("shop", "dev");
        (scopes, prd, dev)
    }

    #[test]
    fn entries_are_forgotten_once_their_tokens_expired() {
        let (_, s, _) = scopes();
        let set = RevocationSet::new();
        let t0 = Timestamp::from_secs(100);
        assert!(set.insert("a", &s, t0.plus_secs(10)));
        assert!(set.insert("b", &s, t0.plus_secs(60)));
        assert!(set.contains("a") && set.contains("b") && !set.contains("c"));
        assert_eq!(set.purge(t0.plus_secs(10)), 1);
        assert!(!set.contains("a") && set.contains("b"));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn a_later_expiry_extends_an_entry_and_only_news_is_news() {
        let (_, s, _) = scopes();
        let set = RevocationSet::new();
        let t0 = Timestamp::from_secs(100);
        assert!(set.insert("a", &s, t0.plus_secs(60)));
        assert!(
            !set.insert("a", &s, t0.plus_secs(10)),
            "an earlier expiry changes nothing"
        );
        assert!(
            !set.insert("a", &s, t0.plus_secs(60)),
            "the same again is no news"
        );
        assert!(set.insert("a", &s, t0.plus_secs(61)));
        assert_eq!(set.purge(t0.plus_secs(30)), 0);
    }

    #[test]
    fn older_versions_are_superseded_and_versions_never_go_back() {
        let (_, s, _) = scopes();
        let set = SupersededSet::new();
        let t0 = Timestamp::from_secs(100);
        assert!(set.insert("a", &s, 2, t0, t0.plus_secs(60)));
        assert!(
            !set.insert("a", &s, 1, t0, t0.plus_secs(30)),
            "an older version is no news"
        );
        assert!(set.supersedes("a", 0) && set.supersedes("a", 1));
        assert!(!set.supersedes("a", 2) && !set.supersedes("b", 0));
        assert_eq!(set.purge(t0.plus_secs(59)), 0, "the later expiry is kept");
        assert_eq!(set.purge(t0.plus_secs(60)), 1);
        assert!(set.is_empty());
    }

    #[test]
    fn a_scope_lists_only_its_own_live_entries_by_id() {
        let (_, prd, dev) = scopes();
        let t0 = Timestamp::from_secs(100);
        let revoked = RevocationSet::new();
        revoked.insert("b", &prd, t0.plus_secs(60));
        revoked.insert("a", &prd, t0.plus_secs(60));
        revoked.insert("c", &prd, t0.plus_secs(5));
        revoked.insert("d", &dev, t0.plus_secs(60));
        let ids: Vec<_> = revoked
            .live_in(&prd, t0.plus_secs(5))
            .into_iter()
            .map(|e| e.session_id)
            .collect();
        assert_eq!(ids, ["a", "b"], "c has expired, d is of another env");

        let superseded = SupersededSet::new();
        superseded.insert("a", &dev, 1, t0, t0.plus_secs(60));
        superseded.insert("a", &dev, 3, t0.plus_secs(2), t0.plus_secs(70));
        assert_eq!(
            superseded.live_in(&dev, t0),
            [SupersededEntry {
                session_id: "a".into(),
                version: 3,
                before: t0.plus_secs(2),
                until: t0.plus_secs(70),
            }]
        );
        assert!(superseded.live_in(&prd, t0).is_empty());
    }

    #[test]
    fn ulid_ids_and_any_other_text_are_kept_exactly() {
        let (_, s, _) = scopes();
        let t0 = Timestamp::from_secs(100);
        let set = RevocationSet::new();
        let ulid = "01JDQZ6M4W8X2V3N5P7R9T0YAB";
        let lower = ulid.to_lowercase();
        set.insert(ulid, &s, t0.plus_secs(60));
        set.insert("not-a-ulid", &s, t0.plus_secs(60));
        assert!(set.contains(ulid) && set.contains("not-a-ulid"));
        assert!(
            !set.contains(&lower),
            "the lowercase spelling is another id, as it is in the store"
        );
        set.insert(&lower, &s, t0.plus_secs(60));
        let ids: Vec<_> = set
            .live_in(&s, t0)
            .into_iter()
            .map(|e| e.session_id)
            .collect();
        assert_eq!(ids, [ulid, &lower, "not-a-ulid"], "each id as it was given");
    }

    #[test]
    fn scopes_are_shared_and_forgotten_when_unused() {
        let (scopes, prd, dev) = scopes();
        assert!(Arc::ptr_eq(&prd, &scopes.intern("shop", "prd")));
        assert!(!Arc::ptr_eq(&prd, &dev));
        assert_eq!(scopes.len(), 2);
        drop(dev);
        scopes.forget_unused();
        assert_eq!(scopes.len(), 1, "prd is still held");
        drop(prd);
        scopes.forget_unused();
        assert!(scopes.is_empty());
    }
}
