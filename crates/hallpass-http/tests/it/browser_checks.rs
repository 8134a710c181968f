//! What the browser endpoints refuse: a state-changing call without an allowed `Origin` or the
//! CSRF header (and the header alone with a SameSite=None cookie), and an unknown product, env
//! or type, answered as a JSON error that writes no cookie.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;

use crate::support::browser::*;
use crate::support::*;

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
