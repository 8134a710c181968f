//! The [`Hallpass`] service: construction, shared state and background upkeep.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use hallpass_core::keys::{EnvKeys, Keyring};
use hallpass_core::model::{Principal, Product, Scope};
use hallpass_core::revocation::RevocationSet;
use hallpass_core::secrets::MasterKey;
use hallpass_core::session_type::SessionType;
use hallpass_core::store::{PoolUsage, Store};
use hallpass_core::{Error, Result, Timestamp};

use crate::caches::Cache;
use crate::clock::Clock;
use crate::rate_limit::FailureLimiter;
use crate::timed_store::TimedStore;
use crate::verify_cache::VerifyCache;

/// Least time between two reloads of the keyring forced by a request naming an unknown key,
/// so tokens with made-up key ids cannot turn into a stream of database reads.
const MIN_KEY_RELOAD_INTERVAL: Duration = Duration::from_millis(50);

/// How long a readiness probe waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// Settings of a service instance.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The `iss` claim of issued tokens (the server's public URL).
    pub issuer: String,
    /// Failed authentications allowed in a burst from one address.
    pub auth_failure_burst: u32,
    /// Failed authentications regained per second.
    pub auth_failure_refill_per_sec: f64,
    /// Verified tokens remembered (see `verify_cache.rs`); 0 verifies every token in full.
    pub verify_cache_entries: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:8420".into(),
            auth_failure_burst: 100,
            auth_failure_refill_per_sec: 2.0,
            verify_cache_entries: crate::verify_cache::DEFAULT_VERIFY_CACHE_ENTRIES,
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
    /// Held while a request-forced keyring reload runs; when the last one ended (in success
    /// or failure).
    key_reload: tokio::sync::Mutex<Option<Instant>>,
    pub(crate) revocations: RevocationSet,
    pub(crate) verified: VerifyCache,
    pub(crate) types: Cache<(String, String), Arc<SessionType>>,
    pub(crate) products: Cache<String, Arc<Product>>,
    pub(crate) principals: Cache<String, Principal>,
    pub(crate) auth_failures: FailureLimiter,
    pub(crate) last_session_id: Mutex<Option<ulid::Ulid>>,
    /// Session activity waiting to be written (see `activity.rs`).
    pub(crate) activity: crate::activity::ActivityLog,
    /// Sessions whose browser token slid within the last minute.
    pub(crate) slides: crate::activity::OncePerMinute,
    /// Where the next revocation catch-up starts (see [`crate::sync`]).
    pub(crate) caught_up_to: Mutex<Timestamp>,
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
        let store: Arc<dyn Store> = Arc::new(TimedStore(store));
        let keyring = load_keyring(&store.env_keys().await?, &master)?;
        let now = clock.now();
        let revocations = RevocationSet::new();
        for revoked in store.live_revocations(now).await? {
            revocations.insert(&revoked.session_id, revoked.forget_after);
        }
        Ok(Self {
            verified: VerifyCache::new(settings.verify_cache_entries),
            auth_failures: FailureLimiter::new(
                settings.auth_failure_burst,
                settings.auth_failure_refill_per_sec,
            ),
            store,
            master,
            clock,
            settings,
            keyring: RwLock::new(Arc::new(keyring)),
            key_reload: tokio::sync::Mutex::new(None),
            revocations,
            types: Cache::default(),
            products: Cache::default(),
            principals: Cache::default(),
            last_session_id: Mutex::new(None),
            activity: crate::activity::ActivityLog::default(),
            slides: crate::activity::OncePerMinute::default(),
            caught_up_to: Mutex::new(crate::sync::overlap_before(now)),
        })
    }

    /// The current time, read once per operation.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether the store answers within a second (for readiness probes, which must
    /// answer faster than a load balancer's check times out).
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`] when it does not.
    pub async fn ready(&self) -> Result<()> {
        tokio::time::timeout(READY_TIMEOUT, self.store.ping())
            .await
            .unwrap_or_else(|_| {
                Err(Error::StoreUnavailable(format!(
                    "the database did not answer within {} ms",
                    READY_TIMEOUT.as_millis()
                )))
            })
    }

    /// Number of revoked sessions held in memory.
    pub fn revocation_count(&self) -> usize {
        self.revocations.len()
    }

    /// How the store's connection pool is used now.
    pub fn pool_usage(&self) -> PoolUsage {
        self.store.pool_usage()
    }

    /// Number of tokens held by the verification cache.
    pub fn verify_cache_len(&self) -> usize {
        self.verified.len()
    }

    pub(crate) fn keyring(&self) -> Arc<Keyring> {
        Arc::clone(&self.keyring.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reloads every env key from the store (after a product is created or a key rotated,
    /// here or on another node).
    pub(crate) async fn reload_keys(&self) -> Result<Arc<Keyring>> {
        let ring = Arc::new(load_keyring(&self.store.env_keys().await?, &self.master)?);
        *self.keyring.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&ring);
        Ok(ring)
    }

    /// Reloads the keyring because it lacks a key a request names: an env created, or a
    /// signing key rotated, on another node whose change notice has not arrived yet. Single
    /// flight: callers that waited while another caller's reload ran take its outcome (the
    /// current keyring, whether that reload worked or not), so a database outage costs one
    /// attempt at a time, each bounded by [`READY_TIMEOUT`]; forced reloads are at least
    /// [`MIN_KEY_RELOAD_INTERVAL`] apart.
    pub(crate) async fn reload_keys_after_miss(&self) -> Result<Arc<Keyring>> {
        let asked = Instant::now();
        let mut last = self.key_reload.lock().await;
        if let Some(ended) = *last {
            if ended >= asked {
                return Ok(self.keyring());
            }
            tokio::time::sleep(MIN_KEY_RELOAD_INTERVAL.saturating_sub(ended.elapsed())).await;
        }
        // Cancelling the reload is safe: it is one read.
        let ring = tokio::time::timeout(READY_TIMEOUT, self.reload_keys())
            .await
            .unwrap_or_else(|_| {
                Err(Error::StoreUnavailable(
                    "the database did not answer while reloading keys".into(),
                ))
            });
        *last = Some(Instant::now());
        ring
    }

    /// The keyring, reloaded once if it lacks the env (created on another node).
    pub(crate) async fn keyring_with(&self, scope: &Scope) -> Result<Arc<Keyring>> {
        let ring = self.keyring();
        if ring.env(scope).is_some() {
            return Ok(ring);
        }
        let ring = self.reload_keys_after_miss().await?;
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
}

/// Loads the keyring, and says loudly which envs it had to leave out.
fn load_keyring(
    records: &[hallpass_core::model::EnvKeyRecord],
    master: &MasterKey,
) -> Result<Keyring> {
    let ring = Keyring::load(records, master)?;
    for (scope, why) in ring.unreadable() {
        tracing::error!(
            product = %scope.product,
            env = %scope.env,
            "the keys of this env do not decrypt with this node's master key ({why}): its requests fail until every node has the same HALLPASS_MASTER_KEY"
        );
    }
    Ok(ring)
}
