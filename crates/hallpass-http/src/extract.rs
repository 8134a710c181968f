//! Extractors that speak the API's error shape: JSON bodies, query strings and the caller.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hallpass::core::Error;
use hallpass::core::events::Actor;
use hallpass::core::model::{KeyKind, Principal, Scope};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body. Whatever the `Content-Type`, the body is parsed as JSON: a body that is not
/// JSON is 400 `invalid_json`, JSON of the wrong shape is 422 `invalid_request`, and a body over
/// the limit is 413 `payload_too_large`.
pub(crate) struct ApiJson<T>(pub T);

/// How long a request body may take to arrive, set on each request by the server
/// (`server::Limits::body_read_timeout`); without it (a router driven directly) there is none.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyReadTimeout(pub std::time::Duration);

/// The body limit of the route, set by the router, for the 413 message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteBodyLimit(pub usize);

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let timeout = req.extensions().get::<BodyReadTimeout>().copied();
    let limit = req.extensions().get::<RouteBodyLimit>().copied();
    let reading = Bytes::from_request(req, state);
    let read = match timeout {
        Some(BodyReadTimeout(within)) => tokio::time::timeout(within, reading)
            .await
            .map_err(|_| ApiError::request_timeout(within))?,
        None => reading.await,
    };
    read.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large(limit.map(|RouteBodyLimit(n)| n))
        } else {
            ApiError::invalid_json("the body could not be read")
        }
    })
}

/// Parses straight into `T` (one pass on the hot path). Only when that fails is the body
/// checked for being JSON at all, so a truncated body is `invalid_json` even when a type error
/// comes before the point where it breaks off.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every body is an object. serde would also fill a struct from an array of its fields in
    // order (`[null, null]` as a patch of nothing), which no client means.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_json(bytes).unwrap_or_else(|| {
            ApiError::invalid_request("the body must be a JSON object: {\"field\": value, …}")
        }));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        not_json(bytes)
            .unwrap_or_else(|| ApiError::invalid_request(format!("invalid request body: {e}")))
    })
}

/// Why `bytes` is not JSON at all, if it is not.
fn not_json(bytes: &[u8]) -> Option<ApiError> {
    // JSON text is UTF-8 (RFC 8259), but skipping over a string does not check it.
    if let Err(bad) = std::str::from_utf8(bytes) {
        return Some(ApiError::invalid_json(format!(
            "the body is not UTF-8 text (invalid byte at offset {})",
            bad.valid_up_to()
        )));
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .err()
        .map(ApiError::invalid_json)
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if is_blank(&bytes) {
            return Err(ApiError::invalid_json(
                "the body is empty; send a JSON object",
            ));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be absent: an empty body, or `null`, is `None`.
pub(crate) struct OptionalApiJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if is_blank(&bytes) || bytes.trim_ascii() == b"null" {
            return Ok(OptionalApiJson(None));
        }
        parse_json(&bytes).map(|v| OptionalApiJson(Some(v)))
    }
}

/// A query string; a malformed one is 422 `invalid_request`.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| {
                ApiError::invalid_request(format!("invalid query string: {}", e.body_text()))
            })
    }
}

/// A query string whose keys may repeat (`?type=a&type=b` into a `Vec`); a malformed one, or
/// one with an empty value (`?env=`), is 422 `invalid_request`.
pub(crate) struct ApiListQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiListQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        // serde_html_form reads `name=` as absent; the document says a given value is not
        // empty, so it is refused as such rather than silently ignored.
        if let Some(name) = query
            .split('&')
            .find_map(|pair| pair.strip_suffix('=').filter(|n| !n.contains('=')))
        {
            return Err(ApiError::invalid_request(format!(
                "query parameter '{}' is empty: leave it out or give it a value",
                hallpass::core::ids::truncate_for_message(name)
            )));
        }
        serde_html_form::from_str(query)
            .map(ApiListQuery)
            .map_err(|e| ApiError::invalid_request(format!("invalid query string: {e}")))
    }
}

/// The credential of the `Authorization` header: what follows `Bearer ` (any case), or the
/// whole value when it names no scheme. The one reading of that header, for API keys and
/// session tokens alike; another scheme (`Basic …`) is no credential.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let credential = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        // `Bearer ` with nothing after it arrives as `Bearer`: the scheme alone.
        None if value.eq_ignore_ascii_case("bearer") => return None,
        None => value,
    };
    (!credential.is_empty()).then_some(credential)
}

/// The authenticated caller: from `Authorization: Bearer <key>`, or, without that header,
/// from the console cookie (docs/API.md §16), whose requests that change something must carry
/// its CSRF token.
pub(crate) struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = crate::client::client_address(parts, state);
        if bearer(&parts.headers).is_none() {
            let ConsoleCsrf(token) = ConsoleCsrf::from_request_parts(parts, state).await?;
            if let Some(token) = token {
                let caller = state.hallpass.console_caller(&token, client).await?;
                return Ok(Caller(caller.principal));
            }
        }
        let key = bearer(&parts.headers);
        Ok(Caller(state.hallpass.authenticate(key, client).await?))
    }
}

/// The header that marks a request as sent by a page's own script, which a cross-site form
/// cannot set: `1` on the browser routes (docs/API.md §8.5), the sign-in's CSRF token from the
/// console.
pub(crate) const CSRF_HEADER: &str = "x-hallpass-csrf";

/// The console token of the request's cookie, if it has one, once the request has passed the
/// CSRF check: a request that may change something (any method but GET, HEAD and OPTIONS)
/// must carry the sign-in's CSRF token in `X-Hallpass-CSRF`, else it is 403 `csrf_rejected`.
/// `SameSite=Strict` already keeps the cookie off other sites' requests; the token also
/// stops a page of a sibling subdomain, which counts as the same site.
pub(crate) struct ConsoleCsrf(pub Option<String>);

impl FromRequestParts<AppState> for ConsoleCsrf {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = crate::cookies::console_token(&parts.headers, state.hallpass.issuer())
        else {
            return Ok(Self(None));
        };
        if !parts.method.is_safe() {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !hallpass::core::console::csrf_matches(&token, presented) {
                return Err(Error::CsrfRejected(
                    "a console request that changes something must carry the sign-in's CSRF \
                     token (csrfToken of GET /v1/console/session) in X-Hallpass-CSRF"
                        .into(),
                )
                .into());
            }
        }
        Ok(Self(Some(token)))
    }
}

/// A caller allowed to use the session and session-type methods: any key but a publishable
/// one, which is refused before its body is even read.
pub(crate) struct Backend(pub Principal);

impl FromRequestParts<AppState> for Backend {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Caller(who) = Caller::from_request_parts(parts, state).await?;
        if who.kind == KeyKind::Publishable {
            return Err(Error::PublishableKeyForbidden.into());
        }
        Ok(Backend(who))
    }
}

/// A session-method body with the (product, env) it concerns, resolved from the caller's key
/// and the body's optional `product` and `env` (docs/API.md §2.6), and the caller as the
/// events it causes name it.
pub(crate) struct Scoped<T>(pub Scope, pub T, pub Actor);

/// Bodies that name an optional product and env.
pub(crate) trait ScopedBody {
    /// The body's `product` and `env`.
    fn scope_fields(&self) -> (Option<&str>, Option<&str>);
}

macro_rules! scoped_bodies {
    ($($body:ty),* $(,)?) => {
        $(impl ScopedBody for $body {
            fn scope_fields(&self) -> (Option<&str>, Option<&str>) {
                (self.product.as_deref(), self.env.as_deref())
            }
        })*
    };
}

scoped_bodies!(
    hallpass_api::StartRequest,
    hallpass_api::VerifyRequest,
    hallpass_api::RefreshRequest,
    hallpass_api::RevokeRequest,
    hallpass_api::RevokeAllRequest,
    hallpass_api::ListRequest,
    hallpass_api::UpdateRequest,
    hallpass_api::UpdateAllRequest,
    hallpass_api::ReauthenticateRequest,
);

impl<T: DeserializeOwned + ScopedBody + Send + Sync> FromRequest<AppState> for Scoped<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        // The key is checked before the body is read: an unauthenticated caller learns nothing.
        let Backend(who) = Backend::from_request_parts(&mut parts, state).await?;
        let ApiJson(body) =
            ApiJson::<T>::from_request(Request::from_parts(parts, body), state).await?;
        let (product, env) = body.scope_fields();
        let scope = state.hallpass.resolve_scope(&who, product, env).await?;
        Ok(Scoped(scope, body, Actor::key(&who)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_authorization_credential_is_read_one_way_for_keys_and_tokens() {
        for (value, credential) in [
            ("Bearer hp_sk_abc", Some("hp_sk_abc")),
            ("bearer   hp_sk_abc ", Some("hp_sk_abc")),
            ("hp_sk_abc", Some("hp_sk_abc")),
            ("Basic dXNlcjpwdw==", None),
            ("Bearer", None),
            ("", None),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(value).expect("header"),
            );
            assert_eq!(bearer(&headers), credential, "{value:?}");
        }
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
