//! `/v1/forward-auth` (docs/API.md §6): the session check a reverse proxy makes before it lets a
//! request through — nginx `auth_request`, Traefik `forwardAuth`, Caddy `forward_auth`, Envoy
//! `ext_authz` (HTTP). No key: it answers only about the token it is given.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hallpass::core::Error;
use hallpass::core::model::Scope;
use hallpass_api::ErrorBody;
use hallpass_api::formats::Tag;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// The header a client may carry the token in instead of `Authorization`.
const SESSION_HEADER: &str = "x-hallpass-session";
/// What an identifier has percent-encoded in `X-Session-Identifier`: what a header value cannot
/// hold (control characters; non-ASCII is always encoded), and `%` so that decoding is exact.
const IDENTIFIER_ESCAPES: &AsciiSet = &CONTROLS.add(b'%');

/// Which session type the proxy checks for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ForwardAuthQuery {
    /// Product tag.
    #[param(required = true, value_type = Tag)]
    product: Option<String>,
    /// Env tag.
    #[param(required = true, value_type = Tag)]
    env: Option<String>,
    /// Session type tag.
    #[param(required = true, value_type = Tag)]
    tag: Option<String>,
}

/// Verifies the session token of the request a proxy is about to forward, exactly as verify
/// does; the token comes from `Authorization: Bearer`, `X-Hallpass-Session`, or the type's
/// cookie. 200 with `X-Session-Id`, `X-Session-Identifier` (percent-encoded where needed;
/// absent for a session without identifier), `X-Session-Tag`, and `X-Session-Data` (base64url
/// JSON) when the type sets `forwardData`; else 401 with the JSON error.
#[utoipa::path(method(get, post, put, patch, delete, head, options, trace), path = "/v1/forward-auth", tag = "sessions", params(ForwardAuthQuery),
    responses((status = 200, description = "the session is valid; its id, identifier and tag are in X-Session-* headers"),
        (status = 401, body = ErrorBody), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn forward_auth(
    State(s): State<AppState>,
    query: Result<Query<ForwardAuthQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid_request(e.body_text()))?;
    let (product, env, tag) = match (query.product, query.env, query.tag) {
        (Some(p), Some(e), Some(t)) if !p.is_empty() && !e.is_empty() && !t.is_empty() => (p, e, t),
        _ => {
            return Err(ApiError::invalid_request(
                "forward-auth needs the query parameters product, env and tag: \
                 /v1/forward-auth?product=P&env=E&tag=T",
            ));
        }
    };
    let scope = Scope { product, env };
    s.hallpass.product_with_env(&scope).await?;
    let session_type = s.hallpass.session_type(&scope.product, &tag).await?;
    let config = &session_type.record.config;
    let token = session_token(&headers)
        .map(str::to_owned)
        .or_else(|| {
            let cookie = config.cookie.as_ref()?;
            crate::cookies::request_cookie(&headers, &cookie.name)
        })
        .ok_or_else(|| {
            Error::Unauthorized(
                "no session token: send it as 'Authorization: Bearer <token>', in the X-Hallpass-Session header, or in the session type's cookie"
                    .into(),
            )
        })?;
    let verified = s.hallpass.verify(&scope, &tag, &token).await;
    crate::metrics::verify_outcome(verified.as_ref().map(drop));
    let verified = verified?;
    let mut answer = HeaderMap::new();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            answer.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-session-id", &verified.session_id);
    set("x-session-tag", &verified.tag);
    if let Some(identifier) = &verified.identifier {
        set(
            "x-session-identifier",
            &utf8_percent_encode(identifier, IDENTIFIER_ESCAPES).to_string(),
        );
    }
    if config.forward_data {
        let data = serde_json::to_vec(&verified.data).unwrap_or_default();
        set("x-session-data", &URL_SAFE_NO_PAD.encode(data));
    }
    Ok((StatusCode::OK, answer).into_response())
}

/// The token from `Authorization: Bearer` or, failing that, `X-Hallpass-Session`.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    crate::extract::bearer(headers)
        .or_else(|| {
            headers
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|token| !token.is_empty())
}
