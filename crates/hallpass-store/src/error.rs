//! How database errors become domain errors, in one place so every query maps them alike.
//!
//! Messages carry what the driver says about the failure (SQLite and PostgreSQL messages name
//! tables and constraints, never values) and nothing from the bound parameters, so no secret
//! or hash can leak into a log or a response.

use hallpass_core::Error;
use sqlx::error::ErrorKind;

/// Maps a driver error: unreachable or failing database → [`Error::StoreUnavailable`];
/// constraint violations and data that does not decode (broken invariants) → [`Error::Internal`];
/// values PostgreSQL cannot store (a NUL character in text) → [`Error::InvalidRequest`].
pub(crate) fn map_err(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::Database(db) if is_bad_data(db.as_ref()) => Error::InvalidRequest(format!(
            "the request holds a value that cannot be stored ({}): text must not contain the NUL character (\\u0000)",
            db.message()
        )),
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::NotNullViolation
            | ErrorKind::CheckViolation => Error::Internal(format!(
                "the database refused a write that breaks its constraints: {}",
                db.message()
            )),
            _ => Error::StoreUnavailable(format!(
                "the database answered with an error: {}",
                db.message()
            )),
        },
        sqlx::Error::RowNotFound
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::Encode(_) => Error::Internal(format!("stored data cannot be read: {e}")),
        sqlx::Error::Migrate(m) => map_migrate_err(*m),
        other => Error::StoreUnavailable(format!(
            "the database cannot be reached ({other}); retry when it is back"
        )),
    }
}

/// PostgreSQL's class 22, "data exception": the request's data is at fault, not the database
/// (SQLite stores such values as they are).
fn is_bad_data(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some_and(|pg| pg.code().starts_with("22"))
}

/// Maps a failed schema migration: a statement that failed like any query, anything else (a
/// changed or unknown applied migration) as [`Error::Internal`], since only an operator can fix it.
pub(crate) fn map_migrate_err(e: sqlx::migrate::MigrateError) -> Error {
    match e {
        sqlx::migrate::MigrateError::Execute(inner) => map_err(inner),
        other => Error::Internal(format!("the database schema cannot be migrated: {other}")),
    }
}

/// A stored value that no longer parses: data written by something else or corrupted.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Internal(format!("stored {what} cannot be read: {detail}"))
}
