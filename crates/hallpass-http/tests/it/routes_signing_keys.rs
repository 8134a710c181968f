//! Signing-key rotation and the JWKS: each algorithm signs at once after a rotation, the keys
//! that verify live tokens stay published (never HS256 ones), and tokens signed before a
//! rotation keep verifying.

use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn signing_key_rotation_and_jwks() {
    let app = setup().await;
    let jwks = |app: &App| {
        let app = app.router.clone();
        async move {
            let r = send_on(
                app,
                request(axum::http::Method::GET, "/v1/jwks/shop/dev", None, ""),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let keys = r.json["keys"].as_array().expect("keys").clone();
            for k in &keys {
                assert!(
                    ["kty", "kid", "alg"]
                        .iter()
                        .all(|f| k[f].as_str().is_some_and(|s| !s.is_empty())),
                    "{k}"
                );
            }
            keys
        }
    };
    let kids = |keys: &[Value]| {
        keys.iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let first = jwks(&app).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(
        (&first[0]["alg"], &first[0]["kty"]),
        (&json!("EdDSA"), &json!("OKP"))
    );
    let a = app.start("a").await;
    assert_eq!(jwt_parts(&a["token"]).0["kid"], first[0]["kid"]);

    let rotate = "/v1/products/shop/envs/dev/signing-keys/rotate";
    let mut tokens = vec![a["token"].clone()];
    let mut rotated = vec![];
    for (body, alg) in [
        (None, "EdDSA"),
        (Some(json!({"alg": "ES256"})), "ES256"),
        (Some(json!({"alg": "HS256"})), "HS256"),
    ] {
        app.clock.advance_secs(1);
        let (s, r) = app
            .call(axum::http::Method::POST, rotate, &app.admin, body.as_ref())
            .await;
        assert_eq!((s, r.as_object().map(|o| o.len())), (200, Some(2)), "{r}");
        assert_eq!(r["alg"], json!(alg), "{r}");
        let t = app.start("a").await;
        let (h, _, _) = jwt_parts(&t["token"]);
        assert_eq!(
            (&h["alg"], &h["kid"], &h["typ"]),
            (&json!(alg), &r["kid"], &json!("JWT")),
            "{h}"
        );
        tokens.push(t["token"].clone());
        rotated.push(r["kid"].as_str().unwrap().to_owned());
    }
    let published = kids(&jwks(&app).await);
    assert!(
        published.contains(&kids(&first)[0]),
        "the first key still verifies a live token: {published:?}"
    );
    assert!(
        published.contains(&rotated[0]),
        "the rotated EdDSA key is still published: {published:?}"
    );
    assert!(
        published.contains(&rotated[1]),
        "the ES256 key is published: {published:?}"
    );
    assert!(
        !published.contains(&rotated[2]),
        "HS256 keys are never published: {published:?}"
    );
    let es = jwks(&app)
        .await
        .into_iter()
        .find(|k| k["kid"] == json!(rotated[1]))
        .unwrap();
    assert_eq!((&es["alg"], &es["kty"]), (&json!("ES256"), &json!("EC")));
    for t in &tokens {
        let (s, v) = app.verify(t).await;
        assert_eq!(
            s, 200,
            "tokens signed before a rotation keep verifying: {v}"
        );
    }
}

#[tokio::test]
async fn a_rotated_key_signs_at_once_even_within_the_same_millisecond() {
    let app = setup().await;
    let rotate = "/v1/products/shop/envs/dev/signing-keys/rotate";
    for alg in ["EdDSA", "ES256", "EdDSA", "HS256", "EdDSA", "ES256"] {
        let (s, r) = app.post(rotate, &app.admin, json!({"alg": alg})).await;
        assert_eq!(s, 200, "{r}");
        let (h, _, _) = jwt_parts(&app.start("a").await["token"]);
        assert_eq!(
            (&h["alg"], &h["kid"]),
            (&json!(alg), &r["kid"]),
            "the new key signs new tokens"
        );
    }
}
