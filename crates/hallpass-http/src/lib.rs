//! The hallpass HTTP layer. It only translates: JSON wire types in, a [`hallpass::Hallpass`]
//! call, wire types or the one error shape out. No rule of the product is decided here.

mod client;
mod console_page;
mod convert;
mod cookies;
mod detach;
mod error;
mod extract;
mod metrics;
mod openapi;
mod routes;
mod server;
mod state;

use axum::Router;
use axum::extract::DefaultBodyLimit;
pub use ipnet::IpNet;

pub use error::ApiError;
pub use server::{Limits, serve};
pub use state::AppState;

/// Default request body limit: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The whole API v1 as an axum router, with the default body limit.
pub fn router(state: AppState) -> Router {
    router_with_body_limit(state, DEFAULT_BODY_LIMIT)
}

/// The whole API v1 with a chosen body limit.
pub fn router_with_body_limit(mut state: AppState, body_limit: usize) -> Router {
    let (routes, document) = api_parts(body_limit);
    state.openapi = serde_json::to_vec(&document)
        .unwrap_or_else(|_| b"{}".to_vec())
        .into();
    routes
        .merge(console_page::routes())
        .with_state(state)
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(extract::RouteBodyLimit(body_limit)))
        .layer(axum::middleware::from_fn(metrics::track))
}

/// The OpenAPI 3.1 document of every route (the one `GET /v1/openapi.json` serves).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_parts(DEFAULT_BODY_LIMIT).1
}

/// The route table's router and its finished OpenAPI document, from one declaration.
fn api_parts(body_limit: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = routes::api(openapi::base(), body_limit).split_for_parts();
    openapi::finish(&mut document);
    (routes, document)
}
