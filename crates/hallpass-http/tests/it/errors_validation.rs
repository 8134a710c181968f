//! Errors of JSON bodies whose contents are wrong (422): wrong types, missing fields and bad
//! values are `invalid_request`, session data that breaks its type's schema is
//! `schema_violation` (naming every offending path), and an identifier the type's selector
//! cannot find in the data is `selector_unresolved`.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::*;

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
async fn a_body_that_is_an_array_of_the_fields_is_not_taken_for_an_object() {
    let app = setup().await;
    // serde fills a struct from an array of its fields in order: this was a patch of nothing
    // that answered 200.
    let patch = app
        .raw(
            Method::PATCH,
            "/v1/products/shop",
            &app.admin,
            "[null, null]",
        )
        .await;
    assert_err(&(patch.status, patch.json), 422, "invalid_request");
    let start = app
        .raw(
            Method::POST,
            START,
            &app.key,
            r#"["user-session", {"userId": "u", "email": "e"}]"#,
        )
        .await;
    assert_err(&(start.status, start.json), 422, "invalid_request");
    assert_eq!(app.count("u").await, 0);
    for not_an_object in ["42", "\"text\"", "null", "true"] {
        let r = app.raw(Method::POST, START, &app.key, not_an_object).await;
        assert_err(&(r.status, r.json), 422, "invalid_request");
    }
    // Not JSON at all stays 400.
    let r = app.raw(Method::POST, START, &app.key, "[1,").await;
    assert_err(&(r.status, r.json), 400, "invalid_json");
}
