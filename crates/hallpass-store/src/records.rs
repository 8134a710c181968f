//! Domain records as the tables store them: the column lists, and reading each record from a
//! row by column position.
//!
//! The column types (TEXT, integer milliseconds, BLOB/BYTEA, JSON text) are the same in both
//! schemas, so one reading serves sqlx rows of either database and rusqlite rows of SQLite's
//! group commit.

use hallpass_core::events::{Actor, ActorKind, Event, EventType, SessionFacts};
use hallpass_core::model::{
    ApiKeyRecord, Device, EnvKeyRecord, KeyKind, KeyPurpose, Product, SessionRecord,
};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{Revoked, SessionPage, Superseded};
use hallpass_core::webhooks::{Attempt, DueDelivery, EventSelection, WebhookRecord};
use hallpass_core::{Error, Result};

use crate::error::corrupt;
use crate::sql::{FromSqlRow, SqlRow};

/// Columns of `products`, in the order [`Product`] is read.
macro_rules! product_columns {
    () => {
        "tag, name, envs, allowed_origins, created_at, updated_at"
    };
}
pub(crate) use product_columns;

/// Columns of `api_keys`, in the order [`ApiKeyRecord`] is read.
macro_rules! api_key_columns {
    () => {
        "id, kind, product, env, name, hash, created_at"
    };
}
pub(crate) use api_key_columns;

/// Columns of `env_keys`, in the order [`EnvKeyRecord`] is read.
macro_rules! env_key_columns {
    () => {
        "kid, product, env, purpose, alg, sealed_secret, created_at, retired_at, verify_until"
    };
}
pub(crate) use env_key_columns;

/// Columns of `session_types`, in the order [`SessionTypeRecord`] is read.
macro_rules! session_type_columns {
    () => {
        "product, tag, config, created_at, updated_at"
    };
}
pub(crate) use session_type_columns;

/// Columns of `events`, in the order [`Event`] is read.
macro_rules! event_columns {
    () => {
        "id, type, at, product, env, session_id, identifier, data, actor_kind, actor_key_id"
    };
}
pub(crate) use event_columns;

/// The columns an event is inserted with: [`event_columns!`] and `dispatched`.
macro_rules! event_insert_columns {
    () => {
        concat!(crate::records::event_columns!(), ", dispatched")
    };
}
pub(crate) use event_insert_columns;

/// The `dispatched` an event is inserted with, `$product` being its product: 0 (for the
/// webhook dispatcher to take) when an enabled endpoint of the product exists, else 1, so that
/// a deployment without webhooks writes each event once and never into the partial index of
/// undispatched events. A webhook takes the events recorded after its creation committed.
macro_rules! dispatched_value {
    ($product:literal) => {
        concat!(
            "CASE WHEN EXISTS (SELECT 1 FROM webhooks WHERE enabled = 1 AND product = ",
            $product,
            ") THEN 0 ELSE 1 END"
        )
    };
}
pub(crate) use dispatched_value;

/// Columns of `webhooks`, in the order [`WebhookRecord`] is read.
macro_rules! webhook_columns {
    () => {
        "id, product, env, url, events, description, enabled, sealed_secret, created_at, \
         updated_at, failing_since"
    };
}
pub(crate) use webhook_columns;

/// Columns of `webhook_attempts`, in the order [`Attempt`] is read.
macro_rules! attempt_columns {
    () => {
        "webhook_id, event_id, event_type, at, attempt, status, error, duration_ms"
    };
}
pub(crate) use attempt_columns;

/// What a revocation returns of each session it revoked, in the order [`RevokedFacts`] is read:
/// what the revocation set needs, then what its event says.
macro_rules! revoked_returning {
    () => {
        " RETURNING token_expires_at, id, product, env, tag, identifier, device_ip, \
         device_user_agent"
    };
}
pub(crate) use revoked_returning;

/// Columns of `sessions`, in the order [`SessionRecord`] is read.
macro_rules! session_columns {
    () => {
        "id, product, env, tag, identifier, data_jwe, created_at, token_lifetime_secs, \
         token_issued_at, token_expires_at, refresh_expires_at, last_active_at, device_ip, \
         device_user_agent, revoked_at, refresh_hash, previous_refresh_hash, rotated_at, \
         grace_answer, data_version, auth_time, amr"
    };
}
pub(crate) use session_columns;

impl FromSqlRow for Product {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let tag = row.text(0)?;
        let list = |column, field: &str| -> Result<Vec<String>> {
            serde_json::from_str(&row.text(column)?)
                .map_err(|e| corrupt(&format!("{field} of product '{tag}'"), e))
        };
        Ok(Self {
            name: row.text(1)?,
            envs: list(2, "envs")?,
            allowed_origins: list(3, "allowed origins")?,
            created_at: row.timestamp(4)?,
            updated_at: row.timestamp(5)?,
            tag,
        })
    }
}

/// A list of strings as the JSON text stored in a TEXT column.
pub(crate) fn json_list(items: &[String]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| Error::Internal(format!("cannot encode a list: {e}")))
}

impl FromSqlRow for ApiKeyRecord {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let id = row.text(0)?;
        let kind = row.text(1)?;
        let kind = KeyKind::parse(&kind)
            .ok_or_else(|| corrupt(&format!("kind of API key '{id}'"), &kind))?;
        Ok(Self {
            kind,
            product: row.opt_text(2)?,
            env: row.opt_text(3)?,
            name: row.text(4)?,
            hash: row.text(5)?,
            created_at: row.timestamp(6)?,
            id,
        })
    }
}

impl FromSqlRow for EnvKeyRecord {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let kid = row.text(0)?;
        let purpose = row.text(3)?;
        let purpose = KeyPurpose::parse(&purpose)
            .ok_or_else(|| corrupt(&format!("purpose of env key '{kid}'"), &purpose))?;
        Ok(Self {
            product: row.text(1)?,
            env: row.text(2)?,
            purpose,
            alg: row.text(4)?,
            sealed_secret: row.bytes(5)?,
            created_at: row.timestamp(6)?,
            retired_at: row.opt_timestamp(7)?,
            verify_until: row.opt_timestamp(8)?,
            kid,
        })
    }
}

impl FromSqlRow for SessionTypeRecord {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let product = row.text(0)?;
        let tag = row.text(1)?;
        let config = serde_json::from_str(&row.text(2)?).map_err(|e| {
            corrupt(
                &format!("configuration of session type '{tag}' in product '{product}'"),
                e,
            )
        })?;
        Ok(Self {
            config,
            created_at: row.timestamp(3)?,
            updated_at: row.timestamp(4)?,
            product,
            tag,
        })
    }
}

/// A session type's configuration as the JSON text stored in `session_types.config`.
pub(crate) fn config_json(record: &SessionTypeRecord) -> Result<String> {
    serde_json::to_string(&record.config)
        .map_err(|e| Error::Internal(format!("cannot encode session type '{}': {e}", record.tag)))
}

impl FromSqlRow for SessionRecord {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let created_at = row.timestamp(6)?;
        Ok(Self {
            id: row.text(0)?,
            product: row.text(1)?,
            env: row.text(2)?,
            tag: row.text(3)?,
            identifier: row.opt_text(4)?,
            data_jwe: row.text(5)?,
            created_at,
            token_lifetime_secs: row.int(7)?,
            token_issued_at: row.timestamp(8)?,
            token_expires_at: row.timestamp(9)?,
            refresh_expires_at: row.timestamp(10)?,
            last_active_at: row.timestamp(11)?,
            device: Device {
                ip: row.opt_text(12)?,
                user_agent: row.opt_text(13)?,
            },
            revoked_at: row.opt_timestamp(14)?,
            refresh_hash: row.text(15)?,
            previous_refresh_hash: row.opt_text(16)?,
            rotated_at: row.opt_timestamp(17)?,
            grace_answer: row.opt_bytes(18)?,
            data_version: row.int(19)?,
            auth_time: row.opt_timestamp(20)?.unwrap_or(created_at),
            amr: row.opt_text(21)?.map(|methods| amr_from_text(&methods)),
        })
    }
}

/// Authentication methods as stored: one TEXT, the names separated by single spaces.
pub(crate) fn amr_text(amr: Option<&[String]>) -> Option<String> {
    amr.map(|methods| methods.join(" "))
}

/// Authentication methods from their stored TEXT.
fn amr_from_text(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_owned).collect()
}

/// Columns of a superseded session, in the order [`Superseded`] is read.
macro_rules! superseded_columns {
    () => {
        "id, product, env, data_version, superseded_at, superseded_until"
    };
}
pub(crate) use superseded_columns;

/// A superseded session as [`superseded_columns!`] gives it.
impl FromSqlRow for Superseded {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            session_id: row.text(0)?,
            product: row.text(1)?,
            env: row.text(2)?,
            version: row.int(3)?,
            at: row.timestamp(4)?,
            forget_after: row.timestamp(5)?,
        })
    }
}

impl FromSqlRow for Event {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let id = row.text(0)?;
        let kind = row.text(1)?;
        let kind = EventType::parse(&kind)
            .ok_or_else(|| corrupt(&format!("type of event '{id}'"), &kind))?;
        let actor = row.text(8)?;
        let actor = ActorKind::parse(&actor)
            .ok_or_else(|| corrupt(&format!("actor of event '{id}'"), &actor))?;
        let data = serde_json::from_str(&row.text(7)?)
            .map_err(|e| corrupt(&format!("data of event '{id}'"), e))?;
        Ok(Self {
            kind,
            at: row.timestamp(2)?,
            product: row.opt_text(3)?,
            env: row.opt_text(4)?,
            session_id: row.opt_text(5)?,
            identifier: row.opt_text(6)?,
            data,
            actor: Actor {
                kind: actor,
                key_id: row.opt_text(9)?,
            },
            id,
        })
    }
}

/// Columns of a revoked session, in the order [`Revoked`] is read.
macro_rules! revoked_columns {
    () => {
        "id, product, env, token_expires_at"
    };
}
pub(crate) use revoked_columns;

/// A revoked session as [`revoked_columns!`] gives it.
impl FromSqlRow for Revoked {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            session_id: row.text(0)?,
            product: row.text(1)?,
            env: row.text(2)?,
            forget_after: row.timestamp(3)?,
        })
    }
}

/// The facts of a session an event describes, as stored.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) id: String,
    pub(crate) product: String,
    pub(crate) env: String,
    pub(crate) tag: String,
    pub(crate) identifier: Option<String>,
    pub(crate) device: Device,
}

impl Facts {
    /// The facts as an event takes them.
    pub(crate) fn of(&self) -> SessionFacts<'_> {
        SessionFacts {
            id: &self.id,
            product: &self.product,
            env: &self.env,
            tag: &self.tag,
            identifier: self.identifier.as_deref(),
            device: &self.device,
        }
    }

    /// Reads the facts from `row`, from column `at` on (id, product, env, tag, identifier,
    /// device IP, device User-Agent).
    fn read(row: &impl SqlRow, at: usize) -> Result<Self> {
        Ok(Self {
            id: row.text(at)?,
            product: row.text(at + 1)?,
            env: row.text(at + 2)?,
            tag: row.text(at + 3)?,
            identifier: row.opt_text(at + 4)?,
            device: Device {
                ip: row.opt_text(at + 5)?,
                user_agent: row.opt_text(at + 6)?,
            },
        })
    }
}

/// The facts of any session record.
pub(crate) fn facts(s: &SessionRecord) -> SessionFacts<'_> {
    SessionFacts {
        id: &s.id,
        product: &s.product,
        env: &s.env,
        tag: &s.tag,
        identifier: s.identifier.as_deref(),
        device: &s.device,
    }
}

/// The facts of a session as `RETURNING id, product, env, tag, identifier, device_ip,
/// device_user_agent` gives them.
impl FromSqlRow for Facts {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Self::read(row, 0)
    }
}

/// A revoked session as [`revoked_returning!`] gives it.
pub(crate) struct RevokedFacts {
    pub(crate) revoked: Revoked,
    pub(crate) facts: Facts,
}

impl FromSqlRow for RevokedFacts {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        let facts = Facts::read(row, 1)?;
        Ok(Self {
            revoked: Revoked {
                session_id: facts.id.clone(),
                product: facts.product.clone(),
                env: facts.env.clone(),
                forget_after: row.timestamp(0)?,
            },
            facts,
        })
    }
}

/// Revocations sorted by session id: RETURNING promises no order, callers get a stable one.
pub(crate) fn by_id(mut revoked: Vec<Revoked>) -> Vec<Revoked> {
    revoked.sort_by(|a, b| a.session_id.cmp(&b.session_id));
    revoked
}

/// A page of sessions from up to `limit + 1` rows (the extra one only says more exist).
pub(crate) fn session_page(
    mut sessions: Vec<SessionRecord>,
    count: u64,
    limit: u32,
) -> SessionPage {
    let has_more = sessions.len() > limit as usize;
    sessions.truncate(limit as usize);
    SessionPage {
        sessions,
        count,
        has_more,
    }
}

/// A `COUNT(*)` as the trait's unsigned count (counts are never negative).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

impl FromSqlRow for WebhookRecord {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            id: row.text(0)?,
            product: row.text(1)?,
            env: row.opt_text(2)?,
            url: row.text(3)?,
            events: EventSelection::from_stored(&row.text(4)?),
            description: row.opt_text(5)?,
            enabled: row.int(6)? == 1,
            sealed_secret: row.bytes(7)?,
            created_at: row.timestamp(8)?,
            updated_at: row.timestamp(9)?,
            failing_since: row.opt_timestamp(10)?,
        })
    }
}

/// A claimed delivery with its endpoint's URL and secret, as the claim selects them.
impl FromSqlRow for DueDelivery {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            webhook_id: row.text(0)?,
            event_id: row.text(1)?,
            payload: row.text(2)?,
            attempts: u32::try_from(row.int(3)?).unwrap_or(u32::MAX),
            url: row.text(4)?,
            sealed_secret: row.bytes(5)?,
            failing_since: row.opt_timestamp(6)?,
        })
    }
}

impl FromSqlRow for Attempt {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            webhook_id: row.text(0)?,
            event_id: row.text(1)?,
            event_type: row.text(2)?,
            at: row.timestamp(3)?,
            attempt: u32::try_from(row.int(4)?).unwrap_or(u32::MAX),
            status: row
                .opt_int(5)?
                .map(|s| u16::try_from(s).unwrap_or(u16::MAX)),
            error: row.opt_text(6)?,
            duration_ms: u64::try_from(row.int(7)?).unwrap_or(0),
        })
    }
}
