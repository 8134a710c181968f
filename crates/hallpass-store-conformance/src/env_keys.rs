//! Cases for env keys, signing key rotation and the token expiry a retired key must cover.

use crate::fixtures::revoking;
use std::sync::Arc;

use hallpass_core::model::{EnvKeyRecord, KeyPurpose, SessionRecord};
use hallpass_core::store::Store;

use super::fixtures::{
    at, audit, by_kid, env_key, first_keys, insert_sessions, now, product, session,
};

/// Env keys come back byte for byte, sealed secrets and optional times included.
pub async fn env_keys_round_trip(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev", "prd"]);
    let mut keys = first_keys(&shop);
    keys.push(EnvKeyRecord {
        retired_at: Some(at(10)),
        verify_until: Some(at(20)),
        created_at: at(-100),
        ..env_key("shop-dev-sig-0", "shop", "dev", KeyPurpose::Signing)
    });
    assert!(store.insert_product(&shop, &keys).await.expect("insert"));
    assert_eq!(by_kid(store.env_keys().await.expect("keys")), by_kid(keys));
}

/// Rotation retires the current signing keys of that env only; data keys, other envs and
/// keys retired earlier keep their values, and the new key is current.
pub async fn rotate_signing_key_retires_only_that_envs_signing_keys(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev", "prd"]);
    let first = first_keys(&shop);
    assert!(store.insert_product(&shop, &first).await.expect("insert"));
    let second = EnvKeyRecord {
        created_at: at(100),
        ..env_key("shop-dev-sig-2", "shop", "dev", KeyPurpose::Signing)
    };
    store
        .rotate_signing_key(&second, at(1000), &audit(at(100)))
        .await
        .expect("rotate");
    let third = EnvKeyRecord {
        created_at: at(200),
        ..env_key("shop-dev-sig-3", "shop", "dev", KeyPurpose::Signing)
    };
    store
        .rotate_signing_key(&third, at(2000), &audit(at(200)))
        .await
        .expect("rotate again");

    let mut expected: Vec<EnvKeyRecord> = first
        .into_iter()
        .map(|k| {
            if k.kid == "shop-dev-sig-1" {
                EnvKeyRecord {
                    retired_at: Some(at(100)),
                    verify_until: Some(at(1000)),
                    ..k
                }
            } else {
                k
            }
        })
        .collect();
    expected.push(EnvKeyRecord {
        retired_at: Some(at(200)),
        verify_until: Some(at(2000)),
        ..second
    });
    expected.push(third);
    assert_eq!(
        by_kid(store.env_keys().await.expect("keys")),
        by_kid(expected)
    );
}

/// The latest token expiry of the env counts every session (revoked ones too, their tokens
/// were signed) and no other env or product.
pub async fn max_token_expiry_covers_every_session_of_the_env(store: Arc<dyn Store>) {
    assert_eq!(
        store.max_token_expiry("shop", "dev").await.expect("empty"),
        None
    );
    let sessions = [
        SessionRecord {
            token_expires_at: at(500),
            ..session(1)
        },
        SessionRecord {
            token_expires_at: at(900),
            ..session(2)
        },
        SessionRecord {
            token_expires_at: at(5000),
            env: "prd".into(),
            ..session(3)
        },
        SessionRecord {
            token_expires_at: at(6000),
            product: "blog".into(),
            ..session(4)
        },
    ];
    insert_sessions(&*store, &sessions).await;
    assert_eq!(
        store.max_token_expiry("shop", "dev").await.expect("max"),
        Some(at(900))
    );
    let late = SessionRecord {
        token_expires_at: at(3000),
        ..session(5)
    };
    insert_sessions(&*store, &[late]).await;
    assert!(
        store
            .revoke_session(&super::fixtures::sid(5), &revoking(now()))
            .await
            .expect("revoke")
            .is_some()
    );
    assert_eq!(
        store.max_token_expiry("shop", "dev").await.expect("max"),
        Some(at(3000))
    );
    assert_eq!(
        store.max_token_expiry("shop", "prd").await.expect("max"),
        Some(at(5000))
    );
    assert_eq!(
        store.max_token_expiry("shop", "stg").await.expect("max"),
        None
    );
}
