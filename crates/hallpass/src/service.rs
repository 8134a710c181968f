//! The [`Hallpass`] service: its parts, how they are put together, and its health.
//!
//! The service is a handful of parts, each with its own state and the invariants that go with
//! it; [`Hallpass`] holds them and hands each call to its part (`facade.rs`):
//!
//! | part | owns | invariant |
//! | --- | --- | --- |
//! | `Keys` (`keys.rs`) | the decrypted keyring | swapped whole; a miss reloads at most once per 50 ms |
//! | `Catalog` (`catalog.rs`) | caches of products, types, API keys | a fill older than an invalidation is dropped |
//! | `Revocations` (`revocations.rs`) | the revocation set, the catch-up position | the only way into the set |
//! | `Feed` (`feed.rs`, inside `Revocations`) | a channel and a log of recent events per product/env | every change to the sets is published, once |
//! | `Access` (`access.rs`) | the failed-authentication limiter | a known key is never limited |
//! | `Console` (`console.rs`) | nothing of its own | a sign-in is in the store, so every node honours its end |
//! | `Verification` (`verification.rs`) | the verification cache | verify reads no database |
//! | `Sessions` (`sessions.rs`, `changes.rs`) | session id order | every revocation and supersession it causes is recorded |
//! | `Admin` (`admin/`) | nothing of its own | configuration updates are compare-and-set |
//! | `Browser` (`browser.rs`) | the slide gate | once a minute per session |
//! | `ActivityLog` (`activity.rs`, shared by verify, sessions and browser) | activity noted, not yet written | once a minute per session |
//! | `NodeSync` (`sync.rs`) | nothing of its own | a change is applied before the next is read |
//! | `Webhooks` (`webhooks/`) | the HTTP client of deliveries | an attempt is made under a claim; what is pending is in the store |

use std::sync::Arc;
use std::time::Duration;

use hallpass_core::secrets::MasterKey;
use hallpass_core::store::{PoolUsage, Store};
use hallpass_core::{Error, Result, Timestamp};

use crate::access::Access;
use crate::activity::ActivityLog;
use crate::admin::Admin;
use crate::browser::Browser;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::console::Console;
use crate::keys::Keys;
use crate::rate_limit::FailureLimiter;
use crate::revocations::{FeedSizes, Revocations};
use crate::sessions::Sessions;
use crate::sync::NodeSync;
use crate::verification::Verification;
use crate::verify_cache::VerifyCache;
use crate::webhooks::Webhooks;

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
    /// How long events are kept before the sweep deletes them.
    pub event_retention: Duration,
    /// Whether webhook endpoints may be loopback or private addresses (and plain `http://`
    /// there): for development and tests; off, no webhook reaches the server's own network.
    pub allow_private_webhooks: bool,
    /// Revocation feed events a subscriber may be behind before it is cut off.
    pub feed_buffer: usize,
    /// Most recent events of one product/env kept to answer a feed's resume.
    pub feed_log_entries: usize,
}

/// How long events are kept by default: 30 days.
pub const DEFAULT_EVENT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:8420".into(),
            auth_failure_burst: 100,
            auth_failure_refill_per_sec: 2.0,
            verify_cache_entries: crate::verify_cache::DEFAULT_VERIFY_CACHE_ENTRIES,
            event_retention: DEFAULT_EVENT_RETENTION,
            allow_private_webhooks: false,
            feed_buffer: crate::feed::DEFAULT_FEED_BUFFER,
            feed_log_entries: hallpass_core::feed::DEFAULT_LOG_ENTRIES,
        }
    }
}

/// The session service. Cheap to share: wrap it in an `Arc`.
pub struct Hallpass {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: Settings,
    pub(crate) revocations: Arc<Revocations>,
    pub(crate) access: Arc<Access>,
    pub(crate) console: Console,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) verification: Arc<Verification>,
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) admin: Admin,
    pub(crate) browser: Browser,
    pub(crate) sync: NodeSync,
    pub(crate) webhooks: Arc<Webhooks>,
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
        let keys = Arc::new(Keys::load(Arc::clone(&store), master).await?);
        let sizes = FeedSizes {
            buffer: settings.feed_buffer,
            log_entries: settings.feed_log_entries,
        };
        let revocations =
            Arc::new(Revocations::load(Arc::clone(&store), Arc::clone(&clock), sizes).await?);
        let catalog = Arc::new(Catalog::new(Arc::clone(&store)));
        let activity = Arc::new(ActivityLog::default());
        let access = Arc::new(Access::new(
            Arc::clone(&store),
            Arc::clone(&catalog),
            Arc::clone(&clock),
            FailureLimiter::new(
                settings.auth_failure_burst,
                settings.auth_failure_refill_per_sec,
            ),
        ));
        let verification = Arc::new(Verification::new(
            Arc::clone(&catalog),
            Arc::clone(&keys),
            Arc::clone(&revocations),
            Arc::clone(&clock),
            VerifyCache::new(settings.verify_cache_entries),
            Arc::clone(&activity),
        ));
        let sessions = Arc::new(Sessions::new(
            Arc::clone(&store),
            Arc::clone(&catalog),
            Arc::clone(&keys),
            Arc::clone(&revocations),
            Arc::clone(&clock),
            Arc::clone(&activity),
            settings.issuer.clone(),
        ));
        let admin = Admin::new(
            Arc::clone(&store),
            Arc::clone(&catalog),
            Arc::clone(&access),
            Arc::clone(&keys),
            Arc::clone(&revocations),
            Arc::clone(&clock),
        );
        let browser = Browser::new(
            Arc::clone(&store),
            Arc::clone(&catalog),
            Arc::clone(&verification),
            Arc::clone(&sessions),
            Arc::clone(&clock),
            activity,
        );
        let webhooks = Arc::new(Webhooks::new(
            Arc::clone(&store),
            Arc::clone(&access),
            Arc::clone(&keys),
            Arc::clone(&clock),
            settings.allow_private_webhooks,
        )?);
        let console = Console::new(Arc::clone(&store), Arc::clone(&access), Arc::clone(&clock));
        let sync = NodeSync::new(
            Arc::clone(&catalog),
            keys,
            Arc::clone(&revocations),
            Arc::clone(&clock),
        );
        Ok(Self {
            store,
            clock,
            settings,
            revocations,
            access,
            console,
            catalog,
            verification,
            sessions,
            admin,
            browser,
            sync,
            webhooks,
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

    /// Number of sessions with superseded tokens held in memory.
    pub fn superseded_count(&self) -> usize {
        self.revocations.superseded_len()
    }

    /// How the store's connection pool is used now.
    pub fn pool_usage(&self) -> PoolUsage {
        self.store.pool_usage()
    }

    /// Number of tokens held by the verification cache.
    pub fn verify_cache_len(&self) -> usize {
        self.verification.cached()
    }
}
