//! A signing key rotated on one node of a deployment: tokens it signs verify at once on the
//! other nodes, with traffic going on around the rotation, and the new key reaches every
//! node's JWKS.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::cluster::Cluster;
use crate::support::{PROPAGATION_BOUND, poll_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_signed_with_a_key_rotated_on_one_node_verify_at_once_on_the_others() {
    let Some(c) = Cluster::start("rotation_reaches_every_node", 3).await else {
        return;
    };
    let (a, b, cc) = (&c.api[0], &c.api[1], &c.api[2]);
    let before = a.start("ann").await.expect_status(200);
    b.verify(&before.str("token")).await.expect_status(200);
    cc.verify(&before.str("token")).await.expect_status(200);
    let (mut rejected, mut checked) = (Vec::new(), 0);
    for (round, alg) in ["ES256", "EdDSA"].iter().cycle().take(6).enumerate() {
        // Backends keep starting sessions on A while the key rotates there, and the load
        // balancer sends each next request to B or C.
        let rotated = Arc::new(AtomicBool::new(false));
        let traffic: Vec<_> = (0..4)
            .map(|i| {
                let (a, other, rotated) =
                    (a.clone(), c.api[1 + i % 2].clone(), Arc::clone(&rotated));
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut after_rotation = 0;
                    while after_rotation < 5 {
                        if rotated.load(Ordering::SeqCst) {
                            after_rotation += 1;
                        }
                        let started = a.start("ann").await.expect_status(200);
                        let token = started.str("token");
                        seen.push((
                            jws_header(&token)["kid"].clone(),
                            other.verify(&token).await,
                        ));
                    }
                    seen
                })
            })
            .collect();
        let kid = c.admin[0]
            .post(
                "/v1/products/shop/envs/dev/signing-keys/rotate",
                json!({"alg": alg}),
            )
            .await
            .expect_status(200)
            .str("kid");
        rotated.store(true, Ordering::SeqCst);
        for task in traffic {
            for (token_kid, reply) in task.await.expect("traffic task") {
                checked += 1;
                if reply.status != 200 {
                    rejected.push(format!(
                        "round {round}: a token of kid {token_kid} issued on A was rejected by another node: {} {}",
                        reply.status,
                        reply.code()
                    ));
                }
            }
        }
        let after = a.start("ann").await.expect_status(200);
        let header = jws_header(&after.str("token"));
        assert_eq!(
            (header["kid"].as_str(), header["alg"].as_str()),
            (Some(kid.as_str()), Some(*alg))
        );
        for node in [b, cc] {
            node.verify(&after.str("token")).await.expect_status(200);
            poll_until("the new key is in the JWKS", PROPAGATION_BOUND, || async {
                let jwks = node.get("/v1/jwks/shop/dev").await.expect_status(200);
                jwks.body["keys"]
                    .as_array()
                    .is_some_and(|keys| keys.iter().any(|k| k["kid"] == kid))
            })
            .await;
            node.verify(&before.str("token")).await.expect_status(200);
        }
    }
    println!(
        "signing-key rotation: {} of {checked} tokens issued on A around a rotation were rejected by B or C",
        rejected.len()
    );
    assert!(rejected.is_empty(), "{rejected:#?}");
}

/// The decoded protected header of a JWS.
fn jws_header(token: &str) -> Value {
    let header = token.split('.').next().expect("a JWS has a header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url header"))
        .expect("JSON header")
}
