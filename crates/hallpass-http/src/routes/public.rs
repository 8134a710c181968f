//! Routes that need no key: JWKS, health, readiness, metrics, the OpenAPI document.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use hallpass_api::ErrorBody;
use hallpass_api::formats::Tag;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// The env's public signing keys (asymmetric keys whose tokens may still be valid).
#[utoipa::path(get, path = "/v1/jwks/{product}/{env}", tag = "public",
    params(("product" = Tag, Path, description = "product tag"), ("env" = Tag, Path, description = "env tag")),
    responses((status = 200, description = "JSON Web Key Set", body = Object), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn jwks(
    State(s): State<AppState>,
    Path((product, env)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let jwks = s.hallpass.jwks(&product, &env).await?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(jwks)))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "public", responses((status = 200, body = Object)))]
pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the store answers.
#[utoipa::path(get, path = "/readyz", tag = "public",
    responses((status = 200, body = Object), (status = 503, body = ErrorBody)))]
pub(crate) async fn readyz(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    s.hallpass.ready().await?;
    Ok(Json(json!({"status": "ready"})))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "public", responses((status = 200, body = String, content_type = "text/plain")))]
pub(crate) async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    crate::metrics::render(&s)
}

/// This API as an OpenAPI 3.1 document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "public", responses((status = 200, body = Object)))]
pub(crate) async fn openapi(State(s): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], s.openapi)
}
