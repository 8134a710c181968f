//! Forward auth (docs/API.md §6): the check a reverse proxy makes before forwarding a request.

use axum::http::{Method, Request, header};
use serde_json::json;

use crate::support::*;

const PATH: &str = "/v1/forward-auth?product=shop&env=dev&tag=user-session";

/// A forward-auth request with the given headers and no key.
async fn check(app: &App, method: Method, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    app.send(req.body(axum::body::Body::empty()).expect("request"))
        .await
}

/// A forward-auth request carrying `token` in `X-Hallpass-Session`.
async fn check_token(app: &App, path: &str, token: &str) -> Resp {
    check(app, Method::GET, path, &[("x-hallpass-session", token)]).await
}

fn header<'r>(resp: &'r Resp, name: &str) -> Option<&'r str> {
    resp.headers.get(name).and_then(|v| v.to_str().ok())
}

fn assert_denied(resp: &Resp, code: &str) {
    assert_eq!(
        (resp.status, resp.json["error"]["code"].as_str()),
        (401, Some(code)),
        "{}",
        resp.text
    );
    assert!(header(resp, "x-session-id").is_none());
}

#[tokio::test]
async fn a_valid_token_in_either_header_passes_with_the_session_headers() {
    let app = setup().await;
    let s = app.start("u1").await;
    let token = s["token"].as_str().unwrap();
    let bearer = format!("Bearer {token}");
    for (method, headers) in [
        (Method::GET, vec![("authorization", bearer.as_str())]),
        (Method::POST, vec![("x-hallpass-session", token)]),
        (Method::HEAD, vec![("x-hallpass-session", token)]),
    ] {
        let resp = check(&app, method.clone(), PATH, &headers).await;
        assert_eq!(resp.status, 200, "{method}: {}", resp.text);
        assert_eq!(header(&resp, "x-session-id"), s["sessionId"].as_str());
        assert_eq!(header(&resp, "x-session-identifier"), Some("u1"));
        assert_eq!(header(&resp, "x-session-tag"), Some(TYPE));
    }
}

#[tokio::test]
async fn no_token_a_bad_token_or_a_revoked_session_is_401_json() {
    let app = setup().await;
    assert_denied(&check(&app, Method::GET, PATH, &[]).await, "unauthorized");
    assert_denied(
        &check(&app, Method::GET, PATH, &[("authorization", "Bearer ")]).await,
        "unauthorized",
    );
    assert_denied(
        &check_token(&app, PATH, "not.a.jwt").await,
        "token_malformed",
    );
    let s = app.start("u1").await;
    let token = s["token"].as_str().unwrap();
    let other_env = PATH.replace("env=dev", "env=prd");
    assert_denied(
        &check_token(&app, &other_env, token).await,
        "wrong_environment",
    );
    let (st, _) = app.revoke(&s["sessionId"]).await;
    assert_eq!(st, 200);
    assert_denied(&check_token(&app, PATH, token).await, "session_revoked");
    app.clock.advance_secs(3601);
    let s2 = app.start("u2").await;
    app.clock.advance_secs(3601);
    assert_denied(
        &check_token(&app, PATH, s2["token"].as_str().unwrap()).await,
        "token_expired",
    );
}

#[tokio::test]
async fn a_missing_parameter_or_an_unknown_type_is_a_clear_configuration_error() {
    let app = setup().await;
    let s = app.start("u1").await;
    let token = s["token"].as_str().unwrap();
    for path in [
        "/v1/forward-auth",
        "/v1/forward-auth?product=shop&env=dev",
        "/v1/forward-auth?product=shop&env=&tag=user-session",
    ] {
        let resp = check_token(&app, path, token).await;
        assert_eq!(resp.status, 422, "{path}: {}", resp.text);
        assert_eq!(resp.json["error"]["code"], "invalid_request");
        assert!(
            resp.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("product, env and tag"),
            "{}",
            resp.text
        );
    }
    let resp = check_token(&app, &PATH.replace("user-session", "nope"), token).await;
    assert_eq!(
        (resp.status, resp.json["error"]["code"].as_str()),
        (404, Some("session_type_not_found")),
        "{}",
        resp.text
    );
}

#[tokio::test]
async fn an_identifier_a_header_cannot_hold_is_percent_encoded() {
    let app = setup().await;
    let s = app
        .start_with("x", json!({"identifier": "zoë 100%\tok"}))
        .await;
    let resp = check_token(&app, PATH, s["token"].as_str().unwrap()).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        header(&resp, "x-session-identifier"),
        Some("zo%C3%AB 100%25%09ok")
    );
}

#[tokio::test]
async fn forward_auth_needs_no_key_and_ignores_one() {
    let app = setup().await;
    let s = app.start("u1").await;
    // The Authorization header carries the session token, not an API key: an API key there is
    // just a malformed token.
    let key = format!("Bearer {}", app.key);
    assert_denied(
        &check(
            &app,
            Method::GET,
            PATH,
            &[(header::AUTHORIZATION.as_str(), &key)],
        )
        .await,
        "token_malformed",
    );
    let resp = check_token(&app, PATH, s["token"].as_str().unwrap()).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}
