//! The node's keyring: every env's signing and data keys, decrypted once and swapped whole
//! when a product is created or a key rotated, here or on another node.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use hallpass_core::keys::{EnvKeys, Keyring};
use hallpass_core::model::{EnvKeyRecord, Scope};
use hallpass_core::secrets::MasterKey;
use hallpass_core::store::Store;
use hallpass_core::{Error, Result};

/// Least time between two reloads of the keyring forced by a request naming an unknown key,
/// so tokens with made-up key ids cannot turn into a stream of database reads.
const MIN_KEY_RELOAD_INTERVAL: Duration = Duration::from_millis(50);

/// How long a forced reload waits for the database.
pub(crate) const RELOAD_TIMEOUT: Duration = Duration::from_secs(1);

/// The keyring and how it is reloaded.
pub(crate) struct Keys {
    store: Arc<dyn Store>,
    master: MasterKey,
    ring: RwLock<Arc<Keyring>>,
    /// Held while a request-forced reload runs; when the last one ended (in success or
    /// failure).
    forced: tokio::sync::Mutex<Option<Instant>>,
}

impl Keys {
    /// Loads and decrypts every env key of the store.
    pub(crate) async fn load(store: Arc<dyn Store>, master: MasterKey) -> Result<Self> {
        let ring = load_keyring(&store.env_keys().await?, &master)?;
        Ok(Self {
            store,
            master,
            ring: RwLock::new(Arc::new(ring)),
            forced: tokio::sync::Mutex::new(None),
        })
    }

    /// The master key the env keys (and grace answers) are sealed under.
    pub(crate) fn master(&self) -> &MasterKey {
        &self.master
    }

    /// The keyring as it is now.
    pub(crate) fn ring(&self) -> Arc<Keyring> {
        Arc::clone(&self.ring.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reloads every env key from the store.
    pub(crate) async fn reload(&self) -> Result<Arc<Keyring>> {
        let ring = Arc::new(load_keyring(&self.store.env_keys().await?, &self.master)?);
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&ring);
        Ok(ring)
    }

    /// Reloads the keyring because it lacks a key a request names: an env created, or a
    /// signing key rotated, on another node whose change notice has not arrived yet. Single
    /// flight: callers that waited while another caller's reload ran take its outcome (the
    /// current keyring, whether that reload worked or not), so a database outage costs one
    /// attempt at a time, each bounded by [`RELOAD_TIMEOUT`]; forced reloads are at least
    /// [`MIN_KEY_RELOAD_INTERVAL`] apart.
    pub(crate) async fn reload_after_miss(&self) -> Result<Arc<Keyring>> {
        let asked = Instant::now();
        let mut last = self.forced.lock().await;
        if let Some(ended) = *last {
            if ended >= asked {
                return Ok(self.ring());
            }
            tokio::time::sleep(MIN_KEY_RELOAD_INTERVAL.saturating_sub(ended.elapsed())).await;
        }
        // Cancelling the reload is safe: it is one read.
        let ring = tokio::time::timeout(RELOAD_TIMEOUT, self.reload())
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
    pub(crate) async fn ring_with(&self, scope: &Scope) -> Result<Arc<Keyring>> {
        let ring = self.ring();
        if ring.env(scope).is_some() {
            return Ok(ring);
        }
        let ring = self.reload_after_miss().await?;
        env_keys(&ring, scope)?;
        Ok(ring)
    }
}

/// The env's keys in `ring`.
///
/// # Errors
/// [`Error::Internal`] when the ring has none (a product whose keys were never written).
pub(crate) fn env_keys<'r>(ring: &'r Keyring, scope: &Scope) -> Result<&'r EnvKeys> {
    ring.env(scope)
        .ok_or_else(|| Error::Internal(format!("env {}/{} has no keys", scope.product, scope.env)))
}

/// Loads the keyring, and says loudly which envs it had to leave out.
fn load_keyring(records: &[EnvKeyRecord], master: &MasterKey) -> Result<Keyring> {
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
