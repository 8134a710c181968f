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
