//! The conformance suite on SQLite: once on a fresh temporary file per case (the deployed
//! configuration: WAL, several connections) and once on `sqlite::memory:` (one connection).

use hallpass_store_conformance::Harness;

/// A new database file in a new temporary directory, removed when the case ends.
async fn temp_file_store() -> Option<Harness> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("hallpass.db").display());
    let store = hallpass_store::open(&url)
        .await
        .expect("open temporary database");
    Some(Harness::keeping(store, dir))
}

/// A new in-memory database.
async fn memory_store() -> Option<Harness> {
    Some(Harness::new(
        hallpass_store::open("sqlite::memory:")
            .await
            .expect("open in-memory database"),
    ))
}

mod file {
    hallpass_store_conformance::store_conformance!(super::temp_file_store());
}

mod memory {
    hallpass_store_conformance::store_conformance!(super::memory_store());
}
