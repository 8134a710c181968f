//! How long a revocation on node A takes to reach verify on node B.
//!
//! For each session: start it on A, check that B accepts its token, then poll verify on B
//! while revoking on A. The delay runs from the moment A's `200` answer to the revoke arrives
//! to the moment B's first `401 session_revoked` arrives. A rejection that arrives before the
//! revoke's answer counts as zero (B learnt it before the client did).

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use serde_json::json;

use crate::api::Api;
use crate::stats::{Samples, ms};

/// Longest a poller waits for the rejection before the run fails.
const GIVE_UP: Duration = Duration::from_secs(5);

pub(crate) async fn run(
    a: &Api,
    b: &Api,
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
        let poller = tokio::spawn(poll_until_revoked(b.clone(), s.token.clone(), interval));
        let body = json!({"tag": a.tag, "sessionId": s.session_id});
        let (status, answer) = a.post("/v1/sessions/revoke", &body).await?;
        let answered = Instant::now();
        ensure!(
            status == 200 && answer["revoked"] == true,
            "revoke answered {status}: {answer}"
        );
        let (rejected, n) = poller.await.context("the poller panicked")??;
        polls += n;
        if rejected < answered {
            early += 1;
        }
        delays.push(rejected.saturating_duration_since(answered));
    }
    let s = Samples::new(delays);
    eprintln!(
        "propagation ({backend}): {} sessions, {polls} verify polls on B every {} us; \
         mean {} ms, p50 {} ms, p99 {} ms, max {} ms; {early} rejected on B before A answered",
        s.len(),
        poll_interval_us,
        ms(s.mean()),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max()),
    );
    println!(
        "SUMMARY|revocation A->B|{backend}|{} sessions|-|{} ms|{} ms|{} ms|p99 <= 50 ms: {}",
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

/// Verifies `token` on `b` every `interval` until it answers `session_revoked`; returns when
/// that answer arrived and how many polls it took.
async fn poll_until_revoked(
    b: Api,
    token: String,
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
        let code = b.verify(&token).await?;
        let at = Instant::now();
        polls += 1;
        match code.as_deref() {
            None => {}
            Some("session_revoked") => return Ok((at, polls)),
            Some(other) => bail!("verify on B answered 401 {other}, not session_revoked"),
        }
        if at - started > GIVE_UP {
            bail!("node B still accepted a revoked session after {GIVE_UP:?}");
        }
    }
}
