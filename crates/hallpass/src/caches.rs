//! A small read-mostly map used for the read-through caches (session types, products, API
//! keys) that keep the verify path off the database. The service fills entries on a miss and
//! removes them on change.
//!
//! A fill races with invalidation: a node reads a row, another node changes it and the change
//! feed removes the entry, then the first read lands and would cache the old row for good. So
//! every fill takes a [`Ticket`] before it reads, and the entry is kept only if nothing was
//! invalidated since.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};

#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    state: RwLock<State<K, V>>,
}

#[derive(Debug)]
struct State<K, V> {
    map: HashMap<K, V>,
    /// Bumped by every invalidation.
    generation: u64,
}

/// Proof of when a fill began: see [`Cache::insert_if_fresh`].
#[derive(Clone, Copy, Debug)]
#[must_use]
pub(crate) struct Ticket(u64);

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self {
            state: RwLock::new(State {
                map: HashMap::new(),
                generation: 0,
            }),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .get(key)
            .cloned()
    }

    /// Taken before reading the value to cache from the store.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(
            self.state
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .generation,
        )
    }

    /// Caches `value` unless an invalidation happened after `ticket` was taken (the value may
    /// then be older than the change that invalidated it).
    pub(crate) fn insert_if_fresh(&self, ticket: Ticket, key: K, value: V) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.generation == ticket.0 {
            state.map.insert(key, value);
        }
    }

    pub(crate) fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.map.remove(key);
    }

    pub(crate) fn retain(&self, keep: impl FnMut(&K, &mut V) -> bool) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.map.retain(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_that_began_before_an_invalidation_is_not_kept() {
        let cache = Cache::<&str, u32>::default();
        let ticket = cache.ticket();
        cache.remove("user");
        cache.insert_if_fresh(ticket, "user", 1);
        assert_eq!(cache.get("user"), None);

        let ticket = cache.ticket();
        cache.insert_if_fresh(ticket, "user", 2);
        assert_eq!(cache.get("user"), Some(2));
    }

    #[test]
    fn retain_also_invalidates_fills_in_flight() {
        let cache = Cache::<&str, u32>::default();
        let ticket = cache.ticket();
        cache.retain(|_, _| false);
        cache.insert_if_fresh(ticket, "user", 1);
        assert_eq!(cache.get("user"), None);
    }
}
