//! The token's `dat` claim: session data as a compact JWE with `alg: "dir"`, `enc: "A256GCM"`.
//!
//! The AES-GCM primitive comes from RustCrypto's `aes-gcm`; this module only frames it as RFC
//! 7516 compact serialization (protected header as AAD, empty encrypted key), because the JOSE
//! crates we considered either lack `dir` (jwt-simple) or pull in OpenSSL (josekit). Any
//! standard JOSE library (for example npm `jose`'s `compactDecrypt`) opens what this writes.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde::Deserialize;

use crate::{Error, Result};

const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// An env's data key: 32 bytes for A256GCM, with its `kid`.
#[derive(Clone)]
pub struct DataKey {
    kid: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    kid: Option<String>,
}

impl DataKey {
    /// A data key from 32 raw bytes.
    ///
    /// # Errors
    /// [`Error::Internal`] when the secret is not 32 bytes.
    pub fn from_bytes(kid: impl Into<String>, secret: &[u8]) -> Result<Self> {
        let kid = kid.into();
        let cipher = Aes256Gcm::new_from_slice(secret)
            .map_err(|_| Error::Internal(format!("data key '{kid}' is not 32 bytes")))?;
        Ok(Self { kid, cipher })
    }

    /// 32 fresh random bytes for a new data key.
    pub fn generate_secret() -> Vec<u8> {
        let mut secret = vec![0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        secret
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Encrypts `plaintext` into a compact JWE.
    ///
    /// # Errors
    /// [`Error::Internal`] if encryption fails (it does not for valid inputs).
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String> {
        let header = serde_json::json!({"alg": "dir", "enc": "A256GCM", "kid": self.kid});
        let header_b64 = URL_SAFE_NO_PAD.encode(header.to_string());
        let mut iv = [0u8; IV_LEN];
        rand::thread_rng().fill_bytes(&mut iv);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: plaintext,
                    aad: header_b64.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("session data encryption failed".into()))?;
        let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG_LEN);
        Ok(format!(
            "{header_b64}..{}.{}.{}",
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ciphertext),
            URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    /// Decrypts a compact JWE written by [`DataKey::encrypt`] (or any `dir`/A256GCM JWE).
    ///
    /// # Errors
    /// [`Error::TokenMalformed`] when the JWE is not well-formed or does not decrypt.
    pub fn decrypt(&self, jwe: &str) -> Result<Vec<u8>> {
        let bad = |what: &str| Error::TokenMalformed(format!("the token's dat claim {what}"));
        let parts: Vec<&str> = jwe.split('.').collect();
        let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
            return Err(bad("is not a compact JWE"));
        };
        let header: Header = URL_SAFE_NO_PAD
            .decode(header_b64)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(|| bad("has an unreadable header"))?;
        if header.alg != "dir" || header.enc != "A256GCM" || !encrypted_key.is_empty() {
            return Err(bad("is not a dir/A256GCM JWE"));
        }
        let decode = |s: &str| {
            URL_SAFE_NO_PAD
                .decode(s)
                .map_err(|_| bad("is not base64url"))
        };
        let iv = decode(iv)?;
        if iv.len() != IV_LEN {
            return Err(bad("has a bad IV"));
        }
        let mut sealed = decode(ciphertext)?;
        let tag = decode(tag)?;
        if tag.len() != TAG_LEN {
            return Err(bad("has a bad authentication tag"));
        }
        sealed.extend_from_slice(&tag);
        self.cipher
            .decrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: &sealed,
                    aad: header_b64.as_bytes(),
                },
            )
            .map_err(|_| bad("does not decrypt with the env's data key"))
    }
}

/// The `kid` in a compact JWE's protected header, read without decrypting.
pub fn jwe_kid(jwe: &str) -> Option<String> {
    let header_b64 = jwe.split('.').next()?;
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header_b64).ok()?).ok()?;
    header.kid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_its_kid() {
        let key = DataKey::from_bytes("dk1", &DataKey::generate_secret()).unwrap();
        let jwe = key.encrypt(br#"{"a":1}"#).unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert_eq!(jwe.split('.').nth(1), Some(""));
        assert_eq!(jwe_kid(&jwe).as_deref(), Some("dk1"));
        assert_eq!(key.decrypt(&jwe).unwrap(), br#"{"a":1}"#);
    }

    #[test]
    fn altered_or_foreign_jwes_do_not_decrypt() {
        let key = DataKey::from_bytes("dk1", &DataKey::generate_secret()).unwrap();
        let other = DataKey::from_bytes("dk1", &DataKey::generate_secret()).unwrap();
        let jwe = key.encrypt(b"hello").unwrap();
        assert!(other.decrypt(&jwe).is_err());
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        parts[3] = URL_SAFE_NO_PAD.encode(b"hellp");
        assert!(key.decrypt(&parts.join(".")).is_err());
        assert!(key.decrypt("a.b.c").is_err());
        assert!(key.decrypt("").is_err());
    }
}
