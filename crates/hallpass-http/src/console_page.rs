//! The console page (docs/API.md §16) at `/console`: the files `console/` builds, embedded in
//! the binary at compile time, so `hallpass serve` needs no other server, no CDN and no
//! network. Every answer carries a strict Content-Security-Policy: scripts, styles and
//! requests only from this origin, nothing inline, no framing.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use hallpass_api::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// The built page: `npm run build` in `console/` writes it here (and the test command checks
/// that the committed files are what the sources build to).
#[derive(rust_embed::Embed)]
#[folder = "console/"]
struct Built;

/// What the page may load and do. `default-src 'none'` refuses whatever is not named; no
/// `'unsafe-inline'` and no `'unsafe-eval'` anywhere (the templates are compiled at build).
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The page's routes: `/console` (and `/console/`) answer the page, `/console/assets/…` its
/// files.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(page))
        .route("/console/", get(page))
        .route("/console/assets/{file}", get(asset))
}

async fn page() -> Response {
    serve("index.html").unwrap_or_else(|| not_found("index.html"))
}

async fn asset(Path(file): Path<String>) -> Response {
    let path = format!("assets/{file}");
    serve(&path).unwrap_or_else(|| not_found(&path))
}

fn serve(path: &str) -> Option<Response> {
    let file = Built::get(path)?;
    let mime = file.metadata.mimetype();
    let mut answer = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = answer.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, mime),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        // Fixed file names: the browser asks again each time, and gets 304-less small files.
        (header::CACHE_CONTROL, "no-cache"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_str(value).ok()?);
    }
    Some(answer)
}

fn not_found(path: &str) -> Response {
    ApiError::new(
        ErrorCode::NotFound,
        format!(
            "the console has no file '{}'",
            hallpass::core::ids::truncate_for_message(path)
        ),
    )
    .into_response()
}
