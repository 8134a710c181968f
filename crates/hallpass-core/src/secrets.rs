//! Secrets at rest: the master key that encrypts stored key material, and the hashing of
//! presented credentials (API keys, refresh tokens) so that only hashes are stored.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

const NONCE_LEN: usize = 12;

/// The server's master key (32 bytes). Stored signing and data keys, and the refresh answers
/// kept for the grace window, are encrypted under it with AES-256-GCM.
#[derive(Clone)]
pub struct MasterKey(Aes256Gcm);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A master key from 32 raw bytes.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the key is not 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 32 {
            return Err(Error::invalid(format!(
                "the master key must be 32 bytes, got {}",
                bytes.len()
            )));
        }
        Aes256Gcm::new_from_slice(bytes)
            .map(Self)
            .map_err(|_| Error::invalid("the master key must be 32 bytes"))
    }

    /// A master key from standard base64 (as `HALLPASS_MASTER_KEY` holds it).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the text is not base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| Error::invalid("the master key must be standard base64 of 32 random bytes (openssl rand -base64 32)"))?;
        Self::from_bytes(&bytes)
    }

    /// 32 fresh random bytes, base64, for a new master key.
    pub fn generate_base64() -> String {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// Encrypts `plaintext`, bound to `context` (the id of what it protects): nonce ‖ ciphertext.
    ///
    /// # Errors
    /// [`Error::Internal`] if encryption fails (it does not for valid inputs).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("encryption under the master key failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts what [`MasterKey::seal`] produced for the same `context`.
    ///
    /// # Errors
    /// [`Error::Internal`] when the data was sealed under another master key or altered.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return Err(Error::Internal(format!(
                "stored secret for '{context}' is truncated"
            )));
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        self.0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() })
            .map_err(|_| {
                Error::Internal(format!(
                    "stored secret for '{context}' cannot be decrypted: is this the master key the database was created with?"
                ))
            })
    }
}

/// SHA-256 of a presented high-entropy credential, as stored and looked up. A fast hash is
/// right here: API keys and refresh tokens carry 256 random bits, so there is nothing to
/// brute-force, and the lookup by hash never compares secrets byte by byte.
pub fn credential_hash(credential: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(credential.as_bytes()))
}

/// Constant-time equality of two hashes or secrets.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let other = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let sealed = key.seal("kid1", b"secret").unwrap();
        assert_eq!(key.open("kid1", &sealed).unwrap(), b"secret");
        assert!(key.open("kid2", &sealed).is_err());
        assert!(other.open("kid1", &sealed).is_err());
        assert!(key.open("kid1", &sealed[..5]).is_err());
    }

    #[test]
    fn master_keys_must_be_32_bytes_of_base64() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&STANDARD.encode([0u8; 16])).is_err());
    }

    #[test]
    fn hashes_are_stable_and_compared_in_constant_time() {
        assert_eq!(credential_hash("a"), credential_hash("a"));
        assert_ne!(credential_hash("a"), credential_hash("b"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
