//! Refresh rules (docs/API.md §3.5): rotation, the grace replay, reuse detection, expiry.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::*;

#[track_caller]
fn ok(resp: (u16, Value)) -> Value {
    assert_eq!(resp.0, 200, "{}", resp.1);
    resp.1
}

#[tokio::test]
async fn refresh_rotates_and_replays_the_same_pair_within_the_grace() {
    let app = setup().await;
    let s = app.start("u").await;
    app.clock.advance_secs(5);
    let r = ok(app.refresh(&s["refreshToken"]).await);
    assert_eq!(r["sessionId"], s["sessionId"]);
    assert_ne!(r["token"], s["token"]);
    assert_ne!(r["refreshToken"], s["refreshToken"]);
    assert_eq!(ms(&r["expiresAt"]), app.now_ms() + 3_600_000);
    assert_eq!(
        ok(app.verify(&s["token"]).await)["sessionId"],
        s["sessionId"],
        "the old token verifies until its exp"
    );
    assert_eq!(
        ok(app.verify(&r["token"]).await)["expiresAt"],
        r["expiresAt"]
    );

    app.clock.advance_secs(3);
    let again = ok(app.refresh(&s["refreshToken"]).await);
    assert_eq!(
        again, r,
        "the just-rotated refresh token answers the same pair within refreshGrace"
    );
    app.clock.advance_secs(6);
    assert_eq!(
        ok(app.refresh(&s["refreshToken"]).await),
        r,
        "still within the 10 s grace"
    );

    app.clock.advance_secs(2); // 11 s after the rotation
    assert_err(
        &app.refresh(&s["refreshToken"]).await,
        401,
        "refresh_token_reused",
    );
    assert_err(&app.verify(&r["token"]).await, 401, "session_revoked");
    assert_err(&app.verify(&s["token"]).await, 401, "session_revoked");
    assert_err(
        &app.refresh(&r["refreshToken"]).await,
        401,
        "session_revoked",
    );
    assert_eq!(app.count("u").await, 0);
}

#[tokio::test]
async fn an_older_refresh_token_is_reuse_and_revokes_the_session() {
    let app = setup().await;
    let s = app.start("u").await;
    let other = app.start("u").await;
    app.clock.advance_secs(1);
    let r1 = ok(app.refresh(&s["refreshToken"]).await);
    app.clock.advance_secs(1);
    let r2 = ok(app.refresh(&r1["refreshToken"]).await);
    assert_ne!(r2["refreshToken"], r1["refreshToken"]);
    // Two rotations back, though within the grace of the last rotation.
    assert_err(
        &app.refresh(&s["refreshToken"]).await,
        401,
        "refresh_token_reused",
    );
    assert_err(&app.verify(&r2["token"]).await, 401, "session_revoked");
    assert_err(
        &app.refresh(&r2["refreshToken"]).await,
        401,
        "session_revoked",
    );
    assert_eq!(
        app.verify(&other["token"]).await.0,
        200,
        "other sessions are untouched"
    );
    assert_eq!(app.count("u").await, 1);
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refresh_token_invalid() {
    let app = setup().await;
    let s = app.start("u").await;
    let other_tag = app.start_admin_session().await;
    let (_, prd) = app.post(START, &app.admin, json!({"product": "shop", "env": "prd", "tag": TYPE, "data": {"userId": "u", "email": "e"}})).await;
    let rt = s["refreshToken"].as_str().unwrap();
    let cases = [
        json!("garbage"),
        json!(""),
        json!("hp_rt_"),
        json!("hp_rt_!!!!"),
        json!(format!("hp_rt_{}", "A".repeat(43))),
        json!(format!("{rt}x")),
        json!(&rt[..rt.len() - 1]),
        json!(s["token"]),
        json!("x".repeat(10_000)),
        other_tag["refreshToken"].clone(),
        prd["refreshToken"].clone(),
    ];
    for t in cases {
        let ctx: String = t.to_string().chars().take(80).collect();
        assert_err_ctx(&app.refresh(&t).await, 401, "refresh_token_invalid", &ctx);
    }
    let ok_other = json!({"tag": "admin-session", "refreshToken": other_tag["refreshToken"]});
    assert_eq!(
        app.post(REFRESH, &app.key, ok_other).await.0,
        200,
        "a refused refresh does not harm the session"
    );
    assert_eq!(app.refresh(&s["refreshToken"]).await.0, 200);
}

#[tokio::test]
async fn refresh_after_the_session_lifetime_is_refresh_token_expired() {
    let app = setup().await;
    let s = app.start("u").await;
    app.clock.advance_secs(30 * 86_400 - 10);
    let r = ok(app.refresh(&s["refreshToken"]).await);
    assert_eq!(
        r["refreshExpiresAt"], s["refreshExpiresAt"],
        "refreshing does not extend the session lifetime"
    );
    app.clock.advance_secs(11);
    assert_err(
        &app.refresh(&r["refreshToken"]).await,
        401,
        "refresh_token_expired",
    );
    assert_eq!(app.count("u").await, 0, "an expired session is not listed");
}

#[tokio::test]
async fn refresh_of_a_revoked_session_is_session_revoked() {
    let app = setup().await;
    let a = app.start("u").await;
    let b = app.start("u").await;
    assert_eq!(
        app.revoke(&a["sessionId"]).await.1,
        json!({"revoked": true})
    );
    assert_err(
        &app.refresh(&a["refreshToken"]).await,
        401,
        "session_revoked",
    );
    assert_eq!(
        app.post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u"})
        )
        .await
        .0,
        200
    );
    assert_err(
        &app.refresh(&b["refreshToken"]).await,
        401,
        "session_revoked",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_of_one_token_rotate_once() {
    let app = setup().await;
    let s = app.start("u").await;
    app.clock.advance_secs(1);
    let body =
        serde_json::to_vec(&json!({"tag": TYPE, "refreshToken": s["refreshToken"]})).unwrap();
    let auth = format!("Bearer {}", app.key);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(send_on(
                app.router.clone(),
                request(Method::POST, REFRESH, Some(&auth), body.clone()),
            ))
        })
        .collect();
    let mut answers = vec![];
    for t in tasks {
        let r = t.await.expect("task");
        assert_eq!(r.status, 200, "{}", r.text);
        answers.push(r.json);
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "every concurrent refresh answers the same pair: {answers:#?}"
    );
    let pair = &answers[0];
    assert_ne!(pair["refreshToken"], s["refreshToken"]);
    // Exactly one rotation: the answered refresh token is the current one and rotates further.
    app.clock.advance_secs(1);
    let next = ok(app.refresh(&pair["refreshToken"]).await);
    assert_ne!(next["refreshToken"], pair["refreshToken"]);
    assert_eq!(app.verify(&next["token"]).await.0, 200);
}
