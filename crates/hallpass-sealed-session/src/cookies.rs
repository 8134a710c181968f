//! Reading the request's `Cookie` headers and writing `Set-Cookie` values with the configured
//! attributes, through the `cookie` crate.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::time::OffsetDateTime;
use cookie::{Cookie, Expiration};

use crate::settings::{CookieAttributes, SameSite};

/// The request's cookies by name; of repeated names the first wins, as browsers send the most
/// specific one first and h3's parser keeps the first. Values are percent-decoded as h3's are.
pub(crate) fn request_cookies(headers: &HeaderMap) -> HashMap<String, String> {
    let mut cookies = HashMap::new();
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for cookie in Cookie::split_parse_encoded(value).flatten() {
            cookies
                .entry(cookie.name().to_owned())
                .or_insert_with(|| cookie.value().to_owned());
        }
    }
    cookies
}

/// A `Set-Cookie` value setting `name=value`, expiring at `expires_ms` (milliseconds since
/// the epoch) or at the end of the browser session.
pub(crate) fn set(
    name: &str,
    value: &str,
    attributes: &CookieAttributes,
    expires_ms: Option<i64>,
) -> Option<HeaderValue> {
    let mut cookie = with_attributes(Cookie::new(name, value), attributes);
    if let Some(at) = expires_ms
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
    {
        cookie.set_expires(Expiration::DateTime(at));
    }
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// A `Set-Cookie` value deleting `name` (empty value, `Max-Age=0` and an `Expires` in the past).
pub(crate) fn delete(name: &str, attributes: &CookieAttributes) -> Option<HeaderValue> {
    let mut cookie = with_attributes(Cookie::new(name, ""), attributes);
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

fn with_attributes<'c>(mut cookie: Cookie<'c>, attributes: &CookieAttributes) -> Cookie<'c> {
    cookie.set_path(attributes.path.clone());
    if let Some(domain) = &attributes.domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_secure(attributes.secure);
    cookie.set_http_only(attributes.http_only);
    cookie.set_same_site(attributes.same_site.map(|s| match s {
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::None => cookie::SameSite::None,
    }));
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_repeated_names_wins_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; h3=first"));
        headers.append(header::COOKIE, HeaderValue::from_static("h3=second; b=%2A"));
        let cookies = request_cookies(&headers);
        assert_eq!(cookies["h3"], "first");
        assert_eq!(cookies["a"], "1");
        assert_eq!(cookies["b"], "*");
    }

    #[test]
    fn set_writes_every_attribute() {
        let value = set("h3", "Fe26.2*x", &CookieAttributes::default(), Some(0)).unwrap();
        let value = value.to_str().unwrap();
        for part in [
            "h3=Fe26.2*x",
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ] {
            assert!(value.contains(part), "{value} lacks {part}");
        }
    }

    #[test]
    fn a_session_cookie_has_no_expiry_and_a_deletion_has_max_age_zero() {
        let attributes = CookieAttributes {
            domain: Some("example.com".into()),
            same_site: None,
            ..CookieAttributes::default()
        };
        let value = set("h3", "v", &attributes, None).unwrap();
        assert!(!value.to_str().unwrap().contains("Expires"));
        assert!(value.to_str().unwrap().contains("Domain=example.com"));
        let deletion = delete("h3", &attributes).unwrap();
        assert!(deletion.to_str().unwrap().starts_with("h3=;"));
        assert!(deletion.to_str().unwrap().contains("Max-Age=0"));
    }
}
