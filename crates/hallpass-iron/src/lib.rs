//! Sealed values in the iron "Fe26.2" format that h3, vinxi, Nuxt and iron-session write into
//! cookies, so a Rust service can read and write the same cookies.
//!
//! A seal is eight `*`-separated fields:
//! `Fe26.2*<passwordId>*<encSalt>*<iv>*<ciphertext>*<expiry>*<hmacSalt>*<hmac>`. The JSON value
//! is encrypted with a key derived from the password by PBKDF2-HMAC-SHA1 over a random salt
//! (written as lowercase hex, and used as the UTF-8 bytes of that hex), and the first six fields
//! are authenticated by HMAC-SHA256 under a second key derived the same way from a second salt.
//! Bytes are base64url without padding; the expiry is in milliseconds since the epoch, empty
//! for none. This follows iron-webcrypto 2.x byte for byte. The clock is the caller's (`now`).

#![doc = ""]
#![doc = include_str!("../README.md")]

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde_json::Value;
use subtle::ConstantTimeEq as _;

use crypto::{decode, decrypt, derive, encrypt, hmac, random_salt};

mod crypto;
#[cfg(test)]
mod tests;

/// The format's prefix and version.
pub const PREFIX: &str = "Fe26.2";
/// Shortest password iron accepts.
pub const MIN_PASSWORD_LEN: usize = 32;
/// Longest seal read: far above any cookie, and bounds the work done on hostile input.
pub const MAX_SEAL_LEN: usize = 64 * 1024;
/// Salt bytes (256 bits, as iron's `saltBits`).
pub(crate) const SALT_BYTES: usize = 32;
/// IV bytes of both algorithms.
pub(crate) const IV_BYTES: usize = 16;
/// Most PBKDF2 iterations accepted, so that a setting cannot make every request slow.
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// The encryption algorithm of a seal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// AES-256 in CBC mode with PKCS#7 padding (iron's default).
    #[default]
    Aes256Cbc,
    /// AES-128 in CTR mode (a 128-bit big-endian counter starting at the IV).
    Aes128Ctr,
}

impl Algorithm {
    /// The name iron uses.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aes256Cbc => "aes-256-cbc",
            Self::Aes128Ctr => "aes-128-ctr",
        }
    }

    /// Parses iron's name.
    ///
    /// # Errors
    /// [`SealError::Options`] for any other name.
    pub fn parse(name: &str) -> Result<Self, SealError> {
        match name {
            "aes-256-cbc" => Ok(Self::Aes256Cbc),
            "aes-128-ctr" => Ok(Self::Aes128Ctr),
            other => Err(SealError::Options(format!(
                "unknown algorithm '{other}': use aes-256-cbc or aes-128-ctr"
            ))),
        }
    }

    const fn key_len(self) -> usize {
        match self {
            Self::Aes256Cbc => 32,
            Self::Aes128Ctr => 16,
        }
    }
}

/// How values are sealed and opened (iron's options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealOptions {
    /// The encryption algorithm (the MAC is always HMAC-SHA256).
    pub algorithm: Algorithm,
    /// PBKDF2 iterations: 1 for iron-webcrypto and h3 1.x, 8192 for h3 2.x.
    pub iterations: u32,
    /// Lifetime of a new seal in milliseconds; 0 writes no expiry.
    pub ttl_ms: u64,
    /// How far past its expiry a seal is still accepted, in seconds (clock skew).
    pub timestamp_skew_secs: u64,
}

impl Default for SealOptions {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Aes256Cbc,
            iterations: 1,
            ttl_ms: 0,
            timestamp_skew_secs: 60,
        }
    }
}

/// The passwords a seal may be made or opened with.
#[derive(Clone, PartialEq, Eq)]
pub enum Passwords {
    /// One password, without id: seals carry an empty id, and any seal is opened with it.
    Single(String),
    /// Passwords by id (rotation): seals carry the id of `current`; a seal is opened with the
    /// password its id names (`default` when its id is empty).
    Map {
        /// The id new seals are made with.
        current: String,
        /// Every password by id.
        by_id: BTreeMap<String, String>,
    },
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Single(_) => f.write_str("Passwords::Single(…)"),
            Self::Map { current, by_id } => f
                .debug_struct("Passwords::Map")
                .field("current", current)
                .field("ids", &by_id.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

impl Passwords {
    /// Checks every password's length and every id's form (`^\w+$`), as iron does when it
    /// uses them; done once, up front, so a bad setting fails at start rather than per request.
    ///
    /// # Errors
    /// [`SealError::Password`] naming what is wrong.
    pub fn validate(&self) -> Result<(), SealError> {
        match self {
            Self::Single(password) => check_password_len(password),
            Self::Map { current, by_id } => {
                if !by_id.contains_key(current) {
                    return Err(SealError::Password(format!(
                        "the password id '{current}' to seal with is not in the password map"
                    )));
                }
                for (id, password) in by_id {
                    if !is_password_id(id) {
                        return Err(SealError::Password(format!(
                            "password id '{id}' must be letters, digits and underscores"
                        )));
                    }
                    check_password_len(password)?;
                }
                Ok(())
            }
        }
    }

    /// The id new seals carry: the map's current id, or empty for a single password.
    pub fn current_id(&self) -> &str {
        match self {
            Self::Single(_) => "",
            Self::Map { current, .. } => current,
        }
    }

    /// The id and password new seals are made with.
    fn for_sealing(&self) -> Result<(&str, &str), SealError> {
        match self {
            Self::Single(password) => Ok(("", password)),
            Self::Map { current, by_id } => by_id
                .get(current)
                .map(|p| (current.as_str(), p.as_str()))
                .ok_or_else(|| {
                    SealError::Password(format!("no password with id '{current}' to seal with"))
                }),
        }
    }

    /// The password a seal with this id is opened with.
    fn for_opening(&self, id: &str) -> Result<&str, SealError> {
        match self {
            Self::Single(password) => Ok(password),
            Self::Map { by_id, .. } => {
                let id = if id.is_empty() { "default" } else { id };
                by_id
                    .get(id)
                    .map(String::as_str)
                    .ok_or_else(|| SealError::UnknownPasswordId(id.to_owned()))
            }
        }
    }
}

/// Iron's minimum password length (counted in characters).
fn check_password_len(password: &str) -> Result<(), SealError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(SealError::Password(format!(
            "a password must be at least {MIN_PASSWORD_LEN} characters long"
        )));
    }
    Ok(())
}

fn is_password_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why a value could not be sealed or a seal not opened. Each is a plain failure of the input
/// or the settings, never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The password settings are unusable.
    #[error("{0}")]
    Password(String),
    /// The options are unusable.
    #[error("{0}")]
    Options(String),
    /// Not a seal: wrong number of fields, wrong prefix, bad encoding, too long.
    #[error("not a valid seal: {0}")]
    Malformed(String),
    /// The seal names a password id that is not configured.
    #[error("the seal was made with password id '{0}', which is not configured")]
    UnknownPasswordId(String),
    /// The integrity check failed: a different password, or the seal was altered.
    #[error("the seal does not verify: wrong password, or it was altered")]
    BadMac,
    /// The seal's expiry has passed (beyond the allowed skew).
    #[error("the seal has expired")]
    Expired,
    /// It verified but does not decrypt to JSON (made with other encryption settings).
    #[error("the seal does not decrypt to JSON: {0}")]
    Undecryptable(String),
}

/// Seals `value` at time `now_ms` (milliseconds since the epoch).
///
/// # Errors
/// [`SealError::Password`] or [`SealError::Options`] for unusable settings.
pub fn seal(
    value: &Value,
    passwords: &Passwords,
    options: &SealOptions,
    now_ms: i64,
) -> Result<String, SealError> {
    check_iterations(options.iterations)?;
    let (id, password) = passwords.for_sealing()?;
    check_password_len(password)?;
    let plaintext = serde_json::to_vec(value)
        .map_err(|e| SealError::Options(format!("the value is not serializable: {e}")))?;
    let enc_salt = random_salt();
    let mut iv = [0u8; IV_BYTES];
    rand::thread_rng().fill_bytes(&mut iv);
    let key = derive(
        password,
        &enc_salt,
        options.iterations,
        options.algorithm.key_len(),
    );
    let ciphertext = encrypt(options.algorithm, &key, &iv, &plaintext)?;
    let expiry = if options.ttl_ms == 0 {
        String::new()
    } else {
        let ttl = i64::try_from(options.ttl_ms).unwrap_or(i64::MAX);
        now_ms.saturating_add(ttl).to_string()
    };
    let authenticated = format!(
        "{PREFIX}*{id}*{enc_salt}*{}*{}*{expiry}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(&ciphertext)
    );
    let mac_salt = random_salt();
    let mac = hmac(password, &mac_salt, options.iterations, &authenticated);
    Ok(format!("{authenticated}*{mac_salt}*{mac}"))
}

/// Opens a seal at time `now_ms`: checks its form, its expiry and its MAC (in constant time),
/// then decrypts it. A trailing `~2` (iron-session's version suffix) is accepted.
///
/// # Errors
/// [`SealError::Malformed`], [`SealError::Expired`], [`SealError::UnknownPasswordId`],
/// [`SealError::BadMac`], [`SealError::Undecryptable`], or [`SealError::Options`].
pub fn unseal(
    sealed: &str,
    passwords: &Passwords,
    options: &SealOptions,
    now_ms: i64,
) -> Result<Value, SealError> {
    check_iterations(options.iterations)?;
    if sealed.len() > MAX_SEAL_LEN {
        return Err(SealError::Malformed(format!(
            "it is longer than {MAX_SEAL_LEN} bytes"
        )));
    }
    let sealed = strip_version_suffix(sealed.trim());
    let parts: Vec<&str> = sealed.split('*').collect();
    let [prefix, id, enc_salt, iv, ciphertext, expiry, mac_salt, mac] = parts[..] else {
        return Err(SealError::Malformed(format!(
            "it has {} '*'-separated fields, a seal has 8",
            parts.len()
        )));
    };
    if prefix != PREFIX {
        return Err(SealError::Malformed(format!(
            "it starts with '{}', not '{PREFIX}'",
            prefix.chars().take(16).collect::<String>()
        )));
    }
    if !expiry.is_empty() {
        let at: i64 = expiry
            .parse()
            .ok()
            .filter(|_| expiry.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| SealError::Malformed("its expiry is not a number".into()))?;
        let skew =
            i64::try_from(options.timestamp_skew_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        if at <= now_ms.saturating_sub(skew) {
            return Err(SealError::Expired);
        }
    }
    let password = passwords.for_opening(id)?;
    let authenticated_len = sealed.len() - mac.len() - mac_salt.len() - 2;
    let expected = hmac(
        password,
        mac_salt,
        options.iterations,
        &sealed[..authenticated_len],
    );
    if !bool::from(expected.as_bytes().ct_eq(mac.as_bytes())) {
        return Err(SealError::BadMac);
    }
    let iv: [u8; IV_BYTES] = decode(iv, "iv")?
        .try_into()
        .map_err(|_| SealError::Malformed(format!("its iv is not {IV_BYTES} bytes")))?;
    let ciphertext = decode(ciphertext, "ciphertext")?;
    let key = derive(
        password,
        enc_salt,
        options.iterations,
        options.algorithm.key_len(),
    );
    let plaintext = decrypt(options.algorithm, &key, &iv, ciphertext)?;
    serde_json::from_slice(&plaintext).map_err(|e| SealError::Undecryptable(e.to_string()))
}

/// The password id a seal names (its second field; empty when it names none or is not a seal).
/// Says nothing of whether the seal verifies: callers use it after [`unseal`] succeeded, to
/// notice a seal made with an older password of a map.
pub fn password_id(sealed: &str) -> &str {
    sealed.split('*').nth(1).unwrap_or_default()
}

/// A seal without iron-session's `~<version>` suffix.
fn strip_version_suffix(sealed: &str) -> &str {
    match sealed.rsplit_once('~') {
        Some((seal, version))
            if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) =>
        {
            seal
        }
        _ => sealed,
    }
}

fn check_iterations(iterations: u32) -> Result<(), SealError> {
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(SealError::Options(format!(
            "iterations must be between 1 and {MAX_ITERATIONS}, got {iterations}"
        )));
    }
    Ok(())
}
