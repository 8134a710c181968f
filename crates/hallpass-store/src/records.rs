//! Domain records as the tables store them: the column lists, and reading each record from a
//! row by column position.
//!
//! The column types (TEXT, integer milliseconds, BLOB/BYTEA, JSON text) are the same in both
//! schemas, so one reading serves sqlx rows of either database and rusqlite rows of SQLite's
//! group commit.

use hallpass_core::model::{
    ApiKeyRecord, Device, EnvKeyRecord, KeyKind, KeyPurpose, Product, SessionRecord,
};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{Revoked, SessionPage, Superseded};
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

/// A superseded session as `RETURNING id, data_version, superseded_until` gives it.
impl FromSqlRow for Superseded {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            session_id: row.text(0)?,
            version: row.int(1)?,
            forget_after: row.timestamp(2)?,
        })
    }
}

/// A revoked session's id and last token expiry, as `RETURNING id, token_expires_at` gives it.
impl FromSqlRow for Revoked {
    fn from_row(row: &impl SqlRow) -> Result<Self> {
        Ok(Self {
            session_id: row.text(0)?,
            forget_after: row.timestamp(1)?,
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
