//! One accepted connection: hyper serving the router over the watched socket, closed by the
//! server when it outlives its phase's deadline or when the server shuts down.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tower::ServiceExt as _;

use super::watch::{Streaming, Watch};
use super::watched_io::WatchedIo;
use super::{Shared, count_cut};
use crate::extract::BodyReadTimeout;

/// Serves `stream` until it closes, is cut, or drains at shutdown; `permit` is its slot among
/// the connections the server accepts.
pub(crate) async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) {
    let _open = OpenConnection::new(permit);
    let _ = stream.set_nodelay(true);
    let watch = Arc::new(Watch::new());
    let service = {
        let (router, watch) = (shared.router.clone(), Arc::clone(&watch));
        let body_read_timeout = BodyReadTimeout(shared.limits.body_read_timeout);
        hyper::service::service_fn(move |mut req: Request<Incoming>| {
            let in_flight = watch.request_started();
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(body_read_timeout);
            let router: Router = router.clone();
            async move {
                let response = router.oneshot(req.map(Body::new)).await?;
                if !is_event_stream(&response) {
                    drop(in_flight);
                    return Ok::<_, std::convert::Infallible>(response);
                }
                // The connection stays busy while the stream lasts (no idle deadline).
                let streaming = in_flight.streaming();
                Ok(response.map(|body| Body::new(Guarded { body, streaming })))
            }
        })
    };
    let io = TokioIo::new(WatchedIo::new(stream, Arc::clone(&watch)));
    let conn = shared.builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(shared.limits.tick());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut draining = *shutdown.borrow();
    if draining {
        return;
    }
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            changed = shutdown.changed(), if !draining => {
                draining = true;
                if changed.is_err() || watch.is_between_requests() {
                    // Nothing the service has seen is lost by closing now.
                    return;
                }
                // Finish the request being served, then close.
                conn.as_mut().graceful_shutdown();
            }
            _ = tick.tick() => {
                if let Some(cut) = watch.expired(&shared.limits) {
                    count_cut(&shared, cut, peer);
                    return;
                }
            }
        }
    }
}

/// Whether the answer is a stream of server-sent events (the revocation feed), whose body
/// lasts as long as its client listens.
fn is_event_stream(response: &axum::response::Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
}

/// A body that holds its request's [`Streaming`] mark until it ends or is dropped.
struct Guarded {
    body: Body,
    streaming: Streaming,
}

impl http_body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        self.streaming.polled();
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Counts the connection in the open-connections gauge, and gives its slot back when it ends.
struct OpenConnection {
    _permit: OwnedSemaphorePermit,
}

impl OpenConnection {
    fn new(permit: OwnedSemaphorePermit) -> Self {
        metrics::gauge!("hallpass_connections_open").increment(1.0);
        Self { _permit: permit }
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        metrics::gauge!("hallpass_connections_open").decrement(1.0);
    }
}
