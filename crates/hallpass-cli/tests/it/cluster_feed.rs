//! The revocation feed across nodes (docs/API.md §14.4): a subscriber on one node hears of a
//! revocation or an update made on another within a second, from that node's memory.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::cluster::{Cluster, report};
use crate::support::{PROPAGATION_BOUND, TAG};

/// An open feed, read event by event.
struct Feed {
    response: reqwest::Response,
    buffered: String,
}

impl Feed {
    async fn open(url: &str, key: &str) -> Self {
        let response = reqwest::Client::new()
            .get(format!("{url}/v1/revocations/shop/dev"))
            .bearer_auth(key)
            .send()
            .await
            .expect("subscribe");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            response,
            buffered: String::new(),
        }
    }

    /// The next event's name and data (comments skipped), within `within`.
    async fn next(&mut self, within: Duration) -> (String, Value) {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buffered.find("\n\n") {
                let block: String = self.buffered.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return event;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("the stream reads")
                .expect("the stream goes on");
            self.buffered
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }
}

/// An SSE block as (event, data); `None` for a comment.
fn parse(block: &str) -> Option<(String, Value)> {
    let mut name = None;
    let mut data = String::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event: ") {
            name = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("data: ") {
            data.push_str(value);
        }
    }
    Some((name?, serde_json::from_str(&data).expect("JSON data")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subscriber_on_one_node_hears_of_a_revocation_on_another_within_a_second() {
    let Some(c) = Cluster::start("feed_reaches_other_nodes", 2).await else {
        return;
    };
    let (a, b) = (&c.api[0], &c.nodes[1]);
    let mut feed = Feed::open(&b.url, &c.key).await;
    let (name, snapshot) = feed.next(Duration::from_secs(2)).await;
    assert_eq!(name, "snapshot");
    assert_eq!(snapshot, json!({"revoked": [], "superseded": []}));

    let mut delays = Vec::new();
    for round in 0..5 {
        let started = a.start(&format!("ann-{round}")).await.expect_status(200);
        let id = started.str("sessionId");
        let revoking = Instant::now();
        a.revoke(&id).await.expect_status(200);
        let (name, data) = feed.next(PROPAGATION_BOUND).await;
        delays.push(revoking.elapsed());
        assert_eq!(name, "revoked");
        assert_eq!(data["sessionId"], id);
        assert_eq!(data["until"], started.body["expiresAt"]);
    }
    report("revocation to another node's feed", &delays);

    let started = a.start("bob").await.expect_status(200);
    let id = started.str("sessionId");
    a.post(
        "/v1/sessions/update",
        json!({"tag": TAG, "sessionId": id, "data": {"role": "admin"}}),
    )
    .await
    .expect_status(200);
    let (name, data) = feed.next(PROPAGATION_BOUND).await;
    assert_eq!(
        (name.as_str(), &data["sessionId"], &data["version"]),
        ("superseded", &json!(id), &json!(1))
    );

    // A new subscriber of either node gets all of it in its snapshot, from memory.
    for node in &c.nodes {
        let (name, snapshot) = Feed::open(&node.url, &c.key)
            .await
            .next(Duration::from_secs(2))
            .await;
        assert_eq!(name, "snapshot");
        assert_eq!(snapshot["revoked"].as_array().map(Vec::len), Some(5));
        assert_eq!(snapshot["superseded"][0]["sessionId"], id);
    }
}
