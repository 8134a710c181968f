//! Read-merge-write updates of configuration rows (products, session types), which any node
//! may edit at the same moment. Each write is a compare-and-set on `updated_at`: an update
//! built from an outdated read does not apply, and is merged again from a fresh read.

use hallpass_core::{Error, Timestamp};

/// Fresh reads tried before an update gives up under constant concurrent edits.
pub(crate) const UPDATE_ATTEMPTS: usize = 5;

/// The `updated_at` of a new version: now, but always after the version it replaces, so two
/// updates within one millisecond still differ and the compare-and-set tells them apart.
pub(crate) fn next_updated_at(now: Timestamp, previous: Timestamp) -> Timestamp {
    now.max(previous.plus_millis(1))
}

/// The error when every attempt lost the race against another update.
pub(crate) fn too_contended(what: &str) -> Error {
    Error::Conflict(format!(
        "{what} was changed by other updates {UPDATE_ATTEMPTS} times while this one was applied: retry the request"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_is_later_than_the_one_it_replaces_even_within_a_millisecond() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!(next_updated_at(t, t), Timestamp::from_millis(1_001));
        assert_eq!(
            next_updated_at(Timestamp::from_millis(5_000), t),
            Timestamp::from_millis(5_000)
        );
    }
}
