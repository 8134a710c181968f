//! One `ApiError`, the table from domain error to code (`hallpass_api::ErrorCode` holds each
//! code's status), one `IntoResponse`.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hallpass::core::Error;
use hallpass_api::ErrorBody;
pub use hallpass_api::ErrorCode;

/// An error answer: a stable code (which gives the status), a message, and `Retry-After` for
/// 429 and 503.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (the code's).
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: ErrorCode,
    /// What went wrong and what to do.
    pub message: String,
    /// Seconds to wait, for 429 and 503.
    pub retry_after: Option<u64>,
    /// The request field a 422 is about, when it is about one.
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a code and message; the status is the code's.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            retry_after: None,
            field: None,
        }
    }

    /// The same error naming the field of `fields` it is about: a 422 `invalid_request` whose
    /// message begins with one of their names (the core's validation messages name the field
    /// first: "expiry must be …", "schema is not …", "selector '…' is not valid"). Other
    /// errors are left as they are.
    #[must_use]
    pub fn naming_field(mut self, fields: &[&str]) -> Self {
        if self.code == ErrorCode::InvalidRequest && self.field.is_none() {
            let first = self
                .message
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default();
            self.field = fields
                .iter()
                .find(|f| **f == first)
                .map(|f| (*f).to_owned());
        }
        self
    }

    /// 400 `invalid_json`: the body is not JSON.
    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::InvalidJson,
            format!("the request body is not valid JSON: {detail}"),
        )
    }

    /// 422 `invalid_request`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// 413 `payload_too_large`, naming the route's limit when it is known.
    pub fn payload_too_large(limit: Option<usize>) -> Self {
        let message = match limit {
            Some(bytes) => format!(
                "the request body is larger than this route accepts ({bytes} bytes, {} KiB): send less session data",
                bytes / 1024
            ),
            None => "the request body is larger than this route accepts: send less session data"
                .to_owned(),
        };
        Self::new(ErrorCode::PayloadTooLarge, message)
    }

    /// 408 `request_timeout`: the body did not arrive whole in time.
    pub fn request_timeout(within: std::time::Duration) -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            format!(
                "the request body did not arrive whole within {} s: send it at once, with a Content-Length that matches it",
                within.as_secs()
            ),
        )
    }
}

/// The table: every domain error's code. No wildcard: a new variant of the core's `Error`
/// does not compile until it has its code here.
pub fn code_of(e: &Error) -> ErrorCode {
    use ErrorCode as C;
    match e {
        Error::InvalidRequest(_) => C::InvalidRequest,
        Error::SchemaViolation(_) => C::SchemaViolation,
        Error::SelectorUnresolved(_) => C::SelectorUnresolved,
        Error::Unauthorized(_) => C::Unauthorized,
        Error::PublishableKeyForbidden => C::PublishableKeyForbidden,
        Error::ScopeForbidden(_) => C::ScopeForbidden,
        Error::SessionTypeNotFound { .. } | Error::NoBrowserSessions(_) => C::SessionTypeNotFound,
        Error::CsrfRejected(_) => C::CsrfRejected,
        Error::SessionNotFound(_) => C::SessionNotFound,
        Error::ProductNotFound(_) => C::ProductNotFound,
        Error::KeyNotFound(_) => C::KeyNotFound,
        Error::WebhookNotFound(_) => C::WebhookNotFound,
        Error::Conflict(_) => C::Conflict,
        Error::TokenMalformed(_) => C::TokenMalformed,
        Error::TokenSignatureInvalid => C::TokenSignatureInvalid,
        Error::TokenExpired => C::TokenExpired,
        Error::TagMismatch { .. } => C::TagMismatch,
        Error::SessionRevoked => C::SessionRevoked,
        Error::WrongEnvironment { .. } => C::WrongEnvironment,
        Error::TokenSuperseded => C::TokenSuperseded,
        Error::SessionIdleExpired => C::SessionIdleExpired,
        Error::SessionLimitReached(_) => C::SessionLimitReached,
        Error::ReauthenticationRequired(_) => C::ReauthenticationRequired,
        Error::RefreshTokenInvalid(_) => C::RefreshTokenInvalid,
        Error::RefreshTokenExpired => C::RefreshTokenExpired,
        Error::RefreshTokenReused => C::RefreshTokenReused,
        Error::RateLimited { .. } => C::RateLimited,
        Error::StoreUnavailable(_) => C::StoreUnavailable,
        Error::Internal(_) => C::Internal,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let code = code_of(&e);
        let message = match code {
            ErrorCode::StoreUnavailable => {
                tracing::warn!(error = %e, "store unavailable");
                "the session store is unavailable right now: retry shortly".to_owned()
            }
            ErrorCode::Internal => {
                tracing::error!(error = %e, "internal error");
                "the server failed to handle this request; it has been logged".to_owned()
            }
            _ => e.to_string(),
        };
        let retry_after = match e {
            Error::RateLimited { retry_after_secs } => Some(retry_after_secs),
            Error::StoreUnavailable(_) => Some(1),
            _ => None,
        };
        Self {
            retry_after,
            ..Self::new(code, message)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = ErrorBody::new(self.code, self.message);
        body.error.status = self.status.as_u16();
        body.error.field = self.field;
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Fallback for unknown routes.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such route: see /v1/openapi.json for the API",
    )
}

/// Fallback for known routes called with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this route does not accept this method: see /v1/openapi.json",
    )
}

/// Most bytes of a framework rejection kept as the message.
const MAX_REJECTION_TEXT: usize = 300;

/// Turns any error answer that is not already JSON (framework rejections of paths, queries,
/// bodies) into the API's error shape, so clients see one format everywhere.
pub(crate) async fn json_errors(req: Request<Body>, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| {
            String::from_utf8_lossy(&b)
                .chars()
                .take(MAX_REJECTION_TEXT)
                .collect::<String>()
        })
        .unwrap_or_default();
    let (code, fallback) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return ApiError::payload_too_large(None).into_response(),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "this route does not accept this method",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST => {
            (ErrorCode::InvalidRequest, "the request is malformed")
        }
        StatusCode::UNPROCESSABLE_ENTITY => (ErrorCode::InvalidRequest, "the request is invalid"),
        s if s.is_server_error() => (
            ErrorCode::Internal,
            "the server failed to handle this request",
        ),
        _ => (ErrorCode::InvalidRequest, "the request was refused"),
    };
    let message = if text.trim().is_empty() || code == ErrorCode::Internal {
        fallback.to_owned()
    } else {
        text.trim().to_lowercase()
    };
    // Other statuses are kept, under the nearest code; 400 and 415 of the framework are about
    // the request's content, so they are the API's 422.
    let mut error = ApiError::new(code, message);
    if !matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE
    ) {
        error.status = status;
    }
    error.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_error_has_its_status_and_code() {
        let table: Vec<(Error, u16, &str)> = vec![
            (Error::invalid("x"), 422, "invalid_request"),
            (
                Error::SchemaViolation(vec!["a: b".into()]),
                422,
                "schema_violation",
            ),
            (
                Error::SelectorUnresolved("x".into()),
                422,
                "selector_unresolved",
            ),
            (Error::Unauthorized("x".into()), 401, "unauthorized"),
            (
                Error::PublishableKeyForbidden,
                403,
                "publishable_key_forbidden",
            ),
            (Error::ScopeForbidden("x".into()), 403, "scope_forbidden"),
            (
                Error::SessionTypeNotFound {
                    product: "p".into(),
                    tag: "t".into(),
                },
                404,
                "session_type_not_found",
            ),
            (
                Error::NoBrowserSessions("t".into()),
                404,
                "session_type_not_found",
            ),
            (Error::CsrfRejected("x".into()), 403, "csrf_rejected"),
            (Error::SessionNotFound("s".into()), 404, "session_not_found"),
            (Error::ProductNotFound("p".into()), 404, "product_not_found"),
            (Error::KeyNotFound("k".into()), 404, "key_not_found"),
            (Error::WebhookNotFound("w".into()), 404, "webhook_not_found"),
            (Error::Conflict("x".into()), 409, "conflict"),
            (Error::TokenMalformed("x".into()), 401, "token_malformed"),
            (Error::TokenSignatureInvalid, 401, "token_signature_invalid"),
            (Error::TokenExpired, 401, "token_expired"),
            (
                Error::TagMismatch {
                    expected: "a".into(),
                    actual: "b".into(),
                },
                401,
                "tag_mismatch",
            ),
            (Error::SessionRevoked, 401, "session_revoked"),
            (
                Error::WrongEnvironment {
                    product: "p".into(),
                    env: "e".into(),
                },
                401,
                "wrong_environment",
            ),
            (
                Error::RefreshTokenInvalid("x".into()),
                401,
                "refresh_token_invalid",
            ),
            (Error::RefreshTokenExpired, 401, "refresh_token_expired"),
            (Error::RefreshTokenReused, 401, "refresh_token_reused"),
            (Error::TokenSuperseded, 401, "token_superseded"),
            (Error::SessionIdleExpired, 401, "session_idle_expired"),
            (
                Error::SessionLimitReached("x".into()),
                409,
                "session_limit_reached",
            ),
            (
                Error::ReauthenticationRequired("x".into()),
                401,
                "reauthentication_required",
            ),
            (
                Error::RateLimited {
                    retry_after_secs: 3,
                },
                429,
                "rate_limited",
            ),
            (
                Error::StoreUnavailable("down".into()),
                503,
                "store_unavailable",
            ),
            (Error::Internal("secret detail".into()), 500, "internal"),
        ];
        for (e, status, code) in table {
            let api = ApiError::from(e.clone());
            assert_eq!(
                (api.status.as_u16(), api.code.as_str()),
                (status, code),
                "{e:?}"
            );
            assert!(!api.message.contains("secret detail"));
        }
    }

    #[test]
    fn rate_limited_answers_carry_retry_after() {
        let response = ApiError::from(Error::RateLimited {
            retry_after_secs: 7,
        })
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
