//! The hallpass HTTP layer. It only translates: JSON wire types in, a [`hallpass::Hallpass`]
//! call, wire types or the one error shape out. No rule of the product is decided here.

mod client;
mod convert;
mod cookies;
mod detach;
mod error;
mod extract;
mod metrics;
mod openapi;
mod routes;
mod server;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use hallpass::Hallpass;
pub use ipnet::IpNet;

pub use error::ApiError;
pub use openapi::openapi_document;
pub use server::{Limits, serve};

/// Default request body limit: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// What every handler reaches.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The service.
    pub hallpass: Arc<Hallpass>,
    /// Proxies whose `X-Forwarded-For` names the client (browser devices); none by default.
    pub trusted_proxies: Arc<[IpNet]>,
}

impl AppState {
    /// State over a service, trusting no proxy.
    pub fn new(hallpass: Arc<Hallpass>) -> Self {
        Self {
            hallpass,
            trusted_proxies: Arc::new([]),
        }
    }

    /// The same state, taking client addresses from `X-Forwarded-For` when the peer is in one
    /// of these networks.
    #[must_use]
    pub fn with_trusted_proxies(self, proxies: Vec<IpNet>) -> Self {
        Self {
            trusted_proxies: proxies.into(),
            ..self
        }
    }
}

/// The whole API v1 as an axum router, with the default body limit.
pub fn router(state: AppState) -> Router {
    router_with_body_limit(state, DEFAULT_BODY_LIMIT)
}

/// The whole API v1 with a chosen body limit.
pub fn router_with_body_limit(state: AppState, body_limit: usize) -> Router {
    let detached = routes::others().layer(axum::middleware::from_fn_with_state(
        detach::slots(),
        detach::run_to_completion,
    ));
    routes::session_checks(body_limit)
        .merge(detached)
        .with_state(state)
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(extract::RouteBodyLimit(body_limit)))
        .layer(axum::middleware::from_fn(metrics::track))
}
