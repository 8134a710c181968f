//! Webhooks: the endpoints of a product (create, read, change, delete, test, the log of
//! attempts) and their delivery (`delivery.rs`, `sender.rs`). Endpoints are product
//! configuration: an admin key or an access key of every env of the product manages them.

mod delivery;
mod sender;

use std::sync::Arc;

use hallpass_core::events::{Actor, EventIds};
use hallpass_core::ids::{new_prefixed_id, truncate_for_message};
use hallpass_core::model::{KeyKind, Principal};
use hallpass_core::store::Store;
use hallpass_core::webhooks::{
    Attempt, EventSelection, MAX_DESCRIPTION_LEN, TEST_EVENT_TYPE, WebhookRecord, new_secret,
    secret_key, validate_url,
};
use hallpass_core::{Error, Result};
use serde_json::json;

use sender::Sender;

use crate::access::Access;
use crate::clock::Clock;
use crate::keys::Keys;
use crate::sessions::{DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT};
use crate::updates::{UPDATE_ATTEMPTS, next_updated_at, too_contended};

/// Most endpoints a product may have.
const MAX_WEBHOOKS: usize = 32;

/// A new endpoint.
#[derive(Clone, Debug, Default)]
pub struct WebhookInput {
    /// The product (the key's own by default; required with an admin key).
    pub product: Option<String>,
    /// Only this env's events (default: every env's, and those of no env).
    pub env: Option<String>,
    /// Where to deliver: `https://` (or a private address with `--allow-private-webhooks`).
    pub url: String,
    /// `["*"]` or event type names.
    pub events: Vec<String>,
    /// A note for people.
    pub description: Option<String>,
}

/// A change of an endpoint: the fields given are replaced.
#[derive(Clone, Debug, Default)]
pub struct WebhookPatch {
    /// New URL.
    pub url: Option<String>,
    /// New event selection.
    pub events: Option<Vec<String>>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Enable or disable (enabling forgets the failing streak).
    pub enabled: Option<bool>,
}

/// A created endpoint and its secret, shown only once.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    /// The stored endpoint.
    pub record: WebhookRecord,
    /// `whsec_…`, what receivers verify signatures with.
    pub secret: String,
}

/// The webhooks part of the service.
pub(crate) struct Webhooks {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    keys: Arc<Keys>,
    clock: Arc<dyn Clock>,
    sender: Sender,
    allow_private: bool,
    /// Ids of `webhook.test` events (recorded in no table, only in the attempts log).
    test_ids: EventIds,
}

impl Webhooks {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        access: Arc<Access>,
        keys: Arc<Keys>,
        clock: Arc<dyn Clock>,
        allow_private: bool,
    ) -> Result<Self> {
        Ok(Self {
            store,
            access,
            keys,
            clock,
            sender: Sender::new(allow_private)?,
            allow_private,
            test_ids: EventIds::default(),
        })
    }

    /// Creates an endpoint of the caller's product.
    pub(crate) async fn create(&self, who: &Principal, input: WebhookInput) -> Result<NewWebhook> {
        let product = self
            .access
            .resolve_product_wide(who, input.product.as_deref(), "manage webhooks")
            .await?;
        if let Some(env) = &input.env {
            product.check_env(env)?;
        }
        let url = validate_url(&input.url, self.allow_private)?;
        let events = EventSelection::from_request(&input.events)?;
        validate_description(input.description.as_deref())?;
        if self.store.webhooks(&product.tag).await?.len() >= MAX_WEBHOOKS {
            return Err(Error::invalid(format!(
                "product '{}' has {MAX_WEBHOOKS} webhook endpoints, the most it may have: delete one first",
                product.tag
            )));
        }
        let id = new_prefixed_id("wh_");
        let secret = new_secret();
        let now = self.clock.now();
        let record = WebhookRecord {
            sealed_secret: self.keys.master().seal(&id, secret.as_bytes())?,
            id,
            product: product.tag.clone(),
            env: input.env,
            url: url.to_string(),
            events,
            description: input.description,
            enabled: true,
            created_at: now,
            updated_at: now,
            failing_since: None,
        };
        self.store.insert_webhook(&record).await?;
        Ok(NewWebhook { record, secret })
    }

    /// The endpoints of the caller's product, oldest first.
    pub(crate) async fn list(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Vec<WebhookRecord>> {
        let product = self
            .access
            .resolve_product_wide(who, product, "manage webhooks")
            .await?;
        self.store.webhooks(&product.tag).await
    }

    /// An endpoint the caller may manage; another product's is [`Error::WebhookNotFound`].
    pub(crate) async fn get(&self, who: &Principal, id: &str) -> Result<WebhookRecord> {
        match who.kind {
            KeyKind::Publishable => return Err(Error::PublishableKeyForbidden),
            KeyKind::Access if who.env.is_some() => {
                return Err(Error::ScopeForbidden(
                    "webhooks are product configuration: only an admin key or an access key for every env of the product manages them".into(),
                ));
            }
            _ => {}
        }
        let not_found = || Error::WebhookNotFound(truncate_for_message(id));
        if id.len() > 64 {
            return Err(not_found());
        }
        let record = self.store.webhook(id).await?.ok_or_else(not_found)?;
        if who.product.as_ref().is_some_and(|p| *p != record.product) {
            return Err(not_found());
        }
        Ok(record)
    }

    /// Changes an endpoint (compare-and-set, retried on a concurrent change).
    pub(crate) async fn update(
        &self,
        who: &Principal,
        id: &str,
        patch: WebhookPatch,
    ) -> Result<WebhookRecord> {
        let url = patch
            .url
            .as_deref()
            .map(|u| validate_url(u, self.allow_private))
            .transpose()?;
        let events = patch
            .events
            .as_deref()
            .map(EventSelection::from_request)
            .transpose()?;
        if let Some(description) = &patch.description {
            validate_description(description.as_deref())?;
        }
        for _ in 0..UPDATE_ATTEMPTS {
            let current = self.get(who, id).await?;
            let updated = WebhookRecord {
                url: url
                    .as_ref()
                    .map_or_else(|| current.url.clone(), ToString::to_string),
                events: events.clone().unwrap_or_else(|| current.events.clone()),
                description: patch
                    .description
                    .clone()
                    .unwrap_or_else(|| current.description.clone()),
                enabled: patch.enabled.unwrap_or(current.enabled),
                // What the answer shows; the store decides the same in its statement, so a
                // failure recorded meanwhile (which does not move `updated_at`) is not lost.
                failing_since: if patch.enabled == Some(true) && !current.enabled {
                    None
                } else {
                    current.failing_since
                },
                updated_at: next_updated_at(self.clock.now(), current.updated_at),
                ..current.clone()
            };
            if self
                .store
                .update_webhook(&updated, current.updated_at)
                .await?
            {
                return Ok(updated);
            }
        }
        Err(too_contended(&format!(
            "webhook '{}'",
            truncate_for_message(id)
        )))
    }

    /// Deletes an endpoint, its pending deliveries and its log.
    pub(crate) async fn delete(&self, who: &Principal, id: &str) -> Result<()> {
        let record = self.get(who, id).await?;
        if !self.store.delete_webhook(&record.id).await? {
            return Err(Error::WebhookNotFound(truncate_for_message(id)));
        }
        Ok(())
    }

    /// Sends a `webhook.test` event to the endpoint now (enabled or not) and answers the
    /// attempt, which the log records too. It is no delivery: it is not retried.
    pub(crate) async fn test(&self, who: &Principal, id: &str) -> Result<Attempt> {
        let record = self.get(who, id).await?;
        let at = self.clock.now();
        let event_id = self.test_ids.next(at);
        let actor = Actor::key(who);
        let mut actor_json = json!({"kind": actor.kind.as_str()});
        if let Some(key_id) = &actor.key_id {
            actor_json["keyId"] = json!(key_id);
        }
        let payload = json!({
            "id": event_id,
            "type": TEST_EVENT_TYPE,
            "timestamp": at.to_iso(),
            "product": record.product,
            "env": record.env,
            "data": {"webhookId": record.id, "url": record.url},
            "actor": actor_json,
        })
        .to_string();
        let key = self.signing_key(&record.id, &record.sealed_secret)?;
        let sent = self
            .sender
            .send(&record.url, &key, &event_id, &payload, at.as_secs())
            .await;
        let attempt = Attempt {
            webhook_id: record.id,
            event_id,
            event_type: TEST_EVENT_TYPE.into(),
            at,
            attempt: 1,
            status: sent.status,
            error: sent.error,
            duration_ms: u64::try_from(sent.took.as_millis()).unwrap_or(u64::MAX),
        };
        self.store.record_attempt(&attempt).await?;
        Ok(attempt)
    }

    /// The key an endpoint's deliveries are signed with, from its sealed secret.
    fn signing_key(&self, id: &str, sealed_secret: &[u8]) -> Result<Vec<u8>> {
        let secret = self.keys.master().open(id, sealed_secret)?;
        let secret = String::from_utf8(secret)
            .map_err(|_| Error::Internal("a stored webhook secret is not text".into()))?;
        secret_key(&secret)
    }

    /// The endpoint's latest attempts, newest first.
    pub(crate) async fn attempts(
        &self,
        who: &Principal,
        id: &str,
        limit: Option<u32>,
    ) -> Result<Vec<Attempt>> {
        let limit = limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(Error::invalid(format!(
                "limit must be between 1 and {MAX_LIST_LIMIT}, got {limit}"
            )));
        }
        let record = self.get(who, id).await?;
        self.store.attempts(&record.id, limit).await
    }
}

fn validate_description(description: Option<&str>) -> Result<()> {
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_LEN) {
        return Err(Error::invalid(format!(
            "description must be at most {MAX_DESCRIPTION_LEN} characters"
        )));
    }
    Ok(())
}
