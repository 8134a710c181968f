//! Errors of authentication: a missing, unknown, malformed or deleted key is `unauthorized`
//! (401), and many failed authentications from one client address are `rate_limited` (429).

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn missing_unknown_malformed_and_deleted_keys_are_unauthorized() {
    let app = setup().await;
    let body = serde_json::to_vec(&json!({"tag": TYPE, "identifier": "u"})).unwrap();
    let unknown_admin = format!("Bearer hp_admin_{}", "a".repeat(43));
    let cases: [Option<&str>; 9] = [
        None,
        Some(""),
        Some("Bearer"),
        Some("Bearer "),
        Some("Bearer hp_sk_doesnotexist0000000000000000000000000000"),
        Some(&unknown_admin),
        Some("Basic dXNlcjpwYXNz"),
        Some("garbage"),
        Some("Bearer hp_pk_"),
    ];
    for auth in cases {
        let r = app
            .send(request(Method::POST, LIST, auth, body.clone()))
            .await;
        assert_err_ctx(
            &(r.status, r.json),
            401,
            "unauthorized",
            &format!("{auth:?}"),
        );
    }
    for path in ["/v1/session-types", "/v1/products", "/v1/keys"] {
        assert_err_ctx(&app.get(path, "").await, 401, "unauthorized", path);
    }
    let (_, k) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "access", "product": "shop", "env": "dev", "name": "gone"}),
        )
        .await;
    let secret = k["key"].as_str().unwrap();
    assert_eq!(
        app.post(LIST, secret, json!({"tag": TYPE, "identifier": "u"}))
            .await
            .0,
        200
    );
    assert_eq!(
        app.delete(
            &format!("/v1/keys/{}", k["id"].as_str().unwrap()),
            &app.admin
        )
        .await
        .0,
        200
    );
    assert_err(
        &app.post(LIST, secret, json!({"tag": TYPE, "identifier": "u"}))
            .await,
        401,
        "unauthorized",
    );
}

#[tokio::test]
async fn many_failed_authentications_from_one_client_are_rate_limited() {
    let app = setup().await;
    // The backend's key has been used before, as a running backend's has: this node knows it.
    app.count("u1").await;
    let from = |ip: [u8; 4]| {
        let mut req = request(
            Method::POST,
            LIST,
            Some("Bearer hp_sk_wrongwrongwrongwrongwrongwrongwrongwrong1"),
            "{}",
        );
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
        req
    };
    let mut limited = None;
    for i in 0..500 {
        let r = app.send(from([198, 51, 100, 7])).await;
        if r.status == 429 {
            limited = Some((i, r));
            break;
        }
        assert_err(&(r.status, r.json), 401, "unauthorized");
    }
    let (i, r) = limited.expect("500 failed authentications from one address were never limited");
    assert!(i >= 5, "limited after only {i} failures");
    let retry = r
        .headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().expect("seconds"));
    assert!(
        retry.is_some_and(|s| s >= 1),
        "Retry-After: {:?}",
        r.headers
    );
    assert_err(&(r.status, r.json), 429, "rate_limited");
    let other = app.send(from([198, 51, 100, 8])).await;
    assert_err(&(other.status, other.json), 401, "unauthorized");

    // A valid key from the limited address is still served: only failures are limited.
    let bearer = format!("Bearer {}", app.key);
    let mut valid = request(
        Method::POST,
        LIST,
        Some(&bearer),
        r#"{"tag": "user-session", "identifier": "u1"}"#,
    );
    valid
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([198, 51, 100, 7], 40_001))));
    let served = app.send(valid).await;
    assert_eq!(served.status, 200, "{}", served.json);
}
