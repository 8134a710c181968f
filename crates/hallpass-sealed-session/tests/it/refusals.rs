//! What the layer and extractor refuse, and how: settings at start, oversized updates, a route
//! without the layer.

use axum::http::StatusCode;
use hallpass_iron::Passwords;
use hallpass_sealed_session::{SealedSessionLayer, SessionSettings};
use serde_json::json;

use crate::support::{App, h3_unseal, settings};

#[tokio::test]
async fn an_update_too_large_to_read_back_is_413_and_leaves_the_session_as_it_was() {
    let app = App::new(settings());
    let first = app
        .send("POST", "/update", &[], Some(json!({"user": "ada"})))
        .await;
    let refused = app
        .send(
            "POST",
            "/update",
            &[("cookie", &first.cookie_header())],
            Some(json!({"blob": "x".repeat(60_000)})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(refused.body["error"]["code"], "session_too_large");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("store less")
    );
    assert!(refused.set_cookies.is_empty(), "nothing half-written");
    let read = app.show(&first.cookie_header()).await;
    assert_eq!(read.body["data"], json!({"user": "ada"}));
}

#[tokio::test]
async fn a_patch_that_is_not_an_object_is_refused() {
    let app = App::new(settings());
    let refused = app
        .send("POST", "/update", &[], Some(json!(["not", "an", "object"])))
        .await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(refused.body["error"]["code"], "session_update_failed");
    // The new session is still written, with its data untouched.
    let sealed = &refused.cookies_set()["h3"];
    assert_eq!(h3_unseal(sealed, &settings().passwords)["data"], json!({}));
}

#[tokio::test]
async fn a_route_without_the_layer_answers_a_json_500() {
    let app = App::new(settings());
    let answer = app.send("GET", "/no-layer", &[], None).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body["error"]["code"], "sealed_session_layer_missing");
    assert_eq!(answer.body["error"]["status"], 500);
}

#[test]
fn unusable_settings_fail_when_the_layer_is_built() {
    let short = SessionSettings::new(Passwords::Single("too-short".into()));
    let err = SealedSessionLayer::new(short)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("at least 32 characters"), "{err}");
}

#[tokio::test]
async fn changes_after_the_response_left_are_refused() {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::routing::get;
    use hallpass_sealed_session::{SealedSession, UpdateError};
    use tower::ServiceExt as _;

    let kept: Arc<Mutex<Option<SealedSession>>> = Arc::default();
    let keep = kept.clone();
    let router = Router::new()
        .route(
            "/",
            get(move |session: SealedSession| async move {
                *keep.lock().expect("lock") = Some(session);
                "kept"
            }),
        )
        .layer(SealedSessionLayer::new(settings()).expect("valid"));
    let request = axum::http::Request::new(axum::body::Body::empty());
    let response = router.oneshot(request).await.expect("infallible");
    assert_eq!(response.headers().get_all("set-cookie").iter().count(), 1);

    let session = kept.lock().expect("lock").take().expect("kept");
    let late = session.update(json!({"late": true}));
    assert!(matches!(late, Err(UpdateError::ResponseSent)), "{late:?}");
    assert!(matches!(session.clear(), Err(UpdateError::ResponseSent)));
    assert_eq!(session.data(), serde_json::Map::new(), "nothing changed");
}

#[tokio::test]
async fn an_update_past_max_sealed_len_is_refused_even_when_chunks_would_fit() {
    let mut small = settings();
    small.max_sealed_len = 2048;
    let app = App::new(small);
    let refused = app
        .send(
            "POST",
            "/update",
            &[],
            Some(json!({"blob": "x".repeat(1600)})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    let accepted = app
        .send(
            "POST",
            "/update",
            &[],
            Some(json!({"blob": "x".repeat(1000)})),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK);
}
