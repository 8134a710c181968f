//! The revocation feed, `GET /v1/revocations/{product}/{env}` (docs/API.md §14.4): who may
//! subscribe, the snapshot, the live events, resuming with `Last-Event-ID`, heartbeats, and a
//! slow reader cut off.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, header};
use hallpass::Settings;
use hallpass_http::{AppState, router};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::support::*;

const FEED: &str = "/v1/revocations/shop/dev";

/// One message of the stream: an event (name, id, data as JSON) or a comment line.
#[derive(Debug, PartialEq)]
enum Message {
    Event {
        name: String,
        id: String,
        data: Value,
    },
    Comment,
}

/// A feed being read, message by message.
struct Feed {
    body: Body,
    buffered: String,
}

impl Feed {
    /// The next message; `None` when the stream ended. Fails the test after two seconds.
    async fn next(&mut self) -> Option<Message> {
        loop {
            if let Some(end) = self.buffered.find("\n\n") {
                let block: String = self.buffered.drain(..end + 2).collect();
                return Some(parse(&block));
            }
            let frame = tokio::time::timeout(Duration::from_secs(2), self.body.frame())
                .await
                .expect("a message within two seconds");
            match frame {
                None => return None,
                Some(frame) => {
                    let frame = frame.expect("body");
                    if let Ok(data) = frame.into_data() {
                        self.buffered
                            .push_str(std::str::from_utf8(&data).expect("UTF-8"));
                    }
                }
            }
        }
    }

    /// The next message, which must be an event of this name; returns its id and data.
    async fn expect(&mut self, name: &str) -> (String, Value) {
        match self.next().await {
            Some(Message::Event {
                name: got,
                id,
                data,
            }) if got == name => (id, data),
            other => panic!("expected a {name} event, got {other:?}"),
        }
    }
}

fn parse(block: &str) -> Message {
    let mut name = String::new();
    let mut id = String::new();
    let mut data = String::new();
    for line in block.lines().filter(|l| !l.is_empty()) {
        if line.starts_with(':') {
            return Message::Comment;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => name = value.to_owned(),
            "id" => id = value.to_owned(),
            "data" => data.push_str(value),
            other => panic!("unexpected field {other} in {block:?}"),
        }
    }
    let data = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {block:?}"));
    Message::Event { name, id, data }
}

impl App {
    /// Opens the feed of `path` with `key` (and `Last-Event-ID`), expecting a stream.
    async fn feed(&self, path: &str, key: &str, last: Option<&str>) -> Feed {
        let mut req = request(
            Method::GET,
            path,
            Some(&format!("Bearer {key}")),
            Body::empty(),
        );
        if let Some(last) = last {
            req.headers_mut()
                .insert("last-event-id", last.parse().expect("header"));
        }
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
        Feed {
            body: res.into_body(),
            buffered: String::new(),
        }
    }

    async fn update_data(&self, session_id: &Value) -> (u16, Value) {
        self.post(
            "/v1/sessions/update",
            &self.key,
            json!({"tag": TYPE, "sessionId": session_id, "data": {"email": "new@example.com"}}),
        )
        .await
    }
}

#[tokio::test]
async fn only_access_and_admin_keys_of_the_scope_subscribe() {
    let app = setup().await;
    let publishable = {
        let (s, b) = app
            .post(
                "/v1/keys",
                &app.admin,
                json!({"kind": "publishable", "product": "shop", "env": "dev", "name": "web"}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        b["key"].as_str().expect("key").to_owned()
    };
    let (s, b) = app
        .post(
            "/v1/products",
            &app.admin,
            json!({"tag": "blog", "name": "Blog", "envs": ["dev"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_err(&app.get(FEED, "").await, 401, "unauthorized");
    assert_err(&app.get(FEED, "hp_sk_unknown").await, 401, "unauthorized");
    assert_err(
        &app.get(FEED, &publishable).await,
        403,
        "publishable_key_forbidden",
    );
    assert_err_ctx(
        &app.get("/v1/revocations/shop/prd", &app.key).await,
        403,
        "scope_forbidden",
        "a key of dev asks for prd",
    );
    assert_err_ctx(
        &app.get("/v1/revocations/blog/dev", &app.key).await,
        403,
        "scope_forbidden",
        "a key of shop asks for blog",
    );
    assert_err(
        &app.get("/v1/revocations/nope/dev", &app.admin).await,
        404,
        "product_not_found",
    );
    assert_err(
        &app.get("/v1/revocations/shop/stg", &app.admin).await,
        422,
        "invalid_request",
    );
    assert_err(
        &app.call(Method::POST, FEED, &app.key, None).await,
        405,
        "method_not_allowed",
    );
    // Allowed: the env's own key, the product's key of every env, an admin key.
    for key in [&app.key, &app.product_key, &app.admin] {
        app.feed(FEED, key, None).await.expect("snapshot").await;
    }
}

#[tokio::test]
async fn the_snapshot_holds_the_scopes_revoked_and_superseded_sessions() {
    let app = setup().await;
    let revoked = app.start("ann").await;
    let updated = app.start("bob").await;
    let untouched = app.start("cid").await;
    assert_eq!(app.revoke(&revoked["sessionId"]).await.0, 200);
    app.clock.advance_secs(2);
    let (s, b) = app.update_data(&updated["sessionId"]).await;
    assert_eq!(s, 200, "{b}");
    // Of another env: not in dev's snapshot.
    let prd_key = app.create_key("access", Some("prd")).await;
    let (s, other) = app
        .post(
            START,
            &prd_key,
            json!({"tag": TYPE, "data": {"userId": "dan", "email": "d"}}),
        )
        .await;
    assert_eq!(s, 200, "{other}");
    let (s, _) = app
        .post(
            REVOKE,
            &prd_key,
            json!({"tag": TYPE, "sessionId": other["sessionId"]}),
        )
        .await;
    assert_eq!(s, 200);

    let mut feed = app.feed(FEED, &app.key, None).await;
    let (id, snapshot) = feed.expect("snapshot").await;
    assert_eq!(id, app.now_ms().to_string(), "the id is the node's time");
    let t0 = app.now_ms() - 2000;
    assert_eq!(
        snapshot,
        json!({
            "revoked": [{"sessionId": revoked["sessionId"], "until": revoked["expiresAt"]}],
            "superseded": [{
                "sessionId": updated["sessionId"], "version": 1,
                "before": iso(t0 + 2000), "until": updated["expiresAt"],
            }],
        })
    );
    assert_eq!(ms(&revoked["expiresAt"]), t0 + 3_600_000);
    assert!(untouched["sessionId"].is_string());

    // Once the tokens have expired, the entries are gone from the next snapshot.
    app.clock.advance_secs(3600);
    let (_, later) = app
        .feed(FEED, &app.key, None)
        .await
        .expect("snapshot")
        .await;
    assert_eq!(later, json!({"revoked": [], "superseded": []}));
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test]
async fn each_change_follows_as_an_event_with_an_id_once() {
    let app = setup().await;
    let ann = app.start("ann").await;
    let bob = app.start("bob").await;
    let mut feed = app.feed(FEED, &app.key, None).await;
    let (snapshot_id, _) = feed.expect("snapshot").await;

    app.clock.advance_secs(1);
    assert_eq!(app.revoke(&ann["sessionId"]).await.0, 200);
    let (id, data) = feed.expect("revoked").await;
    assert_eq!(
        data,
        json!({"sessionId": ann["sessionId"], "until": ann["expiresAt"]})
    );
    assert_eq!(id, app.now_ms().to_string());
    assert!(id > snapshot_id);

    app.clock.advance_secs(1);
    assert_eq!(app.update_data(&bob["sessionId"]).await.0, 200);
    let (_, data) = feed.expect("superseded").await;
    assert_eq!(
        data,
        json!({
            "sessionId": bob["sessionId"], "version": 1, "before": iso(app.now_ms()),
            "until": bob["expiresAt"],
        })
    );

    // The catch-up re-reads recent revocations every round: they are no news, and not sent.
    app.service.catch_up().await.expect("catch up");
    assert_eq!(app.update_data(&bob["sessionId"]).await.0, 200);
    let (_, data) = feed.expect("superseded").await;
    assert_eq!(data["version"], 2, "the next event is the next change");
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_gets_what_it_missed() {
    let app = setup().await;
    let ann = app.start("ann").await;
    let bob = app.start("bob").await;
    // Within 30 s of its start a node answers every resume with a snapshot: its log begins
    // at its start, and a resume replays from 30 s before the id.
    app.clock.advance_secs(30);
    let mut feed = app.feed(FEED, &app.key, None).await;
    let (snapshot_id, _) = feed.expect("snapshot").await;
    drop(feed);

    app.clock.advance_secs(10);
    assert_eq!(app.revoke(&ann["sessionId"]).await.0, 200);
    let mut resumed = app.feed(FEED, &app.key, Some(&snapshot_id)).await;
    let (id, data) = resumed.expect("revoked").await;
    assert_eq!(data["sessionId"], ann["sessionId"], "replayed, no snapshot");
    // Then live events follow.
    assert_eq!(app.revoke(&bob["sessionId"]).await.0, 200);
    assert_eq!(
        resumed.expect("revoked").await.1["sessionId"],
        bob["sessionId"]
    );

    // Resuming from the first revocation replays from 30 s before it: both again (duplicates
    // are harmless, a lost change is not).
    let mut again = app.feed(FEED, &app.key, Some(&id)).await;
    assert_eq!(
        again.expect("revoked").await.1["sessionId"],
        ann["sessionId"]
    );
    assert_eq!(
        again.expect("revoked").await.1["sessionId"],
        bob["sessionId"]
    );
}

#[tokio::test]
async fn an_id_too_old_for_the_log_or_not_ours_gets_a_new_snapshot() {
    let app = setup().await;
    let ann = app.start("ann").await;
    assert_eq!(app.revoke(&ann["sessionId"]).await.0, 200);

    // From before this node started: its log does not reach back there.
    let before_start = (app.now_ms() - 31_000).to_string();
    let future = (app.now_ms() + 31_000).to_string();
    for last in [
        before_start.as_str(),
        "not-an-id",
        "",
        "-5",
        future.as_str(),
    ] {
        let mut feed = app.feed(FEED, &app.key, Some(last)).await;
        let (_, snapshot) = feed.expect("snapshot").await;
        assert_eq!(
            snapshot["revoked"][0]["sessionId"], ann["sessionId"],
            "{last:?}"
        );
    }

    // An id the log reaches back to is replayed; six minutes later the log has let that
    // event go, and the same id gets a snapshot.
    app.clock.advance_secs(31);
    let bob = app.start("bob").await;
    assert_eq!(app.revoke(&bob["sessionId"]).await.0, 200);
    let last = (app.now_ms() + 30_000).to_string();
    let mut feed = app.feed(FEED, &app.key, Some(&last)).await;
    assert_eq!(
        feed.expect("revoked").await.1["sessionId"],
        bob["sessionId"]
    );
    app.clock.advance_secs(360);
    let mut feed = app.feed(FEED, &app.key, Some(&last)).await;
    let (_, snapshot) = feed.expect("snapshot").await;
    assert_eq!(snapshot["revoked"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_heartbeat_is_a_comment_line() {
    let app = setup().await;
    let state = AppState::new(app.service.clone()).with_feed_heartbeat(Duration::from_millis(50));
    let quick = router(state);
    let mut req = request(
        Method::GET,
        FEED,
        Some(&format!("Bearer {}", app.key)),
        Body::empty(),
    );
    req.headers_mut().remove(header::CONTENT_TYPE);
    let res = quick.oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), 200);
    let mut feed = Feed {
        body: res.into_body(),
        buffered: String::new(),
    };
    feed.expect("snapshot").await;
    assert_eq!(feed.next().await, Some(Message::Comment));
    assert_eq!(feed.next().await, Some(Message::Comment));
}

#[tokio::test]
async fn a_reader_that_falls_behind_the_buffer_is_cut_off() {
    let app = setup_with(Settings {
        feed_buffer: 4,
        ..Settings::default()
    })
    .await;
    let mut sessions = Vec::new();
    for _ in 0..10 {
        sessions.push(app.start("ann").await);
    }
    let mut slow = app.feed(FEED, &app.key, None).await;
    let mut fast = app.feed(FEED, &app.key, None).await;
    slow.expect("snapshot").await;
    fast.expect("snapshot").await;
    for s in &sessions[..3] {
        assert_eq!(app.revoke(&s["sessionId"]).await.0, 200);
        fast.expect("revoked").await;
    }
    for s in &sessions[3..] {
        assert_eq!(app.revoke(&s["sessionId"]).await.0, 200);
        fast.expect("revoked").await;
    }
    // The slow reader is 10 events behind a buffer of 4: it gets no more than the buffer
    // holds, then its stream ends.
    let mut received = 0;
    while let Some(message) = slow.next().await {
        assert!(matches!(message, Message::Event { .. }), "{message:?}");
        received += 1;
    }
    assert!(received <= 4, "{received} events after falling behind");

    let metrics = app.raw(Method::GET, "/metrics", "", "").await.text;
    let cut = metrics
        .lines()
        .find(|l| l.starts_with("hallpass_feed_subscribers_cut_total"))
        .unwrap_or_else(|| panic!("no cut counter in {metrics}"));
    let count: f64 = cut
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("value");
    assert!(count >= 1.0, "{cut}");
    assert!(
        metrics.contains("hallpass_feed_subscribers "),
        "the gauge is exported"
    );
}
