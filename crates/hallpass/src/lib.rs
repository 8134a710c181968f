//! hallpass in-process: the session service that the HTTP server wraps.
//!
//! [`Hallpass`] holds a [`hallpass_core::store::Store`], the master key, a [`Clock`] and the
//! in-memory state that keeps verify off the database: the parsed keyring, the revocation set,
//! and read-through caches of session types, products and API keys.

mod admin;
mod auth;
mod caches;
mod clock;
mod rate_limit;
mod service;
mod session_types;
mod sessions;

pub use admin::{NewKey, NewProduct, ProductPatch};
pub use clock::{Clock, ManualClock, SystemClock};
pub use service::{Hallpass, Settings};
pub use sessions::{Issued, SessionList, StartInput, Verified};

pub use hallpass_core as core;
