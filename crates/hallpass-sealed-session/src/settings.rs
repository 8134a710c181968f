//! What a sealed session is configured with (h3's `SessionConfig`), checked once when the layer
//! is built so that a bad setting fails at start, never per request.

use std::time::Duration;

use hallpass_cookie::CookieSettings;
use hallpass_iron::{self as seal, Algorithm, Passwords, SealOptions};

/// h3's default cookie name.
pub const DEFAULT_NAME: &str = "h3";
/// The longest cookie value h3 2.x writes before splitting it into chunk cookies.
pub const DEFAULT_CHUNK_MAX_LEN: usize = 4000;
/// The most chunk cookies h3 2.x writes or reads for one session.
pub const MAX_CHUNKS: usize = 100;
/// The longest sealed session written by default: three chunks, so the `Cookie` header stays
/// within the 16 KiB Node.js accepts by default.
pub const DEFAULT_MAX_SEALED_LEN: usize = 12 * 1024;
/// The most PBKDF2 iterations a session may be sealed or opened with: every request with a
/// cookie pays them (twice for a forged one, with the fallback), so they stay near h3's 8192.
pub const MAX_SESSION_ITERATIONS: u32 = 10_000;
/// Browsers drop a cookie whose name and value together exceed this.
const MAX_COOKIE_BYTES: usize = 4096;

/// The settings of one sealed session (h3's `SessionConfig`). Start from
/// [`SessionSettings::new`], which has h3's defaults, and change the public fields.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// The password, or a password map whose `current` id new seals are made with. A seal made
    /// with another id of the map is still opened, and re-sealed with the current one.
    pub passwords: Passwords,
    /// How long a session lives from its `createdAt`: the cookie's `Expires`, the seal's TTL,
    /// and the age past which a session is dropped and a new one started. `None`: no limit,
    /// and a browser-session cookie.
    pub max_age: Option<Duration>,
    /// The cookie: its name (default `h3`; chunk cookies are `<name>.1 … <name>.N`) and the
    /// attributes written (default `Path=/; Secure; HttpOnly; SameSite=Lax`).
    pub cookie: CookieSettings,
    /// The request header read before the cookie (h3's `sessionHeader`).
    pub header: SessionHeader,
    /// The encryption algorithm of new seals (default aes-256-cbc).
    pub algorithm: Algorithm,
    /// PBKDF2 iterations of new seals: 1 (default, as iron-webcrypto, h3 1.x and vinxi) or 8192
    /// (as h3 2.x).
    pub iterations: u32,
    /// The iteration count tried when a seal does not verify with `iterations`; a session opened
    /// that way is re-sealed with `iterations` (h3 2.x's migration).
    pub fallback_iterations: FallbackIterations,
    /// Seconds past its expiry a seal is still accepted (iron's `timestampSkewSec`, 60).
    pub timestamp_skew_secs: u64,
    /// The longest cookie value written before the value is split into chunk cookies.
    pub chunk_max_len: usize,
    /// The longest sealed session an update may produce; longer ones are refused, so a session
    /// never grows past what servers accept in a `Cookie` header.
    pub max_sealed_len: usize,
}

impl SessionSettings {
    /// h3's defaults with these passwords: cookie `h3`, no max age, the `x-h3-session` header,
    /// aes-256-cbc, 1 iteration (8192 accepted), `Path=/; Secure; HttpOnly; SameSite=Lax`.
    pub fn new(passwords: Passwords) -> Self {
        Self {
            passwords,
            max_age: None,
            cookie: CookieSettings {
                name: DEFAULT_NAME.to_owned(),
                ..CookieSettings::default()
            },
            header: SessionHeader::Default,
            algorithm: Algorithm::Aes256Cbc,
            iterations: 1,
            fallback_iterations: FallbackIterations::Automatic,
            timestamp_skew_secs: 60,
            chunk_max_len: DEFAULT_CHUNK_MAX_LEN,
            max_sealed_len: DEFAULT_MAX_SEALED_LEN,
        }
    }

    /// The seal options of new seals: the TTL is the max age.
    pub(crate) fn seal_options(&self) -> SealOptions {
        SealOptions {
            algorithm: self.algorithm,
            iterations: self.iterations,
            ttl_ms: self.max_age_ms().map_or(0, i64::unsigned_abs),
            timestamp_skew_secs: self.timestamp_skew_secs,
        }
    }

    /// The seal options a seal is opened with when `iterations` fails, if any.
    pub(crate) fn fallback_options(&self) -> Option<SealOptions> {
        let iterations = match self.fallback_iterations {
            FallbackIterations::Automatic if self.iterations == 1 => 8192,
            FallbackIterations::Automatic => 1,
            FallbackIterations::Count(n) => n,
            FallbackIterations::Off => return None,
        };
        (iterations != self.iterations).then(|| SealOptions {
            iterations,
            ..self.seal_options()
        })
    }

    /// The max age in milliseconds.
    pub(crate) fn max_age_ms(&self) -> Option<i64> {
        self.max_age
            .map(|age| i64::try_from(age.as_millis()).unwrap_or(i64::MAX))
    }

    /// The lowercase name of the header read before the cookie, if any.
    pub(crate) fn header_name(&self) -> Option<String> {
        match &self.header {
            SessionHeader::Default => {
                Some(format!("x-{}-session", self.cookie.name.to_lowercase()))
            }
            SessionHeader::Named(name) => Some(name.to_lowercase()),
            SessionHeader::Disabled => None,
        }
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`SettingsError`] naming the setting and what to change.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.passwords
            .validate()
            .map_err(|e| SettingsError(e.to_string()))?;
        self.cookie
            .validate()
            .map_err(|e| SettingsError(e.to_string()))?;
        if let Some(name) = self.header_name()
            && axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
        {
            return Err(SettingsError(format!(
                "the session header '{name}' is not a valid header name"
            )));
        }
        for (what, n) in [
            ("iterations", Some(self.iterations)),
            (
                "fallback_iterations",
                match self.fallback_iterations {
                    FallbackIterations::Count(n) => Some(n),
                    FallbackIterations::Automatic | FallbackIterations::Off => None,
                },
            ),
        ] {
            if let Some(n) = n
                && !(1..=MAX_SESSION_ITERATIONS).contains(&n)
            {
                return Err(SettingsError(format!(
                    "{what} must be between 1 and {MAX_SESSION_ITERATIONS}, got {n}"
                )));
            }
        }
        if self.max_age.is_some_and(|age| age.as_millis() == 0) {
            return Err(SettingsError(
                "max_age must be at least one millisecond, or None for no limit".into(),
            ));
        }
        // The longest chunk cookie, `<name>.100=<chunk>`, must still fit in a browser's limit.
        let longest_chunk_cookie = self.cookie.name.len() + ".100=".len() + self.chunk_max_len;
        if self.chunk_max_len < 100 || longest_chunk_cookie > MAX_COOKIE_BYTES {
            return Err(SettingsError(format!(
                "chunk_max_len must be at least 100 and leave room for the cookie name within {MAX_COOKIE_BYTES} bytes (at most {}), got {}",
                MAX_COOKIE_BYTES.saturating_sub(self.cookie.name.len() + ".100=".len()),
                self.chunk_max_len
            )));
        }
        let most = seal::MAX_SEAL_LEN.min(self.chunk_max_len * MAX_CHUNKS);
        if !(1024..=most).contains(&self.max_sealed_len) {
            return Err(SettingsError(format!(
                "max_sealed_len must be between 1024 and {most}, got {}",
                self.max_sealed_len
            )));
        }
        Ok(())
    }
}

/// The iteration count tried when a seal does not verify with the configured one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackIterations {
    /// The other of h3's two defaults: 8192 when `iterations` is 1, else 1. So cookies of h3
    /// 1.x (and vinxi, iron-webcrypto) and of h3 2.x both open.
    Automatic,
    /// This count.
    Count(u32),
    /// No fallback: seals of another iteration count do not open.
    Off,
}

/// Which request header carries a seal before the cookie is looked at (h3's `sessionHeader`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionHeader {
    /// `x-<name>-session`, the name lowercased (`x-h3-session`).
    Default,
    /// A header of this name.
    Named(String),
    /// Only the cookie is read.
    Disabled,
}

/// A setting that cannot work, and what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid sealed-session settings: {0}")]
pub struct SettingsError(String);

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "a-password-of-at-least-32-characters!";

    fn settings() -> SessionSettings {
        SessionSettings::new(Passwords::Single(PASSWORD.into()))
    }

    fn check_refused(change: impl FnOnce(&mut SessionSettings), expect: &str) {
        let mut s = settings();
        change(&mut s);
        let err = s
            .validate()
            .expect_err("settings should be refused")
            .to_string();
        assert!(err.contains(expect), "{err:?} should contain {expect:?}");
    }

    #[test]
    fn defaults_are_h3s_and_valid() {
        let s = settings();
        s.validate().unwrap();
        assert_eq!(s.cookie.name, "h3");
        assert_eq!(s.header_name().as_deref(), Some("x-h3-session"));
        assert_eq!(s.seal_options().iterations, 1);
        assert_eq!(s.fallback_options().map(|o| o.iterations), Some(8192));
        assert_eq!(s.seal_options().ttl_ms, 0);
    }

    #[test]
    fn the_automatic_fallback_is_the_other_h3_default() {
        let mut s = settings();
        s.iterations = 8192;
        assert_eq!(s.fallback_options().map(|o| o.iterations), Some(1));
        s.fallback_iterations = FallbackIterations::Off;
        assert_eq!(s.fallback_options(), None);
        s.fallback_iterations = FallbackIterations::Count(8192);
        assert_eq!(s.fallback_options(), None, "the same count is no fallback");
    }

    #[test]
    fn the_header_follows_the_name_lowercased() {
        let mut s = settings();
        s.cookie.name = "App".into();
        assert_eq!(s.header_name().as_deref(), Some("x-app-session"));
        s.header = SessionHeader::Disabled;
        assert_eq!(s.header_name(), None);
    }

    #[test]
    fn max_age_is_the_seal_ttl() {
        let mut s = settings();
        s.max_age = Some(Duration::from_secs(3600));
        assert_eq!(s.seal_options().ttl_ms, 3_600_000);
    }

    #[test]
    fn unusable_settings_are_refused_with_what_to_change() {
        check_refused(
            |s| s.passwords = Passwords::Single("short".into()),
            "at least 32",
        );
        check_refused(|s| s.cookie.name = String::new(), "cookie.name");
        check_refused(|s| s.cookie.name = "a;b".into(), "cookie.name");
        check_refused(
            |s| s.header = SessionHeader::Named("bad header".into()),
            "not a valid header name",
        );
        check_refused(|s| s.iterations = 0, "iterations must be");
        check_refused(|s| s.iterations = 100_000, "iterations must be");
        check_refused(
            |s| s.fallback_iterations = FallbackIterations::Count(MAX_SESSION_ITERATIONS + 1),
            "fallback_iterations must be",
        );
        check_refused(|s| s.max_age = Some(Duration::ZERO), "max_age");
        check_refused(|s| s.chunk_max_len = 10, "chunk_max_len");
        check_refused(|s| s.chunk_max_len = 4090, "chunk_max_len");
        check_refused(|s| s.max_sealed_len = 500_000, "max_sealed_len");
        check_refused(|s| s.cookie.path = "app".into(), "cookie.path");
        check_refused(
            |s| {
                s.cookie.same_site = hallpass_cookie::SameSite::None;
                s.cookie.secure = false;
            },
            "sameSite",
        );
        check_refused(
            |s| {
                s.cookie.name = "__Host-s".into();
                s.cookie.path = "/app".into();
            },
            "__Host-",
        );
    }
}
