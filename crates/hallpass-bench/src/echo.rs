//! The HTTP ceiling: what axum on this machine answers when the handler does almost nothing
//! (parse a JSON body, serialise it back), served by the same connection loop as hallpass
//! (`hallpass_http::serve`). hallpass's verify is compared with it.

use anyhow::Context as _;
use axum::Json;
use axum::routing::post;
use serde_json::Value;

/// Serves `POST /echo` on `listen` until the process is stopped.
pub(crate) async fn serve(listen: &str) -> anyhow::Result<()> {
    let app = axum::Router::new().route("/echo", post(echo));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    hallpass_http::serve(
        listener,
        app,
        hallpass_http::Limits::default(),
        std::future::pending(),
    )
    .await;
    Ok(())
}

#[allow(clippy::unused_async)]
async fn echo(Json(body): Json<Value>) -> Json<Value> {
    Json(body)
}
