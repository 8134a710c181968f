//! `GET /v1/events`: the audit query, its filters, its pages, and who may read what.

use serde_json::{Value, json};

use crate::support::*;

/// The `type` of each event of an answer, in its order.
fn types(body: &Value) -> Vec<String> {
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().expect("type").to_owned())
        .collect()
}

/// Every page of `query`, `limit` at a time, following `nextCursor`.
async fn all_pages(app: &App, key: &str, query: &str, limit: u32) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/events?{query}&limit={limit}&cursor={c}"),
            None => format!("/v1/events?{query}&limit={limit}"),
        };
        let (s, body) = app.get(&path, key).await;
        assert_eq!(s, 200, "{body}");
        let page = body["events"].as_array().expect("events");
        assert!(page.len() <= limit as usize);
        events.extend(page.iter().cloned());
        match body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return events,
        }
    }
}

#[tokio::test]
async fn events_come_newest_first_filtered_by_user_session_and_type() {
    let app = setup().await;
    let first = app.start("alice").await;
    app.clock.advance_secs(1);
    app.start("bob").await;
    app.clock.advance_secs(1);
    app.start("alice").await;
    app.revoke(&first["sessionId"]).await;

    let (s, body) = app.get("/v1/events?identifier=alice", &app.key).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        types(&body),
        ["session.revoked", "session.started", "session.started"]
    );
    let event = &body["events"][0];
    assert_eq!(event["product"], "shop");
    assert_eq!(event["env"], "dev");
    assert_eq!(event["data"]["sessionId"], first["sessionId"]);
    assert_eq!(event["data"]["cause"], "revoke");
    assert_eq!(event["actor"]["kind"], "access");
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ms(&event["timestamp"]), app.now_ms());
    assert!(body.get("nextCursor").is_none(), "{body}");

    let path = format!(
        "/v1/events?sessionId={}",
        first["sessionId"].as_str().unwrap()
    );
    let (_, body) = app.get(&path, &app.key).await;
    assert_eq!(types(&body), ["session.revoked", "session.started"]);

    let (_, body) = app.get("/v1/events?type=session.revoked", &app.key).await;
    assert_eq!(types(&body), ["session.revoked"]);
    let (_, body) = app
        .get(
            "/v1/events?type=session.revoked&type=session_type.created",
            &app.product_key,
        )
        .await;
    assert_eq!(types(&body), ["session.revoked", "session_type.created"]);
}

#[tokio::test]
async fn pages_follow_one_another_without_gaps_or_repeats() {
    let app = setup().await;
    for user in 0..7 {
        app.start(&format!("user-{user}")).await;
    }
    let (_, whole) = app
        .get("/v1/events?type=session.started&limit=1000", &app.key)
        .await;
    let whole = whole["events"].as_array().expect("events").clone();
    assert_eq!(whole.len(), 7, "seven starts in shop/dev");
    let paged = all_pages(&app, &app.key, "type=session.started", 3).await;
    assert_eq!(paged, whole);
    let mut ids: Vec<_> = paged.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let newest_first = ids.clone();
    ids.sort_unstable();
    ids.reverse();
    assert_eq!(ids, newest_first);
}

#[tokio::test]
async fn configuration_changes_are_recorded_with_who_made_them_and_no_secret() {
    let app = setup().await;
    let secret = app.create_key("publishable", Some("prd")).await;
    let (s, keys) = app.get("/v1/keys", &app.admin).await;
    assert_eq!(s, 200);
    let publishable = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "publishable")
        .expect("the new key")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = app
        .delete(&format!("/v1/keys/{publishable}"), &app.product_key)
        .await;
    assert_eq!(s, 200);
    let (s, rotated) = app
        .post(
            "/v1/products/shop/envs/prd/signing-keys/rotate",
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{rotated}");

    let (s, body) = app.get("/v1/events?product=shop", &app.admin).await;
    assert_eq!(s, 200, "{body}");
    let text = body.to_string();
    assert!(!text.contains(&secret), "no key secret in events");
    let events = body["events"].as_array().unwrap();
    let rotation = &events[0];
    assert_eq!(
        (rotation["type"].as_str(), rotation["env"].as_str()),
        (Some("signing_key.rotated"), Some("prd"))
    );
    assert_eq!(rotation["data"]["kid"], rotated["kid"]);
    assert_eq!(rotation["data"]["retiredKids"].as_array().unwrap().len(), 1);
    assert_eq!(rotation["actor"]["kind"], "admin");
    let deleted = &events[1];
    assert_eq!(deleted["type"], "api_key.deleted");
    assert_eq!(deleted["data"]["keyId"], publishable.as_str());
    assert_eq!(deleted["data"]["kind"], "publishable");
    assert_eq!(deleted["actor"]["kind"], "access");
    assert!(
        deleted["actor"]["keyId"]
            .as_str()
            .unwrap()
            .starts_with("key_")
    );
    let created = &events[2];
    assert_eq!(created["type"], "api_key.created");
    assert_eq!(created["data"]["keyId"], publishable.as_str());
    assert_eq!(created["actor"]["kind"], "admin");

    // Without a product an admin key reads every product's events and the deployment's own:
    // the bootstrap admin key, made by hallpass itself, belongs to no product.
    let (_, body) = app.get("/v1/events?type=api_key.created", &app.admin).await;
    let bootstrap = body["events"]
        .as_array()
        .unwrap()
        .last()
        .expect("first")
        .clone();
    assert_eq!(bootstrap["product"], Value::Null);
    assert_eq!(bootstrap["data"]["kind"], "admin");
    assert_eq!(bootstrap["actor"], json!({"kind": "system"}));
}

#[tokio::test]
async fn keys_read_only_the_events_of_their_own_scope() {
    let app = setup().await;
    app.start("alice").await;
    let prd = app.create_key("access", Some("prd")).await;
    let (s, body) = app.get("/v1/events", &prd).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(types(&body), ["api_key.created"], "its own creation only");
    let (_, body) = app.get("/v1/events", &app.key).await;
    assert_eq!(
        types(&body),
        ["session.started", "api_key.created"],
        "dev key: dev events only (its own creation; not the product-wide key's, nor prd's)"
    );
    let (_, body) = app.get("/v1/events?env=dev", &app.product_key).await;
    assert_eq!(types(&body), ["session.started", "api_key.created"]);
    let (_, body) = app.get("/v1/events", &app.product_key).await;
    assert!(types(&body).contains(&"session_type.created".to_owned()));

    assert_err(
        &app.get("/v1/events?env=prd", &app.key).await,
        403,
        "scope_forbidden",
    );
    assert_err(
        &app.get("/v1/events?product=blog", &app.key).await,
        403,
        "scope_forbidden",
    );
    let publishable = app.create_key("publishable", Some("dev")).await;
    assert_err(
        &app.get("/v1/events", &publishable).await,
        403,
        "publishable_key_forbidden",
    );
    assert_err(&app.get("/v1/events", "").await, 401, "unauthorized");
    assert_err(
        &app.get("/v1/events?product=blog", &app.admin).await,
        404,
        "product_not_found",
    );
}

#[tokio::test]
async fn a_query_it_cannot_answer_is_a_clear_422() {
    let app = setup().await;
    for (query, key, says) in [
        (
            "type=session.exploded",
            &app.key,
            "known types: session.started",
        ),
        ("limit=0", &app.key, "limit must be between 1 and 1000"),
        ("limit=1001", &app.key, "limit must be between 1 and 1000"),
        ("limit=many", &app.key, "invalid query string"),
        ("cursor=bm90LWFuLWlk", &app.key, "nextCursor"),
        ("sessionId=", &app.key, "'sessionId' is empty"),
        ("env=0.5", &app.admin, "env"),
        ("env=staging", &app.product_key, "staging"),
    ] {
        let resp = app.get(&format!("/v1/events?{query}"), key).await;
        assert_err_ctx(&resp, 422, "invalid_request", query);
        let message = resp.1["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{query}: {message}");
    }
    let (s, body) = app.get("/v1/events?env=dev", &app.admin).await;
    assert_eq!(
        s, 200,
        "an admin key without product: that env in every product"
    );
    assert!(
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["env"] == "dev")
    );
    let long = "u".repeat(257);
    assert_err(
        &app.get(&format!("/v1/events?identifier={long}"), &app.key)
            .await,
        422,
        "invalid_request",
    );
}
