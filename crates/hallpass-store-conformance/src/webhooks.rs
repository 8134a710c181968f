//! Cases for webhooks: endpoints round-trip, every event not yet dispatched becomes one
//! delivery per endpoint that takes it (once, even with dispatchers racing), a delivery is
//! claimed by one caller at a time, and an attempt's outcome reschedules, ends or disables.

use std::collections::BTreeSet;
use std::sync::Arc;

use hallpass_core::Timestamp;
use hallpass_core::events::EventType;
use hallpass_core::store::{EventFilter, Store};
use hallpass_core::webhooks::{Attempt, AttemptOutcome, EventSelection, Finished, WebhookRecord};

use crate::fixtures::{at, insert_sessions, now, revoking, session, sid, webhook};

fn attempt(w: &str, event: &str, at_secs: i64, n: u32, status: Option<u16>) -> Attempt {
    Attempt {
        webhook_id: w.into(),
        event_id: event.into(),
        event_type: "session.started".into(),
        at: at(at_secs),
        attempt: n,
        status,
        error: status.is_none().then(|| "connection refused".into()),
        duration_ms: 12,
    }
}

/// (endpoint, event type) of every delivery due at `secs`, claimed for a minute.
async fn due(store: &dyn Store, secs: i64) -> BTreeSet<(String, String)> {
    store
        .claim_deliveries(at(secs), at(secs + 60), 100)
        .await
        .expect("claim")
        .into_iter()
        .map(|d| {
            let body: serde_json::Value = serde_json::from_str(&d.payload).expect("JSON payload");
            assert_eq!(body["id"], d.event_id.as_str());
            (
                d.webhook_id,
                body["type"].as_str().expect("type").to_owned(),
            )
        })
        .collect()
}

/// Endpoints insert, read, list by product, update under compare-and-set, and delete.
pub async fn webhook_insert_get_list_update_delete(store: Arc<dyn Store>) {
    let a = webhook("a");
    let b = WebhookRecord {
        env: Some("prd".into()),
        events: EventSelection::Only(vec![EventType::SessionRevoked]),
        created_at: at(1),
        updated_at: at(1),
        ..webhook("b")
    };
    store.insert_webhook(&a).await.expect("insert");
    store.insert_webhook(&b).await.expect("insert");
    assert_eq!(store.webhook("wh_a").await.expect("get"), Some(a.clone()));
    assert_eq!(store.webhooks("shop").await.expect("list"), [a.clone(), b]);
    assert!(store.webhooks("blog").await.expect("list").is_empty());
    let changed = WebhookRecord {
        url: "https://hooks.example.com/moved".into(),
        enabled: false,
        description: None,
        updated_at: at(5),
        ..a.clone()
    };
    assert!(
        store
            .update_webhook(&changed, a.updated_at)
            .await
            .expect("update")
    );
    assert!(
        !store
            .update_webhook(&changed, a.updated_at)
            .await
            .expect("stale"),
        "compare-and-set"
    );
    assert_eq!(store.webhook("wh_a").await.expect("get"), Some(changed));
    assert!(store.delete_webhook("wh_a").await.expect("delete"));
    assert!(!store.delete_webhook("wh_a").await.expect("again"));
    assert_eq!(store.webhook("wh_a").await.expect("get"), None);
}

/// Each event becomes one delivery per enabled endpoint of its product that takes its type
/// and env and existed when it happened; dispatching twice delivers nothing twice.
pub async fn dispatch_writes_one_delivery_per_endpoint_that_takes_the_event(store: Arc<dyn Store>) {
    let all = webhook("all");
    let revoked_dev = WebhookRecord {
        env: Some("dev".into()),
        events: EventSelection::Only(vec![EventType::SessionRevoked]),
        ..webhook("revoked")
    };
    let prd = WebhookRecord {
        env: Some("prd".into()),
        ..webhook("prd")
    };
    let off = WebhookRecord {
        enabled: false,
        ..webhook("off")
    };
    let later = WebhookRecord {
        created_at: at(3600),
        ..webhook("later")
    };
    for w in [&all, &revoked_dev, &prd, &off, &later] {
        store.insert_webhook(w).await.expect("insert");
    }
    // An event of a product without an enabled endpoint is recorded as dispatched already:
    // the dispatcher never rewrites it.
    let blog = hallpass_core::model::SessionRecord {
        product: "blog".into(),
        ..session(2)
    };
    insert_sessions(&*store, &[session(1), blog]).await;
    store
        .revoke_session(&sid(1), &revoking(now()))
        .await
        .expect("revoke");
    assert_eq!(
        store.dispatch_events(100).await.expect("dispatch"),
        2,
        "shop's start and revocation; not blog's start"
    );
    assert_eq!(store.dispatch_events(100).await.expect("again"), 0);
    let expected: BTreeSet<(String, String)> = [
        ("wh_all", "session.started"),
        ("wh_all", "session.revoked"),
        ("wh_revoked", "session.revoked"),
    ]
    .into_iter()
    .map(|(w, t)| (w.to_owned(), t.to_owned()))
    .collect();
    assert_eq!(due(&*store, 60).await, expected);
}

/// Dispatchers racing each take their own events: every event is dispatched exactly once.
pub async fn concurrent_dispatchers_dispatch_each_event_once(store: Arc<dyn Store>) {
    store.insert_webhook(&webhook("all")).await.expect("insert");
    let sessions: Vec<_> = (1..=120).map(session).collect();
    insert_sessions(&*store, &sessions).await;
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut total = 0;
                loop {
                    let n = store.dispatch_events(7).await.expect("dispatch");
                    if n == 0 {
                        return total;
                    }
                    total += n;
                }
            })
        })
        .collect();
    let mut total = 0;
    for racer in racers {
        total += racer.await.expect("racer");
    }
    assert_eq!(total, 120);
    assert_eq!(
        store
            .claim_deliveries(at(60), at(120), 1000)
            .await
            .expect("claim")
            .len(),
        120
    );
}

/// A claimed delivery is not claimed again until its lease ends or its attempt is finished.
pub async fn a_claimed_delivery_waits_for_its_lease(store: Arc<dyn Store>) {
    store.insert_webhook(&webhook("all")).await.expect("insert");
    insert_sessions(&*store, &[session(1)]).await;
    store.dispatch_events(10).await.expect("dispatch");
    let first = store
        .claim_deliveries(at(10), at(40), 10)
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert!(
        store
            .claim_deliveries(at(20), at(50), 10)
            .await
            .expect("claim")
            .is_empty(),
        "under lease"
    );
    let again = store
        .claim_deliveries(at(40), at(70), 10)
        .await
        .expect("claim");
    assert_eq!(again, first, "the lease ended: claimable, same event");
}

/// A failed attempt reschedules the delivery and starts the endpoint's failing streak; a
/// success ends both; failing past the threshold disables the endpoint and records
/// `webhook.disabled`; every attempt is logged, newest first.
pub async fn attempts_reschedule_deliver_or_disable(store: Arc<dyn Store>) {
    store.insert_webhook(&webhook("w")).await.expect("insert");
    insert_sessions(&*store, &[session(1), session(2)]).await;
    store.dispatch_events(10).await.expect("dispatch");
    let claimed = store
        .claim_deliveries(at(1), at(30), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    let (one, two) = (&claimed[0].event_id, &claimed[1].event_id);
    let far = at(-86_400);
    let disabled = finish(
        &*store,
        attempt("wh_w", one, 1, 1, Some(500)),
        AttemptOutcome::Retry(at(100)),
        far,
    )
    .await;
    assert!(!disabled);
    assert_eq!(
        store
            .webhook("wh_w")
            .await
            .expect("read")
            .expect("stored")
            .failing_since,
        Some(at(1))
    );
    finish(
        &*store,
        attempt("wh_w", two, 2, 1, Some(204)),
        AttemptOutcome::Delivered,
        far,
    )
    .await;
    assert_eq!(
        store
            .webhook("wh_w")
            .await
            .expect("read")
            .expect("stored")
            .failing_since,
        None,
        "a success ends the streak"
    );
    assert!(
        store
            .claim_deliveries(at(99), at(130), 10)
            .await
            .expect("claim")
            .is_empty(),
        "rescheduled to 100; the other is delivered"
    );
    let retried = store
        .claim_deliveries(at(100), at(130), 10)
        .await
        .expect("claim");
    assert_eq!((retried.len(), retried[0].attempts), (1, 1));
    finish(
        &*store,
        attempt("wh_w", one, 100, 2, None),
        AttemptOutcome::Retry(at(200)),
        far,
    )
    .await;
    let again = store
        .claim_deliveries(at(200), at(230), 10)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    let disabled = finish(
        &*store,
        attempt("wh_w", one, 200, 3, Some(503)),
        AttemptOutcome::Retry(at(300)),
        at(150),
    )
    .await;
    assert!(disabled, "failing since 100, before 150");
    let w = store.webhook("wh_w").await.expect("read").expect("stored");
    assert!(!w.enabled);
    assert!(
        store
            .claim_deliveries(at(400), at(430), 10)
            .await
            .expect("claim")
            .is_empty(),
        "a disabled endpoint's deliveries wait"
    );
    let events = store
        .events(
            &EventFilter {
                types: vec![EventType::WebhookDisabled],
                ..EventFilter::default()
            },
            10,
        )
        .await
        .expect("events");
    assert_eq!(events.events.len(), 1);
    assert_eq!(events.events[0].data["webhookId"], "wh_w");
    assert_eq!(events.events[0].product.as_deref(), Some("shop"));

    let log = store.attempts("wh_w", 10).await.expect("attempts");
    let statuses: Vec<_> = log.iter().map(|a| (a.attempt, a.status)).collect();
    assert_eq!(
        statuses,
        [(3, Some(503)), (2, None), (1, Some(204)), (1, Some(500))]
    );
    assert_eq!(log[1].error.as_deref(), Some("connection refused"));
    store
        .record_attempt(&Attempt {
            event_type: "webhook.test".into(),
            ..attempt("wh_w", "evt_test", 500, 1, Some(200))
        })
        .await
        .expect("test attempt");
    assert_eq!(
        store.attempts("wh_w", 1).await.expect("read")[0].event_type,
        "webhook.test"
    );
    store.sweep_events(at(150), 100).await.expect("sweep");
    let kept: Vec<_> = store
        .attempts("wh_w", 10)
        .await
        .expect("attempts")
        .iter()
        .map(|a| a.at)
        .collect();
    assert_eq!(
        kept,
        [at(500), at(200)],
        "attempts before the cutoff are swept"
    );
}

/// Attempts recorded in one call each get their own outcome, in order, and an endpoint the
/// batch's first failure disables is not disabled again by the next.
pub async fn a_batch_of_attempts_is_recorded_at_once(store: Arc<dyn Store>) {
    store.insert_webhook(&webhook("w")).await.expect("insert");
    insert_sessions(&*store, &[session(1), session(2), session(3)]).await;
    store.dispatch_events(10).await.expect("dispatch");
    let claimed = store
        .claim_deliveries(at(1), at(30), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 3);
    let made = |i: usize, status: Option<u16>, outcome| Finished {
        attempt: attempt("wh_w", &claimed[i].event_id, 1, 1, status),
        outcome,
        // A streak begun at 1 is already too long: the first failure disables.
        disable_if_failing_before: at(1),
    };
    let disabled = store
        .finish_deliveries(&[
            made(0, Some(204), AttemptOutcome::Delivered),
            made(1, Some(500), AttemptOutcome::Retry(at(100))),
            made(2, None, AttemptOutcome::Retry(at(100))),
        ])
        .await
        .expect("finish");
    assert_eq!(
        disabled,
        [false, true, false],
        "disabled once, by its first failure"
    );
    assert_eq!(store.attempts("wh_w", 10).await.expect("log").len(), 3);
    let w = store.webhook("wh_w").await.expect("read").expect("stored");
    assert!(!w.enabled);
    let page = store
        .events(
            &EventFilter {
                types: vec![EventType::WebhookDisabled],
                ..EventFilter::default()
            },
            10,
        )
        .await
        .expect("events");
    assert_eq!(page.events.len(), 1, "one webhook.disabled");
    assert_eq!(
        store.finish_deliveries(&[]).await.expect("nothing"),
        Vec::<bool>::new()
    );
}

/// Records one attempt through [`Store::finish_deliveries`]; true if it disabled the endpoint.
async fn finish(
    store: &dyn Store,
    attempt: Attempt,
    outcome: AttemptOutcome,
    disable_if_failing_before: Timestamp,
) -> bool {
    let disabled = store
        .finish_deliveries(&[Finished {
            attempt,
            outcome,
            disable_if_failing_before,
        }])
        .await
        .expect("finish");
    assert_eq!(disabled.len(), 1, "one answer per attempt");
    disabled[0]
}
