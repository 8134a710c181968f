//! The product and API-key routes: products are created, patched and listed, and keys are
//! created (their secret shown once), listed without secrets and deleted.

use serde_json::{Value, json};

use crate::support::*;

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
