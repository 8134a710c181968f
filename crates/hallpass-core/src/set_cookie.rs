//! `Set-Cookie` values written with a session type's [`CookieSettings`] (through the `cookie`
//! crate), shared by the browser endpoints and the h3-compatible sealed sessions. Formatting
//! only: the caller gives the times.

use cookie::time::OffsetDateTime;
use cookie::{Cookie, Expiration};

use crate::Timestamp;
use crate::session_type::{CookieSettings, SameSite};

impl CookieSettings {
    /// A `Set-Cookie` value setting `name=value` on `path` with these settings (the domain,
    /// `Secure`, `HttpOnly`, `SameSite`), expiring at `expires` (whole seconds), or at the end
    /// of the browser session when `None` or beyond what a cookie date can say.
    pub fn set_cookie(
        &self,
        name: &str,
        value: &str,
        path: &str,
        expires: Option<Timestamp>,
    ) -> String {
        let mut cookie = self.cookie(name, value, path);
        if let Some(at) = expires.and_then(|at| {
            OffsetDateTime::from_unix_timestamp(at.as_millis().div_euclid(1000)).ok()
        }) {
            cookie.set_expires(Expiration::DateTime(at));
        }
        cookie.to_string()
    }

    /// A `Set-Cookie` value deleting `name` on `path`: empty, `Max-Age=0` and an `Expires` in
    /// the past, with the same domain, so the browser matches the cookie it holds.
    pub fn removal(&self, name: &str, path: &str) -> String {
        let mut cookie = self.cookie(name, "", path);
        cookie.make_removal();
        cookie.to_string()
    }

    fn cookie(&self, name: &str, value: &str, path: &str) -> Cookie<'static> {
        let mut cookie = Cookie::new(name.to_owned(), value.to_owned());
        cookie.set_path(path.to_owned());
        if let Some(domain) = &self.domain {
            cookie.set_domain(domain.clone());
        }
        cookie.set_secure(self.secure);
        cookie.set_http_only(self.http_only);
        cookie.set_same_site(match self.same_site {
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::None => cookie::SameSite::None,
        });
        cookie
    }
}

/// The value of the request cookie `name` in `Cookie` header values (the first, if repeated;
/// surrounding quotes removed), if non-empty.
pub fn request_cookie<'h>(
    cookie_headers: impl IntoIterator<Item = &'h str>,
    name: &str,
) -> Option<String> {
    cookie_headers
        .into_iter()
        .flat_map(Cookie::split_parse_encoded)
        .flatten()
        .find(|c| c.name() == name)
        .map(|c| c.value_trimmed().to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_carries_every_setting() {
        let settings = CookieSettings {
            domain: Some("example.com".into()),
            ..CookieSettings::default()
        };
        let cookie = settings.set_cookie(
            "sid",
            "tok",
            "/",
            Some(Timestamp::from_millis(1_800_000_000_999)),
        );
        for part in [
            "sid=tok",
            "Path=/",
            "Domain=example.com",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Expires=Fri, 15 Jan 2027 08:00:00 GMT",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
        let session_cookie = settings.set_cookie("sid", "tok", "/", None);
        assert!(!session_cookie.contains("Expires"));
        let removal = settings.removal("sid", "/app");
        assert!(
            removal.starts_with("sid=;")
                && removal.contains("Max-Age=0")
                && removal.contains("Path=/app")
        );
    }

    #[test]
    fn request_cookies_are_found_by_name_across_headers() {
        let headers = ["a=1; sid=\"tok\"", "sid=second; empty=; pct=%2A"];
        assert_eq!(request_cookie(headers, "sid").as_deref(), Some("tok"));
        assert_eq!(request_cookie(headers, "pct").as_deref(), Some("*"));
        assert_eq!(request_cookie(headers, "empty"), None);
        assert_eq!(request_cookie(headers, "none"), None);
    }
}
