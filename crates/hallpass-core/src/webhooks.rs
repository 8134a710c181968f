//! Webhooks: which events an endpoint takes, where it may be, how deliveries are signed, and
//! when a failed one is tried again (docs/API.md §14.3). No I/O here: the service sends, the
//! store keeps what is pending.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::events::EventType;
use crate::ids::truncate_for_message;
use crate::{Error, Result, Timestamp};

/// What a delivery is tried with: `webhook.test`, sent by `POST /v1/webhooks/{id}/test`, is no
/// recorded event, so it is not an [`EventType`].
pub const TEST_EVENT_TYPE: &str = "webhook.test";
/// The prefix of webhook secrets, as the Standard Webhooks libraries expect it.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;
/// Longest URL accepted.
const MAX_URL_LEN: usize = 2048;
/// Longest description.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// How long one attempt may take, connecting included; an answer after it is a failure.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// An endpoint whose every attempt has failed for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::from_secs(3 * 24 * 3600);

/// The wait before each retry, after the attempt of the same index failed (before jitter).
/// The first two retries come within a minute of the event; the rest spread over more than
/// four days, so an endpoint down for a weekend still gets everything, and one failing
/// throughout is disabled (after [`DISABLE_AFTER`]) before the schedule ends.
pub const RETRY_SCHEDULE: [Duration; 14] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(24 * 3600),
    Duration::from_secs(24 * 3600),
    Duration::from_secs(24 * 3600),
];

/// Jitter of each wait: up to this share of it either way, so that endpoints recovering
/// together are not all retried in the same instant.
const JITTER: f64 = 0.2;

/// When to try again after `failed_attempts` attempts have failed, `unit` being a random
/// number in `[0, 1)`; `None` once the schedule is over (the delivery has failed for good).
pub fn next_attempt_at(now: Timestamp, failed_attempts: u32, unit: f64) -> Option<Timestamp> {
    let index = usize::try_from(failed_attempts.checked_sub(1)?).ok()?;
    let wait = RETRY_SCHEDULE.get(index)?.as_millis() as f64;
    let jittered = wait * (1.0 + JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0));
    Some(now.plus_millis(jittered as i64))
}

/// Which events an endpoint takes: all (`["*"]`) or the listed types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSelection {
    /// Every type, also those added later.
    All,
    /// Only these.
    Only(Vec<EventType>),
}

impl EventSelection {
    /// Reads `events` of a request: `["*"]` (or any list holding `*`), or type names.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty list or an unknown name.
    pub fn from_request(names: &[String]) -> Result<Self> {
        if names.is_empty() {
            return Err(Error::invalid(
                "events must name at least one event type, or be [\"*\"] for all",
            ));
        }
        // `*` takes every type, so names beside it add nothing.
        if names.iter().any(|n| n == "*") {
            return Ok(Self::All);
        }
        let mut kinds = Vec::with_capacity(names.len());
        for name in names {
            let kind = EventType::from_request("events item", name)?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(Self::Only(kinds))
    }

    /// Whether an event of `kind` goes to the endpoint.
    pub fn matches(&self, kind: EventType) -> bool {
        match self {
            Self::All => true,
            Self::Only(kinds) => kinds.contains(&kind),
        }
    }

    /// The wire form: `["*"]` or the names.
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".to_owned()],
            Self::Only(kinds) => kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        }
    }

    /// As stored: `*` or the names joined by commas.
    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }

    /// Reads what [`EventSelection::to_stored`] wrote; a name this version does not know is
    /// skipped (a newer node may have written it).
    pub fn from_stored(text: &str) -> Self {
        if text == "*" {
            return Self::All;
        }
        Self::Only(text.split(',').filter_map(EventType::parse).collect())
    }
}

/// A webhook endpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRecord {
    /// `wh_` and a random id.
    pub id: String,
    /// The product whose events it takes.
    pub product: String,
    /// Only this env's events (`None`: the events of no env or any env of the product).
    pub env: Option<String>,
    /// Where deliveries go (checked by [`validate_url`]).
    pub url: String,
    /// Which events.
    pub events: EventSelection,
    /// A note for people.
    pub description: Option<String>,
    /// Whether deliveries are made (a disabled endpoint keeps its pending ones).
    pub enabled: bool,
    /// The secret, sealed with the master key bound to the id (it must be usable to sign, so
    /// it is encrypted, not hashed).
    pub sealed_secret: Vec<u8>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change (compare-and-set).
    pub updated_at: Timestamp,
    /// Since when every attempt has failed (`None` after a success, or before any attempt).
    pub failing_since: Option<Timestamp>,
}

impl WebhookRecord {
    /// Whether an event of `kind` in `product`/`env` goes to this endpoint: its product, the
    /// types it takes, and its env if it has one (an endpoint of every env also takes the
    /// events of no env, such as session type changes).
    pub fn takes(&self, kind: EventType, product: Option<&str>, env: Option<&str>) -> bool {
        product == Some(self.product.as_str())
            && self.events.matches(kind)
            && self.env.as_deref().is_none_or(|own| env == Some(own))
    }
}

/// A delivery due, claimed by this node until its lease ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDelivery {
    /// The endpoint.
    pub webhook_id: String,
    /// The event (`webhook-id` of every attempt).
    pub event_id: String,
    /// The body to send, the event as the audit query answers it.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The endpoint's URL as it is now.
    pub url: String,
    /// The endpoint's sealed secret.
    pub sealed_secret: Vec<u8>,
    /// Since when the endpoint has failed every attempt.
    pub failing_since: Option<Timestamp>,
}

/// One attempt, as the deliveries log shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The endpoint.
    pub webhook_id: String,
    /// The event.
    pub event_id: String,
    /// The event's type (`webhook.test` for a test).
    pub event_type: String,
    /// When it started.
    pub at: Timestamp,
    /// Which attempt of the delivery this was (1 for the first).
    pub attempt: u32,
    /// The endpoint's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why it failed without an HTTP answer, or what status is not a success.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

impl Attempt {
    /// Whether the endpoint took the delivery (any 2xx).
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What happens to a delivery after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Delivered: done.
    Delivered,
    /// Failed: try again then.
    Retry(Timestamp),
    /// Failed the last attempt of the schedule: given up.
    GiveUp,
}

/// A claimed delivery's attempt as its node records it: what happened, what follows, and from
/// when an endpoint failing every attempt is disabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// The attempt, for the deliveries log.
    pub attempt: Attempt,
    /// What happens to the delivery next.
    pub outcome: AttemptOutcome,
    /// An endpoint whose failing streak began before this is disabled.
    pub disable_if_failing_before: Timestamp,
}

/// Checks an endpoint URL: `https://` to any host but the server's own network, or, only when
/// `allow_private`, `http://` or `https://` to a loopback or private address.
///
/// # Errors
/// [`Error::InvalidRequest`] saying what is wrong.
pub fn validate_url(text: &str, allow_private: bool) -> Result<url::Url> {
    if text.len() > MAX_URL_LEN {
        return Err(Error::invalid(format!(
            "url is longer than {MAX_URL_LEN} characters"
        )));
    }
    let shown = truncate_for_message(text);
    let parsed = url::Url::parse(text)
        .map_err(|e| Error::invalid(format!("url '{shown}' is not a URL: {e}")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            "url must not hold credentials: the webhook signature authenticates hallpass",
        ));
    }
    let host = parsed
        .host()
        .ok_or_else(|| Error::invalid(format!("url '{shown}' has no host")))?;
    let private = match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => is_private(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_private(IpAddr::V6(ip)),
    };
    match (parsed.scheme(), private, allow_private) {
        ("https", false, _) | ("https" | "http", true, true) => Ok(parsed),
        ("http", false, _) => Err(Error::invalid(format!(
            "url '{shown}' must be https:// (plain http:// is only for loopback and private addresses, with --allow-private-webhooks)"
        ))),
        ("https" | "http", true, false) => Err(Error::invalid(format!(
            "url '{shown}' points into the server's own network (a loopback or private address); start the server with --allow-private-webhooks to allow that"
        ))),
        (other, _, _) => Err(Error::invalid(format!(
            "url scheme '{}' is not https",
            truncate_for_message(other)
        ))),
    }
}

/// Whether `ip` is in the server's own network: loopback, private, link-local, shared
/// (carrier-grade NAT), unspecified or broadcast, and IPv6's unique-local and link-local
/// (an IPv4 address inside IPv6 is judged as itself).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
        }
    }
}

/// A new secret, `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The signing key a secret holds: the bytes its base64 encodes.
///
/// # Errors
/// [`Error::Internal`] for a stored secret that is not one [`new_secret`] made.
pub fn secret_key(secret: &str) -> Result<Vec<u8>> {
    secret
        .strip_prefix(SECRET_PREFIX)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or_else(|| Error::Internal("a stored webhook secret is malformed".into()))
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under `key` (Standard Webhooks).
pub fn signature(key: &[u8], id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("key");
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn the_first_two_retries_come_within_a_minute_and_the_last_after_three_days() {
        let late = |n| next_attempt_at(T0, n, 0.999_999).expect("scheduled");
        let early = |n| next_attempt_at(T0, n, 0.0).expect("scheduled");
        assert_eq!(next_attempt_at(T0, 0, 0.5), None, "nothing failed yet");
        let two = late(1).as_millis() - T0.as_millis() + late(2).as_millis() - T0.as_millis();
        assert!(two < 60_000, "{two} ms");
        assert_eq!(early(1), T0.plus_secs(4));
        let total: i64 = (1..=14)
            .map(|n| early(n).as_millis() - T0.as_millis())
            .sum();
        assert!(total > DISABLE_AFTER.as_millis() as i64, "{total} ms");
        assert_eq!(next_attempt_at(T0, 15, 0.5), None, "the schedule is over");
    }

    #[test]
    fn selections_take_all_or_known_types() {
        assert_eq!(
            EventSelection::from_request(&["*".into()]).unwrap(),
            EventSelection::All
        );
        let only =
            EventSelection::from_request(&["session.revoked".into(), "session.revoked".into()])
                .unwrap();
        assert!(only.matches(EventType::SessionRevoked));
        assert!(!only.matches(EventType::SessionStarted));
        assert_eq!(EventSelection::from_stored(&only.to_stored()), only);
        assert_eq!(
            EventSelection::from_request(&["session.revoked".into(), "*".into()]).unwrap(),
            EventSelection::All
        );
        for bad in [vec![], vec!["session.x".into()]] {
            assert!(EventSelection::from_request(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_must_be_https_outside_the_own_network_unless_allowed() {
        for ok in ["https://hooks.example.com/h", "https://203.0.113.5:8443/x"] {
            assert!(validate_url(ok, false).is_ok(), "{ok}");
        }
        for private in [
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://[::1]/h",
            "https://localhost:3000/h",
            "https://169.254.169.254/latest",
            "https://[fd00::1]/h",
            "https://[::ffff:192.168.1.1]/h",
            "https://100.64.0.1/h",
        ] {
            let refused = validate_url(private, false).expect_err(private).to_string();
            assert!(
                refused.contains("--allow-private-webhooks"),
                "{private}: {refused}"
            );
            assert!(validate_url(private, true).is_ok(), "{private} allowed");
        }
        assert!(validate_url("http://127.0.0.1:9000/h", true).is_ok());
        for bad in [
            "http://hooks.example.com/h",
            "ftp://hooks.example.com/h",
            "https://user:pw@hooks.example.com/h",
            "not a url",
        ] {
            assert!(validate_url(bad, true).is_err(), "{bad}");
        }
    }
}
