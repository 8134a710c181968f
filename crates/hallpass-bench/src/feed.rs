//! The revocation feed under load: how long a revocation made on node A takes to reach every
//! one of many feed subscribers on node B, and what those subscribers cost node B in memory.
//!
//! `subscribers` connections subscribe to B's feed (`GET /v1/revocations/{product}/{env}`) and
//! wait for their snapshots; node B's resident size is read before and after. Then, one at a
//! time, a session is started and revoked on A; the delay runs from A's `200` answer to each
//! subscriber's `revoked` event for that session (an event that arrives before the answer counts
//! as zero). Every (revocation, subscriber) pair is one sample.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use serde_json::json;
use tokio::sync::mpsc;

use crate::api::Api;
use crate::stats::{Samples, ms};

/// Longest the run waits for every subscriber to receive one event.
const GIVE_UP: Duration = Duration::from_secs(10);

/// What the subscribers report: a snapshot arrived, or a revocation of this session did.
enum Heard {
    Snapshot,
    Revoked(String, Instant),
}

/// Where and how much.
pub(crate) struct FeedSetup<'a> {
    pub(crate) a: &'a Api,
    pub(crate) b_url: &'a str,
    pub(crate) key: &'a str,
    pub(crate) product: &'a str,
    pub(crate) env: &'a str,
    pub(crate) b_pid: Option<u32>,
    pub(crate) subscribers: usize,
    pub(crate) revocations: usize,
}

pub(crate) async fn run(setup: &FeedSetup<'_>, backend: &str) -> anyhow::Result<()> {
    let before = setup.b_pid.map(resident_kb).transpose()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .context("HTTP client")?;
    let url = format!(
        "{}/v1/revocations/{}/{}",
        setup.b_url.trim_end_matches('/'),
        setup.product,
        setup.env
    );
    let mut tasks = Vec::with_capacity(setup.subscribers);
    for _ in 0..setup.subscribers {
        tasks.push(tokio::spawn(subscribe(
            client.clone(),
            url.clone(),
            setup.key.to_owned(),
            tx.clone(),
        )));
    }
    drop(tx);
    let mut snapshots = 0;
    while snapshots < setup.subscribers {
        match tokio::time::timeout(GIVE_UP, rx.recv()).await {
            Ok(Some(Heard::Snapshot)) => snapshots += 1,
            Ok(Some(Heard::Revoked(..))) => {}
            Ok(None) => bail!("the subscribers ended before their snapshots"),
            Err(_) => bail!(
                "{snapshots} of {} snapshots within {GIVE_UP:?}",
                setup.subscribers
            ),
        }
    }
    // Let the node settle (its allocator returns what the connection bursts took).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = setup.b_pid.map(resident_kb).transpose()?;

    let mut delays = Vec::with_capacity(setup.subscribers * setup.revocations);
    let mut early = 0usize;
    for i in 0..setup.revocations {
        let s = setup.a.start(&format!("feed-{i}")).await?;
        let body = json!({"tag": setup.a.tag, "sessionId": s.session_id});
        let (status, answer) = setup.a.post("/v1/sessions/revoke", &body).await?;
        let answered = Instant::now();
        ensure!(
            status == 200 && answer["revoked"] == true,
            "revoke answered {status}: {answer}"
        );
        let mut heard = 0;
        let mut pending: HashMap<String, usize> = HashMap::new();
        while heard < setup.subscribers {
            match tokio::time::timeout(GIVE_UP, rx.recv()).await {
                Ok(Some(Heard::Revoked(id, at))) if id == s.session_id => {
                    heard += 1;
                    if at < answered {
                        early += 1;
                    }
                    delays.push(at.saturating_duration_since(answered));
                }
                Ok(Some(Heard::Revoked(id, _))) => *pending.entry(id).or_default() += 1,
                Ok(Some(Heard::Snapshot)) => {
                    bail!("a subscriber was cut off and took a new snapshot")
                }
                Ok(None) => bail!("the subscribers ended"),
                Err(_) => bail!(
                    "revocation {i}: {heard} of {} subscribers heard of it within {GIVE_UP:?}",
                    setup.subscribers
                ),
            }
        }
        ensure!(
            pending.is_empty(),
            "events of other sessions arrived: {pending:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for task in tasks {
        task.abort();
    }
    let s = Samples::new(delays);
    let memory = match (before, after) {
        (Some(b), Some(a)) => format!(
            "node B {:.1} -> {:.1} MB with them, {:.1} KB per subscriber",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            (a as f64 - b as f64) / setup.subscribers as f64
        ),
        _ => "memory not read".to_owned(),
    };
    eprintln!(
        "feed ({backend}): {} revocations on A x {} subscribers on B; mean {} ms, p50 {} ms, \
         p99 {} ms, max {} ms; {early} before A answered; {memory}",
        setup.revocations,
        setup.subscribers,
        ms(s.mean()),
        ms(s.percentile(50.0)),
        ms(s.percentile(99.0)),
        ms(s.max()),
    );
    println!(
        "SUMMARY|feed: revocation A->{} subscribers on B|{backend}|{} events|-|{} ms|{} ms|{} ms|p99 <= 50 ms: {}; {memory}",
        setup.subscribers,
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

/// One subscriber: reads the stream and reports its snapshot and each `revoked` event.
async fn subscribe(
    client: reqwest::Client,
    url: String,
    key: String,
    tx: mpsc::UnboundedSender<Heard>,
) -> anyhow::Result<()> {
    let mut response = client.get(&url).bearer_auth(&key).send().await?;
    ensure!(
        response.status() == 200,
        "the feed answered {}",
        response.status()
    );
    let mut buffered = String::new();
    while let Some(chunk) = response.chunk().await? {
        let at = Instant::now();
        buffered.push_str(std::str::from_utf8(&chunk)?);
        while let Some(end) = buffered.find("\n\n") {
            let block: String = buffered.drain(..end + 2).collect();
            if block.starts_with("event: snapshot") {
                let _ = tx.send(Heard::Snapshot);
            } else if block.starts_with("event: revoked")
                && let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: "))
            {
                let data: serde_json::Value = serde_json::from_str(data)?;
                let id = data["sessionId"].as_str().unwrap_or_default().to_owned();
                let _ = tx.send(Heard::Revoked(id, at));
            }
        }
    }
    Ok(())
}

/// `VmRSS` of a process, in kB.
fn resident_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}
