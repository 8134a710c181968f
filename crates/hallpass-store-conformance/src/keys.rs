//! Cases for API keys.

use std::sync::Arc;

use hallpass_core::Error;
use hallpass_core::console::{ConsoleSessionRecord, ConsoleSignIn};
use hallpass_core::model::{ApiKeyRecord, KeyKind};
use hallpass_core::store::Store;

use super::fixtures::{api_key, at, audit, now};

/// Keys are found by hash, listed per product or all (admin included) oldest first, and deleted once.
pub async fn api_key_insert_lookup_list_delete(store: Arc<dyn Store>) {
    let admin = api_key("key_admin", KeyKind::Admin, None, None, 5);
    let access = api_key("key_b_access", KeyKind::Access, Some("shop"), None, 20);
    let publishable = api_key(
        "key_a_pub",
        KeyKind::Publishable,
        Some("shop"),
        Some("dev"),
        10,
    );
    let same_time = api_key(
        "key_c_access",
        KeyKind::Access,
        Some("shop"),
        Some("prd"),
        20,
    );
    let other = api_key("key_blog", KeyKind::Access, Some("blog"), None, 1);
    for key in [&access, &admin, &same_time, &publishable, &other] {
        store
            .insert_api_key(key, &audit(now()))
            .await
            .expect("insert key");
    }
    assert_eq!(
        store
            .api_key_by_hash("hash-key_a_pub")
            .await
            .expect("lookup"),
        Some(publishable.clone())
    );
    assert_eq!(
        store
            .api_key_by_hash("hash-key_admin")
            .await
            .expect("lookup"),
        Some(admin.clone())
    );
    assert_eq!(
        store.api_key_by_hash("hash-unknown").await.expect("lookup"),
        None
    );
    let shop: Vec<ApiKeyRecord> = vec![publishable.clone(), access.clone(), same_time.clone()];
    assert_eq!(store.api_keys(Some("shop")).await.expect("list shop"), shop);
    assert_eq!(
        store.api_keys(Some("nope")).await.expect("list nope"),
        vec![]
    );
    let all = vec![other, admin, publishable.clone(), access, same_time];
    assert_eq!(store.api_keys(None).await.expect("list all"), all);
    assert!(
        store
            .delete_api_key("key_a_pub", &audit(now()))
            .await
            .expect("delete")
    );
    assert!(
        !store
            .delete_api_key("key_a_pub", &audit(now()))
            .await
            .expect("delete again")
    );
    assert_eq!(
        store
            .api_key_by_hash(&publishable.hash)
            .await
            .expect("lookup"),
        None
    );
    assert_eq!(store.api_keys(Some("shop")).await.expect("list").len(), 2);
}

/// A key reusing an id or a hash is refused as an internal error and does not replace the first.
pub async fn api_key_duplicate_is_internal_error(store: Arc<dyn Store>) {
    let first = api_key("key_1", KeyKind::Access, Some("shop"), None, 0);
    store
        .insert_api_key(&first, &audit(now()))
        .await
        .expect("insert");
    let same_hash = ApiKeyRecord {
        id: "key_2".into(),
        ..first.clone()
    };
    let same_id = ApiKeyRecord {
        hash: "hash-other".into(),
        ..first.clone()
    };
    for dup in [same_hash, same_id] {
        let result = store.insert_api_key(&dup, &audit(now())).await;
        assert!(matches!(result, Err(Error::Internal(_))), "got {result:?}");
    }
    assert_eq!(store.api_keys(None).await.expect("list"), vec![first]);
}

/// The first admin key is inserted only while no admin key exists; the check and the insert
/// are one atomic step, so concurrent bootstraps insert exactly one key.
pub async fn insert_first_admin_key_only_once(store: Arc<dyn Store>) {
    let access = api_key("key_access", KeyKind::Access, Some("shop"), None, 0);
    store
        .insert_api_key(&access, &audit(now()))
        .await
        .expect("insert access");
    let candidates: Vec<ApiKeyRecord> = (0..8)
        .map(|n| ApiKeyRecord {
            hash: format!("hash-admin-{n}"),
            ..api_key(&format!("key_admin_{n}"), KeyKind::Admin, None, None, 1)
        })
        .collect();
    let attempts = candidates.iter().cloned().map(|key| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.insert_first_admin_key(&key, &audit(now())).await })
    });
    let mut inserted = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        if attempt.await.expect("task").expect("insert first admin") {
            inserted += 1;
        }
    }
    assert_eq!(inserted, 1, "exactly one concurrent bootstrap wins");
    let admins: Vec<ApiKeyRecord> = store
        .api_keys(None)
        .await
        .expect("list")
        .into_iter()
        .filter(|k| k.kind == KeyKind::Admin)
        .collect();
    assert_eq!(admins.len(), 1);
    let later = api_key("key_admin_later", KeyKind::Admin, None, None, 2);
    assert!(
        !store
            .insert_first_admin_key(&later, &audit(now()))
            .await
            .expect("later")
    );
    assert!(
        store
            .delete_api_key(&admins[0].id, &audit(now()))
            .await
            .expect("delete")
    );
    assert!(
        store
            .insert_first_admin_key(&later, &audit(now()))
            .await
            .expect("after delete"),
        "with no admin key left, bootstrap inserts again"
    );
}

/// A console sign-in is found by its token hash with its key as stored, moves its last use
/// forward only, ends when signed out, when swept, or when its key is deleted; one for a key
/// that does not exist is refused.
pub async fn console_sessions_follow_their_key(store: Arc<dyn Store>) {
    let admin = api_key("key_admin", KeyKind::Admin, None, None, 5);
    let access = api_key("key_access", KeyKind::Access, Some("shop"), None, 6);
    for key in [&admin, &access] {
        store
            .insert_api_key(key, &audit(now()))
            .await
            .expect("insert key");
    }
    let signed_in = |hash: &str, key: &ApiKeyRecord, begun: i64| ConsoleSessionRecord {
        token_hash: hash.into(),
        key_id: key.id.clone(),
        created_at: at(begun),
        last_seen_at: at(begun),
    };
    let (a, b, c) = (
        signed_in("ct-a", &admin, 10),
        signed_in("ct-b", &access, 20),
        signed_in("ct-c", &access, 30),
    );
    for s in [&a, &b, &c] {
        store.insert_console_session(s).await.expect("insert");
    }
    let found = store.console_session("ct-a").await.expect("get");
    assert_eq!(
        found,
        Some(ConsoleSignIn {
            session: a.clone(),
            key: admin.clone()
        })
    );
    assert_eq!(store.console_session("ct-none").await.expect("get"), None);
    let orphan = signed_in(
        "ct-orphan",
        &api_key("key_gone", KeyKind::Admin, None, None, 1),
        10,
    );
    assert!(
        matches!(
            store.insert_console_session(&orphan).await,
            Err(Error::Internal(_))
        ),
        "a sign-in needs its key"
    );

    store
        .touch_console_session("ct-a", at(100))
        .await
        .expect("touch");
    store
        .touch_console_session("ct-a", at(50))
        .await
        .expect("touch back");
    let touched = store
        .console_session("ct-a")
        .await
        .expect("get")
        .expect("a");
    assert_eq!(touched.session.last_seen_at, at(100), "never moves back");

    // b was last seen at 20 (idle), c began at 30 and is kept; a was seen at 100.
    assert_eq!(
        store
            .sweep_console_sessions(at(25), at(0))
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(store.console_session("ct-b").await.expect("get"), None);
    assert!(store.console_session("ct-c").await.expect("get").is_some());
    // Begun before 15: a, whatever its last use.
    assert_eq!(
        store
            .sweep_console_sessions(at(0), at(15))
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(store.console_session("ct-a").await.expect("get"), None);

    store
        .delete_api_key(&access.id, &audit(now()))
        .await
        .expect("delete key");
    assert_eq!(
        store.console_session("ct-c").await.expect("get"),
        None,
        "deleting the key ends its sign-ins"
    );
    let d = signed_in("ct-d", &admin, 40);
    store.insert_console_session(&d).await.expect("insert");
    assert!(store.delete_console_session("ct-d").await.expect("end"));
    assert!(
        !store
            .delete_console_session("ct-d")
            .await
            .expect("end again")
    );
    assert_eq!(store.console_session("ct-d").await.expect("get"), None);
}
