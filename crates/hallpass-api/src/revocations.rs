//! The data of the revocation feed's events (`GET /v1/revocations/{product}/{env}`, docs/API.md
//! §14.4). The feed is `text/event-stream`; each event's `data` is one of these, as JSON.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A revoked session: refuse every token whose `sid` is `sessionId` (data of a `revoked`
/// event, and an entry of a snapshot's `revoked`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokedSession {
    /// The session id (the tokens' `sid`).
    pub session_id: String,
    /// When its last token expires: the entry may be forgotten then.
    pub until: String,
}

/// A session whose data changed: refuse its tokens whose `ver` (0 when absent) is below
/// `version` (data of a `superseded` event, and an entry of a snapshot's `superseded`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupersededSession {
    /// The session id (the tokens' `sid`).
    pub session_id: String,
    /// The current data version: tokens with a lower `ver` are superseded.
    pub version: i64,
    /// When the data changed: tokens issued before it carry older data (for verifiers that
    /// read only `iat`, which is whole seconds: a token issued in the same second is ambiguous).
    pub before: String,
    /// When the last superseded token expires: the entry may be forgotten then.
    pub until: String,
}

/// Data of the `snapshot` event that starts a feed: everything to refuse now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationSnapshot {
    /// Revoked sessions whose tokens may still be unexpired.
    pub revoked: Vec<RevokedSession>,
    /// Sessions with superseded tokens still unexpired.
    pub superseded: Vec<SupersededSession>,
}
