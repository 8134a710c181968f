//! The session writes and reads after login: start (under the type's session limit), refresh
//! (rotation, grace replay, theft, the idle timeout), revoke, revoke-all and list. Every
//! revocation they cause goes to [`Revocations::record`]; the changes of a live session
//! (update, update-all, reauthenticate) are in `changes.rs`.

use std::sync::{Arc, Mutex, PoisonError};

use hallpass_core::events::{Actor, Audit, RevokeCause};
use hallpass_core::ids::{new_session_id, page_cursor, parse_page_cursor, truncate_for_message};
use hallpass_core::jwe::jwe_kid;
use hallpass_core::keys::Keyring;
use hallpass_core::lifecycle::{is_idle, validate_amr};
use hallpass_core::model::{Device, Scope, SessionRecord};
use hallpass_core::period::MAX_LIFETIME_SECS;
use hallpass_core::refresh::{self, RefreshDecision, RotationAnswer};
use hallpass_core::secrets::credential_hash;
use hallpass_core::session_type::{SessionType, check_idle_timeout};
use hallpass_core::store::{IdentifierFilter, LimitedStart, RevokeContext, Rotation, Store};
use hallpass_core::token::{self, TokenClaims};
use hallpass_core::{Error, Result, Timestamp};
use serde_json::Value;

use crate::activity::ActivityLog;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::counters;
use crate::keys::{Keys, env_keys};
use crate::revocations::{Cause, Revocations};

/// Longest identifier accepted.
const MAX_IDENTIFIER_LEN: usize = 256;
/// Longest User-Agent stored.
const MAX_USER_AGENT_LEN: usize = 512;
/// Default and largest page of `list`.
pub const DEFAULT_LIST_LIMIT: u32 = 100;
/// Largest `limit` of `list`.
pub const MAX_LIST_LIMIT: u32 = 1000;
/// How many times a refresh or an update re-reads its session after losing a race.
pub(crate) const ROTATION_ATTEMPTS: usize = 3;

/// Input of `start`.
#[derive(Clone, Debug, Default)]
pub struct StartInput {
    /// Session type tag.
    pub tag: String,
    /// Session data (a JSON object), encrypted into the token.
    pub data: Value,
    /// The user's identifier; when absent the type's selector picks it from the data.
    pub identifier: Option<String>,
    /// Token lifetime override in seconds (1 s to 1 year).
    pub expires_in: Option<u64>,
    /// Device the session was started from.
    pub device: Device,
    /// How the user authenticated (`amr`): 1 to 16 short names, e.g. `["pwd", "otp"]`.
    pub amr: Option<Vec<String>>,
}

/// A session with freshly issued tokens (answer of start and refresh).
#[derive(Clone, Debug)]
pub struct Issued {
    /// The session as stored after the operation.
    pub session: SessionRecord,
    /// The session token (JWT).
    pub token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// A page of active sessions.
#[derive(Clone, Debug)]
pub struct SessionList {
    /// Sessions, newest first.
    pub sessions: Vec<SessionRecord>,
    /// Active sessions of the identifier in all.
    pub count: u64,
    /// Cursor for the next page, when there is one.
    pub next_cursor: Option<String>,
    /// The type's idle timeout in seconds, if it has one (each session goes idle that long
    /// after its `last_active_at`).
    pub idle_timeout_secs: Option<u64>,
}

pub(crate) fn validate_identifier(identifier: &str) -> Result<()> {
    if identifier.is_empty() || identifier.chars().count() > MAX_IDENTIFIER_LEN {
        return Err(Error::invalid(format!(
            "identifier must be 1 to {MAX_IDENTIFIER_LEN} characters"
        )));
    }
    Ok(())
}

fn validate_device(device: &Device) -> Result<()> {
    if let Some(ip) = &device.ip
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        return Err(Error::invalid(format!(
            "device.ip '{}' is not an IPv4 or IPv6 address",
            truncate_for_message(ip)
        )));
    }
    if device
        .user_agent
        .as_ref()
        .is_some_and(|ua| ua.chars().count() > MAX_USER_AGENT_LEN)
    {
        return Err(Error::invalid(format!(
            "device.userAgent must be at most {MAX_USER_AGENT_LEN} characters"
        )));
    }
    Ok(())
}

/// Session writes and reads.
pub(crate) struct Sessions {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) keys: Arc<Keys>,
    pub(crate) revocations: Arc<Revocations>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Activity noted on this node and not yet written (the idle check counts it too).
    activity: Arc<ActivityLog>,
    /// The `iss` of issued tokens.
    issuer: String,
    /// The last session id made here, so ids stay ordered within a millisecond.
    last_session_id: Mutex<Option<ulid::Ulid>>,
}

impl Sessions {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        keys: Arc<Keys>,
        revocations: Arc<Revocations>,
        clock: Arc<dyn Clock>,
        activity: Arc<ActivityLog>,
        issuer: String,
    ) -> Self {
        Self {
            store,
            catalog,
            keys,
            revocations,
            clock,
            activity,
            issuer,
            last_session_id: Mutex::new(None),
        }
    }

    fn next_session_id(&self, now: Timestamp) -> String {
        let mut last = self
            .last_session_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let id = new_session_id(now, *last);
        *last = Some(id);
        id.to_string()
    }

    pub(crate) fn sign(&self, ring: &Keyring, session: &SessionRecord) -> Result<String> {
        let scope = Scope {
            product: session.product.clone(),
            env: session.env.clone(),
        };
        let key = env_keys(ring, &scope)?
            .current_signing()
            .ok_or_else(|| Error::Internal("the env has no signing key".into()))?;
        token::issue(
            key,
            &self.issuer,
            &TokenClaims {
                session_id: session.id.clone(),
                tag: session.tag.clone(),
                scope,
                identifier: session.identifier.clone(),
                issued_at: session.token_issued_at,
                expires_at: session.token_expires_at,
                data_jwe: session.data_jwe.clone(),
                auth_time: session.auth_time,
                amr: session.amr.clone(),
                version: session.data_version,
            },
        )
    }

    /// The session's data, decrypted with the env's data key its JWE names.
    pub(crate) fn decrypt_data(&self, ring: &Keyring, session: &SessionRecord) -> Result<Value> {
        let scope = Scope {
            product: session.product.clone(),
            env: session.env.clone(),
        };
        let env = env_keys(ring, &scope)?;
        let key = jwe_kid(&session.data_jwe)
            .and_then(|kid| env.data.get(&kid))
            .ok_or_else(|| {
                Error::Internal(format!(
                    "session '{}' names a data key its env does not hold",
                    session.id
                ))
            })?;
        serde_json::from_slice(&key.decrypt(&session.data_jwe)?)
            .map_err(|e| Error::Internal(format!("stored session data is not JSON: {e}")))
    }

    /// The session data encrypted with the env's current data key.
    pub(crate) fn encrypt_data(
        &self,
        ring: &Keyring,
        scope: &Scope,
        data: &Value,
    ) -> Result<String> {
        let key = env_keys(ring, scope)?
            .current_data_key()
            .ok_or_else(|| Error::Internal("the env has no data key".into()))?;
        let plaintext = serde_json::to_vec(data).map_err(|e| Error::Internal(e.to_string()))?;
        key.encrypt(&plaintext)
    }

    /// Whether the session has gone idle at `now`, counting activity noted on this node and
    /// not yet written; if so it is revoked (cause `idle`).
    pub(crate) async fn ended_idle(
        &self,
        session_type: &SessionType,
        session: &SessionRecord,
        now: Timestamp,
    ) -> Result<bool> {
        let last_active = self
            .activity
            .noted(&session.id, now)
            .map_or(session.last_active_at, |noted| {
                noted.max(session.last_active_at)
            });
        if !is_idle(last_active, session_type.compiled.idle_timeout_secs, now) {
            return Ok(false);
        }
        let context = RevokeContext {
            audit: Audit {
                actor: Actor::system(),
                at: now,
            },
            cause: RevokeCause::Idle,
            presenter: None,
        };
        if let Some(revoked) = self.store.revoke_session(&session.id, &context).await? {
            self.revocations.record(&[revoked], Cause::Idle);
        }
        Ok(true)
    }

    /// Checks the data against the type's schema, picks the identifier, stores the session and
    /// issues a token and a refresh token.
    pub(crate) async fn start(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: StartInput,
    ) -> Result<Issued> {
        let session_type = self
            .catalog
            .session_type(&scope.product, &input.tag)
            .await?;
        if !input.data.is_object() {
            return Err(Error::invalid("data must be a JSON object"));
        }
        session_type.compiled.schema.check(&input.data)?;
        let identifier = match (input.identifier, &session_type.compiled.selector) {
            (Some(id), _) => Some(id),
            (None, Some(selector)) => Some(selector.resolve(&input.data)?),
            (None, None) => None,
        };
        if let Some(id) = &identifier {
            validate_identifier(id)?;
        }
        validate_device(&input.device)?;
        if let Some(amr) = &input.amr {
            validate_amr(amr)?;
        }
        let token_lifetime_secs = match input.expires_in {
            Some(secs) if secs == 0 || secs > MAX_LIFETIME_SECS => {
                return Err(Error::invalid(format!(
                    "expiresIn must be between 1 and {MAX_LIFETIME_SECS} seconds (1 year), got {secs}"
                )));
            }
            Some(secs) => secs,
            None => session_type.compiled.token_lifetime_secs,
        };
        if let (Some(idle), Some(_)) = (session_type.compiled.idle_timeout_secs, input.expires_in) {
            check_idle_timeout(idle, token_lifetime_secs, "expiresIn")?;
        }
        let token_lifetime_secs = i64::try_from(token_lifetime_secs).unwrap_or(i64::MAX);
        let refresh_lifetime_secs =
            i64::try_from(session_type.compiled.refresh_lifetime_secs).unwrap_or(i64::MAX);

        let ring = self.keys.ring_with(scope).await?;
        let data_jwe = self.encrypt_data(&ring, scope, &input.data)?;

        let now = self.clock.now();
        let issued_at = now.truncated_to_secs();
        let token_expires_at = issued_at.plus_secs(token_lifetime_secs);
        let refresh_token = refresh::new_refresh_token();
        let session = SessionRecord {
            id: self.next_session_id(now),
            product: scope.product.clone(),
            env: scope.env.clone(),
            tag: input.tag,
            identifier,
            data_jwe,
            created_at: now,
            token_lifetime_secs,
            token_issued_at: issued_at,
            token_expires_at,
            refresh_expires_at: now.plus_secs(refresh_lifetime_secs).max(token_expires_at),
            last_active_at: now,
            device: input.device,
            revoked_at: None,
            refresh_hash: credential_hash(&refresh_token),
            previous_refresh_hash: None,
            rotated_at: None,
            grace_answer: None,
            data_version: 0,
            auth_time: now,
            amr: input.amr,
        };
        let token = self.sign(&ring, &session)?;
        let audit = Audit {
            actor: actor.clone(),
            at: now,
        };
        match (session_type.compiled.limit, &session.identifier) {
            (Some(limit), Some(identifier)) => {
                let filter = self.filter(scope, &session_type, identifier, now);
                match self
                    .store
                    .insert_session_limited(&session, &filter, limit, &audit)
                    .await?
                {
                    LimitedStart::Started(revoked) => {
                        self.revocations.record(&revoked, Cause::SessionLimit);
                    }
                    LimitedStart::LimitReached(active) => {
                        return Err(Error::SessionLimitReached(format!(
                            "identifier '{}' already has {active} active sessions of type '{}', its maxSessions ({}): end one (revoke) before starting another, or set onLimit to revoke_oldest",
                            truncate_for_message(identifier),
                            session.tag,
                            limit.max
                        )));
                    }
                }
            }
            _ => self.store.insert_session(&session, &audit).await?,
        }
        counters::session_started();
        Ok(Issued {
            session,
            token,
            refresh_token,
        })
    }

    /// Rotates the refresh token and issues a new token. The token rotated out last answers
    /// the same new pair within the type's grace; any older token revokes the session (theft).
    pub(crate) async fn refresh(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        refresh_token: &str,
        presenter: Option<&Device>,
    ) -> Result<Issued> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        let invalid = || {
            Error::RefreshTokenInvalid(
                "unknown refresh token: it was not issued for this product, env and session type; start a new session".into(),
            )
        };
        if !refresh::is_well_formed(refresh_token) {
            return Err(invalid());
        }
        let presented = credential_hash(refresh_token);
        for _ in 0..ROTATION_ATTEMPTS {
            let session = self
                .store
                .session_by_refresh_hash(&presented)
                .await?
                .ok_or_else(invalid)?;
            if session.product != scope.product || session.env != scope.env || session.tag != tag {
                return Err(invalid());
            }
            let now = self.clock.now();
            match refresh::decide(
                &session,
                &presented,
                session_type.record.config.refresh_grace,
                now,
            )? {
                RefreshDecision::Rotate => {
                    if self.ended_idle(&session_type, &session, now).await? {
                        return Err(Error::SessionIdleExpired);
                    }
                    let audit = Audit {
                        actor: actor.clone(),
                        at: now,
                    };
                    if let Some(issued) = self.rotate(&session, &presented, &audit).await? {
                        counters::session_refreshed();
                        return Ok(issued);
                    }
                }
                RefreshDecision::ReplayWithinGrace => return self.replay(session),
                RefreshDecision::Reused => {
                    let context = RevokeContext {
                        audit: Audit {
                            actor: actor.clone(),
                            at: now,
                        },
                        cause: RevokeCause::RefreshTokenReused,
                        presenter: presenter.cloned(),
                    };
                    if let Some(revoked) = self.store.revoke_session(&session.id, &context).await? {
                        self.revocations
                            .record(&[revoked], Cause::RefreshTokenReused);
                    }
                    tracing::warn!(session_id = %session.id, "old refresh token presented again: session revoked");
                    return Err(Error::RefreshTokenReused);
                }
            }
        }
        Err(Error::StoreUnavailable(
            "the refresh could not be applied after repeated concurrent updates; retry".into(),
        ))
    }

    pub(crate) async fn rotate(
        &self,
        session: &SessionRecord,
        presented: &str,
        audit: &Audit,
    ) -> Result<Option<Issued>> {
        let now = audit.at;
        let ring = self
            .keys
            .ring_with(&Scope {
                product: session.product.clone(),
                env: session.env.clone(),
            })
            .await?;
        let refresh_token = refresh::new_refresh_token();
        let issued_at = now.truncated_to_secs();
        let mut next = session.clone();
        next.token_issued_at = issued_at;
        // Never past the session's end: a token outliving its session could not be revoked.
        next.token_expires_at = issued_at
            .plus_secs(session.token_lifetime_secs)
            .min(session.refresh_expires_at);
        next.last_active_at = now;
        next.previous_refresh_hash = Some(session.refresh_hash.clone());
        next.refresh_hash = credential_hash(&refresh_token);
        next.rotated_at = Some(now);
        let token = self.sign(&ring, &next)?;
        let answer = RotationAnswer {
            token: token.clone(),
            refresh_token: refresh_token.clone(),
        };
        let answer = serde_json::to_vec(&answer).map_err(|e| Error::Internal(e.to_string()))?;
        let sealed = self.keys.master().seal(&session.id, &answer)?;
        next.grace_answer = Some(sealed.clone());
        let rotation = Rotation {
            new_hash: next.refresh_hash.clone(),
            token_issued_at: next.token_issued_at,
            token_expires_at: next.token_expires_at,
            rotated_at: now,
            grace_answer: sealed,
            data_version: session.data_version,
        };
        if self
            .store
            .rotate_refresh(session, presented, &rotation, audit)
            .await?
        {
            Ok(Some(Issued {
                session: next,
                token,
                refresh_token,
            }))
        } else {
            Ok(None)
        }
    }

    fn replay(&self, session: SessionRecord) -> Result<Issued> {
        let sealed = session
            .grace_answer
            .as_deref()
            .ok_or_else(|| Error::Internal("no answer to replay".into()))?;
        let answer: RotationAnswer = serde_json::from_slice(
            &self.keys.master().open(&session.id, sealed)?,
        )
        .map_err(|e| Error::Internal(format!("stored refresh answer is unreadable: {e}")))?;
        Ok(Issued {
            session,
            token: answer.token,
            refresh_token: answer.refresh_token,
        })
    }

    /// Revokes one session: true if it was active, false if it had already ended.
    pub(crate) async fn revoke(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
        cause: RevokeCause,
    ) -> Result<bool> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        let session = self.owned_session(scope, tag, session_id).await?;
        let now = self.clock.now();
        if session.is_active(now) && self.ended_idle(&session_type, &session, now).await? {
            return Ok(false);
        }
        let context = RevokeContext {
            audit: Audit {
                actor: actor.clone(),
                at: now,
            },
            cause,
            presenter: None,
        };
        match self.store.revoke_session(session_id, &context).await? {
            Some(revoked) => {
                self.revocations.record(&[revoked], Cause::Revoke);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Revokes every active session of an identifier, except `exclude`; returns the count.
    pub(crate) async fn revoke_all(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        identifier: &str,
        exclude: Option<&str>,
    ) -> Result<u64> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        validate_identifier(identifier)?;
        let now = self.clock.now();
        let filter = self.filter(scope, &session_type, identifier, now);
        let audit = Audit {
            actor: actor.clone(),
            at: now,
        };
        let revoked = self.store.revoke_all(&filter, exclude, &audit).await?;
        self.revocations.record(&revoked, Cause::RevokeAll);
        Ok(revoked.len() as u64)
    }

    /// Active sessions of an identifier, newest first, a page at a time.
    pub(crate) async fn list(
        &self,
        scope: &Scope,
        tag: &str,
        identifier: &str,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<SessionList> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        validate_identifier(identifier)?;
        let limit = limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(Error::invalid(format!(
                "limit must be between 1 and {MAX_LIST_LIMIT}, got {limit}"
            )));
        }
        let before = cursor.map(|c| parse_page_cursor(c, "")).transpose()?;
        let now = self.clock.now();
        let page = self
            .store
            .list_sessions(
                &self.filter(scope, &session_type, identifier, now),
                before.as_deref(),
                limit,
                now,
            )
            .await?;
        let next_cursor = page
            .has_more
            .then(|| page.sessions.last().map(|s| page_cursor(&s.id)))
            .flatten();
        Ok(SessionList {
            sessions: page.sessions,
            count: page.count,
            next_cursor,
            idle_timeout_secs: session_type.compiled.idle_timeout_secs,
        })
    }

    /// The session with this id in this product, env and type, whatever its state.
    ///
    /// # Errors
    /// [`Error::SessionNotFound`] when there is none.
    pub(crate) async fn owned_session(
        &self,
        scope: &Scope,
        tag: &str,
        session_id: &str,
    ) -> Result<SessionRecord> {
        let not_found = || Error::SessionNotFound(truncate_for_message(session_id));
        let session = self
            .store
            .session(session_id)
            .await?
            .ok_or_else(not_found)?;
        if session.product != scope.product || session.env != scope.env || session.tag != tag {
            return Err(not_found());
        }
        Ok(session)
    }

    /// The session with this id, whatever its state (the browser calls read their own).
    pub(crate) async fn session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        self.store.session(session_id).await
    }

    /// The identifier's sessions of the type that are active at `now`: with an idle timeout,
    /// those last active within it.
    pub(crate) fn filter(
        &self,
        scope: &Scope,
        session_type: &SessionType,
        identifier: &str,
        now: Timestamp,
    ) -> IdentifierFilter {
        IdentifierFilter {
            product: scope.product.clone(),
            env: scope.env.clone(),
            tag: session_type.record.tag.clone(),
            identifier: identifier.to_owned(),
            // Active while `last_active_at >= now - idle` (not idle: see `is_idle`).
            idle_cutoff: session_type.compiled.idle_timeout_secs.map(|idle| {
                now.plus_secs(-i64::try_from(idle).unwrap_or(i64::MAX))
                    .plus_millis(-1)
            }),
        }
    }
}
