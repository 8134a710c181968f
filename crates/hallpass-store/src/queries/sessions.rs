//! Sessions: lookup by id or by any refresh hash, listing, and the values every dialect binds
//! to insert a session or rotate its refresh token (the statements themselves differ).

use hallpass_core::model::SessionRecord;
use hallpass_core::store::{IdentifierFilter, Rotation, SessionPage};
use hallpass_core::{Result, Timestamp};
use sqlx::Pool;

use crate::dialect::Dialect;
use crate::error::map_err;
use crate::records::{count, session_columns, session_page};
use crate::sql::{Arg, Db, begin};

/// The active sessions of one identifier, as [`identifier_args`] binds them: `$1` product, `$2`
/// env, `$3` tag, `$4` identifier, `$5` now, `$6` the idle cutoff (the earliest time, so no
/// session is idle, for a type without a timeout).
macro_rules! active_of_identifier {
    () => {
        "product = $1 AND env = $2 AND tag = $3 AND identifier = $4 \
         AND revoked_at IS NULL AND refresh_expires_at > $5 AND last_active_at > $6"
    };
}
pub(crate) use active_of_identifier;

/// The values of [`active_of_identifier!`]'s `$1` to `$6`.
pub(crate) fn identifier_args(f: &IdentifierFilter, now: Timestamp) -> [Arg<'_>; 6] {
    [
        f.product.as_str().into(),
        f.env.as_str().into(),
        f.tag.as_str().into(),
        f.identifier.as_str().into(),
        now.into(),
        f.idle_cutoff
            .unwrap_or(Timestamp::from_millis(i64::MIN))
            .into(),
    ]
}

/// The values of a new session, `$1` to `$22` in [`session_columns!`] order; `amr` is the
/// session's methods as [`crate::records::amr_text`] stores them.
pub(crate) fn session_args<'a>(s: &'a SessionRecord, amr: Option<&'a str>) -> [Arg<'a>; 22] {
    [
        s.id.as_str().into(),
        s.product.as_str().into(),
        s.env.as_str().into(),
        s.tag.as_str().into(),
        s.identifier.as_deref().into(),
        s.data_jwe.as_str().into(),
        s.created_at.into(),
        s.token_lifetime_secs.into(),
        s.token_issued_at.into(),
        s.token_expires_at.into(),
        s.refresh_expires_at.into(),
        s.last_active_at.into(),
        s.device.ip.as_deref().into(),
        s.device.user_agent.as_deref().into(),
        s.revoked_at.into(),
        s.refresh_hash.as_str().into(),
        s.previous_refresh_hash.as_deref().into(),
        s.rotated_at.into(),
        s.grace_answer.as_deref().into(),
        s.data_version.into(),
        s.auth_time.into(),
        amr.into(),
    ]
}

/// The values of a rotation: `$1` new hash, `$2` its `iat`, `$3` its `exp` (the stored expiry
/// only ever grows), `$4` the new `last_active_at` and `$5` `rotated_at` (both the rotation's
/// time), `$6` grace answer, `$7` session id, `$8` the hash expected to be current, `$9` the
/// data version expected to be current.
pub(crate) fn rotation_args<'a>(
    id: &'a str,
    expected_hash: &'a str,
    r: &'a Rotation,
) -> [Arg<'a>; 9] {
    [
        r.new_hash.as_str().into(),
        r.token_issued_at.into(),
        r.token_expires_at.into(),
        r.rotated_at.into(),
        r.rotated_at.into(),
        r.grace_answer.as_slice().into(),
        id.into(),
        expected_hash.into(),
        r.data_version.into(),
    ]
}

/// The session any refresh token with this hash (current or older) was issued to; SQLite runs
/// it in the group commit, on the writer's connection.
pub(crate) const BY_REFRESH_HASH: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = $1)"
);

/// The session with this id.
pub(crate) async fn get(db: impl Db, id: &str) -> Result<Option<SessionRecord>> {
    db.fetch_optional(
        concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE id = $1"
        ),
        &[id.into()],
    )
    .await
}

/// [`BY_REFRESH_HASH`] through sqlx.
pub(crate) async fn by_refresh_hash(db: impl Db, hash: &str) -> Result<Option<SessionRecord>> {
    db.fetch_optional(BY_REFRESH_HASH, &[hash.into()]).await
}

/// One page of the identifier's active sessions, newest (highest id) first, and their count,
/// read from one snapshot (the dialect's snapshot transaction). A first page that holds every
/// session is its own count, and then one statement is the whole list.
pub(crate) async fn list<D: Dialect>(
    pool: &Pool<D>,
    f: &IdentifierFilter,
    before: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<SessionPage> {
    if before.is_none() {
        let sessions = page(pool, f, None, limit, now).await?;
        if sessions.len() <= limit as usize {
            let total = sessions.len() as u64;
            return Ok(session_page(sessions, total, limit));
        }
    }
    let mut tx = begin(pool, D::BEGIN_SNAPSHOT).await?;
    let sessions = page(&mut *tx, f, before, limit, now).await?;
    let total: i64 = tx
        .fetch_one(
            concat!(
                "SELECT COUNT(*) FROM sessions WHERE ",
                active_of_identifier!()
            ),
            &identifier_args(f, now),
        )
        .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(session_page(sessions, count(total), limit))
}

/// Up to `limit + 1` active sessions older than `before` (all when `None`), newest first: the
/// extra one tells whether more exist.
async fn page(
    db: impl Db,
    f: &IdentifierFilter,
    before: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<SessionRecord>> {
    const PAGE: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE ",
        active_of_identifier!(),
        " ORDER BY id DESC LIMIT $7"
    );
    const PAGE_BEFORE: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE ",
        active_of_identifier!(),
        " AND id < $8 ORDER BY id DESC LIMIT $7"
    );
    let [product, env, tag, identifier, now, idle] = identifier_args(f, now);
    let rows = (i64::from(limit) + 1).into();
    match before {
        None => {
            db.fetch_all(PAGE, &[product, env, tag, identifier, now, idle, rows])
                .await
        }
        Some(before) => {
            db.fetch_all(
                PAGE_BEFORE,
                &[
                    product,
                    env,
                    tag,
                    identifier,
                    now,
                    idle,
                    rows,
                    before.into(),
                ],
            )
            .await
        }
    }
}
