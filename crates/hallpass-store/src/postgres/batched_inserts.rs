//! Session inserts of concurrent requests, written together: one statement (and one commit)
//! for every start queued meanwhile.
//!
//! A profile of `start` on PostgreSQL showed the database server spending about as much CPU as
//! hallpass itself, most of it on per-statement and per-commit work (parse, bind, plan, lock,
//! WAL flush) for one row at a time. Here inserts queue for one task, which sends each batch as
//! a single `INSERT … SELECT FROM UNNEST(arrays)`: the statement text is the same for every
//! batch size, so it stays prepared. Callers hear their result after the commit. If a batch
//! fails (one row holding a value PostgreSQL refuses, say), its rows are retried one by one, so
//! each caller gets the answer its own row deserves. A caller that goes away does not cancel
//! its insert: once queued, it is written.

use std::sync::Arc;

use hallpass_core::events::{Event, data_json};
use hallpass_core::model::SessionRecord;
use hallpass_core::{Error, Result, Timestamp};
use sqlx::PgPool;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::sessions;
use crate::error::map_err;
use crate::records::{amr_text, dispatched_value, event_insert_columns, session_columns};

/// Most rows in one statement.
const MAX_BATCH: usize = 128;
/// Batches in flight at once (each on a connection of its own), so that a commit's wait for
/// the disk does not hold up the next batch. Two, not more: with more, 16 concurrent starts
/// were written about two to a statement, and each statement's fixed cost (bind, plan, commit)
/// dominated; with two, about four share one (docs/BENCHMARKS.md, "PostgreSQL start: fewer
/// statements, planned once").
const MAX_IN_FLIGHT: usize = 2;
/// Inserts waiting beyond this make callers wait to queue.
const QUEUE: usize = 4096;

type Job = (SessionRecord, Event, oneshot::Sender<Result<()>>);

/// The queue of session inserts of one database.
#[derive(Clone, Debug)]
pub(crate) struct BatchedInserts {
    jobs: mpsc::Sender<Job>,
}

impl BatchedInserts {
    /// Starts the task that writes queued inserts; it ends when the last handle is dropped.
    pub(super) fn start(pool: PgPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let pool = planned_once(&pool);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Inserts the session (and registers its refresh hashes, and records its event) in the
    /// next batch; answers once that batch has committed.
    pub(super) async fn insert(&self, session: SessionRecord, event: Event) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((session, event, answer))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// The batches' own connections, [`MAX_IN_FLIGHT`] of them, opened when first needed, with the
/// main pool's settings and `plan_cache_mode = force_generic_plan`: the batch statement's plan
/// never depends on its values (it inserts whatever the arrays hold), yet PostgreSQL planned
/// it anew for every batch, since its estimate of the generic plan, with arrays of unknown
/// length, came out dearer than the custom ones. Only these connections plan this way; the
/// main pool's queries keep custom plans (the audit query needs them to pick its index).
fn planned_once(pool: &PgPool) -> PgPool {
    let options = (*pool.connect_options())
        .clone()
        .options([("plan_cache_mode", "force_generic_plan")]);
    pool.options()
        .clone()
        .max_connections(u32::try_from(MAX_IN_FLIGHT).unwrap_or(1))
        .min_connections(0)
        .connect_lazy_with(options)
}

fn stopped() -> Error {
    Error::StoreUnavailable("the PostgreSQL insert queue has stopped; restart hallpass".into())
}

async fn run(pool: PgPool, mut queue: mpsc::Receiver<Job>) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let jobs = std::mem::take(&mut batch);
        let pool = pool.clone();
        tokio::spawn(async move {
            write(&pool, jobs).await;
            drop(slot);
        });
    }
}

/// Writes a batch in one statement, or row by row when the statement fails.
async fn write(pool: &PgPool, jobs: Vec<Job>) {
    if jobs.len() > 1 {
        let records: Vec<&SessionRecord> = jobs.iter().map(|(s, _, _)| s).collect();
        let events: Vec<&Event> = jobs.iter().map(|(_, e, _)| e).collect();
        if insert_many(pool, &records, &events).await.is_ok() {
            for (_, _, answer) in jobs {
                let _ = answer.send(Ok(()));
            }
            return;
        }
    }
    for (session, event, answer) in jobs {
        let _ = answer.send(sessions::insert(pool, &session, &event).await);
    }
}

/// Inserts every session, registers its refresh hashes and records its event, in one
/// statement.
async fn insert_many(pool: &PgPool, s: &[&SessionRecord], e: &[&Event]) -> Result<()> {
    fn column<R, T>(rows: &[&R], f: impl Fn(&R) -> T) -> Vec<T> {
        rows.iter().map(|r| f(r)).collect()
    }
    let data = e.iter().map(|e| data_json(e)).collect::<Result<Vec<_>>>()?;
    let millis = Timestamp::as_millis;
    sqlx::query(concat!(
        "WITH inserted AS (INSERT INTO sessions (",
        session_columns!(),
        ") SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
         $6::text[], $7::int8[], $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], \
         $13::text[], $14::text[], $15::int8[], $16::text[], $17::text[], $18::int8[], \
         $19::bytea[], $20::int8[], $21::int8[], $22::text[]) RETURNING id, refresh_hash, previous_refresh_hash), \
         hashes AS (INSERT INTO refresh_tokens (hash, session_id) \
         SELECT hash, inserted.id FROM inserted, \
         unnest(ARRAY[inserted.refresh_hash, inserted.previous_refresh_hash]) AS hash \
         WHERE hash IS NOT NULL) \
         INSERT INTO events (",
        event_insert_columns!(),
        ") SELECT e.*, ",
        dispatched_value!("e.product"),
        " FROM UNNEST($23::text[], $24::text[], $25::int8[], $26::text[], $27::text[], \
         $28::text[], $29::text[], $30::text[], $31::text[], $32::text[]) \
         AS e (id, type, at, product, env, session_id, identifier, data, actor_kind, actor_key_id)"
    ))
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
    .bind(column(e, |e| e.id.clone()))
    .bind(column(e, |e| e.kind.as_str()))
    .bind(column(e, |e| millis(e.at)))
    .bind(column(e, |e| e.product.clone()))
    .bind(column(e, |e| e.env.clone()))
    .bind(column(e, |e| e.session_id.clone()))
    .bind(column(e, |e| e.identifier.clone()))
    .bind(data)
    .bind(column(e, |e| e.actor.kind.as_str()))
    .bind(column(e, |e| e.actor.key_id.clone()))
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(())
}
