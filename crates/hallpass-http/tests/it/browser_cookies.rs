//! Browser sessions through their cookies: both cookies from start and refresh with every
//! attribute, no cookies and no browser endpoints for a type without cookie settings, the
//! cookie alone reading the session (and forward auth reading it), sliding expiry after
//! `updateAge`, and the browser refresh rotating the cookies and clearing them on reuse.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::support::browser::*;
use crate::support::*;

#[tokio::test]
async fn start_and_refresh_answer_both_cookies_with_every_setting() {
    let app = browser_app().await;
    let started = app.start("u1").await;
    let cookies: Vec<&str> = started["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .map(|c| c.as_str().expect("string"))
        .collect();
    assert_eq!(cookies.len(), 2);
    let token = started["token"].as_str().unwrap();
    assert!(
        cookies[0].starts_with(&format!("sid={token};")),
        "{}",
        cookies[0]
    );
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Expires="] {
        assert!(
            cookies[0].contains(attribute),
            "{} lacks {attribute}",
            cookies[0]
        );
    }
    let refresh = started["refreshToken"].as_str().unwrap();
    assert!(cookies[1].starts_with(&format!("sid.refresh={refresh};")));
    assert!(
        cookies[1].contains(&format!("Path={BASE}/refresh")),
        "{}",
        cookies[1]
    );
    assert!(cookies[1].contains("HttpOnly"));

    let (s, refreshed) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200, "{refreshed}");
    assert!(
        refreshed["cookies"][0]
            .as_str()
            .unwrap()
            .contains(refreshed["token"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_type_without_cookie_settings_answers_no_cookies_and_has_no_browser_endpoints() {
    let app = setup().await;
    let started = app.start("u1").await;
    assert!(started.get("cookies").is_none(), "{started}");
    let mut browser = Browser::new("test");
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(
        &(resp.status, resp.json.clone()),
        404,
        "session_type_not_found",
    );
    assert!(
        resp.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no cookie settings")
    );
}

#[tokio::test]
async fn the_cookie_alone_reads_the_session_and_it_slides_after_update_age() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["session"]["sessionId"], started["sessionId"]);
    assert_eq!(resp.json["session"]["identifier"], "u1");
    assert_eq!(resp.json["session"]["expiresAt"], started["expiresAt"]);
    assert_eq!(resp.json["data"]["email"], "u1@example.com");
    assert_fields(&resp.json, &["session", "data"]);
    assert_fields(
        &resp.json["session"],
        &["sessionId", "tag", "identifier", "createdAt", "expiresAt"],
    );
    assert!(
        set_cookies(&resp).is_empty(),
        "younger than updateAge: no new cookie"
    );

    app.clock.advance_secs(601);
    let slid = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(slid.status, 200, "{}", slid.text);
    let renewed = set_cookies(&slid);
    assert_eq!(renewed.len(), 2, "both cookies anew: {renewed:?}");
    assert!(renewed[1].starts_with("sid.refresh="));
    assert!(ms(&slid.json["session"]["expiresAt"]) > ms(&started["expiresAt"]));
    let new_token = json!(browser.value("sid").unwrap());
    assert_ne!(new_token, started["token"]);
    let (s, verified) = app.verify(&new_token).await;
    assert_eq!(s, 200, "{verified}");
    let listed = app.list("u1", json!({})).await;
    assert_eq!(
        listed["sessions"][0]["expiresAt"], slid.json["session"]["expiresAt"],
        "recorded in the store"
    );

    // The new refresh cookie works; the one before it is spent.
    let resp = browser.call(&app, Method::POST, "/refresh", &[CSRF]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}

#[tokio::test]
async fn a_client_that_ignores_the_new_cookies_slides_at_most_once_a_minute() {
    let app = browser_app().await;
    let (browser, _) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(601);
    let mut sessions_slid = 0;
    for _ in 0..5 {
        // A fresh jar each time: the client keeps presenting the old token.
        let mut stubborn = Browser::new("curl");
        stubborn.cookies = browser.cookies.clone();
        let resp = stubborn.call(&app, Method::GET, "/session", &[]).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        sessions_slid += usize::from(!set_cookies(&resp).is_empty());
    }
    assert_eq!(sessions_slid, 1);
}

#[tokio::test]
async fn a_slid_token_never_outlives_its_session() {
    let app = browser_app().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"refreshExpiry": 2, "refreshPeriod": "hours"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(3000);
    let first = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(set_cookies(&first).len(), 2, "{}", first.text);
    app.clock.advance_secs(3300);
    let slid = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_eq!(slid.status, 200, "{}", slid.text);
    assert_eq!(
        ms(&slid.json["session"]["expiresAt"]),
        ms(&started["refreshExpiresAt"]),
        "capped at the session's end, not a full hour past it"
    );
}

#[tokio::test]
async fn a_slid_token_stays_refused_after_revocation() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    app.clock.advance_secs(601);
    browser.call(&app, Method::GET, "/session", &[]).await;
    let (s, _) = app.revoke(&started["sessionId"]).await;
    assert_eq!(s, 200);
    let resp = browser.call(&app, Method::GET, "/session", &[]).await;
    assert_err(&(resp.status, resp.json.clone()), 401, "session_revoked");
}

#[tokio::test]
async fn browser_refresh_rotates_the_cookies_and_a_reused_one_clears_them() {
    let app = browser_app().await;
    let (mut browser, started) = signed_in(&app, "u1", "Firefox").await;
    let resp = browser.call(&app, Method::POST, "/refresh", &[CSRF]).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json["session"]["sessionId"], started["sessionId"]);
    assert!(resp.json.get("token").is_none() && resp.json.get("refreshToken").is_none());
    assert_eq!(set_cookies(&resp).len(), 2);
    assert_ne!(
        browser.value("sid.refresh"),
        started["refreshToken"].as_str()
    );

    // The old refresh token, presented again after the grace: theft, and the cookies go.
    app.clock.advance_secs(120);
    let mut thief = Browser::new("curl");
    thief.take([format!(
        "sid.refresh={}; Path={BASE}/refresh",
        started["refreshToken"].as_str().unwrap()
    )]);
    let resp = thief
        .call(&app, Method::POST, "/refresh", &[("origin", ORIGIN)])
        .await;
    assert_err(
        &(resp.status, resp.json.clone()),
        401,
        "refresh_token_reused",
    );
    assert!(set_cookies(&resp).iter().all(|c| c.contains("Max-Age=0")));
    assert!(thief.cookies.is_empty());
}

#[tokio::test]
async fn forward_auth_reads_the_cookie_and_forwards_data_when_asked() {
    let app = browser_app().await;
    let (browser, started) = signed_in(&app, "u1", "Firefox").await;
    let check = |cookie: String| {
        Request::builder()
            .uri("/v1/forward-auth?product=shop&env=dev&tag=user-session")
            .header("cookie", cookie)
            .body(Body::empty())
            .expect("request")
    };
    let cookie = format!("sid={}", browser.value("sid").unwrap());
    let resp = app.send(check(cookie.clone())).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.headers["x-session-id"],
        started["sessionId"].as_str().unwrap()
    );
    assert!(
        resp.headers.get("x-session-data").is_none(),
        "forwardData is off"
    );

    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"forwardData": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let resp = app.send(check(cookie)).await;
    let data = resp.headers["x-session-data"].to_str().unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data)
        .expect("base64url");
    let data: Value = serde_json::from_slice(&decoded).expect("json");
    assert_eq!(data["email"], "u1@example.com");

    let resp = app.send(check("other=1".into())).await;
    assert_eq!(resp.status, 401);
}
