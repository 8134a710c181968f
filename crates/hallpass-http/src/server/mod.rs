//! Serving the router on a TCP listener with the bounds a public server needs: a limit on open
//! connections, deadlines for request heads, bodies and idle keep-alive connections, and a
//! bounded drain at shutdown. `axum::serve` has none of these: a client that sends nothing, or
//! one byte at a time, holds its connection (and a file descriptor) for good.
//!
//! Every cut and refusal is counted (`hallpass_connections_cut_total{reason}`,
//! `hallpass_connections_refused_total`, with `hallpass_connections_open`) and logged, at most
//! once every ten seconds with the count since, so that a flood does not flood the log too.

mod connection;
mod watch;
mod watched_io;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::TokioExecutor;
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use watch::Cut;

/// Bounds of the server's connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a request head may take to arrive, from its first byte (and how long a new
    /// connection may wait before sending one).
    pub header_read_timeout: Duration,
    /// How long a request body may take to arrive whole; then the answer is
    /// `408 request_timeout`.
    pub body_read_timeout: Duration,
    /// How long a connection that has served a request may wait for the next one.
    pub idle_timeout: Duration,
    /// Most connections open at once; more are answered `503 too_many_connections` and closed.
    pub max_connections: usize,
    /// How long shutdown waits for requests being served to finish.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    /// 10 s for a head, 30 s for a body, 75 s idle (longer than the 60 s idle timeout of common
    /// load balancers, so that they close first), 4096 connections, 10 s to drain.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            max_connections: 4096,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// How often each connection checks its deadline: a tenth of the shortest one, between
    /// 50 ms and 1 s, so a deadline is kept within a tenth or a second, whichever is less.
    fn tick(&self) -> Duration {
        (self.header_read_timeout.min(self.idle_timeout) / 10)
            .clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}

/// What every connection task shares.
pub(crate) struct Shared {
    router: Router,
    limits: Limits,
    builder: auto::Builder<TokioExecutor>,
    refused: Throttled,
    cut: Throttled,
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then stops
/// accepting, lets the requests being served finish (up to `limits.shutdown_timeout`) and
/// returns. Handlers see the peer as `ConnectInfo<SocketAddr>`, as with `axum::serve`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    crate::metrics::install();
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shared = Arc::new(Shared {
        router,
        limits,
        builder: auto::Builder::new(TokioExecutor::new()),
        refused: Throttled::default(),
        cut: Throttled::default(),
    });
    tokio::pin!(shutdown);
    let accept_errors = Throttled::default();
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, usually: wait for connections to close.
                    accept_errors.note(|n| {
                        tracing::warn!(error = %e, failures = n, "cannot accept connections");
                    });
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => {
                tokio::spawn(connection::run(
                    stream,
                    peer,
                    Arc::clone(&shared),
                    stopped.clone(),
                    slot,
                ));
            }
            Err(_) => refuse(stream, &shared, max),
        }
    }
    drop(listener);
    let _ = stop.send(true);
    drain(&slots, max, shared.limits.shutdown_timeout).await;
}

/// Waits until every connection has closed, or the drain timeout has passed.
async fn drain(slots: &Semaphore, max: usize, within: Duration) {
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    if tokio::time::timeout(within, slots.acquire_many(all))
        .await
        .is_err()
    {
        let open = max.saturating_sub(slots.available_permits());
        tracing::warn!(
            open,
            "shutdown: {open} connection(s) still serving after {within:?}; closing them"
        );
    }
}

/// The answer to a connection over the limit, written without waiting, before it is closed.
fn refusal() -> &'static [u8] {
    static REFUSAL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    REFUSAL.get_or_init(|| {
        let body = serde_json::to_vec(&hallpass_api::ErrorBody::new(
            hallpass_api::ErrorCode::TooManyConnections,
            "the server has as many connections open as it accepts (max connections): retry shortly",
        ))
        .unwrap_or_default();
        let mut out = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    })
}

fn refuse(stream: TcpStream, shared: &Shared, max: usize) {
    // Best effort: a full socket buffer, or a client gone, is no reason to wait.
    let _ = stream.try_write(refusal());
    drop(stream);
    metrics::counter!("hallpass_connections_refused_total").increment(1);
    shared.refused.note(|n| {
        tracing::warn!(
            refused = n,
            max_connections = max,
            "refused {n} connection(s): {max} are open, the most this server accepts (--max-connections)"
        );
    });
}

fn count_cut(shared: &Shared, cut: Cut, peer: SocketAddr) {
    metrics::counter!("hallpass_connections_cut_total", "reason" => cut.label()).increment(1);
    match cut {
        // Routine: keep-alive connections end this way.
        Cut::IdleTimeout => tracing::debug!(%peer, "closed an idle connection"),
        // A revocation feed subscriber that stopped reading; it reconnects if it is alive.
        Cut::StreamStalled => tracing::info!(%peer, "closed a stream whose client stopped reading"),
        Cut::HeaderTimeout => shared.cut.note(|n| {
            tracing::warn!(
                cut = n,
                timeout = ?shared.limits.header_read_timeout,
                "closed {n} connection(s) that sent no complete request head in time (--header-read-timeout)"
            );
        }),
    }
}

/// A log line at most once every ten seconds, saying how many events it stands for.
#[derive(Default)]
struct Throttled {
    state: Mutex<(Option<Instant>, u64)>,
}

impl Throttled {
    const EVERY: Duration = Duration::from_secs(10);

    fn note(&self, log: impl FnOnce(u64)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.1 += 1;
        if state.0.is_none_or(|last| last.elapsed() >= Self::EVERY) {
            log(state.1);
            *state = (Some(Instant::now()), 0);
        }
    }
}
