//! Prometheus metrics: request count and latency by route and status, plus service gauges.

use std::sync::OnceLock;
use std::time::Instant;

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// The process-wide recorder (metrics are global in the `metrics` crate).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Another recorder may already be installed by an embedding application; then ours
        // simply stays empty rather than failing the server.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Records every request's route, status and latency.
pub(crate) async fn track(req: Request<Body>, next: Next) -> Response {
    let _ = handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("hallpass_http_requests_total", &labels).increment(1);
    metrics::histogram!("hallpass_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Counts a verify by outcome: `ok` or the error code.
pub(crate) fn verify_outcome(result: Result<(), &hallpass::core::Error>) {
    let outcome = result.map_or_else(|e| crate::error::status_and_code(e).1, |()| "ok");
    metrics::counter!("hallpass_verify_total", "outcome" => outcome).increment(1);
}

/// The text exposition.
pub(crate) fn render(state: &AppState) -> impl IntoResponse + use<> {
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("hallpass_revocation_set_size").set(state.hallpass.revocation_count() as f64);
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("hallpass_verify_cache_entries").set(state.hallpass.verify_cache_len() as f64);
    let pool = state.hallpass.pool_usage();
    metrics::gauge!("hallpass_store_pool_connections", "state" => "in_use")
        .set(f64::from(pool.open.saturating_sub(pool.idle)));
    metrics::gauge!("hallpass_store_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("hallpass_store_pool_max_connections").set(f64::from(pool.max));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
}
