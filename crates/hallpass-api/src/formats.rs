//! The shapes of the strings and numbers the server checks, as OpenAPI schema components, so
//! that the document states each rule the server enforces on a single field (docs/API.md §4).
//! Fields name them with `#[schema(value_type = …)]` or `#[param(value_type = …)]`; these types
//! are never built, they only describe. Rules that join two fields or depend on what is stored
//! (an env of the product, the data a session type's schema allows) are in docs/API.md, not here.
//!
//! Patterns are written in the subset that ECMA-262 and Python read alike: the document's
//! users generate clients and tests from it in both.

use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{RefOr, Schema};

/// Characters Rust's `str::trim` removes (Unicode `White_Space`): a name must have one other.
const NOT_BLANK: &str = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// Longest lifetime in seconds: one year of 365 days.
const MAX_LIFETIME_SECS: u64 = 365 * 24 * 3600;

/// A schema component that only describes: `$name` is built by `$schema`.
macro_rules! described {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub enum $name {}

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn name(max: usize, description: &str) -> ObjectBuilder {
    string(description)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(NOT_BLANK))
}

fn whole(min: u64, max: u64, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
        .description(Some(description))
}

described! {
    /// A product, env or session type tag.
    Tag => string("1 to 64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit")
        .pattern(Some("^[a-z0-9][a-z0-9_-]{0,63}$"))
        .examples(["user-session"])
}

described! {
    /// A product or key name.
    Name => name(128, "1 to 128 characters, not only white space")
}

described! {
    /// A session type's display name.
    TypeName => name(1024, "1 to 1024 characters, not only white space")
}

described! {
    /// A session type's description.
    Description => string("at most 1024 characters").max_length(Some(1024))
}

fn identifier() -> ObjectBuilder {
    string("1 to 256 characters")
        .min_length(Some(1))
        .max_length(Some(256))
}

described! {
    /// The user's identifier as the server stores it.
    Identifier => identifier()
}

described! {
    /// The identifier given at start: a string, or a number that is stored written as a string.
    IdentifierInput => AnyOfBuilder::new()
        .item(identifier())
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .description(Some("a string of 1 to 256 characters, or a number"))
}

described! {
    /// An IPv4 or IPv6 address.
    IpAddress => AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Ipv4))))
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Ipv6))))
        .description(Some("an IPv4 or IPv6 address"))
}

described! {
    /// A User-Agent as a client reports it.
    UserAgent => string("at most 512 characters").max_length(Some(512))
}

described! {
    /// An origin allowed to call the browser endpoints.
    Origin => string("scheme://host[:port], at most 253 characters, e.g. https://app.example.com")
        .pattern(Some("^(https://[A-Za-z0-9.:\\[\\]-]{1,245}|http://[A-Za-z0-9.:\\[\\]-]{1,246})$"))
}

described! {
    /// The unit of a lifetime; singular forms are accepted, plural ones are written out.
    PeriodName => string("seconds, minutes, hours, days or weeks")
        .enum_values(Some(["seconds", "minutes", "hours", "days", "weeks", "second", "minute", "hour", "day", "week"]))
}

described! {
    /// A lifetime in units of a period.
    Expiry => whole(1, MAX_LIFETIME_SECS, "at least 1; times its period at most one year")
}

described! {
    /// A token lifetime in seconds.
    LifetimeSecs => whole(1, MAX_LIFETIME_SECS, "1 second to one year (31536000)")
}

described! {
    /// A session type's idle timeout in seconds.
    IdleTimeoutSecs => whole(60, MAX_LIFETIME_SECS, "60 seconds to one year (31536000)")
}

described! {
    /// Most active sessions one identifier may have.
    MaxSessions => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(1000))
        .description(Some("1 to 1000"))
}

described! {
    /// What a start beyond `maxSessions` does.
    OnLimitName => string("revoke_oldest (the default) or refuse")
        .enum_values(Some(["revoke_oldest", "refuse"]))
}

/// The wire names of every event type (docs/API.md §14.1); the server checks that this list
/// and its own agree.
pub const EVENT_TYPES: [&str; 13] = [
    "session.started",
    "session.refreshed",
    "session.updated",
    "session.reauthenticated",
    "session.revoked",
    "refresh_token.reused",
    "session_type.created",
    "session_type.updated",
    "session_type.deleted",
    "api_key.created",
    "api_key.deleted",
    "signing_key.rotated",
    "webhook.disabled",
];

described! {
    /// An event type.
    EventTypeName => string("an event type, e.g. session.revoked").enum_values(Some(EVENT_TYPES))
}

described! {
    /// What a webhook takes: `*` (alone: every type) or an event type.
    WebhookEventName => string("* (alone, for every type) or an event type")
        .enum_values(Some(std::iter::once("*").chain(EVENT_TYPES)))
}

described! {
    /// Seconds since the user last authenticated.
    AuthAgeSecs => whole(0, MAX_LIFETIME_SECS, "0 seconds to one year (31536000)")
}

described! {
    /// One authentication method reference (`pwd`, `otp`, `hwk`, …).
    AmrItem => string("1 to 32 characters, no spaces or control characters")
        .min_length(Some(1))
        .max_length(Some(32))
        .pattern(Some("^[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$"))
}

described! {
    /// The refresh grace in seconds.
    GraceSecs => whole(0, 3600, "0 to 3600 seconds")
}

described! {
    /// A list's page size.
    PageSize => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(1000))
        .description(Some("1 to 1000"))
}

described! {
    /// A selector of the identifier in the session data.
    SelectorPath => string("$Session{key} with up to 16 {nested} keys; empty means none")
        .pattern(Some("^(\\$Session(\\{[^{}]+\\}){1,16})?$"))
        .examples(["$Session{userId}"])
}

described! {
    /// A cookie name.
    CookieName => string("1 to 128 characters of letters, digits and !#$%&'*+-.^_`|~")
        .pattern(Some("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$"))
}

described! {
    /// A cookie path.
    CookiePath => string("starts with '/', at most 512 characters of visible ASCII but ';' and ','")
        .pattern(Some("^/[\\x21-\\x2b\\x2d-\\x3a\\x3c-\\x7e]{0,511}$"))
}

described! {
    /// A cookie domain.
    CookieDomain => string("a host name such as example.com (a leading '.' is allowed)")
        .max_length(Some(253))
        .pattern(Some("^\\.?[A-Za-z0-9-]{1,63}(\\.[A-Za-z0-9-]{1,63})*$"))
}

described! {
    /// A cookie's `SameSite`.
    SameSiteName => string("lax, strict or none").enum_values(Some(["lax", "strict", "none"]))
}

described! {
    /// The kind of key `POST /v1/keys` creates.
    NewKeyKind => string("access or publishable").enum_values(Some(["access", "publishable"]))
}

described! {
    /// A signing algorithm.
    AlgName => string("EdDSA, ES256 or HS256").enum_values(Some(["EdDSA", "ES256", "HS256"]))
}

/// Authentication methods: 1 to 16 [`AmrItem`]s, or `null` for none.
pub fn amr_list() -> ArrayBuilder {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(<AmrItem as utoipa::PartialSchema>::schema())
        .min_items(Some(1))
        .max_items(Some(16))
        .description(Some("authentication methods, e.g. [\"pwd\", \"otp\"]"))
}

/// A product's envs at creation: 1 to 16 different tags, or `null` for the default.
pub fn env_list() -> ArrayBuilder {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(<Tag as utoipa::PartialSchema>::schema())
        .min_items(Some(1))
        .max_items(Some(16))
        .unique_items(true)
        .description(Some(
            "1 to 16 different env tags (default [\"dev\", \"prd\"])",
        ))
}
