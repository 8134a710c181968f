//! Sessions: insertion, lookup by id or by any refresh hash, rotation and listing.

use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, IdentifierFilter, Rotation, SessionPage};
use hallpass_core::{Result, Timestamp};
use sqlx::PgPool;

use crate::error::map_err;
use crate::rows::count;
use crate::rows::{SessionRow, session_columns, session_page};

/// Inserts the session and registers its refresh hash (and its previous one, if it has one)
/// in one statement: one round trip, atomic without an explicit transaction.
pub(super) async fn insert(pool: &PgPool, s: &SessionRecord) -> Result<()> {
    sqlx::query(concat!(
        "WITH inserted AS (INSERT INTO sessions (",
        session_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19) RETURNING id) \
         INSERT INTO refresh_tokens (hash, session_id) \
         SELECT hash, inserted.id FROM inserted, unnest(ARRAY[$16, $17]) AS hash \
         WHERE hash IS NOT NULL"
    ))
    .bind(s.id.as_str())
    .bind(s.product.as_str())
    .bind(s.env.as_str())
    .bind(s.tag.as_str())
    .bind(s.identifier.as_deref())
    .bind(s.data_jwe.as_str())
    .bind(s.created_at.as_millis())
    .bind(s.token_lifetime_secs)
    .bind(s.token_issued_at.as_millis())
    .bind(s.token_expires_at.as_millis())
    .bind(s.refresh_expires_at.as_millis())
    .bind(s.last_active_at.as_millis())
    .bind(s.device.ip.as_deref())
    .bind(s.device.user_agent.as_deref())
    .bind(s.revoked_at.map(Timestamp::as_millis))
    .bind(s.refresh_hash.as_str())
    .bind(s.previous_refresh_hash.as_deref())
    .bind(s.rotated_at.map(Timestamp::as_millis))
    .bind(s.grace_answer.as_deref())
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// The session with this id.
pub(super) async fn get(pool: &PgPool, id: &str) -> Result<Option<SessionRecord>> {
    let row = sqlx::query_as::<_, SessionRow>(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    Ok(row.map(SessionRecord::from))
}

/// The session any refresh token with this hash (current or older) was issued to.
pub(super) async fn by_refresh_hash(pool: &PgPool, hash: &str) -> Result<Option<SessionRecord>> {
    let row = sqlx::query_as::<_, SessionRow>(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = $1)"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    Ok(row.map(SessionRecord::from))
}

/// Applies the rotation if the current hash is still `expected_hash` and the session is not
/// revoked. The conditional UPDATE takes the row lock: a concurrent rotation (on any node)
/// waits for it, then re-checks `refresh_hash` against the committed row and matches nothing.
pub(super) async fn rotate_refresh(
    pool: &PgPool,
    id: &str,
    expected_hash: &str,
    r: &Rotation,
) -> Result<bool> {
    // One statement: the UPDATE and the registration of the new hash commit together, and the
    // INSERT inserts nothing when the UPDATE matched nothing.
    let registered = sqlx::query(
        "WITH rotated AS (UPDATE sessions SET previous_refresh_hash = refresh_hash, \
         refresh_hash = $1, token_issued_at = $2, \
         token_expires_at = GREATEST(token_expires_at, $3), last_active_at = $4, \
         rotated_at = $5, grace_answer = $6 \
         WHERE id = $7 AND refresh_hash = $8 AND revoked_at IS NULL RETURNING id) \
         INSERT INTO refresh_tokens (hash, session_id) SELECT $1, id FROM rotated",
    )
    .bind(r.new_hash.as_str())
    .bind(r.token_issued_at.as_millis())
    .bind(r.token_expires_at.as_millis())
    .bind(r.rotated_at.as_millis())
    .bind(r.rotated_at.as_millis())
    .bind(r.grace_answer.as_slice())
    .bind(id)
    .bind(expected_hash)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(registered.rows_affected() == 1)
}

/// Moves each session's last activity forward and replaces its device where one is given, in
/// one statement over arrays.
pub(super) async fn record_activity(pool: &PgPool, activity: &[Activity]) -> Result<()> {
    let ids: Vec<&str> = activity.iter().map(|a| a.session_id.as_str()).collect();
    let ats: Vec<i64> = activity.iter().map(|a| a.at.as_millis()).collect();
    let has_device: Vec<bool> = activity.iter().map(|a| a.device.is_some()).collect();
    let ips: Vec<Option<&str>> = activity
        .iter()
        .map(|a| a.device.as_ref().and_then(|d| d.ip.as_deref()))
        .collect();
    let agents: Vec<Option<&str>> = activity
        .iter()
        .map(|a| a.device.as_ref().and_then(|d| d.user_agent.as_deref()))
        .collect();
    // Rows are locked in id order and rows locked by others skipped, so a flush never
    // deadlocks with a revocation or another node's flush (activity is advisory).
    sqlx::query(
        "WITH locked AS (SELECT id FROM sessions WHERE id = ANY($1) ORDER BY id \
         FOR UPDATE SKIP LOCKED) \
         UPDATE sessions s SET last_active_at = GREATEST(s.last_active_at, a.at), \
         device_ip = CASE WHEN a.has_device THEN a.ip ELSE s.device_ip END, \
         device_user_agent = CASE WHEN a.has_device THEN a.agent ELSE s.device_user_agent END \
         FROM UNNEST($1::text[], $2::int8[], $3::bool[], $4::text[], $5::text[]) \
         AS a(id, at, has_device, ip, agent) WHERE s.id = a.id AND s.id IN (SELECT id FROM locked)",
    )
    .bind(&ids)
    .bind(&ats)
    .bind(&has_device)
    .bind(&ips)
    .bind(&agents)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// One page of the identifier's active sessions, newest (highest id) first, and their count,
/// read from one snapshot (REPEATABLE READ: both statements see the same committed state). A first page that holds every session is its own count, and then one
/// statement is the whole list.
pub(super) async fn list(
    pool: &PgPool,
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
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(map_err)?;
    let rows = page(&mut *tx, f, before, limit, now).await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE product = $1 AND env = $2 AND tag = $3 AND identifier = $4 \
         AND revoked_at IS NULL AND refresh_expires_at > $5",
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
    conn: impl sqlx::PgExecutor<'_>,
    f: &IdentifierFilter,
    before: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<SessionRow>> {
    const FILTER: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE product = $1 AND env = $2 AND tag = $3 AND identifier = $4 \
         AND revoked_at IS NULL AND refresh_expires_at > $5"
    );
    const ORDER: &str = " ORDER BY id DESC LIMIT $6";
    let sql = if before.is_some() {
        format!("{FILTER} AND id < $7{ORDER}")
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
