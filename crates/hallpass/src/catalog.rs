//! What the node knows of the configuration every request needs: products, session types and
//! API keys, read through from the store once and kept until a change (this node's, or one the
//! change feed reports) invalidates them. Verify reads types from here, never from the store.

use std::sync::Arc;

use hallpass_core::model::{Principal, Product, Scope};
use hallpass_core::session_type::SessionType;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

use crate::caches::{Cache, Ticket};

/// The read-through caches of products, session types and API keys.
pub(crate) struct Catalog {
    store: Arc<dyn Store>,
    products: Cache<String, Arc<Product>>,
    types: Cache<(String, String), Arc<SessionType>>,
    /// Callers by the hash of their key.
    principals: Cache<String, Principal>,
}

impl Catalog {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            products: Cache::default(),
            types: Cache::default(),
            principals: Cache::default(),
        }
    }

    /// The product with this tag.
    pub(crate) async fn product(&self, tag: &str) -> Result<Arc<Product>> {
        if let Some(p) = self.products.get(tag) {
            return Ok(p);
        }
        let ticket = self.products.ticket();
        let product = Arc::new(
            self.store
                .product(tag)
                .await?
                .ok_or_else(|| Error::ProductNotFound(tag.to_owned()))?,
        );
        self.products
            .insert_if_fresh(ticket, tag.to_owned(), Arc::clone(&product));
        Ok(product)
    }

    /// The product of a scope named in a URL (no key to resolve it from), once its env is
    /// known to exist.
    pub(crate) async fn product_with_env(&self, scope: &Scope) -> Result<Arc<Product>> {
        let p = self.product(&scope.product).await?;
        p.check_env(&scope.env)?;
        Ok(p)
    }

    /// The session type `tag` of `product`, compiled.
    pub(crate) async fn session_type(&self, product: &str, tag: &str) -> Result<Arc<SessionType>> {
        let key = (product.to_owned(), tag.to_owned());
        if let Some(t) = self.types.get(&key) {
            return Ok(t);
        }
        let ticket = self.types.ticket();
        let record = self
            .store
            .session_type(product, tag)
            .await?
            .ok_or_else(|| Error::SessionTypeNotFound {
                product: product.to_owned(),
                tag: tag.to_owned(),
            })?;
        let compiled = Arc::new(SessionType::from_record(record)?);
        self.types
            .insert_if_fresh(ticket, key, Arc::clone(&compiled));
        Ok(compiled)
    }

    /// The caller whose key hashes to `hash`, if known here.
    pub(crate) fn principal(&self, hash: &str) -> Option<Principal> {
        self.principals.get(hash)
    }

    /// Taken before reading a key from the store, to cache it with [`Catalog::remember_principal`].
    pub(crate) fn principal_ticket(&self) -> Ticket {
        self.principals.ticket()
    }

    /// Remembers the caller of a key read since `ticket`, unless a key was deleted meanwhile.
    pub(crate) fn remember_principal(&self, ticket: Ticket, hash: String, principal: Principal) {
        self.principals.insert_if_fresh(ticket, hash, principal);
    }

    /// Forgets a product (changed here or elsewhere).
    pub(crate) fn product_changed(&self, tag: &str) {
        self.products.remove(tag);
    }

    /// Forgets a session type (changed or deleted here or elsewhere).
    pub(crate) fn session_type_changed(&self, product: &str, tag: &str) {
        self.types.remove(&(product.to_owned(), tag.to_owned()));
    }

    /// Forgets a deleted key: it stops working at once.
    pub(crate) fn key_deleted(&self, key_id: &str) {
        self.principals.retain(|_, p| p.key_id != key_id);
    }

    /// Forgets everything (after a gap in the change feed).
    pub(crate) fn forget_all(&self) {
        self.principals.retain(|_, _| false);
        self.products.retain(|_, _| false);
        self.types.retain(|_, _| false);
    }
}
