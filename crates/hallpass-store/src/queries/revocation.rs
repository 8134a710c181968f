//! Revoking sessions, loading the live revocations and sweeping ended sessions.

use hallpass_core::store::{IdentifierFilter, Revoked};
use hallpass_core::{Result, Timestamp};

use super::sessions::{active_of_identifier, identifier_args};
use crate::records::by_id;
use crate::sql::Db;

/// Revokes the session if it is active at `now`, in one conditional UPDATE.
pub(crate) async fn revoke_session(
    db: impl Db,
    id: &str,
    now: Timestamp,
) -> Result<Option<Revoked>> {
    db.fetch_optional(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE id = $2 AND revoked_at IS NULL AND refresh_expires_at > $1 \
         RETURNING id, token_expires_at",
        &[now.into(), id.into()],
    )
    .await
}

/// Revokes the identifier's active sessions except `exclude`, sorted by session id.
pub(crate) async fn revoke_all(
    db: impl Db,
    f: &IdentifierFilter,
    exclude: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Revoked>> {
    let [product, env, tag, identifier, now, idle] = identifier_args(f, now);
    // `id IS DISTINCT FROM NULL` holds for every row, so no exclusion needs no second
    // statement (SQLite has the operator since 3.39; sqlx bundles a later one).
    let revoked = db
        .fetch_all(
            concat!(
                "UPDATE sessions SET revoked_at = $5 WHERE ",
                active_of_identifier!(),
                " AND id IS DISTINCT FROM $7 RETURNING id, token_expires_at"
            ),
            &[product, env, tag, identifier, now, idle, exclude.into()],
        )
        .await?;
    Ok(by_id(revoked))
}

/// Revoked sessions whose last token is still valid at `now`, sorted by session id.
pub(crate) async fn live(db: impl Db, now: Timestamp) -> Result<Vec<Revoked>> {
    let revoked = db
        .fetch_all(
            "SELECT id, token_expires_at FROM sessions \
             WHERE revoked_at IS NOT NULL AND token_expires_at > $1 ORDER BY id",
            &[now.into()],
        )
        .await?;
    Ok(by_id(revoked))
}

/// Sessions revoked at or after `since` whose last token is still valid at `now`, by id.
pub(crate) async fn since(db: impl Db, since: Timestamp, now: Timestamp) -> Result<Vec<Revoked>> {
    let revoked = db
        .fetch_all(
            "SELECT id, token_expires_at FROM sessions \
             WHERE revoked_at >= $1 AND token_expires_at > $2 ORDER BY id",
            &[since.into(), now.into()],
        )
        .await?;
    Ok(by_id(revoked))
}

/// Deletes up to `batch` sessions whose refresh lifetime ended before `cutoff`, oldest first;
/// their refresh hashes go with them (ON DELETE CASCADE).
pub(crate) async fn sweep(db: impl Db, cutoff: Timestamp, batch: u32) -> Result<u64> {
    db.execute(
        "DELETE FROM sessions WHERE id IN (\
         SELECT id FROM sessions WHERE refresh_expires_at < $1 ORDER BY refresh_expires_at LIMIT $2)",
        &[cutoff.into(), i64::from(batch).into()],
    )
    .await
}
