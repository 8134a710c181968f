//! The public Rust API of the service: each method hands its call to the part that owns it
//! (see `service.rs` for the parts). Nothing is decided here.

use std::net::IpAddr;
use std::sync::Arc;

#[cfg(doc)]
use hallpass_core::Error;
use hallpass_core::Result;
use hallpass_core::events::{Actor, RevokeCause};
use hallpass_core::keys::Alg;
use hallpass_core::model::{ApiKeyRecord, Device, Principal, Product, Scope};
use hallpass_core::session_type::{SessionType, SessionTypeInput, SessionTypeRecord};
use hallpass_core::store::Change;
use hallpass_core::webhooks::{Attempt, WebhookRecord};

use crate::access::Access;
use crate::browser::{BrowserSession, BrowserType, OwnSessions};
use crate::changes::Changed;
use crate::console::{ConsoleCaller, ConsoleGrant};
use crate::feed::FeedSubscription;
use crate::sessions::{Issued, SessionList, StartInput};
use crate::verification::{Verified, VerifyOptions};
use crate::webhooks::{NewWebhook, WebhookInput, WebhookPatch};
use crate::{EventList, EventQuery, Hallpass, NewKey, NewProduct, ProductPatch};

impl Hallpass {
    // Who is calling.

    /// Establishes the caller from the `Authorization: Bearer` key. Failures from one address
    /// are rate limited.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for a missing or unknown key; [`Error::RateLimited`] after too
    /// many failures from `client`.
    pub async fn authenticate(
        &self,
        key: Option<&str>,
        client: Option<IpAddr>,
    ) -> Result<Principal> {
        self.access.authenticate(key, client).await
    }

    /// The issuer URL of the deployment (`iss` of its tokens): where it says it is served.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// Signs in to the console with an admin or access key (docs/API.md §16); failures count
    /// toward the failed-authentication limit of `client`.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for a missing or unknown key; [`Error::PublishableKeyForbidden`]
    /// for a publishable one; [`Error::RateLimited`] after too many failures from `client`.
    pub async fn console_sign_in(
        &self,
        key: Option<&str>,
        client: Option<IpAddr>,
    ) -> Result<ConsoleGrant> {
        self.console.sign_in(key, client).await
    }

    /// The caller a console token acts as, noting its use.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the sign-in has ended or never was; [`Error::RateLimited`]
    /// after too many failures from `client`.
    pub async fn console_caller(
        &self,
        token: &str,
        client: Option<IpAddr>,
    ) -> Result<ConsoleCaller> {
        self.console.caller(token, client).await
    }

    /// Ends the console sign-in of `token`, if there is one, on every node.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`].
    pub async fn console_sign_out(&self, token: &str) -> Result<()> {
        self.console.sign_out(token).await
    }

    /// The product with this tag, from the cache or the store.
    ///
    /// # Errors
    /// [`Error::ProductNotFound`].
    pub async fn product(&self, tag: &str) -> Result<Arc<Product>> {
        self.catalog.product(tag).await
    }

    /// The product a call concerns: the key's own, or the named one for an admin key.
    ///
    /// # Errors
    /// [`Error::PublishableKeyForbidden`], [`Error::ScopeForbidden`], [`Error::InvalidRequest`]
    /// (admin key without product), [`Error::ProductNotFound`].
    pub async fn resolve_product(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Arc<Product>> {
        self.access.resolve_product(who, product).await
    }

    /// The (product, env) a session call concerns, from the key's scope and the request.
    ///
    /// # Errors
    /// As [`Hallpass::resolve_product`], plus [`Error::InvalidRequest`] when the env is not
    /// named for a key of all envs or the product has no such env, and
    /// [`Error::ScopeForbidden`] for another env than the key's.
    pub async fn resolve_scope(
        &self,
        who: &Principal,
        product: Option<&str>,
        env: Option<&str>,
    ) -> Result<Scope> {
        self.access.resolve_scope(who, product, env).await
    }

    /// The product whose shared configuration (its session types) a call changes: as
    /// [`Hallpass::resolve_product`], but an env-scoped key is refused. Session types are used
    /// by every env of the product, so a key of one env changing them would change the others.
    ///
    /// # Errors
    /// [`Error::ScopeForbidden`] for an env-scoped key, and those of
    /// [`Hallpass::resolve_product`].
    pub async fn resolve_product_wide(
        &self,
        who: &Principal,
        product: Option<&str>,
        what: &str,
    ) -> Result<Arc<Product>> {
        self.access.resolve_product_wide(who, product, what).await
    }

    /// Fails unless the caller holds an admin key.
    ///
    /// # Errors
    /// [`Error::ScopeForbidden`] (or [`Error::PublishableKeyForbidden`]).
    pub fn require_admin(who: &Principal, what: &str) -> Result<()> {
        Access::require_admin(who, what)
    }

    // Administration.

    /// Creates the admin key when the database has none: `provided` if given, else a random
    /// one. Returns the key to print once, or `None` when an admin key already existed.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `provided` is not `hp_admin_` + at least 32 URL-safe
    /// characters; [`Error::StoreUnavailable`].
    pub async fn bootstrap_admin(&self, provided: Option<&str>) -> Result<Option<String>> {
        self.admin.bootstrap_admin(provided).await
    }

    /// Creates a product with its envs, each with a fresh EdDSA signing key and data key.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], [`Error::Conflict`] when the tag exists, [`Error::ScopeForbidden`]
    /// for non-admin keys.
    pub async fn create_product(&self, who: &Principal, input: NewProduct) -> Result<Product> {
        self.admin.create_product(who, input).await
    }

    /// Updates a product's name and allowed origins.
    ///
    /// # Errors
    /// [`Error::ProductNotFound`], [`Error::InvalidRequest`], [`Error::ScopeForbidden`].
    pub async fn update_product(
        &self,
        who: &Principal,
        tag: &str,
        patch: ProductPatch,
    ) -> Result<Product> {
        self.admin.update_product(who, tag, patch).await
    }

    /// Every product (admin keys), or the caller's own product.
    ///
    /// # Errors
    /// [`Error::PublishableKeyForbidden`], [`Error::StoreUnavailable`].
    pub async fn list_products(&self, who: &Principal) -> Result<Vec<Product>> {
        self.admin.list_products(who).await
    }

    /// Creates an access or publishable key. Admin keys create keys for any product; an access
    /// key creates keys for its own product (and its own env if it has one).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], [`Error::ScopeForbidden`], [`Error::ProductNotFound`].
    pub async fn create_key(
        &self,
        who: &Principal,
        kind: &str,
        product: Option<&str>,
        env: Option<&str>,
        name: &str,
    ) -> Result<NewKey> {
        self.admin.create_key(who, kind, product, env, name).await
    }

    /// Keys visible to the caller, without secrets: every key for an admin key; the product's
    /// keys for a product-wide access key; only the keys of its own env for an env-scoped one
    /// (not the product-wide keys, which reach the other envs too).
    ///
    /// # Errors
    /// [`Error::PublishableKeyForbidden`], [`Error::StoreUnavailable`].
    pub async fn list_keys(&self, who: &Principal) -> Result<Vec<ApiKeyRecord>> {
        self.admin.list_keys(who).await
    }

    /// Deletes a key the caller can see ([`Hallpass::list_keys`]); it stops working at once.
    ///
    /// # Errors
    /// [`Error::KeyNotFound`] (also for keys the caller cannot see: of other products, other
    /// envs, or product-wide ones for an env-scoped key), [`Error::PublishableKeyForbidden`].
    pub async fn delete_key(&self, who: &Principal, id: &str) -> Result<()> {
        self.admin.delete_key(who, id).await
    }

    /// Rotates an env's signing key: a new key (of `alg`, default EdDSA) signs from now on;
    /// the old ones keep verifying until every token they signed has expired.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an unknown alg or env, [`Error::ScopeForbidden`],
    /// [`Error::ProductNotFound`].
    pub async fn rotate_signing_key(
        &self,
        who: &Principal,
        product: &str,
        env: &str,
        alg: Option<&str>,
    ) -> Result<(String, Alg)> {
        self.admin.rotate_signing_key(who, product, env, alg).await
    }

    /// Recorded events the caller may read, newest first, a page at a time: any product's (and
    /// the deployment's own) for an admin key, its product's for an access key, only its env's
    /// for an env-scoped one.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] (limit, cursor, identifier, an env without product for an
    /// admin key), [`Error::ScopeForbidden`], [`Error::PublishableKeyForbidden`],
    /// [`Error::ProductNotFound`].
    pub async fn events(&self, who: &Principal, query: EventQuery) -> Result<EventList> {
        self.admin.events(who, query).await
    }

    // Webhooks (docs/API.md §14.3).

    /// Creates a webhook endpoint; its secret is in the answer only.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] (url, events, description, too many endpoints),
    /// [`Error::ScopeForbidden`] (env-scoped keys), [`Error::ProductNotFound`].
    pub async fn create_webhook(&self, who: &Principal, input: WebhookInput) -> Result<NewWebhook> {
        self.webhooks.create(who, input).await
    }

    /// The endpoints of the caller's product, without secrets.
    ///
    /// # Errors
    /// As [`Hallpass::resolve_product_wide`].
    pub async fn list_webhooks(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Vec<WebhookRecord>> {
        self.webhooks.list(who, product).await
    }

    /// One endpoint the caller may manage.
    ///
    /// # Errors
    /// [`Error::WebhookNotFound`] (also another product's), [`Error::ScopeForbidden`].
    pub async fn get_webhook(&self, who: &Principal, id: &str) -> Result<WebhookRecord> {
        self.webhooks.get(who, id).await
    }

    /// Changes an endpoint's url, events, description or enabled.
    ///
    /// # Errors
    /// As [`Hallpass::get_webhook`] and [`Hallpass::create_webhook`].
    pub async fn update_webhook(
        &self,
        who: &Principal,
        id: &str,
        patch: WebhookPatch,
    ) -> Result<WebhookRecord> {
        self.webhooks.update(who, id, patch).await
    }

    /// Deletes an endpoint with its pending deliveries and its log.
    ///
    /// # Errors
    /// As [`Hallpass::get_webhook`].
    pub async fn delete_webhook(&self, who: &Principal, id: &str) -> Result<()> {
        self.webhooks.delete(who, id).await
    }

    /// Sends a `webhook.test` event to the endpoint now and answers the attempt.
    ///
    /// # Errors
    /// As [`Hallpass::get_webhook`]; a failed delivery is an answer, not an error.
    pub async fn test_webhook(&self, who: &Principal, id: &str) -> Result<Attempt> {
        self.webhooks.test(who, id).await
    }

    /// The endpoint's latest attempts, newest first.
    ///
    /// # Errors
    /// As [`Hallpass::get_webhook`]; [`Error::InvalidRequest`] for a limit out of 1 to 1000.
    pub async fn webhook_attempts(
        &self,
        who: &Principal,
        id: &str,
        limit: Option<u32>,
    ) -> Result<Vec<Attempt>> {
        self.webhooks.attempts(who, id, limit).await
    }

    /// Runs one round of webhook delivery now (what the background loop does every 200 ms),
    /// for tests driving time by hand; answers how many attempts it started.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`].
    pub async fn deliver_webhooks(self: &Arc<Self>) -> Result<usize> {
        self.webhooks.deliver_once().await
    }

    /// The env's public JWKS: asymmetric signing keys whose tokens may still be valid.
    ///
    /// # Errors
    /// [`Error::ProductNotFound`], [`Error::InvalidRequest`] for an unknown env.
    pub async fn jwks(&self, product: &str, env: &str) -> Result<serde_json::Value> {
        self.admin.jwks(product, env).await
    }

    /// The product of a scope named in a URL (no key to resolve it from), once its env is
    /// known to exist.
    ///
    /// # Errors
    /// [`Error::ProductNotFound`], [`Error::InvalidRequest`] for an unknown env.
    pub async fn product_with_env(&self, scope: &Scope) -> Result<Arc<Product>> {
        self.catalog.product_with_env(scope).await
    }

    // Session types.

    /// The session type `tag` of `product`, from the cache or the store.
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`].
    pub async fn session_type(&self, product: &str, tag: &str) -> Result<Arc<SessionType>> {
        self.catalog.session_type(product, tag).await
    }

    /// Creates a session type in the caller's product (admin or product-wide access key).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], [`Error::Conflict`] when the tag exists, and the scope errors
    /// of [`Hallpass::resolve_product_wide`].
    pub async fn create_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        input: SessionTypeInput,
    ) -> Result<SessionTypeRecord> {
        self.admin
            .create_session_type(who, product, tag, input)
            .await
    }

    /// Merges the given fields into a session type (a compare-and-set: concurrent updates of
    /// other fields, on any node, are kept).
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`], [`Error::InvalidRequest`], scope errors.
    pub async fn update_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        input: SessionTypeInput,
    ) -> Result<SessionTypeRecord> {
        self.admin
            .update_session_type(who, product, tag, input)
            .await
    }

    /// One session type.
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`], scope errors.
    pub async fn get_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
    ) -> Result<SessionTypeRecord> {
        self.admin.get_session_type(who, product, tag).await
    }

    /// Every session type of the product.
    ///
    /// # Errors
    /// Scope errors, [`Error::StoreUnavailable`].
    pub async fn list_session_types(
        &self,
        who: &Principal,
        product: Option<&str>,
    ) -> Result<Vec<SessionTypeRecord>> {
        self.admin.list_session_types(who, product).await
    }

    /// Deletes a session type. With active sessions it refuses unless `force`, which revokes
    /// them (on every node, through the revocation set).
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`], [`Error::Conflict`] with active sessions, scope errors.
    pub async fn delete_session_type(
        &self,
        who: &Principal,
        product: Option<&str>,
        tag: &str,
        force: bool,
    ) -> Result<()> {
        self.admin
            .delete_session_type(who, product, tag, force)
            .await
    }

    // Sessions.

    /// Starts a session: checks the data against the type's schema, picks the identifier,
    /// stores the session and issues a token and a refresh token.
    ///
    /// # Errors
    /// [`Error::SessionTypeNotFound`], [`Error::InvalidRequest`], [`Error::SchemaViolation`],
    /// [`Error::SelectorUnresolved`], [`Error::StoreUnavailable`].
    pub async fn start(&self, scope: &Scope, actor: &Actor, input: StartInput) -> Result<Issued> {
        self.sessions.start(scope, actor, input).await
    }

    /// Verifies a token without touching the database: signature, expiry, tag, product/env,
    /// then the in-memory revocation and superseded sets; then decrypts the data. A token
    /// verified before is recognised by the verification cache instead of its signature, and
    /// still checked for its type, its expiry, revocation and supersession.
    ///
    /// # Errors
    /// `TokenMalformed`, `TokenSignatureInvalid`, `TokenExpired`, `TagMismatch`,
    /// `WrongEnvironment`, `SessionRevoked`, `TokenSuperseded`, and
    /// [`Error::SessionTypeNotFound`].
    pub async fn verify(&self, scope: &Scope, tag: &str, token: &str) -> Result<Verified> {
        self.verify_with(scope, tag, token, VerifyOptions::default())
            .await
    }

    /// [`Hallpass::verify`] with further checks, such as the age of the user's authentication.
    ///
    /// # Errors
    /// Those of [`Hallpass::verify`], and [`Error::ReauthenticationRequired`] when `auth_time`
    /// is older than `options.max_auth_age`.
    pub async fn verify_with(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        options: VerifyOptions,
    ) -> Result<Verified> {
        self.verification.verify(scope, tag, token, options).await
    }

    /// Changes a live session's data (`merge`: shallow, a `null` removes a key; otherwise
    /// replaced), checked against the type's schema; answers a fresh token. Every token of the
    /// session issued before is refused from then on, on every node within a second.
    ///
    /// # Errors
    /// [`Error::SessionNotFound`], [`Error::SessionRevoked`] for an ended session,
    /// [`Error::SchemaViolation`], [`Error::InvalidRequest`], [`Error::StoreUnavailable`].
    pub async fn update(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
        data: serde_json::Value,
        merge: bool,
    ) -> Result<Changed> {
        self.sessions
            .update(scope, actor, tag, session_id, data, merge)
            .await
    }

    /// Changes the data of every active session of an identifier; answers how many changed.
    ///
    /// # Errors
    /// [`Error::SchemaViolation`] (nothing changed), [`Error::InvalidRequest`],
    /// [`Error::SessionTypeNotFound`], [`Error::StoreUnavailable`].
    pub async fn update_all(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        identifier: &str,
        data: serde_json::Value,
        merge: bool,
    ) -> Result<u64> {
        self.sessions
            .update_all(scope, actor, tag, identifier, data, merge)
            .await
    }

    /// Records that the backend checked the user again: `auth_time` becomes now (and `amr`, if
    /// given, replaces the methods); answers a fresh token. Earlier tokens stay valid.
    ///
    /// # Errors
    /// As [`Hallpass::update`], but never a schema violation.
    pub async fn reauthenticate(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
        amr: Option<Vec<String>>,
    ) -> Result<Changed> {
        self.sessions
            .reauthenticate(scope, actor, tag, session_id, amr)
            .await
    }

    /// Refreshes a session: rotates the refresh token and issues a new token. The token
    /// rotated out last answers the same new pair within the type's grace; any older token
    /// revokes the session (theft).
    ///
    /// # Errors
    /// `RefreshTokenInvalid`, `RefreshTokenExpired`, `RefreshTokenReused`, `SessionRevoked`,
    /// `SessionIdleExpired`, [`Error::SessionTypeNotFound`], [`Error::StoreUnavailable`].
    pub async fn refresh(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        refresh_token: &str,
        presenter: Option<&Device>,
    ) -> Result<Issued> {
        self.sessions
            .refresh(scope, actor, tag, refresh_token, presenter)
            .await
    }

    /// Revokes one session. Returns true if it was active, false if it had already ended.
    ///
    /// # Errors
    /// [`Error::SessionNotFound`] when no such session exists in this product, env and type.
    pub async fn revoke(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        session_id: &str,
    ) -> Result<bool> {
        self.sessions
            .revoke(scope, actor, tag, session_id, RevokeCause::Revoke)
            .await
    }

    /// Revokes every active session of an identifier, except `exclude`. Returns the count.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty identifier, [`Error::SessionTypeNotFound`].
    pub async fn revoke_all(
        &self,
        scope: &Scope,
        actor: &Actor,
        tag: &str,
        identifier: &str,
        exclude: Option<&str>,
    ) -> Result<u64> {
        self.sessions
            .revoke_all(scope, actor, tag, identifier, exclude)
            .await
    }

    /// Active sessions of an identifier, newest first, a page at a time.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for a bad limit or cursor, [`Error::SessionTypeNotFound`].
    pub async fn list(
        &self,
        scope: &Scope,
        tag: &str,
        identifier: &str,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<SessionList> {
        self.sessions
            .list(scope, tag, identifier, limit, cursor)
            .await
    }

    // Browser sessions.

    /// The session type of a browser endpoint named in its URL: the product, its env and the
    /// type must exist, and the type must have a cookie.
    ///
    /// # Errors
    /// [`Error::ProductNotFound`], [`Error::InvalidRequest`] for an unknown env,
    /// [`Error::SessionTypeNotFound`], [`Error::NoBrowserSessions`].
    pub async fn browser_type(&self, scope: &Scope, tag: &str) -> Result<BrowserType> {
        self.browser.browser_type(scope, tag).await
    }

    /// The session of a browser's token cookie. When the token is older than the type's
    /// `updateAge`, the session is refreshed on the spot (a rotation, as `refresh`), so both
    /// cookies can be sent anew; at most once a minute per session on this node, and not at
    /// all when a refresh of the same session got there first.
    ///
    /// # Errors
    /// Verify's errors, and [`Hallpass::browser_type`]'s.
    pub async fn browser_session(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<BrowserSession> {
        self.browser
            .browser_session(scope, tag, token, device)
            .await
    }

    /// The active sessions of the token's identifier, the caller's marked. A session without
    /// identifier sees only itself.
    ///
    /// # Errors
    /// Verify's errors; [`Error::NoBrowserSessions`].
    pub async fn own_sessions(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        device: Device,
    ) -> Result<OwnSessions> {
        self.browser.own_sessions(scope, tag, token, device).await
    }

    /// Revokes one of the caller's own sessions (same identifier; for a session without
    /// identifier, only itself). Returns whether it was active, and whether it was the caller's.
    ///
    /// # Errors
    /// Verify's errors; [`Error::SessionNotFound`] for a session of anyone else.
    pub async fn revoke_own(
        &self,
        scope: &Scope,
        tag: &str,
        token: &str,
        session_id: &str,
    ) -> Result<(bool, bool)> {
        self.browser.revoke_own(scope, tag, token, session_id).await
    }

    /// Ends the caller's session. Returns whether it was active; a token that no longer
    /// verifies ends nothing (the cookies are cleared all the same).
    ///
    /// # Errors
    /// [`Error::NoBrowserSessions`], store errors.
    pub async fn sign_out(&self, scope: &Scope, tag: &str, token: Option<&str>) -> Result<bool> {
        self.browser.sign_out(scope, tag, token).await
    }

    /// Notes a browser's refresh as activity from its device (the refresh itself is
    /// [`Hallpass::refresh`]).
    pub fn note_activity(&self, session_id: &str, device: Device) {
        self.browser.note_activity(session_id, device)
    }

    /// Writes the activity noted since the last call (the background task calls this), in
    /// batches of [`crate::ACTIVITY_BATCH`] so no write holds locks for long.
    ///
    /// # Errors
    /// [`Error::StoreUnavailable`]; the batches not written are dropped (activity is advisory).
    pub async fn flush_activity(&self) -> Result<usize> {
        self.browser.flush_activity().await
    }

    // Other nodes.

    /// Applies a change committed by any node (this one included; applying twice is harmless).
    ///
    /// # Errors
    /// [`hallpass_core::Error::StoreUnavailable`] when reloading what the change invalidated
    /// fails; the caches are already cleared then, so nothing stale is served.
    pub async fn apply_change(&self, change: Change) -> Result<()> {
        self.sync.apply(change).await
    }

    /// Subscribes to the revocation feed of a scope (resolve it with
    /// [`Hallpass::resolve_scope`]): a snapshot of this node's sets, or, when `last_event_id` is
    /// recent enough for this node's log, the events since shortly before it; then every change
    /// this node learns. Reads no database.
    pub fn revocation_feed(&self, scope: &Scope, last_event_id: Option<&str>) -> FeedSubscription {
        self.revocations.subscribe(scope, last_event_id)
    }

    /// Adds to the revocation set every session revoked (by any node) since shortly before the
    /// previous catch-up. Returns how many revocations the store reported.
    ///
    /// # Errors
    /// [`hallpass_core::Error::StoreUnavailable`]; the next catch-up then looks back further.
    pub async fn catch_up(&self) -> Result<usize> {
        self.revocations.catch_up(self.now()).await
    }
}
