//! Per-session things done at most once a minute: activity (`lastActiveAt` and the device
//! seen), noted on the request path in memory and written to the store by a background task;
//! and sliding re-issues of browser tokens.

use std::collections::HashMap;
use std::sync::Mutex;

use hallpass_core::Timestamp;
use hallpass_core::model::Device;
use hallpass_core::store::Activity;

/// A session's activity is written, and its browser token slid, at most this often.
pub const ONCE_PER_SECS: i64 = 60;
/// Sessions remembered at once; past this, further sessions are refused until older ones are
/// forgotten (a burst of new sessions cannot grow memory without bound).
const MAX_TRACKED: usize = 100_000;

/// When each session was last let through, forgotten after a minute.
#[derive(Debug, Default)]
pub(crate) struct OncePerMinute {
    last: Mutex<HashMap<String, Timestamp>>,
}

impl OncePerMinute {
    /// True, and remembered, unless the session was let through less than a minute before `now`
    /// (or too many sessions are remembered).
    pub(crate) fn claim(&self, session_id: &str, now: Timestamp) -> bool {
        self.claim_at(session_id, now).is_ok()
    }

    /// `Ok(now)`, remembered, unless the session was let through less than a minute before
    /// `now`: then `Err` with when it was (or `Err(now)` when too many sessions are remembered).
    fn claim_at(&self, session_id: &str, now: Timestamp) -> Result<Timestamp, Timestamp> {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(at) = last.get(session_id)
            && now < at.plus_secs(ONCE_PER_SECS)
        {
            return Err(*at);
        }
        if last.len() >= MAX_TRACKED && !last.contains_key(session_id) {
            last.retain(|_, at| now < at.plus_secs(ONCE_PER_SECS));
            if last.len() >= MAX_TRACKED {
                return Err(now);
            }
        }
        last.insert(session_id.to_owned(), now);
        Ok(now)
    }

    /// When the session was last let through, if within the last minute.
    pub(crate) fn last(&self, session_id: &str, now: Timestamp) -> Option<Timestamp> {
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(session_id)
            .copied()
            .filter(|at| now < at.plus_secs(ONCE_PER_SECS))
    }

    /// Forgets sessions whose minute has passed.
    pub(crate) fn forget_before(&self, now: Timestamp) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        last.retain(|_, at| now < at.plus_secs(ONCE_PER_SECS));
    }
}

/// Activity noted since the last flush.
#[derive(Debug, Default)]
pub(crate) struct ActivityLog {
    gate: OncePerMinute,
    pending: Mutex<Vec<Activity>>,
}

impl ActivityLog {
    /// Notes that the session was active at `now` (from `device`, when known); queued for the
    /// store unless it was queued less than a minute ago. Answers the activity time the store
    /// will hold: `now`, or the one queued within the minute.
    pub(crate) fn note(
        &self,
        session_id: &str,
        now: Timestamp,
        device: Option<Device>,
    ) -> Timestamp {
        match self.gate.claim_at(session_id, now) {
            Ok(at) => {
                self.pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(Activity {
                        session_id: session_id.to_owned(),
                        at,
                        device,
                    });
                at
            }
            Err(at) => at,
        }
    }

    /// The latest activity noted here for the session within the last minute (it may not be
    /// written yet).
    pub(crate) fn noted(&self, session_id: &str, now: Timestamp) -> Option<Timestamp> {
        self.gate.last(session_id, now)
    }

    /// Takes what is queued (sorted by session id, so concurrent writers lock rows in one
    /// order), and forgets sessions whose minute has passed.
    pub(crate) fn take(&self, now: Timestamp) -> Vec<Activity> {
        self.gate.forget_before(now);
        let mut taken = std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        taken.sort_by(|a, b| a.session_id.cmp(&b.session_id));
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);

    #[test]
    fn a_session_is_queued_at_most_once_a_minute() {
        let log = ActivityLog::default();
        log.note("s2", T0, None);
        log.note("s2", T0.plus_secs(59), None);
        log.note("s1", T0.plus_secs(1), None);
        let taken = log.take(T0.plus_secs(59));
        assert_eq!(
            taken
                .iter()
                .map(|a| a.session_id.as_str())
                .collect::<Vec<_>>(),
            ["s1", "s2"],
            "sorted by id"
        );
        assert_eq!(taken[1].at, T0);

        log.note("s2", T0.plus_secs(60), Some(Device::default()));
        let taken = log.take(T0.plus_secs(60));
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].at, T0.plus_secs(60));
        assert!(log.take(T0.plus_secs(61)).is_empty(), "taken once");
    }

    #[test]
    fn the_gate_lets_a_session_through_once_a_minute() {
        let gate = OncePerMinute::default();
        assert!(gate.claim("s", T0));
        assert!(!gate.claim("s", T0.plus_secs(59)));
        assert!(gate.claim("other", T0.plus_secs(59)));
        assert!(gate.claim("s", T0.plus_secs(60)));
    }
}
