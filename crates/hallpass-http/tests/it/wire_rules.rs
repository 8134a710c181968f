//! The rules of single fields as docs/API.md §1.2 states them and `docs/openapi.json` declares
//! them: lengths in characters, whole numbers however written, nested objects only as objects,
//! `sameSite` in lower case, a `null` rotate body, and the methods forward-auth answers.

use axum::http::{Method, Request};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn lengths_count_characters_not_bytes() {
    let app = setup().await;
    // 128 characters of two bytes each: 256 bytes, within the 1 to 128 characters of a name.
    let name = "é".repeat(128);
    let (s, b) = app
        .post(
            "/v1/products",
            &app.admin,
            json!({"tag": "accents", "name": name}),
        )
        .await;
    assert_eq!((s, b["name"].as_str()), (201, Some(name.as_str())), "{b}");
    let too_long = "é".repeat(129);
    assert_err(
        &app.post(
            "/v1/products",
            &app.admin,
            json!({"tag": "accents2", "name": too_long}),
        )
        .await,
        422,
        "invalid_request",
    );
    // An identifier of 256 three-byte characters is one identifier; 257 is not.
    let id = "€".repeat(256);
    let started = app.start_with("u", json!({"identifier": id})).await;
    assert_eq!(started["identifier"].as_str(), Some(id.as_str()));
    let body = json!({"tag": TYPE, "data": ok_data(), "identifier": "€".repeat(257)});
    assert_err(
        &app.post(START, &app.key, body).await,
        422,
        "invalid_request",
    );
}

#[tokio::test]
async fn whole_numbers_are_read_however_they_are_written() {
    let app = setup().await;
    let started = app.start_with("u", json!({"expiresIn": 60.0})).await;
    let lifetime = ms(&started["expiresAt"]) - app.now_ms();
    assert_eq!(lifetime, 60_000);
    app.start("u").await;
    let list = app.list("u", json!({"limit": 1e0})).await;
    assert_eq!(list["sessions"].as_array().map(Vec::len), Some(1));
    for bad in [json!(60.5), json!(-60.0), json!(1e300)] {
        let body = json!({"tag": TYPE, "data": ok_data(), "expiresIn": bad});
        let resp = app.post(START, &app.key, body).await;
        assert_err(&resp, 422, "invalid_request");
        let message = resp.1["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("expected a whole number"),
            "{bad}: {message}"
        );
    }
}

#[tokio::test]
async fn nested_objects_are_refused_as_arrays() {
    let app = setup().await;
    let body = json!({"tag": TYPE, "data": ok_data(), "device": ["10.0.0.1", "curl"]});
    assert_err(
        &app.post(START, &app.key, body).await,
        422,
        "invalid_request",
    );
    let path = format!("/v1/session-types/{TYPE}");
    let (before_status, before) = app.get(&path, &app.product_key).await;
    assert_eq!(before_status, 200, "{before}");
    assert_err(
        &app.patch(&path, &app.product_key, json!({"cookie": ["sid", true]}))
            .await,
        422,
        "invalid_request",
    );
    let (_, after) = app.get(&path, &app.product_key).await;
    assert_eq!(after["cookie"], before["cookie"], "nothing changed");
}

#[tokio::test]
async fn same_site_is_one_of_three_lower_case_words() {
    let app = setup().await;
    let path = format!("/v1/session-types/{TYPE}");
    for bad in ["Lax", "STRICT", "None", "relaxed"] {
        let body = json!({"cookie": {"sameSite": bad}});
        assert_err_ctx(
            &app.patch(&path, &app.product_key, body).await,
            422,
            "invalid_request",
            bad,
        );
    }
    let (s, b) = app
        .patch(
            &path,
            &app.product_key,
            json!({"cookie": {"sameSite": "strict"}}),
        )
        .await;
    assert_eq!(
        (s, b["cookie"]["sameSite"].as_str()),
        (200, Some("strict")),
        "{b}"
    );
}

#[tokio::test]
async fn a_null_rotate_body_is_no_body() {
    let app = setup().await;
    let path = "/v1/products/shop/envs/dev/signing-keys/rotate";
    let resp = app.raw(Method::POST, path, &app.admin, "null").await;
    assert_eq!(
        (resp.status, resp.json["alg"].as_str()),
        (200, Some("EdDSA")),
        "{}",
        resp.text
    );
    let resp = app.raw(Method::POST, path, &app.admin, "[]").await;
    assert_eq!(resp.status, 422, "{}", resp.text);
}

#[tokio::test]
async fn forward_auth_answers_the_methods_the_document_names_and_405_to_others() {
    let app = setup().await;
    let s = app.start("u1").await;
    let token = s["token"].as_str().expect("token");
    let path = "/v1/forward-auth?product=shop&env=dev&tag=user-session";
    let ask = |method: Method| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("x-hallpass-session", token)
            .body(axum::body::Body::empty())
            .expect("request")
    };
    for method in [
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
    ] {
        let resp = app.send(ask(method.clone())).await;
        assert_eq!(resp.status, 200, "{method}: {}", resp.text);
    }
    for method in [
        Method::CONNECT,
        Method::from_bytes(b"QUERY").expect("method"),
        Method::from_bytes(b"PROPFIND").expect("method"),
    ] {
        let resp = app.send(ask(method.clone())).await;
        assert_eq!(
            (resp.status, resp.json["error"]["code"].as_str()),
            (405, Some("method_not_allowed")),
            "{method}: {}",
            resp.text
        );
    }
}
