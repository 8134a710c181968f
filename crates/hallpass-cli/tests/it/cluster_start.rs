//! Starting the nodes of one deployment on one PostgreSQL database: without a master key a
//! node refuses to start and says why; nodes started together migrate once and share one admin
//! key; a node restarted after a revocation elsewhere rejects the session.

use hallpass_store_conformance::TestDatabase;
use serde_json::Value;

use crate::support::{
    ADMIN_KEY, MASTER_KEY, Server, serve_on_to_exit, set_up_shop, start_together, stderr,
};

#[tokio::test]
async fn a_node_on_postgres_without_a_master_key_refuses_to_start_and_says_why() {
    let Some(db) = TestDatabase::create("no_master_key").await else {
        return;
    };
    let dir = crate::support::tempdir();
    let out = serve_on_to_exit(dir.path(), db.url(), &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("HALLPASS_MASTER_KEY is required with this database"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_started_together_migrate_once_and_share_one_admin_key() {
    for (n, bootstrap_key) in [(2, Some(ADMIN_KEY)), (3, Some(ADMIN_KEY)), (3, None)] {
        let Some(db) = TestDatabase::create("nodes_started_together_migrate_once").await else {
            return;
        };
        let dir = crate::support::tempdir();
        let mut env = vec![("HALLPASS_MASTER_KEY", MASTER_KEY)];
        env.extend(bootstrap_key.map(|k| ("HALLPASS_BOOTSTRAP_ADMIN_KEY", k)));
        let nodes = start_together(n, || Server::start_on(dir.path(), db.url(), &[], &env));
        let printed: Vec<_> = nodes.iter().filter_map(|s| s.admin_key.clone()).collect();
        assert_eq!(
            printed.len(),
            1,
            "exactly one of {n} nodes created and printed the admin key: {printed:?}"
        );
        // A supplied key is only reported, never printed; a generated one is printed.
        let admin_key = match bootstrap_key {
            Some(wanted) => {
                assert_eq!(
                    printed[0],
                    "created from HALLPASS_BOOTSTRAP_ADMIN_KEY (the database had none)"
                );
                wanted
            }
            None => &printed[0],
        };
        for node in &nodes {
            let keys = node.api(admin_key).get("/v1/keys").await.expect_status(200);
            let admins: Vec<&Value> = keys.body["keys"]
                .as_array()
                .expect("keys")
                .iter()
                .filter(|k| k["kind"] == "admin")
                .collect();
            assert_eq!(admins.len(), 1, "one admin key on {}: {keys:?}", node.url);
        }
        // What one node creates, every other node serves at once.
        let key = set_up_shop(&nodes[0].api(admin_key)).await;
        let started = nodes[n - 1].api(&key).start("ann").await.expect_status(200);
        for node in &nodes {
            node.api(&key)
                .verify(&started.str("token"))
                .await
                .expect_status(200);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_restarted_after_a_revocation_rejects_the_session() {
    let Some(db) = TestDatabase::create("restart_after_revocation").await else {
        return;
    };
    let dir = crate::support::tempdir();
    let mut nodes = Server::start_nodes(dir.path(), db.url(), 2);
    let key = set_up_shop(&nodes[0].api(ADMIN_KEY)).await;
    let started = nodes[0].api(&key).start("ann").await.expect_status(200);
    nodes[1]
        .api(&key)
        .verify(&started.str("token"))
        .await
        .expect_status(200);
    nodes.pop().expect("node B").kill();
    nodes[0]
        .api(&key)
        .revoke(&started.str("sessionId"))
        .await
        .expect_status(200);
    let b = Server::start_node(dir.path(), db.url());
    let reply = b.api(&key).verify(&started.str("token")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "session_revoked"),
        "{reply:?}"
    );
}
