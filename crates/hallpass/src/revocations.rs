//! The one way into the node's revocation set, which verify consults on every request.
//!
//! A session ends on this node through exactly two doors: [`Revocations::record`], for what this
//! node's own writes revoked (every store call that revokes — revoke, revoke-all, a reused
//! refresh token, a forced type deletion, a reused type tag — returns the `Revoked` rows, and
//! its caller hands them here), and [`Revocations::learn`] / [`Revocations::catch_up`], for
//! what other nodes revoked (the change feed, and the periodic catch-up query that bounds the
//! delay when the feed fails). Nothing else holds the set.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hallpass_core::revocation::RevocationSet;
use hallpass_core::store::{Revoked, Store};
use hallpass_core::{Result, Timestamp};

/// How often a node asks the store for revocations it may have missed: half the one-second
/// bound within which every node must reject a revoked session.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(500);

/// How far before the last catch-up each catch-up looks again. A revocation is stamped with
/// its node's clock before it commits, so one committed late (a slow transaction, at most the
/// store's statement timeout) or stamped by a clock slightly behind is still found.
const CATCH_UP_OVERLAP_SECS: i64 = 15;

/// Why sessions were revoked (a label of `hallpass_sessions_revoked_total`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cause {
    Revoke,
    RevokeAll,
    RefreshTokenReused,
    TypeDeleted,
    TagReused,
}

impl Cause {
    fn label(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::RevokeAll => "revoke_all",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::TypeDeleted => "type_deleted",
            Self::TagReused => "tag_reused",
        }
    }
}

/// Revoked sessions whose tokens may still be presented, and where the next catch-up starts.
pub(crate) struct Revocations {
    store: Arc<dyn Store>,
    set: RevocationSet,
    caught_up_to: Mutex<Timestamp>,
}

impl Revocations {
    /// Loads the revocations whose tokens have not yet expired at `now`.
    pub(crate) async fn load(store: Arc<dyn Store>, now: Timestamp) -> Result<Self> {
        let set = RevocationSet::new();
        for revoked in store.live_revocations(now).await? {
            set.insert(&revoked.session_id, revoked.forget_after);
        }
        Ok(Self {
            store,
            set,
            caught_up_to: Mutex::new(overlap_before(now)),
        })
    }

    /// What this node's own writes revoked: refused at once here (other nodes learn of it from
    /// the store), and counted.
    pub(crate) fn record(&self, revoked: &[Revoked], cause: Cause) {
        for r in revoked {
            self.set.insert(&r.session_id, r.forget_after);
        }
        metrics::counter!("hallpass_sessions_revoked_total", "cause" => cause.label())
            .increment(revoked.len() as u64);
    }

    /// A revocation another node committed (from the change feed).
    pub(crate) fn learn(&self, revoked: &Revoked) {
        self.set.insert(&revoked.session_id, revoked.forget_after);
    }

    /// Adds every session revoked (by any node) since shortly before the previous catch-up.
    /// Returns how many revocations the store reported; on failure the next one looks back
    /// further.
    pub(crate) async fn catch_up(&self, now: Timestamp) -> Result<usize> {
        let since = *self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let revoked = self.store.revocations_since(since, now).await?;
        for r in &revoked {
            self.learn(r);
        }
        let mut caught_up_to = self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *caught_up_to = (*caught_up_to).max(overlap_before(now));
        Ok(revoked.len())
    }

    /// Whether the session is revoked.
    pub(crate) fn contains(&self, session_id: &str) -> bool {
        self.set.contains(session_id)
    }

    /// Revoked sessions held.
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }

    /// Forgets revocations whose tokens have all expired at `now`.
    pub(crate) fn purge(&self, now: Timestamp) {
        self.set.purge(now);
    }
}

/// Where the next catch-up starts when this one ran at `now`.
fn overlap_before(now: Timestamp) -> Timestamp {
    now.plus_secs(-CATCH_UP_OVERLAP_SECS)
}
