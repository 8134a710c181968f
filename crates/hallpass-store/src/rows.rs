//! Rows as the database returns them and their conversion to domain records.
//!
//! The column types (TEXT, INTEGER milliseconds, BLOB, JSON text) are the same in every
//! backend, so these structs serve SQLite and PostgreSQL alike.

use hallpass_core::Timestamp;
use hallpass_core::model::{
    ApiKeyRecord, Device, EnvKeyRecord, KeyKind, KeyPurpose, Product, SessionRecord,
};
use hallpass_core::session_type::SessionTypeRecord;
use hallpass_core::store::{Revoked, SessionPage};
use hallpass_core::{Error, Result};

use crate::error::corrupt;

/// Columns of `products`, in [`ProductRow`] order.
macro_rules! product_columns {
    () => {
        "tag, name, envs, allowed_origins, created_at, updated_at"
    };
}
pub(crate) use product_columns;

/// Columns of `api_keys`, in [`ApiKeyRow`] order.
macro_rules! api_key_columns {
    () => {
        "id, kind, product, env, name, hash, created_at"
    };
}
pub(crate) use api_key_columns;

/// Columns of `env_keys`, in [`EnvKeyRow`] order.
macro_rules! env_key_columns {
    () => {
        "kid, product, env, purpose, alg, sealed_secret, created_at, retired_at, verify_until"
    };
}
pub(crate) use env_key_columns;

/// Columns of `session_types`, in [`SessionTypeRow`] order.
macro_rules! session_type_columns {
    () => {
        "product, tag, config, created_at, updated_at"
    };
}
pub(crate) use session_type_columns;

/// Columns of `sessions`, in [`SessionRow`] order.
macro_rules! session_columns {
    () => {
        "id, product, env, tag, identifier, data_jwe, created_at, token_lifetime_secs, \
         token_issued_at, token_expires_at, refresh_expires_at, last_active_at, device_ip, \
         device_user_agent, revoked_at, refresh_hash, previous_refresh_hash, rotated_at, \
         grace_answer"
    };
}
pub(crate) use session_columns;

/// A `products` row.
#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    tag: String,
    name: String,
    envs: String,
    allowed_origins: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ProductRow> for Product {
    type Error = Error;

    fn try_from(row: ProductRow) -> Result<Self> {
        let list = |field: &str, text: &str| -> Result<Vec<String>> {
            serde_json::from_str(text)
                .map_err(|e| corrupt(&format!("{field} of product '{}'", row.tag), e))
        };
        Ok(Self {
            envs: list("envs", &row.envs)?,
            allowed_origins: list("allowed origins", &row.allowed_origins)?,
            tag: row.tag,
            name: row.name,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}

/// A list of strings as the JSON text stored in a TEXT column.
pub(crate) fn json_list(items: &[String]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| Error::Internal(format!("cannot encode a list: {e}")))
}

/// An `api_keys` row.
#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    id: String,
    kind: String,
    product: Option<String>,
    env: Option<String>,
    name: String,
    hash: String,
    created_at: i64,
}

impl TryFrom<ApiKeyRow> for ApiKeyRecord {
    type Error = Error;

    fn try_from(row: ApiKeyRow) -> Result<Self> {
        let kind = KeyKind::parse(&row.kind)
            .ok_or_else(|| corrupt(&format!("kind of API key '{}'", row.id), &row.kind))?;
        Ok(Self {
            id: row.id,
            kind,
            product: row.product,
            env: row.env,
            name: row.name,
            hash: row.hash,
            created_at: Timestamp::from_millis(row.created_at),
        })
    }
}

/// An `env_keys` row.
#[derive(sqlx::FromRow)]
pub(crate) struct EnvKeyRow {
    kid: String,
    product: String,
    env: String,
    purpose: String,
    alg: String,
    sealed_secret: Vec<u8>,
    created_at: i64,
    retired_at: Option<i64>,
    verify_until: Option<i64>,
}

impl TryFrom<EnvKeyRow> for EnvKeyRecord {
    type Error = Error;

    fn try_from(row: EnvKeyRow) -> Result<Self> {
        let purpose = KeyPurpose::parse(&row.purpose)
            .ok_or_else(|| corrupt(&format!("purpose of env key '{}'", row.kid), &row.purpose))?;
        Ok(Self {
            kid: row.kid,
            product: row.product,
            env: row.env,
            purpose,
            alg: row.alg,
            sealed_secret: row.sealed_secret,
            created_at: Timestamp::from_millis(row.created_at),
            retired_at: row.retired_at.map(Timestamp::from_millis),
            verify_until: row.verify_until.map(Timestamp::from_millis),
        })
    }
}

/// A `session_types` row.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionTypeRow {
    product: String,
    tag: String,
    config: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<SessionTypeRow> for SessionTypeRecord {
    type Error = Error;

    fn try_from(row: SessionTypeRow) -> Result<Self> {
        let config = serde_json::from_str(&row.config).map_err(|e| {
            corrupt(
                &format!(
                    "configuration of session type '{}' in product '{}'",
                    row.tag, row.product
                ),
                e,
            )
        })?;
        Ok(Self {
            product: row.product,
            tag: row.tag,
            config,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}

/// A session type's configuration as the JSON text stored in `session_types.config`.
pub(crate) fn config_json(record: &SessionTypeRecord) -> Result<String> {
    serde_json::to_string(&record.config)
        .map_err(|e| Error::Internal(format!("cannot encode session type '{}': {e}", record.tag)))
}

/// A `sessions` row.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    product: String,
    env: String,
    tag: String,
    identifier: Option<String>,
    data_jwe: String,
    created_at: i64,
    token_lifetime_secs: i64,
    token_issued_at: i64,
    token_expires_at: i64,
    refresh_expires_at: i64,
    last_active_at: i64,
    device_ip: Option<String>,
    device_user_agent: Option<String>,
    revoked_at: Option<i64>,
    refresh_hash: String,
    previous_refresh_hash: Option<String>,
    rotated_at: Option<i64>,
    grace_answer: Option<Vec<u8>>,
}

impl From<SessionRow> for SessionRecord {
    fn from(row: SessionRow) -> Self {
        Self {
            id: row.id,
            product: row.product,
            env: row.env,
            tag: row.tag,
            identifier: row.identifier,
            data_jwe: row.data_jwe,
            created_at: Timestamp::from_millis(row.created_at),
            token_lifetime_secs: row.token_lifetime_secs,
            token_issued_at: Timestamp::from_millis(row.token_issued_at),
            token_expires_at: Timestamp::from_millis(row.token_expires_at),
            refresh_expires_at: Timestamp::from_millis(row.refresh_expires_at),
            last_active_at: Timestamp::from_millis(row.last_active_at),
            device: Device {
                ip: row.device_ip,
                user_agent: row.device_user_agent,
            },
            revoked_at: row.revoked_at.map(Timestamp::from_millis),
            refresh_hash: row.refresh_hash,
            previous_refresh_hash: row.previous_refresh_hash,
            rotated_at: row.rotated_at.map(Timestamp::from_millis),
            grace_answer: row.grace_answer,
        }
    }
}

impl TryFrom<&rusqlite::Row<'_>> for SessionRow {
    type Error = rusqlite::Error;

    /// A row selected with [`session_columns!`] through rusqlite (SQLite's group commit).
    fn try_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            product: row.get(1)?,
            env: row.get(2)?,
            tag: row.get(3)?,
            identifier: row.get(4)?,
            data_jwe: row.get(5)?,
            created_at: row.get(6)?,
            token_lifetime_secs: row.get(7)?,
            token_issued_at: row.get(8)?,
            token_expires_at: row.get(9)?,
            refresh_expires_at: row.get(10)?,
            last_active_at: row.get(11)?,
            device_ip: row.get(12)?,
            device_user_agent: row.get(13)?,
            revoked_at: row.get(14)?,
            refresh_hash: row.get(15)?,
            previous_refresh_hash: row.get(16)?,
            rotated_at: row.get(17)?,
            grace_answer: row.get(18)?,
        })
    }
}

/// A revoked session's id and last token expiry, as `RETURNING id, token_expires_at` gives it.
#[derive(sqlx::FromRow)]
pub(crate) struct RevokedRow {
    id: String,
    token_expires_at: i64,
}

impl From<RevokedRow> for Revoked {
    fn from(row: RevokedRow) -> Self {
        Self {
            session_id: row.id,
            forget_after: Timestamp::from_millis(row.token_expires_at),
        }
    }
}

/// Revocations sorted by session id: RETURNING promises no order, callers get a stable one.
pub(crate) fn revoked_by_id(rows: Vec<RevokedRow>) -> Vec<Revoked> {
    let mut revoked: Vec<Revoked> = rows.into_iter().map(Revoked::from).collect();
    revoked.sort_by(|a, b| a.session_id.cmp(&b.session_id));
    revoked
}

/// Converts every row, failing on the first that does not convert.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> Result<Vec<T>>
where
    T: TryFrom<R, Error = Error>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// A page of sessions from up to `limit + 1` rows (the extra one only says more exist).
pub(crate) fn session_page(rows: Vec<SessionRow>, count: u64, limit: u32) -> SessionPage {
    let mut sessions: Vec<SessionRecord> = rows.into_iter().map(SessionRecord::from).collect();
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
