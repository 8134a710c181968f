//! Keeping a node in step with the others on one database: applying the changes other nodes
//! commit, as the store's change feed pushes them. Revocations are the part that must never be
//! lost: the feed delivers them within milliseconds, and the catch-up query of
//! [`crate::revocations::Revocations::catch_up`] bounds the delay when the feed fails.

use std::sync::Arc;

use hallpass_core::Result;
use hallpass_core::store::Change;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::keys::Keys;
use crate::revocations::Revocations;

/// Applies other nodes' changes to this node's state.
pub(crate) struct NodeSync {
    catalog: Arc<Catalog>,
    keys: Arc<Keys>,
    revocations: Arc<Revocations>,
    clock: Arc<dyn Clock>,
}

impl NodeSync {
    pub(crate) fn new(
        catalog: Arc<Catalog>,
        keys: Arc<Keys>,
        revocations: Arc<Revocations>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            keys,
            revocations,
            clock,
        }
    }

    /// Applies a change committed by any node (this one included; applying twice is harmless).
    /// When reloading what it invalidated fails, the caches are already cleared, so nothing
    /// stale is served.
    pub(crate) async fn apply(&self, change: Change) -> Result<()> {
        match change {
            Change::Revoked(revoked) => self.revocations.learn(&revoked),
            Change::Superseded(superseded) => self.revocations.learn_superseded(&superseded),
            Change::ApiKeyDeleted { id } => self.catalog.key_deleted(&id),
            Change::ProductChanged { tag } => self.catalog.product_changed(&tag),
            Change::SessionTypeChanged { product, tag } => {
                self.catalog.session_type_changed(&product, &tag);
            }
            Change::EnvKeysChanged => {
                self.keys.reload().await?;
            }
            Change::Gap => {
                self.catalog.forget_all();
                self.keys.reload().await?;
                self.revocations.catch_up(self.clock.now()).await?;
            }
        }
        Ok(())
    }
}
