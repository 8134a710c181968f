//! `/metrics` counts what an operator watches: sessions started, refreshed and revoked,
//! verify outcomes by code, and the verification cache's hits and misses.

use axum::http::Method;

use crate::support::*;

/// The sum of every sample of `name` whose labels contain `label` (all of them if empty).
fn total(metrics: &str, name: &str, label: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(series, _)| {
            (series == &name || series.starts_with(&format!("{name}{{"))) && series.contains(label)
        })
        .filter_map(|(_, value)| value.parse::<f64>().ok())
        .sum()
}

async fn scrape(app: &App) -> String {
    app.raw(Method::GET, "/metrics", "", "").await.text
}

#[tokio::test]
async fn session_verify_and_cache_counters_move_with_use() {
    let app = setup().await;
    // Metrics are process-wide and other tests run alongside: compare before and after.
    let before = scrape(&app).await;
    let s = app.start("u").await;
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    let (status, refreshed) = app.refresh(&s["refreshToken"]).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(app.revoke(&s["sessionId"]).await.0, 200);
    assert_err(&app.verify(&s["token"]).await, 401, "session_revoked");
    let after = scrape(&app).await;

    for (name, label) in [
        ("hallpass_sessions_started_total", ""),
        ("hallpass_sessions_refreshed_total", ""),
        ("hallpass_sessions_revoked_total", "cause=\"revoke\""),
        ("hallpass_verify_total", "outcome=\"ok\""),
        ("hallpass_verify_total", "outcome=\"session_revoked\""),
        ("hallpass_verify_cache_lookups_total", "result=\"hit\""),
        ("hallpass_verify_cache_lookups_total", "result=\"miss\""),
    ] {
        let growth = total(&after, name, label) - total(&before, name, label);
        assert!(growth >= 1.0, "{name}{{{label}}} did not grow: {after}");
    }
    assert!(after.contains("hallpass_verify_cache_entries"), "{after}");
}

#[tokio::test]
async fn store_latency_errors_and_pool_usage_are_reported() {
    let app = setup().await;
    let before = scrape(&app).await;
    let s = app.start("u").await;
    let (status, _) = app.refresh(&s["refreshToken"]).await;
    assert_eq!(status, 200);
    let after = scrape(&app).await;
    for operation in [
        "insert_session",
        "session_by_refresh_hash",
        "rotate_refresh",
    ] {
        let label = format!("operation=\"{operation}\"");
        let name = "hallpass_store_operation_duration_seconds_count";
        let growth = total(&after, name, &label) - total(&before, name, &label);
        assert!(growth >= 1.0, "{name}{{{label}}} did not grow: {after}");
    }
    // The pool of the SQLite file store: 4 connections at most, none lent out between requests
    // of this test (others may be running, so only the bound is exact).
    assert_eq!(
        total(&after, "hallpass_store_pool_max_connections", ""),
        4.0,
        "{after}"
    );
    assert!(
        after.contains("hallpass_store_pool_connections{state=\"idle\"}")
            && after.contains("hallpass_store_pool_connections{state=\"in_use\"}"),
        "{after}"
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_method_and_status_with_unknown_methods_folded() {
    let app = setup().await;
    let before = scrape(&app).await;
    let custom = Method::from_bytes(b"BREW").expect("a valid extension method");
    assert_eq!(app.raw(custom, "/healthz", "", "").await.status, 405);
    assert_eq!(app.raw(Method::GET, "/healthz", "", "").await.status, 200);
    let after = scrape(&app).await;
    let name = "hallpass_http_requests_total";
    for labels in [
        "method=\"OTHER\",status=\"405\"",
        "route=\"/healthz\",method=\"GET\",status=\"200\"",
    ] {
        let growth = total(&after, name, labels) - total(&before, name, labels);
        assert!(growth >= 1.0, "{name}{{{labels}}} did not grow: {after}");
    }
    assert!(
        !after.contains("BREW"),
        "a client's method is no label: {after}"
    );
}

#[tokio::test]
async fn every_metric_says_what_it_counts_and_the_build_is_named() {
    let app = setup().await;
    let s = app.start("u").await;
    assert_eq!(app.verify(&s["token"]).await.0, 200);
    let metrics = scrape(&app).await;
    for name in [
        "hallpass_http_requests_total",
        "hallpass_http_request_duration_seconds",
        "hallpass_sessions_started_total",
        "hallpass_verify_total",
        "hallpass_revocation_set_size",
        "hallpass_store_operation_duration_seconds",
        "hallpass_store_pool_connections",
    ] {
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with(&format!("# HELP {name} ")) && l.len() > name.len() + 10),
            "no HELP text for {name}:\n{metrics}"
        );
    }
    let build = format!(
        "hallpass_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        metrics.lines().any(|l| l == build),
        "no {build}:\n{metrics}"
    );
}
