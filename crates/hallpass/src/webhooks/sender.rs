//! Sending one delivery: a signed `POST` per the Standard Webhooks specification, with no
//! redirects followed, a deadline, and no request into the server's own network unless the
//! server allows it (a host name is checked after it resolves, so DNS cannot point a webhook
//! at an internal address).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hallpass_core::webhooks::{ATTEMPT_TIMEOUT, is_private, signature};
use hallpass_core::{Error, Result};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Bytes of an endpoint's answer read at most (the body is not used; reading a little lets
/// the connection be reused).
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// What an attempt came to.
#[derive(Debug)]
pub(crate) struct Sent {
    /// The endpoint's status, when it answered.
    pub status: Option<u16>,
    /// Why it is no success, when it is none.
    pub error: Option<String>,
    /// How long it took.
    pub took: Duration,
}

/// Resolves host names, leaving out the server's own network unless allowed.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| allow_private || !is_private(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback or private addresses, which webhooks do not reach without --allow-private-webhooks"
                )
                .into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client of deliveries.
pub(crate) struct Sender {
    client: reqwest::Client,
}

impl Sender {
    /// A client that follows no redirects and gives up after [`ATTEMPT_TIMEOUT`].
    pub(crate) fn new(allow_private: bool) -> Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(ATTEMPT_TIMEOUT / 2)
            .pool_max_idle_per_host(4)
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .user_agent(concat!("hallpass-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the webhook client: {e}")))?;
        Ok(Self { client })
    }

    /// Posts `payload` (the event `event_id`) to `url`, signed with `key` at `timestamp_secs`.
    pub(crate) async fn send(
        &self,
        url: &str,
        key: &[u8],
        event_id: &str,
        payload: &str,
        timestamp_secs: i64,
    ) -> Sent {
        let started = tokio::time::Instant::now();
        let request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", event_id)
            .header("webhook-timestamp", timestamp_secs.to_string())
            .header(
                "webhook-signature",
                signature(key, event_id, timestamp_secs, payload.as_bytes()),
            )
            .body(payload.to_owned());
        let (status, error) = match request.send().await {
            Ok(mut answer) => {
                let status = answer.status();
                let mut read = 0;
                while read < MAX_ANSWER_BYTES {
                    match answer.chunk().await {
                        Ok(Some(chunk)) => read += chunk.len(),
                        Ok(None) | Err(_) => break,
                    }
                }
                let error = if status.is_success() {
                    None
                } else if status.is_redirection() {
                    Some(format!("answered {status}: redirects are not followed"))
                } else {
                    Some(format!("answered {status}"))
                };
                (Some(status.as_u16()), error)
            }
            Err(e) => (None, Some(describe(&e))),
        };
        Sent {
            status,
            error,
            took: started.elapsed(),
        }
    }
}

/// A failure without an answer, in words that name what to fix (never the secret or body).
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    if e.is_timeout() {
        return format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs());
    }
    let mut cause = e.source();
    let mut deepest = None;
    while let Some(c) = cause {
        deepest = Some(c.to_string());
        cause = c.source();
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    match deepest {
        Some(detail) => format!("{what}: {detail}"),
        None => what.to_owned(),
    }
}
