//! Browser-session cookies (SPEC section 6): the `Set-Cookie` values of a session type's token
//! cookie and refresh cookie, their removal, and reading them from a request. Written through
//! the `cookie` crate with the type's settings.

use axum::http::{HeaderMap, header};
use cookie::time::OffsetDateTime;
use cookie::{Cookie, Expiration};
use hallpass::Issued;
use hallpass::core::Timestamp;
use hallpass::core::model::Scope;
use hallpass::core::session_type::{CookieSettings, SameSite};

/// The refresh cookie's name: the token cookie's plus `.refresh`. A `__Host-` name becomes
/// `__Secure-`, because the refresh cookie's path is not `/`, which `__Host-` requires.
pub(crate) fn refresh_name(settings: &CookieSettings) -> String {
    match settings.name.strip_prefix("__Host-") {
        Some(rest) => format!("__Secure-{rest}.refresh"),
        None => format!("{}.refresh", settings.name),
    }
}

/// The path of the browser refresh endpoint, the only one the refresh cookie is sent to.
pub(crate) fn refresh_path(scope: &Scope, tag: &str) -> String {
    format!("/v1/browser/{}/{}/{tag}/refresh", scope.product, scope.env)
}

/// The token cookie, expiring with the token.
pub(crate) fn token_cookie(
    settings: &CookieSettings,
    token: &str,
    expires_at: Timestamp,
) -> String {
    let mut cookie = base(
        settings,
        settings.name.clone(),
        token.to_owned(),
        settings.path.clone(),
    );
    cookie.set_http_only(settings.http_only);
    cookie.set_expires(expiration(expires_at));
    cookie.to_string()
}

/// Both cookies of a session just started or refreshed.
pub(crate) fn issued_cookies(
    settings: &CookieSettings,
    scope: &Scope,
    issued: &Issued,
) -> Vec<String> {
    let mut refresh = base(
        settings,
        refresh_name(settings),
        issued.refresh_token.clone(),
        refresh_path(scope, &issued.session.tag),
    );
    refresh.set_http_only(true);
    refresh.set_expires(expiration(issued.session.refresh_expires_at));
    vec![
        token_cookie(settings, &issued.token, issued.session.token_expires_at),
        refresh.to_string(),
    ]
}

/// Removals of both cookies (empty, `Max-Age=0`, an `Expires` in the past), each on the path
/// and domain it was set with.
pub(crate) fn cleared_cookies(settings: &CookieSettings, scope: &Scope, tag: &str) -> Vec<String> {
    [
        (settings.name.clone(), settings.path.clone()),
        (refresh_name(settings), refresh_path(scope, tag)),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut cookie = base(settings, name, String::new(), path);
        cookie.set_http_only(true);
        cookie.make_removal();
        cookie.to_string()
    })
    .collect()
}

/// The value of the request cookie `name` (the first, if repeated), if non-empty.
pub(crate) fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

fn base(settings: &CookieSettings, name: String, value: String, path: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_path(path);
    if let Some(domain) = &settings.domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_secure(settings.secure);
    cookie.set_same_site(match settings.same_site {
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::None => cookie::SameSite::None,
    });
    cookie
}

fn expiration(at: Timestamp) -> Expiration {
    OffsetDateTime::from_unix_timestamp(at.as_millis().div_euclid(1000))
        .map_or(Expiration::Session, Expiration::DateTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(name: &str) -> CookieSettings {
        CookieSettings {
            name: name.into(),
            ..CookieSettings::default()
        }
    }

    fn scope() -> Scope {
        Scope {
            product: "shop".into(),
            env: "prd".into(),
        }
    }

    #[test]
    fn the_token_cookie_carries_every_setting() {
        let mut s = settings("hallpass.session");
        s.domain = Some("example.com".into());
        let cookie = token_cookie(&s, "tok", Timestamp::from_millis(1_800_000_000_999));
        for part in [
            "hallpass.session=tok",
            "Path=/",
            "Domain=example.com",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Expires=Fri, 15 Jan 2027 08:00:00 GMT",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
    }

    #[test]
    fn the_refresh_cookie_is_named_after_the_token_cookie_and_fits_its_prefix() {
        assert_eq!(refresh_name(&settings("sid")), "sid.refresh");
        assert_eq!(
            refresh_name(&settings("__Host-sid")),
            "__Secure-sid.refresh"
        );
        assert_eq!(
            refresh_name(&settings("__Secure-sid")),
            "__Secure-sid.refresh"
        );
        assert_eq!(
            refresh_path(&scope(), "user"),
            "/v1/browser/shop/prd/user/refresh"
        );
    }

    #[test]
    fn clearing_removes_both_cookies_where_they_were_set() {
        let cleared = cleared_cookies(&settings("sid"), &scope(), "user");
        assert!(
            cleared[0].starts_with("sid=;") && cleared[0].contains("Path=/;"),
            "{}",
            cleared[0]
        );
        assert!(cleared[1].starts_with("sid.refresh=;"));
        assert!(cleared[1].contains("Path=/v1/browser/shop/prd/user/refresh"));
        assert!(cleared.iter().all(|c| c.contains("Max-Age=0")));
    }

    #[test]
    fn request_cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; sid=tok".parse().unwrap());
        headers.append(header::COOKIE, "sid=second; empty=".parse().unwrap());
        assert_eq!(request_cookie(&headers, "sid").as_deref(), Some("tok"));
        assert_eq!(request_cookie(&headers, "empty"), None);
        assert_eq!(request_cookie(&headers, "none"), None);
    }
}
