//! In-process cost of the session paths, without HTTP: verify of a token seen before (the
//! verification cache) and of a token never seen (signature check and decryption), start and
//! refresh on the embedded SQLite store.
//!
//! `cargo bench -p hallpass --bench sessions`; results in docs/BENCHMARKS.md.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use hallpass::Actor;
use hallpass::core::model::{KeyKind, Principal, Scope};
use hallpass::core::secrets::MasterKey;
use hallpass::core::session_type::SessionTypeInput;
use hallpass::{Hallpass, NewProduct, Settings, StartInput, SystemClock};
use jwt_simple::prelude::{
    Claims, Duration, Ed25519KeyPair, EdDSAKeyPairLike as _, EdDSAPublicKeyLike as _,
};
use serde_json::json;
use tokio::runtime::Runtime;

const TAG: &str = "user-session";

fn scope() -> Scope {
    Scope {
        product: "shop".into(),
        env: "prd".into(),
    }
}

/// A service on a fresh SQLite file with product `shop` and type `user-session`.
async fn service(dir: &tempfile::TempDir, verify_cache_entries: usize) -> Hallpass {
    let store = hallpass_store::open(&format!("sqlite://{}/bench.db", dir.path().display()))
        .await
        .expect("store");
    let master = MasterKey::from_base64(&MasterKey::generate_base64()).expect("master key");
    let settings = Settings {
        verify_cache_entries,
        ..Settings::default()
    };
    let hp = Hallpass::open(store, master, Arc::new(SystemClock), settings)
        .await
        .expect("service");
    let admin = Principal {
        key_id: "bench".into(),
        kind: KeyKind::Admin,
        product: None,
        env: None,
    };
    hp.create_product(
        &admin,
        NewProduct {
            tag: "shop".into(),
            name: "Shop".into(),
            ..Default::default()
        },
    )
    .await
    .expect("product");
    let input = SessionTypeInput {
        name: Some("User".into()),
        selector: Some(Some("$Session{userId}".into())),
        expiry: Some(1),
        period: Some("hours".into()),
        ..Default::default()
    };
    hp.create_session_type(&admin, Some("shop"), TAG, input)
        .await
        .expect("type");
    hp
}

fn start_input() -> StartInput {
    StartInput {
        tag: TAG.into(),
        data: json!({"userId": "user-123", "email": "ann@example.com", "role": "admin"}),
        ..Default::default()
    }
}

fn sessions(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let cached = rt.block_on(service(&dir, 50_000));
    let token = rt
        .block_on(cached.start(&scope(), &Actor::system(), start_input()))
        .expect("start")
        .token;
    rt.block_on(cached.verify(&scope(), TAG, &token))
        .expect("verify");

    let mut group = c.benchmark_group("verify");
    group.bench_function("hot (token seen before)", |b| {
        b.to_async(&rt)
            .iter(|| async { cached.verify(&scope(), TAG, &token).await.expect("verify") });
    });
    let other_dir = tempfile::tempdir().expect("tempdir");
    let uncached = rt.block_on(service(&other_dir, 0));
    let cold_token = rt
        .block_on(uncached.start(&scope(), &Actor::system(), start_input()))
        .expect("start")
        .token;
    group.bench_function("cold (signature and decryption)", |b| {
        b.to_async(&rt).iter(|| async {
            uncached
                .verify(&scope(), TAG, &cold_token)
                .await
                .expect("verify")
        });
    });
    // The floor of a cold verify: one EdDSA signature check (with its claims parsed) by the
    // same library, on a token of the same size.
    let pair = Ed25519KeyPair::generate();
    let public = pair.public_key();
    let claims = Claims::with_custom_claims(
        json!({"dat": "x".repeat(200), "tag": TAG, "prd": "shop", "env": "prd"}),
        Duration::from_hours(1),
    );
    let signed = pair.sign(claims).expect("sign");
    group.bench_function("EdDSA signature alone (jwt-simple)", |b| {
        b.iter(|| {
            public
                .verify_token::<serde_json::Value>(&signed, None)
                .expect("verify")
        });
    });
    group.finish();

    let mut group = c.benchmark_group("sqlite");
    group.bench_function("start", |b| {
        b.to_async(&rt).iter(|| async {
            cached
                .start(&scope(), &Actor::system(), start_input())
                .await
                .expect("start")
        });
    });
    let mut refresh_token = rt
        .block_on(cached.start(&scope(), &Actor::system(), start_input()))
        .expect("start")
        .refresh_token;
    group.bench_function("refresh", |b| {
        b.iter(|| {
            refresh_token = rt
                .block_on(cached.refresh(&scope(), &Actor::system(), TAG, &refresh_token, None))
                .expect("refresh")
                .refresh_token;
        });
    });
    group.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
