//! The session writes SQLite does its own way: insertion, rotation and the lookup by refresh
//! hash that precedes a rotation run in the group commit (rusqlite, on the writer's
//! connection), and activity is written row by row in one transaction.

use hallpass_core::Result;
use hallpass_core::events::{Event, EventIds, data_json};
use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, RevokeContext, Revoked, Rotation};
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, params_from_iter};
use sqlx::SqlitePool;

use super::group_commit::map_sql_err;
use crate::error::map_err;
use crate::queries::events::{self, event_args};
use crate::queries::revocation::{REVOKE_SESSION, revoke_session_args, revoke_session_events};
use crate::queries::sessions::{BY_REFRESH_HASH, rotation_args, session_args};
use crate::records::{RevokedFacts, amr_text, session_columns};
use crate::sql::{Arg, FromSqlRow as _, SqlRow};

/// Inserts the session and registers its refresh hash (and its previous one, if it has one),
/// and records `event`. Runs inside a group-commit transaction.
pub(super) fn insert(db: &Connection, s: &SessionRecord, event: &Event) -> Result<()> {
    db.prepare_cached(concat!(
        "INSERT INTO sessions (",
        session_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .and_then(|mut insert| {
        let amr = amr_text(s.amr.as_deref());
        insert.execute(params_from_iter(session_args(s, amr.as_deref())))
    })
    .map_err(map_sql_err)?;
    register_hash(db, &s.refresh_hash, &s.id)?;
    if let Some(previous) = &s.previous_refresh_hash {
        register_hash(db, previous, &s.id)?;
    }
    record(db, event)
}

/// Records an event, in the group commit's transaction.
fn record(db: &Connection, event: &Event) -> Result<()> {
    let data = data_json(event)?;
    db.prepare_cached(events::INSERT)
        .and_then(|mut insert| insert.execute(params_from_iter(event_args(event, &data))))
        .map_err(map_sql_err)?;
    Ok(())
}

/// Records that a refresh token with this hash was issued to the session.
fn register_hash(db: &Connection, hash: &str, session_id: &str) -> Result<()> {
    db.prepare_cached("INSERT INTO refresh_tokens (hash, session_id) VALUES (?, ?)")
        .and_then(|mut insert| insert.execute([hash, session_id]))
        .map_err(map_sql_err)?;
    Ok(())
}

/// The session any refresh token with this hash (current or older) was issued to. Read in the
/// group commit, on the writer's connection: a refresh then costs no round trip to a pool
/// connection's thread, and reads the rotation it races with as committed.
pub(super) fn by_refresh_hash(db: &Connection, hash: &str) -> Result<Option<SessionRecord>> {
    let mut select = db.prepare_cached(BY_REFRESH_HASH).map_err(map_sql_err)?;
    let mut rows = select.query([hash]).map_err(map_sql_err)?;
    match rows.next().map_err(map_sql_err)? {
        Some(row) => SessionRecord::from_row(&Row(row)).map(Some),
        None => Ok(None),
    }
}

/// Applies the rotation if the current hash is still `expected_hash` and the session is not
/// revoked. Runs inside a group-commit transaction, which holds the write lock, so two
/// rotations never both see the old hash.
pub(super) fn rotate_refresh(
    db: &Connection,
    id: &str,
    expected_hash: &str,
    r: &Rotation,
    event: &Event,
) -> Result<bool> {
    let applied = db
        .prepare_cached(
            "UPDATE sessions SET previous_refresh_hash = refresh_hash, refresh_hash = ?, \
             token_issued_at = ?, token_expires_at = MAX(token_expires_at, ?), last_active_at = ?, \
             rotated_at = ?, grace_answer = ? \
             WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL AND data_version = ?",
        )
        .and_then(|mut update| {
            update.execute(params_from_iter(rotation_args(id, expected_hash, r)))
        })
        .map_err(map_sql_err)?
        == 1;
    if applied {
        register_hash(db, &r.new_hash, id)?;
        record(db, event)?;
    }
    Ok(applied)
}

/// Revokes the session if it is active at the context's time and records why. Runs inside a
/// group-commit transaction.
pub(super) fn revoke(
    db: &Connection,
    ids: &EventIds,
    id: &str,
    context: &RevokeContext,
) -> Result<Option<Revoked>> {
    let mut update = db.prepare_cached(REVOKE_SESSION).map_err(map_sql_err)?;
    let mut rows = update
        .query(params_from_iter(revoke_session_args(id, context)))
        .map_err(map_sql_err)?;
    let Some(row) = rows.next().map_err(map_sql_err)? else {
        return Ok(None);
    };
    let row = RevokedFacts::from_row(&Row(row))?;
    drop(rows);
    for event in revoke_session_events(ids, context, &row) {
        record(db, &event)?;
    }
    Ok(Some(row.revoked))
}

/// Moves each session's last activity forward and replaces its device where one is given, in
/// one transaction.
pub(super) async fn record_activity(pool: &SqlitePool, activity: &[Activity]) -> Result<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    for a in activity {
        let device = a.device.as_ref();
        sqlx::query(
            "UPDATE sessions SET last_active_at = MAX(last_active_at, ?), \
             device_ip = CASE WHEN ? THEN ? ELSE device_ip END, \
             device_user_agent = CASE WHEN ? THEN ? ELSE device_user_agent END WHERE id = ?",
        )
        .bind(a.at.as_millis())
        .bind(device.is_some())
        .bind(device.and_then(|d| d.ip.as_deref()))
        .bind(device.is_some())
        .bind(device.and_then(|d| d.user_agent.as_deref()))
        .bind(&a.session_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

/// The shared queries' values, bound by rusqlite.
impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Arg::Text(value) => value.to_sql(),
            Arg::Int(value) => value.to_sql(),
            Arg::Bytes(value) => value.to_sql(),
        }
    }
}

/// A row of the group commit's reads, read as sqlx rows are.
struct Row<'r, 's>(&'r rusqlite::Row<'s>);

impl SqlRow for Row<'_, '_> {
    fn opt_text(&self, column: usize) -> Result<Option<String>> {
        self.0.get(column).map_err(map_sql_err)
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>> {
        self.0.get(column).map_err(map_sql_err)
    }

    fn opt_bytes(&self, column: usize) -> Result<Option<Vec<u8>>> {
        self.0.get(column).map_err(map_sql_err)
    }
}
