//! Every request runs to completion, even when its client goes away.
//!
//! hyper drops a request's future when the connection closes. Dropped half-way, an operation
//! would stop between its steps: a revocation written to the database but not yet in this
//! node's revocation set, or a database driver cancelled while opening a transaction, which
//! can hand its connection back to the pool still inside that transaction. So each request
//! runs on a task of its own, which the connection closing does not cancel.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use hallpass::core::Error;

use crate::ApiError;

/// Middleware: runs the rest of the stack on its own task and waits for its answer.
pub(crate) async fn run_to_completion(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(failed) => ApiError::from(Error::Internal(format!("request task failed: {failed}")))
            .into_response(),
    }
}
