//! The session methods (start, verify, refresh, list, revoke, revoke-all) answer 200 with their
//! documented fields.

use serde_json::{Value, json};

use crate::support::*;

const ITEM_FIELDS: [&str; 8] = [
    "sessionId",
    "tag",
    "identifier",
    "createdAt",
    "expiresAt",
    "refreshExpiresAt",
    "lastActiveAt",
    "device",
];

const ISSUED_FIELDS: [&str; 7] = [
    "sessionId",
    "token",
    "refreshToken",
    "expiresAt",
    "refreshExpiresAt",
    "tag",
    "identifier",
];

#[track_caller]
fn assert_issued(b: &Value, now_ms: i64, lifetime_secs: i64) {
    assert_fields(b, &ISSUED_FIELDS);
    let id = b["sessionId"].as_str().expect("sessionId");
    assert!(
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{id}"
    );
    assert_eq!(b["token"].as_str().expect("token").split('.').count(), 3);
    let rt = b["refreshToken"].as_str().expect("refreshToken");
    assert!(rt.starts_with("hp_rt_") && rt.len() >= 6 + 43, "{rt}");
    assert_eq!(
        ms(&b["expiresAt"]),
        now_ms / 1000 * 1000 + lifetime_secs * 1000
    );
    assert_eq!(ms(&b["refreshExpiresAt"]), now_ms + 30 * 86_400_000);
    assert!(
        b.get("cookies").is_none_or(Value::is_null),
        "no cookie settings, no cookies: {b}"
    );
}

#[tokio::test]
async fn session_methods_answer_200_with_their_fields() {
    let app = setup().await;
    let data = json!({"userId": "u1", "email": "u1@example.com", "extra": [1, {"deep": true}]});
    let device = json!({"ip": "203.0.113.7", "userAgent": "curl/8.5"});
    let (s, started) = app
        .post(
            START,
            &app.key,
            json!({"tag": TYPE, "data": data, "device": device}),
        )
        .await;
    assert_eq!(s, 200, "{started}");
    assert_issued(&started, app.now_ms(), 3600);
    assert_eq!(
        (started["tag"].as_str(), started["identifier"].as_str()),
        (Some(TYPE), Some("u1"))
    );

    let (s, v) = app.verify(&started["token"]).await;
    assert_eq!(s, 200, "{v}");
    assert_fields(
        &v,
        &[
            "sessionId",
            "tag",
            "identifier",
            "data",
            "issuedAt",
            "expiresAt",
        ],
    );
    assert_eq!(
        (&v["sessionId"], &v["tag"], &v["identifier"], &v["data"]),
        (&started["sessionId"], &json!(TYPE), &json!("u1"), &data)
    );
    assert_eq!(ms(&v["issuedAt"]), T0_MS);
    assert_eq!(v["expiresAt"], started["expiresAt"]);

    app.clock.advance_secs(60);
    let (s, r) = app.refresh(&started["refreshToken"]).await;
    assert_eq!(s, 200, "{r}");
    assert_issued(&r, app.now_ms() - 60_000, 3600 + 60);
    assert_eq!(r["sessionId"], started["sessionId"]);
    assert_ne!(
        (&r["token"], &r["refreshToken"]),
        (&started["token"], &started["refreshToken"])
    );

    let l = app.list("u1", json!({})).await;
    assert_fields(&l, &["sessions", "count"]);
    assert_eq!(
        (l["count"].as_u64(), l["sessions"].as_array().map(Vec::len)),
        (Some(1), Some(1))
    );
    assert!(l.get("nextCursor").is_none_or(Value::is_null), "{l}");
    let item = &l["sessions"][0];
    assert_fields(item, &ITEM_FIELDS);
    assert_eq!(
        (&item["sessionId"], &item["identifier"], &item["device"]),
        (&started["sessionId"], &json!("u1"), &device)
    );
    assert_eq!(
        (ms(&item["createdAt"]), ms(&item["lastActiveAt"])),
        (T0_MS, T0_MS + 60_000)
    );
    assert_eq!(
        (&item["expiresAt"], &item["refreshExpiresAt"]),
        (&r["expiresAt"], &started["refreshExpiresAt"])
    );

    let (s, b) = app.revoke(&started["sessionId"]).await;
    assert_eq!((s, b), (200, json!({"revoked": true})));

    app.start("u1").await;
    app.start("u1").await;
    let (s, b) = app
        .post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u1"}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"revokedCount": 2})));
}
