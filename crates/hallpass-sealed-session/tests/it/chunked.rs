//! Sessions over 4000 characters sealed are written as h3 2.x's chunk cookies and read back.

use serde_json::json;

use crate::support::{App, NOW, h3_seal, h3_session, settings};

fn big(n: usize) -> serde_json::Value {
    json!({"blob": "x".repeat(n)})
}

#[tokio::test]
async fn a_large_session_is_split_into_chunks_and_read_back() {
    let app = App::new(settings());
    let written = app.send("POST", "/update", &[], Some(big(7000))).await;
    let cookies = written.cookies_set();
    let names: Vec<&str> = cookies.keys().map(String::as_str).collect();
    assert_eq!(names, ["h3", "h3.1", "h3.2", "h3.3"]);
    assert_eq!(cookies["h3"], "__chunked__3");
    assert!(cookies.values().all(|v| v.len() <= 4000));

    let read = app.show(&written.cookie_header()).await;
    assert_eq!(read.id(), written.id());
    assert_eq!(read.body["data"], big(7000));
}

#[tokio::test]
async fn chunks_h3_wrote_are_read() {
    let app = App::new(settings());
    let sealed = h3_seal(
        &h3_session("chunked", NOW, big(5000)),
        1,
        &settings().passwords,
    );
    let (first, second) = sealed.split_at(4000);
    let answer = app
        .show(&format!("h3=__chunked__2; h3.1={first}; h3.2={second}"))
        .await;
    assert_eq!(answer.id(), "chunked");
    let missing = app.show(&format!("h3=__chunked__2; h3.1={first}")).await;
    assert_ne!(missing.id(), "chunked", "a missing chunk is no session");
}

#[tokio::test]
async fn shrinking_deletes_the_chunks_no_longer_needed() {
    let app = App::new(settings());
    let large = app.send("POST", "/update", &[], Some(big(7000))).await;
    let small = app
        .send(
            "POST",
            "/update",
            &[("cookie", &large.cookie_header())],
            Some(json!({"blob": "x"})),
        )
        .await;
    assert_eq!(small.cookies_deleted(), ["h3.1", "h3.2", "h3.3"]);
    let read = app.show(&small.cookie_header()).await;
    assert_eq!(read.id(), large.id());
    assert_eq!(read.body["data"], json!({"blob": "x"}));
}

#[tokio::test]
async fn clear_deletes_every_chunk() {
    let app = App::new(settings());
    let large = app.send("POST", "/update", &[], Some(big(5000))).await;
    let cleared = app
        .send(
            "POST",
            "/clear",
            &[("cookie", &large.cookie_header())],
            None,
        )
        .await;
    assert_eq!(cleared.cookies_deleted(), ["h3", "h3.1", "h3.2"]);
}
