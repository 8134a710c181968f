//! Small builders for the records the cases store, so each case states only what it varies.
//!
//! Every time is an offset in seconds from [`T0`]; default sessions are active from `T0` for
//! 30 days and their token expires 15 minutes after `T0`.

use hallpass_core::Timestamp;
use hallpass_core::events::{Actor, ActorKind, Audit, RevokeCause};
use hallpass_core::model::{
    ApiKeyRecord, Device, EnvKeyRecord, KeyKind, KeyPurpose, Product, SessionRecord,
};
use hallpass_core::period::Period;
use hallpass_core::session_type::{CookieSettings, OnLimit, SessionTypeConfig, SessionTypeRecord};
use hallpass_core::store::{IdentifierFilter, RevokeContext, Revoked, Rotation, Store, Superseded};
use serde_json::json;

/// The moment every fixture time is relative to.
pub const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);
/// Token lifetime of default sessions, in seconds.
pub const TOKEN_SECS: i64 = 900;
/// Refresh (session) lifetime of default sessions, in seconds.
pub const REFRESH_SECS: i64 = 30 * 86_400;

/// `T0` moved by `secs` seconds (with a millisecond part, to catch truncation to seconds).
pub fn at(secs: i64) -> Timestamp {
    T0.plus_secs(secs).plus_millis(7)
}

/// A moment at which default sessions are active and their first token is still valid.
pub fn now() -> Timestamp {
    at(60)
}

/// Session id number `n`: ids of later sessions sort after earlier ones, as ULIDs do.
pub fn sid(n: u32) -> String {
    format!("01HS{n:06}")
}

/// A product with the given envs.
pub fn product(tag: &str, envs: &[&str]) -> Product {
    Product {
        tag: tag.to_owned(),
        name: format!("Product {tag}"),
        envs: envs.iter().map(|e| (*e).to_owned()).collect(),
        allowed_origins: vec![
            format!("https://{tag}.example"),
            "http://localhost:3000".into(),
        ],
        created_at: at(0),
        updated_at: at(0),
    }
}

/// One env key; its sealed secret holds arbitrary bytes (zeros included) to check BLOB storage.
pub fn env_key(kid: &str, product: &str, env: &str, purpose: KeyPurpose) -> EnvKeyRecord {
    let mut sealed_secret = vec![0, 1, 2, 0, 255, 254];
    sealed_secret.extend_from_slice(kid.as_bytes());
    EnvKeyRecord {
        kid: kid.to_owned(),
        product: product.to_owned(),
        env: env.to_owned(),
        purpose,
        alg: match purpose {
            KeyPurpose::Signing => "EdDSA".into(),
            KeyPurpose::Data => "A256GCM".into(),
        },
        sealed_secret,
        created_at: at(0),
        retired_at: None,
        verify_until: None,
    }
}

/// The first signing and data key of each env of the product (kids `{product}-{env}-sig-1`
/// and `{product}-{env}-dat-1`).
pub fn first_keys(product: &Product) -> Vec<EnvKeyRecord> {
    product
        .envs
        .iter()
        .flat_map(|env| {
            [
                env_key(
                    &format!("{}-{env}-sig-1", product.tag),
                    &product.tag,
                    env,
                    KeyPurpose::Signing,
                ),
                env_key(
                    &format!("{}-{env}-dat-1", product.tag),
                    &product.tag,
                    env,
                    KeyPurpose::Data,
                ),
            ]
        })
        .collect()
}

/// Env keys sorted by kid, to compare sets whatever order a store lists them in.
pub fn by_kid(mut keys: Vec<EnvKeyRecord>) -> Vec<EnvKeyRecord> {
    keys.sort_by(|a, b| a.kid.cmp(&b.kid));
    keys
}

/// An API key whose hash is `hash-{id}`, created `created_secs` after `T0`.
pub fn api_key(
    id: &str,
    kind: KeyKind,
    product: Option<&str>,
    env: Option<&str>,
    created_secs: i64,
) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_owned(),
        kind,
        product: product.map(str::to_owned),
        env: env.map(str::to_owned),
        name: format!("key {id}"),
        hash: format!("hash-{id}"),
        created_at: at(created_secs),
    }
}

/// A session type using every configuration field, so its JSON round trip is checked whole.
pub fn session_type(product: &str, tag: &str) -> SessionTypeRecord {
    SessionTypeRecord {
        product: product.to_owned(),
        tag: tag.to_owned(),
        config: SessionTypeConfig {
            name: format!("Type {tag}"),
            description: "for the conformance suite".into(),
            schema: json!({"userId": "u1", "roles": ["admin"]}),
            selector: Some("$Session{userId}".into()),
            expiry: 15,
            period: Period::Minutes,
            refresh_expiry: 30,
            refresh_period: Period::Days,
            refresh_grace: 10,
            cookie: Some(CookieSettings {
                domain: Some("shop.example".into()),
                ..CookieSettings::default()
            }),
            update_age: Some(60),
            forward_data: true,
            idle_timeout: Some(3600),
            max_sessions: Some(5),
            on_limit: OnLimit::Refuse,
        },
        created_at: at(0),
        updated_at: at(0),
    }
}

/// An active session `sid(n)` of product `shop`, env `dev`, type `user`, identifier `u1`,
/// started at `T0`, with refresh hash `rh-{id}`.
pub fn session(n: u32) -> SessionRecord {
    let id = sid(n);
    SessionRecord {
        refresh_hash: format!("rh-{id}"),
        id,
        product: "shop".into(),
        env: "dev".into(),
        tag: "user".into(),
        identifier: Some("u1".into()),
        data_jwe: "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv.ciphertext.tag".into(),
        created_at: at(0),
        token_lifetime_secs: TOKEN_SECS,
        token_issued_at: at(0),
        token_expires_at: at(TOKEN_SECS),
        refresh_expires_at: at(REFRESH_SECS),
        last_active_at: at(0),
        device: Device {
            ip: Some("203.0.113.7".into()),
            user_agent: Some("Mozilla/5.0 (conformance)".into()),
        },
        revoked_at: None,
        previous_refresh_hash: None,
        rotated_at: None,
        grace_answer: None,
        data_version: 0,
        auth_time: at(0),
        amr: Some(vec!["pwd".into(), "otp".into()]),
    }
}

/// Session `n` with the given identifier (`None` for an anonymous session).
pub fn session_of(n: u32, identifier: Option<&str>) -> SessionRecord {
    SessionRecord {
        identifier: identifier.map(str::to_owned),
        ..session(n)
    }
}

/// The filter matching default sessions of `identifier`.
pub fn filter(identifier: &str) -> IdentifierFilter {
    IdentifierFilter {
        product: "shop".into(),
        env: "dev".into(),
        tag: "user".into(),
        identifier: identifier.to_owned(),
        idle_cutoff: None,
    }
}

/// A rotation to `new_hash` happening `secs` after `T0`.
pub fn rotation(new_hash: &str, secs: i64) -> Rotation {
    Rotation {
        new_hash: new_hash.to_owned(),
        token_issued_at: at(secs),
        token_expires_at: at(secs + TOKEN_SECS),
        rotated_at: at(secs),
        grace_answer: format!("sealed pair for {new_hash}\0\u{1}").into_bytes(),
        data_version: 0,
    }
}

/// Inserts every session, failing the case on the first error.
pub async fn insert_sessions(store: &dyn hallpass_core::store::Store, sessions: &[SessionRecord]) {
    for s in sessions {
        store
            .insert_session(s, &audit(s.created_at))
            .await
            .expect("insert session");
    }
}

/// A change made at `at` by the access key `key_test`.
pub fn audit(at: Timestamp) -> Audit {
    Audit {
        actor: Actor {
            kind: ActorKind::Access,
            key_id: Some("key_test".into()),
        },
        at,
    }
}

/// A revocation at `at` by the access key `key_test`, cause `revoke`.
pub fn revoking(at: Timestamp) -> RevokeContext {
    RevokeContext {
        audit: audit(at),
        cause: RevokeCause::Revoke,
        presenter: None,
    }
}

/// Reads a session that must exist.
pub async fn must_get(store: &dyn hallpass_core::store::Store, id: &str) -> SessionRecord {
    store
        .session(id)
        .await
        .expect("read session")
        .unwrap_or_else(|| panic!("session {id} should exist"))
}

/// An enabled endpoint `wh_{name}` of product `shop` (every env) taking every event, created
/// at `T0` (so it takes the default sessions' events).
pub fn webhook(name: &str) -> hallpass_core::webhooks::WebhookRecord {
    hallpass_core::webhooks::WebhookRecord {
        id: format!("wh_{name}"),
        product: "shop".into(),
        env: None,
        url: format!("https://hooks.example.com/{name}"),
        events: hallpass_core::webhooks::EventSelection::All,
        description: Some(format!("endpoint {name}")),
        enabled: true,
        sealed_secret: format!("sealed-{name}").into_bytes(),
        created_at: T0,
        updated_at: T0,
        failing_since: None,
    }
}

/// Every revocation [`Store::live_revocations`] hands over, by session id.
pub async fn live_revocations(store: &dyn Store, now: Timestamp) -> Vec<Revoked> {
    let mut all = Vec::new();
    let count = store
        .live_revocations(now, &mut |r| all.push(r))
        .await
        .expect("live revocations");
    sorted(all, count, |r| &r.session_id)
}

/// Every revocation [`Store::revocations_since`] hands over, by session id.
pub async fn revocations_since(
    store: &dyn Store,
    since: Timestamp,
    now: Timestamp,
) -> Vec<Revoked> {
    let mut all = Vec::new();
    let count = store
        .revocations_since(since, now, &mut |r| all.push(r))
        .await
        .expect("revocations since");
    sorted(all, count, |r| &r.session_id)
}

/// Every supersession [`Store::live_supersessions`] hands over, by session id.
pub async fn live_supersessions(store: &dyn Store, now: Timestamp) -> Vec<Superseded> {
    let mut all = Vec::new();
    let count = store
        .live_supersessions(now, &mut |s| all.push(s))
        .await
        .expect("live supersessions");
    sorted(all, count, |s| &s.session_id)
}

/// Every supersession [`Store::supersessions_since`] hands over, by session id.
pub async fn supersessions_since(
    store: &dyn Store,
    since: Timestamp,
    now: Timestamp,
) -> Vec<Superseded> {
    let mut all = Vec::new();
    let count = store
        .supersessions_since(since, now, &mut |s| all.push(s))
        .await
        .expect("supersessions since");
    sorted(all, count, |s| &s.session_id)
}

/// `rows` by `key`, after checking that the store counted what it handed over.
fn sorted<T>(mut rows: Vec<T>, count: u64, key: impl Fn(&T) -> &String) -> Vec<T> {
    assert_eq!(
        count,
        rows.len() as u64,
        "the count answered is of the rows handed over"
    );
    rows.sort_by(|a, b| key(a).cmp(key(b)));
    rows
}
