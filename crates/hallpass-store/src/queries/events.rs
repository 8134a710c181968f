//! Events: written by the other queries in the transaction of the change they record, read by
//! the audit query, and swept after their retention.

use hallpass_core::events::{Event, data_json};
use hallpass_core::store::EventFilter;
use hallpass_core::{Result, Timestamp};

use crate::records::{dispatched_value, event_columns, event_insert_columns};
use crate::sql::{Arg, Conn, Db};

/// Inserts an event (`$1` to `$10` in [`event_columns!`] order); rusqlite runs the same text.
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO events (",
    event_insert_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ",
    dispatched_value!("$4"),
    ")"
);

/// The values of [`INSERT`]; `data` is the event's data as [`data_json`] encodes it.
pub(crate) fn event_args<'a>(e: &'a Event, data: &'a str) -> [Arg<'a>; 10] {
    [
        e.id.as_str().into(),
        e.kind.as_str().into(),
        e.at.into(),
        e.product.as_deref().into(),
        e.env.as_deref().into(),
        e.session_id.as_deref().into(),
        e.identifier.as_deref().into(),
        data.into(),
        e.actor.kind.as_str().into(),
        e.actor.key_id.as_deref().into(),
    ]
}

/// Inserts every event on `conn` (a transaction's connection: the change's own).
pub(crate) async fn insert_all<C: Conn>(conn: &mut C, events: &[Event]) -> Result<()> {
    for e in events {
        let data = data_json(e)?;
        (&mut *conn).execute(INSERT, &event_args(e, &data)).await?;
    }
    Ok(())
}

/// One page of events (of one product, or of all), newest first: up to `limit + 1` (the extra one says that
/// more exist). `types` is a comma-separated list of wire names (empty: every type).
pub(crate) async fn list(db: impl Db, f: &EventFilter, limit: u32) -> Result<Vec<Event>> {
    const LIST: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE ($1 IS NULL OR product = $1) \
         AND ($2 IS NULL OR env = $2) \
         AND ($3 = '' OR (',' || $3 || ',') LIKE ('%,' || type || ',%')) \
         AND ($4 IS NULL OR identifier = $4) \
         AND ($5 IS NULL OR session_id = $5) \
         AND ($6 IS NULL OR id < $6) \
         ORDER BY id DESC LIMIT $7"
    );
    let types = f
        .types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",");
    db.fetch_all(
        LIST,
        &[
            f.product.as_deref().into(),
            f.env.as_deref().into(),
            types.as_str().into(),
            f.identifier.as_deref().into(),
            f.session_id.as_deref().into(),
            f.before.as_deref().into(),
            (i64::from(limit) + 1).into(),
        ],
    )
    .await
}

/// Deletes up to `batch` events older than `cutoff`, oldest first; returns how many. Ids are
/// `evt_` and a ULID, whose text sorts by its time: every id made before `cutoff` is below the
/// smallest ULID of that millisecond, so the primary key finds them.
pub(crate) async fn sweep(db: impl Db, cutoff: Timestamp, batch: u32) -> Result<u64> {
    let ms = u64::try_from(cutoff.as_millis()).unwrap_or(0);
    let first_kept = format!("evt_{}", ulid::Ulid::from_parts(ms, 0));
    db.execute(
        "DELETE FROM events WHERE id IN (\
         SELECT id FROM events WHERE id < $1 ORDER BY id LIMIT $2)",
        &[first_kept.as_str().into(), i64::from(batch).into()],
    )
    .await
}
