//! hallpass in-process: the session service that the HTTP server wraps.
//!
//! [`Hallpass`] holds a [`hallpass_core::store::Store`], the master key, a [`Clock`] and the
//! in-memory state that keeps verify off the database: the parsed keyring, the revocation set,
//! and read-through caches of session types, products and API keys. Inside, it is a few parts
//! with their own state (keys, catalog, revocations, access, verification, sessions, admin,
//! browser sessions, node sync); `Hallpass` hands each call to its part.
//!
//! In-process use, on the embedded SQLite store:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), hallpass::core::Error> {
//! use std::sync::Arc;
//!
//! use hallpass::core::model::{KeyKind, Principal, Scope};
//! use hallpass::core::secrets::MasterKey;
//! use hallpass::core::session_type::SessionTypeInput;
//! use hallpass::{Actor, Hallpass, NewProduct, Settings, StartInput, SystemClock};
//!
//! let store = hallpass_store::open("sqlite::memory:").await?;
//! let master = MasterKey::from_base64(&MasterKey::generate_base64())?;
//! let hp = Hallpass::open(store, master, Arc::new(SystemClock), Settings::default()).await?;
//!
//! // Set up once: a product and a session type (as an admin would over HTTP).
//! let admin = Principal { key_id: "setup".into(), kind: KeyKind::Admin, product: None, env: None };
//! hp.create_product(&admin, NewProduct { tag: "shop".into(), name: "Shop".into(), ..Default::default() }).await?;
//! let user_session = SessionTypeInput {
//!     name: Some("User".into()),
//!     selector: Some(Some("$Session{userId}".into())),
//!     expiry: Some(1),
//!     period: Some("hours".into()),
//!     ..Default::default()
//! };
//! hp.create_session_type(&admin, Some("shop"), "user-session", user_session).await?;
//!
//! // At login: start. On every request: verify. At logout: revoke.
//! let scope = Scope { product: "shop".into(), env: "prd".into() };
//! let data = serde_json::json!({"userId": "user-123", "role": "admin"});
//! let started = hp.start(&scope, &Actor::system(), StartInput { tag: "user-session".into(), data, ..Default::default() }).await?;
//! let verified = hp.verify(&scope, "user-session", &started.token).await?;
//! assert_eq!(verified.identifier.as_deref(), Some("user-123"));
//! assert!(hp.revoke(&scope, &Actor::system(), "user-session", &verified.session_id).await?);
//! assert!(hp.verify(&scope, "user-session", &started.token).await.is_err());
//! # Ok(()) }
//! ```
//!
//! A long-running process calls [`Hallpass::spawn_background`] once and keeps the returned
//! [`Background`]: it sweeps ended sessions and, when several processes share one PostgreSQL
//! database, applies what the others change (revocations, deleted keys, rotated keys, type and
//! product updates). Without it, a node never learns of the others' revocations. At shutdown,
//! after the last request, `background.stop(within).await` writes the session activity noted
//! since the last write (dropping it loses up to 5 s of activity). Write
//! operations should run to completion (spawn them rather than drop them half-way), as the
//! HTTP server does.

mod access;
mod activity;
mod admin;
mod background;
mod browser;
mod caches;
mod catalog;
mod changes;
mod clock;
mod console;
mod counters;
mod facade;
mod feed;
mod keys;
mod rate_limit;
mod revocations;
mod service;
mod sessions;
mod sync;
mod updates;
mod verification;
mod verify_cache;
mod webhooks;

pub use admin::{EventList, EventQuery, NewKey, NewProduct, ProductPatch};
pub use background::{ACTIVITY_FLUSH_EVERY, Background, SWEEP_EVERY};
pub use browser::{ACTIVITY_BATCH, BrowserSession, BrowserType, OwnSessions};
pub use changes::Changed;
pub use clock::{Clock, ManualClock, SystemClock};
pub use console::{ConsoleCaller, ConsoleGrant};
pub use feed::{DEFAULT_FEED_BUFFER, FeedSnapshot, FeedStart, FeedSubscription};
pub use hallpass_core::events::Actor;
pub use revocations::CATCH_UP_EVERY;
pub use service::{DEFAULT_EVENT_RETENTION, Hallpass, Settings};
pub use sessions::{Issued, SessionList, StartInput};
pub use verification::{Verified, VerifyOptions};
pub use webhooks::{NewWebhook, WebhookInput, WebhookPatch};

pub use hallpass_core as core;
