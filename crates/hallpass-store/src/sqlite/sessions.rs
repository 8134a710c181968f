//! Sessions: insertion, lookup by id or by any refresh hash, rotation and listing. Insertion
//! and rotation, and the lookup by refresh hash that precedes a rotation, run in the group
//! commit (rusqlite); the rest through sqlx.

use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, IdentifierFilter, Rotation, SessionPage};
use hallpass_core::{Result, Timestamp};
use rusqlite::{Connection, OptionalExtension as _};
use sqlx::SqlitePool;

use super::group_commit::map_sql_err;
use crate::error::map_err;
use crate::rows::count;
use crate::rows::{SessionRow, session_columns, session_page};

/// Inserts the session and registers its refresh hash (and its previous one, if it has one).
/// Runs inside a group-commit transaction.
pub(super) fn insert(db: &Connection, s: &SessionRecord) -> Result<()> {
    db.prepare_cached(concat!(
        "INSERT INTO sessions (",
        session_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .and_then(|mut insert| {
        insert.execute(rusqlite::params![
            s.id,
            s.product,
            s.env,
            s.tag,
            s.identifier,
            s.data_jwe,
            s.created_at.as_millis(),
            s.token_lifetime_secs,
            s.token_issued_at.as_millis(),
            s.token_expires_at.as_millis(),
            s.refresh_expires_at.as_millis(),
            s.last_active_at.as_millis(),
            s.device.ip,
            s.device.user_agent,
            s.revoked_at.map(Timestamp::as_millis),
            s.refresh_hash,
            s.previous_refresh_hash,
            s.rotated_at.map(Timestamp::as_millis),
            s.grace_answer,
        ])
    })
    .map_err(map_sql_err)?;
    register_hash(db, &s.refresh_hash, &s.id)?;
    if let Some(previous) = &s.previous_refresh_hash {
        register_hash(db, previous, &s.id)?;
    }
    Ok(())
}

/// Records that a refresh token with this hash was issued to the session.
fn register_hash(db: &Connection, hash: &str, session_id: &str) -> Result<()> {
    db.prepare_cached("INSERT INTO refresh_tokens (hash, session_id) VALUES (?, ?)")
        .and_then(|mut insert| insert.execute([hash, session_id]))
        .map_err(map_sql_err)?;
    Ok(())
}

/// The session with this id.
pub(super) async fn get(pool: &SqlitePool, id: &str) -> Result<Option<SessionRecord>> {
    let row = sqlx::query_as::<_, SessionRow>(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    Ok(row.map(SessionRecord::from))
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

/// The session any refresh token with this hash (current or older) was issued to. Read in the
/// group commit, on the writer's connection: a refresh then costs no round trip to a pool
/// connection's thread, and reads the rotation it races with as committed.
pub(super) fn by_refresh_hash(db: &Connection, hash: &str) -> Result<Option<SessionRecord>> {
    db.prepare_cached(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = ?)"
    ))
    .and_then(|mut select| {
        select
            .query_row([hash], |row| SessionRow::try_from(row))
            .optional()
    })
    .map(|row| row.map(SessionRecord::from))
    .map_err(map_sql_err)
}

/// Applies the rotation if the current hash is still `expected_hash` and the session is not
/// revoked. Runs inside a group-commit transaction, which holds the write lock, so two
/// rotations never both see the old hash.
pub(super) fn rotate_refresh(
    db: &Connection,
    id: &str,
    expected_hash: &str,
    r: &Rotation,
) -> Result<bool> {
    let applied = db
        .prepare_cached(
            "UPDATE sessions SET previous_refresh_hash = refresh_hash, refresh_hash = ?, \
             token_issued_at = ?, token_expires_at = MAX(token_expires_at, ?), last_active_at = ?, \
             rotated_at = ?, \
             grace_answer = ? \
             WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL",
        )
        .and_then(|mut update| {
            update.execute(rusqlite::params![
                r.new_hash,
                r.token_issued_at.as_millis(),
                r.token_expires_at.as_millis(),
                r.rotated_at.as_millis(),
                r.rotated_at.as_millis(),
                r.grace_answer,
                id,
                expected_hash,
            ])
        })
        .map_err(map_sql_err)?
        == 1;
    if applied {
        register_hash(db, &r.new_hash, id)?;
    }
    Ok(applied)
}

/// One page of the identifier's active sessions, newest (highest id) first, and their count,
/// read from one snapshot (one read transaction). A first page that holds every session is its own count, and then one
/// statement is the whole list.
pub(super) async fn list(
    pool: &SqlitePool,
    f: &IdentifierFilter,
    before: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<SessionPage> {
    if before.is_none() {
        let rows = page(pool, f, None, limit, now).await?;
        if rows.len() <= limit as usize {
            let total = rows.len() as u64;
            return Ok(session_page(rows, total, limit));
        }
    }
    let mut tx = pool.begin().await.map_err(map_err)?;
    let rows = page(&mut *tx, f, before, limit, now).await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE product = ? AND env = ? AND tag = ? AND identifier = ? \
         AND revoked_at IS NULL AND refresh_expires_at > ?",
    )
    .bind(f.product.as_str())
    .bind(f.env.as_str())
    .bind(f.tag.as_str())
    .bind(f.identifier.as_str())
    .bind(now.as_millis())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(session_page(rows, count(total), limit))
}

/// Up to `limit + 1` active sessions older than `before` (all when `None`), newest first: the
/// extra one tells whether more exist.
async fn page(
    conn: impl sqlx::SqliteExecutor<'_>,
    f: &IdentifierFilter,
    before: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<SessionRow>> {
    const FILTER: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE product = ?1 AND env = ?2 AND tag = ?3 AND identifier = ?4 \
         AND revoked_at IS NULL AND refresh_expires_at > ?5"
    );
    const ORDER: &str = " ORDER BY id DESC LIMIT ?6";
    let sql = if before.is_some() {
        format!("{FILTER} AND id < ?7{ORDER}")
    } else {
        format!("{FILTER}{ORDER}")
    };
    let query = sqlx::query_as::<_, SessionRow>(&sql)
        .bind(f.product.as_str())
        .bind(f.env.as_str())
        .bind(f.tag.as_str())
        .bind(f.identifier.as_str())
        .bind(now.as_millis())
        .bind(i64::from(limit) + 1);
    match before {
        Some(before) => query.bind(before).fetch_all(conn).await,
        None => query.fetch_all(conn).await,
    }
    .map_err(map_err)
}
