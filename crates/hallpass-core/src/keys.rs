//! Signing keys and the keyring: every env's signing and data keys, parsed once.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::{
    ECDSAP256PublicKeyLike as _, ES256KeyPair, ES256PublicKey, Ed25519KeyPair, Ed25519PublicKey,
    HS256Key,
};
use serde_json::{Value, json};

use crate::jwe::DataKey;
use crate::model::{EnvKeyRecord, KeyPurpose, Scope};
use crate::secrets::MasterKey;
use crate::{Error, Result, Timestamp};

/// A JWS algorithm an env can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// Ed25519 (default).
    EdDSA,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// HMAC-SHA256 (the key is never published).
    HS256,
}

impl Alg {
    /// The JOSE name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
            Self::HS256 => "HS256",
        }
    }

    /// Parses a JOSE name; only the three algorithms hallpass signs with.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] listing the supported algorithms.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "EdDSA" => Ok(Self::EdDSA),
            "ES256" => Ok(Self::ES256),
            "HS256" => Ok(Self::HS256),
            _ => Err(Error::invalid(format!(
                "alg '{}' is not supported: use EdDSA, ES256 or HS256",
                crate::ids::truncate_for_message(s)
            ))),
        }
    }

    /// Fresh secret key bytes for this algorithm, in the form [`SigningKey::from_secret`] reads.
    pub fn generate_secret(self) -> Vec<u8> {
        match self {
            Self::EdDSA => Ed25519KeyPair::generate().to_bytes(),
            Self::ES256 => ES256KeyPair::generate().to_bytes(),
            Self::HS256 => HS256Key::generate().to_bytes(),
        }
    }
}

pub(crate) enum Signer {
    EdDSA(Ed25519KeyPair),
    ES256(ES256KeyPair),
    HS256(HS256Key),
}

pub(crate) enum Verifier {
    EdDSA(Ed25519PublicKey),
    ES256(ES256PublicKey),
    HS256(HS256Key),
}

/// One signing key of an env, parsed once: it signs (while current) and verifies.
pub struct SigningKey {
    /// Key id.
    pub kid: String,
    /// Algorithm.
    pub alg: Alg,
    /// The env it belongs to.
    pub scope: Scope,
    /// When a newer key replaced it.
    pub retired_at: Option<Timestamp>,
    /// Until when tokens it signed may still be valid.
    pub verify_until: Option<Timestamp>,
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
    public_jwk: Option<Value>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parses a signing key from its secret bytes.
    ///
    /// # Errors
    /// [`Error::Internal`] when the bytes are not a key of `alg`.
    pub fn from_secret(kid: &str, alg: Alg, scope: Scope, secret: &[u8]) -> Result<Self> {
        let corrupt = || Error::Internal(format!("signing key '{kid}' is corrupt"));
        let (signer, verifier, public_jwk) = match alg {
            Alg::EdDSA => {
                let pair = Ed25519KeyPair::from_bytes(secret)
                    .map_err(|_| corrupt())?
                    .with_key_id(kid);
                let public = pair.public_key();
                let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public.to_bytes()),
                    "kid": kid, "alg": "EdDSA", "use": "sig"});
                (Signer::EdDSA(pair), Verifier::EdDSA(public), Some(jwk))
            }
            Alg::ES256 => {
                let pair = ES256KeyPair::from_bytes(secret)
                    .map_err(|_| corrupt())?
                    .with_key_id(kid);
                let public = pair.public_key();
                let point = public.public_key().to_bytes_uncompressed();
                if point.len() != 65 {
                    return Err(corrupt());
                }
                let jwk = json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                    "y": URL_SAFE_NO_PAD.encode(&point[33..]), "kid": kid, "alg": "ES256", "use": "sig"});
                (Signer::ES256(pair), Verifier::ES256(public), Some(jwk))
            }
            Alg::HS256 => {
                if secret.len() < 32 {
                    return Err(corrupt());
                }
                let key = HS256Key::from_bytes(secret).with_key_id(kid);
                (Signer::HS256(key.clone()), Verifier::HS256(key), None)
            }
        };
        Ok(Self {
            kid: kid.to_owned(),
            alg,
            scope,
            retired_at: None,
            verify_until: None,
            signer,
            verifier,
            public_jwk,
        })
    }

    /// The public JWK (none for HS256, whose key is secret).
    pub fn public_jwk(&self) -> Option<&Value> {
        self.public_jwk.as_ref()
    }

    /// Whether tokens signed by this key can still be valid at `now`.
    pub fn still_verifies(&self, now: Timestamp) -> bool {
        self.verify_until.is_none_or(|until| until > now)
    }
}

/// The keys of one env: signing keys (newest first; the first signs) and data keys.
#[derive(Debug)]
pub struct EnvKeys {
    /// Signing keys, the current one first.
    pub signing: Vec<Arc<SigningKey>>,
    /// Data keys by kid; `current_data` encrypts.
    pub data: HashMap<String, DataKey>,
    /// The kid of the data key that encrypts new sessions.
    pub current_data: String,
}

impl EnvKeys {
    /// The key that signs new tokens.
    pub fn current_signing(&self) -> Option<&Arc<SigningKey>> {
        self.signing.first()
    }

    /// The data key that encrypts new session data.
    pub fn current_data_key(&self) -> Option<&DataKey> {
        self.data.get(&self.current_data)
    }
}

/// Every env's keys, parsed once from storage; an immutable snapshot swapped on change.
#[derive(Debug, Default)]
pub struct Keyring {
    envs: HashMap<Scope, EnvKeys>,
    by_kid: HashMap<String, Arc<SigningKey>>,
    unreadable: Vec<(Scope, String)>,
}

impl Keyring {
    /// Builds the keyring from stored records, decrypting each secret with the master key.
    /// An env with a key that does not decrypt (sealed by a node with another master key) is
    /// left out whole, and listed by [`Keyring::unreadable`], so the other envs
    /// keep working.
    ///
    /// # Errors
    /// [`Error::Internal`] when there are keys and none of them decrypts: the master key is
    /// not the one they were sealed with.
    pub fn load(records: &[EnvKeyRecord], master: &MasterKey) -> Result<Self> {
        let mut opened = Vec::with_capacity(records.len());
        let mut unreadable: Vec<(Scope, String)> = Vec::new();
        for rec in records {
            let scope = Scope {
                product: rec.product.clone(),
                env: rec.env.clone(),
            };
            match master.open(&rec.kid, &rec.sealed_secret) {
                Ok(secret) => opened.push((rec, secret)),
                Err(e) => unreadable.push((scope, format!("key '{}': {e}", rec.kid))),
            }
        }
        if opened.is_empty() && !records.is_empty() {
            return Err(Error::Internal(
                "no stored key decrypts with this master key: it is not the one the keys were sealed with".into(),
            ));
        }
        let mut ring = Self::default();
        // The unretired key first (it is the one that signs), then newest first. Rotation
        // retires every older key, so this holds even when two keys share a millisecond.
        opened.sort_by(|(a, _), (b, _)| {
            (a.retired_at.is_some(), b.created_at, &b.kid).cmp(&(
                b.retired_at.is_some(),
                a.created_at,
                &a.kid,
            ))
        });
        for (rec, secret) in opened {
            let scope = Scope {
                product: rec.product.clone(),
                env: rec.env.clone(),
            };
            if unreadable.iter().any(|(s, _)| *s == scope) {
                continue;
            }
            match rec.purpose {
                KeyPurpose::Signing => {
                    let alg = Alg::parse(&rec.alg).map_err(|_| {
                        Error::Internal(format!(
                            "signing key '{}' has unknown alg '{}'",
                            rec.kid, rec.alg
                        ))
                    })?;
                    let mut key = SigningKey::from_secret(&rec.kid, alg, scope.clone(), &secret)?;
                    key.retired_at = rec.retired_at;
                    key.verify_until = rec.verify_until;
                    let key = Arc::new(key);
                    ring.by_kid.insert(rec.kid.clone(), Arc::clone(&key));
                    ring.env_entry(scope).signing.push(key);
                }
                KeyPurpose::Data => {
                    let key = DataKey::from_bytes(rec.kid.clone(), &secret)?;
                    let env = ring.env_entry(scope);
                    if env.current_data.is_empty() {
                        env.current_data = rec.kid.clone();
                    }
                    env.data.insert(rec.kid.clone(), key);
                }
            }
        }
        ring.unreadable = unreadable;
        Ok(ring)
    }

    /// The envs left out because a key of theirs does not decrypt, with the reason.
    pub fn unreadable(&self) -> &[(Scope, String)] {
        &self.unreadable
    }

    fn env_entry(&mut self, scope: Scope) -> &mut EnvKeys {
        self.envs.entry(scope).or_insert_with(|| EnvKeys {
            signing: Vec::new(),
            data: HashMap::new(),
            current_data: String::new(),
        })
    }

    /// The keys of one env.
    pub fn env(&self, scope: &Scope) -> Option<&EnvKeys> {
        self.envs.get(scope)
    }

    /// The signing key with this kid, in any env.
    pub fn signing_key(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        self.by_kid.get(kid)
    }

    /// The env's public JWKS at `now`: asymmetric keys whose tokens may still be valid.
    pub fn jwks(&self, scope: &Scope, now: Timestamp) -> Value {
        let keys: Vec<&Value> = self
            .env(scope)
            .map(|env| {
                env.signing
                    .iter()
                    .filter(|k| k.still_verifies(now))
                    .filter_map(|k| k.public_jwk())
                    .collect()
            })
            .unwrap_or_default();
        json!({ "keys": keys })
    }
}

/// Generates the first signing key (EdDSA) and data key of an env, sealed for storage.
///
/// # Errors
/// [`Error::Internal`] if sealing fails.
pub fn new_env_keys(
    master: &MasterKey,
    scope: &Scope,
    now: Timestamp,
) -> Result<Vec<EnvKeyRecord>> {
    Ok(vec![
        new_signing_key_record(master, scope, Alg::EdDSA, now)?,
        new_data_key_record(master, scope, now)?,
    ])
}

/// A new signing key of `alg` for an env, sealed for storage.
///
/// # Errors
/// [`Error::Internal`] if sealing fails.
pub fn new_signing_key_record(
    master: &MasterKey,
    scope: &Scope,
    alg: Alg,
    now: Timestamp,
) -> Result<EnvKeyRecord> {
    let kid = crate::ids::new_prefixed_id("sig_");
    Ok(EnvKeyRecord {
        sealed_secret: master.seal(&kid, &alg.generate_secret())?,
        kid,
        product: scope.product.clone(),
        env: scope.env.clone(),
        purpose: KeyPurpose::Signing,
        alg: alg.as_str().to_owned(),
        created_at: now,
        retired_at: None,
        verify_until: None,
    })
}

fn new_data_key_record(master: &MasterKey, scope: &Scope, now: Timestamp) -> Result<EnvKeyRecord> {
    let kid = crate::ids::new_prefixed_id("dat_");
    Ok(EnvKeyRecord {
        sealed_secret: master.seal(&kid, &DataKey::generate_secret())?,
        kid,
        product: scope.product.clone(),
        env: scope.env.clone(),
        purpose: KeyPurpose::Data,
        alg: "A256GCM".to_owned(),
        created_at: now,
        retired_at: None,
        verify_until: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(product: &str) -> Scope {
        Scope {
            product: product.into(),
            env: "dev".into(),
        }
    }

    fn master() -> MasterKey {
        MasterKey::from_base64(&MasterKey::generate_base64()).expect("master key")
    }

    #[test]
    fn an_env_sealed_under_another_master_key_is_left_out_and_the_others_load() {
        let ours = master();
        let theirs = master();
        let t = Timestamp::from_secs(1_800_000_000);
        let mut records = new_env_keys(&ours, &scope("shop"), t).expect("keys");
        records.extend(new_env_keys(&theirs, &scope("blog"), t).expect("keys"));

        let ring = Keyring::load(&records, &ours).expect("loads what it can");
        assert!(ring.env(&scope("shop")).is_some());
        assert!(ring.env(&scope("blog")).is_none());
        assert_eq!(ring.unreadable().len(), 2, "{:?}", ring.unreadable());
        assert!(ring.unreadable().iter().all(|(s, _)| *s == scope("blog")));
    }

    #[test]
    fn a_master_key_that_opens_no_stored_key_is_refused() {
        let t = Timestamp::from_secs(1_800_000_000);
        let records = new_env_keys(&master(), &scope("shop"), t).expect("keys");
        assert!(matches!(
            Keyring::load(&records, &master()),
            Err(Error::Internal(message)) if message.contains("master key")
        ));
        assert!(Keyring::load(&[], &master()).is_ok(), "an empty database");
    }
}
