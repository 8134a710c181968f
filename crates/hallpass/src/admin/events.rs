//! The audit query over recorded events, part of the administration.

use hallpass_core::events::{Event, EventType};
use hallpass_core::ids::{page_cursor, parse_page_cursor, validate_tag};
use hallpass_core::model::{KeyKind, Principal};
use hallpass_core::store::EventFilter;
use hallpass_core::{Error, Result};

use super::Admin;
use crate::sessions::{DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, validate_identifier};

/// Longest session id a filter takes (ids are 26 characters; longer ones match nothing).
const MAX_SESSION_ID_LEN: usize = 64;

/// What the audit query asks for; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    /// The product: the key's own for an access key; for an admin key, every product's
    /// events and the deployment's own when absent.
    pub product: Option<String>,
    /// Only this env's events (an env-scoped key always reads only its own env's; an admin
    /// key without product, that env's in every product).
    pub env: Option<String>,
    /// Only events of these types.
    pub types: Vec<EventType>,
    /// Only events about this identifier's sessions.
    pub identifier: Option<String>,
    /// Only events about this session.
    pub session_id: Option<String>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// One page of events, newest first.
#[derive(Clone, Debug)]
pub struct EventList {
    /// The events.
    pub events: Vec<Event>,
    /// The cursor of the next (older) page, when there is one.
    pub next_cursor: Option<String>,
}

impl Admin {
    /// Events the caller may read, newest first: any product's for an admin key, its own
    /// product's for an access key, only its env's for an env-scoped one.
    pub(crate) async fn events(&self, who: &Principal, query: EventQuery) -> Result<EventList> {
        let limit = query.limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(Error::invalid(format!(
                "limit must be between 1 and {MAX_LIST_LIMIT}, got {limit}"
            )));
        }
        let (product, env) = self.event_scope(who, query.product, query.env).await?;
        if let Some(identifier) = &query.identifier {
            validate_identifier(identifier)?;
        }
        if query
            .session_id
            .as_ref()
            .is_some_and(|id| id.is_empty() || id.len() > MAX_SESSION_ID_LEN)
        {
            return Err(Error::invalid(format!(
                "sessionId must be 1 to {MAX_SESSION_ID_LEN} characters"
            )));
        }
        let before = query
            .cursor
            .as_deref()
            .map(|c| parse_page_cursor(c, "evt_"))
            .transpose()?;
        let filter = EventFilter {
            product,
            env,
            types: query.types,
            identifier: query.identifier,
            session_id: query.session_id,
            before,
        };
        let page = self.store.events(&filter, limit).await?;
        let next_cursor = page
            .has_more
            .then(|| page.events.last().map(|e| page_cursor(&e.id)))
            .flatten();
        Ok(EventList {
            events: page.events,
            next_cursor,
        })
    }

    /// The product and env whose events the caller reads.
    async fn event_scope(
        &self,
        who: &Principal,
        product: Option<String>,
        env: Option<String>,
    ) -> Result<(Option<String>, Option<String>)> {
        if who.kind == KeyKind::Publishable {
            return Err(Error::PublishableKeyForbidden);
        }
        if who.product.is_none() && product.is_none() {
            // An admin key reading every product: `env` filters by the env's name in each.
            if let Some(env) = &env {
                validate_tag("env", env)?;
            }
            return Ok((None, env));
        }
        let resolved = self.access.resolve_product(who, product.as_deref()).await?;
        let env = match (&who.env, env) {
            (Some(own), Some(asked)) if *own != asked => {
                return Err(Error::ScopeForbidden(format!(
                    "this key belongs to env '{own}' of product '{}' and cannot read the events of env '{}'",
                    resolved.tag,
                    hallpass_core::ids::truncate_for_message(&asked)
                )));
            }
            (Some(own), _) => Some(own.clone()),
            (None, asked) => asked,
        };
        if let Some(env) = &env {
            resolved.check_env(env)?;
        }
        Ok((Some(resolved.tag.clone()), env))
    }
}
