//! Verify: the token format (docs/API.md §3) and every verify failure (§3.4, §4.3).

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn tokens_are_jws_with_the_documented_claims_and_encrypted_data() {
    let app = setup().await;
    let s = app.start("u1").await;
    let (header, claims, _) = jwt_parts(&s["token"]);
    assert_eq!(
        (&header["alg"], &header["typ"]),
        (&json!("EdDSA"), &json!("JWT")),
        "{header}"
    );
    assert!(
        header["kid"].as_str().is_some_and(|k| !k.is_empty()),
        "{header}"
    );
    assert_eq!(
        (
            &claims["sub"],
            &claims["sid"],
            &claims["tag"],
            &claims["prd"],
            &claims["env"]
        ),
        (
            &json!("u1"),
            &s["sessionId"],
            &json!(TYPE),
            &json!("shop"),
            &json!("dev")
        ),
        "{claims}"
    );
    assert_eq!(
        (claims["iat"].as_i64(), claims["exp"].as_i64()),
        (Some(T0_MS / 1000), Some(T0_MS / 1000 + 3600))
    );
    assert!(
        claims["iss"]
            .as_str()
            .is_some_and(|i| i.starts_with("http")),
        "{claims}"
    );
    let dat = claims["dat"].as_str().unwrap();
    assert_eq!(dat.split('.').count(), 5, "compact JWE: {dat}");
    assert!(
        !claims.to_string().contains("u1@example.com"),
        "the data is encrypted"
    );
    let jwe = jwt_parts(&json!(format!("{}.e30.x", dat.split('.').next().unwrap()))).0;
    assert_eq!(
        (&jwe["alg"], &jwe["enc"]),
        (&json!("dir"), &json!("A256GCM")),
        "{jwe}"
    );
    assert!(jwe["kid"].is_string(), "{jwe}");
    // A session without identifier has no sub.
    app.create_type(json!({"tag": "anon", "name": "Anon", "expiry": 1, "period": "hours"}))
        .await;
    let (_, a) = app
        .post(START, &app.key, json!({"tag": "anon", "data": {}}))
        .await;
    assert!(a["identifier"].is_null(), "{a}");
    assert!(jwt_parts(&a["token"]).1.get("sub").is_none());
    let (st, v) = app
        .post(
            VERIFY,
            &app.key,
            json!({"tag": "anon", "token": a["token"]}),
        )
        .await;
    assert_eq!(
        (st, &v["identifier"], &v["data"]),
        (200, &json!(null), &json!({})),
        "{v}"
    );
}

#[tokio::test]
async fn malformed_tokens_are_token_malformed() {
    let app = setup().await;
    let token = app.start("u").await["token"].as_str().unwrap().to_owned();
    let (header, claims, sig) = jwt_parts(&json!(token));
    let mut none = header.clone();
    none["alg"] = json!("none");
    let mut hs = header.clone();
    hs["alg"] = json!("HS256");
    let mut no_kid = header.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    let two_segments = token.rsplit_once('.').unwrap().0.to_owned();
    let cases = [
        ("garbage", "garbage".to_owned()),
        ("empty", String::new()),
        ("two segments", two_segments.clone()),
        ("two segments and a dot", format!("{two_segments}.")),
        ("four segments", format!("{token}.x")),
        ("bad base64", "a$b.c$d.e$f".to_owned()),
        (
            "header not JSON",
            format!("bm90IGpzb24.{}", token.split_once('.').unwrap().1),
        ),
        (
            "truncated in the claims",
            token[..token.len() / 2].to_owned(),
        ),
        (
            "truncated signature (not base64)",
            token[..token.len() - 5].to_owned(),
        ),
        (
            "truncated signature (valid base64)",
            token[..token.len() - 4].to_owned(),
        ),
        (
            "signature cut to one char",
            format!("{two_segments}.{}", &sig[..1]),
        ),
        ("alg none, no signature", jwt_encode(&none, &claims, "")),
        ("alg none, signature kept", jwt_encode(&none, &claims, &sig)),
        (
            "alg switched to HS256 with the real kid",
            jwt_encode(&hs, &claims, &sig),
        ),
        ("no kid", jwt_encode(&no_kid, &claims, &sig)),
    ];
    for (what, t) in cases {
        assert_err_ctx(&app.verify(&json!(t)).await, 401, "token_malformed", what);
    }
    let (s, _) = app.verify(&json!(token)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn altered_tokens_are_token_signature_invalid() {
    let app = setup().await;
    let a = app.start("alice").await;
    let b = app.start("bob").await;
    let (header, claims, sig) = jwt_parts(&a["token"]);
    let mut altered = claims.clone();
    altered["sub"] = json!("bob");
    let mut later = claims.clone();
    later["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
    let (_, _, bob_sig) = jwt_parts(&b["token"]);
    let mut flipped = sig.clone().into_bytes();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    for (what, t) in [
        ("sub altered", jwt_encode(&header, &altered, &sig)),
        ("exp extended", jwt_encode(&header, &later, &sig)),
        (
            "another token's signature",
            jwt_encode(&header, &claims, &bob_sig),
        ),
        (
            "one signature char changed",
            jwt_encode(&header, &claims, &String::from_utf8(flipped).unwrap()),
        ),
    ] {
        assert_err_ctx(
            &app.verify(&json!(t)).await,
            401,
            "token_signature_invalid",
            what,
        );
    }
}

#[tokio::test]
async fn tokens_past_their_expiry_are_token_expired() {
    let app = setup().await;
    let s = app.start("u").await;
    app.clock.advance_secs(3599);
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    app.clock.advance_secs(2);
    assert_err(&app.verify(&s["token"]).await, 401, "token_expired");
    // The session lives on: a refresh gives a fresh token.
    let (st, r) = app.refresh(&s["refreshToken"]).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(app.verify(&r["token"]).await.0, 200);
}

#[tokio::test]
async fn tokens_of_another_type_are_tag_mismatch() {
    let app = setup().await;
    let a = app.start_admin_session().await;
    assert_err(&app.verify(&a["token"]).await, 401, "tag_mismatch");
    let u = app.start("u").await;
    assert_err(
        &app.post(
            VERIFY,
            &app.key,
            json!({"tag": "admin-session", "token": u["token"]}),
        )
        .await,
        401,
        "tag_mismatch",
    );
}

#[tokio::test]
async fn revoked_sessions_are_session_revoked() {
    let app = setup().await;
    let one = app.start("u").await;
    let others = [app.start("u").await, app.start("u").await];
    assert_eq!(
        app.revoke(&one["sessionId"]).await.1,
        json!({"revoked": true})
    );
    assert_err(&app.verify(&one["token"]).await, 401, "session_revoked");
    assert_eq!(
        app.verify(&others[0]["token"]).await.0,
        200,
        "only that session is revoked"
    );

    let (s, b) = app
        .post(
            REVOKE_ALL,
            &app.key,
            json!({"tag": TYPE, "identifier": "u"}),
        )
        .await;
    assert_eq!((s, b), (200, json!({"revokedCount": 2})));
    for o in &others {
        assert_err(&app.verify(&o["token"]).await, 401, "session_revoked");
    }

    let forced = app.start("v").await;
    let (s, b) = app
        .delete(
            "/v1/session-types/user-session?force=true",
            &app.product_key,
        )
        .await;
    assert_eq!((s, b), (200, json!({"deleted": true})));
    app.create_type(json!({"tag": TYPE, "name": "User session", "schema": {"userId": "u"}, "expiry": 1, "period": "hours"})).await;
    assert_err(&app.verify(&forced["token"]).await, 401, "session_revoked");
}

#[tokio::test]
async fn tokens_of_another_env_or_product_are_wrong_environment() {
    let app = setup().await;
    let s = app.start("u").await;
    let all_env = app.create_key("access", None).await;
    let body = json!({"tag": TYPE, "token": s["token"], "env": "prd"});
    assert_err(
        &app.post(VERIFY, &all_env, body.clone()).await,
        401,
        "wrong_environment",
    );
    let mut admin_body = body;
    admin_body["product"] = json!("shop");
    assert_err(
        &app.post(VERIFY, &app.admin, admin_body).await,
        401,
        "wrong_environment",
    );
    let mut same = json!({"tag": TYPE, "token": s["token"], "env": "dev"});
    assert_eq!(app.post(VERIFY, &all_env, same.clone()).await.0, 200);
    same["product"] = json!("shop");
    assert_eq!(app.post(VERIFY, &app.admin, same).await.0, 200);

    // A token of another product with a type of the same tag.
    assert_eq!(
        app.post(
            "/v1/products",
            &app.admin,
            json!({"tag": "blog", "name": "Blog"})
        )
        .await
        .0,
        201
    );
    let ty = json!({"product": "blog", "tag": TYPE, "name": "Blog users", "expiry": 1, "period": "hours"});
    assert_eq!(app.post("/v1/session-types", &app.admin, ty).await.0, 201);
    let (st, blog) = app
        .post(
            START,
            &app.admin,
            json!({"product": "blog", "env": "dev", "tag": TYPE, "data": {}, "identifier": "u"}),
        )
        .await;
    assert_eq!(st, 200, "{blog}");
    assert_err(&app.verify(&blog["token"]).await, 401, "wrong_environment");
}

#[tokio::test]
async fn verify_checks_signature_expiry_tag_env_then_revocation() {
    let app = setup().await;
    app.create_admin_type().await;
    let s = app.start("u").await;
    let all_env = app.create_key("access", None).await;
    assert_eq!(app.revoke(&s["sessionId"]).await.0, 200);
    let as_admin = json!({"tag": "admin-session", "token": s["token"]});
    assert_err(
        &app.post(VERIFY, &app.key, as_admin).await,
        401,
        "tag_mismatch",
    );
    let in_prd = json!({"tag": TYPE, "token": s["token"], "env": "prd"});
    assert_err(
        &app.post(VERIFY, &all_env, in_prd).await,
        401,
        "wrong_environment",
    );
    let (h, c, sig) = jwt_parts(&s["token"]);
    let mut c2 = c.clone();
    c2["tag"] = json!("admin-session");
    assert_err(
        &app.verify(&json!(jwt_encode(&h, &c2, &sig))).await,
        401,
        "token_signature_invalid",
    );
    app.clock.advance_secs(3601);
    assert_err(&app.verify(&s["token"]).await, 401, "token_expired");
    let as_admin = json!({"tag": "admin-session", "token": s["token"]});
    assert_err(
        &app.post(VERIFY, &app.key, as_admin).await,
        401,
        "token_expired",
    );
}
