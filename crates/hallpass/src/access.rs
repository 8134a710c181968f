//! Who is calling and what they may touch: API key authentication (rate limited per client
//! address on failure) and the resolution of the product and env a call concerns.

use std::net::IpAddr;
use std::sync::Arc;

use hallpass_core::model::{KeyKind, Principal, Product, Scope};
use hallpass_core::secrets::credential_hash;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::rate_limit::FailureLimiter;

/// Longest key accepted before hashing.
const MAX_KEY_LEN: usize = 256;

/// Authentication and scopes.
pub(crate) struct Access {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    failures: FailureLimiter,
}

impl Access {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        clock: Arc<dyn Clock>,
        failures: FailureLimiter,
    ) -> Self {
        Self {
            store,
            catalog,
            clock,
            failures,
        }
    }

    /// The caller of the `Authorization: Bearer` key; failures from one address are limited.
    pub(crate) async fn authenticate(
        &self,
        key: Option<&str>,
        client: Option<IpAddr>,
    ) -> Result<Principal> {
        if let Some(principal) =
            key.and_then(|k| self.catalog.principal(&credential_hash(k.trim())))
        {
            // A known key is never limited, even from an address that others behind the
            // same NAT have exhausted.
            return Ok(principal);
        }
        self.limited(client, self.lookup_key(key)).await
    }

    /// Runs an authentication `attempt` from `client` under the failure limit: refused while
    /// the address is over it, and counted when it fails as unauthorized.
    pub(crate) async fn limited<T>(
        &self,
        client: Option<IpAddr>,
        attempt: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let now = self.clock.now();
        if let Some(ip) = client {
            self.failures.check(ip, now)?;
        }
        let result = attempt.await;
        if let (Err(Error::Unauthorized(_)), Some(ip)) = (&result, client) {
            self.failures.record_failure(ip, now);
        }
        result
    }

    async fn lookup_key(&self, key: Option<&str>) -> Result<Principal> {
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Error::Unauthorized(
                    "missing API key: send it as 'Authorization: Bearer hp_sk_…'".into(),
                )
            })?;
        let unknown = || {
            Error::Unauthorized(
                "unknown API key: check that it was copied whole and has not been deleted".into(),
            )
        };
        if key.len() > MAX_KEY_LEN
            || ![KeyKind::Admin, KeyKind::Access, KeyKind::Publishable]
                .iter()
                .any(|k| key.starts_with(k.prefix()))
        {
            return Err(unknown());
        }
        let hash = credential_hash(key);
        let ticket = self.catalog.principal_ticket();
        let record = self
            .store
            .api_key_by_hash(&hash)
            .await?
            .ok_or_else(unknown)?;
        let principal = Principal {
            key_id: record.id,
            kind: record.kind,
            product: record.product,
            env: record.env,
        };
        self.catalog
            .remember_principal(ticket, hash, principal.clone());
        Ok(principal)
    }

    /// The product a call concerns: the key's own, or the named one for an admin key.
    pub(crate) async fn resolve_product(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Arc<Product>> {
        if who.kind == KeyKind::Publishable {
            return Err(Error::PublishableKeyForbidden);
        }
        let tag = match (&who.product, product) {
            (None, Some(p)) => p,
            (None, None) => {
                return Err(Error::invalid(
                    "product is required when calling with an admin key",
                ));
            }
            (Some(own), Some(p)) if own != p => {
                return Err(Error::ScopeForbidden(format!(
                    "this key belongs to product '{own}' and cannot act on product '{}'",
                    hallpass_core::ids::truncate_for_message(p)
                )));
            }
            (Some(own), _) => own.as_str(),
        };
        self.catalog.product(tag).await
    }

    /// The (product, env) a session call concerns, from the key's scope and the request.
    pub(crate) async fn resolve_scope(
        &self,
        who: &Principal,
        product: Option<&str>,
        env: Option<&str>,
    ) -> Result<Scope> {
        let product = self.resolve_product(who, product).await?;
        let env = match (&who.env, env) {
            (Some(own), Some(e)) if own != e => {
                return Err(Error::ScopeForbidden(format!(
                    "this key belongs to env '{own}' of product '{}' and cannot act on env '{}'",
                    product.tag,
                    hallpass_core::ids::truncate_for_message(e)
                )));
            }
            (Some(own), _) => own.clone(),
            (None, Some(e)) => e.to_owned(),
            (None, None) => {
                return Err(Error::invalid(format!(
                    "env is required: this key works for every env of product '{}', so name one of: {}",
                    product.tag,
                    product.envs.join(", ")
                )));
            }
        };
        product.check_env(&env)?;
        Ok(Scope {
            product: product.tag.clone(),
            env,
        })
    }

    /// The product whose shared configuration (its session types) a call changes: as
    /// [`Access::resolve_product`], but an env-scoped key is refused. Session types are used
    /// by every env of the product, so a key of one env changing them would change the others.
    pub(crate) async fn resolve_product_wide(
        &self,
        who: &Principal,
        product: Option<&str>,
        what: &str,
    ) -> Result<Arc<Product>> {
        let resolved = self.resolve_product(who, product).await?;
        if let Some(own_env) = &who.env {
            return Err(Error::ScopeForbidden(format!(
                "session types are shared by every env of product '{}', so only an admin key or an access key for all its envs can {what}; this key belongs to env '{own_env}' only",
                resolved.tag
            )));
        }
        Ok(resolved)
    }

    /// Fails unless the caller holds an admin key.
    pub(crate) fn require_admin(who: &Principal, what: &str) -> Result<()> {
        match who.kind {
            KeyKind::Admin => Ok(()),
            KeyKind::Publishable => Err(Error::PublishableKeyForbidden),
            KeyKind::Access => Err(Error::ScopeForbidden(format!(
                "only an admin key (hp_admin_…) can {what}"
            ))),
        }
    }
}
