//! The few API v1 calls the benchmarks make, over one keep-alive HTTP/1.1 client per node.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

/// A node of the API, with the access key and session type every call uses.
#[derive(Clone)]
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    auth: String,
    pub(crate) tag: String,
}

/// What `start` answers that the benchmarks use.
pub(crate) struct Started {
    pub(crate) session_id: String,
    pub(crate) token: String,
    pub(crate) refresh_token: String,
}

impl Api {
    pub(crate) fn new(base: &str, key: &str, tag: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            auth: format!("Bearer {key}"),
            tag: tag.to_owned(),
        })
    }

    /// POSTs `body` to `path` and returns the status and the JSON answer.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status().as_u16();
        let body = response
            .json::<Value>()
            .await
            .with_context(|| format!("reading the answer of POST {path}"))?;
        Ok((status, body))
    }

    /// Starts a session of `userId` `user` and checks the answer.
    pub(crate) async fn start(&self, user: &str) -> anyhow::Result<Started> {
        let body = json!({
            "tag": self.tag,
            "data": {"userId": user, "email": format!("{user}@example.com")},
        });
        let (status, answer) = self.post("/v1/sessions/start", &body).await?;
        ensure!(status == 200, "start answered {status}: {answer}");
        let field = |name: &str| {
            answer[name]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("start answered no {name}: {answer}"))
        };
        Ok(Started {
            session_id: field("sessionId")?,
            token: field("token")?,
            refresh_token: field("refreshToken")?,
        })
    }

    /// Updates the data of session `session_id` (its email becomes `<user>@example.com`,
    /// merged), which supersedes every token issued before; returns the token it answers.
    pub(crate) async fn update(&self, session_id: &str, user: &str) -> anyhow::Result<String> {
        let body = json!({
            "tag": self.tag,
            "sessionId": session_id,
            "data": {"email": format!("{user}@example.com")},
        });
        let (status, answer) = self.post("/v1/sessions/update", &body).await?;
        ensure!(status == 200, "update answered {status}: {answer}");
        ensure!(
            answer["sessionId"] == session_id,
            "update answered another session: {answer}"
        );
        answer["token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("update answered no token: {answer}"))
    }

    /// Verifies `token`: `Ok(None)` when it is accepted, `Ok(Some(code))` for a 401 with that
    /// error code.
    pub(crate) async fn verify(&self, token: &str) -> anyhow::Result<Option<String>> {
        let body = json!({"tag": self.tag, "token": token});
        let (status, answer) = self.post("/v1/sessions/verify", &body).await?;
        match status {
            200 => Ok(None),
            401 => Ok(Some(
                answer["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )),
            _ => bail!("verify answered {status}: {answer}"),
        }
    }
}

/// What [`pool`] writes, one a line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// Refresh tokens (the wrk refresh script).
    RefreshTokens,
    /// Session tokens, JWTs (the wrk verify scripts).
    SessionTokens,
    /// Session ids (the wrk revoke script).
    SessionIds,
}

/// Starts `count` sessions, `concurrency` at a time, and writes what `written` says of each
/// to `out`. With `update`, each session's data is then updated once, so that every session
/// holds a superseded token (the one written, for session tokens).
pub(crate) async fn pool(
    api: &Api,
    count: usize,
    concurrency: usize,
    out: Option<&Path>,
    written: Written,
    update: bool,
) -> anyhow::Result<()> {
    let concurrency = concurrency.clamp(1, count.max(1));
    let began = std::time::Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (api, next) = (api.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut tokens = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(tokens);
                }
                let user = format!("pool-{}", i % 1000);
                let started = api.start(&user).await?;
                if update {
                    api.update(&started.session_id, &format!("{user}-updated"))
                        .await?;
                }
                tokens.push(match written {
                    Written::RefreshTokens => started.refresh_token,
                    Written::SessionTokens => started.token,
                    Written::SessionIds => started.session_id,
                });
            }
        }));
    }
    let mut lines = String::with_capacity(count * 56);
    for worker in workers {
        for token in worker.await.context("a pool worker panicked")?? {
            lines.push_str(&token);
            lines.push('\n');
        }
    }
    let what = match written {
        Written::RefreshTokens => "refresh tokens",
        Written::SessionTokens => "session tokens",
        Written::SessionIds => "session ids",
    };
    let updated = if update {
        ", each session updated once"
    } else {
        ""
    };
    match out {
        Some(out) => {
            std::fs::write(out, lines).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "pool: {count} sessions{updated} in {:.1?}, {what} written to {}",
                began.elapsed(),
                out.display()
            );
        }
        None => eprintln!("pool: {count} sessions{updated} in {:.1?}", began.elapsed()),
    }
    Ok(())
}

/// Starts and refreshes sessions, `concurrency` at a time, until `duration` has passed; every
/// request is awaited to its answer.
pub(crate) async fn warm_up(
    api: &Api,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<()> {
    let until = tokio::time::Instant::now() + duration;
    let mut workers = Vec::with_capacity(concurrency);
    for worker in 0..concurrency.max(1) {
        let api = api.clone();
        workers.push(tokio::spawn(async move {
            let mut requests = 0u64;
            while tokio::time::Instant::now() < until {
                let started = api.start(&format!("warm-up-{worker}")).await?;
                let body = json!({"tag": api.tag, "refreshToken": started.refresh_token});
                let (status, answer) = api.post("/v1/sessions/refresh", &body).await?;
                ensure!(status == 200, "refresh answered {status}: {answer}");
                requests += 2;
            }
            anyhow::Ok(requests)
        }));
    }
    let mut requests = 0;
    for worker in workers {
        requests += worker.await.context("a warm-up worker panicked")??;
    }
    eprintln!("warm-up: {requests} requests (start and refresh) in {duration:?}");
    Ok(())
}
