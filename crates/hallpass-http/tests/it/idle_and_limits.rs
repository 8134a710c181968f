//! The idle timeout and the session limit of a type (docs/API.md §12.2, §12.3), on a manual
//! clock: nothing sleeps.

use serde_json::{Value, json};

use crate::support::*;

const IDLE: &str = "idle-session";

impl App {
    async fn create_idle_type(&self, idle_secs: u64) {
        self.create_type(json!({
            "tag": IDLE, "name": "Idle", "expiry": 5, "period": "minutes", "idleTimeout": idle_secs,
        }))
        .await;
    }

    async fn start_tag(&self, tag: &str, user: &str) -> (u16, Value) {
        self.post(
            START,
            &self.key,
            json!({"tag": tag, "data": {}, "identifier": user}),
        )
        .await
    }

    async fn refresh_tag(&self, tag: &str, refresh_token: &Value) -> (u16, Value) {
        self.post(
            REFRESH,
            &self.key,
            json!({"tag": tag, "refreshToken": refresh_token}),
        )
        .await
    }

    async fn list_tag(&self, tag: &str, user: &str) -> Value {
        let (s, b) = self
            .post(LIST, &self.key, json!({"tag": tag, "identifier": user}))
            .await;
        assert_eq!(s, 200, "{b}");
        b
    }
}

#[tokio::test]
async fn a_session_idle_for_longer_than_the_timeout_has_ended() {
    let app = setup().await;
    app.create_idle_type(600).await;
    let (_, started) = app.start_tag(IDLE, "alice").await;
    let listed = app.list_tag(IDLE, "alice").await;
    assert_eq!(
        ms(&listed["sessions"][0]["idleExpiresAt"]),
        app.now_ms() + 600_000
    );
    app.clock.advance_secs(600);
    let (s, at_limit) = app.refresh_tag(IDLE, &started["refreshToken"]).await;
    assert_eq!(
        s, 200,
        "exactly the timeout is not longer than it: {at_limit}"
    );

    app.clock.advance_secs(601);
    assert_eq!(
        app.list_tag(IDLE, "alice").await["count"],
        json!(0),
        "list leaves it out"
    );
    assert_err(
        &app.refresh_tag(IDLE, &at_limit["refreshToken"]).await,
        401,
        "session_idle_expired",
    );
    assert_err(
        &app.refresh_tag(IDLE, &at_limit["refreshToken"]).await,
        401,
        "session_revoked",
    );
    // The recorder is shared by every test of this binary: other tests revoke idle sessions too.
    let metrics = app
        .raw(axum::http::Method::GET, "/metrics", "", "")
        .await
        .text;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("hallpass_sessions_revoked_total{cause=\"idle\"}")),
        "revoked with cause idle"
    );
}

#[tokio::test]
async fn verify_counts_as_activity_even_when_another_call_reads_it_from_the_store() {
    let app = setup().await;
    app.create_idle_type(600).await;
    let (_, started) = app.start_tag(IDLE, "alice").await;
    app.clock.advance_secs(280);
    let (s, verified) = app
        .post(
            VERIFY,
            &app.key,
            json!({"tag": IDLE, "token": started["token"]}),
        )
        .await;
    assert_eq!(s, 200, "{verified}");
    assert_eq!(ms(&verified["idleExpiresAt"]), app.now_ms() + 600_000);
    app.service.flush_activity().await.expect("flush");
    app.clock.advance_secs(500);
    let (s, body) = app.refresh_tag(IDLE, &started["refreshToken"]).await;
    assert_eq!(
        s, 200,
        "780 s after the start, 500 s after the verify: {body}"
    );
    let listed = app.list_tag(IDLE, "alice").await;
    assert_eq!(ms(&listed["sessions"][0]["lastActiveAt"]), app.now_ms());
}

#[tokio::test]
async fn an_idle_timeout_shorter_than_a_token_cannot_be_enforced_and_is_refused() {
    let app = setup().await;
    for (body, why) in [
        (
            json!({"tag": IDLE, "name": "I", "expiry": 2, "period": "hours", "idleTimeout": 3600}),
            "token lifetime",
        ),
        (
            json!({"tag": IDLE, "name": "I", "expiry": 1, "period": "minutes", "idleTimeout": 59}),
            "below a minute",
        ),
        (
            json!({"tag": IDLE, "name": "I", "expiry": 1, "period": "minutes", "maxSessions": 0}),
            "no sessions",
        ),
        (
            json!({"tag": IDLE, "name": "I", "expiry": 1, "period": "minutes", "maxSessions": 1001}),
            "too many",
        ),
        (
            json!({"tag": IDLE, "name": "I", "expiry": 1, "period": "minutes", "onLimit": "evict"}),
            "unknown onLimit",
        ),
    ] {
        let (s, b) = app.post("/v1/session-types", &app.product_key, body).await;
        assert_err_ctx(&(s, b), 422, "invalid_request", why);
    }
    app.create_idle_type(600).await;
    assert_err(
        &app.patch(
            &format!("/v1/session-types/{IDLE}"),
            &app.product_key,
            json!({"expiry": 11}),
        )
        .await,
        422,
        "invalid_request",
    );
    let (s, b) = app
        .post(
            START,
            &app.key,
            json!({"tag": IDLE, "data": {}, "expiresIn": 601}),
        )
        .await;
    assert_err(&(s, b), 422, "invalid_request");
    let (s, t) = app
        .get(&format!("/v1/session-types/{IDLE}"), &app.product_key)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (&t["idleTimeout"], &t["maxSessions"], &t["onLimit"]),
        (&json!(600), &Value::Null, &json!("revoke_oldest"))
    );
    let (s, t) = app
        .patch(
            &format!("/v1/session-types/{IDLE}"),
            &app.product_key,
            json!({"idleTimeout": null, "maxSessions": 3, "onLimit": "refuse"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        (&t["idleTimeout"], &t["maxSessions"], &t["onLimit"]),
        (&Value::Null, &json!(3), &json!("refuse"))
    );
}

#[tokio::test]
async fn at_the_limit_a_start_is_refused_or_revokes_the_least_recently_active() {
    let app = setup().await;
    app.create_type(json!({"tag": "capped", "name": "C", "expiry": 1, "period": "hours", "maxSessions": 2, "onLimit": "refuse"}))
        .await;
    app.create_type(
        json!({"tag": "rolling", "name": "R", "expiry": 1, "period": "hours", "maxSessions": 2}),
    )
    .await;
    for tag in ["capped", "rolling"] {
        assert_eq!(app.start_tag(tag, "alice").await.0, 200);
        app.clock.advance_secs(1);
        assert_eq!(app.start_tag(tag, "alice").await.0, 200);
        app.clock.advance_secs(1);
    }
    assert_err(
        &app.start_tag("capped", "alice").await,
        409,
        "session_limit_reached",
    );
    assert_eq!(
        app.start_tag("capped", "bob").await.0,
        200,
        "per identifier"
    );

    let before = app.list_tag("rolling", "alice").await;
    let oldest = before["sessions"][1]["sessionId"].clone();
    let (s, third) = app.start_tag("rolling", "alice").await;
    assert_eq!(s, 200, "{third}");
    let after = app.list_tag("rolling", "alice").await;
    assert_eq!(after["count"], json!(2));
    assert!(
        after["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["sessionId"] != oldest)
    );
}

#[tokio::test]
async fn concurrent_starts_never_leave_more_sessions_than_the_limit() {
    let app = setup().await;
    app.create_type(
        json!({"tag": "capped", "name": "C", "expiry": 1, "period": "hours", "maxSessions": 3}),
    )
    .await;
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let (router, key) = (app.router.clone(), app.key.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"tag": "capped", "data": {}, "identifier": "alice"});
            send_on(
                router,
                request(
                    axum::http::Method::POST,
                    START,
                    Some(&format!("Bearer {key}")),
                    serde_json::to_vec(&body).unwrap(),
                ),
            )
            .await
            .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), 200);
    }
    assert_eq!(app.list_tag("capped", "alice").await["count"], json!(3));
}

#[tokio::test]
async fn a_browser_refresh_of_an_idle_session_says_so() {
    use crate::support::browser::{CSRF, browser_app, signed_in};
    let app = browser_app().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"idleTimeout": 3600}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (mut browser, _) = signed_in(&app, "alice", "Firefox").await;
    app.clock.advance_secs(1800);
    let resp = browser
        .call(&app, axum::http::Method::GET, "/session", &[])
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    app.service.flush_activity().await.expect("flush");
    app.clock.advance_secs(3000);
    let resp = browser
        .call(&app, axum::http::Method::POST, "/refresh", &[CSRF])
        .await;
    assert_eq!(
        resp.status, 200,
        "active 3000 s ago, within the timeout: {}",
        resp.text
    );
    let listed = app.list("alice", json!({})).await;
    assert_eq!(
        listed["sessions"][0]["device"]["userAgent"],
        json!("Firefox"),
        "the browser's device is kept"
    );
    app.clock.advance_secs(3601);
    let resp = browser
        .call(&app, axum::http::Method::POST, "/refresh", &[CSRF])
        .await;
    assert_err(&(resp.status, resp.json), 401, "session_idle_expired");
}
