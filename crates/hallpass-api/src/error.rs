//! The error shape every route answers with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"error": {"code", "message", "status"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error: a stable snake_case code, a message a person can act on, and the HTTP status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`token_expired`, `schema_violation`, …). A string rather than
    /// [`ErrorCode`], so a client reads codes that a newer server added.
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The HTTP status.
    pub status: u16,
    /// The request field a 422 `invalid_request` is about, when it is about one (a session
    /// type's field by its camelCase name, e.g. `schema` or `expiry`), so a form can show the
    /// message at that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Every error code the server answers with, and its HTTP status: the one table from which the
/// server's answers, the `ErrorCode` enum of the OpenAPI document and the TypeScript client's
/// `HallpassErrorCode` are all made (docs/API.md §5.2 says when each is given).
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal;)*) => {
        /// A stable snake_case error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "` (", stringify!($status), ")")]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status answered with this code.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }
        }
    };
}

error_codes! {
    MalformedRequest = "malformed_request", 400;
    InvalidJson = "invalid_json", 400;
    Unauthorized = "unauthorized", 401;
    TokenMalformed = "token_malformed", 401;
    TokenSignatureInvalid = "token_signature_invalid", 401;
    TokenExpired = "token_expired", 401;
    TagMismatch = "tag_mismatch", 401;
    SessionRevoked = "session_revoked", 401;
    WrongEnvironment = "wrong_environment", 401;
    TokenSuperseded = "token_superseded", 401;
    SessionIdleExpired = "session_idle_expired", 401;
    ReauthenticationRequired = "reauthentication_required", 401;
    RefreshTokenInvalid = "refresh_token_invalid", 401;
    RefreshTokenExpired = "refresh_token_expired", 401;
    RefreshTokenReused = "refresh_token_reused", 401;
    PublishableKeyForbidden = "publishable_key_forbidden", 403;
    ScopeForbidden = "scope_forbidden", 403;
    CsrfRejected = "csrf_rejected", 403;
    NotFound = "not_found", 404;
    SessionTypeNotFound = "session_type_not_found", 404;
    SessionNotFound = "session_not_found", 404;
    ProductNotFound = "product_not_found", 404;
    KeyNotFound = "key_not_found", 404;
    WebhookNotFound = "webhook_not_found", 404;
    MethodNotAllowed = "method_not_allowed", 405;
    RequestTimeout = "request_timeout", 408;
    Conflict = "conflict", 409;
    SessionLimitReached = "session_limit_reached", 409;
    PayloadTooLarge = "payload_too_large", 413;
    UriTooLong = "uri_too_long", 414;
    InvalidRequest = "invalid_request", 422;
    SchemaViolation = "schema_violation", 422;
    SelectorUnresolved = "selector_unresolved", 422;
    RateLimited = "rate_limited", 429;
    HeadersTooLarge = "headers_too_large", 431;
    Internal = "internal", 500;
    StoreUnavailable = "store_unavailable", 503;
    TooManyConnections = "too_many_connections", 503;
}

impl ErrorBody {
    /// The body of an error answer with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.as_str().to_owned(),
                message: message.into(),
                status: code.status(),
                field: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serializes_as_its_wire_string_and_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("serializable"),
                serde_json::Value::from(code.as_str())
            );
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert!((400..600).contains(&code.status()));
        }
    }
}
