//! Cases for API keys.

use std::sync::Arc;

use hallpass_core::Error;
use hallpass_core::model::{ApiKeyRecord, KeyKind};
use hallpass_core::store::Store;

use super::fixtures::{api_key, audit, now};

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
