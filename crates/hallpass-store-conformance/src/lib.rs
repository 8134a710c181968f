//! The conformance suite every [`Store`] backend must pass: one test per case, each on a fresh
//! store, asserting the behaviour the trait's doc comments promise (not merely "no error").
//!
//! A test-support crate: backends list it among their dev-dependencies, and their tests invoke
//! [`store_conformance!`] with an expression that makes a fresh store (`hallpass-store` runs it
//! on a SQLite file, on `sqlite::memory:` and on PostgreSQL, in `tests/it/`). The invoking
//! crate needs `tokio` (with `macros` and `rt-multi-thread`) among its dev-dependencies.
//!
//! Also here, for every test that needs PostgreSQL: [`TestDatabase`], a throwaway database on
//! the server [`DATABASE_URL_VAR`] names, and the record builders of [`fixtures`].

use std::any::Any;
use std::sync::Arc;

use hallpass_core::store::Store;

mod env_keys;
mod events;
pub mod fixtures;
mod keys;
mod lifecycle;
mod products;
mod revocation;
mod session_types;
mod sessions;
mod test_database;
mod webhooks;

pub use env_keys::*;
pub use events::*;
pub use keys::*;
pub use lifecycle::*;
pub use products::*;
pub use revocation::*;
pub use session_types::*;
pub use sessions::*;
pub use test_database::{DATABASE_URL_VAR, TestDatabase};
pub use webhooks::*;

/// A fresh store for one case, with whatever must live as long as it does (a temporary
/// directory, a throwaway database), dropped when the case ends.
pub struct Harness {
    store: Arc<dyn Store>,
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

impl Harness {
    /// A store that needs nothing else kept alive (an in-memory database).
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, _keep: None }
    }

    /// A store whose backing resource `keep` (e.g. a `tempfile::TempDir`) must outlive it.
    pub fn keeping(store: Arc<dyn Store>, keep: impl Any + Send + Sync) -> Self {
        Self {
            store,
            _keep: Some(Box::new(keep)),
        }
    }

    /// The store under test.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }
}

/// Generates one `#[tokio::test]` per conformance case. `$make` is an expression evaluated
/// afresh in every test that yields a future of an `Option<`[`Harness`]`>`; `None` skips the
/// case (a backend whose database is not configured, having said so loudly):
///
/// ```ignore
/// async fn fresh() -> Option<hallpass_store_conformance::Harness> { /* open a new store */ }
/// hallpass_store_conformance::store_conformance!(fresh());
/// ```
///
/// Invoke it inside a module per backend (`mod sqlite { … }`) to keep test names apart.
#[macro_export]
macro_rules! store_conformance {
    ($make:expr) => {
        $crate::store_conformance!(@cases $make;
            ping_answers,
            product_insert_get_list,
            product_duplicate_writes_nothing,
            product_insert_failing_key_writes_nothing,
            product_update_replaces_name_origins_updated_at,
            api_key_insert_lookup_list_delete,
            api_key_duplicate_is_internal_error,
            insert_first_admin_key_only_once,
            console_sessions_follow_their_key,
            env_keys_round_trip,
            rotate_signing_key_retires_only_that_envs_signing_keys,
            max_token_expiry_covers_every_session_of_the_env,
            session_type_insert_get_list_update,
            session_type_duplicate_writes_nothing,
            delete_session_type_not_found,
            delete_session_type_refuses_with_active_sessions,
            delete_session_type_force_revokes_and_reuse_keeps_them_revoked,
            reusing_a_tag_revokes_sessions_left_from_the_old_type,
            session_insert_get_and_by_refresh_hash,
            session_duplicate_is_internal_error,
            concurrent_session_inserts_are_each_stored,
            rotate_refresh_applies_once,
            rotate_refresh_concurrent_applies_once,
            concurrent_rotations_each_apply_once,
            rotate_refresh_refuses_revoked_or_unknown,
            rotate_refresh_never_moves_the_token_expiry_back,
            record_activity_moves_forward_and_sets_devices,
            revoke_session_once_and_only_active,
            revoke_all_excludes_and_filters,
            list_sessions_pages_newest_first,
            list_sessions_excludes_inactive_and_others,
            live_revocations_until_last_token_expires,
            revocations_since_finds_what_was_revoked_from_then,
            revocations_and_supersessions_name_their_scope,
            sweep_expired_respects_batch_and_cutoff,
            update_sessions_applies_at_the_expected_version,
            update_sessions_at_the_same_version_supersedes_nothing,
            supersessions_live_until_older_tokens_expire,
            rotate_refresh_refuses_an_older_data_version,
            insert_session_limited_refuses_or_revokes_the_least_recently_active,
            concurrent_limited_inserts_never_exceed_the_limit,
            the_idle_cutoff_leaves_idle_sessions_out,
            each_session_change_records_its_event,
            a_change_that_does_not_apply_records_nothing,
            revocations_record_their_cause,
            concurrent_revokes_each_apply_once_and_record_theirs,
            session_type_changes_record_theirs,
            the_audit_query_filters_pages_and_sweeps,
            key_changes_record_theirs,
            webhook_insert_get_list_update_delete,
            dispatch_writes_one_delivery_per_endpoint_that_takes_the_event,
            concurrent_dispatchers_dispatch_each_event_once,
            a_claimed_delivery_waits_for_its_lease,
            attempts_reschedule_deliver_or_disable,
            a_batch_of_attempts_is_recorded_at_once,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(harness): Option<$crate::Harness> = $make.await else {
                    return;
                };
                $crate::$case(harness.store()).await;
            }
        )+
    };
}
