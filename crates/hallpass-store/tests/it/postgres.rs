//! The conformance suite on PostgreSQL, each case on a fresh database; skipped loudly when
//! `HALLPASS_TEST_DATABASE_URL` is not set.

use hallpass_store_conformance::fixtures::{audit, now};
use hallpass_store_conformance::{Harness, TestDatabase};

/// A new, migrated database, dropped when the case ends.
pub(crate) async fn fresh_store() -> Option<Harness> {
    let db = TestDatabase::create("PostgreSQL store conformance").await?;
    let store = hallpass_store::open(db.url())
        .await
        .expect("open the test database");
    Some(Harness::keeping(store, db))
}

mod conformance {
    hallpass_store_conformance::store_conformance!(super::fresh_store());
}

/// PostgreSQL text cannot hold NUL: such input is the caller's error (4xx), never an outage.
#[tokio::test]
async fn text_with_a_nul_character_is_invalid_request_not_store_unavailable() {
    let Some(harness) = fresh_store().await else {
        return;
    };
    for result in [
        harness.store().session_type("shop", "a\0b").await.map(drop),
        harness.store().product("\0").await.map(drop),
        harness.store().api_key_by_hash("\0").await.map(drop),
    ] {
        match result {
            Err(hallpass_core::Error::InvalidRequest(message)) => {
                assert!(message.contains("NUL"), "{message}");
            }
            other => panic!("expected invalid_request, got {other:?}"),
        }
    }
}

/// A start whose data PostgreSQL refuses fails alone, even when it arrives together with
/// others (which are written in one statement, and then retried one by one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insert_postgresql_refuses_fails_alone_among_concurrent_ones() {
    let Some(harness) = fresh_store().await else {
        return;
    };
    let store = harness.store();
    let mut tasks = Vec::new();
    for n in 0..40 {
        let store = std::sync::Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut record = hallpass_store_conformance::fixtures::session(n + 1);
            if n == 17 {
                record.identifier = Some("nul\0here".into());
            }
            store.insert_session(&record, &audit(now())).await
        }));
    }
    for (n, task) in tasks.into_iter().enumerate() {
        let result = task.await.expect("insert task");
        if n == 17 {
            assert!(
                matches!(result, Err(hallpass_core::Error::InvalidRequest(_))),
                "{result:?}"
            );
        } else {
            assert_eq!(result, Ok(()), "insert {n}");
        }
    }
    for n in 0..40u32 {
        let id = hallpass_store_conformance::fixtures::sid(n + 1);
        let stored = store.session(&id).await.expect("get");
        assert_eq!(stored.is_some(), n != 17, "session {n}");
    }
}
