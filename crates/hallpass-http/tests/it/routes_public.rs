//! The routes that need no key: health, readiness, metrics, the JWKS and the OpenAPI document,
//! which lists every route.

use crate::support::*;

#[tokio::test]
async fn public_routes_need_no_key() {
    let app = setup().await;
    assert_eq!(app.get("/healthz", "").await.0, 200);
    assert_eq!(app.get("/readyz", "").await.0, 200);
    let r = app.raw(axum::http::Method::GET, "/metrics", "", "").await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        r.headers
    );
    assert!(
        r.text.contains("hallpass_http_requests_total"),
        "{}",
        r.text
    );

    assert_err(
        &app.get("/v1/jwks/nope/dev", "").await,
        404,
        "product_not_found",
    );
    assert_err(
        &app.get("/v1/jwks/shop/qa", "").await,
        422,
        "invalid_request",
    );

    let (s, doc) = app.get("/v1/openapi.json", "").await;
    assert_eq!(s, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let routes = [
        ("post", "/v1/sessions/start"),
        ("post", "/v1/sessions/verify"),
        ("post", "/v1/sessions/refresh"),
        ("post", "/v1/sessions/revoke"),
        ("post", "/v1/sessions/revoke-all"),
        ("post", "/v1/sessions/list"),
        ("post", "/v1/session-types"),
        ("get", "/v1/session-types"),
        ("get", "/v1/session-types/{tag}"),
        ("patch", "/v1/session-types/{tag}"),
        ("delete", "/v1/session-types/{tag}"),
        ("post", "/v1/products"),
        ("get", "/v1/products"),
        ("patch", "/v1/products/{tag}"),
        ("get", "/v1/products/{tag}"),
        (
            "post",
            "/v1/products/{product}/envs/{env}/signing-keys/rotate",
        ),
        ("post", "/v1/keys"),
        ("get", "/v1/keys"),
        ("delete", "/v1/keys/{id}"),
        ("get", "/v1/jwks/{product}/{env}"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/v1/openapi.json"),
    ];
    for (method, path) in routes {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
}
