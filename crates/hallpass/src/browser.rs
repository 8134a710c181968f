//! Browser sessions (SPEC section 6): the calls a browser makes with its session cookie alone.
//! Reading the cookies, writing `Set-Cookie` and the CSRF check are the HTTP layer's; here are
//! the rules: sliding expiry by `updateAge`, the user's own sessions only, activity noted off
//! the request path.

use hallpass_core::model::{Device, Scope};
use hallpass_core::session_type::CookieSettings;
use hallpass_core::{Error, Result, Timestamp};

use crate::Hallpass;
use crate::sessions::{SessionList, Verified};

/// What `GET session` answers: the verified session, and a new token when it slid.
#[derive(Clone, Debug)]
pub struct BrowserSession {
    /// The verified token.
    pub verified: Verified,
    /// When the session began (the time in its ULID id).
    pub created_at: Timestamp,
    /// A token re-issued because the one presented was older than `updateAge`.
    pub reissued: Option<Reissued>,
}

/// A token issued without rotation (sliding expiry).
#[derive(Clone, Debug)]
pub struct Reissued {
    /// The new token.
    pub token: String,
    /// Its `exp`.
    pub expires_at: Timestamp,
}

/// The user's sessions, and which one is the caller's.
#[derive(Clone, Debug)]
pub struct OwnSessions {
    /// Active sessions of the caller's identifier, newest first.
    pub list: SessionList,
    /// The caller's session id.
    pub current: String,
}

impl Hallpass {
    /// The cookie settings of a type that has browser sessions.
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`]; [`Error::NoBrowserSessions`] when it has no cookie.
    pub async fn browser_cookie(&self, scope: &Scope, tag: &str) -> Result<CookieSettings> {
        self.session_type(&scope.product, tag)
            .await?
            .record
            .config
            .cookie
            .clone()
            .ok_or_else(|| Error::NoBrowserSessions(tag.to_owned()))
    }

    /// The allowed origins of the product (for the CSRF check of browser calls).
    ///
    /// # Errors
    /// [`Error::ProductNotFound`].
    pub async fn allowed_origins(&self, product: &str) -> Result<Vec<String>> {
        Ok(self.product(product).await?.allowed_origins.clone())
    }

    /// The session of a browser's token cookie. When the token is older than the type's
    /// `updateAge`, a new token for the rest of a full lifetime is issued and recorded first.
    ///
    /// # Errors
    /// Verify's errors; [`Error::NoBrowserSessions`]; [`Error::SessionRevoked`] if the session
    /// ended while its token was re-issued.
    pub async fn browser_session(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<BrowserSession> {
        self.browser_cookie(scope, tag).await?;
        let verified = self.verify(scope, tag, token).await?;
        let now = self.now();
        self.activity.note(&verified.session_id, now, Some(device));
        let update_age = self
            .session_type(&scope.product, tag)
            .await?
            .record
            .config
            .update_age;
        let reissued = match update_age {
            Some(age)
                if now
                    >= verified
                        .issued_at
                        .plus_secs(i64::try_from(age).unwrap_or(i64::MAX)) =>
            {
                Some(self.reissue(&verified.session_id, now).await?)
            }
            _ => None,
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
            reissued,
        })
    }

    /// A new token for the session, recorded before it is handed out so that a revocation
    /// always outlives it.
    async fn reissue(&self, session_id: &str, now: Timestamp) -> Result<Reissued> {
        let mut session = self
            .store
            .session(session_id)
            .await?
            .ok_or(Error::SessionRevoked)?;
        let issued_at = now.truncated_to_secs();
        session.token_issued_at = issued_at;
        session.token_expires_at = issued_at.plus_secs(session.token_lifetime_secs);
        let ring = self
            .keyring_with(&Scope {
                product: session.product.clone(),
                env: session.env.clone(),
            })
            .await?;
        let token = self.sign(&ring, &session)?;
        if !self
            .store
            .extend_token(session_id, issued_at, session.token_expires_at, now)
            .await?
        {
            return Err(Error::SessionRevoked);
        }
        Ok(Reissued {
            token,
            expires_at: session.token_expires_at,
        })
    }

    /// The active sessions of the token's identifier, the caller's marked. A session without
    /// identifier sees only itself.
    ///
    /// # Errors
    /// Verify's errors; [`Error::NoBrowserSessions`].
    pub async fn own_sessions(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<OwnSessions> {
        self.browser_cookie(scope, tag).await?;
        let verified = self.verify(scope, tag, token).await?;
        self.activity
            .note(&verified.session_id, self.now(), Some(device));
        let list = match &verified.identifier {
            Some(identifier) => self.list(scope, tag, identifier, None, None).await?,
            None => {
                let own = self.store.session(&verified.session_id).await?;
                let sessions: Vec<_> = own.into_iter().collect();
                SessionList {
                    count: sessions.len() as u64,
                    sessions,
                    next_cursor: None,
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
    ///
    /// # Errors
    /// Verify's errors; [`Error::SessionNotFound`] for a session of anyone else.
    pub async fn revoke_own(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        session_id: &str,
    ) -> Result<(bool, bool)> {
        self.browser_cookie(scope, tag).await?;
        let verified = self.verify(scope, tag, token).await?;
        let own = verified.session_id == session_id
            || match &verified.identifier {
                Some(identifier) => self
                    .store
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
        let revoked = self.revoke(scope, tag, session_id).await?;
        Ok((revoked, verified.session_id == session_id))
    }

    /// Ends the caller's session. Returns whether it was active; a token that no longer
    /// verifies ends nothing (the cookies are cleared all the same).
    ///
    /// # Errors
    /// [`Error::NoBrowserSessions`], store errors.
    pub async fn sign_out(&self, scope: &Scope, tag: &str, token: Option<&str>) -> Result<bool> {
        self.browser_cookie(scope, tag).await?;
        let Some(token) = token else { return Ok(false) };
        match self.verify(scope, tag, token).await {
            Ok(verified) => self.revoke(scope, tag, &verified.session_id).await,
            Err(Error::StoreUnavailable(e)) => Err(Error::StoreUnavailable(e)),
            Err(_) => Ok(false),
        }
    }

    /// Notes a browser's refresh as activity from its device (the refresh itself is
    /// [`Hallpass::refresh`]).
    pub fn note_activity(&self, session_id: &str, device: Device) {
        self.activity.note(session_id, self.now(), Some(device));
    }

    /// Writes the activity noted since the last call (the background task calls this).
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`]; the activity is then dropped (it is advisory).
    pub async fn flush_activity(&self) -> Result<usize> {
        let pending = self.activity.take(self.now());
        if pending.is_empty() {
            return Ok(0);
        }
        self.store.record_activity(&pending).await?;
        Ok(pending.len())
    }
}
