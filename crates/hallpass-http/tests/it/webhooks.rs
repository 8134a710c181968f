//! `/v1/webhooks`: endpoints, signed deliveries that are retried until they succeed, the log
//! of attempts, disabling after three days of failures, and who may do what.

use hallpass::Settings;
use hallpass::core::webhooks::{secret_key, signature};
use serde_json::{Value, json};

use crate::support::receiver::{Received, Receiver};
use crate::support::*;

fn allowing_private() -> Settings {
    Settings {
        allow_private_webhooks: true,
        ..Settings::default()
    }
}

/// Creates an endpoint of shop for `events` at `url`; answers its body (with the secret).
async fn create(app: &App, url: &str, events: Value) -> Value {
    let (s, body) = app
        .post(
            "/v1/webhooks",
            &app.product_key,
            json!({"url": url, "events": events, "description": "test"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body
}

/// Delivery rounds until nothing is due now.
async fn deliver(app: &App) {
    while app.service.deliver_webhooks().await.expect("deliver") > 0 {}
}

/// Asserts the request carries the Standard Webhooks headers, signed with `secret`.
fn assert_signed(r: &Received, secret: &str) {
    let header = |name: &str| r.headers[name].to_str().expect("ASCII header").to_owned();
    let id = header("webhook-id");
    let timestamp: i64 = header("webhook-timestamp").parse().expect("seconds");
    assert_eq!(id, r.body["id"].as_str().expect("id"));
    let body = r.body.to_string();
    let key = secret_key(secret).expect("secret");
    assert_eq!(
        header("webhook-signature"),
        signature(&key, &id, timestamp, body.as_bytes())
    );
}

#[tokio::test]
async fn each_event_is_delivered_signed_and_retried_until_it_succeeds() {
    let app = setup_with(allowing_private()).await;
    let receiver = Receiver::start(&[500, 503, 502]).await;
    let created = create(
        &app,
        &receiver.url,
        json!(["session.started", "session.revoked"]),
    )
    .await;
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    let started = app.start("alice").await;
    app.revoke(&started["sessionId"]).await;

    deliver(&app).await;
    let first = receiver.received();
    assert_eq!(first.len(), 2, "one attempt per event");
    assert!(first.iter().all(|r| r.answered >= 500));
    // The schedule: about 5 s, then 30 s (each ±20%).
    app.clock.advance_secs(3);
    deliver(&app).await;
    assert_eq!(receiver.received().len(), 2, "not yet due");
    app.clock.advance_secs(3);
    deliver(&app).await;
    app.clock.advance_secs(40);
    deliver(&app).await;
    app.clock.advance_secs(40);
    deliver(&app).await;

    let all = receiver.received();
    let delivered: Vec<&Received> = all.iter().filter(|r| r.answered == 204).collect();
    assert_eq!(delivered.len(), 2, "exactly one success per event");
    let types: Vec<&str> = delivered
        .iter()
        .map(|r| r.body["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"session.started") && types.contains(&"session.revoked"));
    for r in &all {
        assert_signed(r, &secret);
    }
    let revoked_ids: Vec<&str> = all
        .iter()
        .filter(|r| r.body["type"] == "session.revoked")
        .map(|r| r.headers["webhook-id"].to_str().unwrap())
        .collect();
    assert!(revoked_ids.len() >= 2 && revoked_ids.iter().all(|id| *id == revoked_ids[0]));
    let revoked = delivered
        .iter()
        .find(|r| r.body["type"] == "session.revoked")
        .unwrap();
    assert_eq!(revoked.body["data"]["cause"], "revoke");
    assert_eq!(revoked.body["product"], "shop");

    // Delivered events are not sent again.
    app.clock.advance_secs(3600);
    deliver(&app).await;
    assert_eq!(receiver.received().len(), all.len());

    let id = created["id"].as_str().unwrap();
    let (s, log) = app
        .get(&format!("/v1/webhooks/{id}/deliveries"), &app.product_key)
        .await;
    assert_eq!(s, 200, "{log}");
    let log = log["deliveries"].as_array().unwrap();
    assert_eq!(log.len(), all.len());
    assert_eq!(log.iter().filter(|a| a["delivered"] == true).count(), 2);
    let failed = log.iter().find(|a| a["delivered"] == false).unwrap();
    assert!(failed["statusCode"].as_u64().unwrap() >= 500);
    assert!(failed["error"].as_str().unwrap().contains("answered"));
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_says_so() {
    let app = setup_with(allowing_private()).await;
    let dead = Receiver::start(&[]).await;
    dead.answer_always(500);
    let watcher = Receiver::start(&[]).await;
    let failing = create(&app, &dead.url, json!(["session.started"])).await;
    create(&app, &watcher.url, json!(["webhook.disabled"])).await;
    app.start("alice").await;
    for _ in 0..80 {
        deliver(&app).await;
        app.clock.advance_secs(3 * 3600);
    }
    let id = failing["id"].as_str().unwrap();
    let (_, endpoint) = app
        .get(&format!("/v1/webhooks/{id}"), &app.product_key)
        .await;
    assert_eq!(endpoint["enabled"], false, "{endpoint}");
    assert!(endpoint["failingSince"].is_string());
    let attempts = dead.received().len();
    assert!(
        (10..=15).contains(&attempts),
        "{attempts} attempts over 3 days"
    );
    let told = watcher.received();
    assert_eq!(told.len(), 1, "webhook.disabled goes to the other endpoint");
    assert_eq!(told[0].body["data"]["webhookId"], id);
    assert_eq!(told[0].body["actor"], json!({"kind": "system"}));

    // Enabled again, it resumes the delivery it still owes.
    dead.answer_always(200);
    let (s, body) = app
        .patch(
            &format!("/v1/webhooks/{id}"),
            &app.product_key,
            json!({"enabled": true}),
        )
        .await;
    assert_eq!((s, &body["failingSince"]), (200, &Value::Null), "{body}");
    app.clock.advance_secs(24 * 3600);
    deliver(&app).await;
    assert_eq!(dead.received().last().unwrap().answered, 200);
}

#[tokio::test]
async fn endpoints_are_created_read_changed_tested_and_deleted() {
    let app = setup_with(allowing_private()).await;
    let receiver = Receiver::start(&[]).await;
    let created = create(&app, &receiver.url, json!(["*"])).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("wh_"));
    assert_eq!(
        (&created["events"], &created["enabled"], &created["env"]),
        (&json!(["*"]), &json!(true), &Value::Null)
    );
    let (s, list) = app.get("/v1/webhooks", &app.product_key).await;
    assert_eq!(s, 200);
    assert_eq!(list["webhooks"][0]["id"], id.as_str());
    assert!(
        list["webhooks"][0].get("secret").is_none(),
        "shown only once"
    );
    let (_, one) = app.get(&format!("/v1/webhooks/{id}"), &app.admin).await;
    assert!(one.get("secret").is_none());

    let (s, changed) = app
        .patch(
            &format!("/v1/webhooks/{id}"),
            &app.product_key,
            json!({"events": ["session.revoked"], "description": null, "enabled": false}),
        )
        .await;
    assert_eq!(s, 200, "{changed}");
    assert_eq!(
        (
            &changed["events"],
            &changed["description"],
            &changed["enabled"]
        ),
        (&json!(["session.revoked"]), &Value::Null, &json!(false))
    );

    let (s, tested) = app
        .post(
            &format!("/v1/webhooks/{id}/test"),
            &app.product_key,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{tested}");
    assert_eq!(
        (&tested["delivered"], &tested["statusCode"]),
        (&json!(true), &json!(204))
    );
    let got = receiver.received();
    assert_eq!(got[0].body["type"], "webhook.test");
    assert_eq!(got[0].body["data"]["webhookId"], id.as_str());
    assert_signed(&got[0], created["secret"].as_str().unwrap());
    let (_, log) = app
        .get(
            &format!("/v1/webhooks/{id}/deliveries?limit=1"),
            &app.product_key,
        )
        .await;
    assert_eq!(log["deliveries"][0]["eventType"], "webhook.test");

    let (s, _) = app
        .delete(&format!("/v1/webhooks/{id}"), &app.product_key)
        .await;
    assert_eq!(s, 200);
    assert_err(
        &app.get(&format!("/v1/webhooks/{id}"), &app.product_key)
            .await,
        404,
        "webhook_not_found",
    );
}

#[tokio::test]
async fn a_test_of_an_endpoint_that_is_down_answers_why() {
    let app = setup_with(allowing_private()).await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let created = create(&app, &url, json!(["*"])).await;
    let (s, tested) = app
        .post(
            &format!("/v1/webhooks/{}/test", created["id"].as_str().unwrap()),
            &app.product_key,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{tested}");
    assert_eq!(
        (&tested["delivered"], &tested["statusCode"]),
        (&json!(false), &Value::Null)
    );
    assert!(
        tested["error"].as_str().unwrap().contains("cannot connect"),
        "{tested}"
    );
}

#[tokio::test]
async fn bad_endpoints_and_other_scopes_are_refused_clearly() {
    let app = setup().await;
    for (body, says) in [
        (
            json!({"url": "http://hooks.example.com/h", "events": ["*"]}),
            "must be https://",
        ),
        (
            json!({"url": "https://127.0.0.1/h", "events": ["*"]}),
            "--allow-private-webhooks",
        ),
        (
            json!({"url": "https://localhost/h", "events": ["*"]}),
            "--allow-private-webhooks",
        ),
        (json!({"url": "not a url", "events": ["*"]}), "is not a URL"),
        (
            json!({"url": "https://hooks.example.com/h", "events": []}),
            "at least one event type",
        ),
        (
            json!({"url": "https://hooks.example.com/h", "events": ["session.exploded"]}),
            "known types",
        ),
        (
            json!({"url": "https://hooks.example.com/h", "events": ["*"], "env": "staging"}),
            "staging",
        ),
        (
            json!({"url": "https://hooks.example.com/h", "events": ["*"], "description": "d".repeat(1025)}),
            "description",
        ),
    ] {
        let resp = app
            .post("/v1/webhooks", &app.product_key, body.clone())
            .await;
        assert_err_ctx(&resp, 422, "invalid_request", &body.to_string());
        let message = resp.1["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
    let ok = json!({"url": "https://hooks.example.com/h", "events": ["*"]});
    assert_err(
        &app.post("/v1/webhooks", &app.key, ok.clone()).await,
        403,
        "scope_forbidden",
    );
    let publishable = app.create_key("publishable", Some("dev")).await;
    assert_err(
        &app.post("/v1/webhooks", &publishable, ok.clone()).await,
        403,
        "publishable_key_forbidden",
    );
    assert_err(
        &app.post("/v1/webhooks", &app.admin, ok.clone()).await,
        422,
        "invalid_request",
    );
    let (s, created) = app.post("/v1/webhooks", &app.product_key, ok.clone()).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap();

    // Another product's key does not see it.
    let (s, _) = app
        .post(
            "/v1/products",
            &app.admin,
            json!({"tag": "blog", "name": "Blog"}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, blog_key) = app
        .post(
            "/v1/keys",
            &app.admin,
            json!({"kind": "access", "product": "blog", "name": "blog"}),
        )
        .await;
    let blog_key = blog_key["key"].as_str().unwrap();
    for (method, path) in [
        ("GET", format!("/v1/webhooks/{id}")),
        ("DELETE", format!("/v1/webhooks/{id}")),
        ("POST", format!("/v1/webhooks/{id}/test")),
        ("GET", format!("/v1/webhooks/{id}/deliveries")),
    ] {
        let resp = match method {
            "GET" => app.get(&path, blog_key).await,
            "DELETE" => app.delete(&path, blog_key).await,
            _ => app.post(&path, blog_key, json!({})).await,
        };
        assert_err_ctx(&resp, 404, "webhook_not_found", &path);
    }
    assert_err(
        &app.patch(
            &format!("/v1/webhooks/{id}"),
            &app.product_key,
            json!({"url": "http://x.example/h"}),
        )
        .await,
        422,
        "invalid_request",
    );
    assert_err(
        &app.get(
            &format!("/v1/webhooks/{id}/deliveries?limit=0"),
            &app.product_key,
        )
        .await,
        422,
        "invalid_request",
    );
    assert_err(
        &app.get("/v1/webhooks/wh_nope", &app.admin).await,
        404,
        "webhook_not_found",
    );
    for _ in 1..32 {
        let (s, _) = app.post("/v1/webhooks", &app.product_key, ok.clone()).await;
        assert_eq!(s, 201);
    }
    let full = app.post("/v1/webhooks", &app.product_key, ok).await;
    assert_err(&full, 422, "invalid_request");
    assert!(
        full.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("32 webhook endpoints")
    );
}
