//! How long a revocation, or a data update, on node A takes to reach verify on node B.
//!
//! For each session: start it on A, check that B accepts its token, then poll verify on B
//! while changing the session on A: revoking it, or updating its data (which supersedes every
//! token issued before). The delay runs from the moment A's `200` answer arrives to the moment
//! B's first `401` with the expected code (`session_revoked`, `token_superseded`) for the
//! session's first token arrives. A rejection that arrives before A's answer counts as zero (B
//! learnt it before the client did).

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use serde_json::json;

use crate::api::Api;
use crate::stats::{Samples, ms};

/// Longest a poller waits for the rejection before the run fails.
const GIVE_UP: Duration = Duration::from_secs(5);

/// What node A does to each session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Change {
    /// `POST /v1/sessions/revoke`: B must answer `session_revoked`.
    Revoke,
    /// `POST /v1/sessions/update` (new data, merged): B must answer `token_superseded` for the
    /// token issued before.
    Update,
}

impl Change {
    /// The summary line's name.
    fn label(self) -> &'static str {
        match self {
            Self::Revoke => "revocation A->B",
            Self::Update => "supersession A->B",
        }
    }

    /// The error code B answers once it knows.
    fn code(self) -> &'static str {
        match self {
            Self::Revoke => "session_revoked",
            Self::Update => "token_superseded",
        }
    }

    /// Makes the change on A and checks its answer; returns the new token an update answers.
    async fn apply(self, a: &Api, session_id: &str, i: usize) -> anyhow::Result<Option<String>> {
        match self {
            Self::Revoke => {
                let body = json!({"tag": a.tag, "sessionId": session_id});
                let (status, answer) = a.post("/v1/sessions/revoke", &body).await?;
                ensure!(
                    status == 200 && answer["revoked"] == true,
                    "revoke answered {status}: {answer}"
                );
                Ok(None)
            }
            Self::Update => Ok(Some(a.update(session_id, &format!("changed-{i}")).await?)),
        }
    }
}

pub(crate) async fn run(
    a: &Api,
    b: &Api,
    change: Change,
    backend: &str,
    sessions: usize,
    poll_interval_us: u64,
) -> anyhow::Result<()> {
    let interval = Duration::from_micros(poll_interval_us);
    let mut delays = Vec::with_capacity(sessions);
    let mut early = 0usize;
    let mut polls = 0u64;
    for i in 0..sessions {
        let s = a.start(&format!("propagation-{i}")).await?;
        ensure!(
            b.verify(&s.token).await?.is_none(),
            "node B rejected a fresh token of node A"
        );
        let poller = tokio::spawn(poll_until_refused(
            b.clone(),
            s.token.clone(),
            change.code(),
            interval,
        ));
        let outcome = change.apply(a, &s.session_id, i).await;
        let answered = Instant::now();
        let new_token = match outcome {
            Ok(token) => token,
            Err(e) => {
                poller.abort();
                return Err(e);
            }
        };
        let (rejected, n) = poller.await.context("the poller panicked")??;
        polls += n;
        if rejected < answered {
            early += 1;
        }
        delays.push(rejected.saturating_duration_since(answered));
        // Not timed: the token the update answered is accepted on B, which knows the new
        // version by now.
        if let Some(token) = new_token
            && let Some(code) = b.verify(&token).await?
        {
            bail!("verify on B refused the token an update answered: 401 {code}");
        }
    }
    let s = Samples::new(delays);
    let label = change.label();
    eprintln!(
        "{label} ({backend}): {} sessions, {polls} verify polls on B every {} us; \
         mean {} ms, p50 {} ms, p99 {} ms, max {} ms; {early} refused on B before A answered",
        s.len(),
        poll_interval_us,
        ms(s.mean()),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max()),
    );
    println!(
        "SUMMARY|{label}|{backend}|{} sessions|-|{} ms|{} ms|{} ms|p99 <= 50 ms: {}; {early} before A answered",
        s.len(),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max()),
        if s.percentile(99.0) <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}

/// Verifies `token` on `b` every `interval` until it answers 401 `code`; returns when that
/// answer arrived and how many polls it took.
async fn poll_until_refused(
    b: Api,
    token: String,
    code: &'static str,
    interval: Duration,
) -> anyhow::Result<(Instant, u64)> {
    let started = Instant::now();
    let mut ticker = tokio::time::interval(interval.max(Duration::from_micros(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut polls = 0;
    loop {
        if !interval.is_zero() {
            ticker.tick().await;
        }
        let answer = b.verify(&token).await?;
        let at = Instant::now();
        polls += 1;
        match answer.as_deref() {
            None => {}
            Some(c) if c == code => return Ok((at, polls)),
            Some(other) => bail!("verify on B answered 401 {other}, not {code}"),
        }
        if at - started > GIVE_UP {
            bail!("node B still accepted the token after {GIVE_UP:?} (waiting for {code})");
        }
    }
}
