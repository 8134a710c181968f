//! Many events recorded in one statement, from arrays: the statement text and the binding of
//! its first ten parameters, shared by every batched write that records events.

use hallpass_core::Result;
use hallpass_core::Timestamp;
use hallpass_core::events::{Event, data_json};
use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;

/// `INSERT INTO events … FROM UNNEST($1 … $10)`: the events [`bind_events`] binds as the
/// statement's first ten parameters.
macro_rules! insert_events_from_arrays {
    () => {
        concat!(
            "INSERT INTO events (",
            crate::records::event_insert_columns!(),
            ") SELECT e.*, ",
            crate::records::dispatched_value!("e.product"),
            " FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) \
             AS e (id, type, at, product, env, session_id, identifier, data, actor_kind, \
             actor_key_id)"
        )
    };
}
pub(super) use insert_events_from_arrays;

/// A query whose parameters come in arrays, before any is bound.
pub(super) type ArrayQuery<'q> = Query<'q, Postgres, PgArguments>;

/// Binds the events as the ten arrays [`insert_events_from_arrays!`] reads.
pub(super) fn bind_events<'q>(query: ArrayQuery<'q>, events: &[&Event]) -> Result<ArrayQuery<'q>> {
    let data = events
        .iter()
        .map(|e| data_json(e))
        .collect::<Result<Vec<_>>>()?;
    Ok(query
        .bind(column(events, |e| e.id.clone()))
        .bind(column(events, |e| e.kind.as_str()))
        .bind(column(events, |e| Timestamp::as_millis(e.at)))
        .bind(column(events, |e| e.product.clone()))
        .bind(column(events, |e| e.env.clone()))
        .bind(column(events, |e| e.session_id.clone()))
        .bind(column(events, |e| e.identifier.clone()))
        .bind(data)
        .bind(column(events, |e| e.actor.kind.as_str()))
        .bind(column(events, |e| e.actor.key_id.clone())))
}

/// One field of every row, as the array bound for its column.
pub(super) fn column<R, T>(rows: &[&R], f: impl Fn(&R) -> T) -> Vec<T> {
    rows.iter().map(|r| f(r)).collect()
}
