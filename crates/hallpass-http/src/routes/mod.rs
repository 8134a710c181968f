//! Route table: one module per resource.

pub(crate) mod admin;
pub(crate) mod browser;
pub(crate) mod forward_auth;
pub(crate) mod public;
pub(crate) mod session_types;
pub(crate) mod sessions;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, delete, get, patch, post};
use axum::{Extension, Router};

use crate::AppState;
use crate::extract::RouteBodyLimit;

/// The session checks, verify and forward-auth: they change nothing and come with every
/// request of a session, so they run in place, without a task of their own (see `detach.rs`).
/// `body_limit` is the request body limit; verify takes twice as much, because a token carries
/// its data twice base64-encoded (JWE inside JWS) and every session that `start` accepted must
/// stay verifiable.
pub(crate) fn session_checks(body_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/v1/sessions/verify",
            post(sessions::verify).layer((
                DefaultBodyLimit::max(body_limit.saturating_mul(2)),
                Extension(RouteBodyLimit(body_limit.saturating_mul(2))),
            )),
        )
        .route("/v1/forward-auth", any(forward_auth::forward_auth))
}

/// Every other route of API v1.
pub(crate) fn others() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions/start", post(sessions::start))
        .route("/v1/sessions/refresh", post(sessions::refresh))
        .route("/v1/sessions/revoke", post(sessions::revoke))
        .route("/v1/sessions/revoke-all", post(sessions::revoke_all))
        .route("/v1/sessions/list", post(sessions::list))
        .route(
            "/v1/session-types",
            post(session_types::create).get(session_types::list),
        )
        .route(
            "/v1/session-types/{tag}",
            get(session_types::fetch)
                .patch(session_types::update)
                .delete(session_types::remove),
        )
        .route(
            "/v1/products",
            post(admin::create_product).get(admin::list_products),
        )
        .route(
            "/v1/products/{tag}",
            patch(admin::update_product).get(admin::get_product),
        )
        .route(
            "/v1/products/{product}/envs/{env}/signing-keys/rotate",
            post(admin::rotate_signing_key),
        )
        .route("/v1/keys", post(admin::create_key).get(admin::list_keys))
        .route("/v1/keys/{id}", delete(admin::delete_key))
        .route(
            "/v1/browser/{product}/{env}/{tag}/session",
            get(browser::session),
        )
        .route(
            "/v1/browser/{product}/{env}/{tag}/refresh",
            post(browser::refresh),
        )
        .route(
            "/v1/browser/{product}/{env}/{tag}/sign-out",
            post(browser::sign_out),
        )
        .route(
            "/v1/browser/{product}/{env}/{tag}/sessions",
            get(browser::sessions),
        )
        .route(
            "/v1/browser/{product}/{env}/{tag}/sessions/{id}",
            delete(browser::revoke_session),
        )
        .route("/v1/jwks/{product}/{env}", get(public::jwks))
        .route("/healthz", get(public::healthz))
        .route("/readyz", get(public::readyz))
        .route("/metrics", get(public::metrics))
        .route("/v1/openapi.json", get(public::openapi))
}
