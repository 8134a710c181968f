//! A small app using the session the way h3 handlers do, a manual clock, and helpers to send
//! requests with cookies and read the `Set-Cookie` answers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hallpass_iron::{self as seal, Passwords, SealOptions};
use hallpass_sealed_session::{SealedSession, SealedSessionLayer, SessionSettings, UpdateError};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

pub const NOW: i64 = 1_800_000_000_000;
pub const PASSWORD: &str = "a-password-of-at-least-32-characters!";
pub const OLD_PASSWORD: &str = "the-old-password-of-32-characters-or-more";

/// Settings with one password; cookies and header at h3's defaults.
pub fn settings() -> SessionSettings {
    SessionSettings::new(Passwords::Single(PASSWORD.into()))
}

/// The app under test and the clock it reads.
pub struct App {
    router: Router,
    pub clock: Arc<AtomicI64>,
}

impl App {
    pub fn new(settings: SessionSettings) -> Self {
        let clock = Arc::new(AtomicI64::new(NOW));
        let reader = clock.clone();
        let layer = SealedSessionLayer::new(settings)
            .expect("valid settings")
            .with_clock(move || reader.load(Ordering::SeqCst));
        let router = Router::new()
            .route("/session", get(show))
            .route("/update", post(update))
            .route("/clear", post(clear))
            .route("/clear-then-update", post(clear_then_update))
            .route("/untouched", get(|| async { "no session used" }))
            .layer(layer)
            .route("/no-layer", get(show));
        Self { router, clock }
    }

    pub fn advance_ms(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sends a request with these request headers and, for POST, this JSON body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("infallible");
        Answer::read(response).await
    }

    /// GET /session with this cookie header.
    pub async fn show(&self, cookie: &str) -> Answer {
        self.send("GET", "/session", &[("cookie", cookie)], None)
            .await
    }
}

/// A response: status, `Set-Cookie` values, JSON body.
pub struct Answer {
    pub status: StatusCode,
    pub set_cookies: Vec<String>,
    pub body: Value,
}

impl Answer {
    async fn read(response: Response) -> Self {
        let status = response.status();
        let set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii").to_owned())
            .collect();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self {
            status,
            set_cookies,
            body,
        }
    }

    /// The `name=value` pairs set (not deleted), by name.
    pub fn cookies_set(&self) -> BTreeMap<String, String> {
        self.set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| {
                let pair = c.split(';').next().expect("pair");
                let (name, value) = pair.split_once('=').expect("name=value");
                (name.to_owned(), value.to_owned())
            })
            .collect()
    }

    /// The names of the cookies deleted.
    pub fn cookies_deleted(&self) -> Vec<String> {
        self.set_cookies
            .iter()
            .filter(|c| c.contains("Max-Age=0"))
            .map(|c| c.split('=').next().expect("name").to_owned())
            .collect()
    }

    /// The `Cookie` header a browser sends back after this answer.
    pub fn cookie_header(&self) -> String {
        self.cookies_set()
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn id(&self) -> &str {
        self.body["id"].as_str().expect("an id")
    }
}

/// A seal of `value` as h3 makes it, with these iterations and passwords.
pub fn h3_seal(value: &Value, iterations: u32, passwords: &Passwords) -> String {
    let options = SealOptions {
        iterations,
        ..SealOptions::default()
    };
    seal::seal(value, passwords, &options, NOW).expect("seal")
}

/// Opens a seal as h3 1.x would (1 iteration) with these passwords.
pub fn h3_unseal(sealed: &str, passwords: &Passwords) -> Value {
    seal::unseal(sealed, passwords, &SealOptions::default(), NOW).expect("opens as h3 1.x")
}

/// An h3 session value.
pub fn h3_session(id: &str, created_at: i64, data: Value) -> Value {
    json!({"id": id, "createdAt": created_at, "data": data})
}

async fn show(session: SealedSession) -> Response {
    axum::Json(session_json(&session)).into_response()
}

async fn update(
    session: SealedSession,
    axum::Json(patch): axum::Json<Value>,
) -> Result<Response, UpdateError> {
    session.update(patch)?;
    Ok(axum::Json(session_json(&session)).into_response())
}

async fn clear(session: SealedSession) -> Result<Response, UpdateError> {
    session.clear()?;
    Ok(axum::Json(session_json(&session)).into_response())
}

async fn clear_then_update(
    session: SealedSession,
    axum::Json(patch): axum::Json<Value>,
) -> Result<Response, UpdateError> {
    session.clear()?;
    session.update(patch)?;
    Ok(axum::Json(session_json(&session)).into_response())
}

fn session_json(session: &SealedSession) -> Value {
    json!({"id": session.id(), "createdAt": session.created_at(), "data": session.data()})
}
