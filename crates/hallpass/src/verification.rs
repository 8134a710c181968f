//! Verify, the call made on every request of every session: it never reads the database. It
//! owns the verification cache and reads the keyring, the session types and the revocation set,
//! which other parts keep current.

use std::sync::Arc;

use hallpass_core::jwe::jwe_kid;
use hallpass_core::lifecycle::{check_auth_age, idle_expires_at};
use hallpass_core::model::Scope;
use hallpass_core::token;
use hallpass_core::{Error, Result, Timestamp};
use serde_json::Value;

use crate::activity::ActivityLog;
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
    /// `auth_time`: when the user last proved who they are.
    pub authenticated_at: Timestamp,
    /// `amr`: how they did, when the backend said.
    pub amr: Option<Vec<String>>,
    /// `ver`: the version of the session data the token carries.
    pub data_version: i64,
    /// When the session goes idle if nothing else happens (types with an idle timeout): this
    /// verify counts as activity, at most once a minute per session.
    pub idle_expires_at: Option<Timestamp>,
    /// Whether the session's data changed after the token was issued (only ever true for
    /// [`VerifyOptions::accept_superseded`]; otherwise such a token is refused).
    pub superseded: bool,
}

/// What a verify checks beyond the token itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions {
    /// Refuse the token (`reauthentication_required`) when its `auth_time` is older than this
    /// many seconds.
    pub max_auth_age: Option<u64>,
    /// Answer a superseded token (flagged) instead of refusing it: the browser calls use this
    /// to re-issue the cookie with the current data, or to end the session it proves.
    pub accept_superseded: bool,
    /// Leave the activity of a type with an idle timeout to the caller, who notes it with
    /// the device it saw (the browser calls).
    pub caller_notes_activity: bool,
}

/// Token verification.
pub(crate) struct Verification {
    catalog: Arc<Catalog>,
    keys: Arc<Keys>,
    revocations: Arc<Revocations>,
    clock: Arc<dyn Clock>,
    cache: VerifyCache,
    /// Where a verify of a type with an idle timeout notes its activity.
    activity: Arc<ActivityLog>,
}

impl Verification {
    pub(crate) fn new(
        catalog: Arc<Catalog>,
        keys: Arc<Keys>,
        revocations: Arc<Revocations>,
        clock: Arc<dyn Clock>,
        cache: VerifyCache,
        activity: Arc<ActivityLog>,
    ) -> Self {
        Self {
            catalog,
            keys,
            revocations,
            clock,
            cache,
            activity,
        }
    }

    /// Signature, expiry, tag, product/env, then the revocation and superseded sets; then the
    /// data decrypted, and the options' checks. A token verified before is recognised by the
    /// cache instead of its signature, and still checked for its type, its expiry, revocation
    /// and supersession.
    pub(crate) async fn verify(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        options: VerifyOptions,
    ) -> Result<Verified> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        let now = self.clock.now();
        let mut verified = self.verify_token(scope, tag, token, now).await?;
        if self
            .revocations
            .supersedes(&verified.session_id, verified.data_version)
        {
            if !options.accept_superseded {
                return Err(Error::TokenSuperseded);
            }
            verified.superseded = true;
        }
        if let Some(max_age) = options.max_auth_age {
            check_auth_age(verified.authenticated_at, max_age, now)?;
        }
        if let Some(idle) = session_type.compiled.idle_timeout_secs
            && !options.caller_notes_activity
        {
            let noted = self.activity.note(&verified.session_id, now, None);
            verified.idle_expires_at = Some(idle_expires_at(noted.max(verified.issued_at), idle));
        }
        Ok(verified)
    }

    /// The token's own checks and the revocation set, through the cache.
    async fn verify_token(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        now: Timestamp,
    ) -> Result<Verified> {
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
            authenticated_at: claims.auth_time,
            amr: claims.amr,
            data_version: claims.version,
            idle_expires_at: None,
            superseded: false,
        };
        self.cache.insert(slot, Arc::new(verified.clone()));
        Ok(verified)
    }

    /// Tokens the cache holds.
    pub(crate) fn cached(&self) -> usize {
        self.cache.len()
    }
}
