//! Bodies of `/v1/sessions/*`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::formats::{
    AuthAgeSecs, Identifier, IdentifierInput, IpAddress, LifetimeSecs, PageSize, Tag, UserAgent,
};
use crate::whole;

/// Where a session was started from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceBody {
    /// Client IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<IpAddress>)]
    pub ip: Option<String>,
    /// Client User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<UserAgent>)]
    pub user_agent: Option<String>,
}

/// `POST /v1/sessions/start`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// Session data, encrypted into the token.
    #[schema(value_type = Object)]
    pub data: Value,
    /// The user's identifier (string or number); else the type's selector picks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<IdentifierInput>)]
    pub identifier: Option<Value>,
    /// Token lifetime override in seconds (1 to 31536000).
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<LifetimeSecs>)]
    pub expires_in: Option<u64>,
    /// Device.
    #[serde(
        default,
        deserialize_with = "crate::object::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub device: Option<DeviceBody>,
    /// How the user authenticated (`amr`), e.g. `["pwd", "otp"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::formats::amr_list)]
    pub amr: Option<Vec<String>>,
}

/// Answer of start and refresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedResponse {
    /// Session id.
    pub session_id: String,
    /// The session token (JWT).
    pub token: String,
    /// The refresh token (`hp_rt_…`), single use.
    pub refresh_token: String,
    /// When the token expires.
    pub expires_at: String,
    /// When the session (its refresh token) ends.
    pub refresh_expires_at: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier.
    pub identifier: Option<String>,
    /// `Set-Cookie` values, when the type has cookie settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<Vec<String>>,
}

/// `POST /v1/sessions/verify`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// The session token.
    pub token: String,
    /// Refuse the token (`reauthentication_required`) when the user authenticated longer ago
    /// than this many seconds.
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<AuthAgeSecs>)]
    pub max_auth_age: Option<u64>,
}

/// Answer of verify.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    /// Session id.
    pub session_id: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier.
    pub identifier: Option<String>,
    /// Decrypted session data.
    #[schema(value_type = Object)]
    pub data: Value,
    /// When the token was issued.
    pub issued_at: String,
    /// When the token expires.
    pub expires_at: String,
    /// When the user last proved who they are (`auth_time`).
    pub authenticated_at: String,
    /// How they did (`amr`), or null.
    pub amr: Option<Vec<String>>,
    /// When the session goes idle if nothing else happens; null without an idle timeout.
    pub idle_expires_at: Option<String>,
}

/// `POST /v1/sessions/refresh`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// `POST /v1/sessions/revoke`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokeRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// Session id.
    pub session_id: String,
}

/// Answer of revoke.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokeResponse {
    /// True if the session was active, false if it had already ended.
    pub revoked: bool,
}

/// `POST /v1/sessions/revoke-all`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokeAllRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// The user's identifier.
    #[schema(value_type = Identifier)]
    pub identifier: String,
    /// A session id to keep (the caller's current session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_current_session: Option<String>,
}

/// Answer of revoke-all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokeAllResponse {
    /// Sessions revoked.
    pub revoked_count: u64,
}

/// `POST /v1/sessions/list`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// The user's identifier.
    #[schema(value_type = Identifier)]
    pub identifier: String,
    /// Page size (default 100, max 1000).
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<PageSize>)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One active session in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionItem {
    /// Session id.
    pub session_id: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier.
    pub identifier: Option<String>,
    /// When the session started.
    pub created_at: String,
    /// When its latest token expires.
    pub expires_at: String,
    /// When the session ends.
    pub refresh_expires_at: String,
    /// Last activity (start, refresh, update, browser calls, verify at most once a minute).
    pub last_active_at: String,
    /// When the session goes idle without further activity; null without an idle timeout.
    pub idle_expires_at: Option<String>,
    /// Device.
    pub device: DeviceBody,
}

/// Answer of list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse {
    /// Sessions, newest first.
    pub sessions: Vec<SessionItem>,
    /// Active sessions of the identifier in all.
    pub count: u64,
    /// Cursor of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/sessions/update`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// Session id.
    pub session_id: String,
    /// The new data: merged into the current data (a key given as `null` is removed), or
    /// replacing it with `merge: false`.
    #[schema(value_type = Object)]
    pub data: Value,
    /// Shallow merge (default true) or replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<bool>,
}

/// `POST /v1/sessions/update-all`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAllRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// The user's identifier.
    #[schema(value_type = Identifier)]
    pub identifier: String,
    /// The new data, applied to each active session as `update` does.
    #[schema(value_type = Object)]
    pub data: Value,
    /// Shallow merge (default true) or replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<bool>,
}

/// Answer of update-all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAllResponse {
    /// Sessions changed.
    pub updated_count: u64,
}

/// `POST /v1/sessions/reauthenticate`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReauthenticateRequest {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Session type tag.
    #[schema(value_type = Tag)]
    pub tag: String,
    /// Session id.
    pub session_id: String,
    /// How the user authenticated this time; replaces the session's methods (kept if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::formats::amr_list)]
    pub amr: Option<Vec<String>>,
}

/// Answer of update and reauthenticate: the session after the change, with a fresh token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResponse {
    /// Session id.
    pub session_id: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier (never changed by an update).
    pub identifier: Option<String>,
    /// The session data after the change.
    #[schema(value_type = Object)]
    pub data: Value,
    /// A token carrying the current data and authentication time.
    pub token: String,
    /// When that token expires.
    pub expires_at: String,
    /// When the change was made.
    pub updated_at: String,
}
