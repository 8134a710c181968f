//! The session a handler works with (h3's `useSession` result): read once per request, changed
//! in memory, written back as cookies by the layer when the response leaves.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::{HeaderMap, HeaderValue};
use hallpass_iron::{self as seal, SealError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::chunks;
use crate::cookies;
use crate::layer::Shared;
use crate::payload::{self, Payload};

/// The session of this request, from the `x-<name>-session` header or the cookie, or a new one.
///
/// Extract it in a handler behind [`SealedSessionLayer`](crate::SealedSessionLayer). Clones
/// share one session. Changes are written as `Set-Cookie` headers when the response leaves:
/// a new session, an [`update`](Self::update), a [`clear`](Self::clear), and a session opened
/// with the fallback iteration count or an older password id (re-sealed with the current
/// settings, h3 2.x's migration) each set or delete the cookie, as h3 does.
#[derive(Clone)]
pub struct SealedSession {
    shared: Arc<Shared>,
    state: Arc<Mutex<State>>,
}

/// One request's session and what the response must write.
pub(crate) struct State {
    payload: Payload,
    write: Write,
    /// Chunk cookies the request carried, deleted when no longer needed.
    request_chunks: usize,
    /// The response has left with its cookies: later changes could not be sent.
    sent: bool,
}

/// What the response writes.
#[derive(Debug)]
enum Write {
    /// Nothing: the cookie stays as it is.
    Keep,
    /// The session, sealed when the response leaves (new sessions, migrations).
    Seal,
    /// This seal (made by `update`, which checked its size).
    Sealed(String),
    /// Delete the cookie and its chunks.
    Delete,
}

impl State {
    /// Reads the session the request carries: the header first (if configured and non-empty),
    /// else the cookie (joined from chunks). Anything that does not open, or is too old, gives
    /// a new session, which is written at once as h3 does.
    pub(crate) fn load(shared: &Shared, headers: &HeaderMap) -> Self {
        let settings = &shared.settings;
        let now = shared.now();
        let jar = cookies::request_cookies(headers);
        let request_chunks = jar
            .get(&settings.cookie.name)
            .and_then(|main| chunks::announced_chunks(main))
            .unwrap_or(0);
        let from_header = settings
            .header_name()
            .and_then(|name| headers.get(name.as_str()))
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        let from_cookie = from_header.is_none();
        let sealed = from_header.or_else(|| {
            chunks::read(
                &settings.cookie.name,
                |name| jar.get(name).map(String::as_str),
                seal::MAX_SEAL_LEN,
            )
        });
        match sealed.and_then(|sealed| payload::open(&sealed, settings, now)) {
            Some(opened) => Self {
                payload: opened.payload,
                // h3 re-seals a migrated session only when it came in a cookie.
                write: if opened.needs_reseal && from_cookie {
                    Write::Seal
                } else {
                    Write::Keep
                },
                request_chunks,
                sent: false,
            },
            None => Self {
                payload: Payload::new(now),
                write: Write::Seal,
                request_chunks,
                sent: false,
            },
        }
    }

    /// The `Set-Cookie` values the response carries; afterwards the session is sent and
    /// refuses changes.
    pub(crate) fn set_cookies(&mut self, shared: &Shared) -> Vec<HeaderValue> {
        self.sent = true;
        let settings = &shared.settings;
        let cookie = &settings.cookie;
        let (name, path) = (cookie.name.as_str(), cookie.path.as_str());
        let sealed = match &self.write {
            Write::Keep => return Vec::new(),
            Write::Delete => {
                let mut values = vec![cookie.removal(name, path)];
                values.extend(
                    (1..=self.request_chunks)
                        .map(|n| cookie.removal(&chunks::chunk_name(name, n), path)),
                );
                return header_values(values);
            }
            Write::Sealed(sealed) => sealed.clone(),
            Write::Seal => match self.payload.seal(settings, shared.now()) {
                Ok(sealed) => sealed,
                Err(e) => {
                    tracing::error!(error = %e, "the session could not be sealed; its cookie is left as it was");
                    return Vec::new();
                }
            },
        };
        let expires = settings
            .max_age_ms()
            .map(|age| self.payload.created_at.saturating_add(age));
        let written = chunks::split(name, &sealed, settings.chunk_max_len);
        let new_chunks = written.len() - 1;
        let mut values: Vec<String> = written
            .iter()
            .map(|(name, value)| cookie.set_cookie(name, value, path, expires))
            .collect();
        values.extend(
            (new_chunks + 1..=self.request_chunks)
                .map(|n| cookie.removal(&chunks::chunk_name(name, n), path)),
        );
        header_values(values)
    }
}

/// `Set-Cookie` strings as header values. The `cookie` crate writes only visible ASCII for
/// the names and values hallpass gives it (checked settings, base64url seals), so none is
/// dropped; if one were, it is logged.
fn header_values(values: Vec<String>) -> Vec<HeaderValue> {
    values
        .into_iter()
        .filter_map(|v| {
            HeaderValue::from_str(&v)
                .inspect_err(|_| tracing::error!("a session cookie is not a valid header value"))
                .ok()
        })
        .collect()
}

impl SealedSession {
    pub(crate) fn new(shared: Arc<Shared>, state: Arc<Mutex<State>>) -> Self {
        Self { shared, state }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session id: a random UUID, kept for the session's life.
    pub fn id(&self) -> String {
        self.state().payload.id.clone()
    }

    /// When the session began, in milliseconds since the epoch (h3's `createdAt`).
    pub fn created_at(&self) -> i64 {
        self.state().payload.created_at
    }

    /// The session data, a JSON object (empty for a new session).
    pub fn data(&self) -> Map<String, Value> {
        self.state().payload.data.clone()
    }

    /// The session data as `T`.
    ///
    /// # Errors
    /// The data does not deserialize as `T` (a new session's data is `{}`).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(Value::Object(self.data()))
    }

    /// Merges `patch`'s top-level fields into the data (h3's `update`, `Object.assign`) and
    /// writes the session when the response leaves. After [`clear`](Self::clear) it starts a
    /// new session with the patch as its data.
    ///
    /// # Errors
    /// [`UpdateError`]: the patch is not a JSON object, or the sealed session would be too large
    /// to read back; the session is then left as it was.
    pub fn update(&self, patch: impl Serialize) -> Result<(), UpdateError> {
        let Ok(Value::Object(patch)) = serde_json::to_value(patch) else {
            return Err(UpdateError::NotAnObject);
        };
        let settings = &self.shared.settings;
        let mut state = self.state();
        if state.sent {
            return Err(UpdateError::ResponseSent);
        }
        let mut payload = state.payload.clone();
        payload.data.extend(patch);
        let sealed = payload.seal(settings, self.shared.now())?;
        let max = settings.max_sealed_len;
        if sealed.len() > max {
            return Err(UpdateError::TooLarge {
                len: sealed.len(),
                max,
            });
        }
        state.payload = payload;
        state.write = Write::Sealed(sealed);
        Ok(())
    }

    /// Ends the session: the response deletes the cookie and its chunks (h3's `clear`). The
    /// handle then holds a new, empty session, written only if updated.
    ///
    /// # Errors
    /// [`UpdateError::ResponseSent`] when the response has already left.
    pub fn clear(&self) -> Result<(), UpdateError> {
        let mut state = self.state();
        if state.sent {
            return Err(UpdateError::ResponseSent);
        }
        state.payload = Payload::new(self.shared.now());
        state.write = Write::Delete;
        Ok(())
    }
}

impl std::fmt::Debug for SealedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The data may be secret; only the id and age are shown.
        let state = self.state();
        f.debug_struct("SealedSession")
            .field("id", &state.payload.id)
            .field("created_at", &state.payload.created_at)
            .finish_non_exhaustive()
    }
}

/// Why [`SealedSession::update`] left the session as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The patch does not serialize to a JSON object.
    #[error("a session update must be a JSON object of the fields to set")]
    NotAnObject,
    /// The sealed session would be longer than can be written and read back.
    #[error(
        "the session would be {len} characters sealed, over the limit of {max}: store less in it"
    )]
    TooLarge {
        /// The sealed length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Sealing failed.
    #[error("the session could not be sealed: {0}")]
    Seal(#[from] SealError),
    /// The response carrying the session's cookies has already left (a task that outlived
    /// its request): the change could not reach the client.
    #[error("the response has already been sent: change the session before the handler returns")]
    ResponseSent,
}
