//! Session types, and their deletion with the revocation of their sessions.

use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{DeleteTypeOutcome, Revoked};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;

use crate::error::map_err;
use crate::rows::count;
use crate::rows::{
    RevokedRow, SessionTypeRow, config_json, convert_all, revoked_by_id, session_type_columns,
};

/// Inserts a session type; `None` (nothing written) if the tag exists in the product.
/// Sessions of the tag that are still active are revoked in the same transaction: they can
/// only be left from an earlier type of that tag (a start that raced its deletion), and a
/// reused tag must never revive them.
pub(super) async fn insert(
    pool: &PgPool,
    record: &SessionTypeRecord,
) -> Result<Option<Vec<Revoked>>> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let inserted = sqlx::query(concat!(
        "INSERT INTO session_types (",
        session_type_columns!(),
        ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (product, tag) DO NOTHING"
    ))
    .bind(record.product.as_str())
    .bind(record.tag.as_str())
    .bind(config_json(record)?)
    .bind(record.created_at.as_millis())
    .bind(record.updated_at.as_millis())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if inserted.rows_affected() == 0 {
        tx.rollback().await.map_err(map_err)?;
        return Ok(None);
    }
    let left_over = revoke_active(&mut tx, &record.product, &record.tag, record.created_at).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(Some(left_over))
}

/// Revokes every active session of the type at `now` (in every env).
async fn revoke_active(
    conn: &mut sqlx::PgConnection,
    product: &str,
    tag: &str,
    now: Timestamp,
) -> Result<Vec<Revoked>> {
    let rows = sqlx::query_as::<_, RevokedRow>(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE product = $2 AND tag = $3 AND revoked_at IS NULL AND refresh_expires_at > $1 \
         RETURNING id, token_expires_at",
    )
    .bind(now.as_millis())
    .bind(product)
    .bind(tag)
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    Ok(revoked_by_id(rows))
}

/// The session type with this tag in the product.
pub(super) async fn get(
    pool: &PgPool,
    product: &str,
    tag: &str,
) -> Result<Option<SessionTypeRecord>> {
    sqlx::query_as::<_, SessionTypeRow>(concat!(
        "SELECT ",
        session_type_columns!(),
        " FROM session_types WHERE product = $1 AND tag = $2"
    ))
    .bind(product)
    .bind(tag)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    .map(SessionTypeRecord::try_from)
    .transpose()
}

/// Every session type of the product, by tag.
pub(super) async fn list(pool: &PgPool, product: &str) -> Result<Vec<SessionTypeRecord>> {
    let rows = sqlx::query_as::<_, SessionTypeRow>(concat!(
        "SELECT ",
        session_type_columns!(),
        " FROM session_types WHERE product = $1 ORDER BY tag"
    ))
    .bind(product)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    convert_all(rows)
}

/// Replaces configuration and `updated_at`; false if the type does not exist.
pub(super) async fn update(
    pool: &PgPool,
    record: &SessionTypeRecord,
    previous: Timestamp,
) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE session_types SET config = $1, updated_at = $2 WHERE product = $3 AND tag = $4 AND updated_at = $5",
    )
    .bind(config_json(record)?)
    .bind(record.updated_at.as_millis())
    .bind(record.product.as_str())
    .bind(record.tag.as_str())
    .bind(previous.as_millis())
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(result.rows_affected() == 1)
}

/// Deletes a session type in one write transaction, refusing while it has active sessions
/// unless `force`, which revokes them (in every env) first.
pub(super) async fn delete(
    pool: &PgPool,
    product: &str,
    tag: &str,
    force: bool,
    now: Timestamp,
) -> Result<DeleteTypeOutcome> {
    // The type's row stays locked until commit, so concurrent deletions (on any node) of one
    // type run one at a time.
    let mut tx = pool.begin().await.map_err(map_err)?;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT 1::BIGINT FROM session_types WHERE product = $1 AND tag = $2 FOR UPDATE",
    )
    .bind(product)
    .bind(tag)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?;
    if exists.is_none() {
        tx.rollback().await.map_err(map_err)?;
        return Ok(DeleteTypeOutcome::NotFound);
    }
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions \
         WHERE product = $1 AND tag = $2 AND revoked_at IS NULL AND refresh_expires_at > $3",
    )
    .bind(product)
    .bind(tag)
    .bind(now.as_millis())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    if active > 0 && !force {
        tx.rollback().await.map_err(map_err)?;
        return Ok(DeleteTypeOutcome::HasActiveSessions(count(active)));
    }
    let revoked = revoke_active(&mut tx, product, tag, now).await?;
    sqlx::query("DELETE FROM session_types WHERE product = $1 AND tag = $2")
        .bind(product)
        .bind(tag)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(DeleteTypeOutcome::Deleted(revoked))
}
