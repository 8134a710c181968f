//! Errors of a valid key asking for what it may not do (403): a publishable key calling the
//! backend's session and session-type methods (`publishable_key_forbidden`), and a key naming a
//! product or env it does not belong to (`scope_forbidden`).

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn publishable_keys_cannot_call_session_or_session_type_methods() {
    let app = setup().await;
    let pk = app.create_key("publishable", Some("dev")).await;
    let s = app.start("u").await;
    let cases = [
        (
            Method::POST,
            START,
            Some(json!({"tag": TYPE, "data": ok_data()})),
        ),
        (
            Method::POST,
            VERIFY,
            Some(json!({"tag": TYPE, "token": s["token"]})),
        ),
        (
            Method::POST,
            REFRESH,
            Some(json!({"tag": TYPE, "refreshToken": s["refreshToken"]})),
        ),
        (
            Method::POST,
            REVOKE,
            Some(json!({"tag": TYPE, "sessionId": s["sessionId"]})),
        ),
        (
            Method::POST,
            REVOKE_ALL,
            Some(json!({"tag": TYPE, "identifier": "u"})),
        ),
        (
            Method::POST,
            LIST,
            Some(json!({"tag": TYPE, "identifier": "u"})),
        ),
        (
            Method::POST,
            "/v1/session-types",
            Some(json!({"tag": "x", "name": "X", "expiry": 1, "period": "hours"})),
        ),
        (
            Method::PATCH,
            "/v1/session-types/user-session",
            Some(json!({"description": "x"})),
        ),
        (Method::GET, "/v1/session-types", None),
        (Method::GET, "/v1/session-types/user-session", None),
        (
            Method::DELETE,
            "/v1/session-types/user-session?force=true",
            None,
        ),
    ];
    for (method, path, body) in cases {
        let resp = app.call(method.clone(), path, &pk, body.as_ref()).await;
        assert_err_ctx(
            &resp,
            403,
            "publishable_key_forbidden",
            &format!("{method} {path}"),
        );
        let msg = resp.1["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("backend") && msg.contains("access key"),
            "{msg}"
        );
    }
    // Refused before the body is read: even a malformed body gets the publishable answer.
    let bearer = format!("Bearer {pk}");
    for path in [START, VERIFY, "/v1/session-types"] {
        let resp = app
            .send(request(Method::POST, path, Some(&bearer), "{bad"))
            .await;
        assert_err_ctx(
            &(resp.status, resp.json),
            403,
            "publishable_key_forbidden",
            path,
        );
    }
    // Nothing happened.
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    assert_eq!(
        app.get("/v1/session-types/user-session", &app.key).await.1["description"],
        json!("")
    );
    assert_err(
        &app.get("/v1/session-types/x", &app.key).await,
        404,
        "session_type_not_found",
    );
}

#[tokio::test]
async fn keys_naming_another_product_or_env_are_scope_forbidden() {
    let app = setup().await;
    assert_eq!(
        app.post(
            "/v1/products",
            &app.admin,
            json!({"tag": "blog", "name": "Blog"})
        )
        .await
        .0,
        201
    );
    let (_, blog) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "access", "product": "blog", "name": "b"}),
        )
        .await;
    let blog_key = blog["key"].as_str().unwrap();
    let all_env = app.create_key("access", None).await;
    let s = app.start("u").await;
    let (key, all_env) = (app.key.as_str(), all_env.as_str());
    let cases: Vec<(Method, String, &str, Option<Value>)> = vec![
        (
            Method::POST,
            START.into(),
            key,
            Some(json!({"product": "blog", "tag": TYPE, "data": ok_data()})),
        ),
        (
            Method::POST,
            START.into(),
            key,
            Some(json!({"env": "prd", "tag": TYPE, "data": ok_data()})),
        ),
        (
            Method::POST,
            VERIFY.into(),
            key,
            Some(json!({"env": "prd", "tag": TYPE, "token": s["token"]})),
        ),
        (
            Method::POST,
            LIST.into(),
            key,
            Some(json!({"product": "blog", "env": "dev", "tag": TYPE, "identifier": "u"})),
        ),
        (
            Method::POST,
            REVOKE.into(),
            all_env,
            Some(
                json!({"product": "blog", "env": "dev", "tag": TYPE, "sessionId": s["sessionId"]}),
            ),
        ),
        (
            Method::POST,
            START.into(),
            blog_key,
            Some(json!({"product": "shop", "env": "dev", "tag": TYPE, "data": ok_data()})),
        ),
        (
            Method::GET,
            "/v1/session-types?product=blog".into(),
            key,
            None,
        ),
        (
            Method::POST,
            "/v1/session-types".into(),
            key,
            Some(
                json!({"product": "blog", "tag": "x", "name": "X", "expiry": 1, "period": "hours"}),
            ),
        ),
        (
            Method::POST,
            "/v1/keys".into(),
            key,
            Some(json!({"kind": "access", "product": "blog", "name": "x"})),
        ),
        (
            Method::POST,
            "/v1/keys".into(),
            key,
            Some(json!({"kind": "publishable", "env": "prd", "name": "x"})),
        ),
        (
            Method::POST,
            "/v1/products/shop/envs/prd/signing-keys/rotate".into(),
            key,
            None,
        ),
    ];
    for (method, path, key, body) in cases {
        let ctx = format!("{method} {path} {body:?}");
        assert_err_ctx(
            &app.call(method, &path, key, body.as_ref()).await,
            403,
            "scope_forbidden",
            &ctx,
        );
    }
    assert_eq!(app.verify(&s["token"]).await.0, 200, "nothing was revoked");
}
