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
    /// Stable snake_case code (`token_expired`, `schema_violation`, …).
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The HTTP status.
    pub status: u16,
}
