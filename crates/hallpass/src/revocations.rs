//! The one way into the node's revocation set and superseded set, which verify consults on
//! every request.
//!
//! A session ends on this node through exactly two doors: [`Revocations::record`], for what this
//! node's own writes revoked (every store call that revokes — revoke, revoke-all, a reused
//! refresh token, a forced type deletion, a reused type tag, a session limit, an idle session —
//! returns the `Revoked` rows, and its caller hands them here), and [`Revocations::learn`] /
//! [`Revocations::catch_up`], for what other nodes revoked (the change feed, and the periodic
//! catch-up query that bounds the delay when the feed fails). Nothing else holds the set.
//! Supersessions (a session's data changed, so its older tokens are refused) take the same
//! doors: [`Revocations::record_superseded`], [`Revocations::learn_superseded`] and the same
//! catch-up.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hallpass_core::revocation::{RevocationSet, SupersededSet};
use hallpass_core::store::{Revoked, Store, Superseded};
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
    SessionLimit,
    Idle,
}

impl Cause {
    fn label(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::RevokeAll => "revoke_all",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::TypeDeleted => "type_deleted",
            Self::TagReused => "tag_reused",
            Self::SessionLimit => "session_limit",
            Self::Idle => "idle",
        }
    }
}

/// Revoked sessions whose tokens may still be presented, sessions whose older tokens are
/// superseded, and where the next catch-up starts.
pub(crate) struct Revocations {
    store: Arc<dyn Store>,
    set: RevocationSet,
    superseded: SupersededSet,
    caught_up_to: Mutex<Timestamp>,
}

impl Revocations {
    /// Loads the revocations and supersessions whose tokens have not yet expired at `now`.
    pub(crate) async fn load(store: Arc<dyn Store>, now: Timestamp) -> Result<Self> {
        let set = RevocationSet::new();
        for revoked in store.live_revocations(now).await? {
            set.insert(&revoked.session_id, revoked.forget_after);
        }
        let superseded = SupersededSet::new();
        for s in store.live_supersessions(now).await? {
            superseded.insert(&s.session_id, s.version, s.forget_after);
        }
        Ok(Self {
            store,
            set,
            superseded,
            caught_up_to: Mutex::new(overlap_before(now)),
        })
    }

    /// What this node's own updates superseded: refused at once here.
    pub(crate) fn record_superseded(&self, superseded: &[Superseded]) {
        for s in superseded {
            self.learn_superseded(s);
        }
        metrics::counter!("hallpass_sessions_updated_total").increment(superseded.len() as u64);
    }

    /// A supersession another node committed (from the change feed).
    pub(crate) fn learn_superseded(&self, s: &Superseded) {
        self.superseded
            .insert(&s.session_id, s.version, s.forget_after);
    }

    /// Whether a token of the session carrying data `version` is superseded.
    pub(crate) fn supersedes(&self, session_id: &str, version: i64) -> bool {
        self.superseded.supersedes(session_id, version)
    }

    /// Sessions with superseded tokens held.
    pub(crate) fn superseded_len(&self) -> usize {
        self.superseded.len()
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

    /// Adds every session revoked or updated (by any node) since shortly before the previous
    /// catch-up. Returns how many the store reported; on failure the next one looks back
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
        let superseded = self.store.supersessions_since(since, now).await?;
        for s in &superseded {
            self.learn_superseded(s);
        }
        let mut caught_up_to = self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *caught_up_to = (*caught_up_to).max(overlap_before(now));
        Ok(revoked.len() + superseded.len())
    }

    /// Whether the session is revoked.
    pub(crate) fn contains(&self, session_id: &str) -> bool {
        self.set.contains(session_id)
    }

    /// Revoked sessions held.
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }

    /// Forgets revocations and supersessions whose tokens have all expired at `now`.
    pub(crate) fn purge(&self, now: Timestamp) {
        self.set.purge(now);
        self.superseded.purge(now);
    }
}

/// Where the next catch-up starts when this one ran at `now`.
fn overlap_before(now: Timestamp) -> Timestamp {
    now.plus_secs(-CATCH_UP_OVERLAP_SECS)
}
