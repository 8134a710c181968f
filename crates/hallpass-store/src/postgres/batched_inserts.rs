//! Starts written together: every session insert (its refresh hashes and its event with it)
//! queued meanwhile in one `INSERT … SELECT FROM UNNEST(arrays)` (see `batched.rs`).

use hallpass_core::Result;
use hallpass_core::Timestamp;
use hallpass_core::events::Event;
use hallpass_core::model::SessionRecord;
use sqlx::PgPool;

use super::batched::BatchedWrite;
use super::event_arrays::{bind_events, column, insert_events_from_arrays};
use super::sessions;
use crate::error::map_err;
use crate::records::{amr_text, session_columns};

/// A session to insert, with the event of its start.
pub(crate) struct Insert(pub(super) SessionRecord, pub(super) Event);

impl BatchedWrite for Insert {
    type Answer = ();
    const KIND: &'static str = "insert";

    /// A new session: no other write of it can be queued.
    fn session(&self) -> Option<&str> {
        None
    }

    async fn write_many(pool: &PgPool, writes: &[Self]) -> Result<Vec<()>> {
        let records: Vec<&SessionRecord> = writes.iter().map(|w| &w.0).collect();
        let events: Vec<&Event> = writes.iter().map(|w| &w.1).collect();
        insert_many(pool, &records, &events).await?;
        Ok(vec![(); writes.len()])
    }

    async fn write_one(pool: &PgPool, write: &Self) -> Result<()> {
        sessions::insert(pool, &write.0, &write.1).await
    }
}

/// Inserts every session, registers its refresh hashes and records its event, in one
/// statement.
async fn insert_many(pool: &PgPool, s: &[&SessionRecord], e: &[&Event]) -> Result<()> {
    let millis = Timestamp::as_millis;
    let query = sqlx::query(concat!(
        "WITH inserted AS (INSERT INTO sessions (",
        session_columns!(),
        ") SELECT * FROM UNNEST($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], \
         $16::text[], $17::int8[], $18::int8[], $19::int8[], $20::int8[], $21::int8[], $22::int8[], \
         $23::text[], $24::text[], $25::int8[], $26::text[], $27::text[], $28::int8[], \
         $29::bytea[], $30::int8[], $31::int8[], $32::text[]) RETURNING id, refresh_hash, previous_refresh_hash), \
         hashes AS (INSERT INTO refresh_tokens (hash, session_id) \
         SELECT hash, inserted.id FROM inserted, \
         unnest(ARRAY[inserted.refresh_hash, inserted.previous_refresh_hash]) AS hash \
         WHERE hash IS NOT NULL) ",
        insert_events_from_arrays!()
    ));
    bind_events(query, e)?
        .bind(column(s, |r| r.id.clone()))
        .bind(column(s, |r| r.product.clone()))
        .bind(column(s, |r| r.env.clone()))
        .bind(column(s, |r| r.tag.clone()))
        .bind(column(s, |r| r.identifier.clone()))
        .bind(column(s, |r| r.data_jwe.clone()))
        .bind(column(s, |r| millis(r.created_at)))
        .bind(column(s, |r| r.token_lifetime_secs))
        .bind(column(s, |r| millis(r.token_issued_at)))
        .bind(column(s, |r| millis(r.token_expires_at)))
        .bind(column(s, |r| millis(r.refresh_expires_at)))
        .bind(column(s, |r| millis(r.last_active_at)))
        .bind(column(s, |r| r.device.ip.clone()))
        .bind(column(s, |r| r.device.user_agent.clone()))
        .bind(column(s, |r| r.revoked_at.map(millis)))
        .bind(column(s, |r| r.refresh_hash.clone()))
        .bind(column(s, |r| r.previous_refresh_hash.clone()))
        .bind(column(s, |r| r.rotated_at.map(millis)))
        .bind(column(s, |r| r.grace_answer.clone()))
        .bind(column(s, |r| r.data_version))
        .bind(column(s, |r| millis(r.auth_time)))
        .bind(column(s, |r| amr_text(r.amr.as_deref())))
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}
