//! Session types: per-product configuration of one kind of session, named by its tag.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use hallpass_cookie::{CookieSettings, SameSite};

use crate::period::{Period, lifetime_secs};
use crate::schema::Schema;
use crate::selector::Selector;
use crate::{Error, Result, Timestamp};

/// Default session lifetime (refresh token lifetime): 30 days.
pub const DEFAULT_REFRESH_EXPIRY_DAYS: u64 = 30;
/// Default grace, in seconds, during which the just-rotated refresh token answers again.
pub const DEFAULT_REFRESH_GRACE_SECS: u64 = 10;
/// Longest refresh grace accepted: one hour.
pub const MAX_REFRESH_GRACE_SECS: u64 = 3600;
/// Shortest idle timeout accepted: a minute, the resolution at which activity is recorded.
pub const MIN_IDLE_TIMEOUT_SECS: u64 = 60;
/// Most active sessions a type may allow one identifier.
pub const MAX_SESSIONS_LIMIT: u32 = 1000;
/// Longest `name` and `description` accepted.
const MAX_TEXT_LEN: usize = 1024;

/// The fields a caller sets when creating or updating a session type. `None` leaves a field
/// as it is (update) or takes the default (create); `Some(None)` clears a nullable field.
#[derive(Clone, Debug, Default)]
pub struct SessionTypeInput {
    /// Display name (required on create).
    pub name: Option<String>,
    /// Free text.
    pub description: Option<Option<String>>,
    /// Example object or JSON Schema document; `Some(Null)` means no schema.
    pub schema: Option<Value>,
    /// `$Session{…}` selector.
    pub selector: Option<Option<String>>,
    /// Token lifetime in `period` units (required on create).
    pub expiry: Option<u64>,
    /// Unit of `expiry` (required on create).
    pub period: Option<String>,
    /// Session lifetime in `refresh_period` units.
    pub refresh_expiry: Option<u64>,
    /// Unit of `refresh_expiry`.
    pub refresh_period: Option<String>,
    /// Seconds the just-rotated refresh token keeps answering the same new pair.
    pub refresh_grace: Option<u64>,
    /// Browser cookie settings; `Some(None)` disables cookies.
    pub cookie: Option<Option<CookieSettings>>,
    /// Seconds after which a browser call re-issues the cookie (sliding expiry).
    pub update_age: Option<Option<u64>>,
    /// Whether forward auth passes the data as `X-Session-Data`.
    pub forward_data: Option<bool>,
    /// Seconds without activity after which a session ends; `Some(None)` removes the timeout.
    pub idle_timeout: Option<Option<u64>>,
    /// Most active sessions per identifier; `Some(None)` removes the limit.
    pub max_sessions: Option<Option<u32>>,
    /// What a start beyond `max_sessions` does: `revoke_oldest` or `refuse`.
    pub on_limit: Option<String>,
}

/// What a `start` does when the identifier already has `maxSessions` active sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnLimit {
    /// Revoke the least recently active session (cause `session_limit`), then start.
    #[default]
    RevokeOldest,
    /// Start nothing: 409 `session_limit_reached`.
    Refuse,
}

impl OnLimit {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RevokeOldest => "revoke_oldest",
            Self::Refuse => "refuse",
        }
    }

    /// Parses a wire name.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming the two accepted values.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "revoke_oldest" => Ok(Self::RevokeOldest),
            "refuse" => Ok(Self::Refuse),
            _ => Err(Error::invalid(format!(
                "onLimit '{}' is not known: use revoke_oldest or refuse",
                crate::ids::truncate_for_message(s)
            ))),
        }
    }
}

/// A session type's stored configuration (everything but product, tag and timestamps).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionTypeConfig {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Example object, JSON Schema document, or null.
    pub schema: Value,
    /// `$Session{…}` selector, if any.
    pub selector: Option<String>,
    /// Token lifetime in `period` units.
    pub expiry: u64,
    /// Unit of `expiry`.
    pub period: Period,
    /// Session lifetime in `refresh_period` units.
    pub refresh_expiry: u64,
    /// Unit of `refresh_expiry`.
    pub refresh_period: Period,
    /// Refresh grace in seconds.
    pub refresh_grace: u64,
    /// Browser cookie settings.
    pub cookie: Option<CookieSettings>,
    /// Sliding-expiry threshold in seconds.
    pub update_age: Option<u64>,
    /// Whether forward auth passes the data.
    pub forward_data: bool,
    /// Idle timeout in seconds, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<u64>,
    /// Most active sessions per identifier, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sessions: Option<u32>,
    /// What a start beyond `max_sessions` does.
    #[serde(default)]
    pub on_limit: OnLimit,
}

impl SessionTypeConfig {
    /// A new configuration from create input: `name`, `expiry` and `period` are required.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming the missing or invalid field.
    pub fn create(input: SessionTypeInput) -> Result<Self> {
        let name = input
            .name
            .clone()
            .ok_or_else(|| Error::invalid("name is required"))?;
        let expiry = input.expiry.ok_or_else(|| {
            Error::invalid("expiry is required: the token lifetime in period units, e.g. 7")
        })?;
        let period = input.period.clone().ok_or_else(|| {
            Error::invalid("period is required: seconds, minutes, hours, days or weeks")
        })?;
        let base = Self {
            name,
            description: String::new(),
            schema: Value::Null,
            selector: None,
            expiry,
            period: Period::parse("period", &period)?,
            refresh_expiry: DEFAULT_REFRESH_EXPIRY_DAYS,
            refresh_period: Period::Days,
            refresh_grace: DEFAULT_REFRESH_GRACE_SECS,
            cookie: None,
            update_age: None,
            forward_data: false,
            idle_timeout: None,
            max_sessions: None,
            on_limit: OnLimit::default(),
        };
        base.merged(input)
    }

    /// This configuration with the given fields replaced, validated as a whole.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming the invalid field.
    pub fn merged(&self, input: SessionTypeInput) -> Result<Self> {
        let mut next = self.clone();
        if let Some(name) = input.name {
            next.name = name;
        }
        if let Some(description) = input.description {
            next.description = description.unwrap_or_default();
        }
        if let Some(schema) = input.schema {
            next.schema = schema;
        }
        if let Some(selector) = input.selector {
            next.selector = selector.filter(|s| !s.is_empty());
        }
        if let Some(expiry) = input.expiry {
            next.expiry = expiry;
        }
        if let Some(period) = input.period {
            next.period = Period::parse("period", &period)?;
        }
        if let Some(refresh_expiry) = input.refresh_expiry {
            next.refresh_expiry = refresh_expiry;
        }
        if let Some(refresh_period) = input.refresh_period {
            next.refresh_period = Period::parse("refreshPeriod", &refresh_period)?;
        }
        if let Some(grace) = input.refresh_grace {
            next.refresh_grace = grace;
        }
        if let Some(cookie) = input.cookie {
            next.cookie = cookie;
        }
        if let Some(update_age) = input.update_age {
            next.update_age = update_age;
        }
        if let Some(forward_data) = input.forward_data {
            next.forward_data = forward_data;
        }
        if let Some(idle_timeout) = input.idle_timeout {
            next.idle_timeout = idle_timeout;
        }
        if let Some(max_sessions) = input.max_sessions {
            next.max_sessions = max_sessions;
        }
        if let Some(on_limit) = input.on_limit {
            next.on_limit = OnLimit::parse(&on_limit)?;
        }
        next.compile()?;
        Ok(next)
    }

    /// Validates the configuration and compiles its schema and selector.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming the invalid field.
    pub fn compile(&self) -> Result<CompiledType> {
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_TEXT_LEN {
            return Err(Error::invalid("name must be 1 to 1024 characters"));
        }
        if self.description.chars().count() > MAX_TEXT_LEN {
            return Err(Error::invalid(
                "description must be at most 1024 characters",
            ));
        }
        let token_lifetime_secs = lifetime_secs("expiry", self.expiry, self.period)?;
        let refresh_lifetime_secs =
            lifetime_secs("refreshExpiry", self.refresh_expiry, self.refresh_period)?;
        if self.refresh_grace > MAX_REFRESH_GRACE_SECS {
            return Err(Error::invalid(
                "refreshGrace must be between 0 and 3600 seconds",
            ));
        }
        if let Some(age) = self.update_age
            && (age == 0 || age > crate::period::MAX_LIFETIME_SECS)
        {
            return Err(Error::invalid(
                "updateAge must be between 1 second and 1 year",
            ));
        }
        if let Some(cookie) = &self.cookie {
            cookie
                .validate()
                .map_err(|e| Error::invalid(e.to_string()))?;
        }
        if let Some(idle) = self.idle_timeout {
            check_idle_timeout(idle, token_lifetime_secs, "the token lifetime (expiry)")?;
        }
        if let Some(max) = self.max_sessions
            && !(1..=MAX_SESSIONS_LIMIT).contains(&max)
        {
            return Err(Error::invalid(format!(
                "maxSessions must be between 1 and {MAX_SESSIONS_LIMIT}, got {max}"
            )));
        }
        let selector = self.selector.as_deref().map(Selector::parse).transpose()?;
        let schema = Schema::compile(&self.schema)?;
        Ok(CompiledType {
            schema,
            selector,
            token_lifetime_secs,
            refresh_lifetime_secs,
            idle_timeout_secs: self.idle_timeout,
            limit: self.max_sessions.map(|max| SessionLimit {
                max,
                on_limit: self.on_limit,
            }),
        })
    }
}

/// The parts of a session type that rules need, compiled once.
#[derive(Clone, Debug)]
pub struct CompiledType {
    /// The compiled schema.
    pub schema: Schema,
    /// The parsed selector.
    pub selector: Option<Selector>,
    /// Token lifetime in seconds.
    pub token_lifetime_secs: u64,
    /// Session (refresh) lifetime in seconds.
    pub refresh_lifetime_secs: u64,
    /// Idle timeout in seconds, if any.
    pub idle_timeout_secs: Option<u64>,
    /// The per-identifier session limit, if any.
    pub limit: Option<SessionLimit>,
}

/// How many active sessions one identifier may have, and what a start beyond that does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimit {
    /// Most active sessions (1 to [`MAX_SESSIONS_LIMIT`]).
    pub max: u32,
    /// Revoke the least recently active one, or refuse the start.
    pub on_limit: OnLimit,
}

/// Checks an idle timeout against the range and against a token lifetime (`what`): a token
/// living longer than the timeout would keep verifying after its session went idle.
///
/// # Errors
/// [`Error::InvalidRequest`] saying which bound it breaks.
pub fn check_idle_timeout(idle_secs: u64, token_lifetime_secs: u64, what: &str) -> Result<()> {
    if !(MIN_IDLE_TIMEOUT_SECS..=crate::period::MAX_LIFETIME_SECS).contains(&idle_secs) {
        return Err(Error::invalid(format!(
            "idleTimeout must be between {MIN_IDLE_TIMEOUT_SECS} seconds and 1 year, got {idle_secs}"
        )));
    }
    if token_lifetime_secs > idle_secs {
        return Err(Error::invalid(format!(
            "{what} of {token_lifetime_secs} s is longer than idleTimeout ({idle_secs} s): a token would outlive its idle session, so the timeout could not be enforced; shorten the lifetime or lengthen the timeout"
        )));
    }
    Ok(())
}

/// A session type as stored: product, tag, configuration and timestamps.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionTypeRecord {
    /// Owning product.
    pub product: String,
    /// Tag, unique in the product.
    pub tag: String,
    /// Configuration.
    pub config: SessionTypeConfig,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update time.
    pub updated_at: Timestamp,
}

/// A session type ready for use: its record and its compiled rules.
#[derive(Clone, Debug)]
pub struct SessionType {
    /// The stored record.
    pub record: SessionTypeRecord,
    /// The compiled rules.
    pub compiled: CompiledType,
}

impl SessionType {
    /// Compiles a stored record.
    ///
    /// # Errors
    /// [`Error::Internal`] when a stored configuration no longer validates.
    pub fn from_record(record: SessionTypeRecord) -> Result<Self> {
        let compiled = record.config.compile().map_err(|e| {
            Error::Internal(format!(
                "stored session type '{}' is invalid: {e}",
                record.tag
            ))
        })?;
        Ok(Self { record, compiled })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input() -> SessionTypeInput {
        SessionTypeInput {
            name: Some("User".into()),
            expiry: Some(7),
            period: Some("hour".into()),
            ..Default::default()
        }
    }

    #[test]
    fn create_fills_defaults() {
        let c = SessionTypeConfig::create(input()).unwrap();
        assert_eq!(c.period, Period::Hours);
        assert_eq!(
            (c.refresh_expiry, c.refresh_period, c.refresh_grace),
            (30, Period::Days, 10)
        );
        let compiled = c.compile().unwrap();
        assert_eq!(compiled.token_lifetime_secs, 7 * 3600);
        assert_eq!(compiled.refresh_lifetime_secs, 30 * 86_400);
    }

    #[test]
    fn create_requires_name_expiry_and_period() {
        for strip in 0..3 {
            let mut i = input();
            match strip {
                0 => i.name = None,
                1 => i.expiry = None,
                _ => i.period = None,
            }
            assert!(matches!(
                SessionTypeConfig::create(i),
                Err(Error::InvalidRequest(_))
            ));
        }
    }

    #[test]
    fn merge_replaces_given_fields_and_clears_nullable_ones() {
        let mut i = input();
        i.selector = Some(Some("$Session{userId}".into()));
        i.schema = Some(json!({"userId": "x"}));
        let c = SessionTypeConfig::create(i).unwrap();
        let patched = c
            .merged(SessionTypeInput {
                expiry: Some(14),
                period: Some("days".into()),
                selector: Some(None),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((patched.expiry, patched.period), (14, Period::Days));
        assert_eq!(patched.selector, None);
        assert_eq!(patched.schema, json!({"userId": "x"}));
    }

    #[test]
    fn a_leading_dot_domain_is_a_host_name() {
        let cookie = CookieSettings {
            domain: Some(".example.com".into()),
            ..Default::default()
        };
        assert!(cookie.validate().is_ok());
    }

    #[test]
    fn invalid_fields_are_rejected() {
        type Edit = Box<dyn Fn(&mut SessionTypeInput)>;
        let cases: Vec<Edit> = vec![
            Box::new(|i| i.selector = Some(Some("userId".into()))),
            Box::new(|i| i.schema = Some(json!(3))),
            Box::new(|i| i.refresh_grace = Some(4000)),
            Box::new(|i| i.expiry = Some(0)),
            Box::new(|i| i.update_age = Some(Some(0))),
            Box::new(|i| {
                i.cookie = Some(Some(CookieSettings {
                    name: "__Host-s".into(),
                    path: "/app".into(),
                    ..Default::default()
                }))
            }),
            Box::new(|i| {
                i.cookie = Some(Some(CookieSettings {
                    name: "__Secure-s".into(),
                    secure: false,
                    ..Default::default()
                }))
            }),
        ];
        let cookies = [
            CookieSettings {
                name: "__host-s".into(),
                secure: false,
                ..Default::default()
            },
            CookieSettings {
                path: "/a\u{1}".into(),
                ..Default::default()
            },
            CookieSettings {
                path: "/é".into(),
                ..Default::default()
            },
            CookieSettings {
                domain: Some("...".into()),
                ..Default::default()
            },
            CookieSettings {
                domain: Some("a..b".into()),
                ..Default::default()
            },
        ];
        let cases: Vec<Edit> = cases
            .into_iter()
            .chain(cookies.into_iter().map(|c| -> Edit {
                Box::new(move |i: &mut SessionTypeInput| i.cookie = Some(Some(c.clone())))
            }))
            .collect();
        for (n, case) in cases.iter().enumerate() {
            let mut i = input();
            case(&mut i);
            assert!(
                matches!(SessionTypeConfig::create(i), Err(Error::InvalidRequest(_))),
                "case {n}"
            );
        }
    }
}
