//! A small read-mostly map used for the read-through caches (session types, products, API
//! keys) that keep the verify path off the database. The service fills entries on a miss and
//! removes them on change.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};

#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    map: RwLock<HashMap<K, V>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self {
            map: RwLock::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    pub(crate) fn insert(&self, key: K, value: V) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
    }

    pub(crate) fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    pub(crate) fn retain(&self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(keep);
    }
}
