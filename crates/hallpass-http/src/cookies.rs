//! Browser-session cookies (docs/API.md §8): which cookies a session type's browser session
//! has (the token cookie and the refresh cookie, on the refresh path), written with the
//! type's settings by `hallpass_cookie`, and read from a request.

use axum::http::{HeaderMap, header};
use hallpass::Issued;
use hallpass::core::model::Scope;
use hallpass::core::session_type::CookieSettings;

/// The refresh cookie's name: the token cookie's plus `.refresh`. A `__Host-` name becomes
/// `__Secure-`, because the refresh cookie's path is not `/`, which `__Host-` requires.
pub(crate) fn refresh_name(settings: &CookieSettings) -> String {
    let name = &settings.name;
    match name.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("__Host-") => {
            format!("__Secure-{}.refresh", &name[7..])
        }
        _ => format!("{name}.refresh"),
    }
}

/// The path of the browser refresh endpoint, the only one the refresh cookie is sent to.
pub(crate) fn refresh_path(scope: &Scope, tag: &str) -> String {
    format!("/v1/browser/{}/{}/{tag}/refresh", scope.product, scope.env)
}

/// Both cookies of a session just started or refreshed; the refresh cookie is always
/// httpOnly and expires with the session.
pub(crate) fn issued_cookies(
    settings: &CookieSettings,
    scope: &Scope,
    issued: &Issued,
) -> Vec<String> {
    let refresh_settings = CookieSettings {
        http_only: true,
        ..settings.clone()
    };
    vec![
        settings.set_cookie(
            &settings.name,
            &issued.token,
            &settings.path,
            Some(issued.session.token_expires_at.as_millis()),
        ),
        refresh_settings.set_cookie(
            &refresh_name(settings),
            &issued.refresh_token,
            &refresh_path(scope, &issued.session.tag),
            Some(issued.session.refresh_expires_at.as_millis()),
        ),
    ]
}

/// Removals of both cookies, each on the path it was set on.
pub(crate) fn cleared_cookies(settings: &CookieSettings, scope: &Scope, tag: &str) -> Vec<String> {
    vec![
        settings.removal(&settings.name, &settings.path),
        settings.removal(&refresh_name(settings), &refresh_path(scope, tag)),
    ]
}

/// The console cookie's settings for a deployment at `issuer`: httpOnly, `SameSite=Strict`,
/// path `/`, and, when the deployment is served over https, `Secure` with the `__Host-`
/// name (so no subdomain and no plain-http page can set it). A session cookie: the server
/// ends the sign-in (docs/API.md §16), and closing the browser forgets it.
fn console_settings(issuer: &str) -> CookieSettings {
    let secure = issuer.starts_with("https://");
    CookieSettings {
        name: if secure {
            "__Host-hallpass-console".into()
        } else {
            "hallpass-console".into()
        },
        secure,
        same_site: hallpass_cookie::SameSite::Strict,
        path: "/".into(),
        http_only: true,
        ..CookieSettings::default()
    }
}

/// The console cookie holding `token`.
pub(crate) fn console_cookie(issuer: &str, token: &str) -> String {
    let settings = console_settings(issuer);
    settings.set_cookie(&settings.name, token, "/", None)
}

/// The removal of the console cookie.
pub(crate) fn console_cookie_removal(issuer: &str) -> String {
    let settings = console_settings(issuer);
    settings.removal(&settings.name, "/")
}

/// The console token a request's cookie holds, if any.
pub(crate) fn console_token(headers: &HeaderMap, issuer: &str) -> Option<String> {
    request_cookie(headers, &console_settings(issuer).name)
}

/// `response` with these `Set-Cookie` values appended (a cookie made from checked settings
/// is always a valid header value).
pub(crate) fn with_cookies(
    response: impl axum::response::IntoResponse,
    cookies: Vec<String>,
) -> axum::response::Response {
    let mut response = response.into_response();
    for cookie in cookies {
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The value of the request cookie `name` (the first, if repeated), if non-empty.
pub(crate) fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    hallpass_cookie::request_cookie(
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        name,
    )
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
}
