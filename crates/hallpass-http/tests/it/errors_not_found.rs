//! Errors of what is not there (404, 405): unknown session types (`session_type_not_found`),
//! sessions outside the caller's product, env and tag (`session_not_found`), unknown routes
//! (`not_found`) and wrong methods (`method_not_allowed`).

use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn unknown_session_types_are_session_type_not_found() {
    let app = setup().await;
    let s = app.start("u").await;
    let cases = [
        (
            Method::POST,
            START,
            Some(json!({"tag": "nope", "data": ok_data()})),
        ),
        (
            Method::POST,
            VERIFY,
            Some(json!({"tag": "nope", "token": s["token"]})),
        ),
        (
            Method::POST,
            REFRESH,
            Some(json!({"tag": "nope", "refreshToken": s["refreshToken"]})),
        ),
        (
            Method::POST,
            REVOKE,
            Some(json!({"tag": "nope", "sessionId": s["sessionId"]})),
        ),
        (
            Method::POST,
            REVOKE_ALL,
            Some(json!({"tag": "nope", "identifier": "u"})),
        ),
        (
            Method::POST,
            LIST,
            Some(json!({"tag": "nope", "identifier": "u"})),
        ),
        (Method::GET, "/v1/session-types/nope", None),
        (
            Method::PATCH,
            "/v1/session-types/nope",
            Some(json!({"description": "x"})),
        ),
        (Method::DELETE, "/v1/session-types/nope", None),
    ];
    for (method, path, body) in cases {
        let ctx = format!("{method} {path}");
        // Changing a type takes a key of every env (it is shared by them all).
        let key = if path.starts_with("/v1/session-types/") && method != Method::GET {
            &app.product_key
        } else {
            &app.key
        };
        assert_err_ctx(
            &app.call(method, path, key, body.as_ref()).await,
            404,
            "session_type_not_found",
            &ctx,
        );
    }
    assert_eq!(app.verify(&s["token"]).await.0, 200);
}

#[tokio::test]
async fn revoking_a_session_not_in_this_product_env_and_tag_is_session_not_found() {
    let app = setup().await;
    let other_tag = app.start_admin_session().await;
    let (s, prd) = app
        .post(
            START,
            &app.admin,
            json!({"product": "shop", "env": "prd", "tag": TYPE, "data": ok_data()}),
        )
        .await;
    assert_eq!(s, 200, "{prd}");
    for id in [
        json!("01JD0000000000000000000000"),
        json!("nope"),
        json!(""),
        other_tag["sessionId"].clone(),
        prd["sessionId"].clone(),
    ] {
        assert_err_ctx(
            &app.revoke(&id).await,
            404,
            "session_not_found",
            &id.to_string(),
        );
    }
    let verify_other = json!({"tag": "admin-session", "token": other_tag["token"]});
    assert_eq!(
        app.post(VERIFY, &app.key, verify_other).await.0,
        200,
        "still active"
    );
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_json() {
    let app = setup().await;
    for (method, path) in [
        (Method::GET, "/v1/nope"),
        (Method::POST, "/v1/sessions/nope"),
        (Method::GET, "/"),
        (Method::GET, "/v2/sessions/start"),
    ] {
        let r = app.raw(method.clone(), path, &app.key, "{}").await;
        assert_err_ctx(
            &(r.status, r.json),
            404,
            "not_found",
            &format!("{method} {path}"),
        );
    }
    for (method, path) in [
        (Method::GET, START),
        (Method::PUT, LIST),
        (Method::DELETE, "/v1/products"),
        (Method::POST, "/healthz"),
        (Method::POST, "/v1/keys/x"),
    ] {
        let r = app.raw(method.clone(), path, &app.key, "{}").await;
        assert_err_ctx(
            &(r.status, r.json),
            405,
            "method_not_allowed",
            &format!("{method} {path}"),
        );
    }
}
