//! The cryptography of a seal: PBKDF2-HMAC-SHA1 key derivation, HMAC-SHA256, AES-256-CBC and
//! AES-128-CTR, all from RustCrypto crates.

use aes::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _, StreamCipher as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha1::Sha1;
use sha2::Sha256;

use crate::{Algorithm, IV_BYTES, SALT_BYTES, SealError};

/// 256 random bits as lowercase hex, as iron writes salts.
pub(crate) fn random_salt() -> String {
    let mut salt = [0u8; SALT_BYTES];
    rand::thread_rng().fill_bytes(&mut salt);
    salt.iter().map(|b| format!("{b:02x}")).collect()
}

/// PBKDF2-HMAC-SHA1 of the password over the salt's text.
pub(crate) fn derive(password: &str, salt: &str, iterations: u32, len: usize) -> Vec<u8> {
    let mut key = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<Sha1>(password.as_bytes(), salt.as_bytes(), iterations, &mut key);
    key
}

/// The base64url HMAC-SHA256 of `data` under a key derived from the password and salt.
pub(crate) fn hmac(password: &str, salt: &str, iterations: u32, data: &str) -> String {
    let key = derive(password, salt, iterations, 32);
    let mut mac = match Hmac::<Sha256>::new_from_slice(&key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(data.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub(crate) fn decode(field: &str, what: &str) -> Result<Vec<u8>, SealError> {
    URL_SAFE_NO_PAD
        .decode(field)
        .map_err(|_| SealError::Malformed(format!("its {what} is not base64url")))
}

pub(crate) fn encrypt(
    algorithm: Algorithm,
    key: &[u8],
    iv: &[u8; IV_BYTES],
    plaintext: &[u8],
) -> Result<Vec<u8>, SealError> {
    let bad_key = |_| SealError::Options("bad key length".into());
    match algorithm {
        Algorithm::Aes256Cbc => Ok(cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(bad_key)?
            .encrypt_padded_vec_mut::<aes::cipher::block_padding::Pkcs7>(plaintext)),
        Algorithm::Aes128Ctr => {
            let mut buffer = plaintext.to_vec();
            ctr::Ctr128BE::<aes::Aes128>::new_from_slices(key, iv)
                .map_err(bad_key)?
                .apply_keystream(&mut buffer);
            Ok(buffer)
        }
    }
}

pub(crate) fn decrypt(
    algorithm: Algorithm,
    key: &[u8],
    iv: &[u8; IV_BYTES],
    mut ciphertext: Vec<u8>,
) -> Result<Vec<u8>, SealError> {
    let bad_key = |_| SealError::Options("bad key length".into());
    match algorithm {
        Algorithm::Aes256Cbc => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(bad_key)?
            .decrypt_padded_vec_mut::<aes::cipher::block_padding::Pkcs7>(&ciphertext)
            .map_err(|_| {
                SealError::Undecryptable("bad padding (other encryption settings?)".into())
            }),
        Algorithm::Aes128Ctr => {
            ctr::Ctr128BE::<aes::Aes128>::new_from_slices(key, iv)
                .map_err(bad_key)?
                .apply_keystream(&mut ciphertext);
            Ok(ciphertext)
        }
    }
}
