//! `conflict` (409): creating a session type or product that exists, and deleting a session
//! type that still has sessions without `force=true`.

use serde_json::json;

use crate::support::*;

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
