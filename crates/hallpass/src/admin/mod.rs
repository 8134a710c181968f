//! Administration: products, API keys, signing-key rotation, JWKS and the bootstrap admin
//! key here; session types in `session_types.rs`.

use std::sync::Arc;

use hallpass_core::events::{Actor, Audit};
use hallpass_core::ids::{new_prefixed_id, random_b64, truncate_for_message, validate_tag};
use hallpass_core::keys::{Alg, new_env_keys, new_signing_key_record};
use hallpass_core::model::{ApiKeyRecord, KeyKind, Principal, Product, Scope};
use hallpass_core::secrets::credential_hash;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

use crate::access::Access;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::keys::Keys;
use crate::revocations::Revocations;
use crate::updates::{UPDATE_ATTEMPTS, next_updated_at, too_contended};

mod events;
mod session_types;

pub use events::{EventList, EventQuery};

/// Most envs a product may have.
const MAX_ENVS: usize = 16;
/// Most allowed origins a product may list.
const MAX_ORIGINS: usize = 64;
/// Longest product or key name.
const MAX_NAME_LEN: usize = 128;

/// Input of product creation.
#[derive(Clone, Debug, Default)]
pub struct NewProduct {
    /// Tag.
    pub tag: String,
    /// Display name.
    pub name: String,
    /// Envs (default `dev`, `prd`).
    pub envs: Option<Vec<String>>,
    /// Origins allowed to call browser endpoints.
    pub allowed_origins: Option<Vec<String>>,
}

/// Input of a product update: fields given are replaced.
#[derive(Clone, Debug, Default)]
pub struct ProductPatch {
    /// New display name.
    pub name: Option<String>,
    /// New allowed origins.
    pub allowed_origins: Option<Vec<String>>,
}

/// A newly created API key: its record and the secret, shown only once.
#[derive(Clone, Debug)]
pub struct NewKey {
    /// The stored record.
    pub record: ApiKeyRecord,
    /// The secret key.
    pub secret: String,
}

fn validate_name(what: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(Error::invalid(format!(
            "{what} must be 1 to {MAX_NAME_LEN} characters"
        )));
    }
    Ok(())
}

fn validate_origins(origins: &[String]) -> Result<()> {
    if origins.len() > MAX_ORIGINS {
        return Err(Error::invalid(format!(
            "allowedOrigins may list at most {MAX_ORIGINS} origins"
        )));
    }
    for origin in origins {
        let ok = origin.len() <= 253
            && (origin.starts_with("https://") || origin.starts_with("http://"))
            && !origin.ends_with('/')
            && origin.split_once("://").is_some_and(|(_, host)| {
                !host.is_empty()
                    && !host.contains('/')
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            });
        if !ok {
            return Err(Error::invalid(format!(
                "allowedOrigins entry '{}' is not an origin: write scheme://host[:port], e.g. https://app.example.com",
                truncate_for_message(origin)
            )));
        }
    }
    Ok(())
}

/// Whether `key` has the form of a bootstrap admin key: `hp_admin_` + 32 or more URL-safe chars.
pub(crate) fn is_valid_admin_key(key: &str) -> bool {
    key.strip_prefix(KeyKind::Admin.prefix())
        .is_some_and(|rest| {
            rest.len() >= 32
                && rest.len() <= 200
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Least estimated entropy of a supplied bootstrap admin key, in bits. A key of random
/// characters, even hex digits, is far above it (32 hex digits estimate about 115 bits);
/// repetitions like `hp_admin_` + 32 × `a` (0 bits) or `ab` × 16 (32 bits) are far below.
pub(crate) const MIN_ADMIN_KEY_BITS: f64 = 80.0;

/// An estimate of a key's entropy: its length times the Shannon entropy of its characters'
/// frequencies. It cannot tell a guessable phrase from a random one; it catches keys made of a
/// few characters repeated, the mistake a hand-typed placeholder makes.
pub(crate) fn estimated_entropy_bits(secret: &str) -> f64 {
    let mut counts = std::collections::HashMap::<char, u32>::new();
    for c in secret.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = f64::from(counts.values().sum::<u32>());
    counts
        .values()
        .map(|&count| {
            let p = f64::from(count) / n;
            -p * p.log2() * n
        })
        .sum()
}

/// Products, keys and session types.
pub(crate) struct Admin {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    access: Arc<Access>,
    keys: Arc<Keys>,
    revocations: Arc<Revocations>,
    clock: Arc<dyn Clock>,
}

impl Admin {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        access: Arc<Access>,
        keys: Arc<Keys>,
        revocations: Arc<Revocations>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            catalog,
            access,
            keys,
            revocations,
            clock,
        }
    }

    /// Creates the admin key when the database has none: `provided` if given, else a random
    /// one. Returns the key to print once, or `None` when an admin key already existed.
    pub(crate) async fn bootstrap_admin(&self, provided: Option<&str>) -> Result<Option<String>> {
        if let Some(key) = provided
            && !is_valid_admin_key(key)
        {
            return Err(Error::invalid(
                "HALLPASS_BOOTSTRAP_ADMIN_KEY must be 'hp_admin_' followed by at least 32 characters of A-Z, a-z, 0-9, '-' and '_'",
            ));
        }
        if let Some(key) = provided
            && estimated_entropy_bits(&key[KeyKind::Admin.prefix().len()..]) < MIN_ADMIN_KEY_BITS
        {
            return Err(Error::invalid(
                "HALLPASS_BOOTSTRAP_ADMIN_KEY is too easy to guess (it repeats a few characters): use random ones, e.g. hp_admin_$(openssl rand -hex 24)",
            ));
        }
        let secret = provided.map_or_else(
            || format!("{}{}", KeyKind::Admin.prefix(), random_b64(32)),
            str::to_owned,
        );
        let record = ApiKeyRecord {
            id: new_prefixed_id("key_"),
            kind: KeyKind::Admin,
            product: None,
            env: None,
            name: "bootstrap admin".into(),
            hash: credential_hash(&secret),
            created_at: self.clock.now(),
        };
        // Another node may have bootstrapped meanwhile: then its key stands and this one is dropped.
        Ok(self
            .store
            .insert_first_admin_key(
                &record,
                &Audit {
                    actor: Actor::system(),
                    at: record.created_at,
                },
            )
            .await?
            .then_some(secret))
    }

    /// Creates a product with its envs, each with a fresh EdDSA signing key and data key.
    pub(crate) async fn create_product(
        &self,
        who: &Principal,
        input: NewProduct,
    ) -> Result<Product> {
        Access::require_admin(who, "create products")?;
        validate_tag("product tag", &input.tag)?;
        validate_name("name", &input.name)?;
        let envs = input
            .envs
            .unwrap_or_else(|| vec!["dev".into(), "prd".into()]);
        if envs.is_empty() || envs.len() > MAX_ENVS {
            return Err(Error::invalid(format!(
                "envs must list 1 to {MAX_ENVS} env tags"
            )));
        }
        for (i, env) in envs.iter().enumerate() {
            validate_tag("env", env)?;
            if envs[..i].contains(env) {
                return Err(Error::invalid(format!("env '{env}' is listed twice")));
            }
        }
        let allowed_origins = input.allowed_origins.unwrap_or_default();
        validate_origins(&allowed_origins)?;
        let now = self.clock.now();
        let product = Product {
            tag: input.tag,
            name: input.name,
            envs,
            allowed_origins,
            created_at: now,
            updated_at: now,
        };
        let mut keys = Vec::new();
        for env in &product.envs {
            keys.extend(new_env_keys(
                self.keys.master(),
                &Scope {
                    product: product.tag.clone(),
                    env: env.clone(),
                },
                now,
            )?);
        }
        if !self.store.insert_product(&product, &keys).await? {
            return Err(Error::Conflict(format!(
                "product '{}' already exists",
                product.tag
            )));
        }
        self.keys.reload().await?;
        Ok(product)
    }

    /// Updates a product's name and allowed origins.
    pub(crate) async fn update_product(
        &self,
        who: &Principal,
        tag: &str,
        patch: ProductPatch,
    ) -> Result<Product> {
        Access::require_admin(who, "update products")?;
        if let Some(name) = &patch.name {
            validate_name("name", name)?;
        }
        if let Some(origins) = &patch.allowed_origins {
            validate_origins(origins)?;
        }
        for _ in 0..UPDATE_ATTEMPTS {
            // From the store, not the cache: the merge must start from the latest version.
            let mut product = self
                .store
                .product(tag)
                .await?
                .ok_or_else(|| Error::ProductNotFound(tag.to_owned()))?;
            let previous = product.updated_at;
            if let Some(name) = &patch.name {
                product.name.clone_from(name);
            }
            if let Some(origins) = &patch.allowed_origins {
                product.allowed_origins.clone_from(origins);
            }
            product.updated_at = next_updated_at(self.clock.now(), previous);
            if self.store.update_product(&product, previous).await? {
                self.catalog.product_changed(tag);
                return Ok(product);
            }
        }
        Err(too_contended(&format!("product '{tag}'")))
    }

    /// Every product (admin keys), or the caller's own product.
    pub(crate) async fn list_products(&self, who: &Principal) -> Result<Vec<Product>> {
        match (&who.kind, &who.product) {
            (KeyKind::Publishable, _) => Err(Error::PublishableKeyForbidden),
            (_, Some(own)) => Ok(vec![(*self.catalog.product(own).await?).clone()]),
            (_, None) => self.store.products().await,
        }
    }

    /// Creates an access or publishable key. Admin keys create keys for any product; an access
    /// key creates keys for its own product (and its own env if it has one).
    pub(crate) async fn create_key(
        &self,
        who: &Principal,
        kind: &str,
        product: Option<&str>,
        env: Option<&str>,
        name: &str,
    ) -> Result<NewKey> {
        let kind = match KeyKind::parse(kind) {
            Some(k @ (KeyKind::Access | KeyKind::Publishable)) => k,
            _ => {
                return Err(Error::invalid(format!(
                    "kind '{}' is not a key kind: use \"access\" or \"publishable\"",
                    truncate_for_message(kind)
                )));
            }
        };
        validate_name("name", name)?;
        let product = self.access.resolve_product(who, product).await?;
        // Like every request, the env defaults to the caller's own (docs/API.md §2.6).
        let env = env.or(who.env.as_deref());
        if let Some(own_env) = &who.env
            && env != Some(own_env.as_str())
        {
            return Err(Error::ScopeForbidden(format!(
                "this key belongs to env '{own_env}' and can only create keys for that env"
            )));
        }
        if let Some(env) = env {
            product.check_env(env)?;
        }
        if kind == KeyKind::Publishable && env.is_none() {
            return Err(Error::invalid(
                "a publishable key belongs to one env: pass env (e.g. \"prd\")",
            ));
        }
        let secret = format!("{}{}", kind.prefix(), random_b64(32));
        let record = ApiKeyRecord {
            id: new_prefixed_id("key_"),
            kind,
            product: Some(product.tag.clone()),
            env: env.map(str::to_owned),
            name: name.to_owned(),
            hash: credential_hash(&secret),
            created_at: self.clock.now(),
        };
        let audit = Audit {
            actor: Actor::key(who),
            at: record.created_at,
        };
        self.store.insert_api_key(&record, &audit).await?;
        Ok(NewKey { record, secret })
    }

    /// Keys visible to the caller, without secrets: every key for an admin key; the product's
    /// keys for a product-wide access key; only the keys of its own env for an env-scoped one
    /// (not the product-wide keys, which reach the other envs too).
    pub(crate) async fn list_keys(&self, who: &Principal) -> Result<Vec<ApiKeyRecord>> {
        if who.kind == KeyKind::Publishable {
            return Err(Error::PublishableKeyForbidden);
        }
        let mut keys = self.store.api_keys(who.product.as_deref()).await?;
        if let Some(own_env) = &who.env {
            keys.retain(|k| k.env.as_ref() == Some(own_env));
        }
        Ok(keys)
    }

    /// Deletes a key the caller can see (`list_keys`); it stops working at once.
    pub(crate) async fn delete_key(&self, who: &Principal, id: &str) -> Result<()> {
        let visible = self.list_keys(who).await?;
        let audit = Audit {
            actor: Actor::key(who),
            at: self.clock.now(),
        };
        if !visible.iter().any(|k| k.id == id) || !self.store.delete_api_key(id, &audit).await? {
            return Err(Error::KeyNotFound(truncate_for_message(id)));
        }
        self.catalog.key_deleted(id);
        Ok(())
    }

    /// Rotates an env's signing key: a new key (of `alg`, default EdDSA) signs from now on;
    /// the old ones keep verifying until every token they signed has expired.
    pub(crate) async fn rotate_signing_key(
        &self,
        who: &Principal,
        product: &str,
        env: &str,
        alg: Option<&str>,
    ) -> Result<(String, Alg)> {
        let scope = self
            .access
            .resolve_scope(who, Some(product), Some(env))
            .await?;
        let alg = alg.map_or(Ok(Alg::EdDSA), Alg::parse)?;
        let now = self.clock.now();
        let verify_until = self
            .store
            .max_token_expiry(&scope.product, &scope.env)
            .await?
            .unwrap_or(now)
            .max(now);
        let record = new_signing_key_record(self.keys.master(), &scope, alg, now)?;
        self.store
            .rotate_signing_key(
                &record,
                verify_until,
                &Audit {
                    actor: Actor::key(who),
                    at: now,
                },
            )
            .await?;
        self.keys.reload().await?;
        Ok((record.kid, alg))
    }

    /// The env's public JWKS: asymmetric signing keys whose tokens may still be valid.
    pub(crate) async fn jwks(&self, product: &str, env: &str) -> Result<serde_json::Value> {
        let scope = Scope {
            product: product.to_owned(),
            env: env.to_owned(),
        };
        self.catalog.product_with_env(&scope).await?;
        Ok(self
            .keys
            .ring_with(&scope)
            .await?
            .jwks(&scope, self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_admin_keys_have_their_form() {
        assert!(is_valid_admin_key(&format!("hp_admin_{}", "a".repeat(32))));
        assert!(!is_valid_admin_key(&format!("hp_admin_{}", "a".repeat(31))));
        assert!(!is_valid_admin_key(&format!("hp_sk_{}", "a".repeat(40))));
        assert!(!is_valid_admin_key(&format!(
            "hp_admin_{}!",
            "a".repeat(40)
        )));
    }

    #[test]
    fn a_supplied_admin_key_with_little_entropy_is_refused_by_its_estimate() {
        for weak in ["a".repeat(32), "ab".repeat(16), "abc".repeat(11)] {
            assert!(estimated_entropy_bits(&weak) < MIN_ADMIN_KEY_BITS, "{weak}");
        }
        for strong in [
            random_b64(32),
            "0123456789abcdef0123456789abcdef".to_owned(),
            "walkthrough_0123456789abcdefghijkl".to_owned(),
        ] {
            assert!(
                estimated_entropy_bits(&strong) >= MIN_ADMIN_KEY_BITS,
                "{strong}"
            );
        }
    }

    #[test]
    fn origins_must_be_scheme_host_port() {
        assert!(
            validate_origins(&[
                "https://app.example.com".into(),
                "http://localhost:3000".into()
            ])
            .is_ok()
        );
        for bad in [
            "app.example.com",
            "https://a.com/",
            "https://a.com/path",
            "ftp://a.com",
            "https://",
        ] {
            assert!(validate_origins(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
