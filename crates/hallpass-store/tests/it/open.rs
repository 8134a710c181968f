//! `open`: URL forms, file creation, migrations, reopening and the errors a bad URL gives.

use hallpass_core::Error;
use hallpass_core::Timestamp;
use hallpass_core::model::Product;
use hallpass_store_conformance::fixtures::{audit, now};
use sqlx::Connection;

fn shop() -> Product {
    Product {
        tag: "shop".into(),
        name: "Shop".into(),
        envs: vec!["dev".into()],
        allowed_origins: vec![],
        created_at: Timestamp::from_millis(1),
        updated_at: Timestamp::from_millis(1),
    }
}

#[tokio::test]
async fn open_creates_the_file_and_runs_the_migrations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.db");
    let store = hallpass_store::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    assert!(path.is_file(), "the database file is created");
    assert_eq!(store.products().await.expect("products"), vec![]);

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("connect directly");
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .expect("migrations table");
    assert_eq!(versions, (1..=8).collect::<Vec<i64>>());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn reopening_a_file_keeps_its_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The `sqlite:path` form (no slashes) names the same file as `sqlite://path`.
    let path = dir.path().join("keep.db");
    let first = hallpass_store::open(&format!("sqlite:{}", path.display()))
        .await
        .expect("open");
    assert!(first.insert_product(&shop(), &[]).await.expect("insert"));
    drop(first);
    let again = hallpass_store::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("reopen");
    assert_eq!(again.product("shop").await.expect("get"), Some(shop()));
}

#[tokio::test]
async fn memory_databases_are_separate_and_keep_data_while_open() {
    let a = hallpass_store::open("sqlite::memory:")
        .await
        .expect("open a");
    let b = hallpass_store::open("sqlite::memory:")
        .await
        .expect("open b");
    assert!(a.insert_product(&shop(), &[]).await.expect("insert"));
    assert_eq!(a.product("shop").await.expect("get a"), Some(shop()));
    assert_eq!(b.product("shop").await.expect("get b"), None);
}

#[tokio::test]
async fn other_schemes_are_invalid_requests_without_echoing_secrets() {
    for url in ["mysql://root:s3cret@localhost/hallpass", "hallpass.db", ""] {
        let err = hallpass_store::open(url)
            .await
            .err()
            .unwrap_or_else(|| panic!("{url} must fail"));
        match &err {
            Error::InvalidRequest(message) => {
                assert!(message.contains("sqlite://"), "{message}");
                assert!(message.contains("postgres://"), "{message}");
                assert!(!message.contains("s3cret"), "{message}");
            }
            other => panic!("{url}: expected InvalidRequest, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_missing_directory_is_an_invalid_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir");
    let url = format!("sqlite://{}", missing.join("hallpass.db").display());
    match hallpass_store::open(&url).await {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains("no-such-dir"), "{message}");
            assert!(message.contains("does not exist"), "{message}");
        }
        Err(other) => panic!("expected InvalidRequest, got {other:?}"),
        Ok(_) => panic!("opening in a missing directory must fail"),
    }
    assert!(!missing.exists(), "nothing is created");
}

/// Several processes on one SQLite file do not share the in-process writer queue: the
/// database's own lock (`BEGIN IMMEDIATE`) must still let exactly one bootstrap win.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_on_one_file_bootstrap_exactly_one_admin_key() {
    use hallpass_core::model::{ApiKeyRecord, KeyKind};
    use hallpass_store_conformance::fixtures::api_key;

    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/h.db", dir.path().display());
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(hallpass_store::open(&url).await.expect("open"));
    }
    let attempts: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(n, store)| {
            let store = std::sync::Arc::clone(store);
            let key = ApiKeyRecord {
                hash: format!("hash-admin-{n}"),
                ..api_key(&format!("key_admin_{n}"), KeyKind::Admin, None, None, 1)
            };
            tokio::spawn(async move { store.insert_first_admin_key(&key, &audit(now())).await })
        })
        .collect();
    let mut inserted = 0;
    for attempt in attempts {
        if attempt.await.expect("task").expect("insert first admin") {
            inserted += 1;
        }
    }
    assert_eq!(inserted, 1, "exactly one store's bootstrap wins");
    let admins = stores[0].api_keys(None).await.expect("list");
    assert_eq!(admins.len(), 1, "{admins:?}");
}
