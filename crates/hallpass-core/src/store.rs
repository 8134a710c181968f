//! The storage interface the domain needs. SQLite and PostgreSQL implement it (crate
//! `hallpass-store`) and pass one conformance suite. No SQL type appears here.
//!
//! Every method is atomic: it either does all it says or nothing. Errors are
//! [`crate::Error::StoreUnavailable`] when the database cannot be reached and [`crate::Error::Internal`] when
//! stored data cannot be read back; "already exists" and "not found" are ordinary results.

use async_trait::async_trait;

use crate::console::{ConsoleSessionRecord, ConsoleSignIn};
use crate::events::{Audit, Event, EventType, RevokeCause};
use crate::model::{ApiKeyRecord, Device, EnvKeyRecord, Product, SessionRecord};
use crate::session_type::{SessionLimit, SessionTypeRecord};
use crate::webhooks::{Attempt, DueDelivery, Finished, WebhookRecord};
use crate::{Result, Timestamp};

/// What a store read hands each row to, as it reads them.
pub type Each<'a, T> = &'a mut (dyn FnMut(T) + Send);

/// A session that a revocation ended, with the time its last token expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revoked {
    /// The session id.
    pub session_id: String,
    /// Its product (the revocation feed is per product and env).
    pub product: String,
    /// Its env.
    pub env: String,
    /// When its last token expires; the revocation set may forget it then.
    pub forget_after: Timestamp,
}

/// Why and by whom a session is revoked, and, for a reused refresh token, who presented it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokeContext {
    /// Who revokes, and when.
    pub audit: Audit,
    /// Why.
    pub cause: RevokeCause,
    /// The device that presented an old refresh token (`refresh_token.reused`).
    pub presenter: Option<Device>,
}

/// Which events the audit query answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only this product's; `None`: every product's and the deployment's own (admin keys).
    pub product: Option<String>,
    /// Only this env's.
    pub env: Option<String>,
    /// Only these types (empty: all).
    pub types: Vec<EventType>,
    /// Only events about this identifier's sessions.
    pub identifier: Option<String>,
    /// Only events about this session.
    pub session_id: Option<String>,
    /// Only events older than this id (the cursor).
    pub before: Option<String>,
}

/// One page of events, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPage {
    /// At most `limit` events.
    pub events: Vec<Event>,
    /// Whether older ones exist.
    pub has_more: bool,
}

/// A session whose data changed: its tokens of an older data version are superseded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Superseded {
    /// The session id.
    pub session_id: String,
    /// Its product (the revocation feed is per product and env).
    pub product: String,
    /// Its env.
    pub env: String,
    /// The current data version; tokens carrying an older one are refused.
    pub version: i64,
    /// When the data version moved to `version` (for verifiers that only read `iat`).
    pub at: Timestamp,
    /// When the last token of an older version expires; the set may forget it then.
    pub forget_after: Timestamp,
}

/// A change of a live session's data or authentication (update, update-all, reauthenticate),
/// applied only if the session is still active and its data version is still `expected_version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUpdate {
    /// The session.
    pub session_id: String,
    /// The data version the change was computed from.
    pub expected_version: i64,
    /// The new data (compact JWE).
    pub data_jwe: String,
    /// The new data version: `expected_version + 1` supersedes older tokens; equal keeps them.
    pub version: i64,
    /// The new `auth_time`.
    pub auth_time: Timestamp,
    /// The new authentication methods.
    pub amr: Option<Vec<String>>,
    /// `iat` and `exp` of a token issued with the change, if one was.
    pub token: Option<(Timestamp, Timestamp)>,
    /// When the change happened (also the new `last_active_at`).
    pub at: Timestamp,
}

/// What a [`SessionUpdate`] that applied did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Updated {
    /// The session.
    pub session_id: String,
    /// Set when the data version moved: what the superseded set must hold.
    pub superseded: Option<Superseded>,
}

/// What a start of a type with a session limit did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitedStart {
    /// The session was stored; these sessions were revoked to make room (`revoke_oldest`).
    Started(Vec<Revoked>),
    /// Nothing was stored: the identifier has this many active sessions (`refuse`).
    LimitReached(u64),
}

/// The update a refresh rotation applies to a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// Hash of the new refresh token (becomes current; the old one becomes previous).
    pub new_hash: String,
    /// `iat` of the new token.
    pub token_issued_at: Timestamp,
    /// `exp` of the new token.
    pub token_expires_at: Timestamp,
    /// When the rotation happened (also the new `last_active_at`).
    pub rotated_at: Timestamp,
    /// The new pair, sealed, replayed to the previous token within the grace.
    pub grace_answer: Vec<u8>,
    /// The data version the new token carries: the rotation applies only if it is still the
    /// session's, so a refresh racing an update never issues a token of the old data.
    pub data_version: i64,
}

/// Activity seen on a session, recorded off the request path (at most once a minute each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    /// The session.
    pub session_id: String,
    /// When it was seen (the new `last_active_at`, unless a later one is stored).
    pub at: Timestamp,
    /// The device it was seen from (browser requests), replacing the stored one; `None` keeps it.
    pub device: Option<Device>,
}

/// Which sessions a list or revoke-all concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifierFilter {
    /// Product.
    pub product: String,
    /// Env.
    pub env: String,
    /// Session type tag.
    pub tag: String,
    /// The user's identifier.
    pub identifier: String,
    /// Sessions last active at or before this have gone idle and count as ended (the type's
    /// idle timeout before now); `None` without a timeout.
    pub idle_cutoff: Option<Timestamp>,
}

/// One page of active sessions, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPage {
    /// At most `limit` sessions, newest first.
    pub sessions: Vec<SessionRecord>,
    /// All active sessions of the identifier (not only this page).
    pub count: u64,
    /// Whether sessions older than the last one of this page exist.
    pub has_more: bool,
}

/// What deleting a session type did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteTypeOutcome {
    /// No such session type.
    NotFound,
    /// Not deleted: it has this many active sessions and `force` was false.
    HasActiveSessions(u64),
    /// Deleted; these sessions were active and are now revoked.
    Deleted(Vec<Revoked>),
}

/// A committed change that other nodes must apply to what they hold in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A session was revoked (by revoke, revoke-all, reuse detection or type deletion).
    Revoked(Revoked),
    /// A session's data changed: its older tokens are superseded.
    Superseded(Superseded),
    /// An API key was deleted: it must stop authenticating.
    ApiKeyDeleted {
        /// The key's id.
        id: String,
    },
    /// A product's settings changed.
    ProductChanged {
        /// The product's tag.
        tag: String,
    },
    /// A session type was updated or deleted.
    SessionTypeChanged {
        /// Its product.
        product: String,
        /// Its tag.
        tag: String,
    },
    /// Env keys were added or retired (a product created, a signing key rotated).
    EnvKeysChanged,
    /// The feed is connected again after a failure; changes committed meanwhile may have been
    /// missed: reload everything held in memory and catch up on revocations.
    Gap,
}

/// A subscription to [`Change`]s, in commit order.
#[async_trait]
pub trait ChangeFeed: Send {
    /// Waits for the next change. After an error the next call reconnects and answers
    /// [`Change::Gap`] once connected (or fails again while the database is unreachable).
    async fn next(&mut self) -> Result<Change>;
}

/// How a store's connection pool is used at one moment (for `/metrics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections open.
    pub open: u32,
    /// Open connections not lent out.
    pub idle: u32,
    /// Most connections the pool opens.
    pub max: u32,
}

/// Persistent state of a hallpass deployment.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<()>;
    /// How the connection pool is used now.
    fn pool_usage(&self) -> PoolUsage;

    /// Inserts a product and its envs' first keys. Returns false (and writes nothing) if a
    /// product with this tag exists.
    async fn insert_product(&self, product: &Product, keys: &[EnvKeyRecord]) -> Result<bool>;
    /// The product with this tag.
    async fn product(&self, tag: &str) -> Result<Option<Product>>;
    /// Every product, by tag.
    async fn products(&self) -> Result<Vec<Product>>;
    /// Replaces name, allowed origins and `updated_at` of the product if its stored
    /// `updated_at` is still `previous` (compare-and-set, so two concurrent read-merge-writes
    /// never lose one another's change); false if absent or changed since.
    async fn update_product(&self, product: &Product, previous: Timestamp) -> Result<bool>;

    /// Inserts an API key and records `api_key.created` (ids and hashes are unique; a
    /// duplicate is an internal error).
    async fn insert_api_key(&self, key: &ApiKeyRecord, audit: &Audit) -> Result<()>;
    /// The key whose secret hashes to `hash`.
    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>>;
    /// Keys of one product, or every key when `product` is `None`, oldest first.
    async fn api_keys(&self, product: Option<&str>) -> Result<Vec<ApiKeyRecord>>;
    /// Deletes a key and records `api_key.deleted`; false (nothing written) if it did not
    /// exist.
    async fn delete_api_key(&self, id: &str, audit: &Audit) -> Result<bool>;
    /// Inserts `key` (an admin key), with its `api_key.created`, only if no admin key exists
    /// yet; true if inserted. Atomic across nodes, so nodes starting together on an empty
    /// database bootstrap one key.
    async fn insert_first_admin_key(&self, key: &ApiKeyRecord, audit: &Audit) -> Result<bool>;

    /// Inserts a console sign-in (its token hash is unique; a duplicate is an internal
    /// error, and a key that does not exist is one too).
    async fn insert_console_session(&self, session: &ConsoleSessionRecord) -> Result<()>;
    /// The console sign-in whose token hashes to `token_hash`, with its key; `None` when it
    /// is unknown, signed out, or its key has been deleted (which ends it).
    async fn console_session(&self, token_hash: &str) -> Result<Option<ConsoleSignIn>>;
    /// Moves the sign-in's `last_seen_at` forward to `at` (never back).
    async fn touch_console_session(&self, token_hash: &str, at: Timestamp) -> Result<()>;
    /// Ends a console sign-in; false if there was none.
    async fn delete_console_session(&self, token_hash: &str) -> Result<bool>;
    /// Deletes every sign-in last seen before `idle_before` or begun before `begun_before`;
    /// returns how many.
    async fn sweep_console_sessions(
        &self,
        idle_before: Timestamp,
        begun_before: Timestamp,
    ) -> Result<u64>;

    /// Every env key of every product.
    async fn env_keys(&self) -> Result<Vec<EnvKeyRecord>>;
    /// Retires the env's current signing keys (setting `retired_at` to the audit's time, and
    /// `verify_until`) and inserts `new`, which signs from now on; records
    /// `signing_key.rotated`.
    async fn rotate_signing_key(
        &self,
        new: &EnvKeyRecord,
        verify_until: Timestamp,
        audit: &Audit,
    ) -> Result<()>;
    /// The latest `token_expires_at` of any session of the env (what a retired key must cover).
    async fn max_token_expiry(&self, product: &str, env: &str) -> Result<Option<Timestamp>>;

    /// Inserts a session type; `None` (nothing written) if the tag exists in the product. In
    /// the same transaction it revokes, at the record's `created_at`, any session of the tag
    /// still active (left by a start that raced the deletion of an earlier type of that tag),
    /// and returns them: a reused tag never revives old sessions. Records
    /// `session_type.created` (and `session.revoked`, cause `type_deleted`, for those).
    async fn insert_session_type(
        &self,
        record: &SessionTypeRecord,
        audit: &Audit,
    ) -> Result<Option<Vec<Revoked>>>;
    /// The session type with this tag in the product.
    async fn session_type(&self, product: &str, tag: &str) -> Result<Option<SessionTypeRecord>>;
    /// Every session type of the product, by tag.
    async fn session_types(&self, product: &str) -> Result<Vec<SessionTypeRecord>>;
    /// Replaces configuration and `updated_at` if the stored `updated_at` is still `previous`
    /// (compare-and-set, as [`Store::update_product`]); false if absent or changed since.
    /// Records `session_type.updated` when it applies.
    async fn update_session_type(
        &self,
        record: &SessionTypeRecord,
        previous: Timestamp,
        audit: &Audit,
    ) -> Result<bool>;
    /// Deletes a session type. With active sessions (at the audit's time), refuses unless
    /// `force`, which revokes them in the same transaction. Revoked sessions stay revoked if
    /// the tag is reused. Records `session_type.deleted` and a `session.revoked` (cause
    /// `type_deleted`) for each session it revoked.
    async fn delete_session_type(
        &self,
        product: &str,
        tag: &str,
        force: bool,
        audit: &Audit,
    ) -> Result<DeleteTypeOutcome>;

    /// Inserts a new session and registers its refresh token hash; records `session.started`.
    async fn insert_session(&self, session: &SessionRecord, audit: &Audit) -> Result<()>;
    /// Inserts a new session of a type with a session limit, counting the identifier's active
    /// sessions (as `filter` defines them) in the same transaction, serialised with every other
    /// limited start of that identifier on any node: at the limit it revokes, at `now`, the
    /// least recently active ones to make room, or stores nothing (`refuse`). The session must
    /// have an identifier. Records `session.started` and `session.revoked` (cause
    /// `session_limit`) for each session revoked.
    async fn insert_session_limited(
        &self,
        session: &SessionRecord,
        filter: &IdentifierFilter,
        limit: SessionLimit,
        audit: &Audit,
    ) -> Result<LimitedStart>;
    /// Applies each update whose session is active at its `at` and still at its
    /// `expected_version`, in one transaction; returns those applied. Each applied update
    /// moves `last_active_at` forward, the stored token expiry never back, and, when the
    /// version moves, records when (for [`Store::supersessions_since`]) and until when older
    /// tokens live. Records `session.updated` (the version moved) or `session.reauthenticated`
    /// for each.
    async fn update_sessions(
        &self,
        updates: &[SessionUpdate],
        audit: &Audit,
    ) -> Result<Vec<Updated>>;
    /// The session with this id.
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>>;
    /// The session that any refresh token (current or older) with this hash was issued to.
    async fn session_by_refresh_hash(&self, hash: &str) -> Result<Option<SessionRecord>>;
    /// Applies a rotation to `session` (as read) only if its current refresh hash is still
    /// `expected_hash` and it is not revoked; true if applied. This is what keeps two
    /// concurrent refreshes from rotating twice. Records `session.refreshed` when it applies.
    async fn rotate_refresh(
        &self,
        session: &SessionRecord,
        expected_hash: &str,
        rotation: &Rotation,
        audit: &Audit,
    ) -> Result<bool>;
    /// Records activity: each session's `last_active_at` moves forward (never back) and its
    /// device is replaced where one is given. Unknown sessions are skipped.
    async fn record_activity(&self, activity: &[Activity]) -> Result<()>;
    /// Revokes a session that is active at the context's time; `None` if it was already
    /// revoked or over. Records `session.revoked` with the context's cause, and for a reused
    /// refresh token `refresh_token.reused` with the presenter's device.
    async fn revoke_session(&self, id: &str, context: &RevokeContext) -> Result<Option<Revoked>>;
    /// Revokes the identifier's active sessions except `exclude`; returns what it revoked.
    /// Records `session.revoked` (cause `revoke_all`) for each.
    async fn revoke_all(
        &self,
        filter: &IdentifierFilter,
        exclude: Option<&str>,
        audit: &Audit,
    ) -> Result<Vec<Revoked>>;
    /// Active sessions of the identifier, newest first, with ids below `before` if given.
    async fn list_sessions(
        &self,
        filter: &IdentifierFilter,
        before: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<SessionPage>;
    /// Hands `each` every revoked session whose last token has not expired at `now` (to load
    /// the revocation set), as it is read, in no particular order; answers how many.
    ///
    /// These four reads hand rows over one at a time rather than return them all: a node
    /// loading, or catching up after, a revocation of a million sessions would otherwise hold
    /// every row twice (the list, then the set), and the catch-up reads its last 15 s again
    /// every 500 ms.
    async fn live_revocations(&self, now: Timestamp, each: Each<'_, Revoked>) -> Result<u64>;
    /// Hands `each` every session revoked at or after `since` whose last token has not expired
    /// at `now`: the catch-up query that lets a node which missed change notifications
    /// converge. Answers how many.
    async fn revocations_since(
        &self,
        since: Timestamp,
        now: Timestamp,
        each: Each<'_, Revoked>,
    ) -> Result<u64>;
    /// Hands `each` every session whose data changed and whose older tokens have not all
    /// expired at `now` (to load the superseded set); answers how many.
    async fn live_supersessions(&self, now: Timestamp, each: Each<'_, Superseded>) -> Result<u64>;
    /// Hands `each` every session whose data changed at or after `since`, with older tokens
    /// alive at `now`: the catch-up of supersessions, as [`Store::revocations_since`] is of
    /// revocations. Answers how many.
    async fn supersessions_since(
        &self,
        since: Timestamp,
        now: Timestamp,
        each: Each<'_, Superseded>,
    ) -> Result<u64>;
    /// Subscribes to the changes every node writes, as they commit; `None` when the backend
    /// has no way to push them (SQLite serves one node, which sees its own changes).
    async fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>>;
    /// Deletes up to `batch` sessions whose refresh lifetime ended before `cutoff`, with their
    /// refresh token history; returns how many were deleted.
    async fn sweep_expired(&self, cutoff: Timestamp, batch: u32) -> Result<u64>;
    /// Up to `limit` events the filter selects, newest first.
    async fn events(&self, filter: &EventFilter, limit: u32) -> Result<EventPage>;
    /// Deletes up to `batch` events recorded before `cutoff`, and up to `batch` webhook
    /// attempts logged before it; returns how many events.
    async fn sweep_events(&self, cutoff: Timestamp, batch: u32) -> Result<u64>;

    /// Inserts a webhook endpoint.
    async fn insert_webhook(&self, webhook: &WebhookRecord) -> Result<()>;
    /// The endpoint with this id.
    async fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>>;
    /// A product's endpoints, oldest first.
    async fn webhooks(&self, product: &str) -> Result<Vec<WebhookRecord>>;
    /// Replaces url, events, description, enabled and `updated_at` if the stored `updated_at`
    /// is still `previous` (enabling forgets the failing streak); false if absent or changed.
    async fn update_webhook(&self, webhook: &WebhookRecord, previous: Timestamp) -> Result<bool>;
    /// Deletes an endpoint with its pending deliveries and its attempts; false if absent.
    async fn delete_webhook(&self, id: &str) -> Result<bool>;
    /// Writes the deliveries of up to `batch` events not yet dispatched (to every enabled
    /// endpoint, created by the event's time, that takes it) and marks them dispatched, in one
    /// transaction; several nodes dispatch different events. Returns how many it dispatched.
    async fn dispatch_events(&self, batch: u32) -> Result<u64>;
    /// Claims up to `limit` deliveries due at `now` (of enabled endpoints, not under another
    /// lease) until `lease_until`, so that each attempt is made by one node.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>>;
    /// Records claimed deliveries' attempts and their outcomes, all in one transaction (a node
    /// records together what its attempts in flight learnt meanwhile, so that the writes per
    /// delivery do not bound the delivery rate), each ending or starting its endpoint's failing
    /// streak; an endpoint failing every attempt since before the attempt's
    /// `disable_if_failing_before` is disabled, with its `webhook.disabled` event. Answers, in
    /// order, whether each attempt disabled its endpoint.
    async fn finish_deliveries(&self, finished: &[Finished]) -> Result<Vec<bool>>;
    /// Logs an attempt that belongs to no delivery (a test).
    async fn record_attempt(&self, attempt: &Attempt) -> Result<()>;
    /// An endpoint's latest `limit` attempts, newest first.
    async fn attempts(&self, webhook_id: &str, limit: u32) -> Result<Vec<Attempt>>;
}
