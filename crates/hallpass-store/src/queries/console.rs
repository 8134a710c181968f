//! Console sign-ins: the token's hash and the key it acts as, read together with that key.

use hallpass_core::console::{ConsoleSessionRecord, ConsoleSignIn};
use hallpass_core::model::ApiKeyRecord;
use hallpass_core::{Result, Timestamp};

use crate::sql::{Db, FromSqlRow, SqlRow};

/// Inserts a sign-in; an unknown key or a duplicate hash is a constraint violation.
pub(crate) async fn insert(db: impl Db, s: &ConsoleSessionRecord) -> Result<()> {
    db.execute(
        "INSERT INTO console_sessions (token_hash, key_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4)",
        &[
            s.token_hash.as_str().into(),
            s.key_id.as_str().into(),
            s.created_at.into(),
            s.last_seen_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The sign-in with this token hash, and its key.
pub(crate) async fn get(db: impl Db, token_hash: &str) -> Result<Option<ConsoleSignIn>> {
    db.fetch_optional(
        "SELECT k.id, k.kind, k.product, k.env, k.name, k.hash, k.created_at, \
         c.token_hash, c.created_at, c.last_seen_at \
         FROM console_sessions c JOIN api_keys k ON k.id = c.key_id WHERE c.token_hash = $1",
        &[token_hash.into()],
    )
    .await
}

/// Moves `last_seen_at` forward.
pub(crate) async fn touch(db: impl Db, token_hash: &str, at: Timestamp) -> Result<()> {
    db.execute(
        "UPDATE console_sessions SET last_seen_at = $2 \
         WHERE token_hash = $1 AND last_seen_at < $2",
        &[token_hash.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Deletes a sign-in; true if there was one.
pub(crate) async fn delete(db: impl Db, token_hash: &str) -> Result<bool> {
    let deleted = db
        .execute(
            "DELETE FROM console_sessions WHERE token_hash = $1",
            &[token_hash.into()],
        )
        .await?;
    Ok(deleted > 0)
}

/// Deletes the sign-ins idle since before `idle_before` or begun before `begun_before`.
pub(crate) async fn sweep(
    db: impl Db,
    idle_before: Timestamp,
    begun_before: Timestamp,
) -> Result<u64> {
    db.execute(
        "DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2",
        &[idle_before.into(), begun_before.into()],
    )
    .await
}

/// The key's columns first (as [`ApiKeyRecord`] reads them), then the sign-in's.
impl FromSqlRow for ConsoleSignIn {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let key = ApiKeyRecord::from_row(row)?;
        Ok(Self {
            session: ConsoleSessionRecord {
                token_hash: row.text(7)?,
                key_id: key.id.clone(),
                created_at: row.timestamp(8)?,
                last_seen_at: row.timestamp(9)?,
            },
            key,
        })
    }
}
