//! Activity of sessions (`lastActiveAt` and the device seen), noted on the request path in
//! memory and written to the store by a background task, at most once a minute per session.

use std::collections::HashMap;
use std::sync::Mutex;

use hallpass_core::Timestamp;
use hallpass_core::model::Device;
use hallpass_core::store::Activity;

/// A session's activity is written at most this often.
pub const ACTIVITY_EVERY_SECS: i64 = 60;
/// Sessions remembered at once; past this, activity of further sessions is not noted until
/// the next flush (a burst of new sessions cannot grow memory without bound).
const MAX_TRACKED: usize = 100_000;

/// Activity noted since the last flush, and when each session's was last queued.
#[derive(Debug, Default)]
pub(crate) struct ActivityLog {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    last_queued: HashMap<String, Timestamp>,
    pending: Vec<Activity>,
}

impl ActivityLog {
    /// Notes that the session was active at `now` (from `device`, when known); queued for the
    /// store unless it was queued less than a minute ago.
    pub(crate) fn note(&self, session_id: &str, now: Timestamp, device: Option<Device>) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(last) = inner.last_queued.get(session_id)
            && now < last.plus_secs(ACTIVITY_EVERY_SECS)
        {
            return;
        }
        if inner.last_queued.len() >= MAX_TRACKED && !inner.last_queued.contains_key(session_id) {
            return;
        }
        inner.last_queued.insert(session_id.to_owned(), now);
        inner.pending.push(Activity {
            session_id: session_id.to_owned(),
            at: now,
            device,
        });
    }

    /// Takes what is queued, and forgets sessions whose minute has passed.
    pub(crate) fn take(&self, now: Timestamp) -> Vec<Activity> {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cutoff = now.plus_secs(-ACTIVITY_EVERY_SECS);
        inner.last_queued.retain(|_, at| *at > cutoff);
        std::mem::take(&mut inner.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);

    #[test]
    fn a_session_is_queued_at_most_once_a_minute() {
        let log = ActivityLog::default();
        log.note("s1", T0, None);
        log.note("s1", T0.plus_secs(59), None);
        log.note("s2", T0.plus_secs(1), None);
        let taken = log.take(T0.plus_secs(59));
        assert_eq!(
            taken
                .iter()
                .map(|a| a.session_id.as_str())
                .collect::<Vec<_>>(),
            ["s1", "s2"]
        );
        assert_eq!(taken[0].at, T0);

        log.note("s1", T0.plus_secs(60), Some(Device::default()));
        let taken = log.take(T0.plus_secs(60));
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].at, T0.plus_secs(60));
        assert!(log.take(T0.plus_secs(61)).is_empty(), "taken once");
    }
}
