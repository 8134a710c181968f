//! The one place where domain types become wire types and back.

use hallpass::FeedSnapshot;
use hallpass::core::Timestamp;
use hallpass::core::events::{Event, EventType};
use hallpass::core::keys::Alg;
use hallpass::core::lifecycle::idle_expires_at;
use hallpass::core::model::{ApiKeyRecord, Device, Product, SessionRecord};
use hallpass::core::revocation::{RevokedEntry, SupersededEntry};
use hallpass::core::session_type::{CookieSettings, SameSite, SessionTypeInput, SessionTypeRecord};
use hallpass::core::webhooks::{Attempt, WebhookRecord};
use hallpass::{
    BrowserSession, Changed, EventList, EventQuery, Issued, NewKey, NewProduct, NewWebhook,
    OwnSessions, ProductPatch, SessionList, StartInput, Verified, WebhookInput, WebhookPatch,
};
use hallpass_api as api;
use serde_json::Value;

use crate::error::ApiError;

/// `2026-11-23T10:00:00.000Z`.
pub(crate) fn iso(ts: Timestamp) -> String {
    ts.to_iso()
}

pub(crate) fn device(d: Option<api::DeviceBody>) -> Device {
    let d = d.unwrap_or_default();
    Device {
        ip: d.ip,
        user_agent: d.user_agent,
    }
}

fn device_body(d: &Device) -> api::DeviceBody {
    api::DeviceBody {
        ip: d.ip.clone(),
        user_agent: d.user_agent.clone(),
    }
}

pub(crate) fn start_input(body: api::StartRequest) -> Result<StartInput, ApiError> {
    let identifier = match body.identifier {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(ApiError::invalid_request(
                "identifier must be a string or a number",
            ));
        }
    };
    Ok(StartInput {
        tag: body.tag,
        data: body.data,
        identifier,
        expires_in: body.expires_in,
        device: device(body.device),
        amr: body.amr,
    })
}

pub(crate) fn issued(i: &Issued, cookies: Option<Vec<String>>) -> api::IssuedResponse {
    api::IssuedResponse {
        session_id: i.session.id.clone(),
        token: i.token.clone(),
        refresh_token: i.refresh_token.clone(),
        expires_at: iso(i.session.token_expires_at),
        refresh_expires_at: iso(i.session.refresh_expires_at),
        tag: i.session.tag.clone(),
        identifier: i.session.identifier.clone(),
        cookies,
    }
}

pub(crate) fn verified(v: Verified) -> api::VerifyResponse {
    api::VerifyResponse {
        session_id: v.session_id,
        tag: v.tag,
        identifier: v.identifier,
        data: v.data,
        issued_at: iso(v.issued_at),
        expires_at: iso(v.expires_at),
        authenticated_at: iso(v.authenticated_at),
        amr: v.amr,
        idle_expires_at: v.idle_expires_at.map(iso),
    }
}

pub(crate) fn changed(c: Changed) -> api::UpdateResponse {
    api::UpdateResponse {
        session_id: c.session.id,
        tag: c.session.tag,
        identifier: c.session.identifier,
        data: c.data,
        token: c.token,
        expires_at: iso(c.expires_at),
        updated_at: iso(c.updated_at),
    }
}

pub(crate) fn updated_count(updated_count: u64) -> api::UpdateAllResponse {
    api::UpdateAllResponse { updated_count }
}

pub(crate) fn session_item(s: &SessionRecord, idle_timeout_secs: Option<u64>) -> api::SessionItem {
    api::SessionItem {
        session_id: s.id.clone(),
        tag: s.tag.clone(),
        identifier: s.identifier.clone(),
        created_at: iso(s.created_at),
        expires_at: iso(s.token_expires_at),
        refresh_expires_at: iso(s.refresh_expires_at),
        last_active_at: iso(s.last_active_at),
        idle_expires_at: idle_timeout_secs.map(|idle| iso(idle_expires_at(s.last_active_at, idle))),
        device: device_body(&s.device),
    }
}

fn cookie_settings(c: api::CookieBody) -> Result<CookieSettings, ApiError> {
    let defaults = CookieSettings::default();
    let same_site = match c.same_site.as_deref() {
        None | Some("lax") => SameSite::Lax,
        Some("strict") => SameSite::Strict,
        Some("none") => SameSite::None,
        Some(_) => {
            return Err(ApiError::invalid_request(
                "cookie.sameSite must be \"lax\", \"strict\" or \"none\"",
            ));
        }
    };
    Ok(CookieSettings {
        name: c.name.unwrap_or(defaults.name),
        secure: c.secure.unwrap_or(defaults.secure),
        same_site,
        path: c.path.unwrap_or(defaults.path),
        http_only: c.http_only.unwrap_or(defaults.http_only),
        domain: c.domain,
    })
}

pub(crate) fn session_type_input(b: api::SessionTypeBody) -> Result<SessionTypeInput, ApiError> {
    Ok(SessionTypeInput {
        name: b.name,
        description: b.description,
        schema: b.schema.map(Option::unwrap_or_default),
        selector: b.selector,
        expiry: b.expiry,
        period: b.period,
        refresh_expiry: b.refresh_expiry,
        refresh_period: b.refresh_period,
        refresh_grace: b.refresh_grace,
        cookie: b
            .cookie
            .map(|c| c.map(cookie_settings).transpose())
            .transpose()?,
        update_age: b.update_age,
        forward_data: b.forward_data,
        idle_timeout: b.idle_timeout,
        max_sessions: b.max_sessions,
        on_limit: b.on_limit,
    })
}

pub(crate) fn session_type(r: &SessionTypeRecord) -> api::SessionTypeResponse {
    let c = &r.config;
    api::SessionTypeResponse {
        product: r.product.clone(),
        tag: r.tag.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        schema: c.schema.clone(),
        selector: c.selector.clone(),
        expiry: c.expiry,
        period: c.period.as_str().to_owned(),
        refresh_expiry: c.refresh_expiry,
        refresh_period: c.refresh_period.as_str().to_owned(),
        refresh_grace: c.refresh_grace,
        cookie: c.cookie.as_ref().map(|k| api::CookieResponse {
            name: k.name.clone(),
            secure: k.secure,
            same_site: match k.same_site {
                SameSite::Lax => "lax",
                SameSite::Strict => "strict",
                SameSite::None => "none",
            }
            .to_owned(),
            path: k.path.clone(),
            http_only: k.http_only,
            domain: k.domain.clone(),
        }),
        update_age: c.update_age,
        forward_data: c.forward_data,
        idle_timeout: c.idle_timeout,
        max_sessions: c.max_sessions,
        on_limit: c.on_limit.as_str().to_owned(),
        created_at: iso(r.created_at),
        updated_at: iso(r.updated_at),
    }
}

pub(crate) fn product(p: &Product) -> api::ProductResponse {
    api::ProductResponse {
        tag: p.tag.clone(),
        name: p.name.clone(),
        envs: p.envs.clone(),
        allowed_origins: p.allowed_origins.clone(),
        created_at: iso(p.created_at),
        updated_at: iso(p.updated_at),
    }
}

pub(crate) fn key_info(k: &ApiKeyRecord) -> api::KeyInfo {
    api::KeyInfo {
        id: k.id.clone(),
        kind: k.kind.as_str().to_owned(),
        product: k.product.clone(),
        env: k.env.clone(),
        name: k.name.clone(),
        created_at: iso(k.created_at),
    }
}

pub(crate) fn key_created(new: &NewKey) -> api::KeyCreated {
    let info = key_info(&new.record);
    api::KeyCreated {
        id: info.id,
        kind: info.kind,
        product: info.product,
        env: info.env,
        name: info.name,
        key: new.secret.clone(),
        created_at: info.created_at,
    }
}

pub(crate) fn key_list(keys: &[ApiKeyRecord]) -> api::KeyList {
    api::KeyList {
        keys: keys.iter().map(key_info).collect(),
    }
}

pub(crate) fn new_product(body: api::ProductCreate) -> NewProduct {
    NewProduct {
        tag: body.tag,
        name: body.name,
        envs: body.envs,
        allowed_origins: body.allowed_origins,
    }
}

pub(crate) fn product_patch(body: api::ProductPatchBody) -> ProductPatch {
    ProductPatch {
        name: body.name,
        allowed_origins: body.allowed_origins,
    }
}

pub(crate) fn product_list(products: &[Product]) -> api::ProductList {
    api::ProductList {
        products: products.iter().map(product).collect(),
    }
}

pub(crate) fn session_type_list(records: &[SessionTypeRecord]) -> api::SessionTypeList {
    api::SessionTypeList {
        session_types: records.iter().map(session_type).collect(),
    }
}

pub(crate) fn rotated(kid: String, alg: Alg) -> api::RotateResponse {
    api::RotateResponse {
        kid,
        alg: alg.as_str().to_owned(),
    }
}

pub(crate) fn deleted() -> api::Deleted {
    api::Deleted { deleted: true }
}

pub(crate) fn revoked(revoked: bool) -> api::RevokeResponse {
    api::RevokeResponse { revoked }
}

pub(crate) fn revoked_count(revoked_count: u64) -> api::RevokeAllResponse {
    api::RevokeAllResponse { revoked_count }
}

pub(crate) fn session_list(page: SessionList) -> api::ListResponse {
    api::ListResponse {
        sessions: page
            .sessions
            .iter()
            .map(|s| session_item(s, page.idle_timeout_secs))
            .collect(),
        count: page.count,
        next_cursor: page.next_cursor,
    }
}

/// What `GET session` answers; when the session slid, its new token's expiry.
pub(crate) fn browser_session(found: &BrowserSession) -> api::BrowserSessionResponse {
    let v = &found.verified;
    let expires_at = found
        .slid
        .as_ref()
        .map_or(v.expires_at, |slid| slid.session.token_expires_at);
    api::BrowserSessionResponse {
        session: api::BrowserSessionInfo {
            session_id: v.session_id.clone(),
            tag: v.tag.clone(),
            identifier: v.identifier.clone(),
            created_at: iso(found.created_at),
            expires_at: iso(expires_at),
        },
        data: v.data.clone(),
    }
}

pub(crate) fn browser_refresh(session: &SessionRecord) -> api::BrowserRefreshResponse {
    api::BrowserRefreshResponse {
        session: api::BrowserSessionInfo {
            session_id: session.id.clone(),
            tag: session.tag.clone(),
            identifier: session.identifier.clone(),
            created_at: iso(session.created_at),
            expires_at: iso(session.token_expires_at),
        },
        refresh_expires_at: iso(session.refresh_expires_at),
    }
}

/// The user's sessions, the caller's marked `current`.
pub(crate) fn own_sessions(own: &OwnSessions) -> api::BrowserSessionsResponse {
    api::BrowserSessionsResponse {
        sessions: own
            .list
            .sessions
            .iter()
            .map(|session| api::BrowserSessionItem {
                item: session_item(session, own.list.idle_timeout_secs),
                current: session.id == own.current,
            })
            .collect(),
        count: own.list.count,
    }
}

pub(crate) fn event(e: &Event) -> api::EventBody {
    api::EventBody {
        id: e.id.clone(),
        kind: e.kind.as_str().to_owned(),
        timestamp: iso(e.at),
        product: e.product.clone(),
        env: e.env.clone(),
        data: e.data.clone(),
        actor: api::ActorBody {
            kind: e.actor.kind.as_str().to_owned(),
            key_id: e.actor.key_id.clone(),
        },
    }
}

pub(crate) fn event_list(list: &EventList) -> api::EventsResponse {
    api::EventsResponse {
        events: list.events.iter().map(event).collect(),
        next_cursor: list.next_cursor.clone(),
    }
}

pub(crate) fn event_query(q: api::EventsQuery) -> Result<EventQuery, ApiError> {
    let types = q
        .types
        .iter()
        .map(|t| EventType::from_request("type", t))
        .collect::<Result<_, _>>()?;
    Ok(EventQuery {
        product: q.product,
        env: q.env,
        types,
        identifier: q.identifier,
        session_id: q.session_id,
        cursor: q.cursor,
        limit: q.limit,
    })
}

pub(crate) fn webhook_input(b: api::WebhookCreate) -> WebhookInput {
    WebhookInput {
        product: b.product,
        env: b.env,
        url: b.url,
        events: b.events,
        description: b.description,
    }
}

pub(crate) fn webhook_patch(b: api::WebhookPatchBody) -> WebhookPatch {
    WebhookPatch {
        url: b.url,
        events: b.events,
        description: b.description,
        enabled: b.enabled,
    }
}

pub(crate) fn webhook(w: &WebhookRecord) -> api::WebhookResponse {
    api::WebhookResponse {
        id: w.id.clone(),
        product: w.product.clone(),
        env: w.env.clone(),
        url: w.url.clone(),
        events: w.events.names(),
        description: w.description.clone(),
        enabled: w.enabled,
        created_at: iso(w.created_at),
        failing_since: w.failing_since.map(iso),
    }
}

pub(crate) fn webhook_created(new: &NewWebhook) -> api::WebhookCreated {
    api::WebhookCreated {
        webhook: webhook(&new.record),
        secret: new.secret.clone(),
    }
}

pub(crate) fn delivery_attempt(a: &Attempt) -> api::DeliveryAttempt {
    api::DeliveryAttempt {
        event_id: a.event_id.clone(),
        event_type: a.event_type.clone(),
        attempted_at: iso(a.at),
        attempt: a.attempt,
        delivered: a.delivered(),
        status_code: a.status,
        error: a.error.clone(),
        duration_ms: a.duration_ms,
    }
}

/// A revoked session as the revocation feed sends it.
pub(crate) fn revoked_session(e: &RevokedEntry) -> api::RevokedSession {
    api::RevokedSession {
        session_id: e.session_id.clone(),
        until: iso(e.until),
    }
}

/// A session with superseded tokens as the revocation feed sends it.
pub(crate) fn superseded_session(e: &SupersededEntry) -> api::SupersededSession {
    api::SupersededSession {
        session_id: e.session_id.clone(),
        version: e.version,
        before: iso(e.before),
        until: iso(e.until),
    }
}

/// The data of a feed's `snapshot` event.
pub(crate) fn revocation_snapshot(s: &FeedSnapshot) -> api::RevocationSnapshot {
    api::RevocationSnapshot {
        revoked: s.revoked.iter().map(revoked_session).collect(),
        superseded: s.superseded.iter().map(superseded_session).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_has_one_shape_in_the_audit_query_and_in_webhook_bodies() {
        use hallpass::core::events::{Actor, ActorKind, Event, EventType, event_json};
        let revoked = Event {
            id: "evt_01KBD0X6P3Q9W8C2M4N7R5T1VZ".into(),
            kind: EventType::SessionRevoked,
            at: Timestamp::from_millis(1_800_000_000_123),
            product: Some("shop".into()),
            env: None,
            session_id: Some("s".into()),
            identifier: None,
            data: serde_json::json!({"sessionId": "s", "cause": "revoke"}),
            actor: Actor {
                kind: ActorKind::Access,
                key_id: Some("key_1".into()),
            },
        };
        assert_eq!(
            serde_json::to_string(&super::event(&revoked)).unwrap(),
            event_json(&revoked).to_string()
        );
        let system = Event {
            actor: Actor::system(),
            ..revoked
        };
        assert_eq!(
            serde_json::to_value(super::event(&system)).unwrap(),
            event_json(&system)
        );
    }

    #[test]
    fn times_are_iso_utc_with_milliseconds() {
        assert_eq!(
            iso(Timestamp::from_millis(1_795_428_000_000)),
            "2026-11-23T10:00:00.000Z"
        );
        assert_eq!(
            iso(Timestamp::from_millis(1_795_428_000_123)),
            "2026-11-23T10:00:00.123Z"
        );
    }
}
