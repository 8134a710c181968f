//! Refresh-token rotations, written together: one statement for every rotation queued
//! meanwhile, `UPDATE … FROM UNNEST` with the new hashes registered and the events recorded
//! in the same statement (see `batched.rs`).

use std::collections::HashSet;

use hallpass_core::Result;
use hallpass_core::Timestamp;
use hallpass_core::events::Event;
use hallpass_core::store::Rotation;
use sqlx::PgPool;

use super::batched::BatchedWrite;
use super::event_arrays::{bind_events, column, insert_events_from_arrays};
use super::sessions;
use crate::error::map_err;
use crate::sql::FromSqlRow as _;

/// A rotation of one session's refresh token, if its hash is still `expected_hash`.
pub(crate) struct Rotate {
    pub(super) session_id: String,
    pub(super) expected_hash: String,
    pub(super) rotation: Rotation,
    pub(super) event: Event,
}

impl BatchedWrite for Rotate {
    type Answer = bool;
    const KIND: &'static str = "rotation";

    /// Of two rotations of one session from the same token, the later finds the hash moved
    /// on, as it would one after the other.
    fn session(&self) -> Option<&str> {
        Some(&self.session_id)
    }

    async fn write_many(pool: &PgPool, writes: &[Self]) -> Result<Vec<bool>> {
        rotate_many(pool, writes).await
    }

    async fn write_one(pool: &PgPool, w: &Self) -> Result<bool> {
        sessions::rotate_refresh(pool, &w.session_id, &w.expected_hash, &w.rotation, &w.event).await
    }
}

/// Applies each rotation whose session still has its expected hash and data version and is
/// not revoked, registers the new hashes and records the events of those that applied, in one
/// statement; answers in the rotations' order whether each applied.
async fn rotate_many(pool: &PgPool, rotations: &[Rotate]) -> Result<Vec<bool>> {
    // In session id order, so that two batches rotating some of the same sessions lock them in
    // the same order and never wait for each other in a cycle.
    let mut order: Vec<&Rotate> = rotations.iter().collect();
    order.sort_unstable_by(|a, b| a.session_id.cmp(&b.session_id));
    let events: Vec<&Event> = order.iter().map(|r| &r.event).collect();
    let millis = Timestamp::as_millis;
    let query = sqlx::query(concat!(
        "WITH rotated AS (UPDATE sessions SET previous_refresh_hash = refresh_hash, \
         refresh_hash = r.new_hash, token_issued_at = r.issued, \
         token_expires_at = GREATEST(token_expires_at, r.expires), last_active_at = r.done_at, \
         rotated_at = r.done_at, grace_answer = r.grace \
         FROM UNNEST($11::text[], $12::text[], $13::text[], $14::int8[], $15::int8[], \
         $16::int8[], $17::bytea[], $18::int8[]) \
         AS r (rotate_id, expected, new_hash, issued, expires, done_at, grace, version) \
         WHERE id = r.rotate_id AND refresh_hash = r.expected AND revoked_at IS NULL \
         AND data_version = r.version RETURNING id, refresh_hash), \
         registered AS (INSERT INTO refresh_tokens (hash, session_id) \
         SELECT refresh_hash, id FROM rotated), \
         recorded AS (",
        insert_events_from_arrays!(),
        " WHERE e.session_id IN (SELECT id FROM rotated)) \
         SELECT id FROM rotated"
    ));
    let rows = bind_events(query, &events)?
        .bind(column(&order, |r| r.session_id.clone()))
        .bind(column(&order, |r| r.expected_hash.clone()))
        .bind(column(&order, |r| r.rotation.new_hash.clone()))
        .bind(column(&order, |r| millis(r.rotation.token_issued_at)))
        .bind(column(&order, |r| millis(r.rotation.token_expires_at)))
        .bind(column(&order, |r| millis(r.rotation.rotated_at)))
        .bind(column(&order, |r| r.rotation.grace_answer.clone()))
        .bind(column(&order, |r| r.rotation.data_version))
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let applied = rows
        .iter()
        .map(String::from_row)
        .collect::<Result<HashSet<String>>>()?;
    Ok(rotations
        .iter()
        .map(|r| applied.contains(&r.session_id))
        .collect())
}
