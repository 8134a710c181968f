//! Browser sessions: the calls a browser makes with its session cookie alone. Reading the
//! cookies, writing `Set-Cookie` and the CSRF check are the HTTP layer's; here are the rules:
//! sliding expiry by `updateAge`, the user's own sessions only, activity noted off the request
//! path and written in batches.

use std::sync::Arc;

use hallpass_core::events::{Actor, Audit, RevokeCause};
use hallpass_core::model::{Device, Scope};
use hallpass_core::session_type::CookieSettings;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result, Timestamp};

use crate::activity::{ActivityLog, OncePerMinute};
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::sessions::{Issued, SessionList, Sessions};
use crate::verification::{Verification, Verified, VerifyOptions};

/// Sessions whose activity one store call writes.
pub const ACTIVITY_BATCH: usize = 500;

/// What a browser endpoint needs of its session type and product.
#[derive(Clone, Debug)]
pub struct BrowserType {
    /// The type's cookie settings.
    pub cookie: CookieSettings,
    /// The product's allowed origins (the CSRF check).
    pub allowed_origins: Vec<String>,
    /// The type's `updateAge` in seconds.
    update_age: Option<u64>,
}

/// What `GET session` answers: the verified session, and new tokens when it slid.
#[derive(Clone, Debug)]
pub struct BrowserSession {
    /// The verified token.
    pub verified: Verified,
    /// When the session began (the time in its ULID id).
    pub created_at: Timestamp,
    /// The session with a new token and refresh token, because the token presented was older
    /// than `updateAge`.
    pub slid: Option<Issued>,
}

/// The user's sessions, and which one is the caller's.
#[derive(Clone, Debug)]
pub struct OwnSessions {
    /// Active sessions of the caller's identifier, newest first.
    pub list: SessionList,
    /// The caller's session id.
    pub current: String,
}

/// The browser endpoints' rules and the activity they note.
pub(crate) struct Browser {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    verification: Arc<Verification>,
    sessions: Arc<Sessions>,
    clock: Arc<dyn Clock>,
    /// Session activity waiting to be written.
    activity: Arc<ActivityLog>,
    /// Sessions whose browser token slid within the last minute.
    slides: OncePerMinute,
}

impl Browser {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        verification: Arc<Verification>,
        sessions: Arc<Sessions>,
        clock: Arc<dyn Clock>,
        activity: Arc<ActivityLog>,
    ) -> Self {
        Self {
            store,
            catalog,
            verification,
            sessions,
            clock,
            activity,
            slides: OncePerMinute::default(),
        }
    }

    /// The session type of a browser endpoint named in its URL: the product, its env and the
    /// type must exist, and the type must have a cookie.
    pub(crate) async fn browser_type(&self, scope: &Scope, tag: &str) -> Result<BrowserType> {
        let product = self.catalog.product_with_env(scope).await?;
        let config = &self
            .catalog
            .session_type(&scope.product, tag)
            .await?
            .record
            .config;
        let cookie = config
            .cookie
            .clone()
            .ok_or_else(|| Error::NoBrowserSessions(tag.to_owned()))?;
        Ok(BrowserType {
            cookie,
            allowed_origins: product.allowed_origins.clone(),
            update_age: config.update_age,
        })
    }

    /// The session of a browser's token cookie. When the token is older than the type's
    /// `updateAge`, the session is refreshed on the spot (a rotation, as `refresh`), so both
    /// cookies can be sent anew; at most once a minute per session on this node, and not at
    /// all when a refresh of the same session got there first.
    pub(crate) async fn browser_session(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<BrowserSession> {
        let browser_type = self.browser_type(scope, tag).await?;
        let mut verified = self.verify(scope, tag, token).await?;
        let now = self.clock.now();
        self.activity.note(&verified.session_id, now, Some(device));
        let due = browser_type.update_age.is_some_and(|age| {
            now >= verified
                .issued_at
                .plus_secs(i64::try_from(age).unwrap_or(i64::MAX))
        });
        // A cookie whose data changed since is re-issued at once, with the current data.
        let slid = if verified.superseded {
            let slid = self
                .slide(&verified.session_id, now)
                .await?
                .ok_or(Error::TokenSuperseded)?;
            verified = self
                .verification
                .verify(scope, tag, &slid.token, VerifyOptions::default())
                .await?;
            Some(slid)
        } else if due && self.slides.claim(&verified.session_id, now) {
            self.slide(&verified.session_id, now).await?
        } else {
            None
        };
        let created_at = verified
            .session_id
            .parse::<ulid::Ulid>()
            .map(|id| Timestamp::from_millis(i64::try_from(id.timestamp_ms()).unwrap_or(0)))
            .map_err(|_| {
                Error::TokenMalformed("the token's session id is not one hallpass issued".into())
            })?;
        Ok(BrowserSession {
            verified,
            created_at,
            slid,
        })
    }

    /// A browser's cookie token, verified as verify does, except that a superseded token (its
    /// session's data changed since) still proves its session: it is answered flagged. The
    /// browser calls note their activity themselves, with the device.
    async fn verify(&self, scope: &Scope, tag: &str, token: &str) -> Result<Verified> {
        let options = VerifyOptions {
            accept_superseded: true,
            caller_notes_activity: true,
            ..VerifyOptions::default()
        };
        self.verification.verify(scope, tag, token, options).await
    }

    /// Rotates the session's refresh token from its current one; `None` when a concurrent
    /// refresh rotated it first (that refresh's answer carries the new cookies).
    async fn slide(&self, session_id: &str, now: Timestamp) -> Result<Option<Issued>> {
        let session = self
            .sessions
            .session(session_id)
            .await?
            .filter(|s| s.revoked_at.is_none() && s.refresh_expires_at > now)
            .ok_or(Error::SessionRevoked)?;
        let current = session.refresh_hash.clone();
        let audit = Audit {
            actor: Actor::browser(),
            at: now,
        };
        self.sessions.rotate(&session, &current, &audit).await
    }

    /// The active sessions of the token's identifier, the caller's marked. A session without
    /// identifier sees only itself.
    pub(crate) async fn own_sessions(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<OwnSessions> {
        self.browser_type(scope, tag).await?;
        let verified = self.verify(scope, tag, token).await?;
        self.activity
            .note(&verified.session_id, self.clock.now(), Some(device));
        let list = match &verified.identifier {
            Some(identifier) => {
                self.sessions
                    .list(scope, tag, identifier, None, None)
                    .await?
            }
            None => {
                let own = self.sessions.session(&verified.session_id).await?;
                let sessions: Vec<_> = own.into_iter().collect();
                SessionList {
                    count: sessions.len() as u64,
                    sessions,
                    next_cursor: None,
                    idle_timeout_secs: self
                        .catalog
                        .session_type(&scope.product, tag)
                        .await?
                        .compiled
                        .idle_timeout_secs,
                }
            }
        };
        Ok(OwnSessions {
            list,
            current: verified.session_id,
        })
    }

    /// Revokes one of the caller's own sessions (same identifier; for a session without
    /// identifier, only itself). Returns whether it was active, and whether it was the caller's.
    pub(crate) async fn revoke_own(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        session_id: &str,
    ) -> Result<(bool, bool)> {
        self.browser_type(scope, tag).await?;
        let verified = self.verify(scope, tag, token).await?;
        let own = verified.session_id == session_id
            || match &verified.identifier {
                Some(identifier) => self
                    .sessions
                    .session(session_id)
                    .await?
                    .is_some_and(|s| s.identifier.as_ref() == Some(identifier)),
                None => false,
            };
        if !own {
            return Err(Error::SessionNotFound(
                hallpass_core::ids::truncate_for_message(session_id),
            ));
        }
        let revoked = self
            .sessions
            .revoke(
                scope,
                &Actor::browser(),
                tag,
                session_id,
                RevokeCause::Revoke,
            )
            .await?;
        Ok((revoked, verified.session_id == session_id))
    }

    /// Ends the caller's session. Returns whether it was active; a token that no longer
    /// verifies ends nothing (the cookies are cleared all the same).
    pub(crate) async fn sign_out(
        &self,
        scope: &Scope,
        tag: &str,
        token: Option<&str>,
    ) -> Result<bool> {
        self.browser_type(scope, tag).await?;
        let Some(token) = token else { return Ok(false) };
        match self.verify(scope, tag, token).await {
            Ok(verified) => {
                self.sessions
                    .revoke(
                        scope,
                        &Actor::browser(),
                        tag,
                        &verified.session_id,
                        RevokeCause::SignOut,
                    )
                    .await
            }
            Err(Error::StoreUnavailable(e)) => Err(Error::StoreUnavailable(e)),
            Err(_) => Ok(false),
        }
    }

    /// Notes a browser's refresh as activity from its device (the refresh itself is
    /// [`Hallpass::refresh`]).
    pub(crate) fn note_activity(&self, session_id: &str, device: Device) {
        self.activity
            .note(session_id, self.clock.now(), Some(device));
    }

    /// Writes the activity noted since the last call (the background task calls this), in
    /// batches of [`ACTIVITY_BATCH`] so no write holds locks for long.
    pub(crate) async fn flush_activity(&self) -> Result<usize> {
        self.slides.forget_before(self.clock.now());
        let pending = self.activity.take(self.clock.now());
        for batch in pending.chunks(ACTIVITY_BATCH) {
            self.store.record_activity(batch).await?;
        }
        Ok(pending.len())
    }
}
