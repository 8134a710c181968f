//! The route table: one module per resource, each route declared once. The `#[utoipa::path]`
//! of a handler says its method and path; `routes!` takes both from there for the router and
//! for the OpenAPI document alike.

pub(crate) mod admin;
pub(crate) mod browser;
pub(crate) mod console;
pub(crate) mod events;
pub(crate) mod forward_auth;
pub(crate) mod public;
pub(crate) mod revocation_feed;
pub(crate) mod session_types;
pub(crate) mod sessions;
pub(crate) mod webhooks;

use axum::Extension;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::detach;
use crate::extract::RouteBodyLimit;
use crate::state::AppState;

/// Every route of API v1, with its OpenAPI description, starting from the document `base`.
/// `body_limit` is the request body limit of every route but verify.
pub(crate) fn api(base: utoipa::openapi::OpenApi, body_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(base)
        .merge(session_checks(body_limit))
        .merge(others().layer(axum::middleware::from_fn_with_state(
            detach::slots(),
            detach::run_to_completion,
        )))
}

/// The session checks, verify and forward-auth: they change nothing and come with every
/// request of a session, so they run in place, without a task of their own (see `detach.rs`).
/// Verify takes twice the body limit, because a token carries its data twice base64-encoded
/// (JWE inside JWS) and every session that `start` accepted must stay verifiable.
fn session_checks(body_limit: usize) -> OpenApiRouter<AppState> {
    let verify = OpenApiRouter::new()
        .routes(routes!(sessions::verify))
        .layer((
            DefaultBodyLimit::max(body_limit.saturating_mul(2)),
            Extension(RouteBodyLimit(body_limit.saturating_mul(2))),
        ));
    // A proxy asks with the method of the request it checks (nginx's auth_request repeats
    // it), so forward-auth takes every method the document can name; others are 405.
    verify.routes(routes!(forward_auth::forward_auth))
}

/// Every other route of API v1.
fn others() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sessions::start))
        .routes(routes!(sessions::refresh))
        .routes(routes!(sessions::revoke))
        .routes(routes!(sessions::revoke_all))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::update))
        .routes(routes!(sessions::update_all))
        .routes(routes!(sessions::reauthenticate))
        .routes(routes!(session_types::create, session_types::list))
        .routes(routes!(
            session_types::fetch,
            session_types::update,
            session_types::remove
        ))
        .routes(routes!(admin::create_product, admin::list_products))
        .routes(routes!(admin::update_product, admin::get_product))
        .routes(routes!(admin::rotate_signing_key))
        .routes(routes!(admin::create_key, admin::list_keys))
        .routes(routes!(admin::delete_key))
        .routes(routes!(events::list_events))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::webhook_deliveries))
        .routes(routes!(revocation_feed::revocation_feed))
        .routes(routes!(browser::session))
        .routes(routes!(browser::refresh))
        .routes(routes!(browser::sign_out))
        .routes(routes!(browser::sessions))
        .routes(routes!(browser::revoke_session))
        .routes(routes!(console::console_sign_in))
        .routes(routes!(console::console_session))
        .routes(routes!(console::console_sign_out))
        .routes(routes!(public::jwks))
        .routes(routes!(public::healthz))
        .routes(routes!(public::readyz))
        .routes(routes!(public::metrics))
        .routes(routes!(public::openapi))
}
