//! Revoking sessions, loading the live revocations and sweeping ended sessions.

use hallpass_core::events::{Audit, Event, EventIds, EventType, RevokeCause, SessionFacts};
use hallpass_core::store::{Each, IdentifierFilter, RevokeContext, Revoked};
use hallpass_core::{Result, Timestamp};
use sqlx::Pool;

use super::events;
use super::sessions::{active_of_identifier, identifier_args};
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{RevokedFacts, by_id, revoked_columns, revoked_returning};
use crate::sql::{Arg, Conn, Db, begin};

/// Revokes the session `$2` if it is active at `$1`, answering its facts.
pub(crate) const REVOKE_SESSION: &str = concat!(
    "UPDATE sessions SET revoked_at = $1 \
     WHERE id = $2 AND revoked_at IS NULL AND refresh_expires_at > $1",
    revoked_returning!()
);

/// The values of [`REVOKE_SESSION`].
pub(crate) fn revoke_session_args<'a>(id: &'a str, context: &RevokeContext) -> [Arg<'a>; 2] {
    [context.audit.at.into(), id.into()]
}

/// What a revocation of one session records: why it ended, and the reuse that ended it.
pub(crate) fn revoke_session_events(
    ids: &EventIds,
    context: &RevokeContext,
    row: &RevokedFacts,
) -> Vec<Event> {
    let mut events = vec![ids.revoked(&context.audit, row.facts.of(), context.cause)];
    if context.cause == RevokeCause::RefreshTokenReused {
        let presenter = context.presenter.clone().unwrap_or_default();
        let facts = SessionFacts {
            device: &presenter,
            ..row.facts.of()
        };
        events.push(ids.session(EventType::RefreshTokenReused, &context.audit, facts, &[]));
    }
    events
}

/// Revokes the session if it is active at the context's time, in one conditional UPDATE, and
/// records why in the same transaction.
pub(crate) async fn revoke_session<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    id: &str,
    context: &RevokeContext,
) -> Result<Option<Revoked>> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let row: Option<RevokedFacts> = tx
        .fetch_optional(REVOKE_SESSION, &revoke_session_args(id, context))
        .await?;
    let Some(row) = row else {
        tx.rollback().await.map_err(map_err)?;
        return Ok(None);
    };
    events::insert_all(&mut *tx, &revoke_session_events(ids, context, &row)).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(Some(row.revoked))
}

/// Revokes the identifier's active sessions except `exclude`, sorted by session id, and
/// records each (cause `revoke_all`) in the same transaction.
pub(crate) async fn revoke_all<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    f: &IdentifierFilter,
    exclude: Option<&str>,
    audit: &Audit,
) -> Result<Vec<Revoked>> {
    let [product, env, tag, identifier, now, idle] = identifier_args(f, audit.at);
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    // `id IS DISTINCT FROM NULL` holds for every row, so no exclusion needs no second
    // statement (SQLite has the operator since 3.39; sqlx bundles a later one).
    let rows: Vec<RevokedFacts> = tx
        .fetch_all(
            concat!(
                "UPDATE sessions SET revoked_at = $5 WHERE ",
                active_of_identifier!(),
                " AND id IS DISTINCT FROM $7",
                revoked_returning!()
            ),
            &[product, env, tag, identifier, now, idle, exclude.into()],
        )
        .await?;
    let revoked = record_revoked(&mut *tx, ids, audit, RevokeCause::RevokeAll, rows).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(revoked)
}

/// Records a `session.revoked` for each row a revocation returned, on the revoking
/// transaction's connection; answers the revocations by session id.
pub(crate) async fn record_revoked<C: Conn>(
    conn: &mut C,
    ids: &EventIds,
    audit: &Audit,
    cause: RevokeCause,
    rows: Vec<RevokedFacts>,
) -> Result<Vec<Revoked>> {
    let events: Vec<_> = rows
        .iter()
        .map(|row| ids.revoked(audit, row.facts.of(), cause))
        .collect();
    events::insert_all(conn, &events).await?;
    Ok(by_id(rows.into_iter().map(|row| row.revoked).collect()))
}

/// Hands `each` every revoked session whose last token is still valid at `now` (in no order:
/// an `ORDER BY id` makes SQLite walk the primary key instead of the partial index on revoked
/// sessions, a scan of the whole table).
pub(crate) async fn live(db: impl Db, now: Timestamp, each: Each<'_, Revoked>) -> Result<u64> {
    db.for_each(
        concat!(
            "SELECT ",
            revoked_columns!(),
            " FROM sessions WHERE revoked_at IS NOT NULL AND token_expires_at > $1"
        ),
        &[now.into()],
        each,
    )
    .await
}

/// Hands `each` every session revoked at or after `since` whose last token is still valid at
/// `now` (this runs every 500 ms, and must use `sessions_by_revoked_at`).
pub(crate) async fn since(
    db: impl Db,
    since: Timestamp,
    now: Timestamp,
    each: Each<'_, Revoked>,
) -> Result<u64> {
    db.for_each(
        concat!(
            "SELECT ",
            revoked_columns!(),
            " FROM sessions WHERE revoked_at >= $1 AND token_expires_at > $2"
        ),
        &[since.into(), now.into()],
        each,
    )
    .await
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
