//! Revocations of one session each, written together: one transaction for every revoke queued
//! meanwhile, its sessions revoked by one `UPDATE … FROM UNNEST` and its events recorded by
//! one insert (see `batched.rs`). Revoking a user's sessions (`revoke_all`) and the sweeps
//! stay transactions of their own.

use std::collections::HashMap;
use std::sync::Arc;

use hallpass_core::Result;
use hallpass_core::events::{Event, EventIds};
use hallpass_core::store::{RevokeContext, Revoked};
use sqlx::PgPool;

use super::batched::BatchedWrite;
use super::event_arrays::{bind_events, insert_events_from_arrays};
use crate::error::map_err;
use crate::queries::revocation::{self, revoke_session_events};
use crate::records::{RevokedFacts, revoked_returning};
use crate::sql::FromSqlRow as _;

/// A session to revoke, and why.
pub(crate) struct Revoke {
    pub(super) session_id: String,
    pub(super) context: RevokeContext,
    pub(super) event_ids: Arc<EventIds>,
}

impl BatchedWrite for Revoke {
    type Answer = Option<Revoked>;
    const KIND: &'static str = "revoke";

    /// Of two revokes of one session, the later finds it revoked, as it would one after the
    /// other.
    fn session(&self) -> Option<&str> {
        Some(&self.session_id)
    }

    async fn write_many(pool: &PgPool, writes: &[Self]) -> Result<Vec<Option<Revoked>>> {
        revoke_many(pool, writes).await
    }

    async fn write_one(pool: &PgPool, write: &Self) -> Result<Option<Revoked>> {
        revocation::revoke_session(pool, &write.event_ids, &write.session_id, &write.context).await
    }
}

/// Revokes each session that is active at its revoke's time, and records why, in one
/// transaction; answers in the revokes' order (`None` for a session that was not active).
async fn revoke_many(pool: &PgPool, revokes: &[Revoke]) -> Result<Vec<Option<Revoked>>> {
    // In session id order, so that two batches revoking some of the same sessions lock them
    // in the same order and never wait for each other in a cycle.
    let mut order: Vec<&Revoke> = revokes.iter().collect();
    order.sort_unstable_by(|a, b| a.session_id.cmp(&b.session_id));
    let ids: Vec<&str> = order.iter().map(|r| r.session_id.as_str()).collect();
    let ats: Vec<i64> = order
        .iter()
        .map(|r| r.context.audit.at.as_millis())
        .collect();
    let mut tx = pool.begin().await.map_err(map_err)?;
    let rows = sqlx::query(concat!(
        "UPDATE sessions SET revoked_at = r.revoke_at \
         FROM UNNEST($1::text[], $2::int8[]) AS r (revoke_id, revoke_at) \
         WHERE id = r.revoke_id AND revoked_at IS NULL AND refresh_expires_at > r.revoke_at",
        revoked_returning!()
    ))
    .bind(&ids)
    .bind(&ats)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err)?;
    let mut revoked: HashMap<String, RevokedFacts> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let row = RevokedFacts::from_row(row)?;
        revoked.insert(row.revoked.session_id.clone(), row);
    }
    let mut events: Vec<Event> = Vec::with_capacity(revoked.len());
    for r in &order {
        if let Some(row) = revoked.get(&r.session_id) {
            events.extend(revoke_session_events(&r.event_ids, &r.context, row));
        }
    }
    if !events.is_empty() {
        let events: Vec<&Event> = events.iter().collect();
        bind_events(sqlx::query(insert_events_from_arrays!()), &events)?
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(revokes
        .iter()
        .map(|r| revoked.remove(&r.session_id).map(|row| row.revoked))
        .collect())
}
