//! Sealed cookie sessions that h3, vinxi and Nuxt apps read and write (docs/API.md §7.2): an
//! axum layer and extractor with the semantics of h3's `useSession`.
//!
//! The session is `{"id", "createdAt", "data"}` sealed in the iron "Fe26.2" format
//! ([`hallpass_iron`]) into the cookie `h3`, or read from the `x-h3-session` header
//! first. A request without a readable session gets a new one (a random UUID), and the
//! response sets its cookie. [`SealedSession::update`] merges fields into the data,
//! [`SealedSession::clear`] deletes the cookie. Values over 4000 characters are split into
//! chunk cookies as h3 2.x does. Seals of h3 1.x (1 PBKDF2 iteration) and h3 2.x (8192) both
//! open; one made with fewer iterations than configured, or with an older password id of a
//! map, is re-sealed with the current settings at once, any other on its next update.
//!
//! Not supported: h3 2.x's `idleTimeout` (a `lastSeenAt` written by h3 is kept, not moved).
//!
//! Code map: `settings.rs` (h3's `SessionConfig`, checked once), `payload.rs` (what is sealed
//! and when a seal is accepted; no I/O), `chunks.rs` (chunk cookies; no I/O), `cookies.rs`
//! (the request's cookies; `Set-Cookie` is written by `hallpass_cookie`), `handle.rs` (the per-request
//! session), `layer.rs` (the tower layer that writes the cookies), `extract.rs` (the
//! extractor and error answers).

mod chunks;
mod cookies;
mod extract;
mod handle;
mod layer;
mod payload;
mod settings;

pub use hallpass_cookie::{CookieSettings, SameSite};
pub use handle::{SealedSession, UpdateError};
pub use layer::{SealedSessionLayer, SealedSessionService};
pub use settings::{
    DEFAULT_CHUNK_MAX_LEN, DEFAULT_MAX_SEALED_LEN, DEFAULT_NAME, FallbackIterations, MAX_CHUNKS,
    MAX_SESSION_ITERATIONS, SessionHeader, SessionSettings, SettingsError,
};
