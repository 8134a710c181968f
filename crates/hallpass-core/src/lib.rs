//! The hallpass domain core.
//!
//! Everything that decides what a session is and whether a token is good lives here: session
//! types and their schema and selector rules, token issue and verification, refresh rotation,
//! the revocation set, the storage interface the domain needs, and the error vocabulary.
//!
//! The core does no I/O and never reads the clock: functions that depend on time take a
//! [`Timestamp`] `now`. Storage is reached only through the [`store::Store`] trait, which the
//! core defines and other crates implement.

pub mod console;
pub mod error;
pub mod events;
pub mod feed;
pub mod ids;
pub mod jwe;
pub mod keys;
pub mod lifecycle;
pub mod model;
pub mod period;
pub mod refresh;
pub mod revocation;
pub mod schema;
pub mod secrets;
pub mod selector;
pub mod session_type;
pub mod store;
pub mod time;
pub mod token;
pub mod webhooks;

pub use error::{Error, Result};
pub use time::Timestamp;
