//! Refresh tokens: opaque, stored only as hashes, single use, rotated on every refresh.

use serde::{Deserialize, Serialize};

use crate::model::SessionRecord;
use crate::secrets::constant_time_eq;
use crate::{Error, Result, Timestamp};

/// Prefix of every refresh token.
pub const PREFIX: &str = "hp_rt_";
/// Random bytes in a refresh token (256 bits).
const RANDOM_BYTES: usize = 32;
/// Longest refresh token looked up; anything longer is not one of ours.
pub const MAX_LEN: usize = 128;

/// A new refresh token: `hp_rt_` + 256 random bits, base64url.
pub fn new_refresh_token() -> String {
    format!("{PREFIX}{}", crate::ids::random_b64(RANDOM_BYTES))
}

/// Whether `s` has the shape of a refresh token (before any lookup).
pub fn is_well_formed(s: &str) -> bool {
    s.len() <= MAX_LEN
        && s.strip_prefix(PREFIX).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// What a presented refresh token means for its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// It is the current token: rotate it.
    Rotate,
    /// It is the token rotated out last, within the grace: answer the same new pair again.
    ReplayWithinGrace,
    /// It is an older token, or the previous one after the grace: theft, revoke the session.
    Reused,
}

/// Decides what presenting the refresh token with hash `presented` means at `now`.
///
/// # Errors
/// [`Error::SessionRevoked`] for a revoked session, [`Error::RefreshTokenExpired`] when the
/// session's lifetime is over.
pub fn decide(
    session: &SessionRecord,
    presented: &str,
    grace_secs: u64,
    now: Timestamp,
) -> Result<RefreshDecision> {
    if session.revoked_at.is_some() {
        return Err(Error::SessionRevoked);
    }
    if session.refresh_expires_at <= now {
        return Err(Error::RefreshTokenExpired);
    }
    if constant_time_eq(presented.as_bytes(), session.refresh_hash.as_bytes()) {
        return Ok(RefreshDecision::Rotate);
    }
    let is_previous = session
        .previous_refresh_hash
        .as_deref()
        .is_some_and(|prev| constant_time_eq(presented.as_bytes(), prev.as_bytes()));
    let within_grace = session
        .rotated_at
        .is_some_and(|at| now < at.plus_secs(i64::try_from(grace_secs).unwrap_or(i64::MAX)));
    if is_previous && within_grace && session.grace_answer.is_some() {
        Ok(RefreshDecision::ReplayWithinGrace)
    } else {
        Ok(RefreshDecision::Reused)
    }
}

/// The answer to a rotation, kept sealed for the grace window so a replay gets the same pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationAnswer {
    /// The new session token.
    pub token: String,
    /// The new refresh token.
    pub refresh_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Device;
    use crate::secrets::credential_hash;

    const T0: Timestamp = Timestamp::from_secs(1_800_000_000);

    fn session() -> SessionRecord {
        SessionRecord {
            id: "s".into(),
            product: "p".into(),
            env: "e".into(),
            tag: "t".into(),
            identifier: None,
            data_jwe: String::new(),
            created_at: T0,
            token_lifetime_secs: 60,
            token_issued_at: T0,
            token_expires_at: T0.plus_secs(60),
            refresh_expires_at: T0.plus_secs(3600),
            last_active_at: T0,
            device: Device::default(),
            revoked_at: None,
            refresh_hash: credential_hash("rt2"),
            previous_refresh_hash: Some(credential_hash("rt1")),
            rotated_at: Some(T0),
            grace_answer: Some(vec![1]),
            data_version: 0,
            auth_time: T0,
            amr: None,
        }
    }

    #[test]
    fn the_current_token_rotates() {
        assert_eq!(
            decide(&session(), &credential_hash("rt2"), 10, T0).unwrap(),
            RefreshDecision::Rotate
        );
    }

    #[test]
    fn the_previous_token_replays_only_within_the_grace() {
        let s = session();
        let prev = credential_hash("rt1");
        assert_eq!(
            decide(&s, &prev, 10, T0.plus_millis(9_999)).unwrap(),
            RefreshDecision::ReplayWithinGrace
        );
        assert_eq!(
            decide(&s, &prev, 10, T0.plus_secs(10)).unwrap(),
            RefreshDecision::Reused
        );
        assert_eq!(decide(&s, &prev, 0, T0).unwrap(), RefreshDecision::Reused);
    }

    #[test]
    fn older_tokens_are_theft() {
        assert_eq!(
            decide(&session(), &credential_hash("rt0"), 10, T0).unwrap(),
            RefreshDecision::Reused
        );
    }

    #[test]
    fn revoked_and_expired_sessions_do_not_refresh() {
        let mut s = session();
        assert_eq!(
            decide(&s, &credential_hash("rt2"), 10, T0.plus_secs(3600)),
            Err(Error::RefreshTokenExpired)
        );
        s.revoked_at = Some(T0);
        assert_eq!(
            decide(&s, &credential_hash("rt2"), 10, T0),
            Err(Error::SessionRevoked)
        );
    }

    #[test]
    fn refresh_tokens_have_their_shape() {
        let t = new_refresh_token();
        assert!(t.starts_with("hp_rt_") && t.len() >= 6 + 43);
        assert!(is_well_formed(&t));
        assert!(!is_well_formed("hp_rt_"));
        assert!(!is_well_formed("hp_rt_a b"));
        assert!(!is_well_formed("token"));
    }
}
