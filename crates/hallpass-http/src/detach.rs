//! Every request runs to completion, even when its client goes away.
//!
//! hyper drops a request's future when the connection closes. Dropped half-way, an operation
//! would stop between its steps: a revocation written to the database but not yet in this
//! node's revocation set, or a database driver cancelled while opening a transaction, which
//! can hand its connection back to the pool still inside that transaction. So each request
//! runs on a task of its own, which the connection closing does not cancel.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use hallpass::core::Error;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Most requests running at once on a node, abandoned ones included; beyond it new requests
/// wait for a slot. A request holds its slot until it ends, not until its client leaves, so
/// hanging up and retrying cannot pile work up without bound.
const MAX_IN_FLIGHT: usize = 1024;

/// The slots [`run_to_completion`] hands out.
pub(crate) fn slots() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(MAX_IN_FLIGHT))
}

/// Middleware: runs the rest of the stack on its own task and waits for its answer. The
/// router layers it on every route but the session checks (verify and forward-auth), which
/// change nothing: dropping them half-way loses nothing, and the hottest routes are spared a
/// task of their own.
pub(crate) async fn run_to_completion(
    State(slots): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(slot) = slots.acquire_owned().await else {
        return failed("the request slots were closed");
    };
    let task = tokio::spawn(async move {
        let response = next.run(request).await;
        drop(slot);
        response
    });
    match task.await {
        Ok(response) => response,
        Err(e) => failed(&format!("request task failed: {e}")),
    }
}

fn failed(why: &str) -> Response {
    ApiError::from(Error::Internal(why.to_owned())).into_response()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use super::*;

    #[allow(clippy::unused_async)]
    async fn boom() -> &'static str {
        panic!("a handler bug")
    }

    #[tokio::test]
    async fn a_handler_that_panics_answers_the_json_500() {
        let app =
            Router::new()
                .route("/boom", get(boom))
                .layer(axum::middleware::from_fn_with_state(
                    slots(),
                    run_to_completion,
                ));
        let request = Request::get("/boom").body(Body::empty()).expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 500);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(json["error"]["code"], "internal");
    }
}
