//! Bodies of the webhook routes (`/v1/webhooks`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::formats::{PageSize, Tag, WebhookEventName};

/// `POST /v1/webhooks`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookCreate {
    /// Product (defaults to the key's; required with an admin key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Only this env's events (default: every env's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Where deliveries go: `https://` (loopback and private addresses, and `http://` to
    /// them, only with `--allow-private-webhooks`).
    #[schema(max_length = 2048)]
    pub url: String,
    /// `["*"]` for every event type, or 1 to 13 type names.
    #[schema(value_type = Vec<WebhookEventName>, min_items = 1, max_items = 13)]
    pub events: Vec<String>,
    /// A note for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
}

/// `PATCH /v1/webhooks/{id}`: the fields given are replaced.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPatchBody {
    /// New URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    /// New event selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<WebhookEventName>>, min_items = 1, max_items = 13)]
    pub events: Option<Vec<String>>,
    /// New description; `null` clears it.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 1024)]
    pub description: Option<Option<String>>,
    /// Enable or disable deliveries (enabling again resumes the pending ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A webhook endpoint (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookResponse {
    /// `wh_…`.
    pub id: String,
    /// Product.
    pub product: String,
    /// Only this env's events; null for every env's.
    pub env: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// `["*"]` or the event types it takes.
    pub events: Vec<String>,
    /// The note.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Created.
    pub created_at: String,
    /// Since when every attempt has failed; null while deliveries succeed.
    pub failing_since: Option<String>,
}

/// Answer of `POST /v1/webhooks`: the endpoint and its secret, shown only here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookCreated {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// `whsec_…`: verify the `webhook-signature` of deliveries with it (Standard Webhooks).
    pub secret: String,
}

/// Answer of `GET /v1/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookList {
    /// The product's endpoints, oldest first.
    pub webhooks: Vec<WebhookResponse>,
}

/// One attempt of a delivery (or a test).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// The event delivered (`webhook-id`).
    pub event_id: String,
    /// Its type (`webhook.test` for a test).
    pub event_type: String,
    /// When the attempt started.
    pub attempted_at: String,
    /// 1 for the first attempt of the delivery.
    pub attempt: u32,
    /// Whether the endpoint answered 2xx.
    pub delivered: bool,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it is no success (no answer, a status that is no 2xx); null when delivered.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

/// Answer of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryList {
    /// The latest attempts, newest first.
    pub deliveries: Vec<DeliveryAttempt>,
}

/// `?product=` of `GET /v1/webhooks`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookListQuery {
    /// Product (defaults to the key's; required with an admin key).
    #[param(value_type = Option<Tag>)]
    pub product: Option<String>,
}

/// `?limit=` of the deliveries log.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// How many attempts (default 100, max 1000).
    #[param(value_type = Option<PageSize>)]
    pub limit: Option<u32>,
}
