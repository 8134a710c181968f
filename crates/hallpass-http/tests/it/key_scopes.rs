//! What a key of one env may read and change: nothing that another env uses. Regression tests
//! of a probe that found a dev access key listing and deleting production's keys, and changing
//! or deleting the session types every env shares.

use serde_json::{Value, json};

use crate::support::{App, START, TYPE, assert_err, setup};

/// The shop of `setup()` with one more key per kind: a prd access key and a dev publishable key.
async fn shop_with_keys() -> (App, String, String) {
    let app = setup().await;
    let prd = app.create_key("access", Some("prd")).await;
    let publishable = app.create_key("publishable", Some("dev")).await;
    (app, prd, publishable)
}

fn ids(body: &Value) -> Vec<String> {
    body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["id"].as_str().expect("id").to_owned())
        .collect()
}

fn envs(body: &Value) -> Vec<Value> {
    body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["env"].clone())
        .collect()
}

#[tokio::test]
async fn an_env_scoped_access_key_lists_only_the_keys_of_its_own_env() {
    let (app, _prd, _publishable) = shop_with_keys().await;
    let (s, dev_view) = app.get("/v1/keys", &app.key).await;
    assert_eq!(s, 200, "{dev_view}");
    assert_eq!(envs(&dev_view), [json!("dev"), json!("dev")], "{dev_view}");

    // A key of every env sees them all: its own, dev's two and prd's.
    let (s, wide_view) = app.get("/v1/keys", &app.product_key).await;
    assert_eq!(s, 200, "{wide_view}");
    assert_eq!(ids(&wide_view).len(), 4, "{wide_view}");
    for id in ids(&dev_view) {
        assert!(ids(&wide_view).contains(&id));
    }
}

#[tokio::test]
async fn an_env_scoped_access_key_cannot_delete_another_envs_key_or_a_product_wide_one() {
    let (app, prd, _publishable) = shop_with_keys().await;
    let (_, all) = app.get("/v1/keys", &app.admin).await;
    let keys = all["keys"].as_array().expect("keys").clone();
    let id_where = |env: Value| {
        keys.iter()
            .find(|k| k["env"] == env && k["kind"] == "access")
            .and_then(|k| k["id"].as_str())
            .expect("key")
            .to_owned()
    };
    let (prd_id, wide_id) = (id_where(json!("prd")), id_where(Value::Null));
    for id in [&prd_id, &wide_id] {
        assert_err(
            &app.delete(&format!("/v1/keys/{id}"), &app.key).await,
            404,
            "key_not_found",
        );
    }
    // Production's key and the product-wide key still work.
    let (s, b) = app
        .post(
            START,
            &prd,
            json!({"tag": TYPE, "data": {"userId": "u", "email": "e"}}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(app.get("/v1/keys", &app.product_key).await.0, 200);

    // Its own env's keys it may delete, and a product-wide key may delete any env's.
    let dev_publishable = keys
        .iter()
        .find(|k| k["kind"] == "publishable")
        .and_then(|k| k["id"].as_str())
        .expect("publishable key");
    let (s, b) = app
        .delete(&format!("/v1/keys/{dev_publishable}"), &app.key)
        .await;
    assert_eq!((s, &b["deleted"]), (200, &json!(true)), "{b}");
    let (s, b) = app
        .delete(&format!("/v1/keys/{prd_id}"), &app.product_key)
        .await;
    assert_eq!((s, &b["deleted"]), (200, &json!(true)), "{b}");
}

#[tokio::test]
async fn an_env_scoped_access_key_reads_session_types_but_cannot_change_them() {
    let (app, prd, _publishable) = shop_with_keys().await;
    let prd_session = app
        .post(
            START,
            &prd,
            json!({"tag": TYPE, "data": {"userId": "u", "email": "e"}}),
        )
        .await
        .1;
    let path = format!("/v1/session-types/{TYPE}");

    let (s, b) = app.get(&path, &app.key).await;
    assert_eq!((s, &b["tag"]), (200, &json!(TYPE)), "{b}");
    let (s, b) = app.get("/v1/session-types", &app.key).await;
    assert_eq!(s, 200, "{b}");

    let created = app
        .post(
            "/v1/session-types",
            &app.key,
            json!({"tag": "dev-only", "name": "Dev", "expiry": 1, "period": "hours"}),
        )
        .await;
    assert_err(&created, 403, "scope_forbidden");
    let message = created.1["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("every env") && message.contains("'dev'"),
        "{message}"
    );
    assert_err(
        &app.patch(&path, &app.key, json!({"schema": {"userId": 1}}))
            .await,
        403,
        "scope_forbidden",
    );
    assert_err(
        &app.delete(&format!("{path}?force=true"), &app.key).await,
        403,
        "scope_forbidden",
    );

    // Nothing changed: the type is as it was, and production's session still verifies.
    let (_, ty) = app.get(&path, &app.key).await;
    assert_eq!(ty["schema"], json!({"userId": "u", "email": "e"}));
    assert_eq!(app.get("/v1/session-types/dev-only", &app.key).await.0, 404);
    let (s, b) = app
        .post(
            "/v1/sessions/verify",
            &prd,
            json!({"tag": TYPE, "token": prd_session["token"]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // A key of every env, and the admin key, change them.
    let (s, b) = app
        .patch(&path, &app.product_key, json!({"description": "Shared"}))
        .await;
    assert_eq!((s, &b["description"]), (200, &json!("Shared")), "{b}");
    let (s, b) = app
        .patch(
            &path,
            &app.admin,
            json!({"product": "shop", "description": "By admin"}),
        )
        .await;
    assert_eq!((s, &b["description"]), (200, &json!("By admin")), "{b}");
}
