//! A small axum app with an h3-compatible session, the Rust twin of an h3 app that calls
//! `useSession`: `GET /session` shows it, `POST /session` merges a JSON patch into its data,
//! `DELETE /session` clears it. The interop tests (`interop/h3`) run it next to real h3 apps.
//!
//! Settings come from the environment: `SESSION_PASSWORD` (required, 32+ characters),
//! `SESSION_MAX_AGE` (seconds), `SESSION_ITERATIONS`, `SESSION_NAME`. It listens on a free
//! loopback port and prints `listening on <port>`.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hallpass_iron::Passwords;
use hallpass_sealed_session::{SealedSession, SealedSessionLayer, SessionSettings, UpdateError};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let password = std::env::var("SESSION_PASSWORD").map_err(|_| "set SESSION_PASSWORD")?;
    let mut settings = SessionSettings::new(Passwords::Single(password));
    if let Ok(age) = std::env::var("SESSION_MAX_AGE") {
        settings.max_age = Some(Duration::from_secs(age.parse()?));
    }
    if let Ok(iterations) = std::env::var("SESSION_ITERATIONS") {
        settings.iterations = iterations.parse()?;
    }
    if let Ok(name) = std::env::var("SESSION_NAME") {
        settings.cookie.name = name;
    }
    let app = Router::new()
        .route("/session", get(show).post(update).delete(clear))
        .layer(SealedSessionLayer::new(settings)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?.port());
    axum::serve(listener, app).await?;
    Ok(())
}

async fn show(session: SealedSession) -> Response {
    Json(session_json(&session)).into_response()
}

async fn update(session: SealedSession, Json(patch): Json<Value>) -> Result<Response, UpdateError> {
    session.update(patch)?;
    Ok(Json(session_json(&session)).into_response())
}

async fn clear(session: SealedSession) -> Result<Response, UpdateError> {
    session.clear()?;
    Ok(Json(json!({"cleared": true})).into_response())
}

fn session_json(session: &SealedSession) -> Value {
    json!({"id": session.id(), "createdAt": session.created_at(), "data": session.data()})
}
