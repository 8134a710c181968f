//! Two tabs of one user refreshing at the same moment, their requests landing on two nodes of
//! one deployment: exactly one rotation, and both tabs get the same new pair.

use hallpass_store_conformance::TestDatabase;

use crate::support::{ADMIN_KEY, Api, Server, set_up_shop, tempdir};

const ROUNDS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_on_two_nodes_rotate_it_exactly_once() {
    let Some(db) = TestDatabase::create("refresh_race_across_nodes").await else {
        return;
    };
    let dir = tempdir();
    let nodes = Server::start_nodes(dir.path(), db.url(), 2);
    let key = set_up_shop(&nodes[0].api(ADMIN_KEY)).await;
    let (a, b) = (nodes[0].api(&key), nodes[1].api(&key));

    for round in 0..ROUNDS {
        let started = a.start(&format!("tabs-{round}")).await.expect_status(200);
        let old = started.str("refreshToken");
        // Both nodes already hold a connection from the client, so the two requests leave
        // within microseconds of each other and run in parallel on the two servers.
        let (on_a, on_b) = tokio::join!(refresh_on(&a, &old), refresh_on(&b, &old));
        let (on_a, on_b) = (on_a.expect_status(200), on_b.expect_status(200));
        assert_eq!(
            (on_a.str("token"), on_a.str("refreshToken")),
            (on_b.str("token"), on_b.str("refreshToken")),
            "round {round}: both tabs get the one rotation's pair"
        );
        assert_eq!(on_a.body["sessionId"], started.body["sessionId"]);
        let new = on_a.str("refreshToken");
        assert_ne!(new, old);
        for node in [&a, &b] {
            node.verify(&on_a.str("token")).await.expect_status(200);
        }

        // Within the grace the rotated-out token answers that same pair again (docs/API.md §3.5).
        let again = [&b, &a][round % 2].refresh(&old).await.expect_status(200);
        assert_eq!(again.str("refreshToken"), new, "round {round}");
        assert_eq!(again.str("token"), on_a.str("token"), "round {round}");

        // The new refresh token works once more: a second, real rotation.
        let next = [&a, &b][round % 2].refresh(&new).await.expect_status(200);
        assert_ne!(next.str("refreshToken"), new);
        [&b, &a][round % 2]
            .verify(&next.str("token"))
            .await
            .expect_status(200);

        // The first token is now two rotations old: theft, the session ends.
        let stolen = b.refresh(&old).await;
        assert_eq!(
            (stolen.status, stolen.code()),
            (401, "refresh_token_reused"),
            "round {round}: {stolen:?}"
        );
    }
}

/// A refresh sent from a task of its own, so the two of a round run on two threads.
async fn refresh_on(node: &Api, refresh_token: &str) -> crate::support::Reply {
    let (node, refresh_token) = (node.clone(), refresh_token.to_owned());
    tokio::spawn(async move { node.refresh(&refresh_token).await })
        .await
        .expect("refresh task")
}
