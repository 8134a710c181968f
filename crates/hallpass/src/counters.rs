//! What the service counts, through the `metrics` facade: a no-op until an application (the
//! server's `/metrics`) installs a recorder.

//! (Revocations are counted where they are recorded: `revocations.rs`.)

pub(crate) fn session_started() {
    metrics::counter!("hallpass_sessions_started_total").increment(1);
}

pub(crate) fn session_refreshed() {
    metrics::counter!("hallpass_sessions_refreshed_total").increment(1);
}

pub(crate) fn verify_cache(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!("hallpass_verify_cache_lookups_total", "result" => result).increment(1);
}

/// A webhook attempt and what followed it.
pub(crate) fn webhook_attempt(outcome: &hallpass_core::webhooks::AttemptOutcome, disabled: bool) {
    use hallpass_core::webhooks::AttemptOutcome;
    let outcome = match outcome {
        AttemptOutcome::Delivered => "delivered",
        AttemptOutcome::Retry(_) => "retry",
        AttemptOutcome::GiveUp => "given_up",
    };
    metrics::counter!("hallpass_webhook_attempts_total", "outcome" => outcome).increment(1);
    if disabled {
        metrics::counter!("hallpass_webhooks_disabled_total").increment(1);
    }
}

/// Moves the gauge of revocation feed subscribers connected to this node.
pub(crate) fn feed_subscribers(delta: f64) {
    metrics::gauge!("hallpass_feed_subscribers").increment(delta);
}

/// A feed subscriber fell too far behind and was cut off.
pub(crate) fn feed_subscriber_cut() {
    metrics::counter!("hallpass_feed_subscribers_cut_total").increment(1);
}
