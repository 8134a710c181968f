//! What every handler reaches.

use std::sync::Arc;
use std::time::Duration;

use hallpass::Hallpass;
use ipnet::IpNet;

/// The revocation feed's heartbeat: well within the 60 s idle timeout common proxies and load
/// balancers apply to a response that sends nothing.
pub const FEED_HEARTBEAT: Duration = Duration::from_secs(15);

/// The state of the router: the service, the proxies it trusts, and the API's description.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The service.
    pub hallpass: Arc<Hallpass>,
    /// Proxies whose `X-Forwarded-For` names the client (browser devices); none by default.
    pub trusted_proxies: Arc<[IpNet]>,
    /// How often the revocation feed sends a comment line, so proxies keep it open.
    pub feed_heartbeat: Duration,
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
            feed_heartbeat: FEED_HEARTBEAT,
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

    /// The same state with another feed heartbeat.
    #[must_use]
    pub fn with_feed_heartbeat(self, every: Duration) -> Self {
        Self {
            feed_heartbeat: every,
            ..self
        }
    }
}
