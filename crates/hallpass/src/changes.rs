//! Changes to a live session after login (docs/API.md §12): its data, in place on every device
//! (update, update-all), and the time its user last proved who they are (reauthenticate).
//!
//! A data change moves the session's data version: every token of an older version is refused
//! from then on (`token_superseded`), here through [`Revocations::record_superseded`] and on
//! other nodes through the change feed and the catch-up, as revocations are. The refresh token
//! keeps working, and a refresh signs the current data. Each change is a conditional write on
//! the version it was computed from, so concurrent changes are merged one after the other,
//! never lost.

use std::collections::HashSet;

use hallpass_core::events::{Actor, Audit};
use hallpass_core::keys::Keyring;
use hallpass_core::lifecycle::{updated_data, validate_amr};
use hallpass_core::model::{Scope, SessionRecord};
use hallpass_core::session_type::SessionType;
use hallpass_core::store::{SessionUpdate, Updated};
use hallpass_core::{Error, Result, Timestamp};
use serde_json::Value;

#[cfg(doc)]
use crate::revocations::Revocations;
use crate::sessions::{MAX_LIST_LIMIT, ROTATION_ATTEMPTS, Sessions, validate_identifier};

/// Sessions one store call of `update-all` changes (one transaction each).
const UPDATE_BATCH: usize = 500;

/// A session after a change, with a fresh token that carries it.
#[derive(Clone, Debug)]
pub struct Changed {
    /// The session as stored after the change.
    pub session: SessionRecord,
    /// Its data (after the change).
    pub data: Value,
    /// A token with the current data and authentication time.
    pub token: String,
    /// That token's `exp`.
    pub expires_at: Timestamp,
    /// When the change was made.
    pub updated_at: Timestamp,
}

/// What a change does to one session.
enum Edit {
    /// New data: `patch` merged into the current data, or replacing it.
    Data { patch: Value, merge: bool },
    /// The user proved who they are again: `auth_time` becomes now; `amr`, if given, replaces
    /// the methods.
    Reauthenticate { amr: Option<Vec<String>> },
}

fn require_object(data: &Value) -> Result<()> {
    if data.is_object() {
        Ok(())
    } else {
        Err(Error::invalid("data must be a JSON object"))
    }
}

impl Sessions {
    /// Changes one session's data and answers a fresh token with it; every older token of the
    /// session is superseded.
    pub(crate) async fn update(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
        data: Value,
        merge: bool,
    ) -> Result<Changed> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        require_object(&data)?;
        let edit = Edit::Data { patch: data, merge };
        self.change_one(scope, actor, &session_type, session_id, &edit)
            .await
    }

    /// Records that the user authenticated again now, and answers a fresh token with the new
    /// `auth_time`; earlier tokens stay valid (they carry the older time).
    pub(crate) async fn reauthenticate(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
        amr: Option<Vec<String>>,
    ) -> Result<Changed> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        if let Some(amr) = &amr {
            validate_amr(amr)?;
        }
        let edit = Edit::Reauthenticate { amr };
        self.change_one(scope, actor, &session_type, session_id, &edit)
            .await
    }

    /// Changes the data of every active session of the identifier; answers how many changed.
    /// Every session's new data is checked against the schema before anything is written, so a
    /// violation changes nothing.
    pub(crate) async fn update_all(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        identifier: &str,
        data: Value,
        merge: bool,
    ) -> Result<u64> {
        let session_type = self.catalog.session_type(&scope.product, tag).await?;
        validate_identifier(identifier)?;
        require_object(&data)?;
        let edit = Edit::Data { patch: data, merge };
        let ring = self.keys.ring_with(scope).await?;
        let mut pending = self
            .active_sessions(scope, &session_type, identifier)
            .await?;
        let mut changed = 0;
        for _ in 0..ROTATION_ATTEMPTS {
            if pending.is_empty() {
                break;
            }
            let now = self.clock.now();
            let updates = pending
                .iter()
                .map(|session| {
                    let (next, _) =
                        self.edited(&ring, scope, &session_type, session, &edit, now)?;
                    Ok(update_of(session, &next, None, now))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut applied = HashSet::new();
            for batch in updates.chunks(UPDATE_BATCH) {
                let audit = Audit {
                    actor: actor.clone(),
                    at: now,
                };
                let updated = self.store.update_sessions(batch, &audit).await?;
                self.record(&updated);
                applied.extend(updated.into_iter().map(|u| u.session_id));
            }
            changed += applied.len() as u64;
            // Sessions changed meanwhile by another call are merged again from what is stored
            // now; those that ended meanwhile are left.
            let mut next = Vec::new();
            for session in pending.iter().filter(|s| !applied.contains(&s.id)) {
                if let Some(current) = self.store.session(&session.id).await?
                    && current.is_active(now)
                {
                    next.push(current);
                }
            }
            pending = next;
        }
        if !pending.is_empty() {
            return Err(concurrent_changes());
        }
        Ok(changed)
    }

    /// Applies `edit` to one session, re-reading it when a concurrent change got there first.
    async fn change_one(
        &self,
        scope: &Scope,
        actor: &Actor,
        session_type: &SessionType,
        session_id: &str,
        edit: &Edit,
    ) -> Result<Changed> {
        for _ in 0..ROTATION_ATTEMPTS {
            let session = self
                .owned_session(scope, &session_type.record.tag, session_id)
                .await?;
            let now = self.clock.now();
            if !session.is_active(now) || self.ended_idle(session_type, &session, now).await? {
                return Err(Error::SessionRevoked);
            }
            let ring = self.keys.ring_with(scope).await?;
            let (mut next, data) = self.edited(&ring, scope, session_type, &session, edit, now)?;
            let issued_at = now.truncated_to_secs();
            // Never past the session's end, as every token (see `rotate`).
            let expires_at = issued_at
                .plus_secs(session.token_lifetime_secs)
                .min(session.refresh_expires_at);
            next.token_issued_at = issued_at;
            next.token_expires_at = expires_at;
            let token = self.sign(&ring, &next)?;
            next.token_expires_at = expires_at.max(session.token_expires_at);
            next.last_active_at = now.max(session.last_active_at);
            let update = update_of(&session, &next, Some((issued_at, expires_at)), now);
            let audit = Audit {
                actor: actor.clone(),
                at: now,
            };
            let updated = self.store.update_sessions(&[update], &audit).await?;
            if !updated.is_empty() {
                self.record(&updated);
                return Ok(Changed {
                    session: next,
                    data,
                    token,
                    expires_at,
                    updated_at: now,
                });
            }
        }
        Err(concurrent_changes())
    }

    /// The session as `edit` leaves it (data, version, authentication), and its data.
    fn edited(
        &self,
        ring: &Keyring,
        scope: &Scope,
        session_type: &SessionType,
        session: &SessionRecord,
        edit: &Edit,
        now: Timestamp,
    ) -> Result<(SessionRecord, Value)> {
        let current = self.decrypt_data(ring, session)?;
        let mut next = session.clone();
        match edit {
            Edit::Data { patch, merge } => {
                let data = updated_data(&current, patch.clone(), *merge)?;
                session_type.compiled.schema.check(&data)?;
                next.data_jwe = self.encrypt_data(ring, scope, &data)?;
                next.data_version = session.data_version + 1;
                Ok((next, data))
            }
            Edit::Reauthenticate { amr } => {
                next.auth_time = now;
                if let Some(amr) = amr {
                    next.amr = Some(amr.clone());
                }
                Ok((next, current))
            }
        }
    }

    /// Every active session of the identifier, a page at a time.
    async fn active_sessions(
        &self,
        scope: &Scope,
        session_type: &SessionType,
        identifier: &str,
    ) -> Result<Vec<SessionRecord>> {
        let now = self.clock.now();
        let filter = self.filter(scope, session_type, identifier, now);
        let mut sessions = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = self
                .store
                .list_sessions(&filter, before.as_deref(), MAX_LIST_LIMIT, now)
                .await?;
            before = page.sessions.last().map(|s| s.id.clone());
            sessions.extend(page.sessions);
            if !page.has_more {
                return Ok(sessions);
            }
        }
    }

    /// What this node's own updates superseded.
    fn record(&self, updated: &[Updated]) {
        let superseded: Vec<_> = updated
            .iter()
            .filter_map(|u| u.superseded.clone())
            .collect();
        self.revocations.record_superseded(&superseded);
    }
}

/// The store's update from `session` (as read) to `next`.
fn update_of(
    session: &SessionRecord,
    next: &SessionRecord,
    token: Option<(Timestamp, Timestamp)>,
    at: Timestamp,
) -> SessionUpdate {
    SessionUpdate {
        session_id: session.id.clone(),
        expected_version: session.data_version,
        data_jwe: next.data_jwe.clone(),
        version: next.data_version,
        auth_time: next.auth_time,
        amr: next.amr.clone(),
        token,
        at,
    }
}

fn concurrent_changes() -> Error {
    Error::StoreUnavailable(
        "the change could not be applied after repeated concurrent changes of the session; retry"
            .into(),
    )
}
