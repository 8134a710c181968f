//! h3 2.x's migration: a seal made with the other iteration count, or an older password id of
//! the map, opens; a weaker one is re-sealed with the current settings at once, a stronger one
//! on its next update (so two apps never rewrite a shared cookie back and forth).

use std::collections::BTreeMap;

use hallpass_iron::Passwords;
use serde_json::json;

use crate::support::{App, NOW, OLD_PASSWORD, PASSWORD, h3_seal, h3_session, h3_unseal, settings};

#[tokio::test]
async fn an_h3_2_seal_opens_is_kept_and_an_update_seals_it_with_one_iteration() {
    let app = App::new(settings());
    let passwords = settings().passwords;
    let h3_v2 = h3_seal(
        &h3_session("v2", NOW, json!({"user": "ada"})),
        8192,
        &passwords,
    );
    let cookie = format!("h3={h3_v2}");
    let answer = app.show(&cookie).await;
    assert_eq!(answer.id(), "v2");
    assert!(
        answer.set_cookies.is_empty(),
        "a stronger seal is not made weaker"
    );

    let updated = app
        .send(
            "POST",
            "/update",
            &[("cookie", &cookie)],
            Some(json!({"role": "admin"})),
        )
        .await;
    let resealed = &updated.cookies_set()["h3"];
    assert_eq!(
        h3_unseal(resealed, &passwords),
        h3_session("v2", NOW, json!({"user": "ada", "role": "admin"}))
    );
}

#[tokio::test]
async fn a_session_in_the_header_is_not_resealed() {
    let app = App::new(settings());
    let h3_v2 = h3_seal(
        &h3_session("v2", NOW, json!({})),
        8192,
        &settings().passwords,
    );
    let answer = app
        .send("GET", "/session", &[("x-h3-session", &h3_v2)], None)
        .await;
    assert_eq!(answer.id(), "v2");
    assert!(
        answer.set_cookies.is_empty(),
        "h3 re-seals only what came in a cookie"
    );
}

#[tokio::test]
async fn with_8192_iterations_an_h3_1_seal_opens_and_is_resealed() {
    let mut v2 = settings();
    v2.iterations = 8192;
    let app = App::new(v2);
    let h3_v1 = h3_seal(&h3_session("v1", NOW, json!({})), 1, &settings().passwords);
    let answer = app.show(&format!("h3={h3_v1}")).await;
    assert_eq!(answer.id(), "v1");
    let resealed = &answer.cookies_set()["h3"];
    let options = hallpass_iron::SealOptions {
        iterations: 8192,
        ..Default::default()
    };
    hallpass_iron::unseal(resealed, &settings().passwords, &options, NOW).expect("8192 iterations");
}

#[tokio::test]
async fn without_fallback_the_other_count_starts_anew() {
    let mut strict = settings();
    strict.fallback_iterations = hallpass_sealed_session::FallbackIterations::Off;
    let app = App::new(strict);
    let h3_v2 = h3_seal(
        &h3_session("v2", NOW, json!({})),
        8192,
        &settings().passwords,
    );
    assert_ne!(app.show(&format!("h3={h3_v2}")).await.id(), "v2");
}

#[tokio::test]
async fn an_older_password_id_opens_and_is_resealed_with_the_current_one() {
    let by_id = BTreeMap::from([
        ("old".to_owned(), OLD_PASSWORD.to_owned()),
        ("new".to_owned(), PASSWORD.to_owned()),
    ]);
    let old = Passwords::Map {
        current: "old".into(),
        by_id: by_id.clone(),
    };
    let current = Passwords::Map {
        current: "new".into(),
        by_id,
    };
    let mut rotated = settings();
    rotated.passwords = current.clone();
    let app = App::new(rotated);

    let sealed_with_old = h3_seal(&h3_session("rotating", NOW, json!({"k": 1})), 1, &old);
    let answer = app.show(&format!("h3={sealed_with_old}")).await;
    assert_eq!(answer.id(), "rotating");
    let resealed = &answer.cookies_set()["h3"];
    assert!(resealed.starts_with("Fe26.2*new*"), "{resealed}");
    assert_eq!(h3_unseal(resealed, &current)["data"], json!({"k": 1}));

    let again = app.show(&answer.cookie_header()).await;
    assert!(
        again.set_cookies.is_empty(),
        "once current, it is left alone"
    );
}
