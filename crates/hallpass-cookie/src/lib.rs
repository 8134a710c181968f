//! Cookies as hallpass writes and reads them: the attributes of a cookie ([`CookieSettings`],
//! checked by [`CookieSettings::validate`]), `Set-Cookie` values made from them and the value
//! of a request cookie, all through the `cookie` crate. Shared by the HTTP layer's browser
//! sessions and the h3-compatible sealed sessions; the caller gives the times.

use std::fmt;

use cookie::time::OffsetDateTime;
use cookie::{Cookie, Expiration};
use serde::{Deserialize, Serialize};

/// Cookie attributes that cannot be used together, or a malformed attribute: what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCookie(String);

impl InvalidCookie {
    fn new(message: &str) -> Self {
        Self(message.to_owned())
    }
}

impl fmt::Display for InvalidCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidCookie {}

/// `SameSite` cookie attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    /// `SameSite=Lax` (default).
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None` (requires `Secure`).
    None,
}

/// The attributes of a cookie: those of a session type that serves browser sessions, and those
/// of a sealed session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CookieSettings {
    /// Cookie name; `__Host-` and `__Secure-` prefixes are validated against the attributes.
    pub name: String,
    /// `Secure` attribute.
    pub secure: bool,
    /// `SameSite` attribute.
    pub same_site: SameSite,
    /// `Path` attribute.
    pub path: String,
    /// `HttpOnly` attribute.
    pub http_only: bool,
    /// `Domain` attribute, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

impl Default for CookieSettings {
    fn default() -> Self {
        Self {
            name: "hallpass.session".into(),
            secure: true,
            same_site: SameSite::Lax,
            path: "/".into(),
            http_only: true,
            domain: None,
        }
    }
}

impl CookieSettings {
    /// Checks the name and the attributes its prefix requires.
    ///
    /// # Errors
    /// [`InvalidCookie`] saying which attribute to change.
    pub fn validate(&self) -> Result<(), InvalidCookie> {
        let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if self.name.is_empty() || self.name.len() > 128 || !self.name.chars().all(token_char) {
            return Err(InvalidCookie::new(
                "cookie.name must be 1 to 128 characters of letters, digits and !#$%&'*+-.^_`|~",
            ));
        }
        let visible = |text: &str| text.bytes().all(|b| b.is_ascii_graphic());
        if !self.path.starts_with('/')
            || self.path.len() > 512
            || !visible(&self.path)
            || self.path.contains([';', ','])
        {
            return Err(InvalidCookie::new(
                "cookie.path must start with '/' and contain only visible ASCII, no ';' or ','",
            ));
        }
        if let Some(domain) = &self.domain {
            let host = domain.strip_prefix('.').unwrap_or(domain);
            let label_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            };
            if host.is_empty() || domain.len() > 253 || !host.split('.').all(label_ok) {
                return Err(InvalidCookie::new(
                    "cookie.domain must be a host name such as example.com",
                ));
            }
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(InvalidCookie::new(
                "cookie.sameSite \"none\" requires cookie.secure true",
            ));
        }
        // Browsers read the prefixes without regard to case.
        let has_prefix = |prefix: &str| {
            self.name
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        if has_prefix("__Host-") && (!self.secure || self.path != "/" || self.domain.is_some()) {
            return Err(InvalidCookie::new(
                "a cookie named __Host-… requires secure true, path \"/\" and no domain",
            ));
        }
        if has_prefix("__Secure-") && !self.secure {
            return Err(InvalidCookie::new(
                "a cookie named __Secure-… requires secure true",
            ));
        }
        Ok(())
    }
}

impl CookieSettings {
    /// A `Set-Cookie` value setting `name=value` on `path` with these settings (the domain,
    /// `Secure`, `HttpOnly`, `SameSite`), expiring at `expires_ms` (milliseconds since the
    /// epoch, written in whole seconds), or at the end of the browser session when `None` or
    /// beyond what a cookie date can say.
    pub fn set_cookie(
        &self,
        name: &str,
        value: &str,
        path: &str,
        expires_ms: Option<i64>,
    ) -> String {
        let mut cookie = self.cookie(name, value, path);
        if let Some(at) =
            expires_ms.and_then(|ms| OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok())
        {
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
        let cookie = settings.set_cookie("sid", "tok", "/", Some(1_800_000_000_999));
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
