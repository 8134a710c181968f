//! Revoking sessions, loading the live revocations and sweeping ended sessions.

use hallpass_core::store::{IdentifierFilter, Revoked};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;

use crate::error::map_err;
use crate::rows::{RevokedRow, revoked_by_id};

/// Revokes the session if it is active at `now`, in one conditional UPDATE.
pub(super) async fn revoke_session(
    pool: &PgPool,
    id: &str,
    now: Timestamp,
) -> Result<Option<Revoked>> {
    let row = sqlx::query_as::<_, RevokedRow>(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE id = $2 AND revoked_at IS NULL AND refresh_expires_at > $3 \
         RETURNING id, token_expires_at",
    )
    .bind(now.as_millis())
    .bind(id)
    .bind(now.as_millis())
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    Ok(row.map(Revoked::from))
}

/// Revokes the identifier's active sessions except `exclude`, sorted by session id.
pub(super) async fn revoke_all(
    pool: &PgPool,
    f: &IdentifierFilter,
    exclude: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Revoked>> {
    // `id IS DISTINCT FROM NULL` holds for every row: no exclusion needs no second statement.
    let rows = sqlx::query_as::<_, RevokedRow>(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE product = $2 AND env = $3 AND tag = $4 AND identifier = $5 \
         AND revoked_at IS NULL AND refresh_expires_at > $6 AND id IS DISTINCT FROM $7 \
         RETURNING id, token_expires_at",
    )
    .bind(now.as_millis())
    .bind(f.product.as_str())
    .bind(f.env.as_str())
    .bind(f.tag.as_str())
    .bind(f.identifier.as_str())
    .bind(now.as_millis())
    .bind(exclude)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    Ok(revoked_by_id(rows))
}

/// Revoked sessions whose last token is still valid at `now`, sorted by session id.
pub(super) async fn live(pool: &PgPool, now: Timestamp) -> Result<Vec<Revoked>> {
    let rows = sqlx::query_as::<_, RevokedRow>(
        "SELECT id, token_expires_at FROM sessions \
         WHERE revoked_at IS NOT NULL AND token_expires_at > $1 ORDER BY id",
    )
    .bind(now.as_millis())
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    Ok(revoked_by_id(rows))
}

/// Sessions revoked at or after `since` whose last token is still valid at `now`, by id.
pub(super) async fn since(pool: &PgPool, since: Timestamp, now: Timestamp) -> Result<Vec<Revoked>> {
    let rows = sqlx::query_as::<_, RevokedRow>(
        "SELECT id, token_expires_at FROM sessions \
         WHERE revoked_at >= $1 AND token_expires_at > $2 ORDER BY id",
    )
    .bind(since.as_millis())
    .bind(now.as_millis())
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    Ok(revoked_by_id(rows))
}

/// Deletes up to `batch` sessions whose refresh lifetime ended before `cutoff`, oldest first;
/// their refresh hashes go with them (ON DELETE CASCADE).
pub(super) async fn sweep(pool: &PgPool, cutoff: Timestamp, batch: u32) -> Result<u64> {
    let result = sqlx::query(
        "DELETE FROM sessions WHERE id IN (\
         SELECT id FROM sessions WHERE refresh_expires_at < $1 ORDER BY refresh_expires_at LIMIT $2)",
    )
    .bind(cutoff.as_millis())
    .bind(i64::from(batch))
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(result.rows_affected())
}
