//! Every route of SPEC section 3 answers its documented status and fields.

use serde_json::{Value, json};

use crate::support::*;

const ITEM_FIELDS: [&str; 8] = [
    "sessionId",
    "tag",
    "identifier",
    "createdAt",
    "expiresAt",
    "refreshExpiresAt",
    "lastActiveAt",
    "device",
];
const ISSUED_FIELDS: [&str; 7] = [
    "sessionId",
    "token",
    "refreshToken",
    "expiresAt",
    "refreshExpiresAt",
    "tag",
    "identifier",
];

#[track_caller]
fn assert_issued(b: &Value, now_ms: i64, lifetime_secs: i64) {
    assert_fields(b, &ISSUED_FIELDS);
    let id = b["sessionId"].as_str().expect("sessionId");
    assert!(
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{id}"
    );
    assert_eq!(b["token"].as_str().expect("token").split('.').count(), 3);
    let rt = b["refreshToken"].as_str().expect("refreshToken");
    assert!(rt.starts_with("hp_rt_") && rt.len() >= 6 + 43, "{rt}");
    assert_eq!(
        ms(&b["expiresAt"]),
        now_ms / 1000 * 1000 + lifetime_secs * 1000
    );
    assert_eq!(ms(&b["refreshExpiresAt"]), now_ms + 30 * 86_400_000);
    assert!(
        b.get("cookies").is_none_or(Value::is_null),
        "no cookie settings, no cookies: {b}"
    );
}

#[tokio::test]
async fn session_methods_answer_200_with_their_fields() {
    let app = setup().await;
    let data = json!({"userId": "u1", "email": "u1@example.com", "extra": [1, {"deep": true}]});
    let device = json!({"ip": "203.0.113.7", "userAgent": "curl/8.5"});
    let (s, started) = app
        .post(
            START,
            &app.key,
            json!({"tag": TYPE, "data": data, "device": device}),
        )
        .await;
    assert_eq!(s, 200, "{started}");
    assert_issued(&started, app.now_ms(), 3600);
    assert_eq!(
        (started["tag"].as_str(), started["identifier"].as_str()),
        (Some(TYPE), Some("u1"))
    );

    let (s, v) = app.verify(&started["token"]).await;
    assert_eq!(s, 200, "{v}");
    assert_fields(
        &v,
        &[
            "sessionId",
            "tag",
            "identifier",
            "data",
            "issuedAt",
            "expiresAt",
        ],
    );
    assert_eq!(
        (&v["sessionId"], &v["tag"], &v["identifier"], &v["data"]),
        (&started["sessionId"], &json!(TYPE), &json!("u1"), &data)
    );
    assert_eq!(ms(&v["issuedAt"]), T0_MS);
    assert_eq!(v["expiresAt"], started["expiresAt"]);

    app.clock.advance_secs(60);
    let (s, r) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200, "{r}");
    assert_issued(&r, app.now_ms() - 60_000, 3600 + 60);
    assert_eq!(r["sessionId"], started["sessionId"]);
    assert_ne!(
        (&r["token"], &r["refreshToken"]),
        (&started["token"], &started["refreshToken"])
    );

    let l = app.list("u1", json!({})).await;
    assert_fields(&l, &["sessions", "count"]);
    assert_eq!(
        (l["count"].as_u64(), l["sessions"].as_array().map(Vec::len)),
        (Some(1), Some(1))
    );
    assert!(l.get("nextCursor").is_none_or(Value::is_null), "{l}");
    let item = &l["sessions"][0];
    assert_fields(item, &ITEM_FIELDS);
    assert_eq!(
        (&item["sessionId"], &item["identifier"], &item["device"]),
        (&started["sessionId"], &json!("u1"), &device)
    );
    assert_eq!(
        (ms(&item["createdAt"]), ms(&item["lastActiveAt"])),
        (T0_MS, T0_MS + 60_000)
    );
    assert_eq!(
        (&item["expiresAt"], &item["refreshExpiresAt"]),
        (&r["expiresAt"], &started["refreshExpiresAt"])
    );

    let (s, b) = app.revoke(&started["sessionId"]).await;
    assert_eq!((s, b), (200, json!({"revoked": true})));

    app.start("u1").await;
    app.start("u1").await;
    let (s, b) = app
        .post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u1"}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"revokedCount": 2})));
}

#[tokio::test]
async fn session_types_create_get_update_list_delete() {
    let app = setup().await;
    let (s, created) = app
        .post("/v1/session-types", &app.product_key, json!({"tag": "checkout-session", "name": "Checkout", "expiry": 15, "period": "minutes"}))
        .await;
    assert_eq!(s, 201, "{created}");
    let fields = [
        "tag",
        "name",
        "description",
        "schema",
        "selector",
        "expiry",
        "period",
        "refreshExpiry",
        "refreshPeriod",
        "refreshGrace",
        "cookie",
        "updateAge",
        "forwardData",
        "createdAt",
        "updatedAt",
    ];
    assert_fields(&created, &fields);
    let expected = json!({
        "tag": "checkout-session", "name": "Checkout", "expiry": 15, "period": "minutes",
        "refreshExpiry": 30, "refreshPeriod": "days", "refreshGrace": 10,
        "cookie": null, "updateAge": null, "forwardData": false, "selector": null,
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&created[k], v, "field {k} of {created}");
    }
    assert_eq!(
        (ms(&created["createdAt"]), ms(&created["updatedAt"])),
        (T0_MS, T0_MS)
    );

    let (s, got) = app
        .get("/v1/session-types/checkout-session", &app.key)
        .await;
    assert_eq!((s, &got), (200, &created));

    app.clock.advance_secs(5);
    let (s, updated) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"description": "Logged-in users", "refreshGrace": 30}),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(
        (&updated["description"], &updated["refreshGrace"]),
        (&json!("Logged-in users"), &json!(30))
    );
    let kept = json!({"name": "User session", "schema": {"userId": "u", "email": "e"}, "selector": "$Session{userId}", "expiry": 1, "period": "hours", "refreshExpiry": 30});
    for (k, v) in kept.as_object().unwrap() {
        assert_eq!(&updated[k], v, "merge must keep {k}: {updated}");
    }
    assert_eq!(
        (ms(&updated["createdAt"]), ms(&updated["updatedAt"])),
        (T0_MS, T0_MS + 5000)
    );
    let (s, got) = app.get("/v1/session-types/user-session", &app.key).await;
    assert_eq!((s, &got), (200, &updated));

    let (s, l) = app.get("/v1/session-types", &app.key).await;
    assert_eq!(s, 200, "{l}");
    assert_fields(&l, &["sessionTypes"]);
    let mut tags: Vec<_> = l["sessionTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["checkout-session", TYPE]);

    // Singular periods are accepted.
    let (s, b) = app
        .post(
            "/v1/session-types",
            &app.product_key,
            json!({"tag": "one", "name": "One", "expiry": 1, "period": "hour"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    let (s, b) = app
        .delete("/v1/session-types/checkout-session", &app.product_key)
        .await;
    assert_eq!((s, b), (200, json!({"deleted": true})));
    assert_err(
        &app.get("/v1/session-types/checkout-session", &app.key)
            .await,
        404,
        "session_type_not_found",
    );
}

#[tokio::test]
async fn products_create_patch_list() {
    let app = setup().await;
    let (s, blog) = app
        .post(
            "/v1/products",
            &app.admin,
            json!({"tag": "blog", "name": "Blog"}),
        )
        .await;
    assert_eq!(s, 201, "{blog}");
    assert_fields(
        &blog,
        &["tag", "name", "envs", "allowedOrigins", "createdAt"],
    );
    assert_eq!(
        (
            &blog["tag"],
            &blog["name"],
            &blog["envs"],
            &blog["allowedOrigins"]
        ),
        (
            &json!("blog"),
            &json!("Blog"),
            &json!(["dev", "prd"]),
            &json!([])
        )
    );
    assert_eq!(ms(&blog["createdAt"]), T0_MS);

    let body = json!({"tag": "docs", "name": "Docs", "envs": ["staging"], "allowedOrigins": ["https://docs.example.com"]});
    let (s, docs) = app.post("/v1/products", &app.admin, body).await;
    assert_eq!(
        (s, &docs["envs"], &docs["allowedOrigins"]),
        (
            201,
            &json!(["staging"]),
            &json!(["https://docs.example.com"])
        ),
        "{docs}"
    );

    let (s, p) = app
        .patch("/v1/products/blog", &app.admin, json!({"name": "The Blog"}))
        .await;
    assert_eq!(
        (s, &p["name"], &p["envs"], &p["allowedOrigins"]),
        (200, &json!("The Blog"), &json!(["dev", "prd"]), &json!([])),
        "{p}"
    );
    let (s, p) = app
        .patch(
            "/v1/products/blog",
            &app.admin,
            json!({"allowedOrigins": ["http://localhost:3000"]}),
        )
        .await;
    assert_eq!(
        (s, &p["name"], &p["allowedOrigins"]),
        (200, &json!("The Blog"), &json!(["http://localhost:3000"])),
        "{p}"
    );

    let (s, l) = app.get("/v1/products", &app.admin).await;
    assert_eq!(s, 200, "{l}");
    let mut tags: Vec<_> = l["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["tag"].as_str().unwrap())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["blog", "docs", "shop"]);
}

#[tokio::test]
async fn keys_create_list_delete() {
    let app = setup().await;
    let (s, access) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "access", "product": "shop", "name": "backend"}),
        )
        .await;
    assert_eq!(s, 201, "{access}");
    assert_fields(
        &access,
        &["id", "kind", "product", "env", "name", "key", "createdAt"],
    );
    assert_eq!(
        (
            &access["kind"],
            &access["product"],
            &access["env"],
            &access["name"]
        ),
        (
            &json!("access"),
            &json!("shop"),
            &Value::Null,
            &json!("backend")
        )
    );
    assert!(
        access["key"].as_str().unwrap().starts_with("hp_sk_"),
        "{access}"
    );
    ms(&access["createdAt"]);
    let (s, public) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "publishable", "product": "shop", "env": "dev", "name": "web"}),
        )
        .await;
    assert_eq!((s, &public["env"]), (201, &json!("dev")), "{public}");
    assert!(
        public["key"].as_str().unwrap().starts_with("hp_pk_"),
        "{public}"
    );
    // An access key manages keys of its own product.
    let (s, own) = app
        .post(
            "/v1/keys",
            &app.key,
            json!({"kind": "publishable", "env": "dev", "name": "web2"}),
        )
        .await;
    assert_eq!((s, &own["product"]), (201, &json!("shop")), "{own}");

    let (s, l) = app.get("/v1/keys", &app.admin).await;
    assert_eq!(s, 200, "{l}");
    let keys = l["keys"].as_array().unwrap();
    for k in keys {
        assert!(k.get("key").is_none(), "secret listed: {k}");
    }
    for id in [&access["id"], &public["id"], &own["id"]] {
        assert!(keys.iter().any(|k| &k["id"] == id), "{id} not listed");
    }
    for secret in [&access["key"], &public["key"]] {
        assert!(!l.to_string().contains(secret.as_str().unwrap()));
    }

    let secret = access["key"].as_str().unwrap();
    assert_eq!(app.get("/v1/session-types", secret).await.0, 200);
    let (s, b) = app
        .delete(
            &format!("/v1/keys/{}", access["id"].as_str().unwrap()),
            &app.admin,
        )
        .await;
    assert_eq!((s, b), (200, json!({"deleted": true})));
    assert_err(
        &app.get("/v1/session-types", secret).await,
        401,
        "unauthorized",
    );
}

#[tokio::test]
async fn signing_key_rotation_and_jwks() {
    let app = setup().await;
    let jwks = |app: &App| {
        let app = app.router.clone();
        async move {
            let r = send_on(
                app,
                request(axum::http::Method::GET, "/v1/jwks/shop/dev", None, ""),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let keys = r.json["keys"].as_array().expect("keys").clone();
            for k in &keys {
                assert!(
                    ["kty", "kid", "alg"]
                        .iter()
                        .all(|f| k[f].as_str().is_some_and(|s| !s.is_empty())),
                    "{k}"
                );
            }
            keys
        }
    };
    let kids = |keys: &[Value]| {
        keys.iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let first = jwks(&app).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(
        (&first[0]["alg"], &first[0]["kty"]),
        (&json!("EdDSA"), &json!("OKP"))
    );
    let a = app.start("a").await;
    assert_eq!(jwt_parts(&a["token"]).0["kid"], first[0]["kid"]);

    let rotate = "/v1/products/shop/envs/dev/signing-keys/rotate";
    let mut tokens = vec![a["token"].clone()];
    let mut rotated = vec![];
    for (body, alg) in [
        (None, "EdDSA"),
        (Some(json!({"alg": "ES256"})), "ES256"),
        (Some(json!({"alg": "HS256"})), "HS256"),
    ] {
        app.clock.advance_secs(1);
        let (s, r) = app
            .call(axum::http::Method::POST, rotate, &app.admin, body.as_ref())
            .await;
        assert_eq!((s, r.as_object().map(|o| o.len())), (200, Some(2)), "{r}");
        assert_eq!(r["alg"], json!(alg), "{r}");
        let t = app.start("a").await;
        let (h, _, _) = jwt_parts(&t["token"]);
        assert_eq!(
            (&h["alg"], &h["kid"], &h["typ"]),
            (&json!(alg), &r["kid"], &json!("JWT")),
            "{h}"
        );
        tokens.push(t["token"].clone());
        rotated.push(r["kid"].as_str().unwrap().to_owned());
    }
    let published = kids(&jwks(&app).await);
    assert!(
        published.contains(&kids(&first)[0]),
        "the first key still verifies a live token: {published:?}"
    );
    assert!(
        published.contains(&rotated[0]),
        "the rotated EdDSA key is still published: {published:?}"
    );
    assert!(
        published.contains(&rotated[1]),
        "the ES256 key is published: {published:?}"
    );
    assert!(
        !published.contains(&rotated[2]),
        "HS256 keys are never published: {published:?}"
    );
    let es = jwks(&app)
        .await
        .into_iter()
        .find(|k| k["kid"] == json!(rotated[1]))
        .unwrap();
    assert_eq!((&es["alg"], &es["kty"]), (&json!("ES256"), &json!("EC")));
    for t in &tokens {
        let (s, v) = app.verify(t).await;
        assert_eq!(
            s, 200,
            "tokens signed before a rotation keep verifying: {v}"
        );
    }
}

#[tokio::test]
async fn a_rotated_key_signs_at_once_even_within_the_same_millisecond() {
    let app = setup().await;
    let rotate = "/v1/products/shop/envs/dev/signing-keys/rotate";
    for alg in ["EdDSA", "ES256", "EdDSA", "HS256", "EdDSA", "ES256"] {
        let (s, r) = app.post(rotate, &app.admin, json!({"alg": alg})).await;
        assert_eq!(s, 200, "{r}");
        let (h, _, _) = jwt_parts(&app.start("a").await["token"]);
        assert_eq!(
            (&h["alg"], &h["kid"]),
            (&json!(alg), &r["kid"]),
            "the new key signs new tokens"
        );
    }
}

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
