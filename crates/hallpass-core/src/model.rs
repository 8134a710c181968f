//! Domain records: products, API keys, sessions and stored env keys.

use crate::Timestamp;

/// A product: one application, with its envs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// Tag (`shop`).
    pub tag: String,
    /// Display name.
    pub name: String,
    /// Env tags (`dev`, `prd`).
    pub envs: Vec<String>,
    /// Origins allowed to call browser endpoints.
    pub allowed_origins: Vec<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update time.
    pub updated_at: Timestamp,
}

impl Product {
    /// Fails unless the product has this env.
    ///
    /// # Errors
    /// [`crate::Error::InvalidRequest`] naming the envs it has.
    pub fn check_env(&self, env: &str) -> crate::Result<()> {
        if self.envs.iter().any(|e| e == env) {
            return Ok(());
        }
        Err(crate::Error::invalid(format!(
            "product '{}' has no env '{}': its envs are {}",
            self.tag,
            crate::ids::truncate_for_message(env),
            self.envs.join(", ")
        )))
    }
}

/// What an API key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `hp_admin_…`: everything, all products.
    Admin,
    /// `hp_sk_…`: a backend key for one product (all envs or one).
    Access,
    /// `hp_pk_…`: a browser key for one product + env; never sessions or session types.
    Publishable,
}

impl KeyKind {
    /// The wire name: `admin`, `access`, `publishable`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Access => "access",
            Self::Publishable => "publishable",
        }
    }

    /// The prefix of keys of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Admin => "hp_admin_",
            Self::Access => "hp_sk_",
            Self::Publishable => "hp_pk_",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "access" => Some(Self::Access),
            "publishable" => Some(Self::Publishable),
            _ => None,
        }
    }
}

/// An API key as stored: never the secret, only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Public id (`key_…`).
    pub id: String,
    /// Kind.
    pub kind: KeyKind,
    /// Product the key belongs to (`None` for admin keys).
    pub product: Option<String>,
    /// Env the key is limited to (`None`: all envs).
    pub env: Option<String>,
    /// Display name.
    pub name: String,
    /// [`crate::secrets::credential_hash`] of the secret.
    pub hash: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// The caller of a request, as established from its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The key's id.
    pub key_id: String,
    /// The key's kind.
    pub kind: KeyKind,
    /// The key's product (`None` for admin).
    pub product: Option<String>,
    /// The key's env (`None`: all envs of the product).
    pub env: Option<String>,
}

/// A (product, env) pair, resolved and known to exist.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Product tag.
    pub product: String,
    /// Env tag.
    pub env: String,
}

/// Where a session was started from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    /// Client IP address.
    pub ip: Option<String>,
    /// Client User-Agent.
    pub user_agent: Option<String>,
}

/// A session as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Session id (a ULID; sorts in creation order).
    pub id: String,
    /// Product.
    pub product: String,
    /// Env.
    pub env: String,
    /// Session type tag.
    pub tag: String,
    /// Identifier of the user, if any.
    pub identifier: Option<String>,
    /// The session data as a compact JWE under the env's data key (the token's `dat`).
    pub data_jwe: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Token lifetime in seconds for every token of this session.
    pub token_lifetime_secs: i64,
    /// `iat` of the latest token.
    pub token_issued_at: Timestamp,
    /// `exp` of the latest token.
    pub token_expires_at: Timestamp,
    /// End of the session: refresh tokens stop working then.
    pub refresh_expires_at: Timestamp,
    /// Last refresh (or start).
    pub last_active_at: Timestamp,
    /// Device.
    pub device: Device,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// Hash of the current refresh token.
    pub refresh_hash: String,
    /// Hash of the refresh token rotated out last, if any.
    pub previous_refresh_hash: Option<String>,
    /// When the last rotation happened.
    pub rotated_at: Option<Timestamp>,
    /// The answer to the last rotation, sealed under the master key, replayed within the grace.
    pub grace_answer: Option<Vec<u8>>,
    /// How many times its data was changed (`update`); tokens carry it as `ver`, and those
    /// of an older version are superseded.
    pub data_version: i64,
    /// When the user last proved who they are (`auth_time`): the start, or a reauthentication.
    pub auth_time: Timestamp,
    /// How they did (`amr`), when the backend said.
    pub amr: Option<Vec<String>>,
}

impl SessionRecord {
    /// Whether the session is active at `now`: not revoked and its refresh lifetime not over.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.refresh_expires_at > now
    }
}

/// What a stored env key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Signs tokens (JWS).
    Signing,
    /// Encrypts session data (JWE `dir` + A256GCM).
    Data,
}

impl KeyPurpose {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Data => "data",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "signing" => Some(Self::Signing),
            "data" => Some(Self::Data),
            _ => None,
        }
    }
}

/// A signing or data key of one env, as stored: its secret encrypted under the master key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvKeyRecord {
    /// Key id (`kid`), unique across the server.
    pub kid: String,
    /// Product.
    pub product: String,
    /// Env.
    pub env: String,
    /// Signing or data.
    pub purpose: KeyPurpose,
    /// JOSE algorithm (`EdDSA`, `ES256`, `HS256`, or `A256GCM` for data keys).
    pub alg: String,
    /// The secret, sealed with [`crate::secrets::MasterKey::seal`] bound to the kid.
    pub sealed_secret: Vec<u8>,
    /// Creation time.
    pub created_at: Timestamp,
    /// When a newer key replaced it (it then only verifies).
    pub retired_at: Option<Timestamp>,
    /// Until when tokens it signed may still be valid (set when retired).
    pub verify_until: Option<Timestamp>,
}
