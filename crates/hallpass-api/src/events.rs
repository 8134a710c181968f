//! Bodies of the audit query: events as `GET /v1/events` answers them and webhooks send them.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::formats::{EventTypeName, Identifier, PageSize, Tag};

/// `GET /v1/events` query: every field is optional, and `type` may repeat.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct EventsQuery {
    /// Product (an access key's own by default; all products for an admin key without it).
    #[param(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Only this env's events.
    #[param(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Only events of these types (repeat the parameter for several).
    #[serde(default, rename = "type")]
    #[param(rename = "type", value_type = Option<Vec<EventTypeName>>, explode = true)]
    pub types: Vec<String>,
    /// Only events about this identifier's sessions.
    #[param(value_type = Option<Identifier>)]
    pub identifier: Option<String>,
    /// Only events about this session.
    #[param(min_length = 1, max_length = 64)]
    pub session_id: Option<String>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size (default 100, max 1000).
    #[param(value_type = Option<PageSize>)]
    pub limit: Option<u32>,
}

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActorBody {
    /// `admin`, `access`, `browser` or `system`.
    pub kind: String,
    /// The API key's id (admin and access keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventBody {
    /// `evt_` and an id that sorts in creation order.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    #[schema(value_type = EventTypeName)]
    pub kind: String,
    /// When it happened.
    pub timestamp: String,
    /// The product; null for what belongs to the whole deployment (admin keys).
    pub product: Option<String>,
    /// The env; null for what belongs to every env of the product.
    pub env: Option<String>,
    /// The details (docs/API.md §14.1 lists them per type): ids, tags, the identifier, the
    /// device, a cause; never session data, tokens or secrets.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// Who caused it.
    pub actor: ActorBody,
}

/// Answer of `GET /v1/events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsResponse {
    /// Events, newest first.
    pub events: Vec<EventBody>,
    /// Cursor of the next (older) page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
