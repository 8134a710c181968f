//! The rules of a session's life after login (docs/API.md §12): changing its data in place,
//! the idle timeout, and how recently the user proved who they are. No I/O; `now` is passed in.

use serde_json::{Map, Value};

use crate::{Error, Result, Timestamp};

/// Most authentication methods a session records.
pub const MAX_AMR_ITEMS: usize = 16;
/// Longest authentication method name.
pub const MAX_AMR_LEN: usize = 32;

/// The session data after an update: `patch` merged into `current` shallowly (a key given as
/// `null` is removed), or replacing it when `merge` is false.
///
/// # Errors
/// [`Error::InvalidRequest`] when `patch` is not a JSON object.
pub fn updated_data(current: &Value, patch: Value, merge: bool) -> Result<Value> {
    let Value::Object(patch) = patch else {
        return Err(Error::invalid("data must be a JSON object"));
    };
    if !merge {
        return Ok(Value::Object(patch));
    }
    let mut next: Map<String, Value> = current.as_object().cloned().unwrap_or_default();
    for (key, value) in patch {
        if value.is_null() {
            next.remove(&key);
        } else {
            next.insert(key, value);
        }
    }
    Ok(Value::Object(next))
}

/// Whether a session last active at `last_active_at` has gone idle at `now`: no activity for
/// longer than `idle_secs`.
pub fn is_idle(last_active_at: Timestamp, idle_secs: Option<u64>, now: Timestamp) -> bool {
    idle_secs.is_some_and(|idle| now > idle_expires_at(last_active_at, idle))
}

/// When a session last active at `last_active_at` goes idle.
pub fn idle_expires_at(last_active_at: Timestamp, idle_secs: u64) -> Timestamp {
    last_active_at.plus_secs(i64::try_from(idle_secs).unwrap_or(i64::MAX))
}

/// Fails unless the user authenticated at most `max_auth_age_secs` before `now`.
///
/// # Errors
/// [`Error::ReauthenticationRequired`] saying how long ago it was.
pub fn check_auth_age(auth_time: Timestamp, max_auth_age_secs: u64, now: Timestamp) -> Result<()> {
    let age_secs = (now.as_millis() - auth_time.as_millis()).div_euclid(1000);
    if age_secs > i64::try_from(max_auth_age_secs).unwrap_or(i64::MAX) {
        return Err(Error::ReauthenticationRequired(format!(
            "the user last authenticated {age_secs} s ago, more than maxAuthAge ({max_auth_age_secs} s): check them again (password, passkey, OTP), then call POST /v1/sessions/reauthenticate"
        )));
    }
    Ok(())
}

/// Checks authentication method references: 1 to 16 names of 1 to 32 visible characters.
///
/// # Errors
/// [`Error::InvalidRequest`] naming the rule broken.
pub fn validate_amr(amr: &[String]) -> Result<()> {
    if amr.is_empty() || amr.len() > MAX_AMR_ITEMS {
        return Err(Error::invalid(format!(
            "amr must list 1 to {MAX_AMR_ITEMS} authentication methods, e.g. [\"pwd\", \"otp\"]"
        )));
    }
    for method in amr {
        let len = method.chars().count();
        if len == 0
            || len > MAX_AMR_LEN
            || method.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid(format!(
                "amr item '{}' must be 1 to {MAX_AMR_LEN} characters without spaces or control characters",
                crate::ids::truncate_for_message(method)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const T0: Timestamp = Timestamp::from_secs(1_800_000_000);

    #[test]
    fn a_merge_is_shallow_and_null_removes_a_key() {
        let current = json!({"role": "user", "plan": {"tier": "free", "seats": 1}, "x": 1});
        let next = updated_data(
            &current,
            json!({"role": "admin", "plan": {"tier": "pro"}, "x": null}),
            true,
        )
        .unwrap();
        assert_eq!(next, json!({"role": "admin", "plan": {"tier": "pro"}}));
        let replaced = updated_data(&current, json!({"only": true}), false).unwrap();
        assert_eq!(replaced, json!({"only": true}));
        assert!(updated_data(&current, json!([1]), true).is_err());
    }

    #[test]
    fn idle_means_longer_than_the_timeout_without_activity() {
        assert!(!is_idle(T0, None, T0.plus_secs(1_000_000)));
        assert!(!is_idle(T0, Some(60), T0.plus_secs(60)));
        assert!(is_idle(T0, Some(60), T0.plus_millis(60_001)));
    }

    #[test]
    fn auth_age_is_measured_from_auth_time() {
        assert!(check_auth_age(T0, 300, T0.plus_secs(300)).is_ok());
        assert!(matches!(
            check_auth_age(T0, 300, T0.plus_secs(301)),
            Err(Error::ReauthenticationRequired(_))
        ));
    }

    #[test]
    fn amr_items_are_short_visible_names() {
        assert!(validate_amr(&["pwd".into(), "otp".into()]).is_ok());
        for bad in [
            vec![],
            vec![String::new()],
            vec!["a b".into()],
            vec!["x".repeat(33)],
            vec!["m".into(); 17],
        ] {
            assert!(validate_amr(&bad).is_err(), "{bad:?}");
        }
    }
}
