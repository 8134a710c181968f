//! What a node acknowledged is on disk: a node killed with SIGKILL in the middle of a burst
//! of logins loses none of the sessions, refreshes or revocations it answered 200 to.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hallpass_store_conformance::TestDatabase;
use serde_json::json;

use crate::support::{ADMIN_KEY, Server, TAG, poll_until, set_up_shop, tempdir};

/// Concurrent clients of the burst.
const CLIENTS: usize = 8;
/// Starts acknowledged before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_during_a_burst_of_starts_on_sqlite_keeps_every_acknowledged_write() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    survive_a_kill(dir.path(), &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_during_a_burst_of_starts_on_postgres_keeps_every_acknowledged_write() {
    let Some(db) = TestDatabase::create("durability_on_postgres").await else {
        return;
    };
    let dir = tempdir();
    survive_a_kill(dir.path(), db.url()).await;
}

async fn survive_a_kill(dir: &std::path::Path, url: &str) {
    let node = Server::start_node(dir, url);
    let key = set_up_shop(&node.api(ADMIN_KEY)).await;
    let api = node.api(&key);
    let to_refresh = api.start("refreshed").await.expect_status(200);
    let to_revoke = api.start("revoked").await.expect_status(200);

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            // A client of its own per task: its own connections, as separate backends would.
            let api = node.api(&key);
            let acknowledged = Arc::clone(&acknowledged);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0.. {
                    let body = json!({"tag": TAG, "identifier": "burst",
                                      "data": {"userId": format!("c{client}-{i}")}});
                    match api
                        .try_send(reqwest::Method::POST, "/v1/sessions/start", Some(body))
                        .await
                    {
                        Ok(reply) => {
                            assert_eq!(reply.status, 200, "before the kill: {reply:?}");
                            ids.push(reply.str("sessionId"));
                            acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        // The node is gone.
                        Err(_) => return ids,
                    }
                }
                ids
            })
        })
        .collect();

    poll_until(
        "the burst is under way",
        Duration::from_secs(30),
        || async { acknowledged.load(Ordering::Relaxed) >= ACKNOWLEDGED_BEFORE_KILL },
    )
    .await;
    // A refresh and a revoke answered right before the kill, while the burst goes on.
    let refreshed = api
        .refresh(&to_refresh.str("refreshToken"))
        .await
        .expect_status(200);
    let revoked = api
        .revoke(&to_revoke.str("sessionId"))
        .await
        .expect_status(200);
    assert_eq!(revoked.body["revoked"], true);
    node.kill();

    let mut written = Vec::new();
    for client in clients {
        written.extend(client.await.expect("client task"));
    }

    let node = Server::start_node(dir, url);
    let api = node.api(&key);
    let listed: std::collections::HashSet<String> = api
        .list_all("burst")
        .await
        .iter()
        .map(|s| s["sessionId"].as_str().expect("sessionId").to_owned())
        .collect();
    let lost: Vec<&String> = written.iter().filter(|id| !listed.contains(*id)).collect();
    println!(
        "{url}: {} starts acknowledged before the kill, {} sessions after the restart",
        written.len(),
        listed.len()
    );
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged sessions are gone after the kill: {lost:?}",
        lost.len(),
        written.len()
    );
    assert!(
        listed.len() <= written.len() + CLIENTS,
        "only the starts in flight at the kill may exist unacknowledged"
    );

    // The rotation survived: the new refresh token is the current one (it rotates again),
    // and the token it came with verifies.
    api.verify(&refreshed.str("token")).await.expect_status(200);
    let next = api
        .refresh(&refreshed.str("refreshToken"))
        .await
        .expect_status(200);
    assert_eq!(next.body["sessionId"], to_refresh.body["sessionId"]);
    // The revocation survived.
    let gone = api.verify(&to_revoke.str("token")).await;
    assert_eq!(
        (gone.status, gone.code()),
        (401, "session_revoked"),
        "{gone:?}"
    );
    assert!(api.list_all("revoked").await.is_empty());
    let again = api
        .revoke(&to_revoke.str("sessionId"))
        .await
        .expect_status(200);
    assert_eq!(again.body["revoked"], false);
}
