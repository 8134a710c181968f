//! Keeping a node in step with the others on one database: applying the changes other nodes
//! commit (pushed by the store's change feed) and the periodic catch-up query that finds
//! revocations a node missed (restart, lost connection, failover).
//!
//! Revocations are the part that must never be lost: the feed delivers them within
//! milliseconds, and the catch-up bounds the delay to [`CATCH_UP_EVERY`] when the feed fails.

use std::sync::PoisonError;
use std::time::Duration;

use hallpass_core::store::Change;
use hallpass_core::{Result, Timestamp};

use crate::Hallpass;

/// How often a node asks the store for revocations it may have missed: half the one-second
/// bound within which every node must reject a revoked session.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(500);

/// How far before the last catch-up each catch-up looks again. A revocation is stamped with
/// its node's clock before it commits, so one committed late (a slow transaction, at most the
/// store's statement timeout) or stamped by a clock slightly behind is still found.
pub(crate) const CATCH_UP_OVERLAP_SECS: i64 = 15;

impl Hallpass {
    /// Applies a change committed by any node (this one included; applying twice is harmless).
    ///
    /// # Errors
    /// [`hallpass_core::Error::StoreUnavailable`] when reloading what the change invalidated
    /// fails; the caches are already cleared then, so nothing stale is served.
    pub async fn apply_change(&self, change: Change) -> Result<()> {
        match change {
            Change::Revoked(revoked) => {
                self.revocations
                    .insert(&revoked.session_id, revoked.forget_after);
            }
            Change::ApiKeyDeleted { id } => self.principals.retain(|_, p| p.key_id != id),
            Change::ProductChanged { tag } => self.products.remove(&tag),
            Change::SessionTypeChanged { product, tag } => self.types.remove(&(product, tag)),
            Change::EnvKeysChanged => {
                self.reload_keys().await?;
            }
            Change::Gap => {
                self.principals.retain(|_, _| false);
                self.products.retain(|_, _| false);
                self.types.retain(|_, _| false);
                self.reload_keys().await?;
                self.catch_up().await?;
            }
        }
        Ok(())
    }

    /// Adds to the revocation set every session revoked (by any node) since shortly before the
    /// previous catch-up. Returns how many revocations the store reported.
    ///
    /// # Errors
    /// [`hallpass_core::Error::StoreUnavailable`]; the next catch-up then looks back further.
    pub async fn catch_up(&self) -> Result<usize> {
        let now = self.now();
        let since = *self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let revoked = self.store.revocations_since(since, now).await?;
        for r in &revoked {
            self.revocations.insert(&r.session_id, r.forget_after);
        }
        let mut caught_up_to = self
            .caught_up_to
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *caught_up_to = (*caught_up_to).max(overlap_before(now));
        Ok(revoked.len())
    }
}

/// Where the next catch-up starts when this one ran at `now`.
pub(crate) fn overlap_before(now: Timestamp) -> Timestamp {
    now.plus_secs(-CATCH_UP_OVERLAP_SECS)
}
