//! The tower layer: gives each request an empty session slot, and when the response leaves,
//! writes the `Set-Cookie` headers of whatever the handler did with the session. A request
//! whose handler never extracted the session is passed through untouched: nothing is unsealed
//! and no cookie is written.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, Request, Response, header};
use tower::{Layer, Service};

use crate::handle::{SealedSession, State};
use crate::settings::{SessionSettings, SettingsError};

/// Milliseconds since the epoch.
type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What every request of one layer shares: the checked settings and the clock.
pub(crate) struct Shared {
    pub(crate) settings: SessionSettings,
    clock: Clock,
}

impl Shared {
    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// One request's session, loaded on first extraction.
#[derive(Clone)]
pub(crate) struct Slot {
    shared: Arc<Shared>,
    state: Arc<OnceLock<Arc<Mutex<State>>>>,
}

impl Slot {
    /// The request's session, read from its headers the first time.
    pub(crate) fn session(&self, headers: &HeaderMap) -> SealedSession {
        let state = self
            .state
            .get_or_init(|| Arc::new(Mutex::new(State::load(&self.shared, headers))));
        SealedSession::new(self.shared.clone(), state.clone())
    }
}

/// Adds h3-compatible sealed sessions to the routes it wraps; handlers extract
/// [`SealedSession`].
///
/// ```
/// use axum::{Router, routing::get};
/// use hallpass_iron::Passwords;
/// use hallpass_sealed_session::{SealedSession, SealedSessionLayer, SessionSettings};
///
/// async fn visit(session: SealedSession) -> String {
///     let visits = session.data().get("visits").and_then(|v| v.as_u64()).unwrap_or(0) + 1;
///     let _ = session.update(serde_json::json!({ "visits": visits }));
///     format!("visit {visits} of session {}", session.id())
/// }
///
/// let settings = SessionSettings::new(Passwords::Single("a-password-of-at-least-32-characters".into()));
/// let app: Router = Router::new()
///     .route("/", get(visit))
///     .layer(SealedSessionLayer::new(settings).expect("valid settings"));
/// ```
#[derive(Clone)]
pub struct SealedSessionLayer {
    shared: Arc<Shared>,
}

impl SealedSessionLayer {
    /// A layer with these settings, checked now.
    ///
    /// # Errors
    /// [`SettingsError`] naming the unusable setting.
    pub fn new(settings: SessionSettings) -> Result<Self, SettingsError> {
        settings.validate()?;
        let clock: Clock = Arc::new(system_now_ms);
        Ok(Self {
            shared: Arc::new(Shared { settings, clock }),
        })
    }

    /// The same layer reading time from `clock` (milliseconds since the epoch) instead of the
    /// system clock: for tests of expiry, and apps with a clock of their own.
    #[must_use]
    pub fn with_clock(self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            shared: Arc::new(Shared {
                settings: self.shared.settings.clone(),
                clock: Arc::new(clock),
            }),
        }
    }
}

impl<S> Layer<S> for SealedSessionLayer {
    type Service = SealedSessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SealedSessionService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`SealedSessionLayer`] wraps routes in.
#[derive(Clone)]
pub struct SealedSessionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SealedSessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let slot = Slot {
            shared: self.shared.clone(),
            state: Arc::new(OnceLock::new()),
        };
        request.extensions_mut().insert(slot.clone());
        // The clone that was polled ready serves this request (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let mut response = inner.call(request).await?;
            if let Some(state) = slot.state.get() {
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                for value in state.set_cookies(&slot.shared) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            Ok(response)
        })
    }
}

fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
