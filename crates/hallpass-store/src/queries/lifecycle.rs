//! The session lifecycle after login: starts under a per-identifier session limit, updates of
//! a live session's data or authentication, and the supersessions they leave for verify.

use hallpass_core::events::{Audit, EventIds, EventType, RevokeCause};
use hallpass_core::model::SessionRecord;
use hallpass_core::session_type::{OnLimit, SessionLimit};
use hallpass_core::store::{
    Each, IdentifierFilter, LimitedStart, SessionUpdate, Superseded, Updated,
};
use hallpass_core::{Result, Timestamp};
use serde_json::json;
use sqlx::Pool;

use super::events;
use super::revocation::record_revoked;
use super::sessions::{active_of_identifier, identifier_args, session_args};
use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{
    Facts, amr_text, count, facts, revoked_returning, session_columns, superseded_columns,
};
use crate::sql::{Db, FromSqlRow, SqlRow, begin};

/// Stores `session` unless its identifier is at the limit: counts the identifier's active
/// sessions in one transaction that excludes every other limited start of that identifier
/// (the dialect's write transaction, and its identifier lock where several nodes write), then
/// revokes the least recently active ones to make room, or refuses.
pub(crate) async fn insert_limited<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    session: &SessionRecord,
    filter: &IdentifierFilter,
    limit: SessionLimit,
    audit: &Audit,
) -> Result<LimitedStart> {
    let now = audit.at;
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    if let Some(lock) = D::LOCK_IDENTIFIER {
        let key = format!(
            "{}\n{}\n{}\n{}",
            filter.product, filter.env, filter.tag, filter.identifier
        );
        tx.execute(lock, &[key.as_str().into()]).await?;
    }
    let active: i64 = tx
        .fetch_one(
            concat!(
                "SELECT COUNT(*) FROM sessions WHERE ",
                active_of_identifier!()
            ),
            &identifier_args(filter, now),
        )
        .await?;
    let active = count(active);
    let mut revoked = Vec::new();
    if active >= u64::from(limit.max) {
        if limit.on_limit == OnLimit::Refuse {
            tx.rollback().await.map_err(map_err)?;
            return Ok(LimitedStart::LimitReached(active));
        }
        let [product, env, tag, identifier, now_arg, idle] = identifier_args(filter, now);
        let excess = i64::try_from(active - u64::from(limit.max) + 1).unwrap_or(i64::MAX);
        let rows = tx
            .fetch_all(
                concat!(
                    "UPDATE sessions SET revoked_at = $5 WHERE id IN (SELECT id FROM sessions WHERE ",
                    active_of_identifier!(),
                    " ORDER BY last_active_at, id LIMIT $7)",
                    revoked_returning!()
                ),
                &[product, env, tag, identifier, now_arg, idle, excess.into()],
            )
            .await?;
        revoked = record_revoked(&mut *tx, ids, audit, RevokeCause::SessionLimit, rows).await?;
    }
    let amr = amr_text(session.amr.as_deref());
    tx.execute(
        concat!(
            "INSERT INTO sessions (",
            session_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22)"
        ),
        &session_args(session, amr.as_deref()),
    )
    .await?;
    tx.execute(
        "INSERT INTO refresh_tokens (hash, session_id) VALUES ($1, $2)",
        &[
            session.refresh_hash.as_str().into(),
            session.id.as_str().into(),
        ],
    )
    .await?;
    let started = ids.session(EventType::SessionStarted, audit, facts(session), &[]);
    events::insert_all(&mut *tx, &[started]).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(LimitedStart::Started(revoked))
}

/// What an applied update's `RETURNING <facts>, data_version, superseded_at,
/// superseded_until` gives.
struct Applied {
    facts: Facts,
    version: i64,
    superseded_at: Option<Timestamp>,
    superseded_until: Option<Timestamp>,
}

impl FromSqlRow for Applied {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            facts: Facts::from_row(row)?,
            version: row.int(7)?,
            superseded_at: row.opt_timestamp(8)?,
            superseded_until: row.opt_timestamp(9)?,
        })
    }
}

/// Applies each update whose session is still active and at its expected version, in one
/// transaction. The right-hand sides read the row as it was, so a version that moves records
/// when it moved and until when the older tokens (at most the stored token expiry) live.
pub(crate) async fn update<D: Dialect>(
    pool: &Pool<D>,
    ids: &EventIds,
    updates: &[SessionUpdate],
    audit: &Audit,
) -> Result<Vec<Updated>> {
    const UPDATE: &str = "UPDATE sessions SET \
        superseded_until = CASE WHEN $2 > data_version THEN \
            (CASE WHEN superseded_until > token_expires_at THEN superseded_until \
             ELSE token_expires_at END) \
            ELSE superseded_until END, \
        superseded_at = CASE WHEN $2 > data_version THEN $7 ELSE superseded_at END, \
        data_jwe = $1, data_version = $2, auth_time = $3, amr = $4, \
        token_issued_at = COALESCE($5, token_issued_at), \
        token_expires_at = CASE WHEN $6 > token_expires_at THEN $6 ELSE token_expires_at END, \
        last_active_at = CASE WHEN $7 > last_active_at THEN $7 ELSE last_active_at END \
        WHERE id = $8 AND data_version = $9 AND revoked_at IS NULL AND refresh_expires_at > $7 \
        RETURNING id, product, env, tag, identifier, device_ip, device_user_agent, \
        data_version, superseded_at, superseded_until";
    let mut tx = begin(pool, D::BEGIN_WRITE).await?;
    let mut applied = Vec::with_capacity(updates.len());
    let mut recorded = Vec::with_capacity(updates.len());
    for u in updates {
        let amr = amr_text(u.amr.as_deref());
        let row: Option<Applied> = tx
            .fetch_optional(
                UPDATE,
                &[
                    u.data_jwe.as_str().into(),
                    u.version.into(),
                    u.auth_time.into(),
                    amr.as_deref().into(),
                    u.token.map(|(iat, _)| iat).into(),
                    u.token.map(|(_, exp)| exp).into(),
                    u.at.into(),
                    u.session_id.as_str().into(),
                    u.expected_version.into(),
                ],
            )
            .await?;
        if let Some(row) = row {
            let moved = u.version > u.expected_version;
            recorded.push(if moved {
                ids.session(EventType::SessionUpdated, audit, row.facts.of(), &[])
            } else {
                let amr = [("amr", json!(u.amr))];
                ids.session(
                    EventType::SessionReauthenticated,
                    audit,
                    row.facts.of(),
                    &amr,
                )
            });
            let superseded = moved
                .then_some(row.superseded_at.zip(row.superseded_until))
                .flatten()
                .map(|(at, forget_after)| Superseded {
                    session_id: row.facts.id.clone(),
                    product: row.facts.product.clone(),
                    env: row.facts.env.clone(),
                    version: row.version,
                    at,
                    forget_after,
                });
            applied.push(Updated {
                session_id: row.facts.id,
                superseded,
            });
        }
    }
    events::insert_all(&mut *tx, &recorded).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(applied)
}

/// Hands `each` every updated session whose older tokens are still valid at `now` (in no
/// order, so that SQLite uses the partial index, as the revocation queries do).
pub(crate) async fn live(db: impl Db, now: Timestamp, each: Each<'_, Superseded>) -> Result<u64> {
    db.for_each(
        concat!(
            "SELECT ",
            superseded_columns!(),
            " FROM sessions WHERE superseded_until > $1"
        ),
        &[now.into()],
        each,
    )
    .await
}

/// Hands `each` every session whose data version moved at or after `since`, with older tokens
/// valid at `now`.
pub(crate) async fn since(
    db: impl Db,
    since: Timestamp,
    now: Timestamp,
    each: Each<'_, Superseded>,
) -> Result<u64> {
    db.for_each(
        concat!(
            "SELECT ",
            superseded_columns!(),
            " FROM sessions WHERE superseded_at >= $1 AND superseded_until > $2"
        ),
        &[since.into(), now.into()],
        each,
    )
    .await
}
