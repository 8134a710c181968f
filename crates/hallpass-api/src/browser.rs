//! Bodies of the browser endpoints `/v1/browser/{product}/{env}/{tag}/*` (docs/API.md §8). No
//! token is ever in a body: the browser holds them in httpOnly cookies.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::SessionItem;

/// The session a browser's cookie names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowserSessionInfo {
    /// Session id.
    pub session_id: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier.
    pub identifier: Option<String>,
    /// When the session started.
    pub created_at: String,
    /// When the token in the cookie expires.
    pub expires_at: String,
}

/// Answer of `GET session`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BrowserSessionResponse {
    /// The session.
    pub session: BrowserSessionInfo,
    /// The session data.
    pub data: Value,
}

/// Answer of `POST refresh`: the session with its new token's expiry (the tokens are in the
/// cookies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowserRefreshResponse {
    /// The session.
    pub session: BrowserSessionInfo,
    /// When the session ends unless refreshed again.
    pub refresh_expires_at: String,
}

/// One session in the browser's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowserSessionItem {
    /// The session, as in `POST /v1/sessions/list`.
    #[serde(flatten)]
    pub item: SessionItem,
    /// Whether it is the session of the calling browser.
    pub current: bool,
}

/// Answer of `GET sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BrowserSessionsResponse {
    /// The user's active sessions, newest first.
    pub sessions: Vec<BrowserSessionItem>,
    /// How many there are.
    pub count: u64,
}
