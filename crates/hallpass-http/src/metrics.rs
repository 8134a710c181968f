//! Prometheus metrics: request count and latency by route and status, plus service gauges.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Instant;

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{Method, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

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
        describe();
        metrics::gauge!("hallpass_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        handle
    })
}

/// The `# HELP` text of every metric, in one table (the service records some of them).
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(
        "hallpass_build_info",
        "Always 1; the label says which version runs."
    );
    describe_counter!(
        "hallpass_http_requests_total",
        "HTTP requests answered, by route, method and status."
    );
    describe_histogram!(
        "hallpass_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route, method and status."
    );
    describe_counter!("hallpass_sessions_started_total", "Sessions started.");
    describe_counter!(
        "hallpass_sessions_refreshed_total",
        "Refresh tokens rotated (grace-period repeats not counted)."
    );
    describe_counter!(
        "hallpass_sessions_revoked_total",
        "Sessions revoked, by cause."
    );
    describe_counter!(
        "hallpass_sessions_updated_total",
        "Sessions whose data this node changed (update, update-all): their older tokens are superseded."
    );
    describe_counter!(
        "hallpass_verify_total",
        "Token verifications, by outcome: ok or the error code."
    );
    describe_counter!(
        "hallpass_verify_cache_lookups_total",
        "Lookups of the verification cache, by result: hit or miss."
    );
    describe_gauge!(
        "hallpass_verify_cache_entries",
        "Tokens held by the verification cache."
    );
    describe_gauge!(
        "hallpass_revocation_set_size",
        "Revoked sessions whose tokens have not all expired yet, held in memory."
    );
    describe_gauge!(
        "hallpass_superseded_set_size",
        "Sessions whose data changed while tokens of the older data may still be presented, held in memory."
    );
    describe_gauge!(
        "hallpass_feed_subscribers",
        "Revocation feed subscribers connected to this node."
    );
    describe_counter!(
        "hallpass_feed_subscribers_cut_total",
        "Revocation feed subscribers cut off for falling more than the buffer behind."
    );
    describe_histogram!(
        "hallpass_store_operation_duration_seconds",
        Unit::Seconds,
        "Time of a store operation, by operation."
    );
    describe_counter!(
        "hallpass_store_errors_total",
        "Store operations that failed, by operation."
    );
    describe_gauge!(
        "hallpass_store_pool_connections",
        "Database connections of the pool, by state: in_use or idle."
    );
    describe_gauge!(
        "hallpass_store_pool_max_connections",
        "Most database connections the pool opens."
    );
    describe_gauge!("hallpass_connections_open", "Client connections open.");
    describe_counter!(
        "hallpass_connections_refused_total",
        "Client connections refused at --max-connections."
    );
    describe_counter!(
        "hallpass_connections_cut_total",
        "Client connections cut, by reason."
    );
}

/// Installs the process-wide recorder, so metrics recorded before the first request count.
pub(crate) fn install() {
    let _ = handle();
}

/// Records every request's route, method, status and latency, and logs server errors (and,
/// at debug level, every request).
pub(crate) async fn track(req: Request<Body>, next: Next) -> Response {
    let _ = handle();
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    with_request_metrics(route, method, status, |m| {
        m.count.increment(1);
        m.duration.record(took.as_secs_f64());
    });
    if response.status().is_server_error() {
        tracing::error!(%route, method, status, ?took, "request failed");
    } else {
        tracing::debug!(%route, method, status, ?took, "request");
    }
    response
}

/// The request method as a label: the standard ones by name, anything else as `OTHER`, so that
/// clients cannot create series at will.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// The metric handles of one route, method and status.
struct RequestMetrics {
    count: metrics::Counter,
    duration: metrics::Histogram,
}

/// Handles by route, then by method and status, registered on first use: looking a metric up
/// by its labels in the registry, with the label strings that takes, cost more per request than
/// the rest of this middleware. Routes are the router's (or `unmatched`), methods and statuses
/// few, so the map stays small.
type Handles = HashMap<Arc<str>, HashMap<(&'static str, u16), RequestMetrics>>;

fn with_request_metrics(
    route: &str,
    method: &'static str,
    status: u16,
    f: impl Fn(&RequestMetrics),
) {
    static HANDLES: OnceLock<RwLock<Handles>> = OnceLock::new();
    let handles = HANDLES.get_or_init(RwLock::default);
    {
        let known = handles.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(m) = known.get(route).and_then(|r| r.get(&(method, status))) {
            f(m);
            return;
        }
    }
    let labels = [
        ("route", route.to_string()),
        ("method", method.to_owned()),
        ("status", status.to_string()),
    ];
    let mut known = handles.write().unwrap_or_else(PoisonError::into_inner);
    let m = known
        .entry(Arc::from(route))
        .or_default()
        .entry((method, status))
        .or_insert_with(|| RequestMetrics {
            count: metrics::counter!("hallpass_http_requests_total", &labels),
            duration: metrics::histogram!("hallpass_http_request_duration_seconds", &labels),
        });
    f(m);
}

/// Counts a verify by outcome: `ok` or the error code.
pub(crate) fn verify_outcome(result: Result<(), &hallpass::core::Error>) {
    let outcome = result.map_or_else(|e| crate::error::code_of(e).as_str(), |()| "ok");
    metrics::counter!("hallpass_verify_total", "outcome" => outcome).increment(1);
}

/// The text exposition.
pub(crate) fn render(state: &AppState) -> impl IntoResponse + use<> {
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("hallpass_revocation_set_size").set(state.hallpass.revocation_count() as f64);
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("hallpass_superseded_set_size").set(state.hallpass.superseded_count() as f64);
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
