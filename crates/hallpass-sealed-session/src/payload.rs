//! What h3 seals into the cookie, `{"id", "createdAt", "data"}`, and the rules for opening it:
//! which seals are accepted, when a session is too old, when it must be re-sealed. No I/O, no
//! clock: the caller gives `now` in milliseconds.

use hallpass_iron::{self as seal, SealError};
use serde_json::{Map, Value};

use crate::settings::SessionSettings;

/// One session as h3 seals it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Payload {
    /// A random UUID (h3: `crypto.randomUUID()`).
    pub id: String,
    /// When the session began, in milliseconds since the epoch (h3: `Date.now()`).
    pub created_at: i64,
    /// The application's data, a JSON object.
    pub data: Map<String, Value>,
    /// Other top-level fields (h3 2.x's `lastSeenAt`, say), kept as they came so that
    /// re-sealing does not drop what another writer of the cookie relies on.
    pub extra: Map<String, Value>,
}

/// A session opened from a seal.
#[derive(Debug, PartialEq)]
pub(crate) struct Opened {
    /// The session.
    pub payload: Payload,
    /// Made with the fallback iteration count or an older password id of the map: write it
    /// again with the current settings.
    pub needs_reseal: bool,
}

impl Payload {
    /// A new, empty session begun at `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self {
            id: random_uuid(),
            created_at: now_ms,
            data: Map::new(),
            extra: Map::new(),
        }
    }

    /// Seals the session with the current settings.
    pub fn seal(&self, settings: &SessionSettings, now_ms: i64) -> Result<String, SealError> {
        let mut object = self.extra.clone();
        object.insert("id".into(), Value::String(self.id.clone()));
        object.insert("createdAt".into(), Value::from(self.created_at));
        object.insert("data".into(), Value::Object(self.data.clone()));
        seal::seal(
            &Value::Object(object),
            &settings.passwords,
            &settings.seal_options(),
            now_ms,
        )
    }

    /// Reads a session out of an unsealed value; `None` when it is not one (h3 then starts a
    /// new session). `createdAt` may be any JSON number, as JavaScript writes them.
    fn from_value(value: Value) -> Option<Self> {
        let Value::Object(mut object) = value else {
            return None;
        };
        let id = match object.remove("id") {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => return None,
        };
        let created_at = match object.remove("createdAt") {
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))?,
            _ => 0,
        };
        let data = match object.remove("data") {
            Some(Value::Object(data)) => data,
            None | Some(Value::Null) => Map::new(),
            Some(_) => return None,
        };
        Some(Self {
            id,
            created_at,
            data,
            extra: object,
        })
    }
}

/// Opens a seal the way h3 2.x does: with the configured iteration count, else (on a bad MAC)
/// with the fallback count; then drops the session if it is older than the max age. `None`
/// means "start a new session": h3 never tells the client why a cookie was not accepted.
///
/// A seal opened with fewer iterations than configured is re-sealed at once (h3 2.x's
/// migration); one opened with more is left as it is until the next update. So an app on
/// 1 iteration and an h3 2.x app on 8192 sharing a cookie never rewrite it back and forth,
/// and a seal is never made weaker than it came.
pub(crate) fn open(sealed: &str, settings: &SessionSettings, now_ms: i64) -> Option<Opened> {
    let mut needs_reseal = false;
    let value = match seal::unseal(
        sealed,
        &settings.passwords,
        &settings.seal_options(),
        now_ms,
    ) {
        Ok(value) => value,
        Err(SealError::BadMac) => {
            let fallback = settings.fallback_options()?;
            needs_reseal = fallback.iterations < settings.iterations;
            seal::unseal(sealed, &settings.passwords, &fallback, now_ms).ok()?
        }
        Err(_) => return None,
    };
    let payload = Payload::from_value(value)?;
    if let Some(max_age) = settings.max_age_ms()
        && now_ms.saturating_sub(payload.created_at) > max_age
    {
        return None;
    }
    needs_reseal |= seal::password_id(sealed) != settings.passwords.current_id();
    Some(Opened {
        payload,
        needs_reseal,
    })
}

/// A random (version 4) UUID, lowercase and hyphenated like `crypto.randomUUID()`.
fn random_uuid() -> String {
    let bytes: [u8; 16] = rand::random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use hallpass_iron::{Passwords, SealOptions};
    use serde_json::json;

    use super::*;
    use crate::settings::FallbackIterations;

    const NOW: i64 = 1_800_000_000_000;
    const PASSWORD: &str = "a-password-of-at-least-32-characters!";
    const OLD_PASSWORD: &str = "the-old-password-of-32-characters-or-more";

    fn settings() -> SessionSettings {
        SessionSettings::new(Passwords::Single(PASSWORD.into()))
    }

    fn sealed_by_h3(value: &Value, iterations: u32, passwords: &Passwords) -> String {
        let options = SealOptions {
            iterations,
            ..SealOptions::default()
        };
        seal::seal(value, passwords, &options, NOW).unwrap()
    }

    fn h3_session(created_at: i64) -> Value {
        json!({"id": "7a3c1c1e-5bb7-4a47-9d87-0c6f8f2b2c11", "createdAt": created_at,
               "data": {"user": "ada", "role": "admin"}})
    }

    #[test]
    fn a_session_h3_sealed_opens_with_every_field() {
        let sealed = sealed_by_h3(&h3_session(NOW - 5), 1, &settings().passwords);
        let opened = open(&sealed, &settings(), NOW).unwrap();
        assert!(!opened.needs_reseal);
        assert_eq!(opened.payload.id, "7a3c1c1e-5bb7-4a47-9d87-0c6f8f2b2c11");
        assert_eq!(opened.payload.created_at, NOW - 5);
        assert_eq!(opened.payload.data["user"], "ada");
    }

    #[test]
    fn a_seal_round_trips_and_keeps_unknown_fields() {
        let mut value = h3_session(NOW);
        value["lastSeenAt"] = json!(NOW + 1);
        let sealed = sealed_by_h3(&value, 1, &settings().passwords);
        let payload = open(&sealed, &settings(), NOW).unwrap().payload;
        assert_eq!(payload.extra["lastSeenAt"], json!(NOW + 1));
        let resealed = payload.seal(&settings(), NOW).unwrap();
        let reopened = seal::unseal(
            &resealed,
            &settings().passwords,
            &SealOptions::default(),
            NOW,
        )
        .unwrap();
        assert_eq!(reopened, value);
    }

    #[test]
    fn the_other_iteration_count_opens_and_only_a_weaker_one_asks_for_a_reseal() {
        let stronger = sealed_by_h3(&h3_session(NOW), 8192, &settings().passwords);
        let opened = open(&stronger, &settings(), NOW).unwrap();
        assert!(!opened.needs_reseal, "never made weaker");

        let mut v2 = settings();
        v2.iterations = 8192;
        let weaker = sealed_by_h3(&h3_session(NOW), 1, &v2.passwords);
        assert!(open(&weaker, &v2, NOW).unwrap().needs_reseal);

        let sealed = stronger;

        let mut no_fallback = settings();
        no_fallback.fallback_iterations = FallbackIterations::Off;
        assert_eq!(open(&sealed, &no_fallback, NOW), None);
    }

    #[test]
    fn an_older_password_id_opens_and_asks_for_a_reseal() {
        let by_id = BTreeMap::from([
            ("old".to_owned(), OLD_PASSWORD.to_owned()),
            ("new".to_owned(), PASSWORD.to_owned()),
        ]);
        let old = Passwords::Map {
            current: "old".into(),
            by_id: by_id.clone(),
        };
        let mut current = settings();
        current.passwords = Passwords::Map {
            current: "new".into(),
            by_id,
        };
        let sealed = sealed_by_h3(&h3_session(NOW), 1, &old);
        assert!(open(&sealed, &current, NOW).unwrap().needs_reseal);
        let sealed = sealed_by_h3(&h3_session(NOW), 1, &current.passwords);
        assert!(!open(&sealed, &current, NOW).unwrap().needs_reseal);
    }

    #[test]
    fn a_session_older_than_max_age_starts_anew() {
        let mut s = settings();
        s.max_age = Some(Duration::from_secs(60));
        let sealed = sealed_by_h3(&h3_session(NOW - 60_001), 1, &s.passwords);
        assert_eq!(open(&sealed, &s, NOW), None);
        let sealed = sealed_by_h3(&h3_session(NOW - 60_000), 1, &s.passwords);
        assert!(open(&sealed, &s, NOW).is_some());
    }

    #[test]
    fn what_is_not_a_session_starts_anew() {
        let passwords = settings().passwords;
        for value in [
            json!("a string"),
            json!({"createdAt": NOW, "data": {}}),
            json!({"id": "", "createdAt": NOW}),
            json!({"id": 7, "createdAt": NOW}),
            json!({"id": "x", "createdAt": NOW, "data": [1]}),
        ] {
            let sealed = sealed_by_h3(&value, 1, &passwords);
            assert_eq!(open(&sealed, &settings(), NOW), None, "{value}");
        }
        let other = Passwords::Single(OLD_PASSWORD.into());
        let sealed = sealed_by_h3(&h3_session(NOW), 1, &other);
        assert_eq!(open(&sealed, &settings(), NOW), None, "another password");
        assert_eq!(open("Fe26.2**garbage", &settings(), NOW), None);
    }

    #[test]
    fn created_at_may_be_a_float_and_data_may_be_missing() {
        let value = json!({"id": "abc", "createdAt": 1.5e12});
        let sealed = sealed_by_h3(&value, 1, &settings().passwords);
        let payload = open(&sealed, &settings(), NOW).unwrap().payload;
        assert_eq!(payload.created_at, 1_500_000_000_000);
        assert!(payload.data.is_empty());
    }

    #[test]
    fn new_sessions_have_random_v4_uuids() {
        let (a, b) = (Payload::new(NOW), Payload::new(NOW));
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), 36);
        assert_eq!(a.id.as_bytes()[14], b'4');
    }
}
