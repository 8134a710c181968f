//! `/v1/webhooks`: endpoints, their test and their deliveries log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hallpass_api::{
    Deleted, DeliveriesQuery, DeliveryAttempt, DeliveryList, ErrorBody, WebhookCreate,
    WebhookCreated, WebhookList, WebhookListQuery, WebhookPatchBody, WebhookResponse,
};

use crate::convert;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::state::AppState;

/// Creates a webhook endpoint; the answer holds its secret, shown only here.
#[utoipa::path(post, path = "/v1/webhooks", request_body = WebhookCreate, tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 201, body = WebhookCreated), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn create_webhook(
    State(s): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<WebhookCreate>,
) -> Result<(StatusCode, Json<WebhookCreated>), ApiError> {
    let created = s
        .hallpass
        .create_webhook(&who, convert::webhook_input(body))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::webhook_created(&created)),
    ))
}

/// Lists the product's endpoints (without secrets).
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    params(WebhookListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookList), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list_webhooks(
    State(s): State<AppState>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<WebhookListQuery>,
) -> Result<Json<WebhookList>, ApiError> {
    let webhooks = s.hallpass.list_webhooks(&who, q.product.as_deref()).await?;
    Ok(Json(WebhookList {
        webhooks: webhooks.iter().map(convert::webhook).collect(),
    }))
}

/// Fetches one endpoint.
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id")),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_webhook(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let record = s.hallpass.get_webhook(&who, &id).await?;
    Ok(Json(convert::webhook(&record)))
}

/// Changes an endpoint's url, events, description or enabled.
#[utoipa::path(patch, path = "/v1/webhooks/{id}", request_body = WebhookPatchBody, tag = "webhooks",
    params(("id" = String, Path, description = "webhook id")),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn update_webhook(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WebhookPatchBody>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let record = s
        .hallpass
        .update_webhook(&who, &id, convert::webhook_patch(body))
        .await?;
    Ok(Json(convert::webhook(&record)))
}

/// Deletes an endpoint with its pending deliveries and its log.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id")),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn delete_webhook(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    s.hallpass.delete_webhook(&who, &id).await?;
    Ok(Json(convert::deleted()))
}

/// Sends a `webhook.test` event to the endpoint now, and answers the attempt.
#[utoipa::path(post, path = "/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id")),
    security(("bearer" = [])),
    responses((status = 200, body = DeliveryAttempt), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn test_webhook(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<DeliveryAttempt>, ApiError> {
    let attempt = s.hallpass.test_webhook(&who, &id).await?;
    Ok(Json(convert::delivery_attempt(&attempt)))
}

/// The endpoint's latest attempts, newest first.
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id"), DeliveriesQuery),
    security(("bearer" = [])),
    responses((status = 200, body = DeliveryList), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn webhook_deliveries(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let attempts = s.hallpass.webhook_attempts(&who, &id, q.limit).await?;
    Ok(Json(DeliveryList {
        deliveries: attempts.iter().map(convert::delivery_attempt).collect(),
    }))
}
