//! List and revoke, forced type deletion, failed starts, and `expiresIn`.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::*;

fn ids(page: &Value) -> Vec<String> {
    page["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["sessionId"].as_str().expect("sessionId").to_owned())
        .collect()
}

#[tokio::test]
async fn list_is_newest_first_counted_and_paginated() {
    let app = setup().await;
    let mut alice = vec![];
    for _ in 0..7 {
        alice.push(
            app.start("alice").await["sessionId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        app.clock.advance_secs(1);
    }
    // Several in the same millisecond still sort in creation order.
    for _ in 0..3 {
        alice.push(
            app.start("alice").await["sessionId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    app.start("bob").await;
    app.start("bob").await;
    assert_eq!(
        app.revoke(&json!(alice[2])).await.1,
        json!({"revoked": true})
    );
    let active: Vec<String> = alice
        .iter()
        .rev()
        .filter(|id| **id != alice[2])
        .cloned()
        .collect();

    let all = app.list("alice", json!({})).await;
    assert_eq!(
        ids(&all),
        active,
        "newest first, revoked and other identifiers excluded"
    );
    assert_eq!(all["count"], json!(9));
    let created: Vec<i64> = all["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| ms(&s["createdAt"]))
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    assert!(
        all["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["identifier"] == json!("alice") && s["tag"] == json!(TYPE))
    );

    for limit in [1, 2, 4, 9] {
        let (mut seen, mut cursor, mut pages) = (vec![], None::<Value>, 0);
        loop {
            let more = cursor.as_ref().map_or_else(
                || json!({"limit": limit}),
                |c| json!({"limit": limit, "cursor": c}),
            );
            let page = app.list("alice", more).await;
            assert_eq!(
                page["count"],
                json!(9),
                "count is every active session, on every page"
            );
            let got = ids(&page);
            assert!(
                got.len() <= limit && !got.is_empty(),
                "limit {limit}: {page}"
            );
            seen.extend(got);
            pages += 1;
            assert!(pages <= 9, "pagination does not end");
            match page.get("nextCursor").filter(|c| !c.is_null()) {
                Some(c) => cursor = Some(c.clone()),
                None => break,
            }
        }
        assert_eq!(seen, active, "limit {limit}: every session once, in order");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
        assert_eq!(pages, active.len().div_ceil(limit), "limit {limit}");
    }
    assert_eq!(
        ids(&app.list("alice", json!({"limit": 1000})).await),
        active
    );
    assert_eq!(app.count("bob").await, 2);
    assert_eq!(
        app.list("nobody", json!({})).await,
        json!({"sessions": [], "count": 0})
    );
}

#[tokio::test]
async fn revoke_all_can_keep_the_current_session_and_revoke_is_idempotent() {
    let app = setup().await;
    let s: Vec<Value> = [
        app.start("u").await,
        app.start("u").await,
        app.start("u").await,
    ]
    .into();
    let bob = app.start("bob").await;
    let body = json!({"tag": TYPE, "identifier": "u", "excludeCurrentSession": s[1]["sessionId"]});
    let (st, b) = app.post(REVOKE_ALL, &app.key, body).await;
    assert_eq!((st, b), (200, json!({"revokedCount": 2})));
    assert_eq!(
        ids(&app.list("u", json!({})).await),
        [s[1]["sessionId"].as_str().unwrap()]
    );
    assert_eq!(app.verify(&s[1]["token"]).await.0, 200);
    assert_eq!(app.verify(&bob["token"]).await.0, 200);
    let (st, b) = app
        .post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u"}),
        )
        .await;
    assert_eq!((st, b), (200, json!({"revokedCount": 1})));
    let (st, b) = app
        .post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u"}),
        )
        .await;
    assert_eq!((st, b), (200, json!({"revokedCount": 0})));

    assert_eq!(
        app.revoke(&bob["sessionId"]).await,
        (200, json!({"revoked": true}))
    );
    assert_eq!(
        app.revoke(&bob["sessionId"]).await,
        (200, json!({"revoked": false}))
    );
    assert_eq!(
        app.revoke(&s[0]["sessionId"]).await,
        (200, json!({"revoked": false}))
    );
}

#[tokio::test]
async fn forced_type_deletion_revokes_for_good() {
    let app = setup().await;
    let a = app.start("u").await;
    let b = app.start("u").await;
    assert_err(
        &app.delete("/v1/session-types/user-session", &app.product_key)
            .await,
        409,
        "conflict",
    );
    assert_eq!(
        app.delete(
            "/v1/session-types/user-session?force=true",
            &app.product_key
        )
        .await,
        (200, json!({"deleted": true}))
    );
    assert_err(
        &app.get("/v1/session-types/user-session", &app.key).await,
        404,
        "session_type_not_found",
    );
    assert_err(
        &app.verify(&a["token"]).await,
        404,
        "session_type_not_found",
    );

    app.create_type(json!({
        "tag": TYPE, "name": "User session", "schema": {"userId": "u", "email": "e"},
        "selector": "$Session{userId}", "expiry": 1, "period": "hours",
    }))
    .await;
    for s in [&a, &b] {
        assert_err(&app.verify(&s["token"]).await, 401, "session_revoked");
        assert_err(
            &app.refresh(&s["refreshToken"]).await,
            401,
            "session_revoked",
        );
    }
    assert_eq!(app.count("u").await, 0, "the old sessions stay revoked");
    let fresh = app.start("u").await;
    assert_eq!(app.verify(&fresh["token"]).await.0, 200);
    assert_eq!(app.count("u").await, 1);
    // A type without active sessions deletes without force.
    assert_eq!(
        app.revoke(&fresh["sessionId"]).await.1,
        json!({"revoked": true})
    );
    assert_eq!(
        app.delete("/v1/session-types/user-session", &app.product_key)
            .await,
        (200, json!({"deleted": true}))
    );
}

#[tokio::test]
async fn a_refused_start_stores_nothing() {
    let app = setup().await;
    app.start("u").await;
    app.create_type(json!({"tag": "acct", "name": "Acct", "selector": "$Session{account}{id}", "expiry": 1, "period": "hours"})).await;
    let refused = [
        json!({"tag": TYPE, "data": {"userId": "u", "email": 5}}),
        json!({"tag": TYPE, "data": {"userId": "u"}}),
        json!({"tag": TYPE, "data": {"userId": "u", "email": "e"}, "expiresIn": 0}),
        json!({"tag": TYPE, "data": {"userId": "u", "email": "e"}, "device": {"ip": "nope"}}),
        json!({"tag": TYPE, "data": {"userId": "u", "email": "e"}, "identifier": ["u"]}),
    ];
    for body in refused {
        let (s, b) = app.post(START, &app.key, body.clone()).await;
        assert_eq!(s, 422, "{body}: {b}");
    }
    assert_eq!(app.count("u").await, 1);
    assert_err(
        &app.post(
            START,
            &app.key,
            json!({"tag": "acct", "data": {"account": {}}}),
        )
        .await,
        422,
        "selector_unresolved",
    );
    let (s, b) = app
        .post(LIST, &app.key, json!({"tag": "acct", "identifier": "u"}))
        .await;
    assert_eq!((s, &b["count"]), (200, &json!(0)), "{b}");
}

#[tokio::test]
async fn expires_in_sets_the_lifetime_of_every_token_of_the_session() {
    let app = setup().await;
    for secs in [120_i64, 2 * 86_400] {
        let started = app.start_with("u", json!({"expiresIn": secs})).await;
        assert_eq!(
            ms(&started["expiresAt"]) - app.now_ms(),
            secs * 1000,
            "start with expiresIn {secs}"
        );
        let v = app.verify(&started["token"]).await.1;
        assert_eq!(ms(&v["expiresAt"]) - ms(&v["issuedAt"]), secs * 1000, "{v}");
        app.clock.advance_secs(secs / 2);
        let (st, r) = app.refresh(&started["refreshToken"]).await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(
            ms(&r["expiresAt"]) - app.now_ms(),
            secs * 1000,
            "refreshed token with expiresIn {secs}"
        );
        let v = app.verify(&r["token"]).await.1;
        assert_eq!(ms(&v["expiresAt"]) - ms(&v["issuedAt"]), secs * 1000, "{v}");
        let item = app.list("u", json!({})).await["sessions"][0].clone();
        assert_eq!(
            (&item["sessionId"], &item["expiresAt"]),
            (&r["sessionId"], &r["expiresAt"]),
            "list shows the latest token's expiry"
        );
        app.clock.advance_secs(secs + 1);
        assert_err(&app.verify(&r["token"]).await, 401, "token_expired");
        assert_eq!(
            app.revoke(&r["sessionId"]).await.1,
            json!({"revoked": true})
        );
    }
}

#[tokio::test]
async fn a_session_with_data_near_the_body_limit_stays_verifiable() {
    let app = setup().await;
    let blob = "x".repeat(60 * 1024);
    let started = app
        .start_with(
            "u1",
            json!({"data": {"userId": "u1", "email": "e", "blob": blob}}),
        )
        .await;
    let token = started["token"].as_str().unwrap();
    assert!(
        token.len() > 64 * 1024,
        "the token outgrows the start body limit"
    );
    let (status, body) = app
        .post(VERIFY, &app.key, json!({"tag": TYPE, "token": token}))
        .await;
    assert_eq!(status, 200, "{}", body["error"]);
    assert_eq!(body["data"]["blob"].as_str().map(str::len), Some(60 * 1024));
}

#[tokio::test]
async fn a_key_created_by_an_env_scoped_key_defaults_to_its_env() {
    let app = setup().await;
    let (status, body) = app
        .post(
            "/v1/keys",
            &app.key,
            json!({"kind": "publishable", "name": "browser"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["product"].as_str(), body["env"].as_str()),
        (Some("shop"), Some("dev"))
    );
}

#[tokio::test]
async fn a_schema_key_whose_example_is_null_must_still_be_present() {
    let app = setup().await;
    app.create_type(json!({
        "tag": "loose", "name": "Loose", "schema": {"userId": "u", "extra": null},
        "selector": "$Session{userId}", "expiry": 1, "period": "hours",
    }))
    .await;
    let missing = app
        .post(
            START,
            &app.key,
            json!({"tag": "loose", "data": {"userId": "u1"}}),
        )
        .await;
    assert_err(&missing, 422, "schema_violation");
    assert!(
        missing.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("extra: missing (expected any type)")
    );
    let any = app
        .post(
            START,
            &app.key,
            json!({"tag": "loose", "data": {"userId": "u1", "extra": [1, {"a": null}]}}),
        )
        .await;
    assert_eq!(any.0, 200, "{}", any.1);
}
