//! Changing a live session (docs/API.md §12.1, §12.4): update and update-all supersede every
//! older token at once, the refresh token carries the new data, reauthenticate moves
//! `auth_time`, and verify's `maxAuthAge` asks for it.

use serde_json::{Value, json};

use crate::support::browser::{BASE, browser_app, signed_in};
use crate::support::*;

const UPDATE: &str = "/v1/sessions/update";
const UPDATE_ALL: &str = "/v1/sessions/update-all";
const REAUTHENTICATE: &str = "/v1/sessions/reauthenticate";

impl App {
    async fn update(&self, session_id: &Value, data: Value, more: Value) -> (u16, Value) {
        self.post(
            UPDATE,
            &self.key,
            with(
                json!({"tag": TYPE, "sessionId": session_id, "data": data}),
                &more,
            ),
        )
        .await
    }

    async fn verify_with(&self, token: &Value, more: Value) -> (u16, Value) {
        self.post(
            VERIFY,
            &self.key,
            with(json!({"tag": TYPE, "token": token}), &more),
        )
        .await
    }
}

#[tokio::test]
async fn an_update_supersedes_every_older_token_and_the_refresh_carries_the_new_data() {
    let app = setup().await;
    let started = app
        .start_with(
            "alice",
            json!({"data": {"userId": "alice", "email": "a@x", "role": "user", "plan": "free"}}),
        )
        .await;
    let (s, refreshed) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200, "{refreshed}");
    app.clock.advance_secs(5);

    let (s, updated) = app
        .update(
            &started["sessionId"],
            json!({"role": "admin", "plan": null, "userId": "mallory"}),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_fields(
        &updated,
        &[
            "sessionId",
            "tag",
            "identifier",
            "data",
            "token",
            "expiresAt",
            "updatedAt",
        ],
    );
    assert_eq!(
        updated["data"],
        json!({"userId": "mallory", "email": "a@x", "role": "admin"}),
        "a shallow merge; null removes a key"
    );
    assert_eq!(
        updated["identifier"],
        json!("alice"),
        "the identifier never changes"
    );
    assert_eq!(ms(&updated["updatedAt"]), app.now_ms());
    assert_eq!(
        ms(&updated["expiresAt"]),
        app.now_ms() / 1000 * 1000 + 3_600_000
    );

    for old in [&started["token"], &refreshed["token"]] {
        assert_err(&app.verify(old).await, 401, "token_superseded");
    }
    let (s, fresh) = app.verify(&updated["token"]).await;
    assert_eq!((s, &fresh["data"]), (200, &updated["data"]), "{fresh}");

    // The refresh token keeps working, and its next token has the new data.
    let (s, next) = app.refresh(&refreshed["refreshToken"]).await;
    assert_eq!(s, 200, "{next}");
    let (s, verified) = app.verify(&next["token"]).await;
    assert_eq!(
        (s, &verified["data"]),
        (200, &updated["data"]),
        "{verified}"
    );
    let listed = app.list("alice", json!({})).await;
    assert_eq!(
        listed["count"],
        json!(1),
        "alice's one session, still listed by identifier"
    );
}

#[tokio::test]
async fn an_update_with_merge_false_replaces_and_a_schema_violation_changes_nothing() {
    let app = setup().await;
    let started = app.start("alice").await;
    let (s, replaced) = app
        .update(
            &started["sessionId"],
            json!({"userId": "alice", "email": "new@x"}),
            json!({"merge": false}),
        )
        .await;
    assert_eq!(s, 200, "{replaced}");
    assert_eq!(
        replaced["data"],
        json!({"userId": "alice", "email": "new@x"})
    );

    let (s, body) = app
        .update(&started["sessionId"], json!({"email": 7}), json!({}))
        .await;
    assert_err(&(s, body.clone()), 422, "schema_violation");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("email: expected string, got number"),
        "{body}"
    );
    let (s, body) = app
        .update(
            &started["sessionId"],
            json!({"role": "x"}),
            json!({"merge": false}),
        )
        .await;
    assert_err(&(s, body), 422, "schema_violation");
    let (s, still) = app.verify(&replaced["token"]).await;
    assert_eq!(
        (s, &still["data"]),
        (200, &replaced["data"]),
        "nothing changed: {still}"
    );
}

#[tokio::test]
async fn update_errors_name_what_is_wrong() {
    let app = setup().await;
    let started = app.start("alice").await;
    assert_err(
        &app.update(&json!("01J00000000000000000000000"), json!({}), json!({}))
            .await,
        404,
        "session_not_found",
    );
    assert_err(
        &app.update(&started["sessionId"], json!(["x"]), json!({}))
            .await,
        422,
        "invalid_request",
    );
    let (s, body) = app
        .post(
            UPDATE,
            &app.key,
            json!({"tag": "nope", "sessionId": "x", "data": {}}),
        )
        .await;
    assert_err(&(s, body), 404, "session_type_not_found");
    let publishable = app.create_key("publishable", Some("dev")).await;
    let (s, body) = app
        .post(
            UPDATE,
            &publishable,
            json!({"tag": TYPE, "sessionId": started["sessionId"], "data": {}}),
        )
        .await;
    assert_err(&(s, body), 403, "publishable_key_forbidden");
    app.revoke(&started["sessionId"]).await;
    assert_err(
        &app.update(&started["sessionId"], json!({"email": "x"}), json!({}))
            .await,
        401,
        "session_revoked",
    );
    assert_err(
        &app.post(
            REAUTHENTICATE,
            &app.key,
            json!({"tag": TYPE, "sessionId": started["sessionId"]}),
        )
        .await,
        401,
        "session_revoked",
    );
}

#[tokio::test]
async fn update_all_changes_every_active_session_of_the_identifier_or_none() {
    let app = setup().await;
    let alice: Vec<Value> = vec![
        app.start("alice").await,
        app.start("alice").await,
        app.start("alice").await,
    ];
    let bob = app.start("bob").await;
    app.revoke(&alice[2]["sessionId"]).await;

    let (s, body) = app
        .post(
            UPDATE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "alice", "data": {"email": false}}),
        )
        .await;
    assert_err(&(s, body), 422, "schema_violation");
    for started in &alice[..2] {
        assert_eq!(
            app.verify(&started["token"]).await.0,
            200,
            "a violation changes nothing"
        );
    }

    let (s, body) = app
        .post(
            UPDATE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "alice", "data": {"role": "admin"}}),
        )
        .await;
    assert_eq!((s, body), (200, json!({"updatedCount": 2})));
    for started in &alice[..2] {
        assert_err(
            &app.verify(&started["token"]).await,
            401,
            "token_superseded",
        );
        let (s, next) = app.refresh(&started["refreshToken"]).await;
        assert_eq!(s, 200, "{next}");
        let (_, verified) = app.verify(&next["token"]).await;
        assert_eq!(verified["data"]["role"], json!("admin"));
    }
    assert_eq!(
        app.verify(&bob["token"]).await.0,
        200,
        "another identifier is untouched"
    );
    let (s, body) = app
        .post(
            UPDATE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "nobody", "data": {}}),
        )
        .await;
    assert_eq!((s, body), (200, json!({"updatedCount": 0})));
}

#[tokio::test]
async fn verify_answers_the_authentication_time_and_refuses_it_when_too_old() {
    let app = setup().await;
    let started = app
        .start_with("alice", json!({"amr": ["pwd", "otp"]}))
        .await;
    let began = app.now_ms();
    let (s, verified) = app.verify(&started["token"]).await;
    assert_eq!(s, 200, "{verified}");
    assert_eq!(ms(&verified["authenticatedAt"]), began / 1000 * 1000);
    assert_eq!(verified["amr"], json!(["pwd", "otp"]));
    assert_eq!(verified["idleExpiresAt"], Value::Null);

    app.clock.advance_secs(301);
    let (s, refreshed) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200);
    let (_, again) = app.verify(&refreshed["token"]).await;
    assert_eq!(
        again["authenticatedAt"], verified["authenticatedAt"],
        "a refresh keeps auth_time"
    );
    assert_eq!(
        app.verify_with(&refreshed["token"], json!({"maxAuthAge": 302}))
            .await
            .0,
        200
    );
    assert_err(
        &app.verify_with(&refreshed["token"], json!({"maxAuthAge": 300}))
            .await,
        401,
        "reauthentication_required",
    );

    let (s, stepped) = app
        .post(
            REAUTHENTICATE,
            &app.key,
            json!({"tag": TYPE, "sessionId": started["sessionId"], "amr": ["hwk"]}),
        )
        .await;
    assert_eq!(s, 200, "{stepped}");
    assert_eq!(
        stepped["data"],
        json!({"userId": "alice", "email": "alice@example.com"})
    );
    let (s, fresh) = app
        .verify_with(&stepped["token"], json!({"maxAuthAge": 300}))
        .await;
    assert_eq!(s, 200, "{fresh}");
    assert_eq!(ms(&fresh["authenticatedAt"]), app.now_ms() / 1000 * 1000);
    assert_eq!(fresh["amr"], json!(["hwk"]));
    assert_eq!(
        app.verify(&refreshed["token"]).await.0,
        200,
        "tokens issued before stay valid: they only carry the older auth_time"
    );
}

#[tokio::test]
async fn bad_authentication_methods_and_ages_are_refused() {
    let app = setup().await;
    let started = app.start("alice").await;
    for amr in [
        json!([]),
        json!(["a b"]),
        json!(["x".repeat(33)]),
        json!(vec!["m"; 17]),
        json!("pwd"),
    ] {
        let (s, body) = app
            .post(
                START,
                &app.key,
                json!({"tag": TYPE, "data": ok_data(), "amr": amr}),
            )
            .await;
        assert!(s == 422, "{amr}: {body}");
        let (s, _) = app
            .post(
                REAUTHENTICATE,
                &app.key,
                json!({"tag": TYPE, "sessionId": started["sessionId"], "amr": amr}),
            )
            .await;
        assert_eq!(s, 422, "{amr}");
    }
    for age in [json!(-1), json!(1.5), json!("5")] {
        assert_err(
            &app.verify_with(&started["token"], json!({"maxAuthAge": age}))
                .await,
            422,
            "invalid_request",
        );
    }
}

#[tokio::test]
async fn a_browser_with_a_superseded_cookie_gets_it_again_with_the_new_data() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "alice", "Firefox").await;
    let (s, _) = app
        .update(&started["sessionId"], json!({"role": "admin"}), json!({}))
        .await;
    assert_eq!(s, 200);
    let old_cookie = browser.value("sid").expect("cookie").to_owned();
    let resp = browser
        .call(&app, axum::http::Method::GET, "/session", &[])
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["data"]["role"], json!("admin"));
    let new_cookie = browser.value("sid").expect("cookie re-issued").to_owned();
    assert_ne!(new_cookie, old_cookie);
    assert_eq!(app.verify(&json!(new_cookie)).await.0, 200);
    assert_err(
        &app.verify(&json!(old_cookie)).await,
        401,
        "token_superseded",
    );
    let _ = BASE;
}
