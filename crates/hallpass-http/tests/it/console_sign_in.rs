//! The console's sign-in (docs/API.md §16): a key exchanged for an httpOnly SameSite=Strict
//! cookie that acts as the key on every route, with a CSRF token on every change; it ends at
//! sign-out, after 30 idle minutes, after 12 hours, or when its key is deleted.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use hallpass::Settings;
use serde_json::{Value, json};

use crate::support::browser::set_cookies;
use crate::support::*;

/// The console cookie's name on a deployment served over plain http (the default issuer).
const COOKIE: &str = "hallpass-console";

/// A console tab: the cookie the sign-in set and the CSRF token it answered.
struct Tab {
    cookie: String,
    csrf: String,
}

/// The answer of a sign-in with `key`, which must succeed.
async fn signed_in_answer(app: &App, key: &str) -> Resp {
    let resp = app
        .raw(
            Method::POST,
            "/v1/console/sign-in",
            "",
            json!({ "key": key }).to_string(),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    resp
}

async fn sign_in(app: &App, key: &str) -> Tab {
    let resp = signed_in_answer(app, key).await;
    let cookie = set_cookies(&resp).into_iter().next().expect("Set-Cookie");
    let value = cookie
        .split(';')
        .next()
        .and_then(|p| p.strip_prefix(&format!("{COOKIE}=")))
        .expect("the console cookie");
    Tab {
        cookie: value.to_owned(),
        csrf: resp.json["csrfToken"].as_str().expect("csrf").to_owned(),
    }
}

/// A call with the tab's cookie (no `Authorization`), and its CSRF token when `csrf` says so.
async fn call(
    app: &App,
    tab: &Tab,
    method: Method,
    path: &str,
    body: Option<Value>,
    csrf: Option<&str>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("cookie", format!("{COOKIE}={}", tab.cookie));
    if let Some(csrf) = csrf {
        req = req.header("x-hallpass-csrf", csrf);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let mut req = req.body(body).expect("request");
    let peer: SocketAddr = "198.51.100.30:50000".parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(peer));
    app.send(req).await
}

#[tokio::test]
async fn a_key_signs_in_and_the_cookie_acts_as_that_key() {
    let app = setup().await;
    let resp = signed_in_answer(&app, &app.key).await;
    let cookie = &set_cookies(&resp)[0];
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(!cookie.contains(&app.key), "the key is not in the cookie");
    assert_eq!(resp.json["key"]["kind"], "access");
    assert_eq!(resp.json["key"]["product"], "shop");
    assert_eq!(resp.json["key"]["env"], "dev");
    assert!(resp.json["expiresAt"].is_string());

    let tab = sign_in(&app, &app.key).await;
    let current = call(&app, &tab, Method::GET, "/v1/console/session", None, None).await;
    assert_eq!(current.status, 200, "{}", current.text);
    assert_eq!(current.json["csrfToken"], tab.csrf.as_str());

    // Reads need no CSRF token; a change does, and is made as the key.
    let types = call(&app, &tab, Method::GET, "/v1/session-types", None, None).await;
    assert_eq!(types.status, 200, "{}", types.text);
    let start = json!({"tag": TYPE, "data": {"userId": "u1", "email": "e"}});
    let started = call(
        &app,
        &tab,
        Method::POST,
        "/v1/sessions/start",
        Some(start),
        Some(&tab.csrf),
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let (s, events) = app.get("/v1/events?type=session.started", &app.key).await;
    assert_eq!(s, 200, "{events}");
    let key_id = current.json["key"]["id"].as_str().expect("id");
    assert_eq!(events["events"][0]["actor"]["keyId"], key_id);
}

#[tokio::test]
async fn a_change_without_the_csrf_token_is_refused() {
    let app = setup().await;
    let tab = sign_in(&app, &app.key).await;
    let other = sign_in(&app, &app.key).await;
    let start = json!({"tag": TYPE, "data": {"userId": "u1", "email": "e"}});
    for csrf in [None, Some(""), Some("1"), Some(other.csrf.as_str())] {
        let resp = call(
            &app,
            &tab,
            Method::POST,
            "/v1/sessions/start",
            Some(start.clone()),
            csrf,
        )
        .await;
        assert_eq!(resp.status, 403, "{csrf:?}: {}", resp.text);
        assert_eq!(resp.json["error"]["code"], "csrf_rejected");
        assert!(
            resp.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("X-Hallpass-CSRF")
        );
    }
    assert_eq!(app.count("u1").await, 0, "nothing was started");
    let signed_out = call(&app, &tab, Method::POST, "/v1/console/sign-out", None, None).await;
    assert_eq!(signed_out.status, 403, "sign-out is a change too");
}

#[tokio::test]
async fn what_the_key_may_not_do_the_console_may_not_either() {
    let app = setup().await;
    let tab = sign_in(&app, &app.key).await;
    let product = json!({"tag": "blog", "name": "Blog", "envs": ["prd"]});
    let resp = call(
        &app,
        &tab,
        Method::POST,
        "/v1/products",
        Some(product.clone()),
        Some(&tab.csrf),
    )
    .await;
    assert_eq!(resp.status, 403, "{}", resp.text);
    assert_eq!(resp.json["error"]["code"], "scope_forbidden");

    let admin = sign_in(&app, &app.admin).await;
    let resp = call(
        &app,
        &admin,
        Method::POST,
        "/v1/products",
        Some(product),
        Some(&admin.csrf),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    // A key in Authorization wins over the cookie: the access key sees its product only.
    let req = Request::builder()
        .uri("/v1/products")
        .header("authorization", format!("Bearer {}", app.key))
        .header("cookie", format!("{COOKIE}={}", admin.cookie))
        .body(Body::empty())
        .expect("request");
    let resp = app.send(req).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.json["products"].as_array().unwrap().len(),
        1,
        "{}",
        resp.text
    );
}

#[tokio::test]
async fn signing_out_ends_the_sign_in_on_the_server() {
    let app = setup().await;
    let tab = sign_in(&app, &app.key).await;
    let resp = call(
        &app,
        &tab,
        Method::POST,
        "/v1/console/sign-out",
        None,
        Some(&tab.csrf),
    )
    .await;
    assert_eq!(resp.status, 204, "{}", resp.text);
    let removal = &set_cookies(&resp)[0];
    assert!(
        removal.starts_with(&format!("{COOKIE}=;")) && removal.contains("Max-Age=0"),
        "{removal}"
    );
    // A browser that kept the cookie gets nothing more with it.
    for path in ["/v1/console/session", "/v1/session-types"] {
        let resp = call(&app, &tab, Method::GET, path, None, None).await;
        assert_eq!(resp.status, 401, "{path}: {}", resp.text);
        assert_eq!(resp.json["error"]["code"], "unauthorized");
        assert!(
            resp.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("sign in again")
        );
    }
}

#[tokio::test]
async fn a_sign_in_ends_after_30_idle_minutes_and_after_12_hours_in_use() {
    let app = setup().await;
    let idle = sign_in(&app, &app.key).await;
    let busy = sign_in(&app, &app.key).await;
    let session = |tab| call(&app, tab, Method::GET, "/v1/console/session", None, None);
    app.clock.advance_secs(29 * 60);
    assert_eq!(session(&busy).await.status, 200);
    app.clock.advance_secs(2 * 60);
    assert_eq!(session(&idle).await.status, 401, "31 minutes idle");
    // Used every 20 minutes, it still ends 12 hours after it began.
    for _ in 0..34 {
        app.clock.advance_secs(20 * 60);
        assert_eq!(session(&busy).await.status, 200);
    }
    app.clock.advance_secs(20 * 60);
    assert_eq!(session(&busy).await.status, 401, "12 hours");
}

#[tokio::test]
async fn deleting_the_key_ends_its_console_sign_ins() {
    let app = setup().await;
    let (s, created) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "access", "product": "shop", "name": "ops"}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let tab = sign_in(&app, created["key"].as_str().unwrap()).await;
    let id = created["id"].as_str().unwrap();
    let (s, b) = app.delete(&format!("/v1/keys/{id}"), &app.admin).await;
    assert_eq!(s, 200, "{b}");
    let resp = call(&app, &tab, Method::GET, "/v1/session-types", None, None).await;
    assert_eq!(resp.status, 401, "{}", resp.text);
}

#[tokio::test]
async fn only_admin_and_access_keys_sign_in() {
    let app = setup().await;
    let publishable = app.create_key("publishable", Some("dev")).await;
    for (body, status, code) in [
        (
            json!({"key": publishable}),
            403,
            "publishable_key_forbidden",
        ),
        (
            json!({"key": format!("hp_sk_{}", "x".repeat(43))}),
            401,
            "unauthorized",
        ),
        (json!({"key": ""}), 401, "unauthorized"),
        (json!({}), 422, "invalid_request"),
    ] {
        let resp = app
            .raw(Method::POST, "/v1/console/sign-in", "", body.to_string())
            .await;
        assert_err(&(resp.status, resp.json.clone()), status, code);
        assert!(set_cookies(&resp).is_empty(), "no cookie for {body}");
    }
    for cookie in ["", "hp_console_forged", "not-a-token"] {
        let tab = Tab {
            cookie: cookie.into(),
            csrf: String::new(),
        };
        let resp = call(&app, &tab, Method::GET, "/v1/console/session", None, None).await;
        assert_eq!(resp.status, 401, "{cookie:?}: {}", resp.text);
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_with_the_host_prefix() {
    let app = setup_with(Settings {
        issuer: "https://auth.example.com".into(),
        ..Settings::default()
    })
    .await;
    let resp = signed_in_answer(&app, &app.key).await;
    let cookie = &set_cookies(&resp)[0];
    assert!(cookie.starts_with("__Host-hallpass-console="), "{cookie}");
    assert!(
        cookie.contains("Secure") && !cookie.contains("Domain="),
        "{cookie}"
    );
}

#[tokio::test]
async fn guessing_console_tokens_is_limited_like_guessing_keys() {
    let app = setup_with(Settings {
        auth_failure_burst: 3,
        ..Settings::default()
    })
    .await;
    let guess = Tab {
        cookie: format!("hp_console_{}", "g".repeat(43)),
        csrf: String::new(),
    };
    for _ in 0..3 {
        let resp = call(&app, &guess, Method::GET, "/v1/session-types", None, None).await;
        assert_eq!(resp.status, 401, "{}", resp.text);
    }
    let resp = call(&app, &guess, Method::GET, "/v1/session-types", None, None).await;
    assert_eq!(resp.status, 429, "{}", resp.text);
    assert_eq!(resp.json["error"]["code"], "rate_limited");
}
