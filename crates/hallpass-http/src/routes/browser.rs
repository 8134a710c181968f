//! `/v1/browser/{product}/{env}/{tag}/*` (docs/API.md §8): a browser's own session, by its
//! cookies alone. State-changing calls pass the CSRF check first.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use hallpass::core::Error;
use hallpass::core::events::Actor;
use hallpass::core::model::Scope;
use hallpass::core::session_type::{CookieSettings, SameSite};
use hallpass_api::formats::Tag;
use hallpass_api::{
    BrowserRefreshResponse, BrowserSessionResponse, BrowserSessionsResponse, ErrorBody,
    RevokeResponse,
};
use serde::Deserialize;

use crate::client::BrowserDevice;
use crate::convert;
use crate::cookies::{cleared_cookies, issued_cookies, refresh_name, request_cookie, with_cookies};
use crate::error::ApiError;
use crate::extract::CSRF_HEADER;
use crate::state::AppState;

/// The session type a browser endpoint is for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct TypePath {
    /// Product tag.
    #[param(value_type = Tag)]
    product: String,
    /// Env tag.
    #[param(value_type = Tag)]
    env: String,
    /// Session type tag.
    #[param(value_type = Tag)]
    tag: String,
}

impl TypePath {
    fn scope(&self) -> Scope {
        Scope {
            product: self.product.clone(),
            env: self.env.clone(),
        }
    }
}

/// A session id under a type.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SessionPath {
    /// Product tag.
    #[param(value_type = Tag)]
    product: String,
    /// Env tag.
    #[param(value_type = Tag)]
    env: String,
    /// Session type tag.
    #[param(value_type = Tag)]
    tag: String,
    /// Session id.
    id: String,
}

/// The browser's session; when its token is older than `updateAge`, both cookies anew.
#[utoipa::path(get, path = "/v1/browser/{product}/{env}/{tag}/session", tag = "browser",
    params(TypePath),
    responses((status = 200, body = BrowserSessionResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn session(
    State(s): State<AppState>,
    Path(path): Path<TypePath>,
    BrowserDevice(device): BrowserDevice,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = path.scope();
    let (cookie, token) = cookie_and_token(&s, &scope, &path.tag, &headers).await?;
    let found = s
        .hallpass
        .browser_session(&scope, &path.tag, &token, device)
        .await?;
    let body = convert::browser_session(&found);
    let set = found
        .slid
        .map(|slid| issued_cookies(&cookie, &scope, &slid))
        .unwrap_or_default();
    Ok(with_cookies(Json(body), set))
}

/// Rotates the refresh cookie and answers both cookies anew. A refresh that fails clears them.
#[utoipa::path(post, path = "/v1/browser/{product}/{env}/{tag}/refresh", tag = "browser", operation_id = "browser_refresh",
    params(TypePath),
    responses((status = 200, body = BrowserRefreshResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn refresh(
    State(s): State<AppState>,
    Path(path): Path<TypePath>,
    BrowserDevice(device): BrowserDevice,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = path.scope();
    let cookie = csrf_checked(&s, &scope, &path.tag, &headers).await?;
    let refresh_token = request_cookie(&headers, &refresh_name(&cookie)).ok_or_else(|| {
        Error::RefreshTokenInvalid(format!(
            "no refresh cookie '{}': sign in again",
            refresh_name(&cookie)
        ))
    })?;
    let refreshed = s
        .hallpass
        .refresh(
            &scope,
            &Actor::browser(),
            &path.tag,
            &refresh_token,
            Some(&device),
        )
        .await;
    let issued = match refreshed {
        Ok(issued) => issued,
        Err(e @ (Error::StoreUnavailable(_) | Error::Internal(_))) => return Err(e.into()),
        Err(e) => {
            let cleared = cleared_cookies(&cookie, &scope, &path.tag);
            return Ok(with_cookies(ApiError::from(e), cleared));
        }
    };
    s.hallpass.note_activity(&issued.session.id, device);
    let body = convert::browser_refresh(&issued.session);
    Ok(with_cookies(
        Json(body),
        issued_cookies(&cookie, &scope, &issued),
    ))
}

/// Ends the browser's session and clears both cookies (also when the session had already ended).
#[utoipa::path(post, path = "/v1/browser/{product}/{env}/{tag}/sign-out", tag = "browser",
    params(TypePath),
    responses((status = 200, body = RevokeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn sign_out(
    State(s): State<AppState>,
    Path(path): Path<TypePath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = path.scope();
    let cookie = csrf_checked(&s, &scope, &path.tag, &headers).await?;
    let token = request_cookie(&headers, &cookie.name);
    let revoked = s
        .hallpass
        .sign_out(&scope, &path.tag, token.as_deref())
        .await?;
    let cleared = cleared_cookies(&cookie, &scope, &path.tag);
    Ok(with_cookies(Json(convert::revoked(revoked)), cleared))
}

/// The active sessions of the browser's user, the browser's own marked `current`.
#[utoipa::path(get, path = "/v1/browser/{product}/{env}/{tag}/sessions", tag = "browser",
    params(TypePath),
    responses((status = 200, body = BrowserSessionsResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn sessions(
    State(s): State<AppState>,
    Path(path): Path<TypePath>,
    BrowserDevice(device): BrowserDevice,
    headers: HeaderMap,
) -> Result<Json<BrowserSessionsResponse>, ApiError> {
    let scope = path.scope();
    let (_, token) = cookie_and_token(&s, &scope, &path.tag, &headers).await?;
    let own = s
        .hallpass
        .own_sessions(&scope, &path.tag, &token, device)
        .await?;
    Ok(Json(convert::own_sessions(&own)))
}

/// Revokes one of the user's own sessions (another device, or this one: then its cookies are
/// cleared).
#[utoipa::path(delete, path = "/v1/browser/{product}/{env}/{tag}/sessions/{id}", tag = "browser",
    params(SessionPath),
    responses((status = 200, body = RevokeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn revoke_session(
    State(s): State<AppState>,
    Path(path): Path<SessionPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = Scope {
        product: path.product,
        env: path.env,
    };
    let cookie = csrf_checked(&s, &scope, &path.tag, &headers).await?;
    let token = token_from_cookie(&headers, &cookie)?;
    let (revoked, own) = s
        .hallpass
        .revoke_own(&scope, &path.tag, &token, &path.id)
        .await?;
    let cleared = if own {
        cleared_cookies(&cookie, &scope, &path.tag)
    } else {
        Vec::new()
    };
    Ok(with_cookies(Json(convert::revoked(revoked)), cleared))
}

/// The type's cookie settings and the token cookie's value (401 without it), for the reads,
/// which need no CSRF proof.
async fn cookie_and_token(
    s: &AppState,
    scope: &Scope,
    tag: &str,
    headers: &HeaderMap,
) -> Result<(CookieSettings, String), ApiError> {
    let cookie = s.hallpass.browser_type(scope, tag).await?.cookie;
    let token = token_from_cookie(headers, &cookie)?;
    Ok((cookie, token))
}

/// The token cookie's value, or 401.
fn token_from_cookie(headers: &HeaderMap, cookie: &CookieSettings) -> Result<String, Error> {
    request_cookie(headers, &cookie.name).ok_or_else(|| {
        Error::Unauthorized(format!(
            "no session cookie '{}': sign in first",
            cookie.name
        ))
    })
}

/// The type's cookie settings, once the request passed the CSRF check: its `Origin` is one of
/// the product's allowed origins, or it carries `X-Hallpass-CSRF: 1` and the cookie is
/// same-site (`SameSite` lax or strict, so a cross-site request does not carry it).
async fn csrf_checked(
    s: &AppState,
    scope: &Scope,
    tag: &str,
    headers: &HeaderMap,
) -> Result<CookieSettings, ApiError> {
    let browser_type = s.hallpass.browser_type(scope, tag).await?;
    let cookie = browser_type.cookie;
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && browser_type
            .allowed_origins
            .iter()
            .any(|a| a.trim_end_matches('/') == origin.trim_end_matches('/'))
    {
        return Ok(cookie);
    }
    let marked = headers
        .get(CSRF_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    if marked && cookie.same_site != SameSite::None {
        return Ok(cookie);
    }
    Err(Error::CsrfRejected(
        "cross-site request refused: call from one of the product's allowedOrigins, or send the header X-Hallpass-CSRF: 1 (with a SameSite lax or strict cookie)"
            .into(),
    )
    .into())
}
