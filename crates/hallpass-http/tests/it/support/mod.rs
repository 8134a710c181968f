//! Test harness: a service over a temporary SQLite file and a manual clock, its router driven
//! with `oneshot`, and helpers for requests, error shapes, times and tokens.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hallpass::core::Timestamp;
use hallpass::core::secrets::MasterKey;
use hallpass::{Clock as _, Hallpass, ManualClock, Settings};
use hallpass_http::{AppState, router};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

pub mod browser;
pub mod receiver;

/// 2026-11-23T10:00:00.000Z: where every test's clock starts.
pub const T0_MS: i64 = 1_795_428_000_000;
/// The session type of `setup()`.
pub const TYPE: &str = "user-session";
pub const START: &str = "/v1/sessions/start";
pub const VERIFY: &str = "/v1/sessions/verify";
pub const REFRESH: &str = "/v1/sessions/refresh";
pub const REVOKE: &str = "/v1/sessions/revoke";
pub const REVOKE_ALL: &str = "/v1/sessions/revoke-all";
pub const LIST: &str = "/v1/sessions/list";

/// A whole answer.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON; `Null` when empty, the text as a JSON string when not JSON.
    pub json: Value,
}

pub struct App {
    pub router: Router,
    /// The service behind the router (for background work tests run by hand).
    pub service: Arc<Hallpass>,
    /// Its store (to read what it recorded).
    pub store: Arc<dyn hallpass::core::store::Store>,
    pub clock: Arc<ManualClock>,
    pub admin: String,
    /// Access key of shop/dev (after `setup()`).
    pub key: String,
    /// Access key of every env of shop (after `setup()`): what changes session types, which
    /// every env shares.
    pub product_key: String,
    _dir: tempfile::TempDir,
}

/// A request; `auth` is the whole `Authorization` header value.
pub fn request(
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(auth) = auth {
        b = b.header(header::AUTHORIZATION, auth);
    }
    b.body(body.into()).expect("request")
}

/// Sends one request through a router (a clone, so callers may run several at once).
pub async fn send_on(router: Router, req: Request<Body>) -> Resp {
    let res = router.oneshot(req).await.expect("infallible");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(text.clone()))
    };
    Resp {
        status,
        headers,
        text,
        json,
    }
}

fn bearer(key: &str) -> Option<String> {
    (!key.is_empty()).then(|| format!("Bearer {key}"))
}

impl App {
    /// A fresh service with only the bootstrap admin key.
    pub async fn new() -> Self {
        Self::with_settings(Settings::default()).await
    }

    /// As [`App::new`], with these service settings.
    pub async fn with_settings(settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = hallpass_store::open(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .expect("store");
        let master = MasterKey::from_base64(&MasterKey::generate_base64()).expect("master key");
        let clock = Arc::new(ManualClock::new(Timestamp::from_millis(T0_MS)));
        let service = Hallpass::open(Arc::clone(&store), master, clock.clone(), settings)
            .await
            .expect("service");
        let admin = service
            .bootstrap_admin(None)
            .await
            .expect("bootstrap")
            .expect("admin key");
        let service = Arc::new(service);
        let router = router(AppState::new(Arc::clone(&service)));
        Self {
            router,
            service,
            store,
            clock,
            admin,
            key: String::new(),
            product_key: String::new(),
            _dir: dir,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().as_millis()
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        send_on(self.router.clone(), req).await
    }

    /// A request with a raw body; `key` empty sends no `Authorization`.
    pub async fn raw(&self, method: Method, path: &str, key: &str, body: impl Into<Body>) -> Resp {
        self.send(request(method, path, bearer(key).as_deref(), body))
            .await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let body = body.map_or_else(Vec::new, |b| serde_json::to_vec(b).expect("json"));
        let r = self.raw(method, path, key, body).await;
        (r.status, r.json)
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, key, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, key: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, key, Some(&body)).await
    }

    pub async fn get(&self, path: &str, key: &str) -> (u16, Value) {
        self.call(Method::GET, path, key, None).await
    }

    pub async fn delete(&self, path: &str, key: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, key, None).await
    }

    /// Creates a key of shop with the admin key and returns the secret.
    pub async fn create_key(&self, kind: &str, env: Option<&str>) -> String {
        let (s, b) = self
            .post(
                "/v1/keys",
                &self.admin,
                json!({"kind": kind, "product": "shop", "env": env, "name": "test"}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        b["key"].as_str().expect("key").to_owned()
    }

    /// Creates a session type in shop with the product-wide access key.
    pub async fn create_type(&self, body: Value) {
        let (s, b) = self
            .post("/v1/session-types", &self.product_key, body)
            .await;
        assert_eq!(s, 201, "{b}");
    }

    /// A second session type, `admin-session` (no schema, 1 hour), for tag mix-ups.
    pub async fn create_admin_type(&self) {
        self.create_type(
            json!({"tag": "admin-session", "name": "Admin", "expiry": 1, "period": "hours"}),
        )
        .await;
    }

    /// `create_admin_type`, then a session of it for identifier `u`; returns the start answer.
    pub async fn start_admin_session(&self) -> Value {
        self.create_admin_type().await;
        let (s, b) = self
            .post(
                START,
                &self.key,
                json!({"tag": "admin-session", "data": {}, "identifier": "u"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b
    }

    /// Starts a `user-session` for `user` with extra fields in `more` (merged into the body).
    pub async fn start_with(&self, user: &str, more: Value) -> Value {
        let body = with(
            json!({"tag": TYPE, "data": {"userId": user, "email": format!("{user}@example.com")}}),
            &more,
        );
        let (s, b) = self.post(START, &self.key, body).await;
        assert_eq!(s, 200, "{b}");
        b
    }

    pub async fn start(&self, user: &str) -> Value {
        self.start_with(user, json!({})).await
    }

    pub async fn verify(&self, token: &Value) -> (u16, Value) {
        self.post(VERIFY, &self.key, json!({"tag": TYPE, "token": token}))
            .await
    }

    pub async fn refresh(&self, refresh_token: &Value) -> (u16, Value) {
        self.post(
            REFRESH,
            &self.key,
            json!({"tag": TYPE, "refreshToken": refresh_token}),
        )
        .await
    }

    pub async fn revoke(&self, session_id: &Value) -> (u16, Value) {
        self.post(
            REVOKE,
            &self.key,
            json!({"tag": TYPE, "sessionId": session_id}),
        )
        .await
    }

    /// Lists `user`'s sessions with extra body fields; asserts 200.
    pub async fn list(&self, user: &str, more: Value) -> Value {
        let body = with(json!({"tag": TYPE, "identifier": user}), &more);
        let (s, b) = self.post(LIST, &self.key, body).await;
        assert_eq!(s, 200, "{b}");
        b
    }

    pub async fn count(&self, user: &str) -> u64 {
        self.list(user, json!({})).await["count"]
            .as_u64()
            .expect("count")
    }
}

/// Product `shop` (dev, prd), an access key of shop/dev in `app.key`, one of all its envs in
/// `app.product_key`, and session type
/// `user-session` (schema `{userId, email}`, selector `$Session{userId}`, expiry 1 hour).
pub async fn setup() -> App {
    set_up(App::new().await).await
}

/// As [`setup`], with these service settings.
pub async fn setup_with(settings: Settings) -> App {
    set_up(App::with_settings(settings).await).await
}

async fn set_up(mut app: App) -> App {
    let (s, b) = app
        .post(
            "/v1/products",
            &app.admin,
            json!({"tag": "shop", "name": "Shop", "envs": ["dev", "prd"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    app.key = app.create_key("access", Some("dev")).await;
    app.product_key = app.create_key("access", None).await;
    app.create_type(json!({
        "tag": TYPE, "name": "User session", "schema": {"userId": "u", "email": "e"},
        "selector": "$Session{userId}", "expiry": 1, "period": "hours",
    }))
    .await;
    app
}

/// `body` with the fields of `more` added (or replacing its own).
pub fn with(mut body: Value, more: &Value) -> Value {
    if let (Some(b), Some(m)) = (body.as_object_mut(), more.as_object()) {
        b.extend(m.clone());
    }
    body
}

/// Data that fits the schema of [`TYPE`] (`{userId, email}`), for bodies whose data is not the
/// point of the test.
pub fn ok_data() -> Value {
    json!({"userId": "u", "email": "e"})
}

/// Asserts an error answer: status, code, and the exact shape `{"error": {code, message, status}}`
/// (and `field`, the name of the field a 422 is about, when there is one) with a non-empty
/// message. `ctx` says which case failed.
#[track_caller]
pub fn assert_err_ctx(resp: &(u16, Value), status: u16, code: &str, ctx: &str) {
    let (got, body) = resp;
    assert_eq!(
        (*got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{ctx}: {body}"
    );
    let top = body.as_object().expect("object body");
    assert_eq!(top.keys().collect::<Vec<_>>(), ["error"], "{ctx}: {body}");
    let mut keys: Vec<_> = body["error"]
        .as_object()
        .expect("error object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    if body["error"].get("field").is_some() {
        assert_eq!(status, 422, "only a 422 names a field: {ctx}: {body}");
        assert!(body["error"]["field"].is_string(), "{ctx}: {body}");
        keys.retain(|k| k != "field");
    }
    assert_eq!(keys, ["code", "message", "status"], "{ctx}: {body}");
    assert_eq!(body["error"]["status"], json!(status), "{ctx}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.trim().is_empty()),
        "{ctx}: {body}"
    );
}

#[track_caller]
pub fn assert_err(resp: &(u16, Value), status: u16, code: &str) {
    assert_err_ctx(resp, status, code, "");
}

/// Asserts `v` is an ISO 8601 UTC time with milliseconds (`2026-11-23T10:00:00.000Z`) and
/// returns it in milliseconds since the epoch.
#[track_caller]
pub fn ms(v: &Value) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a time string: {v}"));
    let b = s.as_bytes();
    assert!(
        b.len() == 24 && b[10] == b'T' && b[19] == b'.' && s.ends_with('Z'),
        "not ISO with millis and Z: {s}"
    );
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .timestamp_millis()
}

/// Asserts every listed field is present and every object key (recursively) is camelCase.
#[track_caller]
pub fn assert_fields(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "missing field {f} in {v}");
    }
    fn camel(v: &Value) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                assert!(
                    !k.contains('_') && !k.starts_with(char::is_uppercase),
                    "not camelCase: {k}"
                );
                camel(v);
            }),
            Value::Array(a) => a.iter().for_each(camel),
            _ => {}
        }
    }
    camel(v);
}

/// The decoded header and claims of a JWS compact token, and its signature part.
pub fn jwt_parts(token: &Value) -> (Value, Value, String) {
    let parts: Vec<&str> = token.as_str().expect("token").split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let dec =
        |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64")).expect("json");
    (dec(parts[0]), dec(parts[1]), parts[2].to_owned())
}

/// Re-encodes a token from a header, claims and a signature part.
pub fn jwt_encode(header: &Value, claims: &Value, signature: &str) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    format!("{}.{}.{signature}", enc(header), enc(claims))
}
