//! One `ApiError`, one table from domain error to status and code, one `IntoResponse`.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hallpass::core::Error;
use hallpass_api::{ErrorBody, ErrorDetail};

/// An error answer: status, stable code, message, and `Retry-After` for 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// What went wrong and what to do.
    pub message: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `invalid_json`: the body is not JSON.
    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request body is not valid JSON: {detail}"),
        )
    }

    /// 422 `invalid_request`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
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
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    /// 408 `request_timeout`: the body did not arrive whole in time.
    pub fn request_timeout(within: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive whole within {} s: send it at once, with a Content-Length that matches it",
                within.as_secs()
            ),
        )
    }
}

/// The table: every domain error's status and code.
pub fn status_and_code(e: &Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    match e {
        Error::InvalidRequest(_) => (S::UNPROCESSABLE_ENTITY, "invalid_request"),
        Error::SchemaViolation(_) => (S::UNPROCESSABLE_ENTITY, "schema_violation"),
        Error::SelectorUnresolved(_) => (S::UNPROCESSABLE_ENTITY, "selector_unresolved"),
        Error::Unauthorized(_) => (S::UNAUTHORIZED, "unauthorized"),
        Error::PublishableKeyForbidden => (S::FORBIDDEN, "publishable_key_forbidden"),
        Error::ScopeForbidden(_) => (S::FORBIDDEN, "scope_forbidden"),
        Error::SessionTypeNotFound { .. } | Error::NoBrowserSessions(_) => {
            (S::NOT_FOUND, "session_type_not_found")
        }
        Error::CsrfRejected(_) => (S::FORBIDDEN, "csrf_rejected"),
        Error::SessionNotFound(_) => (S::NOT_FOUND, "session_not_found"),
        Error::ProductNotFound(_) => (S::NOT_FOUND, "product_not_found"),
        Error::KeyNotFound(_) => (S::NOT_FOUND, "key_not_found"),
        Error::Conflict(_) => (S::CONFLICT, "conflict"),
        Error::TokenMalformed(_) => (S::UNAUTHORIZED, "token_malformed"),
        Error::TokenSignatureInvalid => (S::UNAUTHORIZED, "token_signature_invalid"),
        Error::TokenExpired => (S::UNAUTHORIZED, "token_expired"),
        Error::TagMismatch { .. } => (S::UNAUTHORIZED, "tag_mismatch"),
        Error::SessionRevoked => (S::UNAUTHORIZED, "session_revoked"),
        Error::WrongEnvironment { .. } => (S::UNAUTHORIZED, "wrong_environment"),
        Error::RefreshTokenInvalid(_) => (S::UNAUTHORIZED, "refresh_token_invalid"),
        Error::RefreshTokenExpired => (S::UNAUTHORIZED, "refresh_token_expired"),
        Error::RefreshTokenReused => (S::UNAUTHORIZED, "refresh_token_reused"),
        Error::RateLimited { .. } => (S::TOO_MANY_REQUESTS, "rate_limited"),
        Error::StoreUnavailable(_) => (S::SERVICE_UNAVAILABLE, "store_unavailable"),
        _ => (S::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, code) = status_and_code(&e);
        let message = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = %e, "internal error");
            "the server failed to handle this request; it has been logged".to_owned()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %e, "store unavailable");
            "the session store is unavailable right now: retry shortly".to_owned()
        } else {
            e.to_string()
        };
        let retry_after = match e {
            Error::RateLimited { retry_after_secs } => Some(retry_after_secs),
            Error::StoreUnavailable(_) => Some(1),
            _ => None,
        };
        Self {
            status,
            code,
            message,
            retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                status: self.status.as_u16(),
            },
        };
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
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route: see /v1/openapi.json for the API",
    )
}

/// Fallback for known routes called with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
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
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not accept this method",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST => {
            ("invalid_request", "the request is malformed")
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_request", "the request is invalid"),
        s if s.is_server_error() => ("internal", "the server failed to handle this request"),
        _ => ("invalid_request", "the request was refused"),
    };
    let status =
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE || status == StatusCode::BAD_REQUEST {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            status
        };
    let message = if text.trim().is_empty() || status.is_server_error() {
        fallback.to_owned()
    } else {
        text.trim().to_lowercase()
    };
    ApiError::new(status, code, message).into_response()
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
            assert_eq!((api.status.as_u16(), api.code), (status, code), "{e:?}");
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
