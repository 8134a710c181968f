//! The domain's error vocabulary. Every variant is something a caller can act on; the HTTP
//! layer maps each one to a status and a stable code in one table.

/// Result with the domain [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a hallpass operation.
///
/// Messages are lowercase, without a trailing period, and say what to do.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The request is well-formed JSON but a field is missing, of the wrong type or out of range.
    #[error("{0}")]
    InvalidRequest(String),
    /// Session data does not match the session type's schema; one entry per offending path.
    #[error("session data does not match the schema of the session type: {}", .0.join("; "))]
    SchemaViolation(Vec<String>),
    /// The selector of the session type does not pick a string or number from the data.
    #[error("{0}")]
    SelectorUnresolved(String),
    /// No key, or a key this server does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// A publishable key was used for something only a backend may do.
    #[error(
        "publishable keys cannot call this method: sessions and session types are started and managed on your backend with an access key (hp_sk_…)"
    )]
    PublishableKeyForbidden,
    /// The key is valid but not for this product, env or route.
    #[error("{0}")]
    ScopeForbidden(String),
    /// No session type with this tag in the product.
    #[error(
        "session type '{tag}' does not exist in product '{product}': create it with POST /v1/session-types or check the tag"
    )]
    SessionTypeNotFound {
        /// The product that was searched.
        product: String,
        /// The tag that was asked for.
        tag: String,
    },
    /// The session type has no cookie settings, so it has no browser endpoints.
    #[error(
        "session type '{0}' has no cookie settings, so it has no browser endpoints: give it a cookie with PATCH /v1/session-types/{0}"
    )]
    NoBrowserSessions(String),
    /// A state-changing browser call came from an origin that is not allowed.
    #[error("{0}")]
    CsrfRejected(String),
    /// No session with this id in this product, env and session type.
    #[error("session '{0}' does not exist for this product, env and session type")]
    SessionNotFound(String),
    /// No product with this tag.
    #[error("product '{0}' does not exist: create it with POST /v1/products or check the tag")]
    ProductNotFound(String),
    /// No API key with this id (visible to the caller).
    #[error("key '{0}' does not exist")]
    KeyNotFound(String),
    /// No webhook endpoint with this id (visible to the caller).
    #[error("webhook '{0}' does not exist")]
    WebhookNotFound(String),
    /// The thing already exists, or the operation conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The token is not a well-formed JWS of an algorithm the env uses.
    #[error("{0}")]
    TokenMalformed(String),
    /// The token's signature does not verify with any key of the env.
    #[error(
        "the token's signature does not verify: it was altered or was not issued by this server"
    )]
    TokenSignatureInvalid,
    /// The token was valid but its `exp` has passed.
    #[error("the token has expired: refresh the session with its refresh token or start a new one")]
    TokenExpired,
    /// The token belongs to another session type.
    #[error("the token belongs to session type '{actual}', not '{expected}'")]
    TagMismatch {
        /// The tag the caller asked for.
        expected: String,
        /// The tag in the token.
        actual: String,
    },
    /// The session has been revoked (logout, revoke-all, theft detection, type deletion).
    #[error("the session has been revoked: start a new session")]
    SessionRevoked,
    /// The session's data changed after this token was issued: the token carries old data.
    #[error(
        "the session's data changed after this token was issued: refresh the session to get a token with the current data"
    )]
    TokenSuperseded,
    /// The session had no activity for longer than its type's idle timeout, and has ended.
    #[error(
        "the session ended after a period of inactivity longer than its idle timeout: start a new session"
    )]
    SessionIdleExpired,
    /// The identifier already has as many active sessions as its type allows (`onLimit: refuse`).
    #[error("{0}")]
    SessionLimitReached(String),
    /// The user last proved who they are longer ago than the caller's `maxAuthAge`.
    #[error("{0}")]
    ReauthenticationRequired(String),
    /// A valid token of another product or env.
    #[error(
        "the token was issued for product '{product}' env '{env}', not for this product and env"
    )]
    WrongEnvironment {
        /// The token's product.
        product: String,
        /// The token's env.
        env: String,
    },
    /// The refresh token is unknown or does not belong to this product, env and session type.
    #[error("{0}")]
    RefreshTokenInvalid(String),
    /// The session's refresh lifetime is over.
    #[error("the refresh token has expired: the session is over, start a new one")]
    RefreshTokenExpired,
    /// An old refresh token was presented again: the session was revoked as a precaution.
    #[error(
        "this refresh token was already used: the session has been revoked because its refresh token may have been stolen; start a new session"
    )]
    RefreshTokenReused,
    /// Too many attempts; try again after the given number of seconds.
    #[error("too many failed attempts: retry after {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until the caller may retry.
        retry_after_secs: u64,
    },
    /// The database cannot be reached or answered with an error.
    #[error("the session store is unavailable: {0}")]
    StoreUnavailable(String),
    /// A broken invariant (corrupt stored key, impossible state). Never caused by input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidRequest`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidRequest(message.into())
    }
}
