//! The session writes PostgreSQL does its own way: one statement each, with a CTE where a
//! session row and its refresh hashes are written together, and arrays where many rows are.

use hallpass_core::Result;
use hallpass_core::events::{Event, data_json};
use hallpass_core::model::SessionRecord;
use hallpass_core::store::{Activity, Rotation};
use sqlx::PgPool;

use crate::error::map_err;
use crate::queries::events::event_args;
use crate::queries::sessions::{rotation_args, session_args};
use crate::records::{amr_text, dispatched_value, event_insert_columns, session_columns};
use crate::sql::Arg;
use crate::sql::Db as _;

/// Inserts the session and registers its refresh hash (and its previous one, if it has one)
/// in one statement: one round trip, atomic without an explicit transaction.
pub(super) async fn insert(pool: &PgPool, s: &SessionRecord, event: &Event) -> Result<()> {
    let amr = amr_text(s.amr.as_deref());
    let data = data_json(event)?;
    let args: Vec<Arg<'_>> = session_args(s, amr.as_deref())
        .into_iter()
        .chain(event_args(event, &data))
        .collect();
    pool.execute(
        concat!(
            "WITH inserted AS (INSERT INTO sessions (",
            session_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22) RETURNING id), \
             hashes AS (INSERT INTO refresh_tokens (hash, session_id) \
             SELECT hash, inserted.id FROM inserted, unnest(ARRAY[$16, $17]) AS hash \
             WHERE hash IS NOT NULL) \
             INSERT INTO events (",
            event_insert_columns!(),
            ") SELECT $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, ",
            dispatched_value!("$26"),
            " FROM inserted"
        ),
        &args,
    )
    .await?;
    Ok(())
}

/// Applies the rotation if the current hash is still `expected_hash` and the session is not
/// revoked. The conditional UPDATE takes the row lock: a concurrent rotation (on any node)
/// waits for it, then re-checks `refresh_hash` against the committed row and matches nothing.
pub(super) async fn rotate_refresh(
    pool: &PgPool,
    id: &str,
    expected_hash: &str,
    r: &Rotation,
    event: &Event,
) -> Result<bool> {
    let data = data_json(event)?;
    let args: Vec<Arg<'_>> = rotation_args(id, expected_hash, r)
        .into_iter()
        .chain(event_args(event, &data))
        .collect();
    // One statement: the UPDATE, the registration of the new hash and the event commit
    // together, and the INSERTs insert nothing when the UPDATE matched nothing.
    let registered = pool
        .execute(
            concat!(
                "WITH rotated AS (UPDATE sessions SET previous_refresh_hash = refresh_hash, \
             refresh_hash = $1, token_issued_at = $2, \
             token_expires_at = GREATEST(token_expires_at, $3), last_active_at = $4, \
             rotated_at = $5, grace_answer = $6 \
             WHERE id = $7 AND refresh_hash = $8 AND revoked_at IS NULL AND data_version = $9 \
             RETURNING id), \
             registered AS (INSERT INTO refresh_tokens (hash, session_id) SELECT $1, id FROM rotated) \
             INSERT INTO events (",
            event_insert_columns!(),
            ") SELECT $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, ",
            dispatched_value!("$13"),
            " FROM rotated"
            ),
            &args,
        )
        .await?;
    Ok(registered == 1)
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
