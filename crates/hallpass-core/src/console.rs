//! Console sign-ins (docs/API.md §16): an admin or access key exchanged for an opaque cookie
//! token, how long that lasts, when its last use is written down, and the CSRF token that goes
//! with it. The key itself is never kept; the store keeps the token's hash and the key's id.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::{ApiKeyRecord, KeyKind, Principal};
use crate::secrets::{constant_time_eq, credential_hash};
use crate::{Error, Result, Timestamp};

/// A sign-in ends after this long without a request (30 minutes).
pub const IDLE_SECS: i64 = 30 * 60;
/// And this long after it began, whatever its use (12 hours).
pub const MAX_SECS: i64 = 12 * 3600;
/// Its last use is written at most this often, so a busy console does not write on every
/// request; the idle timeout is therefore kept to within this much.
pub const TOUCH_EVERY_SECS: i64 = 60;
/// Prefix of every console token.
pub const TOKEN_PREFIX: &str = "hp_console_";
/// Longest console token looked up; anything longer is not one of ours.
pub const MAX_TOKEN_LEN: usize = 128;
/// Random bytes in a console token (256 bits).
const RANDOM_BYTES: usize = 32;

/// A console sign-in as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSessionRecord {
    /// [`credential_hash`] of the cookie's token.
    pub token_hash: String,
    /// The key signed in with; deleting it ends the sign-in.
    pub key_id: String,
    /// When it began.
    pub created_at: Timestamp,
    /// When it was last used, to within [`TOUCH_EVERY_SECS`].
    pub last_seen_at: Timestamp,
}

impl ConsoleSignIn {
    /// The caller the sign-in acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            key_id: self.key.id.clone(),
            kind: self.key.kind,
            product: self.key.product.clone(),
            env: self.key.env.clone(),
        }
    }
}

/// A stored sign-in with the key it acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSignIn {
    /// The sign-in.
    pub session: ConsoleSessionRecord,
    /// Its key, as stored now.
    pub key: ApiKeyRecord,
}

impl ConsoleSessionRecord {
    /// A sign-in beginning at `now` as the key of `who` (an admin or access key); answers it
    /// and its new token.
    ///
    /// # Errors
    /// [`Error::PublishableKeyForbidden`] for a publishable key.
    pub fn begin(who: &Principal, now: Timestamp) -> Result<(Self, String)> {
        if !matches!(who.kind, KeyKind::Admin | KeyKind::Access) {
            return Err(Error::PublishableKeyForbidden);
        }
        let token = format!("{TOKEN_PREFIX}{}", crate::ids::random_b64(RANDOM_BYTES));
        let record = Self {
            token_hash: credential_hash(&token),
            key_id: who.key_id.clone(),
            created_at: now,
            last_seen_at: now,
        };
        Ok((record, token))
    }

    /// When it ends if it is not used again: idle, or at its longest, whichever comes first.
    pub fn expires_at(&self) -> Timestamp {
        let idle = self.last_seen_at.plus_secs(IDLE_SECS);
        let longest = self.created_at.plus_secs(MAX_SECS);
        idle.min(longest)
    }

    /// Whether it is still good at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at()
    }

    /// Whether a use at `now` should be written down.
    pub fn needs_touch(&self, now: Timestamp) -> bool {
        now >= self.last_seen_at.plus_secs(TOUCH_EVERY_SECS)
    }
}

/// Whether `token` has the shape of a console token (before any lookup).
pub fn is_well_formed(token: &str) -> bool {
    token.len() <= MAX_TOKEN_LEN
        && token
            .strip_prefix(TOKEN_PREFIX)
            .is_some_and(|rest| !rest.is_empty())
}

/// The CSRF token of a sign-in: an HMAC of a fixed label under its cookie token. The console
/// page gets it in the sign-in answer and sends it back as a header on every change; a page of
/// another site can neither read the cookie (httpOnly) nor the answer, so it cannot make one.
pub fn csrf_token(token: &str) -> String {
    use base64::Engine as _;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(b"hallpass console csrf");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `presented` is the CSRF token of the sign-in `token`, compared in constant time.
pub fn csrf_matches(token: &str, presented: &str) -> bool {
    constant_time_eq(csrf_token(token).as_bytes(), presented.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: KeyKind) -> Principal {
        Principal {
            key_id: "key_1".into(),
            kind,
            product: None,
            env: None,
        }
    }

    #[test]
    fn a_sign_in_ends_after_30_idle_minutes_or_12_hours() {
        let start = Timestamp::from_secs(1_000);
        let (mut s, token) = ConsoleSessionRecord::begin(&key(KeyKind::Admin), start).unwrap();
        assert!(is_well_formed(&token));
        assert_eq!(s.token_hash, credential_hash(&token));
        assert!(s.is_live(start.plus_secs(IDLE_SECS - 1)));
        assert!(!s.is_live(start.plus_secs(IDLE_SECS)));
        // Used every 20 minutes, it still ends 12 hours after it began.
        let mut now = start;
        while now < start.plus_secs(MAX_SECS - 20 * 60) {
            now = now.plus_secs(20 * 60);
            assert!(s.is_live(now));
            assert!(s.needs_touch(now));
            s.last_seen_at = now;
        }
        assert!(!s.is_live(start.plus_secs(MAX_SECS)));
        assert!(!s.needs_touch(s.last_seen_at.plus_secs(TOUCH_EVERY_SECS - 1)));
    }

    #[test]
    fn publishable_keys_cannot_sign_in() {
        let refused =
            ConsoleSessionRecord::begin(&key(KeyKind::Publishable), Timestamp::from_secs(0));
        assert!(matches!(refused, Err(Error::PublishableKeyForbidden)));
        assert!(
            ConsoleSessionRecord::begin(&key(KeyKind::Access), Timestamp::from_secs(0)).is_ok()
        );
    }

    #[test]
    fn the_csrf_token_belongs_to_one_sign_in() {
        let (_, a) =
            ConsoleSessionRecord::begin(&key(KeyKind::Admin), Timestamp::from_secs(0)).unwrap();
        let (_, b) =
            ConsoleSessionRecord::begin(&key(KeyKind::Admin), Timestamp::from_secs(0)).unwrap();
        assert!(csrf_matches(&a, &csrf_token(&a)));
        assert!(!csrf_matches(&a, &csrf_token(&b)));
        assert!(!csrf_matches(&a, ""));
        assert!(!is_well_formed("hp_console_"));
        assert!(!is_well_formed(&format!(
            "{TOKEN_PREFIX}{}",
            "a".repeat(MAX_TOKEN_LEN)
        )));
    }
}
