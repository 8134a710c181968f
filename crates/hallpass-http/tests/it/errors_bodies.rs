//! Errors of request bodies as bytes: bodies that are not JSON or not UTF-8 are `invalid_json`
//! (400), bodies over a route's limit are `payload_too_large` (413) with the limit in the
//! message, and odd bodies on every route answer an error of the JSON shape, never a 500.

use axum::http::Method;
use serde_json::json;

use crate::support::*;

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
