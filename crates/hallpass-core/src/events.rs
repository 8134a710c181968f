//! Events: the audit record of every change to a session or to configuration (docs/API.md
//! §14). The store writes each one in the same transaction as the change it describes, so an
//! acknowledged change always has its event and a change that failed has none. An event never
//! holds session data, tokens, refresh tokens or key secrets: only ids, tags, identifiers, the
//! device, and why.

use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value, json};

use crate::model::{ApiKeyRecord, Device, EnvKeyRecord, KeyKind, Principal};
use crate::{Result, Timestamp};

/// Every kind of event, with its wire name.
macro_rules! event_types {
    ($($variant:ident = $name:literal,)*) => {
        /// What an event records.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventType {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl EventType {
            /// Every type, in the order of docs/API.md §14.1.
            pub const ALL: &[EventType] = &[$(EventType::$variant),*];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($name => Some(EventType::$variant),)*
                    _ => None,
                }
            }
            /// Parses a wire name a caller gave.
            ///
            /// # Errors
            /// [`crate::Error::InvalidRequest`] naming the known types.
            pub fn from_request(what: &str, s: &str) -> Result<Self> {
                Self::parse(s).ok_or_else(|| {
                    crate::Error::invalid(format!(
                        "{what} '{}' is not an event type; known types: {}",
                        crate::ids::truncate_for_message(s),
                        [$($name),*].join(", ")
                    ))
                })
            }
        }
    };
}

event_types! {
    SessionStarted = "session.started",
    SessionRefreshed = "session.refreshed",
    SessionUpdated = "session.updated",
    SessionReauthenticated = "session.reauthenticated",
    SessionRevoked = "session.revoked",
    RefreshTokenReused = "refresh_token.reused",
    SessionTypeCreated = "session_type.created",
    SessionTypeUpdated = "session_type.updated",
    SessionTypeDeleted = "session_type.deleted",
    ApiKeyCreated = "api_key.created",
    ApiKeyDeleted = "api_key.deleted",
    SigningKeyRotated = "signing_key.rotated",
    WebhookDisabled = "webhook.disabled",
}

/// What kind of caller caused an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    /// An admin key.
    Admin,
    /// An access key.
    Access,
    /// A browser, with its session cookie.
    Browser,
    /// hallpass itself (an idle session found, a webhook disabled).
    System,
}

impl ActorKind {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Access => "access",
            Self::Browser => "browser",
            Self::System => "system",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "access" => Some(Self::Access),
            "browser" => Some(Self::Browser),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// Who caused an event: an API key (by id), a browser, or hallpass itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The kind of caller.
    pub kind: ActorKind,
    /// The API key's id (admin and access keys only).
    pub key_id: Option<String>,
}

impl Actor {
    /// The caller holding this key. Publishable keys change nothing, so they never act; they
    /// are recorded as the browser they are used from.
    pub fn key(who: &Principal) -> Self {
        let kind = match who.kind {
            KeyKind::Admin => ActorKind::Admin,
            KeyKind::Access => ActorKind::Access,
            KeyKind::Publishable => ActorKind::Browser,
        };
        Self {
            kind,
            key_id: (kind != ActorKind::Browser).then(|| who.key_id.clone()),
        }
    }

    /// A browser, with its session cookie.
    pub const fn browser() -> Self {
        Self {
            kind: ActorKind::Browser,
            key_id: None,
        }
    }

    /// hallpass itself.
    pub const fn system() -> Self {
        Self {
            kind: ActorKind::System,
            key_id: None,
        }
    }
}

/// Who makes a change, and when: what every store write that records events is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    /// The caller.
    pub actor: Actor,
    /// When the change is made.
    pub at: Timestamp,
}

/// Why a session was revoked (`cause` of `session.revoked`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokeCause {
    /// `POST /v1/sessions/revoke`, or a browser deleting one of its user's sessions.
    Revoke,
    /// `POST /v1/sessions/revoke-all`.
    RevokeAll,
    /// A browser's sign-out.
    SignOut,
    /// An old refresh token came back (theft).
    RefreshTokenReused,
    /// A start beyond the type's `maxSessions` (`revoke_oldest`).
    SessionLimit,
    /// Inactivity longer than the type's idle timeout.
    Idle,
    /// Its session type was deleted (or its tag created anew over sessions left behind).
    TypeDeleted,
}

impl RevokeCause {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::RevokeAll => "revoke_all",
            Self::SignOut => "sign_out",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::SessionLimit => "session_limit",
            Self::Idle => "idle",
            Self::TypeDeleted => "type_deleted",
        }
    }
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `evt_` and a ULID: ids sort in creation order.
    pub id: String,
    /// What happened.
    pub kind: EventType,
    /// When.
    pub at: Timestamp,
    /// The product it happened in; `None` for what belongs to the whole deployment (admin
    /// keys).
    pub product: Option<String>,
    /// The env, for what belongs to one (sessions, signing keys, env-scoped keys).
    pub env: Option<String>,
    /// The session, for session events (indexed for the audit query).
    pub session_id: Option<String>,
    /// The session's identifier, for session events (indexed for the audit query).
    pub identifier: Option<String>,
    /// The details, a JSON object (docs/API.md §14.1 lists them per type).
    pub data: Value,
    /// Who caused it.
    pub actor: Actor,
}

/// The facts of a session an event describes (never its data or tokens).
#[derive(Clone, Copy, Debug)]
pub struct SessionFacts<'a> {
    /// Session id.
    pub id: &'a str,
    /// Product.
    pub product: &'a str,
    /// Env.
    pub env: &'a str,
    /// Session type tag.
    pub tag: &'a str,
    /// Identifier.
    pub identifier: Option<&'a str>,
    /// The device the session was started from (or last seen on).
    pub device: &'a Device,
}

fn device_json(device: &Device) -> Value {
    let mut out = Map::new();
    if let Some(ip) = &device.ip {
        out.insert("ip".into(), json!(ip));
    }
    if let Some(ua) = &device.user_agent {
        out.insert("userAgent".into(), json!(ua));
    }
    Value::Object(out)
}

/// Makes event ids: `evt_` and a ULID, successors within a millisecond so that the ids one
/// process makes sort in the order it made them.
#[derive(Debug, Default)]
pub struct EventIds {
    last: Mutex<Option<ulid::Ulid>>,
}

impl EventIds {
    /// The next id, at `now`.
    pub fn next(&self, now: Timestamp) -> String {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let id = crate::ids::new_session_id(now, *last);
        *last = Some(id);
        format!("evt_{id}")
    }

    /// An event about a session; `extra` fields join `sessionId`, `tag`, `identifier` and
    /// `device` in its data.
    pub fn session(
        &self,
        kind: EventType,
        audit: &Audit,
        s: SessionFacts<'_>,
        extra: &[(&str, Value)],
    ) -> Event {
        let mut data = Map::new();
        data.insert("sessionId".into(), json!(s.id));
        data.insert("tag".into(), json!(s.tag));
        data.insert("identifier".into(), json!(s.identifier));
        data.insert("device".into(), device_json(s.device));
        for (key, value) in extra {
            data.insert((*key).to_owned(), value.clone());
        }
        Event {
            id: self.next(audit.at),
            kind,
            at: audit.at,
            product: Some(s.product.to_owned()),
            env: Some(s.env.to_owned()),
            session_id: Some(s.id.to_owned()),
            identifier: s.identifier.map(str::to_owned),
            data: Value::Object(data),
            actor: audit.actor.clone(),
        }
    }

    /// `session.revoked` with its cause.
    pub fn revoked(&self, audit: &Audit, s: SessionFacts<'_>, cause: RevokeCause) -> Event {
        self.session(
            EventType::SessionRevoked,
            audit,
            s,
            &[("cause", json!(cause.as_str()))],
        )
    }

    /// An event about the product's configuration (types, keys, signing keys, webhooks), or
    /// the deployment's (`product` `None`: admin keys).
    pub fn config(
        &self,
        kind: EventType,
        audit: &Audit,
        product: Option<&str>,
        env: Option<&str>,
        data: Value,
    ) -> Event {
        Event {
            id: self.next(audit.at),
            kind,
            at: audit.at,
            product: product.map(str::to_owned),
            env: env.map(str::to_owned),
            session_id: None,
            identifier: None,
            data,
            actor: audit.actor.clone(),
        }
    }
}

/// `api_key.created` or `api_key.deleted`: the key's id, kind and name (never its secret or
/// hash), in the key's product and env.
pub fn api_key_event(ids: &EventIds, kind: EventType, audit: &Audit, key: &ApiKeyRecord) -> Event {
    ids.config(
        kind,
        audit,
        key.product.as_deref(),
        key.env.as_deref(),
        json!({"keyId": key.id, "kind": key.kind.as_str(), "name": key.name}),
    )
}

/// `signing_key.rotated`: the new key's id and algorithm, and the ids it retired.
pub fn signing_key_rotated(
    ids: &EventIds,
    audit: &Audit,
    new: &EnvKeyRecord,
    retired: &[String],
) -> Event {
    ids.config(
        EventType::SigningKeyRotated,
        audit,
        Some(&new.product),
        Some(&new.env),
        json!({"kid": new.kid, "alg": new.alg, "retiredKids": retired}),
    )
}

/// The event as the API shows it, in the audit query and as a webhook's body (docs/API.md
/// §14.1): `id`, `type`, `timestamp`, `product`, `env`, `data`, `actor`.
pub fn event_json(e: &Event) -> Value {
    let mut actor = Map::new();
    actor.insert("kind".into(), json!(e.actor.kind.as_str()));
    if let Some(key_id) = &e.actor.key_id {
        actor.insert("keyId".into(), json!(key_id));
    }
    json!({
        "id": e.id,
        "type": e.kind.as_str(),
        "timestamp": e.at.to_iso(),
        "product": e.product,
        "env": e.env,
        "data": e.data,
        "actor": actor,
    })
}

/// The event's data as the JSON text stored.
///
/// # Errors
/// [`crate::Error::Internal`] if it cannot be encoded (never for the values built here).
pub fn data_json(event: &Event) -> Result<String> {
    serde_json::to_string(&event.data)
        .map_err(|e| crate::Error::Internal(format!("cannot encode event {}: {e}", event.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);

    #[test]
    fn every_type_parses_from_its_wire_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventType::parse("session.exploded"), None);
    }

    #[test]
    fn ids_made_in_one_millisecond_sort_in_order() {
        let ids = EventIds::default();
        let made: Vec<String> = (0..50).map(|_| ids.next(T0)).collect();
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
        assert!(made[0].starts_with("evt_"));
    }

    #[test]
    fn a_session_event_holds_facts_and_never_data() {
        let ids = EventIds::default();
        let device = Device {
            ip: Some("203.0.113.9".into()),
            user_agent: None,
        };
        let audit = Audit {
            actor: Actor::system(),
            at: T0,
        };
        let facts = SessionFacts {
            id: "s1",
            product: "shop",
            env: "prd",
            tag: "user",
            identifier: Some("u1"),
            device: &device,
        };
        let event = ids.revoked(&audit, facts, RevokeCause::Idle);
        assert_eq!(
            event.data,
            json!({"sessionId": "s1", "tag": "user", "identifier": "u1",
                   "device": {"ip": "203.0.113.9"}, "cause": "idle"})
        );
        assert_eq!(
            (event.kind, event.env.as_deref(), event.actor.kind),
            (EventType::SessionRevoked, Some("prd"), ActorKind::System)
        );
    }
}
