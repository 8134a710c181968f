//! What the routes record as events (docs/DECISIONS.md, "Events"): each change with the key,
//! browser or hallpass that made it, and nothing for a change that failed.

use hallpass::core::events::{ActorKind, Event};
use hallpass::core::store::EventFilter;
use serde_json::json;

use crate::support::browser::{CSRF, browser_app, signed_in};
use crate::support::*;

/// Every event of `shop`, oldest first.
async fn events(app: &App) -> Vec<Event> {
    let filter = EventFilter {
        product: Some("shop".into()),
        ..EventFilter::default()
    };
    let mut page = app.store.events(&filter, 1000).await.expect("events");
    page.events.reverse();
    page.events
}

fn kinds(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn session_routes_record_each_change_with_the_key_that_made_it() {
    let app = setup().await;
    let before = events(&app).await.len();
    let started = app.start("alice").await;
    let (s, refreshed) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200);
    let (s, _) = app
        .post(
            "/v1/sessions/update",
            &app.key,
            json!({"tag": TYPE, "sessionId": started["sessionId"], "data": {"role": "x"}}),
        )
        .await;
    assert_eq!(s, 200);
    app.revoke(&started["sessionId"]).await;
    let recorded = events(&app).await;
    let mine = &recorded[before..];
    assert_eq!(
        kinds(mine),
        [
            "session.started",
            "session.refreshed",
            "session.updated",
            "session.revoked"
        ]
    );
    let key_id = mine[0].actor.key_id.clone().expect("the access key's id");
    assert!(key_id.starts_with("key_"), "{key_id}");
    assert!(
        mine.iter().all(|e| e.actor.kind == ActorKind::Access
            && e.actor.key_id.as_deref() == Some(key_id.as_str()))
    );
    assert_eq!(mine[0].data["identifier"], "alice");
    let text = serde_json::to_string(&mine.iter().map(|e| &e.data).collect::<Vec<_>>()).unwrap();
    for secret in [
        &started["token"],
        &started["refreshToken"],
        &refreshed["token"],
    ] {
        assert!(
            !text.contains(secret.as_str().unwrap()),
            "no token in events"
        );
    }
    assert!(
        !text.contains("alice@example.com"),
        "no session data in events"
    );
}

#[tokio::test]
async fn a_change_that_fails_records_nothing() {
    let app = setup().await;
    let before = events(&app).await.len();
    let (s, _) = app
        .post(START, &app.key, json!({"tag": TYPE, "data": {"userId": 5}}))
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .refresh(&json!("hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .await;
    assert_eq!(s, 401);
    assert_err(
        &app.revoke(&json!("01J00000000000000000000000")).await,
        404,
        "session_not_found",
    );
    assert_eq!(events(&app).await.len(), before);
}

#[tokio::test]
async fn browsers_and_hallpass_itself_are_recorded_as_such() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "alice", "Firefox").await;
    let resp = browser
        .call(&app, axum::http::Method::POST, "/sign-out", &[CSRF])
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let recorded = events(&app).await;
    let last = recorded.last().expect("an event");
    assert_eq!(
        (
            last.kind.as_str(),
            last.data["cause"].as_str(),
            last.actor.kind
        ),
        ("session.revoked", Some("sign_out"), ActorKind::Browser)
    );
    assert_eq!(
        last.session_id.as_ref(),
        started["sessionId"].as_str().map(str::to_owned).as_ref()
    );

    let (s, _) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"idleTimeout": 3600}),
        )
        .await;
    assert_eq!(s, 200);
    let idle = app.start("bob").await;
    app.clock.advance_secs(3601);
    assert_err(
        &app.refresh(&idle["refreshToken"]).await,
        401,
        "session_idle_expired",
    );
    let recorded = events(&app).await;
    let types: Vec<_> = recorded.iter().rev().take(3).collect();
    assert_eq!(types[0].data["cause"], "idle");
    assert_eq!(types[0].actor.kind, ActorKind::System);
    assert!(recorded.iter().any(|e| e.kind.as_str() == "session_type.updated"
        && e.actor.kind == ActorKind::Access));
}

#[tokio::test]
async fn the_sweep_forgets_events_after_thirty_days() {
    let app = setup().await;
    app.start("alice").await;
    app.clock.advance_secs(30 * 86_400);
    app.service.sweep().await.expect("sweep");
    assert!(!events(&app).await.is_empty(), "thirty days are kept");
    app.clock.advance_secs(1);
    app.service.sweep().await.expect("sweep");
    assert!(events(&app).await.is_empty());
}
