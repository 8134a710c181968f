//! Browser sessions (SPEC section 6): cookies from start and refresh, the browser endpoints
//! with sliding expiry, the device list, revoking another device, sign-out, and CSRF refusals.
//! A small cookie jar plays the browser: it keeps what `Set-Cookie` sets and sends each cookie
//! only to the paths it was set for.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::support::*;

const BASE: &str = "/v1/browser/shop/dev/user-session";
const ORIGIN: &str = "https://app.example.com";

/// A cookie the browser holds.
#[derive(Clone, Debug)]
struct Held {
    name: String,
    value: String,
    path: String,
}

/// One browser: its cookies and its User-Agent.
#[derive(Default)]
struct Browser {
    cookies: Vec<Held>,
    user_agent: &'static str,
}

impl Browser {
    fn new(user_agent: &'static str) -> Self {
        Self {
            cookies: Vec::new(),
            user_agent,
        }
    }

    /// Keeps the cookies a `Set-Cookie` list sets; drops those it deletes.
    fn take(&mut self, set_cookies: impl IntoIterator<Item = String>) {
        for line in set_cookies {
            let mut parts = line.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .and_then(|p| p.split_once('='))
                .expect("name=value");
            let mut path = "/".to_owned();
            let mut removal = value.is_empty();
            for attribute in parts {
                if let Some(p) = attribute.strip_prefix("Path=") {
                    path = p.to_owned();
                }
                removal |= attribute == "Max-Age=0";
            }
            self.cookies.retain(|c| !(c.name == name && c.path == path));
            if !removal {
                self.cookies.push(Held {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    path,
                });
            }
        }
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }

    /// Calls a browser endpoint with the cookies whose path covers it.
    async fn call(
        &mut self,
        app: &App,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Resp {
        let full = format!("{BASE}{path}");
        let cookie = self
            .cookies
            .iter()
            .filter(|c| full.starts_with(&c.path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(&full)
            .header("user-agent", self.user_agent);
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut req = req.body(Body::empty()).expect("request");
        let peer: SocketAddr = "198.51.100.20:50000".parse().expect("addr");
        req.extensions_mut().insert(ConnectInfo(peer));
        let resp = app.send(req).await;
        self.take(set_cookies(&resp));
        resp
    }
}

fn set_cookies(resp: &Resp) -> Vec<String> {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect()
}

/// `setup()` with cookies on `user-session` (updateAge 10 minutes) and an allowed origin.
async fn browser_app() -> App {
    let app = setup().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"cookie": {"name": "sid"}, "updateAge": 600}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .patch(
            "/v1/products/shop",
            &app.admin,
            json!({"allowedOrigins": [ORIGIN]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    app
}

/// A browser signed in as `user`: the backend started the session and forwarded its cookies.
async fn signed_in(app: &App, user: &str, user_agent: &'static str) -> (Browser, Value) {
    let started = app.start(user).await;
    let mut browser = Browser::new(user_agent);
    let cookies = started["cookies"].as_array().expect("cookies").clone();
    browser.take(
        cookies
            .iter()
            .map(|c| c.as_str().expect("string").to_owned()),
    );
    (browser, started)
}

const CSRF: (&str, &str) = ("x-hallpass-csrf", "1");

#[tokio::test]
async fn start_and_refresh_answer_both_cookies_with_every_setting() {
    let app = browser_app().await;
    let started = app.start("u1").await;
    let cookies: Vec<&str> = started["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .map(|c| c.as_str().expect("string"))
        .collect();
    assert_eq!(cookies.len(), 2);
    let token = started["token"].as_str().unwrap();
    assert!(
        cookies[0].starts_with(&format!("sid={token};")),
        "{}",
        cookies[0]
    );
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Expires="] {
        assert!(
            cookies[0].contains(attribute),
            "{} lacks {attribute}",
            cookies[0]
        );
    }
    let refresh = started["refreshToken"].as_str().unwrap();
    assert!(cookies[1].starts_with(&format!("sid.refresh={refresh};")));
    assert!(
        cookies[1].contains(&format!("Path={BASE}/refresh")),
        "{}",
        cookies[1]
    );
    assert!(cookies[1].contains("HttpOnly"));

    let (s, refreshed) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200, "{refreshed}");
    assert!(
        refreshed["cookies"][0]
            .as_str()
            .unwrap()
            .contains(refreshed["token"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_type_without_cookie_settings_answers_no_cookies_and_has_no_browser_endpoints() {
    let app = setup().await;
    let started = app.start("u1").await;
    assert!(started.get("cookies").is_none(), "{started}");
    let mut browser = Browser::new("test");
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(
        &(resp.status, resp.json.clone()),
        404,
        "session_type_not_found",
    );
    assert!(
        resp.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no cookie settings")
    );
}

#[tokio::test]
async fn the_cookie_alone_reads_the_session_and_it_slides_after_update_age() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["session"]["sessionId"], started["sessionId"]);
    assert_eq!(resp.json["session"]["identifier"], "u1");
    assert_eq!(resp.json["session"]["expiresAt"], started["expiresAt"]);
    assert_eq!(resp.json["data"]["email"], "u1@example.com");
    assert_fields(&resp.json, &["session", "data"]);
    assert_fields(
        &resp.json["session"],
        &["sessionId", "tag", "identifier", "createdAt", "expiresAt"],
    );
    assert!(
        set_cookies(&resp).is_empty(),
        "younger than updateAge: no new cookie"
    );

    app.clock.advance_secs(601);
    let slid = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(slid.status, 200, "{}", slid.text);
    let renewed = set_cookies(&slid);
    assert_eq!(renewed.len(), 2, "both cookies anew: {renewed:?}");
    assert!(renewed[1].starts_with("sid.refresh="));
    assert!(ms(&slid.json["session"]["expiresAt"]) > ms(&started["expiresAt"]));
    let new_token = json!(browser.value("sid").unwrap());
    assert_ne!(new_token, started["token"]);
    let (s, verified) = app.verify(&new_token).await;
    assert_eq!(s, 200, "{verified}");
    let listed = app.list("u1", json!({})).await;
    assert_eq!(
        listed["sessions"][0]["expiresAt"], slid.json["session"]["expiresAt"],
        "recorded in the store"
    );

    // The new refresh cookie works; the one before it is spent.
    let resp = browser.call(&app, Method::POST, "/refresh", &[CSRF]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}

#[tokio::test]
async fn a_client_that_ignores_the_new_cookies_slides_at_most_once_a_minute() {
    let app = browser_app().await;
    let (browser, _) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(601);
    let mut sessions_slid = 0;
    for _ in 0..5 {
        // A fresh jar each time: the client keeps presenting the old token.
        let mut stubborn = Browser::new("curl");
        stubborn.cookies = browser.cookies.clone();
        let resp = stubborn.call(&app, Method::GET, "/session", &[]).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        sessions_slid += usize::from(!set_cookies(&resp).is_empty());
    }
    assert_eq!(sessions_slid, 1);
}

#[tokio::test]
async fn a_slid_token_never_outlives_its_session() {
    let app = browser_app().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"refreshExpiry": 2, "refreshPeriod": "hours"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(3000);
    let first = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(set_cookies(&first).len(), 2, "{}", first.text);
    app.clock.advance_secs(3300);
    let slid = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(slid.status, 200, "{}", slid.text);
    assert_eq!(
        ms(&slid.json["session"]["expiresAt"]),
        ms(&started["refreshExpiresAt"]),
        "capped at the session's end, not a full hour past it"
    );
}

#[tokio::test]
async fn a_slid_token_stays_refused_after_revocation() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(601);
    browser.call(&app, Method::GET, "/session", &[]).await;
    let (s, _) = app.revoke(&started["sessionId"]).await;
    assert_eq!(s, 200);
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "session_revoked");
}

#[tokio::test]
async fn browser_refresh_rotates_the_cookies_and_a_reused_one_clears_them() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::POST, "/refresh", &[CSRF]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["session"]["sessionId"], started["sessionId"]);
    assert!(resp.json.get("token").is_none() && resp.json.get("refreshToken").is_none());
    assert_eq!(set_cookies(&resp).len(), 2);
    assert_ne!(
        browser.value("sid.refresh"),
        started["refreshToken"].as_str()
    );

    // The old refresh token, presented again after the grace: theft, and the cookies go.
    app.clock.advance_secs(120);
    let mut thief = Browser::new("curl");
    thief.take([format!(
        "sid.refresh={}; Path={BASE}/refresh",
        started["refreshToken"].as_str().unwrap()
    )]);
    let resp = thief
        .call(&app, Method::POST, "/refresh", &[("origin", ORIGIN)])
        .await;
    assert_err(
        &(resp.status, resp.json.clone()),
        401,
        "refresh_token_reused",
    );
    assert!(set_cookies(&resp).iter().all(|c| c.contains("Max-Age=0")));
    assert!(thief.cookies.is_empty());
}

#[tokio::test]
async fn state_changing_calls_need_an_allowed_origin_or_the_csrf_header() {
    let app = browser_app().await;
    let (mut browser, _) = signed_in(&app, "u1", "Firefox").await;
    for (path, method) in [
        ("/refresh", Method::POST),
        ("/sign-out", Method::POST),
        ("/sessions/x", Method::DELETE),
    ] {
        for headers in [
            vec![],
            vec![("origin", "https://evil.example")],
            vec![("x-hallpass-csrf", "yes")],
        ] {
            let resp = browser.call(&app, method.clone(), path, &headers).await;
            assert_err_ctx(
                &(resp.status, resp.json.clone()),
                403,
                "csrf_rejected",
                &format!("{method} {path} {headers:?}"),
            );
        }
    }
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(resp.status, 200, "reads need no CSRF proof");
    let resp = browser
        .call(&app, Method::POST, "/refresh", &[("origin", ORIGIN)])
        .await;
    assert_eq!(resp.status, 200, "an allowed origin passes: {}", resp.text);
}

#[tokio::test]
async fn the_csrf_header_does_not_pass_with_a_same_site_none_cookie() {
    let app = browser_app().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"cookie": {"name": "sid", "sameSite": "none"}}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (mut browser, _) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::POST, "/refresh", &[CSRF]).await;
    assert_err(&(resp.status, resp.json.clone()), 403, "csrf_rejected");
    let resp = browser
        .call(&app, Method::POST, "/refresh", &[("origin", ORIGIN)])
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}

#[tokio::test]
async fn the_device_list_marks_the_current_session_and_another_device_can_be_revoked() {
    let app = browser_app().await;
    let (mut laptop, laptop_session) = signed_in(&app, "u1", "Firefox on the laptop").await;
    let (mut phone, phone_session) = signed_in(&app, "u1", "Safari on the phone").await;
    let (_, stranger) = signed_in(&app, "u2", "Chrome").await;

    let resp = laptop.call(&app, Method::GET, "/sessions", &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["count"], 2);
    let sessions = resp.json["sessions"].as_array().unwrap();
    let current: Vec<(&Value, &Value)> = sessions
        .iter()
        .map(|s| (&s["sessionId"], &s["current"]))
        .collect();
    assert_eq!(
        current,
        [
            (&phone_session["sessionId"], &json!(false)),
            (&laptop_session["sessionId"], &json!(true))
        ]
    );
    assert_fields(
        &sessions[0],
        &[
            "sessionId",
            "tag",
            "identifier",
            "createdAt",
            "expiresAt",
            "refreshExpiresAt",
            "lastActiveAt",
            "device",
            "current",
        ],
    );

    let stranger_id = stranger["sessionId"].as_str().unwrap();
    let resp = laptop
        .call(
            &app,
            Method::DELETE,
            &format!("/sessions/{stranger_id}"),
            &[CSRF],
        )
        .await;
    assert_err(&(resp.status, resp.json.clone()), 404, "session_not_found");
    assert_eq!(
        app.verify(&stranger["token"]).await.0,
        200,
        "another user's session is untouched"
    );

    let phone_id = phone_session["sessionId"].as_str().unwrap();
    let resp = laptop
        .call(
            &app,
            Method::DELETE,
            &format!("/sessions/{phone_id}"),
            &[CSRF],
        )
        .await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"revoked": true})));
    assert!(
        set_cookies(&resp).is_empty(),
        "the laptop keeps its own cookies"
    );
    let resp = phone.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "session_revoked");
    assert_eq!(
        laptop.call(&app, Method::GET, "/sessions", &[]).await.json["count"],
        1
    );
}

#[tokio::test]
async fn sign_out_revokes_and_clears_both_cookies() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::POST, "/sign-out", &[CSRF]).await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"revoked": true})));
    let cleared = set_cookies(&resp);
    assert_eq!(cleared.len(), 2);
    assert!(cleared[0].starts_with("sid=;") && cleared[1].starts_with("sid.refresh=;"));
    assert!(cleared[1].contains(&format!("Path={BASE}/refresh")));
    assert!(browser.cookies.is_empty(), "{:?}", browser.cookies);
    assert_err(&app.verify(&started["token"]).await, 401, "session_revoked");

    let again = browser.call(&app, Method::POST, "/sign-out", &[CSRF]).await;
    assert_eq!(
        (again.status, &again.json),
        (200, &json!({"revoked": false}))
    );
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "unauthorized");
    assert!(
        resp.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no session cookie 'sid'")
    );
}

#[tokio::test]
async fn browser_calls_record_the_device_and_activity_off_the_request_path() {
    let app = browser_app().await;
    let (mut browser, _) = signed_in(&app, "u1", "Firefox 130").await;
    app.clock.advance_secs(30);
    browser.call(&app, Method::GET, "/session", &[]).await;
    let before = app.list("u1", json!({})).await;
    assert_eq!(
        before["sessions"][0]["device"],
        json!({}),
        "not written on the request path"
    );

    assert_eq!(app.service.flush_activity().await.expect("flush"), 1);
    let after = app.list("u1", json!({})).await;
    let session = &after["sessions"][0];
    assert_eq!(
        session["device"],
        json!({"ip": "198.51.100.20", "userAgent": "Firefox 130"})
    );
    assert_eq!(ms(&session["lastActiveAt"]), app.now_ms());

    app.clock.advance_secs(30);
    browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(
        app.service.flush_activity().await.expect("flush"),
        0,
        "at most once a minute"
    );
}

#[tokio::test]
async fn forward_auth_reads_the_cookie_and_forwards_data_when_asked() {
    let app = browser_app().await;
    let (browser, started) = signed_in(&app, "u1", "Firefox").await;
    let check = |cookie: String| {
        Request::builder()
            .uri("/v1/forward-auth?product=shop&env=dev&tag=user-session")
            .header("cookie", cookie)
            .body(Body::empty())
            .expect("request")
    };
    let cookie = format!("sid={}", browser.value("sid").unwrap());
    let resp = app.send(check(cookie.clone())).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.headers["x-session-id"],
        started["sessionId"].as_str().unwrap()
    );
    assert!(
        resp.headers.get("x-session-data").is_none(),
        "forwardData is off"
    );

    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"forwardData": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let resp = app.send(check(cookie)).await;
    let data = resp.headers["x-session-data"].to_str().unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data)
        .expect("base64url");
    let data: Value = serde_json::from_slice(&decoded).expect("json");
    assert_eq!(data["email"], "u1@example.com");

    let resp = app.send(check("other=1".into())).await;
    assert_eq!(resp.status, 401);
}

#[tokio::test]
async fn an_unknown_product_env_or_type_is_a_4xx_json_error() {
    let app = browser_app().await;
    let (browser, _) = signed_in(&app, "u1", "Firefox").await;
    let cookie = format!("sid={}", browser.value("sid").unwrap());
    for (path, status, code) in [
        (
            "/v1/browser/shop/nope/user-session/session",
            422,
            "invalid_request",
        ),
        (
            "/v1/browser/nope/dev/user-session/session",
            404,
            "product_not_found",
        ),
        (
            "/v1/browser/shop/dev/nope/session",
            404,
            "session_type_not_found",
        ),
        (
            "/v1/browser/shop/x%3B%20Domain%3Devil.example/user-session/sign-out",
            422,
            "invalid_request",
        ),
        (
            "/v1/forward-auth?product=shop&env=nope&tag=user-session",
            422,
            "invalid_request",
        ),
    ] {
        let method = if path.ends_with("sign-out") {
            Method::POST
        } else {
            Method::GET
        };
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("cookie", &cookie)
            .header("x-hallpass-csrf", "1")
            .body(Body::empty())
            .expect("request");
        let resp = app.send(req).await;
        assert_err_ctx(&(resp.status, resp.json.clone()), status, code, path);
        assert!(set_cookies(&resp).is_empty(), "{path}: no cookie written");
    }
}
