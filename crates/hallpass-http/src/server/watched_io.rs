//! A connection's socket as hyper sees it: reads tell the connection's [`Watch`] that a request
//! head has begun, and hyper's own answers to unparseable requests are given the API's error
//! shape on their way out.
//!
//! hyper answers a request it cannot parse (400), one whose URI is too long (414) and one whose
//! head is too large (431) itself, before any service runs, with an empty body and no hook to
//! change it. Those answers are recognised here by their exact form (a status line of one of
//! those three and `content-length: 0`: every answer of the router has a JSON body) and
//! replaced by the same status with a JSON error body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use hallpass_api::{ErrorBody, ErrorCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::watch::Watch;

/// A socket watched for request heads, whose automatic error answers are rewritten.
pub(crate) struct WatchedIo<T> {
    inner: T,
    watch: Arc<Watch>,
    /// The rest of a rewritten answer the socket has not taken yet.
    pending: Vec<u8>,
}

impl<T> WatchedIo<T> {
    pub(crate) fn new(inner: T, watch: Arc<Watch>) -> Self {
        Self {
            inner,
            watch,
            pending: Vec::new(),
        }
    }
}

impl<T: AsyncWrite + Unpin> WatchedIo<T> {
    /// Writes what is left of a rewritten answer; ready once nothing is left.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.watch.bytes_arrived();
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(rewritten) = rewrite_automatic_error(buf) {
            // hyper is told its answer went out whole; the socket gets ours instead.
            self.pending = rewritten;
            return match self.poll_pending(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored, so hyper writes each answer's head as one buffer, which is what
    // `rewrite_automatic_error` recognises.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// hyper's automatic answers: status line, the API's code (whose status is the line's), and
/// what to do about it.
const AUTOMATIC: [(&[u8], ErrorCode, &str); 3] = [
    (
        b"HTTP/1.1 400 Bad Request\r\n",
        ErrorCode::MalformedRequest,
        "the request is not valid HTTP/1.1: check the request line and the header lines",
    ),
    (
        b"HTTP/1.1 414 URI Too Long\r\n",
        ErrorCode::UriTooLong,
        "the request URI is longer than the server accepts: send long values in a JSON body",
    ),
    (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
        ErrorCode::HeadersTooLarge,
        "the request head (request line and headers) is larger than the server accepts: send fewer or shorter headers or cookies",
    ),
];

/// The JSON answer that replaces `head` when it is one of hyper's automatic error answers.
fn rewrite_automatic_error(head: &[u8]) -> Option<Vec<u8>> {
    let (status_line, code, message) =
        AUTOMATIC.iter().find(|(line, ..)| head.starts_with(line))?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    // Only a head without a body: the router's answers always have a JSON body.
    if end + 4 != head.len() {
        return None;
    }
    let lines = &head[status_line.len()..end];
    let mut kept = Vec::new();
    let mut empty_body = false;
    for line in lines.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], line[colon + 1..].trim_ascii()),
            None => (line, &[][..]),
        };
        if name.eq_ignore_ascii_case(b"content-length") {
            empty_body = value == b"0";
        } else if !name.eq_ignore_ascii_case(b"connection") && !line.is_empty() {
            kept.push(line);
        }
    }
    if !empty_body {
        return None;
    }
    let body = serde_json::to_vec(&ErrorBody::new(*code, *message)).ok()?;
    let mut out = status_line.to_vec();
    for line in kept {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_431_becomes_a_json_error_with_its_other_headers() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite_automatic_error(head).expect("rewritten")).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("date: Tue, 01 Dec 2026 10:00:00 GMT"));
        assert!(head.contains("content-type: application/json"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "headers_too_large");
        assert_eq!(json["error"]["status"], 431);
    }

    #[test]
    fn answers_with_a_body_or_other_statuses_are_left_alone() {
        for head in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 52\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"{\"error\":{}}",
        ] {
            assert_eq!(rewrite_automatic_error(head), None, "{head:?}");
        }
    }
}
