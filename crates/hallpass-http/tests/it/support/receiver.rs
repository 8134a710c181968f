//! A webhook receiver on a loopback port: it records every request and answers each with the
//! next status of its script (then 204), so tests see exactly what an endpoint would.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// A request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: serde_json::Value,
    /// The status it answered.
    pub answered: u16,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Starts a receiver answering `script` in turn, then 204.
    pub async fn start(script: &[u16]) -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let (g, sc) = (Arc::clone(&got), Arc::clone(&script));
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let (g, sc) = (Arc::clone(&g), Arc::clone(&sc));
                async move {
                    let answered = sc
                        .lock()
                        .expect("receiver state")
                        .pop_front()
                        .unwrap_or(204);
                    g.lock().expect("receiver state").push(Received {
                        headers,
                        body: serde_json::from_slice(&body).expect("a JSON body"),
                        answered,
                    });
                    StatusCode::from_u16(answered).expect("a status")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, got, script }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("receiver state").clone()
    }

    /// Answers `status` from now on, for every request.
    pub fn answer_always(&self, status: u16) {
        let mut script = self.script.lock().expect("receiver state");
        script.clear();
        script.extend(std::iter::repeat_n(status, 10_000));
    }
}
