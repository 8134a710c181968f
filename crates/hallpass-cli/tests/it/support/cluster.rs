//! Several `hallpass serve` nodes on one fresh PostgreSQL database, as behind a load balancer,
//! with product `shop` set up, and how to wait until every node rejects a token.

use std::time::Duration;

use hallpass_store_conformance::TestDatabase;
use serde_json::json;
use tempfile::TempDir;

use super::{ADMIN_KEY, Api, PROPAGATION_BOUND, Server, poll_until, set_up_shop};

/// Nodes on one fresh database, with product `shop` set up through the first node.
pub struct Cluster {
    pub nodes: Vec<Server>,
    /// An access key of shop/dev on each node, in node order.
    pub api: Vec<Api>,
    /// The admin key on each node, in node order.
    pub admin: Vec<Api>,
    /// The access key `api` uses.
    pub key: String,
    /// An access key of every env of shop on each node, in node order: what changes the
    /// session types, which every env shares.
    pub types: Vec<Api>,
    _dir: TempDir,
    _db: TestDatabase,
}

impl Cluster {
    /// `n` nodes started at once on a fresh database; `None` (skipped) without PostgreSQL.
    pub async fn start(test: &str, n: usize) -> Option<Self> {
        Self::start_with(test, n, &[]).await
    }

    /// As [`Cluster::start`], with `extra` arguments of every node's `serve`.
    pub async fn start_with(test: &str, n: usize, extra: &[&str]) -> Option<Self> {
        let db = TestDatabase::create(test).await?;
        let dir = crate::support::tempdir();
        let nodes = Server::start_nodes_with(dir.path(), db.url(), n, extra);
        let admin: Vec<Api> = nodes.iter().map(|s| s.api(ADMIN_KEY)).collect();
        let key = set_up_shop(&admin[0]).await;
        let api = nodes.iter().map(|s| s.api(&key)).collect();
        let types_key = admin[0]
            .post(
                "/v1/keys",
                json!({"kind": "access", "product": "shop", "name": "session types"}),
            )
            .await
            .expect_status(201)
            .str("key");
        let types = nodes.iter().map(|s| s.api(&types_key)).collect();
        Some(Self {
            nodes,
            api,
            admin,
            key,
            types,
            _dir: dir,
            _db: db,
        })
    }
}

/// Polls verify of `token` on each of `nodes` (concurrently) until it is rejected with one of
/// `codes`, and returns how long each took; panics when one still accepts it after a second.
pub async fn rejected_everywhere(
    nodes: &[Api],
    token: &str,
    codes: &[&'static str],
) -> Vec<Duration> {
    let polls: Vec<_> = nodes
        .iter()
        .map(|node| {
            let (node, token, codes) = (node.clone(), token.to_owned(), codes.to_vec());
            tokio::spawn(async move {
                poll_until(
                    "every node rejects the token",
                    PROPAGATION_BOUND,
                    || async {
                        let reply = node.verify(&token).await;
                        if reply.status != 200 {
                            assert!(codes.contains(&reply.code()), "not {codes:?}: {reply:?}");
                        }
                        reply.status != 200
                    },
                )
                .await
            })
        })
        .collect();
    let mut delays = Vec::new();
    for poll in polls {
        delays.push(poll.await.expect("poll task"));
    }
    delays
}

pub fn report(what: &str, delays: &[Duration]) {
    println!("propagation delay of {what}: {delays:?}");
}
