//! `SealedSession` as an axum extractor, and the answers of its failures in the JSON error
//! shape `{"error": {"code", "message", "status"}}`.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::handle::{SealedSession, UpdateError};
use crate::layer::Slot;

impl<S: Send + Sync> FromRequestParts<S> for SealedSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Slot>() {
            Some(slot) => Ok(slot.session(&parts.headers)),
            None => {
                tracing::error!("SealedSession extracted on a route without SealedSessionLayer");
                Err(error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "sealed_session_layer_missing",
                    "the server is misconfigured: this route has no sealed-session layer",
                ))
            }
        }
    }
}

/// A refused update as an answer, so handlers can use `?`: an oversized session is 413
/// `session_too_large` (the client stored too much); anything else is the handler's own
/// mistake, 500 `session_update_failed`.
impl IntoResponse for UpdateError {
    fn into_response(self) -> Response {
        match self {
            Self::TooLarge { .. } => error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "session_too_large",
                &self.to_string(),
            ),
            other => {
                tracing::error!(error = %other, "a session update failed");
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "session_update_failed",
                    "the session could not be updated",
                )
            }
        }
    }
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error": {"code": code, "message": message, "status": status.as_u16()}
    });
    (status, axum::Json(body)).into_response()
}
