//! Webhook endpoints, the deliveries still to make (written by the dispatcher from the events
//! not yet dispatched, claimed by one node at a time), and the log of attempts.

use hallpass_core::events::{Actor, Audit, Event, EventIds, EventType, event_json};
use hallpass_core::webhooks::{Attempt, AttemptOutcome, DueDelivery, Finished, WebhookRecord};
use hallpass_core::{Result, Timestamp};
use serde_json::json;
use sqlx::Pool;

use super::events;
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{attempt_columns, webhook_columns};
use crate::sql::{Arg, Conn, Db, begin};

/// The events the dispatcher takes, oldest first (`$1` of them); each dialect ends it with its
/// row locking ([`Dialect::SELECT_UNDISPATCHED`]).
macro_rules! select_undispatched {
    () => {
        concat!(
            "SELECT ",
            crate::records::event_columns!(),
            " FROM events WHERE dispatched = 0 ORDER BY id LIMIT $1"
        )
    };
}
pub(crate) use select_undispatched;

/// The deliveries due at `$1` (`$2` of them), oldest due first, with their endpoint's URL and
/// secret; each dialect ends it with its row locking ([`Dialect::SELECT_DUE`]).
macro_rules! select_due {
    () => {
        "SELECT d.webhook_id, d.event_id, d.payload, d.attempts, w.url, w.sealed_secret, \
         w.failing_since FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE w.enabled = 1 AND d.next_attempt_at <= $1 \
         AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
         ORDER BY d.next_attempt_at LIMIT $2"
    };
}
pub(crate) use select_due;

/// Events marked dispatched per statement.
const MARK_CHUNK: usize = 16;
/// Marks up to [`MARK_CHUNK`] events dispatched, by id.
const MARK_DISPATCHED: &str = "UPDATE events SET dispatched = 1 WHERE id IN \
     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

/// Whether any event waits for the dispatcher: a read through the partial index, so an idle
/// node does not take a write transaction (SQLite's one writer) every round.
pub(crate) async fn any_undispatched(db: impl Db) -> Result<bool> {
    let found: Option<i64> = db
        .fetch_optional(
            "SELECT CAST(1 AS BIGINT) FROM events WHERE dispatched = 0 LIMIT 1",
            &[],
        )
        .await?;
    Ok(found.is_some())
}

/// Whether any delivery is due at `now` and free to claim (as [`any_undispatched`], a read
/// before the write).
pub(crate) async fn any_due(db: impl Db, now: Timestamp) -> Result<bool> {
    let found: Option<i64> = db
        .fetch_optional(
            "SELECT CAST(1 AS BIGINT) FROM webhook_deliveries d JOIN webhooks w \
             ON w.id = d.webhook_id WHERE w.enabled = 1 AND d.next_attempt_at <= $1 \
             AND (d.claimed_until IS NULL OR d.claimed_until <= $1) LIMIT 1",
            &[now.into()],
        )
        .await?;
    Ok(found.is_some())
}

/// Inserts an endpoint.
pub(crate) async fn insert(db: impl Db, w: &WebhookRecord) -> Result<()> {
    let events = w.events.to_stored();
    db.execute(
        concat!(
            "INSERT INTO webhooks (",
            webhook_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        &[
            w.id.as_str().into(),
            w.product.as_str().into(),
            w.env.as_deref().into(),
            w.url.as_str().into(),
            events.as_str().into(),
            w.description.as_deref().into(),
            i64::from(w.enabled).into(),
            w.sealed_secret.as_slice().into(),
            w.created_at.into(),
            w.updated_at.into(),
            w.failing_since.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The endpoint with this id.
pub(crate) async fn get(db: impl Db, id: &str) -> Result<Option<WebhookRecord>> {
    db.fetch_optional(
        concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE id = $1"
        ),
        &[id.into()],
    )
    .await
}

/// A product's endpoints, oldest first.
pub(crate) async fn list(db: impl Db, product: &str) -> Result<Vec<WebhookRecord>> {
    db.fetch_all(
        concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE product = $1 ORDER BY created_at, id"
        ),
        &[product.into()],
    )
    .await
}

/// Replaces what a PATCH may change if the stored `updated_at` is still `previous`; false if
/// absent or changed since. Enabling an endpoint again forgets its failures.
pub(crate) async fn update(db: impl Db, w: &WebhookRecord, previous: Timestamp) -> Result<bool> {
    let events = w.events.to_stored();
    let changed = db
        .execute(
            "UPDATE webhooks SET url = $1, events = $2, description = $3, enabled = $4, \
             updated_at = $5, failing_since = CASE WHEN $4 = 1 AND enabled = 0 THEN NULL \
             ELSE failing_since END WHERE id = $6 AND updated_at = $7",
            &[
                w.url.as_str().into(),
                events.as_str().into(),
                w.description.as_deref().into(),
                i64::from(w.enabled).into(),
                w.updated_at.into(),
                w.id.as_str().into(),
                previous.into(),
            ],
        )
        .await?;
    Ok(changed == 1)
}

/// Deletes an endpoint with its pending deliveries and its log; false if it did not exist.
pub(crate) async fn delete<D: Dialect>(pool: &Pool<D>, id: &str) -> Result<bool> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    tx.execute(
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1",
        &[id.into()],
    )
    .await?;
    tx.execute(
        "DELETE FROM webhook_attempts WHERE webhook_id = $1",
        &[id.into()],
    )
    .await?;
    let deleted = tx
        .execute("DELETE FROM webhooks WHERE id = $1", &[id.into()])
        .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(deleted == 1)
}

/// Writes the deliveries of up to `batch` events not yet dispatched, oldest first, and marks
/// them dispatched, in one transaction: an event goes to every enabled endpoint created by
/// the time it happened that takes it. Where the database locks rows, events another node is
/// dispatching are skipped. Returns how many events were dispatched.
pub(crate) async fn dispatch<D: Dialect>(pool: &Pool<D>, batch: u32) -> Result<u64> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let pending: Vec<Event> = tx
        .fetch_all(D::SELECT_UNDISPATCHED, &[i64::from(batch).into()])
        .await?;
    if pending.is_empty() {
        tx.rollback().await.map_err(map_err)?;
        return Ok(0);
    }
    let endpoints: Vec<WebhookRecord> = tx
        .fetch_all(
            concat!(
                "SELECT ",
                webhook_columns!(),
                " FROM webhooks WHERE enabled = 1"
            ),
            &[],
        )
        .await?;
    for event in &pending {
        let mut payload = None;
        for w in endpoints.iter().filter(|w| {
            w.created_at <= event.at
                && w.takes(event.kind, event.product.as_deref(), event.env.as_deref())
        }) {
            let body = payload.get_or_insert_with(|| event_json(event).to_string());
            tx.execute(
                "INSERT INTO webhook_deliveries (webhook_id, event_id, payload, next_attempt_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[
                    w.id.as_str().into(),
                    event.id.as_str().into(),
                    body.as_str().into(),
                    event.at.into(),
                ],
            )
            .await?;
        }
    }
    for chunk in pending.chunks(MARK_CHUNK) {
        // A chunk short of MARK_CHUNK repeats its last id: the statement stays one text.
        let ids: [Arg<'_>; MARK_CHUNK] =
            std::array::from_fn(|i| chunk[i.min(chunk.len() - 1)].id.as_str().into());
        tx.execute(MARK_DISPATCHED, &ids).await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(pending.len() as u64)
}

/// Claims up to `limit` deliveries due at `now` of enabled endpoints, none of them claimed by
/// a lease still running, until `lease_until`; oldest due first.
pub(crate) async fn claim<D: Dialect>(
    pool: &Pool<D>,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<DueDelivery>> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let due: Vec<DueDelivery> = tx
        .fetch_all(D::SELECT_DUE, &[now.into(), i64::from(limit).into()])
        .await?;
    for d in &due {
        tx.execute(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE webhook_id = $2 AND event_id = $3",
            &[
                lease_until.into(),
                d.webhook_id.as_str().into(),
                d.event_id.as_str().into(),
            ],
        )
        .await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(due)
}

/// Inserts an attempt into the log: a delivery's (in [`finish`]'s transaction) or a test's.
pub(crate) async fn log_attempt(db: impl Db, a: &Attempt) -> Result<()> {
    db.execute(
        concat!(
            "INSERT INTO webhook_attempts (",
            attempt_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ),
        &[
            a.webhook_id.as_str().into(),
            a.event_id.as_str().into(),
            a.event_type.as_str().into(),
            a.at.into(),
            i64::from(a.attempt).into(),
            a.status.map(i64::from).into(),
            a.error.as_deref().into(),
            i64::try_from(a.duration_ms).unwrap_or(i64::MAX).into(),
        ],
    )
    .await?;
    Ok(())
}

/// Records claimed deliveries' attempts and what follows from each, all in one transaction:
/// the log entry; the delivery done, rescheduled (its lease released) or given up; the
/// endpoint's failing streak ended or begun; and, when it has failed every attempt since before
/// `disable_if_failing_before`, the endpoint disabled with its `webhook.disabled` event (once:
/// a later attempt of the same batch finds it disabled). Returns, in order, whether each
/// attempt disabled its endpoint.
pub(crate) async fn finish_all<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    finished: &[Finished],
) -> Result<Vec<bool>> {
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let mut disabled = Vec::with_capacity(finished.len());
    for f in finished {
        disabled.push(finish(&mut *tx, ids, f).await?);
    }
    tx.commit().await.map_err(map_err)?;
    Ok(disabled)
}

/// Records one attempt and its outcome on the transaction's connection; true if it disabled
/// the endpoint.
async fn finish<C: Conn>(conn: &mut C, ids: &EventIds, f: &Finished) -> Result<bool> {
    let (a, outcome) = (&f.attempt, &f.outcome);
    log_attempt(&mut *conn, a).await?;
    let key = [a.webhook_id.as_str().into(), a.event_id.as_str().into()];
    match outcome {
        AttemptOutcome::Delivered | AttemptOutcome::GiveUp => {
            (&mut *conn)
                .execute(
                    "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND event_id = $2",
                    &key,
                )
                .await?;
        }
        AttemptOutcome::Retry(at) => {
            (&mut *conn)
                .execute(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $3, \
                 claimed_until = NULL WHERE webhook_id = $1 AND event_id = $2",
                    &[key[0], key[1], (*at).into()],
                )
                .await?;
        }
    }
    let disabled = if *outcome == AttemptOutcome::Delivered {
        (&mut *conn)
            .execute(
                "UPDATE webhooks SET failing_since = NULL WHERE id = $1",
                &[key[0]],
            )
            .await?;
        false
    } else {
        let failing: Option<WebhookRecord> = (&mut *conn)
            .fetch_optional(
                concat!(
                    "UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) \
                     WHERE id = $1 RETURNING ",
                    webhook_columns!()
                ),
                &[key[0], a.at.into()],
            )
            .await?;
        match failing {
            Some(w)
                if w.enabled
                    && w.failing_since
                        .is_some_and(|t| t <= f.disable_if_failing_before) =>
            {
                disable(&mut *conn, ids, &w, a.at).await?;
                true
            }
            _ => false,
        }
    };
    Ok(disabled)
}

/// Disables an endpoint that has failed too long, and records `webhook.disabled`.
async fn disable<C: Conn>(
    conn: &mut C,
    ids: &EventIds,
    w: &WebhookRecord,
    at: Timestamp,
) -> Result<()> {
    (&mut *conn)
        .execute(
            "UPDATE webhooks SET enabled = 0, updated_at = $2 WHERE id = $1",
            &[w.id.as_str().into(), at.into()],
        )
        .await?;
    let audit = Audit {
        actor: Actor::system(),
        at,
    };
    let event = ids.config(
        EventType::WebhookDisabled,
        &audit,
        Some(&w.product),
        w.env.as_deref(),
        json!({"webhookId": w.id, "url": w.url, "failingSince": w.failing_since.map(Timestamp::to_iso)}),
    );
    events::insert_all(conn, &[event]).await
}

/// An endpoint's latest attempts, newest first.
pub(crate) async fn attempts(db: impl Db, webhook_id: &str, limit: u32) -> Result<Vec<Attempt>> {
    db.fetch_all(
        concat!(
            "SELECT ",
            attempt_columns!(),
            " FROM webhook_attempts WHERE webhook_id = $1 ORDER BY at DESC, attempt DESC LIMIT $2"
        ),
        &[webhook_id.into(), i64::from(limit).into()],
    )
    .await
}

/// Deletes up to `batch` attempts logged before `cutoff`; returns how many.
pub(crate) async fn sweep_attempts(db: impl Db, cutoff: Timestamp, batch: u32) -> Result<u64> {
    db.execute(
        "DELETE FROM webhook_attempts WHERE (webhook_id, event_id, attempt) IN (\
         SELECT webhook_id, event_id, attempt FROM webhook_attempts WHERE at < $1 LIMIT $2)",
        &[cutoff.into(), i64::from(batch).into()],
    )
    .await
}
