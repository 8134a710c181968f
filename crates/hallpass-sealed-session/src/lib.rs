//! Sealed cookie sessions that h3, vinxi and Nuxt apps read and write (SPEC section 5): an
//! axum layer and extractor with the semantics of h3's `useSession`.
//!
//! The session is `{"id", "createdAt", "data"}` sealed in the iron "Fe26.2" format
//! ([`hallpass_core::seal`]) into the cookie `h3`, or read from the `x-h3-session` header
//! first. A request without a readable session gets a new one (a random UUID), and the
//! response sets its cookie. [`SealedSession::update`] merges fields into the data,
//! [`SealedSession::clear`] deletes the cookie. Values over 4000 characters are split into
//! chunk cookies as h3 2.x does. Seals of h3 1.x (1 PBKDF2 iteration) and h3 2.x (8192) both
//! open; one made with the other count, or an older password id of a map, is re-sealed with
//! the current settings.
//!
//! Code map: `settings.rs` (h3's `SessionConfig`, checked once), `payload.rs` (what is sealed
//! and when a seal is accepted; no I/O), `chunks.rs` (chunk cookies; no I/O), `cookies.rs`
//! (`Cookie` and `Set-Cookie` through the `cookie` crate), `handle.rs` (the per-request
//! session), `layer.rs` (the tower layer that writes the cookies), `extract.rs` (the
//! extractor and error answers).

mod chunks;
mod cookies;
mod extract;
mod handle;
mod layer;
mod payload;
mod settings;

pub use handle::{SealedSession, UpdateError};
pub use layer::{SealedSessionLayer, SealedSessionService};
pub use settings::{
    CookieAttributes, DEFAULT_CHUNK_MAX_LEN, DEFAULT_NAME, FallbackIterations, MAX_CHUNKS,
    SameSite, SessionHeader, SessionSettings, SettingsError,
};
