//! What one connection is doing, kept in a few atomics the socket and the service update, and
//! the deadline that follows from it.
//!
//! A connection is always in one of three phases:
//! - **busy**: a request is being served (its body read, its handler run). No deadline here:
//!   reading the body has its own timeout, and handlers are bounded by the store's. A response
//!   that streams (the revocation feed's `text/event-stream`) keeps its connection busy until
//!   its body ends, but counts as between requests at shutdown: a stream never ends by itself,
//!   so waiting for it would only hold shutdown for the drain timeout. Its deadline is the idle
//!   timeout since hyper last asked the body for more: a client that stopped reading leaves
//!   the socket full and hyper waiting, and is cut.
//! - **head**: bytes of a request arrived while nothing was being served, and the request's
//!   head is not complete yet: it must be within the header-read timeout of its first byte.
//! - **idle**: nothing is being served and nothing arrived since. A connection that has
//!   served a request may wait the idle (keep-alive) timeout for the next; one that never sent
//!   a request gets only the header-read timeout.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Limits;

/// Why a connection was closed by the server rather than by its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cut {
    /// A request head (or the first request) did not arrive whole in time.
    HeaderTimeout,
    /// No next request within the idle timeout.
    IdleTimeout,
    /// A streaming answer's body was not asked for more within the idle timeout: its client
    /// stopped reading (a stream sends at least a heartbeat every 15 s, so a reading client's
    /// connection always asks again sooner).
    StreamStalled,
}

impl Cut {
    /// The metric label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::HeaderTimeout => "header_timeout",
            Self::IdleTimeout => "idle_timeout",
            Self::StreamStalled => "stream_stalled",
        }
    }
}

/// One connection's phase.
pub(crate) struct Watch {
    origin: Instant,
    in_flight: AtomicU32,
    /// Of those, responses streaming their body.
    streams: AtomicU32,
    /// Bytes of a request arrived while nothing was in flight.
    head: AtomicBool,
    /// At least one request was served.
    served: AtomicBool,
    /// When the current phase began, in milliseconds since `origin`.
    since_ms: AtomicU64,
    /// When a streaming body was last asked for its next frame.
    stream_polled_ms: AtomicU64,
}

impl Watch {
    pub(crate) fn new() -> Self {
        Self {
            origin: Instant::now(),
            in_flight: AtomicU32::new(0),
            streams: AtomicU32::new(0),
            head: AtomicBool::new(false),
            served: AtomicBool::new(false),
            since_ms: AtomicU64::new(0),
            stream_polled_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The socket read bytes: when nothing is being served, a request head has begun.
    pub(crate) fn bytes_arrived(&self) {
        if self.in_flight.load(Ordering::Relaxed) == 0 && !self.head.load(Ordering::Relaxed) {
            self.since_ms.store(self.now_ms(), Ordering::Relaxed);
            self.head.store(true, Ordering::Relaxed);
        }
    }

    /// A request reached the service: the connection is busy until the guard drops.
    pub(crate) fn request_started(self: &std::sync::Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head.store(false, Ordering::Relaxed);
        InFlight(std::sync::Arc::clone(self))
    }

    /// Whether nothing is being served (idle, or a head is arriving): such a connection may
    /// be closed at shutdown without losing a request the service has seen.
    pub(crate) fn is_between_requests(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == self.streams.load(Ordering::Relaxed)
    }

    /// Whether the connection has outlived its phase's deadline at this moment.
    pub(crate) fn expired(&self, limits: &Limits) -> Option<Cut> {
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        if in_flight > 0 {
            // Only streams in flight: cut when hyper has not asked for more for too long,
            // which happens only when the socket does not take what was written.
            let streams = self.streams.load(Ordering::Relaxed);
            let polled = self.stream_polled_ms.load(Ordering::Relaxed);
            let stalled = Duration::from_millis(self.now_ms().saturating_sub(polled));
            return (streams == in_flight && stalled >= limits.idle_timeout)
                .then_some(Cut::StreamStalled);
        }
        let elapsed = Duration::from_millis(
            self.now_ms()
                .saturating_sub(self.since_ms.load(Ordering::Relaxed)),
        );
        let (limit, cut) =
            if self.head.load(Ordering::Relaxed) || !self.served.load(Ordering::Relaxed) {
                (limits.header_read_timeout, Cut::HeaderTimeout)
            } else {
                (limits.idle_timeout, Cut::IdleTimeout)
            };
        (elapsed >= limit).then_some(cut)
    }
}

/// A request being served; dropping it (answer ready, or request abandoned) ends it.
pub(crate) struct InFlight(std::sync::Arc<Watch>);

impl InFlight {
    /// The answer streams its body: the request stays in flight until the body ends (or the
    /// connection closes), as a stream.
    pub(crate) fn streaming(self) -> Streaming {
        self.0.streams.fetch_add(1, Ordering::Relaxed);
        let streaming = Streaming(self);
        streaming.polled();
        streaming
    }
}

/// A streaming answer whose body has not ended; dropping it ends the request.
pub(crate) struct Streaming(InFlight);

impl Streaming {
    /// The connection asked the body for its next frame: its client is reading.
    pub(crate) fn polled(&self) {
        let watch = &self.0.0;
        watch
            .stream_polled_ms
            .store(watch.now_ms(), Ordering::Relaxed);
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        self.0.0.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let watch = &self.0;
        if watch.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            watch.since_ms.store(watch.now_ms(), Ordering::Relaxed);
            watch.served.store(true, Ordering::Relaxed);
            watch.head.store(false, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn limits() -> Limits {
        Limits {
            header_read_timeout: Duration::ZERO,
            idle_timeout: Duration::from_secs(3600),
            ..Limits::default()
        }
    }

    #[test]
    fn a_streaming_answer_has_no_deadline_but_does_not_hold_shutdown() {
        let watch = Arc::new(Watch::new());
        let zero = Limits {
            idle_timeout: Duration::ZERO,
            ..limits()
        };
        let stream = watch.request_started().streaming();
        assert_eq!(watch.expired(&limits()), None, "busy while it streams");
        assert_eq!(
            watch.expired(&zero),
            Some(Cut::StreamStalled),
            "a stream not asked for more within the idle timeout is cut"
        );
        assert!(watch.is_between_requests(), "closed at once at shutdown");
        let other = watch.request_started();
        assert!(
            !watch.is_between_requests(),
            "an ordinary request holds shutdown"
        );
        drop(other);
        drop(stream);
        assert!(watch.is_between_requests());
        assert_eq!(
            watch.expired(&zero),
            Some(Cut::IdleTimeout),
            "idle once it ended"
        );
    }

    #[test]
    fn a_fresh_connection_gets_the_header_timeout_and_a_served_one_the_idle_timeout() {
        let watch = Arc::new(Watch::new());
        assert_eq!(watch.expired(&limits()), Some(Cut::HeaderTimeout));
        let request = watch.request_started();
        assert_eq!(watch.expired(&limits()), None, "busy: no deadline");
        drop(request);
        assert_eq!(watch.expired(&limits()), None, "idle within an hour");
        watch.bytes_arrived();
        assert_eq!(watch.expired(&limits()), Some(Cut::HeaderTimeout));
    }

    #[test]
    fn bytes_of_a_request_being_served_start_no_head() {
        let watch = Arc::new(Watch::new());
        let request = watch.request_started();
        watch.bytes_arrived();
        drop(request);
        assert_eq!(watch.expired(&limits()), None);
        assert!(watch.is_between_requests());
    }
}
