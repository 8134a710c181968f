//! A token verified once is answered from the verification cache afterwards; these are the
//! ways a remembered token must still be refused, exactly as a first verify would refuse it.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_remembered_token_answers_the_same_until_its_session_ends() {
    let app = setup().await;
    let s = app.start("u").await;
    let first = app.verify(&s["token"]).await;
    assert_eq!(first.0, 200, "{}", first.1);
    for _ in 0..3 {
        assert_eq!(app.verify(&s["token"]).await, first);
    }
    assert_eq!(app.revoke(&s["sessionId"]).await.0, 200);
    assert_err(&app.verify(&s["token"]).await, 401, "session_revoked");
}

#[tokio::test]
async fn a_remembered_token_of_a_deleted_type_is_refused_and_stays_revoked_when_the_tag_returns() {
    let app = setup().await;
    let s = app.start("u").await;
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    let (status, body) = app
        .delete(
            "/v1/session-types/user-session?force=true",
            &app.product_key,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_err(
        &app.verify(&s["token"]).await,
        404,
        "session_type_not_found",
    );
    app.create_type(json!({"tag": TYPE, "name": "User session", "schema": {"userId": "u"}, "expiry": 1, "period": "hours"})).await;
    assert_err(&app.verify(&s["token"]).await, 401, "session_revoked");
}

#[tokio::test]
async fn a_remembered_token_asked_for_another_env_or_tag_is_checked_in_full() {
    let app = setup().await;
    app.create_admin_type().await;
    let s = app.start("u").await;
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    let all_envs = app.create_key("access", None).await;
    assert_err(
        &app.post(
            VERIFY,
            &all_envs,
            json!({"tag": TYPE, "token": s["token"], "env": "prd"}),
        )
        .await,
        401,
        "wrong_environment",
    );
    assert_err(
        &app.post(
            VERIFY,
            &app.key,
            json!({"tag": "admin-session", "token": s["token"]}),
        )
        .await,
        401,
        "tag_mismatch",
    );
}

#[tokio::test]
async fn a_remembered_token_expires_on_time() {
    let app = setup().await;
    let s = app.start("u").await;
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    app.clock.advance_secs(3599);
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    app.clock.advance_secs(1);
    assert_err(&app.verify(&s["token"]).await, 401, "token_expired");
}
