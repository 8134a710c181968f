//! The conformance suite on PostgreSQL, each case on a fresh database; skipped loudly when
//! `HALLPASS_TEST_DATABASE_URL` is not set.

use hallpass_store::conformance::{Harness, TestDatabase};

/// A new, migrated database, dropped when the case ends.
pub(crate) async fn fresh_store() -> Option<Harness> {
    let db = TestDatabase::create("PostgreSQL store conformance").await?;
    let store = hallpass_store::open(db.url())
        .await
        .expect("open the test database");
    Some(Harness::keeping(store, db))
}

mod conformance {
    hallpass_store::store_conformance!(super::fresh_store());
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
