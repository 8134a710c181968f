//! JSON bodies of the hallpass HTTP API v1 (camelCase, as docs/API.md §4 names them).
//!
//! These are wire types only: the server converts them to and from domain types in one place
//! (`hallpass-http`'s `convert` module), and the Rust client sends and receives them as they
//! are. Times are ISO 8601 UTC strings with milliseconds (`2026-11-23T10:00:00.000Z`).

mod admin;
mod browser;
mod console;
mod error;
mod events;
pub mod formats;
pub mod object;
mod revocations;
mod session_types;
mod sessions;
mod webhooks;
pub mod whole;

pub use admin::*;
pub use browser::*;
pub use console::*;
pub use error::*;
pub use events::*;
pub use revocations::*;
pub use session_types::*;
pub use sessions::*;
pub use webhooks::*;

/// `?product=&env=` of the session-type routes.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// Product tag (defaults to the key's product).
    #[param(value_type = Option<formats::Tag>)]
    pub product: Option<String>,
    /// Env (ignored: session types belong to the whole product).
    pub env: Option<String>,
}

/// Answer of every deletion.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Deleted {
    /// Always true.
    pub deleted: bool,
}

/// Deserializes a present field (even `null`) as `Some`, so that `null` can mean "clear".
///
/// # Errors
/// The inner type's deserialization errors.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}
