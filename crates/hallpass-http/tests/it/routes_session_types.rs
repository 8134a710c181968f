//! The session-type routes: create, get, update (a merge), list and delete answer their
//! documented status and fields.

use serde_json::json;

use crate::support::*;

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
async fn a_refused_session_type_names_the_field_at_fault() {
    let app = setup().await;
    let good = json!({"tag": "admin-session", "name": "Admin", "expiry": 1, "period": "hours"});
    for (change, field) in [
        (json!({"schema": 7}), "schema"),
        (
            json!({"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "no-such-type"}}),
            "schema",
        ),
        (json!({"selector": "userId"}), "selector"),
        (json!({"expiry": 0}), "expiry"),
        (json!({"period": "fortnights"}), "period"),
        (json!({"name": ""}), "name"),
        (json!({"refreshGrace": 7200}), "refreshGrace"),
        (json!({"maxSessions": 0}), "maxSessions"),
        (json!({"idleTimeout": 1}), "idleTimeout"),
    ] {
        let (s, b) = app
            .post(
                "/v1/session-types",
                &app.product_key,
                with(good.clone(), &change),
            )
            .await;
        assert_eq!(
            (s, &b["error"]["code"]),
            (422, &json!("invalid_request")),
            "{change}: {b}"
        );
        assert_eq!(b["error"]["field"], field, "{change}: {b}");
    }
    let (s, b) = app
        .post(
            "/v1/session-types",
            &app.product_key,
            json!({"name": "No tag"}),
        )
        .await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("tag")), "{b}");
    // An update names its field too; an error about no field names none.
    let (s, b) = app
        .patch(
            &format!("/v1/session-types/{TYPE}"),
            &app.product_key,
            json!({"selector": "$Nope"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (422, Some("selector")),
        "{b}"
    );
    let (s, b) = app
        .patch(
            &format!("/v1/session-types/{TYPE}"),
            &app.product_key,
            json!({"idleTimeout": 600}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["error"].get("field").is_none(), "{b}");
}
