//! Webhook delivery, seen from a receiver: latency from the answer of a start to the receipt
//! of its `session.started` delivery, one session at a time, then the sustained delivery rate
//! of a burst of starts.
//!
//! The receiver runs in this process and answers every delivery 204 at once, so both ends of
//! each latency are read on the same clock. The node must deliver to 127.0.0.1
//! (`--allow-private-webhooks`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::Api;
use crate::stats::{Samples, ms};

/// What the run does.
pub(crate) struct Setup {
    /// Sessions started one at a time, each awaited to its delivery (the latency).
    pub(crate) sessions: usize,
    /// Most random pause between two of them, in milliseconds, so that starts fall anywhere
    /// in the dispatcher's polling period.
    pub(crate) max_pause_ms: u64,
    /// Sessions started as fast as `concurrency` allows (the delivery rate).
    pub(crate) burst: usize,
    /// Concurrent starts of the burst.
    pub(crate) concurrency: usize,
}

/// One delivery as the receiver saw it.
struct Receipt {
    at: Instant,
    session_id: String,
    event_id: String,
}

#[derive(Clone)]
struct Receiver {
    receipts: mpsc::UnboundedSender<Receipt>,
    malformed: Arc<AtomicUsize>,
}

/// Answers 204 and notes the time of the receipt, with the session and event ids.
async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let event: Value = serde_json::from_slice(&body).unwrap_or_default();
    let signed = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        .iter()
        .all(|h| headers.contains_key(*h));
    match (event["data"]["sessionId"].as_str(), event["id"].as_str()) {
        (Some(session_id), Some(event_id)) if signed => {
            let _ = r.receipts.send(Receipt {
                at,
                session_id: session_id.to_owned(),
                event_id: event_id.to_owned(),
            });
        }
        _ => {
            r.malformed.fetch_add(1, Ordering::Relaxed);
        }
    }
    StatusCode::NO_CONTENT
}

/// Runs the receiver, makes the node's webhook (with `admin`, an admin key naming product
/// `product`), then measures latency and the burst's rate.
pub(crate) async fn run(
    api: &Api,
    admin: &Api,
    product: &str,
    backend: &str,
    setup: &Setup,
) -> anyhow::Result<()> {
    let (sender, mut receipts) = mpsc::unbounded_channel();
    let receiver = Receiver {
        receipts: sender,
        malformed: Arc::new(AtomicUsize::new(0)),
    };
    let malformed = Arc::clone(&receiver.malformed);
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the receiver")?;
    let hook = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        hallpass_http::serve(
            listener,
            app,
            hallpass_http::Limits::default(),
            std::future::pending(),
        )
        .await;
    });
    let (status, answer) = admin
        .post(
            "/v1/webhooks",
            &json!({"product": product, "url": hook, "events": ["session.started"],
                    "description": "hallpass-bench receiver"}),
        )
        .await?;
    ensure!(
        status == 201,
        "creating the webhook answered {status}: {answer}"
    );
    eprintln!(
        "webhooks: endpoint {} -> {hook}",
        answer["id"].as_str().unwrap_or("?")
    );

    // Latency: one session at a time, each awaited to its delivery.
    let mut latencies = Vec::with_capacity(setup.sessions);
    for i in 0..setup.sessions {
        let started = api.start(&format!("hook-{}", i % 1000)).await?;
        let answered = Instant::now();
        let receipt = tokio::time::timeout(Duration::from_secs(10), receipts.recv())
            .await
            .with_context(|| format!("no delivery of session {} in 10 s", started.session_id))?
            .context("the receiver stopped")?;
        ensure!(
            receipt.session_id == started.session_id,
            "a delivery of another session came first: {}",
            receipt.session_id
        );
        latencies.push(receipt.at.saturating_duration_since(answered));
        let pause = rand::random::<u64>() % (setup.max_pause_ms + 1);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    let one = Samples::new(latencies);
    println!(
        "SUMMARY|webhook latency, one at a time|{backend}|{} sessions|-|{} ms|{} ms|{} ms|answer of start to receipt; mean {} ms",
        one.len(),
        ms(one.percentile(50.0)),
        ms(one.percentile(99.0)),
        ms(one.max()),
        ms(one.mean()),
    );

    // Burst: starts as fast as they go, then every delivery awaited.
    let count = setup.burst;
    let began = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..setup.concurrency.clamp(1, count.max(1)) {
        let (api, next) = (api.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut answered = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(answered);
                }
                let started = api.start(&format!("burst-{}", i % 1000)).await?;
                answered.push((started.session_id, Instant::now()));
            }
        }));
    }
    let collect = tokio::spawn(async move {
        let mut got: HashMap<String, Instant> = HashMap::with_capacity(count);
        let mut events = HashMap::with_capacity(count);
        let mut duplicates = 0usize;
        let limit = Duration::from_secs(60 + count as u64 / 10);
        while got.len() < count {
            let Ok(Some(r)) = tokio::time::timeout(limit, receipts.recv()).await else {
                break;
            };
            if events.insert(r.event_id, ()).is_some() {
                duplicates += 1;
                continue;
            }
            got.insert(r.session_id, r.at);
        }
        (got, duplicates)
    });
    let mut answered = HashMap::with_capacity(count);
    for worker in workers {
        answered.extend(worker.await.context("a burst worker panicked")??);
    }
    let starts_took = began.elapsed();
    let (got, duplicates) = collect.await.context("the collector panicked")?;
    ensure!(
        got.len() == count,
        "{} of {count} deliveries arrived",
        got.len()
    );
    let mut burst = Vec::with_capacity(count);
    for (session, at) in &got {
        let sent = answered
            .get(session)
            .with_context(|| format!("a delivery of a session not started: {session}"))?;
        burst.push(at.saturating_duration_since(*sent));
    }
    let first = got.values().min().copied().unwrap_or(began);
    let last = got.values().max().copied().unwrap_or(began);
    let last_answer = answered.values().max().copied().unwrap_or(began);
    let span = last.saturating_duration_since(first);
    let rate = count as f64 / span.as_secs_f64().max(1e-9);
    let burst = Samples::new(burst);
    println!(
        "SUMMARY|webhook deliveries, burst|{backend}|{count} deliveries, {:.0} s|{rate:.0}|{} ms|{} ms|{} ms|{count} starts in {:.1} s ({:.0}/s); last receipt {:.1} s after the last answer; {duplicates} duplicates, {} malformed",
        span.as_secs_f64(),
        ms(burst.percentile(50.0)),
        ms(burst.percentile(99.0)),
        ms(burst.max()),
        starts_took.as_secs_f64(),
        count as f64 / starts_took.as_secs_f64(),
        last.saturating_duration_since(last_answer).as_secs_f64(),
        malformed.load(Ordering::Relaxed),
    );
    Ok(())
}
