//! Revocations made on one node of a deployment reach the others within a second: revoke,
//! revoke-all, a reused refresh token (theft), and a session type deleted with `force=true`.

use serde_json::json;

use crate::support::TAG;
use crate::support::cluster::{Cluster, rejected_everywhere, report};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_revoked_on_one_node_is_rejected_by_the_others_within_a_second() {
    let Some(c) = Cluster::start("revoke_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let mut delays = Vec::new();
    for round in 0..5 {
        let started = b.start(&format!("ann-{round}")).await.expect_status(200);
        let token = started.str("token");
        let verified = cc.verify(&token).await.expect_status(200);
        assert_eq!(verified.body["identifier"], format!("ann-{round}"));
        b.verify(&token).await.expect_status(200);
        let revoked = a.revoke(&started.str("sessionId")).await.expect_status(200);
        assert_eq!(revoked.body["revoked"], true);
        delays.extend(
            rejected_everywhere(&[b.clone(), cc.clone()], &token, &["session_revoked"]).await,
        );
    }
    report("revoke", &delays);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn revoke_all_on_one_node_is_seen_by_the_others_within_a_second() {
    let Some(c) = Cluster::start("revoke_all_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let mut tokens = Vec::new();
    for node in [b, cc, b] {
        tokens.push(node.start("ann").await.expect_status(200));
    }
    let bob = cc.start("bob").await.expect_status(200);
    for t in tokens.iter().chain([&bob]) {
        b.verify(&t.str("token")).await.expect_status(200);
        cc.verify(&t.str("token")).await.expect_status(200);
    }
    let kept = &tokens[0];
    let answer = a
        .post(
            "/v1/sessions/revoke-all",
            json!({"tag": TAG, "identifier": "ann", "excludeCurrentSession": kept.str("sessionId")}),
        )
        .await
        .expect_status(200);
    assert_eq!(answer.body["revokedCount"], 2);
    let mut delays = Vec::new();
    for gone in &tokens[1..] {
        delays.extend(
            rejected_everywhere(
                &[b.clone(), cc.clone()],
                &gone.str("token"),
                &["session_revoked"],
            )
            .await,
        );
    }
    report("revoke-all", &delays);
    for node in [a, b, cc] {
        node.verify(&kept.str("token")).await.expect_status(200);
        node.verify(&bob.str("token")).await.expect_status(200);
    }
    let listed = b.list_all("ann").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["sessionId"], kept.str("sessionId"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reused_refresh_token_on_one_node_revokes_the_session_on_every_node_within_a_second() {
    let Some(c) = Cluster::start("theft_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let started = b.start("ann").await.expect_status(200);
    let first = started.str("refreshToken");
    let second = b.refresh(&first).await.expect_status(200);
    let third = cc
        .refresh(&second.str("refreshToken"))
        .await
        .expect_status(200);
    let token = third.str("token");
    b.verify(&token).await.expect_status(200);
    cc.verify(&token).await.expect_status(200);

    // The first refresh token is two rotations old: theft, whichever node sees it.
    let stolen = a.refresh(&first).await;
    assert_eq!(
        (stolen.status, stolen.code()),
        (401, "refresh_token_reused"),
        "{stolen:?}"
    );
    let delays = rejected_everywhere(&[b.clone(), cc.clone()], &token, &["session_revoked"]).await;
    report("refresh-token reuse", &delays);
    let latest = b.refresh(&third.str("refreshToken")).await;
    assert_eq!(
        (latest.status, latest.code()),
        (401, "session_revoked"),
        "the thief's latest refresh token is dead too: {latest:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_type_deleted_with_force_on_one_node_ends_its_sessions_on_every_node() {
    let Some(c) = Cluster::start("forced_type_deletion_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let started = b.start("ann").await.expect_status(200);
    let token = started.str("token");
    b.verify(&token).await.expect_status(200);
    cc.verify(&token).await.expect_status(200);

    let types_a = &c.types[0];
    let refused = types_a.delete(&format!("/v1/session-types/{TAG}")).await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "conflict"),
        "{refused:?}"
    );
    let deleted = types_a
        .delete(&format!("/v1/session-types/{TAG}?force=true"))
        .await
        .expect_status(200);
    assert_eq!(deleted.body["deleted"], true);
    let delays = rejected_everywhere(
        &[b.clone(), cc.clone()],
        &token,
        &["session_revoked", "session_type_not_found"],
    )
    .await;
    report("forced session type deletion", &delays);

    // The tag can be created again; the old sessions stay revoked on every node.
    types_a
        .post(
            "/v1/session-types",
            json!({"name": "User session", "tag": TAG, "schema": {"userId": "u"},
               "selector": "$Session{userId}", "expiry": 1, "period": "hours"}),
        )
        .await
        .expect_status(201);
    for node in [a, b, cc] {
        let again = node.verify(&token).await;
        assert_eq!(
            (again.status, again.code()),
            (401, "session_revoked"),
            "{again:?}"
        );
        node.start("bob").await.expect_status(200);
    }
}
