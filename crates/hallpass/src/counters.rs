//! What the service counts, through the `metrics` facade: a no-op until an application (the
//! server's `/metrics`) installs a recorder.

use hallpass_core::store::Revoked;

use crate::Hallpass;

/// Why sessions were revoked.
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

pub(crate) fn session_started() {
    metrics::counter!("hallpass_sessions_started_total").increment(1);
}

pub(crate) fn session_refreshed() {
    metrics::counter!("hallpass_sessions_refreshed_total").increment(1);
}

pub(crate) fn verify_cache(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!("hallpass_verify_cache_lookups_total", "result" => result).increment(1);
}

impl Hallpass {
    /// Applies revocations this node just wrote: into the revocation set at once (other nodes
    /// learn of them from the store), and counted.
    pub(crate) fn revoked_here(&self, revoked: &[Revoked], cause: Cause) {
        for r in revoked {
            self.revocations.insert(&r.session_id, r.forget_after);
        }
        metrics::counter!("hallpass_sessions_revoked_total", "cause" => cause.label())
            .increment(revoked.len() as u64);
    }
}
