//! Requests whose client goes away mid-flight still complete.

use std::future::Future as _;
use std::task::Poll;
use std::time::Duration;

use axum::http::Method;
use serde_json::json;
use tower::ServiceExt as _;

use crate::support::*;

#[tokio::test]
async fn a_revoke_abandoned_by_its_client_still_takes_effect() {
    let app = setup().await;
    let started = app.start("alice").await;
    assert_eq!(app.verify(&started["token"]).await.0, 200);

    let revoke = request(
        Method::POST,
        REVOKE,
        Some(&format!("Bearer {}", app.key)),
        json!({"tag": TYPE, "sessionId": started["sessionId"]}).to_string(),
    );
    // Polled once, as a server does before it notices the connection closed, then dropped.
    let mut abandoned = Box::pin(app.router.clone().oneshot(revoke));
    let first = std::future::poll_fn(|cx| Poll::Ready(abandoned.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the revoke should still be in flight");
    drop(abandoned);

    // Nothing else brings the revocation into this service's memory: no background catch-up
    // runs here, so only the abandoned request finishing can make verify reject the token.
    let mut last = (0, serde_json::Value::Null);
    for _ in 0..200 {
        last = app.verify(&started["token"]).await;
        if last.0 == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_err(&last, 401, "session_revoked");
}
