//! Session types changed on one node of a deployment: another node uses the change within a
//! second, converges on the last of quick updates while under load, and concurrent updates of
//! different fields on two nodes both apply.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::cluster::{Cluster, report};
use crate::support::{PROPAGATION_BOUND, TAG, poll_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_type_updated_on_one_node_is_used_by_another_within_a_second() {
    let Some(c) = Cluster::start("type_update_reaches_every_node", 2).await else {
        return;
    };
    let (a, b) = (&c.types[0], &c.api[1]);
    // Node B has the type in its cache.
    b.start("ann").await.expect_status(200);
    a.patch(
        &format!("/v1/session-types/{TAG}"),
        json!({"schema": {"userId": "u", "plan": "free"}, "expiry": 3, "period": "hours"}),
    )
    .await
    .expect_status(200);
    let delay = poll_until(
        "node B enforces the new schema",
        PROPAGATION_BOUND,
        || async {
            let reply = b.start("ann").await;
            if reply.status != 200 {
                assert_eq!(
                    (reply.status, reply.code()),
                    (422, "schema_violation"),
                    "{reply:?}"
                );
            }
            reply.status != 200
        },
    )
    .await;
    report("session type update", &[delay]);
    let started = b
        .post(
            "/v1/sessions/start",
            json!({"tag": TAG, "data": {"userId": "ann", "plan": "pro"}}),
        )
        .await
        .expect_status(200);
    let verified = b.verify(&started.str("token")).await.expect_status(200);
    let lifetime = seconds(&verified.body["expiresAt"]) - seconds(&verified.body["issuedAt"]);
    assert_eq!(lifetime, 3 * 3600, "node B issues tokens of the new expiry");
    let fetched = b
        .get(&format!("/v1/session-types/{TAG}"))
        .await
        .expect_status(200);
    assert_eq!(fetched.body["expiry"], 3, "{fetched:?}");
}

/// Seconds since the epoch of an ISO 8601 time.
fn seconds(time: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time.as_str().expect("a time string"))
        .expect("ISO 8601")
        .timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_under_load_converges_on_the_last_of_quick_session_type_updates() {
    let Some(c) = Cluster::start("type_updates_under_load", 2).await else {
        return;
    };
    let (a, b) = (&c.types[0], &c.api[1]);
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (b, stop) = (c.nodes[1].api(&c.key), Arc::clone(&stop));
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    b.get(&format!("/v1/session-types/{TAG}")).await;
                    b.start("load").await;
                }
            })
        })
        .collect();
    let mut stale = Vec::new();
    for round in 0..50_u64 {
        // A burst of concurrent updates, then the last one while node B is still re-reading
        // the type after the burst's changes.
        let burst: Vec<_> = (0..6)
            .map(|i| {
                let a = a.clone();
                tokio::spawn(async move {
                    a.patch(
                        &format!("/v1/session-types/{TAG}"),
                        json!({"expiry": 1000 + i, "period": "minutes"}),
                    )
                    .await
                })
            })
            .collect();
        for update in burst {
            // Only the churn matters here, whatever concurrent updates answer.
            let reply = update.await.expect("update task");
            assert!(reply.status < 500, "{reply:?}");
        }
        a.patch(
            &format!("/v1/session-types/{TAG}"),
            json!({"expiry": 101 + 2 * round, "period": "minutes"}),
        )
        .await
        .expect_status(200);
        let wanted = (101 + 2 * round) * 60;
        let began = Instant::now();
        let mut lifetime = 0;
        while began.elapsed() < PROPAGATION_BOUND {
            let started = b.start("ann").await.expect_status(200);
            let verified = b.verify(&started.str("token")).await.expect_status(200);
            lifetime = seconds(&verified.body["expiresAt"]) - seconds(&verified.body["issuedAt"]);
            if lifetime.unsigned_abs() == wanted {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if lifetime.unsigned_abs() != wanted {
            let stored = b.get(&format!("/v1/session-types/{TAG}")).await;
            stale.push(format!(
                "round {round}: node B still issues {lifetime} s tokens a second after the type was set to {wanted} s (it reads {} {} from the database)",
                stored.body["expiry"], stored.body["period"]
            ));
        }
    }
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.expect("load task");
    }
    assert!(stale.is_empty(), "{stale:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_different_fields_on_two_nodes_both_apply() {
    let Some(c) = Cluster::start("concurrent_type_updates", 2).await else {
        return;
    };
    let path = format!("/v1/session-types/{TAG}");
    let mut lost = Vec::new();
    for round in 0..20_u64 {
        let (description, expiry) = (format!("round {round}"), 100 + round);
        let (on_a, on_b) = tokio::join!(
            c.types[0].patch(&path, json!({"description": description})),
            c.types[1].patch(&path, json!({"expiry": expiry, "period": "minutes"})),
        );
        on_a.expect_status(200);
        on_b.expect_status(200);
        let stored = c.api[0].get(&path).await.expect_status(200);
        if stored.body["description"] != description || stored.body["expiry"] != expiry {
            lost.push(format!(
                "round {round}: set description {description:?} on A and expiry {expiry} on B at once, got {} and {}",
                stored.body["description"], stored.body["expiry"]
            ));
        }
    }
    assert!(lost.is_empty(), "{lost:#?}");
}
