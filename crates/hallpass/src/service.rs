//! The [`Hallpass`] service: construction, shared state and background upkeep.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use hallpass_core::keys::{EnvKeys, Keyring};
use hallpass_core::model::{Principal, Product, Scope};
use hallpass_core::revocation::RevocationSet;
use hallpass_core::secrets::MasterKey;
use hallpass_core::session_type::SessionType;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result, Timestamp};

use crate::caches::Cache;
use crate::clock::Clock;
use crate::rate_limit::FailureLimiter;

/// Revoked sessions and expired ones are kept this long after their session ended, so that a
/// late revoke still answers `revoked: false` rather than 404.
const SWEEP_RETENTION_SECS: i64 = 24 * 3600;
/// Sessions deleted per sweep batch.
const SWEEP_BATCH: u32 = 1000;

/// Settings of a service instance.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The `iss` claim of issued tokens (the server's public URL).
    pub issuer: String,
    /// Failed authentications allowed in a burst from one address.
    pub auth_failure_burst: u32,
    /// Failed authentications regained per second.
    pub auth_failure_refill_per_sec: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:8420".into(),
            auth_failure_burst: 100,
            auth_failure_refill_per_sec: 2.0,
        }
    }
}

/// The session service. Cheap to share: wrap it in an `Arc`.
pub struct Hallpass {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) master: MasterKey,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: Settings,
    pub(crate) keyring: RwLock<Arc<Keyring>>,
    pub(crate) revocations: RevocationSet,
    pub(crate) types: Cache<(String, String), Arc<SessionType>>,
    pub(crate) products: Cache<String, Arc<Product>>,
    pub(crate) principals: Cache<String, Principal>,
    pub(crate) auth_failures: FailureLimiter,
    pub(crate) last_session_id: Mutex<Option<ulid::Ulid>>,
}

impl std::fmt::Debug for Hallpass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hallpass")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Hallpass {
    /// Opens the service over `store`: loads and decrypts every env key, and loads the
    /// revocations whose tokens have not yet expired.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`] if the store cannot be read; [`Error::Internal`] if stored
    /// keys do not decrypt with `master`.
    pub async fn open(
        store: Arc<dyn Store>,
        master: MasterKey,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<Self> {
        let keyring = Keyring::load(&store.env_keys().await?, &master)?;
        let now = clock.now();
        let revocations = RevocationSet::new();
        for revoked in store.live_revocations(now).await? {
            revocations.insert(&revoked.session_id, revoked.forget_after);
        }
        Ok(Self {
            auth_failures: FailureLimiter::new(
                settings.auth_failure_burst,
                settings.auth_failure_refill_per_sec,
            ),
            store,
            master,
            clock,
            settings,
            keyring: RwLock::new(Arc::new(keyring)),
            revocations,
            types: Cache::default(),
            products: Cache::default(),
            principals: Cache::default(),
            last_session_id: Mutex::new(None),
        })
    }

    /// The current time, read once per operation.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether the store answers (for readiness probes).
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`] when it does not.
    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    /// Number of revoked sessions held in memory.
    pub fn revocation_count(&self) -> usize {
        self.revocations.len()
    }

    pub(crate) fn keyring(&self) -> Arc<Keyring> {
        Arc::clone(&self.keyring.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reloads every env key from the store (after a product is created or a key rotated,
    /// here or on another node).
    pub(crate) async fn reload_keys(&self) -> Result<Arc<Keyring>> {
        let ring = Arc::new(Keyring::load(&self.store.env_keys().await?, &self.master)?);
        *self.keyring.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&ring);
        Ok(ring)
    }

    /// The keyring, reloaded once if it lacks the env (created on another node).
    pub(crate) async fn keyring_with(&self, scope: &Scope) -> Result<Arc<Keyring>> {
        let ring = self.keyring();
        if ring.env(scope).is_some() {
            return Ok(ring);
        }
        let ring = self.reload_keys().await?;
        if ring.env(scope).is_none() {
            return Err(Error::Internal(format!(
                "env {}/{} has no keys",
                scope.product, scope.env
            )));
        }
        Ok(ring)
    }

    pub(crate) fn env_keys<'r>(ring: &'r Keyring, scope: &Scope) -> Result<&'r EnvKeys> {
        ring.env(scope).ok_or_else(|| {
            Error::Internal(format!("env {}/{} has no keys", scope.product, scope.env))
        })
    }

    /// One round of upkeep: forgets revocations whose tokens have expired and deletes sessions
    /// that ended long ago, in bounded batches. Returns the number of sessions deleted.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`] when the store cannot be reached.
    pub async fn sweep(&self) -> Result<u64> {
        let now = self.now();
        self.revocations.purge(now);
        let cutoff = now.plus_secs(-SWEEP_RETENTION_SECS);
        let mut total = 0;
        loop {
            let deleted = self.store.sweep_expired(cutoff, SWEEP_BATCH).await?;
            total += deleted;
            if deleted < u64::from(SWEEP_BATCH) {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    /// Runs [`Hallpass::sweep`] every `every` until the task is dropped.
    pub fn spawn_upkeep(
        self: &Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = this.sweep().await {
                    tracing::warn!(error = %e, "session sweep failed; will retry");
                }
            }
        })
    }
}
