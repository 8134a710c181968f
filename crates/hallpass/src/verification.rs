//! Verify, the call made on every request of every session: it never reads the database. It
//! owns the verification cache and reads the keyring, the session types and the revocation set,
//! which other parts keep current.

use std::sync::Arc;

use hallpass_core::jwe::jwe_kid;
use hallpass_core::model::Scope;
use hallpass_core::token;
use hallpass_core::{Error, Result, Timestamp};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::counters;
use crate::keys::{Keys, env_keys};
use crate::revocations::Revocations;
use crate::verify_cache::VerifyCache;

/// A verified token.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// Session id.
    pub session_id: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier (the token's `sub`).
    pub identifier: Option<String>,
    /// Decrypted session data.
    pub data: Value,
    /// `iat`.
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
}

/// Token verification.
pub(crate) struct Verification {
    catalog: Arc<Catalog>,
    keys: Arc<Keys>,
    revocations: Arc<Revocations>,
    clock: Arc<dyn Clock>,
    cache: VerifyCache,
}

impl Verification {
    pub(crate) fn new(
        catalog: Arc<Catalog>,
        keys: Arc<Keys>,
        revocations: Arc<Revocations>,
        clock: Arc<dyn Clock>,
        cache: VerifyCache,
    ) -> Self {
        Self {
            catalog,
            keys,
            revocations,
            clock,
            cache,
        }
    }

    /// Signature, expiry, tag, product/env, then the revocation set; then the data decrypted.
    /// A token verified before is recognised by the cache instead of its signature, and still
    /// checked for its type, its expiry and revocation.
    pub(crate) async fn verify(&self, scope: &Scope, tag: &str, token: &str) -> Result<Verified> {
        self.catalog.session_type(&scope.product, tag).await?;
        let now = self.clock.now();
        let slot = self.cache.slot(scope, tag, token);
        let known = self.cache.get(slot, now);
        counters::verify_cache(known.is_some());
        if let Some(known) = known {
            if self.revocations.contains(&known.session_id) {
                return Err(Error::SessionRevoked);
            }
            return Ok(Verified::clone(&known));
        }
        let mut ring = self.keys.ring_with(scope).await?;
        let claims = match token::verify(&ring, scope, tag, token, now) {
            Err(Error::TokenSignatureInvalid) if token::names_unknown_key(&ring, token) => {
                // Signed by a key rotated in on another node moments ago, or by no key at all.
                // If the keys cannot be read now, the answer stays what this node knows.
                ring = self.keys.reload_after_miss().await.map_err(|e| {
                    tracing::debug!(error = %e, "cannot reload keys for an unknown key id");
                    Error::TokenSignatureInvalid
                })?;
                token::verify(&ring, scope, tag, token, now)?
            }
            result => result?,
        };
        if self.revocations.contains(&claims.session_id) {
            return Err(Error::SessionRevoked);
        }
        let env = env_keys(&ring, scope)?;
        let data_key = jwe_kid(&claims.data_jwe)
            .and_then(|kid| env.data.get(&kid))
            .ok_or_else(|| {
                Error::TokenMalformed("the token's dat claim names no data key of this env".into())
            })?;
        let data = serde_json::from_slice(&data_key.decrypt(&claims.data_jwe)?)
            .map_err(|_| Error::TokenMalformed("the token's dat claim is not JSON".into()))?;
        let verified = Verified {
            session_id: claims.session_id,
            tag: claims.tag,
            identifier: claims.identifier,
            data,
            issued_at: claims.issued_at,
            expires_at: claims.expires_at,
        };
        self.cache.insert(slot, Arc::new(verified.clone()));
        Ok(verified)
    }

    /// Tokens the cache holds.
    pub(crate) fn cached(&self) -> usize {
        self.cache.len()
    }
}
