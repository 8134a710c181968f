//! Webhook deliveries with the real binary: what was committed is delivered even when the
//! server is killed before it could send it, and with several nodes each event goes out once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::json;

use crate::support::cluster::Cluster;
use crate::support::receiver::Receiver;
use crate::support::{ADMIN_KEY, Api, Server, poll_until, tempdir};

/// For each event id the receiver got, the statuses it answered, in order.
fn answers_by_event(receiver: &Receiver) -> BTreeMap<String, Vec<u16>> {
    let mut by_event: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for r in receiver.received() {
        let id = r.headers["webhook-id"].to_str().expect("id").to_owned();
        assert_eq!(r.body["id"], id.as_str(), "webhook-id is the event id");
        by_event.entry(id).or_default().push(r.answered);
    }
    by_event
}

async fn start_sessions(api: &Api, n: usize, prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let reply = api
            .post(
                "/v1/sessions/start",
                json!({"tag": "user-session", "data": {"userId": format!("{prefix}-{i}"), "email": "e", "role": "r"}}),
            )
            .await
            .expect_status(200);
        ids.push(reply.str("sessionId"));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_committed_before_a_kill_9_go_out_after_the_restart_with_the_same_ids() {
    let dir = tempdir();
    let receiver = Receiver::start(&[]).await;
    receiver.answer_always(503);
    let args = ["--dev", "--allow-private-webhooks"];
    let server = Server::start(dir.path(), &args, &[]);
    let admin = server.api(server.admin_key.as_deref().expect("first start prints it"));
    let key = server.access_key.clone().expect("--dev access key");
    admin
        .post(
            "/v1/webhooks",
            json!({"product": "demo", "url": receiver.url, "events": ["session.started"]}),
        )
        .await
        .expect_status(201);
    let api = server.api(&key);
    start_sessions(&api, 5, "failed").await;
    poll_until(
        "each event's first attempt failed",
        Duration::from_secs(10),
        || async { answers_by_event(&receiver).len() == 5 },
    )
    .await;
    // Five more, and the kill at once: these may be undispatched, dispatched and not yet
    // sent, or in flight.
    start_sessions(&api, 5, "fresh").await;
    server.kill();
    receiver.answer_always(204);

    let server = Server::start(dir.path(), &args, &[]);
    poll_until(
        "every event is delivered after the restart",
        Duration::from_secs(60),
        || async {
            let by_event = answers_by_event(&receiver);
            by_event.len() == 10 && by_event.values().all(|a| a.contains(&204))
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (id, answers) in answers_by_event(&receiver) {
        assert_eq!(
            answers.iter().filter(|s| **s == 204).count(),
            1,
            "{id} delivered once: {answers:?}"
        );
    }
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_two_nodes_each_event_is_delivered_once() {
    let Some(c) = Cluster::start_with("webhooks_two_nodes", 2, &["--allow-private-webhooks"]).await
    else {
        return;
    };
    let receiver = Receiver::start(&[]).await;
    let admin = c.nodes[0].api(ADMIN_KEY);
    admin
        .post(
            "/v1/webhooks",
            json!({"product": "shop", "url": receiver.url, "events": ["session.started"]}),
        )
        .await
        .expect_status(201);
    let mut started = BTreeSet::new();
    for round in 0..20 {
        for node in &c.api {
            let reply = node
                .start(&format!("user-{round}"))
                .await
                .expect_status(200);
            started.insert(reply.str("sessionId"));
        }
    }
    poll_until(
        "every start is delivered",
        Duration::from_secs(20),
        || async { answers_by_event(&receiver).len() == started.len() },
    )
    .await;
    // Both nodes poll every 200 ms: a second delivery would come within this.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 40, "each of 40 events once, by one node");
    let sessions: BTreeSet<String> = received
        .iter()
        .map(|r| r.body["data"]["sessionId"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(sessions, started);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_commands_manage_test_and_show_deliveries() {
    let dir = tempdir();
    let receiver = Receiver::start(&[]).await;
    let server = Server::start(dir.path(), &["--dev", "--allow-private-webhooks"], &[]);
    let admin = server.admin_key.clone().expect("first start prints it");
    let demo = ["--product", "demo"];
    let created = server.cli_json(
        &admin,
        &[
            &demo[..],
            &[
                "webhooks",
                "create",
                "--endpoint",
                &receiver.url,
                "--event",
                "*",
            ],
        ]
        .concat(),
    );
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(
        created["secret"]
            .as_str()
            .expect("secret")
            .starts_with("whsec_")
    );
    let listed = server.cli_json(&admin, &[&demo[..], &["webhooks", "list"]].concat());
    assert_eq!(listed["webhooks"][0]["id"], id.as_str());
    let tested = server.cli_json(&admin, &["webhooks", "test", &id]);
    assert_eq!(
        (&tested["delivered"], &tested["statusCode"]),
        (&json!(true), &json!(204))
    );
    let updated = server.cli_json(
        &admin,
        &[
            "webhooks",
            "update",
            &id,
            "--event",
            "session.revoked",
            "--enabled",
            "false",
        ],
    );
    assert_eq!(
        (&updated["events"], &updated["enabled"]),
        (&json!(["session.revoked"]), &json!(false))
    );
    let log = server.cli_json(&admin, &["webhooks", "deliveries", &id, "--limit", "5"]);
    assert_eq!(log["deliveries"][0]["eventType"], "webhook.test");
    let human = server.cli(&admin, &["webhooks", "get", &id]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("enabled: false"));
    let deleted = server.cli_json(&admin, &["webhooks", "delete", &id]);
    assert_eq!(deleted["deleted"], true);
    let out = server.cli(&admin, &["webhooks", "get", &id]);
    assert!(crate::support::stderr(&out).contains("webhook_not_found"));
    assert_eq!(receiver.received().len(), 1, "the test only");
}
