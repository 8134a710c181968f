//! What every handler reaches.

use std::sync::Arc;

use hallpass::Hallpass;
use ipnet::IpNet;

/// The state of the router: the service, the proxies it trusts, and the API's description.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The service.
    pub hallpass: Arc<Hallpass>,
    /// Proxies whose `X-Forwarded-For` names the client (browser devices); none by default.
    pub trusted_proxies: Arc<[IpNet]>,
    /// The OpenAPI document of the router this state serves, as JSON (set when the router is
    /// built).
    pub(crate) openapi: axum::body::Bytes,
}

impl AppState {
    /// State over a service, trusting no proxy.
    pub fn new(hallpass: Arc<Hallpass>) -> Self {
        Self {
            hallpass,
            trusted_proxies: Arc::new([]),
            openapi: axum::body::Bytes::from_static(b"{}"),
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
