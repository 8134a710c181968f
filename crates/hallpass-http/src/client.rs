//! Who is calling, as far as the request tells: the client address (the peer, or what trusted
//! proxies forwarded) and the browser's device for session lists.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hallpass::core::model::Device;
use ipnet::IpNet;

use crate::error::ApiError;
use crate::state::AppState;

/// Longest User-Agent kept (the same bound `start` puts on a device).
const MAX_USER_AGENT_LEN: usize = 512;

/// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries left of it could be
/// written by anyone). An unreadable entry stops the walk at the last address known good.
pub(crate) fn client_ip(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer?;
    if !is_trusted(&client) {
        return Some(client);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// The client address of a request: the peer's, or what the trusted proxies in front forwarded.
/// Used for browser devices and for rate limiting failed authentications.
pub(crate) fn client_address(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    client_ip(&parts.headers, peer, &state.trusted_proxies)
}

/// The client address of a request, as [`client_address`] finds it.
pub(crate) struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_address(parts, state)))
    }
}

/// The device of a browser request: its client address and User-Agent (cut to 512 bytes).
pub(crate) struct BrowserDevice(pub Device);

impl FromRequestParts<AppState> for BrowserDevice {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_address(parts, state);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| {
                let mut end = ua.len().min(MAX_USER_AGENT_LEN);
                while !ua.is_char_boundary(end) {
                    end -= 1;
                }
                ua[..end].to_owned()
            });
        Ok(Self(Device {
            ip: ip.map(|ip| ip.to_string()),
            user_agent,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_is_honoured_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&["198.51.100.9, 203.0.113.5"]);
        assert_eq!(
            client_ip(&h, ip("192.0.2.1"), &trusted),
            ip("192.0.2.1"),
            "an untrusted peer"
        );
        assert_eq!(
            client_ip(&h, ip("10.1.2.3"), &trusted),
            ip("203.0.113.5"),
            "right-most untrusted"
        );
        assert_eq!(
            client_ip(&h, ip("10.1.2.3"), &[]),
            ip("10.1.2.3"),
            "no proxy trusted"
        );
    }

    #[test]
    fn chains_of_trusted_proxies_and_bad_entries() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let h = headers(&["203.0.113.5", "10.0.0.2"]);
        assert_eq!(
            client_ip(&h, ip("::1"), &trusted),
            ip("203.0.113.5"),
            "across headers"
        );
        let h = headers(&["203.0.113.5, garbage, 10.0.0.2"]);
        assert_eq!(
            client_ip(&h, ip("10.0.0.1"), &trusted),
            ip("10.0.0.2"),
            "stops at garbage"
        );
        assert_eq!(
            client_ip(&HeaderMap::new(), ip("10.0.0.1"), &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(client_ip(&HeaderMap::new(), None, &trusted), None);
    }
}
