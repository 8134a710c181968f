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
//!
//! Every door also publishes what is news to the sets (a new entry, a newer version) to the
//! revocation feed (`feed.rs`), so subscribers hear of exactly what verify refuses, once: the
//! catch-up re-reads the last seconds every round, and those repeats are not news.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hallpass_core::feed::FeedChange;
use hallpass_core::model::Scope;
use hallpass_core::revocation::{
    RevocationSet, RevokedEntry, Scopes, SupersededEntry, SupersededSet,
};
use hallpass_core::store::{Revoked, Store, Superseded};
use hallpass_core::{Result, Timestamp};

use crate::clock::Clock;
use crate::feed::{Feed, FeedSubscription};

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
    clock: Arc<dyn Clock>,
    scopes: Scopes,
    set: RevocationSet,
    superseded: SupersededSet,
    feed: Feed,
    caught_up_to: Mutex<Timestamp>,
}

/// How the node's feed is sized (`Settings::feed_buffer`, `Settings::feed_log_entries`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FeedSizes {
    pub(crate) buffer: usize,
    pub(crate) log_entries: usize,
}

impl Revocations {
    /// Loads the revocations and supersessions whose tokens have not yet expired now; the feed
    /// starts empty (what was loaded is in every snapshot).
    pub(crate) async fn load(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sizes: FeedSizes,
    ) -> Result<Self> {
        let now = clock.now();
        let scopes = Scopes::new();
        let set = RevocationSet::new();
        store
            .live_revocations(now, &mut |r| {
                set.insert(
                    &r.session_id,
                    &scopes.intern(&r.product, &r.env),
                    r.forget_after,
                );
            })
            .await?;
        let superseded = SupersededSet::new();
        store
            .live_supersessions(now, &mut |s| {
                let scope = scopes.intern(&s.product, &s.env);
                superseded.insert(&s.session_id, &scope, s.version, s.at, s.forget_after);
            })
            .await?;
        Ok(Self {
            store,
            clock,
            scopes,
            set,
            superseded,
            feed: Feed::new(now, sizes.buffer, sizes.log_entries),
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
        let scope = self.scopes.intern(&s.product, &s.env);
        if self
            .superseded
            .insert(&s.session_id, &scope, s.version, s.at, s.forget_after)
        {
            let entry = SupersededEntry {
                session_id: s.session_id.clone(),
                version: s.version,
                before: s.at,
                until: s.forget_after,
            };
            self.feed
                .publish(&scope, [FeedChange::Superseded(entry)], self.clock.now());
        }
    }

    /// Subscribes to the feed of `scope`: a replay after `last_event_id` when this node's log
    /// reaches back far enough, else a snapshot of the sets.
    pub(crate) fn subscribe(&self, scope: &Scope, last_event_id: Option<&str>) -> FeedSubscription {
        let now = self.clock.now();
        let scope = self.scopes.intern(&scope.product, &scope.env);
        self.feed.subscribe(&scope, last_event_id, now, || {
            (
                self.set.live_in(&scope, now),
                self.superseded.live_in(&scope, now),
            )
        })
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
            self.learn(r);
        }
        metrics::counter!("hallpass_sessions_revoked_total", "cause" => cause.label())
            .increment(revoked.len() as u64);
    }

    /// A revocation another node committed (from the change feed).
    pub(crate) fn learn(&self, revoked: &Revoked) {
        let scope = self.scopes.intern(&revoked.product, &revoked.env);
        if self
            .set
            .insert(&revoked.session_id, &scope, revoked.forget_after)
        {
            let entry = RevokedEntry {
                session_id: revoked.session_id.clone(),
                until: revoked.forget_after,
            };
            self.feed
                .publish(&scope, [FeedChange::Revoked(entry)], self.clock.now());
        }
    }

    /// Adds every session revoked or updated (by any node) since shortly before the previous
    /// catch-up. Returns how many the store reported; on failure the next one looks back
    /// further.
    pub(crate) async fn catch_up(&self, now: Timestamp) -> Result<usize> {
        let since = *self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let revoked = self
            .store
            .revocations_since(since, now, &mut |r| self.learn(&r))
            .await?;
        let superseded = self
            .store
            .supersessions_since(since, now, &mut |s| self.learn_superseded(&s))
            .await?;
        let mut caught_up_to = self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *caught_up_to = (*caught_up_to).max(overlap_before(now));
        Ok(usize::try_from(revoked + superseded).unwrap_or(usize::MAX))
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
        self.scopes.forget_unused();
    }
}

/// Where the next catch-up starts when this one ran at `now`.
fn overlap_before(now: Timestamp) -> Timestamp {
    now.plus_secs(-CATCH_UP_OVERLAP_SECS)
}
