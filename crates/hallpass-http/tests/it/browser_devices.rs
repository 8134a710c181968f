//! A browser's view of a user's devices: the device list marking the current session, revoking
//! another device's session, sign-out clearing both cookies, and the device and activity that
//! browser calls record off the request path.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::browser::*;
use crate::support::*;

#[tokio::test]
async fn the_device_list_marks_the_current_session_and_another_device_can_be_revoked() {
    let app = browser_app().await;
    let (mut laptop, laptop_session) = signed_in(&app, "u1", "Firefox on the laptop").await;
    let (mut phone, phone_session) = signed_in(&app, "u1", "Safari on the phone").await;
    let (_, stranger) = signed_in(&app, "u2", "Chrome").await;

    let resp = laptop.call(&app, Method::GET, "/sessions", &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["count"], 2);
    let sessions = resp.json["sessions"].as_array().unwrap();
    let current: Vec<(&Value, &Value)> = sessions
        .iter()
        .map(|s| (&s["sessionId"], &s["current"]))
        .collect();
    assert_eq!(
        current,
        [
            (&phone_session["sessionId"], &json!(false)),
            (&laptop_session["sessionId"], &json!(true))
        ]
    );
    assert_fields(
        &sessions[0],
        &[
            "sessionId",
            "tag",
            "identifier",
            "createdAt",
            "expiresAt",
            "refreshExpiresAt",
            "lastActiveAt",
            "device",
            "current",
        ],
    );

    let stranger_id = stranger["sessionId"].as_str().unwrap();
    let resp = laptop
        .call(
            &app,
            Method::DELETE,
            &format!("/sessions/{stranger_id}"),
            &[CSRF],
        )
        .await;
    assert_err(&(resp.status, resp.json.clone()), 404, "session_not_found");
    assert_eq!(
        app.verify(&stranger["token"]).await.0,
        200,
        "another user's session is untouched"
    );

    let phone_id = phone_session["sessionId"].as_str().unwrap();
    let resp = laptop
        .call(
            &app,
            Method::DELETE,
            &format!("/sessions/{phone_id}"),
            &[CSRF],
        )
        .await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"revoked": true})));
    assert!(
        set_cookies(&resp).is_empty(),
        "the laptop keeps its own cookies"
    );
    let resp = phone.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "session_revoked");
    assert_eq!(
        laptop.call(&app, Method::GET, "/sessions", &[]).await.json["count"],
        1
    );
}

#[tokio::test]
async fn sign_out_revokes_and_clears_both_cookies() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::POST, "/sign-out", &[CSRF]).await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"revoked": true})));
    let cleared = set_cookies(&resp);
    assert_eq!(cleared.len(), 2);
    assert!(cleared[0].starts_with("sid=;") && cleared[1].starts_with("sid.refresh=;"));
    assert!(cleared[1].contains(&format!("Path={BASE}/refresh")));
    assert!(browser.cookies.is_empty(), "{:?}", browser.cookies);
    assert_err(&app.verify(&started["token"]).await, 401, "session_revoked");

    let again = browser.call(&app, Method::POST, "/sign-out", &[CSRF]).await;
    assert_eq!(
        (again.status, &again.json),
        (200, &json!({"revoked": false}))
    );
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "unauthorized");
    assert!(
        resp.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no session cookie 'sid'")
    );
}

#[tokio::test]
async fn browser_calls_record_the_device_and_activity_off_the_request_path() {
    let app = browser_app().await;
    let (mut browser, _) = signed_in(&app, "u1", "Firefox 130").await;
    app.clock.advance_secs(30);
    browser.call(&app, Method::GET, "/session", &[]).await;
    let before = app.list("u1", json!({})).await;
    assert_eq!(
        before["sessions"][0]["device"],
        json!({}),
        "not written on the request path"
    );

    assert_eq!(app.service.flush_activity().await.expect("flush"), 1);
    let after = app.list("u1", json!({})).await;
    let session = &after["sessions"][0];
    assert_eq!(
        session["device"],
        json!({"ip": "198.51.100.20", "userAgent": "Firefox 130"})
    );
    assert_eq!(ms(&session["lastActiveAt"]), app.now_ms());

    app.clock.advance_secs(30);
    browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(
        app.service.flush_activity().await.expect("flush"),
        0,
        "at most once a minute"
    );
}

#[tokio::test]
async fn a_stopping_node_writes_the_activity_noted_since_its_last_round() {
    let app = browser_app().await;
    let background = app
        .service
        .spawn_background(std::time::Duration::from_secs(60));
    let (mut browser, _) = signed_in(&app, "u1", "Firefox 130").await;
    app.clock.advance_secs(30);
    browser.call(&app, Method::GET, "/session", &[]).await;
    // Well before the writer's next round (every 5 s): only the stop writes it.
    assert!(
        background.stop(std::time::Duration::from_secs(5)).await,
        "written in time"
    );
    let after = app.list("u1", json!({})).await;
    assert_eq!(
        after["sessions"][0]["device"],
        json!({"ip": "198.51.100.20", "userAgent": "Firefox 130"})
    );
    assert_eq!(ms(&after["sessions"][0]["lastActiveAt"]), app.now_ms());
}
