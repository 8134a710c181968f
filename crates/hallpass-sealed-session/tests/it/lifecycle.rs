//! A session's life as h3's `useSession` gives it: begun, updated, read from the cookie or the
//! header, expired, cleared.

use std::time::Duration;

use serde_json::json;

use crate::support::{App, NOW, h3_seal, h3_session, h3_unseal, settings};

#[tokio::test]
async fn a_request_without_a_session_gets_a_new_one_and_its_cookie() {
    let app = App::new(settings());
    let first = app.show("").await;
    assert_eq!(first.body["createdAt"], NOW);
    assert_eq!(first.body["data"], json!({}));
    assert_eq!(first.set_cookies.len(), 1);
    let cookie = &first.set_cookies[0];
    assert!(cookie.starts_with("h3=Fe26.2**"), "{cookie}");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Expires"),
        "no max age: a browser-session cookie"
    );

    let again = app.show(&first.cookie_header()).await;
    assert_eq!(again.id(), first.id());
    assert!(
        again.set_cookies.is_empty(),
        "an unchanged session is not written again"
    );
}

#[tokio::test]
async fn updates_merge_into_the_data_and_keep_id_and_creation_time() {
    let app = App::new(settings());
    let first = app
        .send(
            "POST",
            "/update",
            &[],
            Some(json!({"user": "ada", "role": "admin"})),
        )
        .await;
    assert_eq!(first.body["data"], json!({"user": "ada", "role": "admin"}));
    app.advance_ms(1000);
    let second = app
        .send(
            "POST",
            "/update",
            &[("cookie", &first.cookie_header())],
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(second.id(), first.id());
    assert_eq!(second.body["createdAt"], NOW);
    assert_eq!(
        second.body["data"],
        json!({"user": "ada", "role": "member"})
    );

    let sealed = &second.cookies_set()["h3"];
    let opened = h3_unseal(sealed, &settings().passwords);
    assert_eq!(
        opened,
        h3_session(first.id(), NOW, json!({"user": "ada", "role": "member"}))
    );
}

#[tokio::test]
async fn a_cookie_h3_sealed_is_read() {
    let app = App::new(settings());
    let sealed = h3_seal(
        &h3_session("from-h3", NOW - 10, json!({"user": "vinxi"})),
        1,
        &settings().passwords,
    );
    let answer = app.show(&format!("other=1; h3={sealed}")).await;
    assert_eq!(answer.id(), "from-h3");
    assert_eq!(answer.body["createdAt"], NOW - 10);
    assert_eq!(answer.body["data"], json!({"user": "vinxi"}));
}

#[tokio::test]
async fn the_session_header_is_read_before_the_cookie() {
    let app = App::new(settings());
    let passwords = settings().passwords;
    let in_header = h3_seal(&h3_session("in-header", NOW, json!({})), 1, &passwords);
    let in_cookie = h3_seal(&h3_session("in-cookie", NOW, json!({})), 1, &passwords);
    let cookie = format!("h3={in_cookie}");
    let answer = app
        .send(
            "GET",
            "/session",
            &[("x-h3-session", &in_header), ("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(answer.id(), "in-header");
    assert!(answer.set_cookies.is_empty());

    let empty_header = app
        .send(
            "GET",
            "/session",
            &[("x-h3-session", ""), ("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(
        empty_header.id(),
        "in-cookie",
        "an empty header is no session"
    );
}

#[tokio::test]
async fn the_header_follows_a_custom_cookie_name() {
    let mut custom = settings();
    custom.cookie.name = "App".into();
    let app = App::new(custom);
    let sealed = h3_seal(
        &h3_session("custom", NOW, json!({})),
        1,
        &settings().passwords,
    );
    let answer = app
        .send("GET", "/session", &[("x-app-session", &sealed)], None)
        .await;
    assert_eq!(answer.id(), "custom");
    let fresh = app.show("").await;
    assert!(fresh.set_cookies[0].starts_with("App=Fe26.2"));
}

#[tokio::test]
async fn max_age_sets_the_expiry_and_an_older_session_starts_anew() {
    let mut with_max_age = settings();
    with_max_age.max_age = Some(Duration::from_secs(3600));
    let app = App::new(with_max_age);
    let first = app
        .send("POST", "/update", &[], Some(json!({"n": 1})))
        .await;
    // NOW + 1 h = 2027-01-15T09:00:00Z.
    assert!(
        first.set_cookies[0].contains("Expires=Fri, 15 Jan 2027 09:00:00 GMT"),
        "{}",
        first.set_cookies[0]
    );

    app.advance_ms(3_600_000);
    let still = app.show(&first.cookie_header()).await;
    assert_eq!(still.id(), first.id(), "alive until exactly max age");

    app.advance_ms(1);
    let expired = app.show(&first.cookie_header()).await;
    assert_ne!(expired.id(), first.id());
    assert_eq!(expired.body["data"], json!({}));
    assert_eq!(expired.set_cookies.len(), 1, "the new session is written");
}

#[tokio::test]
async fn an_unreadable_cookie_starts_a_new_session() {
    let app = App::new(settings());
    let other_password =
        hallpass_iron::Passwords::Single("another-password-of-32-characters-long".into());
    let foreign = h3_seal(&h3_session("foreign", NOW, json!({})), 1, &other_password);
    for cookie in [
        "h3=garbage",
        "h3=Fe26.2**a*b*c**d*e",
        &format!("h3={foreign}"),
    ] {
        let answer = app.show(cookie).await;
        assert_ne!(answer.id(), "foreign");
        assert_eq!(answer.body["data"], json!({}), "{cookie}");
        assert!(
            answer.cookies_set()["h3"].starts_with("Fe26.2**"),
            "{cookie}"
        );
    }
}

#[tokio::test]
async fn clear_deletes_the_cookie_and_the_next_request_is_a_new_session() {
    let app = App::new(settings());
    let first = app
        .send("POST", "/update", &[], Some(json!({"user": "ada"})))
        .await;
    let cleared = app
        .send(
            "POST",
            "/clear",
            &[("cookie", &first.cookie_header())],
            None,
        )
        .await;
    assert_eq!(cleared.cookies_deleted(), ["h3"]);
    assert!(
        cleared.set_cookies[0].contains("Path=/"),
        "deleted where it was set"
    );
    assert_eq!(cleared.body["data"], json!({}));

    let next = app.show("").await;
    assert_ne!(next.id(), first.id());
}

#[tokio::test]
async fn an_update_after_clear_starts_a_new_session_with_the_patch() {
    let app = App::new(settings());
    let first = app
        .send("POST", "/update", &[], Some(json!({"user": "ada"})))
        .await;
    let answer = app
        .send(
            "POST",
            "/clear-then-update",
            &[("cookie", &first.cookie_header())],
            Some(json!({"user": "grace"})),
        )
        .await;
    assert_ne!(answer.id(), first.id());
    assert_eq!(answer.body["data"], json!({"user": "grace"}));
    let opened = h3_unseal(&answer.cookies_set()["h3"], &settings().passwords);
    assert_eq!(opened["data"], json!({"user": "grace"}));
}

#[tokio::test]
async fn routes_that_do_not_use_the_session_write_no_cookie() {
    let app = App::new(settings());
    let answer = app.send("GET", "/untouched", &[], None).await;
    assert!(answer.set_cookies.is_empty());
}

#[tokio::test]
async fn cookie_attributes_are_configurable() {
    let mut custom = settings();
    custom.cookie.secure = false;
    custom.cookie.http_only = false;
    custom.cookie.same_site = hallpass_sealed_session::SameSite::Strict;
    custom.cookie.path = "/app".into();
    custom.cookie.domain = Some("example.com".into());
    let app = App::new(custom);
    let cookie = &app.show("").await.set_cookies[0];
    assert!(
        cookie.contains("Path=/app") && cookie.contains("Domain=example.com"),
        "{cookie}"
    );
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure") && !cookie.contains("HttpOnly"),
        "{cookie}"
    );
}
