//! `/v1/session-types`: create, update, fetch, list, delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hallpass_api::formats::Tag;
use hallpass_api::{
    DeleteTypeQuery, Deleted, ErrorBody, ScopeQuery, SessionTypeBody, SessionTypeCreate,
    SessionTypeList, SessionTypeResponse,
};

use crate::convert;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, Backend};
use crate::state::AppState;

/// The fields of a session type a 422 may be about (`ErrorDetail::field`), by their wire
/// names.
const FIELDS: &[&str] = &[
    "tag",
    "name",
    "description",
    "schema",
    "selector",
    "expiry",
    "period",
    "refreshExpiry",
    "refreshPeriod",
    "refreshGrace",
    "cookie",
    "updateAge",
    "forwardData",
    "idleTimeout",
    "maxSessions",
    "onLimit",
];

/// The error of a session-type change, naming the field of [`FIELDS`] it is about.
fn naming_field(e: impl Into<ApiError>) -> ApiError {
    e.into().naming_field(FIELDS)
}

/// Creates a session type.
#[utoipa::path(post, path = "/v1/session-types", request_body = SessionTypeCreate, tag = "session-types",
    params(ScopeQuery),
    security(("bearer" = [])),
    responses((status = 201, body = SessionTypeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Backend(who): Backend,
    ApiQuery(q): ApiQuery<ScopeQuery>,
    ApiJson(mut body): ApiJson<SessionTypeBody>,
) -> Result<(StatusCode, Json<SessionTypeResponse>), ApiError> {
    let tag = body
        .tag
        .take()
        .ok_or_else(|| naming_field(ApiError::invalid_request("tag is required")))?;
    let product = body.product.take().or(q.product);
    let input = convert::session_type_input(body).map_err(naming_field)?;
    let record = s
        .hallpass
        .create_session_type(&who, product.as_deref(), &tag, input)
        .await
        .map_err(naming_field)?;
    Ok((StatusCode::CREATED, Json(convert::session_type(&record))))
}

/// Merges the given fields into a session type.
#[utoipa::path(patch, path = "/v1/session-types/{tag}", request_body = SessionTypeBody, tag = "session-types",
    params(("tag" = Tag, Path, description = "session type tag"), ScopeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SessionTypeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Backend(who): Backend,
    Path(tag): Path<String>,
    ApiQuery(q): ApiQuery<ScopeQuery>,
    ApiJson(mut body): ApiJson<SessionTypeBody>,
) -> Result<Json<SessionTypeResponse>, ApiError> {
    if body.tag.as_deref().is_some_and(|t| t != tag) {
        return Err(ApiError::invalid_request(
            "tag cannot be changed: create a new session type instead",
        ));
    }
    let product = body.product.take().or(q.product);
    let input = convert::session_type_input(body).map_err(naming_field)?;
    let record = s
        .hallpass
        .update_session_type(&who, product.as_deref(), &tag, input)
        .await
        .map_err(naming_field)?;
    Ok(Json(convert::session_type(&record)))
}

/// Fetches one session type.
#[utoipa::path(get, path = "/v1/session-types/{tag}", tag = "session-types",
    params(("tag" = Tag, Path, description = "session type tag"), ScopeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SessionTypeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn fetch(
    State(s): State<AppState>,
    Backend(who): Backend,
    Path(tag): Path<String>,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> Result<Json<SessionTypeResponse>, ApiError> {
    let record = s
        .hallpass
        .get_session_type(&who, q.product.as_deref(), &tag)
        .await?;
    Ok(Json(convert::session_type(&record)))
}

/// Lists the product's session types.
#[utoipa::path(get, path = "/v1/session-types", tag = "session-types", operation_id = "list_session_types", params(ScopeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SessionTypeList), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Backend(who): Backend,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> Result<Json<SessionTypeList>, ApiError> {
    let records = s
        .hallpass
        .list_session_types(&who, q.product.as_deref())
        .await?;
    Ok(Json(convert::session_type_list(&records)))
}

/// Deletes a session type (409 while it has active sessions, unless `force=true`).
#[utoipa::path(delete, path = "/v1/session-types/{tag}", tag = "session-types",
    params(("tag" = Tag, Path, description = "session type tag"), DeleteTypeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    Backend(who): Backend,
    Path(tag): Path<String>,
    ApiQuery(q): ApiQuery<DeleteTypeQuery>,
) -> Result<Json<Deleted>, ApiError> {
    s.hallpass
        .delete_session_type(&who, q.product.as_deref(), &tag, q.force.unwrap_or(false))
        .await?;
    Ok(Json(convert::deleted()))
}
