//! Every error code of SPEC section 3, where the SPEC says it is produced.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::Method;
use serde_json::{Value, json};

use crate::support::*;

fn ok_data() -> Value {
    json!({"userId": "u", "email": "e"})
}

#[tokio::test]
async fn bodies_that_are_not_json_are_invalid_json() {
    let app = setup().await;
    for path in [
        START,
        VERIFY,
        REFRESH,
        REVOKE,
        REVOKE_ALL,
        LIST,
        "/v1/session-types",
        "/v1/products",
        "/v1/keys",
    ] {
        for body in [
            "not json",
            "",
            "   ",
            "{\"tag\":",
            "{'tag': 'x'}",
            "{",
            "nul",
        ] {
            let r = app.raw(Method::POST, path, &app.admin, body).await;
            assert_err_ctx(
                &(r.status, r.json),
                400,
                "invalid_json",
                &format!("POST {path} {body:?}"),
            );
        }
    }
    let r = app
        .raw(
            Method::PATCH,
            "/v1/session-types/user-session",
            &app.key,
            "nope",
        )
        .await;
    assert_err(&(r.status, r.json), 400, "invalid_json");
    let not_utf8 = b"{\"tag\": \"\xff\xfe\"}".to_vec();
    let r = app.raw(Method::POST, START, &app.key, not_utf8).await;
    assert_err(&(r.status, r.json.clone()), 400, "invalid_json");
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
}

#[tokio::test]
async fn truncated_json_is_invalid_json_even_when_its_start_has_the_wrong_type() {
    let app = setup().await;
    for body in [
        "[1,",
        "{\"tag\": 5,",
        "{\"tag\": \"user-session\", \"data\": 5",
    ] {
        let r = app.raw(Method::POST, START, &app.key, body).await;
        assert_err_ctx(&(r.status, r.json), 400, "invalid_json", body);
    }
}

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
async fn duplicates_and_deleting_a_type_in_use_are_conflicts() {
    let app = setup().await;
    let dup = json!({"tag": TYPE, "name": "Again", "expiry": 2, "period": "hours"});
    assert_err(
        &app.post("/v1/session-types", &app.product_key, dup).await,
        409,
        "conflict",
    );
    assert_eq!(
        app.get("/v1/session-types/user-session", &app.key).await.1["name"],
        json!("User session")
    );
    assert_err(
        &app.post(
            "/v1/products",
            &app.admin,
            json!({"tag": "shop", "name": "Shop 2"}),
        )
        .await,
        409,
        "conflict",
    );
    let s = app.start("u").await;
    assert_err(
        &app.delete("/v1/session-types/user-session", &app.product_key)
            .await,
        409,
        "conflict",
    );
    assert_err(
        &app.delete(
            "/v1/session-types/user-session?force=false",
            &app.product_key,
        )
        .await,
        409,
        "conflict",
    );
    assert_eq!(app.verify(&s["token"]).await.0, 200);
}

#[tokio::test]
async fn bodies_over_64_kib_are_payload_too_large() {
    let app = setup().await;
    let big = "x".repeat(65 * 1024);
    let body = json!({"tag": TYPE, "data": {"userId": "big", "email": "e", "blob": big}});
    assert_err(
        &app.post(START, &app.key, body).await,
        413,
        "payload_too_large",
    );
    assert_eq!(app.count("big").await, 0);
    let body =
        json!({"tag": "big", "name": "Big", "description": big, "expiry": 1, "period": "hours"});
    assert_err(
        &app.post("/v1/session-types", &app.product_key, body).await,
        413,
        "payload_too_large",
    );
    // Just under the limit is fine.
    let body = json!({"tag": TYPE, "data": {"userId": "big", "email": "e", "blob": "x".repeat(60 * 1024)}});
    assert_eq!(app.post(START, &app.key, body).await.0, 200);
}

#[tokio::test]
async fn the_413_message_names_the_limit_of_the_route_that_refused() {
    let app = setup().await;
    let start = app
        .post(
            START,
            &app.key,
            json!({"tag": TYPE, "data": {"blob": "x".repeat(65 * 1024)}}),
        )
        .await;
    assert_err(&start, 413, "payload_too_large");
    let message = start.1["error"]["message"].as_str().expect("message");
    assert!(message.contains("65536 bytes, 64 KiB"), "{message}");

    // Verify takes twice the limit (a token carries its data twice encoded), and says so.
    let verify = app
        .post(
            "/v1/sessions/verify",
            &app.key,
            json!({"tag": TYPE, "token": "x".repeat(129 * 1024)}),
        )
        .await;
    assert_err(&verify, 413, "payload_too_large");
    let message = verify.1["error"]["message"].as_str().expect("message");
    assert!(message.contains("131072 bytes, 128 KiB"), "{message}");
}

#[tokio::test]
async fn wrong_types_missing_fields_and_bad_values_are_invalid_request() {
    let app = setup().await;
    let all_env = app.create_key("access", None).await;
    let (key, all_env, admin) = (app.key.as_str(), all_env.as_str(), app.admin.as_str());
    let start = |more: Value| {
        let mut b = json!({"tag": TYPE, "data": ok_data()});
        b.as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        b
    };
    let cases: Vec<(&str, &str, Value)> = vec![
        (START, key, json!({"tag": 5, "data": ok_data()})),
        (START, key, json!({"data": ok_data()})),
        (START, key, json!({"tag": TYPE})),
        (START, key, json!([{"tag": TYPE}])),
        (START, key, json!("start")),
        (START, key, json!({"tag": TYPE, "data": [1, 2]})),
        (START, key, json!({"tag": TYPE, "data": "userId"})),
        (START, key, json!({"tag": TYPE, "data": null})),
        (START, key, start(json!({"identifier": true}))),
        (START, key, start(json!({"identifier": {"id": 1}}))),
        (START, key, start(json!({"identifier": ["u"]}))),
        (START, key, start(json!({"identifier": ""}))),
        (START, key, start(json!({"expiresIn": 0}))),
        (START, key, start(json!({"expiresIn": 366 * 86_400 + 1}))),
        (START, key, start(json!({"expiresIn": 10 * 365 * 86_400}))),
        (START, key, start(json!({"expiresIn": -5}))),
        (START, key, start(json!({"expiresIn": "60"}))),
        (START, key, start(json!({"expiresIn": 1.5}))),
        (START, key, start(json!({"device": {"ip": "not-an-ip"}}))),
        (START, key, start(json!({"device": "phone"}))),
        (START, all_env, start(json!({}))),
        (START, all_env, start(json!({"env": "qa"}))),
        (START, admin, start(json!({"product": "shop"}))),
        (START, admin, start(json!({"product": "shop", "env": "qa"}))),
        (VERIFY, key, json!({"tag": TYPE})),
        (VERIFY, key, json!({"tag": TYPE, "token": 42})),
        (REFRESH, key, json!({"tag": TYPE})),
        (REVOKE, key, json!({"tag": TYPE, "sessionId": 7})),
        (REVOKE_ALL, key, json!({"tag": TYPE})),
        (REVOKE_ALL, key, json!({"tag": TYPE, "identifier": ""})),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "limit": 1001}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "limit": 0}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "limit": -1}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "limit": "10"}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "cursor": "!!!"}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "cursor": "Zm9v"}),
        ),
        (
            LIST,
            key,
            json!({"tag": TYPE, "identifier": "u", "cursor": 3}),
        ),
        (LIST, key, json!({"tag": TYPE})),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": 5, "name": "X", "expiry": 1, "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"name": "X", "expiry": 1, "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "expiry": 1, "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 1}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": "1", "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 0, "period": "hours"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 1, "period": "fortnights"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 1, "period": "hours", "refreshPeriod": "eons"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 1, "period": "hours", "selector": "userId"}),
        ),
        (
            "/v1/session-types",
            all_env,
            json!({"tag": "x", "name": "X", "expiry": 1, "period": "hours", "forwardData": "yes"}),
        ),
        ("/v1/products", admin, json!({"tag": "Bad!", "name": "X"})),
        (
            "/v1/products",
            admin,
            json!({"tag": "ok", "name": "X", "envs": ["Dev"]}),
        ),
        (
            "/v1/products",
            admin,
            json!({"tag": "ok", "name": "X", "envs": "dev"}),
        ),
        (
            "/v1/keys",
            admin,
            json!({"kind": "root", "product": "shop", "name": "x"}),
        ),
        (
            "/v1/keys",
            admin,
            json!({"kind": "publishable", "product": "shop", "name": "x"}),
        ),
        (
            "/v1/keys",
            admin,
            json!({"kind": "access", "product": "shop", "env": "qa", "name": "x"}),
        ),
    ];
    for (path, key, body) in cases {
        assert_err_ctx(
            &app.post(path, key, body.clone()).await,
            422,
            "invalid_request",
            &format!("{path} {body}"),
        );
    }
    for tag in [
        "Bad Tag",
        "-lead",
        "_lead",
        "UPPER",
        "",
        "a/b",
        "é",
        &"a".repeat(65),
    ] {
        let body = json!({"tag": tag, "name": "X", "expiry": 1, "period": "hours"});
        assert_err_ctx(
            &app.post("/v1/session-types", &app.product_key, body).await,
            422,
            "invalid_request",
            tag,
        );
    }
    let body = json!({"tag": "a".repeat(64), "name": "X", "expiry": 1, "period": "hours"});
    assert_eq!(
        app.post("/v1/session-types", &app.product_key, body)
            .await
            .0,
        201,
        "64 characters is the longest tag"
    );
    for body in [
        json!({"period": "fortnights"}),
        json!({"expiry": -1}),
        json!({"refreshGrace": "ten"}),
        json!({"tag": "other"}),
    ] {
        let ctx = body.to_string();
        assert_err_ctx(
            &app.patch("/v1/session-types/user-session", &app.product_key, body)
                .await,
            422,
            "invalid_request",
            &ctx,
        );
    }
    assert_eq!(
        app.get("/v1/session-types/user-session", &app.key).await.1["period"],
        json!("hours"),
        "a refused patch changes nothing"
    );
    for ok in [json!(1), json!(365 * 86_400)] {
        let (s, b) = app
            .post(START, &app.key, start(json!({"expiresIn": ok})))
            .await;
        assert_eq!(s, 200, "expiresIn {ok}: {b}");
    }
    assert_eq!(
        app.count("u").await,
        2,
        "only the two valid starts stored a session"
    );
}

#[tokio::test]
async fn schema_violations_list_every_offending_path() {
    let app = setup().await;
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": TYPE, "data": {"userId": 5, "email": 6}}),
        )
        .await;
    assert_err(&(s, b.clone()), 422, "schema_violation");
    let msg = b["error"]["message"].as_str().unwrap();
    for part in [
        "userId: expected string, got number",
        "email: expected string, got number",
    ] {
        assert!(msg.contains(part), "{part} not in {msg}");
    }
    let schema = json!({"userId": "u", "details": {"email": "e", "age": 1, "tags": [], "admin": false, "any": null}});
    app.create_type(json!({"tag": "nested", "name": "Nested", "schema": schema, "selector": "$Session{userId}", "expiry": 1, "period": "hours"})).await;
    let data = json!({"userId": "u", "details": {"email": 5, "tags": {}, "admin": "no", "any": [1], "extra": 1}});
    let (s, b) = app
        .post(START, &app.key, json!({"tag": "nested", "data": data}))
        .await;
    assert_err(&(s, b.clone()), 422, "schema_violation");
    let msg = b["error"]["message"].as_str().unwrap();
    for part in [
        "details.email: expected string, got number",
        "details.age",
        "details.tags: expected array, got object",
        "details.admin: expected boolean, got string",
    ] {
        assert!(msg.contains(part), "{part} not in {msg}");
    }
    assert!(
        !msg.contains("details.any") && !msg.contains("details.extra"),
        "{msg}"
    );
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": "nested", "data": {"details": {}}}),
        )
        .await;
    assert_err(&(s, b.clone()), 422, "schema_violation");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("userId"),
        "{b}"
    );
    let data = json!({"userId": "u", "details": {"email": "e", "age": 3, "tags": ["a"], "admin": true, "any": "x"}});
    assert_eq!(
        app.post(START, &app.key, json!({"tag": "nested", "data": data}))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn identifiers_that_do_not_resolve_are_selector_unresolved() {
    let app = setup().await;
    app.create_type(json!({"tag": "acct", "name": "Account", "selector": "$Session{account}{id}", "expiry": 1, "period": "hours"})).await;
    for data in [
        json!({}),
        json!({"account": {}}),
        json!({"account": "a"}),
        json!({"account": {"id": {"x": 1}}}),
        json!({"account": {"id": [1]}}),
        json!({"account": {"id": null}}),
        json!({"account": {"id": true}}),
    ] {
        let ctx = data.to_string();
        assert_err_ctx(
            &app.post(START, &app.key, json!({"tag": "acct", "data": data}))
                .await,
            422,
            "selector_unresolved",
            &ctx,
        );
    }
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": "acct", "data": {"account": {"id": 42}}}),
        )
        .await;
    assert_eq!((s, &b["identifier"]), (200, &json!("42")), "{b}");
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": "acct", "data": {}, "identifier": "explicit"}),
        )
        .await;
    assert_eq!(
        (s, &b["identifier"]),
        (200, &json!("explicit")),
        "an explicit identifier needs no selector: {b}"
    );
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": "acct", "data": {}, "identifier": 7}),
        )
        .await;
    assert_eq!((s, &b["identifier"]), (200, &json!("7")), "{b}");
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

#[tokio::test]
async fn odd_bodies_on_every_route_never_answer_500() {
    let app = setup().await;
    let s = app.start("u").await;
    let deep = format!(
        "{{\"tag\":\"{TYPE}\",\"data\":{}1{}}}",
        "[".repeat(300),
        "]".repeat(300)
    );
    let bodies: Vec<Vec<u8>> = [
        "null", "[]", "{}", "\"str\"", "123", "true", "{\"tag\": null}", "{\"tag\": \"\"}", "{\"tag\": {}}",
        "{\"tag\": \"user-session\", \"data\": {}, \"identifier\": null, \"token\": \"\", \"refreshToken\": \"\", \"sessionId\": \"\"}",
        "{\"tag\": \"user-session\", \"identifier\": \"\\u0000\"}", "\u{feff}{}", &deep,
    ]
    .iter()
    .map(|b| b.as_bytes().to_vec())
    .chain([vec![0xff, 0xfe, 0x00], b"{\"tag\": \"\xff\"}".to_vec()])
    .collect();
    let routes = [
        (Method::POST, START),
        (Method::POST, VERIFY),
        (Method::POST, REFRESH),
        (Method::POST, REVOKE),
        (Method::POST, REVOKE_ALL),
        (Method::POST, LIST),
        (Method::POST, "/v1/session-types"),
        (Method::PATCH, "/v1/session-types/user-session"),
        (Method::POST, "/v1/products"),
        (Method::PATCH, "/v1/products/shop"),
        (Method::POST, "/v1/keys"),
        (
            Method::POST,
            "/v1/products/shop/envs/dev/signing-keys/rotate",
        ),
    ];
    for (method, path) in routes {
        for key in [app.key.as_str(), app.admin.as_str()] {
            for body in &bodies {
                let r = app.raw(method.clone(), path, key, body.clone()).await;
                let ctx = format!(
                    "{method} {path} {}",
                    String::from_utf8_lossy(body)
                        .chars()
                        .take(60)
                        .collect::<String>()
                );
                assert!(r.status < 500, "{ctx}: {} {}", r.status, r.text);
                if r.status >= 400 {
                    let code = r.json["error"]["code"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    assert_err_ctx(&(r.status, r.json), r.status, &code, &ctx);
                }
            }
        }
    }
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    assert_eq!(
        app.get("/v1/session-types/user-session", &app.key).await.1["name"],
        json!("User session")
    );
}
