//! Session types, and their deletion with the revocation of their sessions.

use hallpass_core::events::{Audit, Event, EventIds, EventType, RevokeCause};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{DeleteTypeOutcome, Revoked};
use hallpass_core::{Result, Timestamp};
use serde_json::json;
use sqlx::Pool;

use super::events;
use super::revocation::record_revoked;
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{config_json, count, revoked_returning, session_type_columns};
use crate::sql::{Conn, Db, begin};

/// Inserts a session type; `None` (nothing written) if the tag exists in the product.
/// Sessions of the tag that are still active are revoked in the same transaction: they can
/// only be left from an earlier type of that tag (a start that raced its deletion), and a
/// reused tag must never revive them.
pub(crate) async fn insert<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    record: &SessionTypeRecord,
    audit: &Audit,
) -> Result<Option<Vec<Revoked>>> {
    let config = config_json(record)?;
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let inserted = tx
        .execute(
            concat!(
                "INSERT INTO session_types (",
                session_type_columns!(),
                ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (product, tag) DO NOTHING"
            ),
            &[
                record.product.as_str().into(),
                record.tag.as_str().into(),
                config.as_str().into(),
                record.created_at.into(),
                record.updated_at.into(),
            ],
        )
        .await?;
    if inserted == 0 {
        tx.rollback().await.map_err(map_err)?;
        return Ok(None);
    }
    let left_over = revoke_active(&mut *tx, ids, &record.product, &record.tag, audit).await?;
    events::insert_all(
        &mut *tx,
        &[type_event(
            ids,
            EventType::SessionTypeCreated,
            record,
            audit,
        )],
    )
    .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(Some(left_over))
}

/// Revokes every active session of the type at the audit's time (in every env), and records
/// each (cause `type_deleted`).
async fn revoke_active<C: Conn>(
    conn: &mut C,
    ids: &EventIds,
    product: &str,
    tag: &str,
    audit: &Audit,
) -> Result<Vec<Revoked>> {
    let rows = (&mut *conn)
        .fetch_all(
            concat!(
                "UPDATE sessions SET revoked_at = $1 \
                 WHERE product = $2 AND tag = $3 AND revoked_at IS NULL AND refresh_expires_at > $1",
                revoked_returning!()
            ),
            &[audit.at.into(), product.into(), tag.into()],
        )
        .await?;
    record_revoked(conn, ids, audit, RevokeCause::TypeDeleted, rows).await
}

/// A `session_type.*` event about `record`.
fn type_event(ids: &EventIds, kind: EventType, r: &SessionTypeRecord, audit: &Audit) -> Event {
    ids.config(kind, audit, Some(&r.product), None, json!({"tag": r.tag}))
}

/// The session type with this tag in the product.
pub(crate) async fn get(
    db: impl Db,
    product: &str,
    tag: &str,
) -> Result<Option<SessionTypeRecord>> {
    db.fetch_optional(
        concat!(
            "SELECT ",
            session_type_columns!(),
            " FROM session_types WHERE product = $1 AND tag = $2"
        ),
        &[product.into(), tag.into()],
    )
    .await
}

/// Every session type of the product, by tag.
pub(crate) async fn list(db: impl Db, product: &str) -> Result<Vec<SessionTypeRecord>> {
    db.fetch_all(
        concat!(
            "SELECT ",
            session_type_columns!(),
            " FROM session_types WHERE product = $1 ORDER BY tag"
        ),
        &[product.into()],
    )
    .await
}

/// Replaces configuration and `updated_at` if the stored `updated_at` is still `previous`;
/// false if the type does not exist or changed since.
pub(crate) async fn update<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    record: &SessionTypeRecord,
    previous: Timestamp,
    audit: &Audit,
) -> Result<bool> {
    let config = config_json(record)?;
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let updated = tx
        .execute(
            "UPDATE session_types SET config = $1, updated_at = $2 \
             WHERE product = $3 AND tag = $4 AND updated_at = $5",
            &[
                config.as_str().into(),
                record.updated_at.into(),
                record.product.as_str().into(),
                record.tag.as_str().into(),
                previous.into(),
            ],
        )
        .await?;
    if updated != 1 {
        tx.rollback().await.map_err(map_err)?;
        return Ok(false);
    }
    events::insert_all(
        &mut *tx,
        &[type_event(
            ids,
            EventType::SessionTypeUpdated,
            record,
            audit,
        )],
    )
    .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(true)
}

/// Deletes a session type in one write transaction, refusing while it has active sessions
/// unless `force`, which revokes them (in every env) first. The dialect's select of the type
/// locks it where rows are locked, so concurrent deletions (on any node) run one at a time.
pub(crate) async fn delete<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    product: &str,
    tag: &str,
    force: bool,
    audit: &Audit,
) -> Result<DeleteTypeOutcome> {
    let now = audit.at;
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let exists: Option<i64> = tx
        .fetch_optional(D::SESSION_TYPE_FOR_DELETE, &[product.into(), tag.into()])
        .await?;
    if exists.is_none() {
        tx.rollback().await.map_err(map_err)?;
        return Ok(DeleteTypeOutcome::NotFound);
    }
    let active: i64 = tx
        .fetch_one(
            "SELECT COUNT(*) FROM sessions \
             WHERE product = $1 AND tag = $2 AND revoked_at IS NULL AND refresh_expires_at > $3",
            &[product.into(), tag.into(), now.into()],
        )
        .await?;
    if active > 0 && !force {
        tx.rollback().await.map_err(map_err)?;
        return Ok(DeleteTypeOutcome::HasActiveSessions(count(active)));
    }
    let revoked = revoke_active(&mut *tx, ids, product, tag, audit).await?;
    tx.execute(
        "DELETE FROM session_types WHERE product = $1 AND tag = $2",
        &[product.into(), tag.into()],
    )
    .await?;
    let deleted = ids.config(
        EventType::SessionTypeDeleted,
        audit,
        Some(product),
        None,
        json!({"tag": tag, "revokedSessions": revoked.len()}),
    );
    events::insert_all(&mut *tx, &[deleted]).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(DeleteTypeOutcome::Deleted(revoked))
}
