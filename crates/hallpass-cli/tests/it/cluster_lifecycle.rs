//! The session lifecycle across nodes (docs/API.md §12): an update on one node supersedes the
//! session's older tokens on every node within a second, and starts racing on two nodes never
//! leave more sessions than the type's limit.

use serde_json::json;

use crate::support::TAG;
use crate::support::cluster::{Cluster, rejected_everywhere, report};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_on_one_node_supersedes_older_tokens_on_every_node_within_a_second() {
    let Some(c) = Cluster::start("update_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let mut delays = Vec::new();
    for round in 0..5 {
        let started = b.start(&format!("ann-{round}")).await.expect_status(200);
        let token = started.str("token");
        b.verify(&token).await.expect_status(200);
        cc.verify(&token).await.expect_status(200);
        let updated = a
            .post(
                "/v1/sessions/update",
                json!({"tag": TAG, "sessionId": started.str("sessionId"), "data": {"role": "admin"}}),
            )
            .await
            .expect_status(200);
        delays.extend(
            rejected_everywhere(&[b.clone(), cc.clone()], &token, &["token_superseded"]).await,
        );
        for node in [a, b, cc] {
            let fresh = node.verify(&updated.str("token")).await.expect_status(200);
            assert_eq!(fresh.body["data"]["role"], "admin");
        }
        let refreshed = cc
            .refresh(&started.str("refreshToken"))
            .await
            .expect_status(200);
        let next = b.verify(&refreshed.str("token")).await.expect_status(200);
        assert_eq!(
            next.body["data"]["role"], "admin",
            "the next refresh carries it"
        );
    }
    report("update", &delays);

    let tokens = [
        b.start("bea").await.expect_status(200),
        cc.start("bea").await.expect_status(200),
    ];
    let answer = a
        .post(
            "/v1/sessions/update-all",
            json!({"tag": TAG, "identifier": "bea", "data": {"plan": "pro"}}),
        )
        .await
        .expect_status(200);
    assert_eq!(answer.body["updatedCount"], 2);
    let mut delays = Vec::new();
    for t in &tokens {
        delays.extend(
            rejected_everywhere(
                &[b.clone(), cc.clone()],
                &t.str("token"),
                &["token_superseded"],
            )
            .await,
        );
    }
    report("update-all", &delays);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn starts_racing_on_two_nodes_never_exceed_the_session_limit() {
    let Some(c) = Cluster::start("session_limit_across_nodes", 2).await else {
        return;
    };
    for (tag, on_limit) in [("rolling", "revoke_oldest"), ("capped", "refuse")] {
        c.types[0]
            .post(
                "/v1/session-types",
                json!({"tag": tag, "name": tag, "expiry": 1, "period": "hours",
                       "maxSessions": 3, "onLimit": on_limit}),
            )
            .await
            .expect_status(201);
        let mut starts = Vec::new();
        for n in 0..30 {
            let node = c.api[n % 2].clone();
            starts.push(tokio::spawn(async move {
                node.post(
                    "/v1/sessions/start",
                    json!({"tag": tag, "data": {}, "identifier": "ann"}),
                )
                .await
            }));
        }
        let mut ok = 0;
        for start in starts {
            let reply = start.await.expect("start task");
            match reply.status {
                200 => ok += 1,
                409 => assert_eq!(reply.code(), "session_limit_reached", "{reply:?}"),
                _ => panic!("{reply:?}"),
            }
        }
        let listed = c.api[1]
            .post(
                "/v1/sessions/list",
                json!({"tag": tag, "identifier": "ann"}),
            )
            .await
            .expect_status(200);
        assert_eq!(listed.body["count"], 3, "{tag}: {}", listed.body);
        assert_eq!(ok, if on_limit == "refuse" { 3 } else { 30 }, "{tag}");
    }
}
