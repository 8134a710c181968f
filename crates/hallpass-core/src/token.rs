//! Session tokens: JWS compact JWTs with the session data encrypted in the `dat` claim.

use jwt_simple::JWTError;
use jwt_simple::prelude::{
    Duration, ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _, EdDSAKeyPairLike as _,
    EdDSAPublicKeyLike as _, JWTClaims, MACLike as _, Token, UnixTimeStamp, VerificationOptions,
};
use serde::{Deserialize, Serialize};

use crate::keys::{Keyring, Signer, SigningKey, Verifier};
use crate::model::Scope;
use crate::{Error, Result, Timestamp};

/// Longest token accepted for verification: what 64 KiB of data becomes once encrypted and
/// signed (about 1.8 times larger), with room to spare; larger bodies are refused earlier.
pub const MAX_TOKEN_LEN: usize = 192 * 1024;

/// Furthest `exp` accepted, from now: the longest token lifetime (1 year), plus a day for
/// clocks that differ between nodes.
const MAX_TOKEN_LIFETIME_SECS: i64 = crate::period::MAX_LIFETIME_SECS as i64 + 86_400;

/// hallpass's own claims, beside the registered `iss`, `sub`, `iat`, `exp`.
#[derive(Serialize, Deserialize)]
struct SessionClaims {
    sid: String,
    tag: String,
    prd: String,
    env: String,
    dat: String,
    /// The standard OpenID claim: when the user last authenticated (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth_time: Option<i64>,
    /// The standard OpenID claim: authentication methods references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amr: Option<Vec<String>>,
    /// The session data's version; absent for 0 (a session whose data never changed).
    #[serde(default, skip_serializing_if = "is_zero")]
    ver: i64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
const fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// What a session token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims {
    /// `sid`.
    pub session_id: String,
    /// `tag`.
    pub tag: String,
    /// `prd` and `env`.
    pub scope: Scope,
    /// `sub` (omitted when the session has no identifier).
    pub identifier: Option<String>,
    /// `iat` (whole seconds).
    pub issued_at: Timestamp,
    /// `exp` (whole seconds).
    pub expires_at: Timestamp,
    /// `dat`: the compact JWE of the session data.
    pub data_jwe: String,
    /// `auth_time` (whole seconds). Tokens issued before hallpass wrote it read as the epoch:
    /// "long ago", so no `maxAuthAge` accepts them.
    pub auth_time: Timestamp,
    /// `amr`, when the session has authentication methods.
    pub amr: Option<Vec<String>>,
    /// `ver`: the version of the session data the token carries.
    pub version: i64,
}

fn unix(ts: Timestamp) -> UnixTimeStamp {
    UnixTimeStamp::from_secs(u64::try_from(ts.as_secs()).unwrap_or(0))
}

fn from_unix(ts: UnixTimeStamp) -> Timestamp {
    Timestamp::from_secs(i64::try_from(ts.as_secs()).unwrap_or(i64::MAX))
}

/// Signs a token for `claims` with `key`; `issuer` becomes `iss`.
///
/// # Errors
/// [`Error::Internal`] if signing fails.
pub fn issue(key: &SigningKey, issuer: &str, claims: &TokenClaims) -> Result<String> {
    let jwt = JWTClaims {
        issued_at: Some(unix(claims.issued_at)),
        expires_at: Some(unix(claims.expires_at)),
        invalid_before: None,
        issuer: Some(issuer.to_owned()),
        subject: claims.identifier.clone(),
        audiences: None,
        jwt_id: None,
        nonce: None,
        custom: SessionClaims {
            sid: claims.session_id.clone(),
            tag: claims.tag.clone(),
            prd: claims.scope.product.clone(),
            env: claims.scope.env.clone(),
            dat: claims.data_jwe.clone(),
            auth_time: Some(claims.auth_time.as_secs()),
            amr: claims.amr.clone(),
            ver: claims.version,
        },
    };
    let signed = match &key.signer {
        Signer::EdDSA(k) => k.sign(jwt),
        Signer::ES256(k) => k.sign(jwt),
        Signer::HS256(k) => k.authenticate(jwt),
    };
    signed.map_err(|e| Error::Internal(format!("signing a token failed: {e}")))
}

fn malformed(why: &str) -> Error {
    Error::TokenMalformed(format!("the token is malformed: {why}"))
}

/// How long after its retirement a key's new tokens are still accepted. Other nodes sign with
/// a retired key until they learn of the rotation (milliseconds through the change feed, and
/// within the revocation catch-up's overlap in any case), and their clocks may differ a little.
pub const RETIRED_KEY_GRACE_SECS: i64 = 15;

/// Whether the token's header names a key id that `ring` does not hold (a key rotated in on
/// another node since `ring` was loaded, or a forged id). False for unreadable headers.
pub fn names_unknown_key(ring: &Keyring, token: &str) -> bool {
    Token::decode_metadata(token)
        .ok()
        .and_then(|meta| meta.key_id().map(|kid| ring.signing_key(kid).is_none()))
        .unwrap_or(false)
}

/// Verifies a token for the env `scope` and session type `tag` at `now`, in the order of
/// docs/API.md §3.4: signature, expiry, tag, product/env. Revocation is the caller's next step.
///
/// # Errors
/// `TokenMalformed`, `TokenSignatureInvalid`, `TokenExpired`, `TagMismatch` or
/// `WrongEnvironment`.
pub fn verify(
    ring: &Keyring,
    scope: &Scope,
    tag: &str,
    token: &str,
    now: Timestamp,
) -> Result<TokenClaims> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("it is longer than any token hallpass issues"));
    }
    let segments = token.split('.').count();
    if segments != 3 || token.split('.').any(str::is_empty) {
        return Err(malformed(
            "a JWS compact token has three non-empty base64url parts separated by dots",
        ));
    }
    let meta =
        Token::decode_metadata(token).map_err(|_| malformed("its header is not base64url JSON"))?;
    let alg = meta.algorithm();
    if alg.eq_ignore_ascii_case("none") {
        return Err(malformed("alg none is never accepted"));
    }
    let kid = meta
        .key_id()
        .ok_or_else(|| malformed("its header has no kid"))?;
    let Some(key) = ring.signing_key(kid) else {
        return Err(Error::TokenSignatureInvalid);
    };
    if alg != key.alg.as_str() {
        return Err(malformed(&format!(
            "alg {alg} is not the algorithm of its key ({})",
            key.alg.as_str()
        )));
    }
    let options = VerificationOptions {
        accept_future: true,
        time_tolerance: Some(Duration::from_secs(0)),
        artificial_time: Some(UnixTimeStamp::from_millis(
            u64::try_from(now.as_millis()).unwrap_or(0),
        )),
        max_token_length: Some(MAX_TOKEN_LEN),
        ..Default::default()
    };
    let verified = match &key.verifier {
        Verifier::EdDSA(k) => k.verify_token::<SessionClaims>(token, Some(options)),
        Verifier::ES256(k) => k.verify_token::<SessionClaims>(token, Some(options)),
        Verifier::HS256(k) => k.verify_token::<SessionClaims>(token, Some(options)),
    };
    let jwt = verified.map_err(|e| match e.downcast_ref::<JWTError>() {
        Some(JWTError::InvalidSignature | JWTError::InvalidAuthenticationTag) => {
            Error::TokenSignatureInvalid
        }
        Some(JWTError::TokenHasExpired) => Error::TokenExpired,
        _ => malformed("its signature or claims cannot be read"),
    })?;
    let (Some(iat), Some(exp)) = (jwt.issued_at, jwt.expires_at) else {
        return Err(malformed("it lacks iat or exp"));
    };
    let issued_at = from_unix(iat);
    let expires_at = from_unix(exp);
    if key
        .retired_at
        .is_some_and(|retired| issued_at > retired.plus_secs(RETIRED_KEY_GRACE_SECS))
    {
        return Err(Error::TokenSignatureInvalid);
    }
    if now >= expires_at {
        return Err(Error::TokenExpired);
    }
    // hallpass never issues `nbf` nor a token living longer than the longest lifetime it
    // allows: a signed token that says otherwise was not made by `issue`, so it is refused
    // rather than trusted for its claimed span.
    if jwt.invalid_before.is_some_and(|nbf| from_unix(nbf) > now) {
        return Err(malformed(
            "its nbf is in the future, and hallpass never issues tokens that start later",
        ));
    }
    if expires_at > now.plus_secs(MAX_TOKEN_LIFETIME_SECS) {
        return Err(malformed(
            "its exp is further away than the longest lifetime hallpass issues (1 year)",
        ));
    }
    let custom = jwt.custom;
    if custom.prd != key.scope.product || custom.env != key.scope.env {
        return Err(Error::TokenSignatureInvalid);
    }
    if custom.tag != tag {
        return Err(Error::TagMismatch {
            expected: tag.to_owned(),
            actual: custom.tag,
        });
    }
    if &key.scope != scope {
        return Err(Error::WrongEnvironment {
            product: custom.prd,
            env: custom.env,
        });
    }
    Ok(TokenClaims {
        session_id: custom.sid,
        tag: custom.tag,
        scope: key.scope.clone(),
        identifier: jwt.subject,
        issued_at,
        expires_at,
        data_jwe: custom.dat,
        auth_time: Timestamp::from_secs(custom.auth_time.unwrap_or(0)),
        amr: custom.amr,
        version: custom.ver,
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::keys::{Alg, new_env_keys, new_signing_key_record};
    use crate::secrets::MasterKey;

    const T0: Timestamp = Timestamp::from_secs(1_800_000_000);

    fn scope(env: &str) -> Scope {
        Scope {
            product: "shop".into(),
            env: env.into(),
        }
    }

    fn ring_with(algs: &[(&str, Alg)]) -> Keyring {
        let master = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let mut records = Vec::new();
        for (n, (env, alg)) in algs.iter().enumerate() {
            let mut keys = new_env_keys(&master, &scope(env), T0.plus_secs(n as i64)).unwrap();
            keys[0] =
                new_signing_key_record(&master, &scope(env), *alg, T0.plus_secs(n as i64)).unwrap();
            records.extend(keys);
        }
        Keyring::load(&records, &master).unwrap()
    }

    fn claims(env: &str) -> TokenClaims {
        TokenClaims {
            session_id: "s1".into(),
            tag: "user-session".into(),
            scope: scope(env),
            identifier: Some("u1".into()),
            issued_at: T0,
            expires_at: T0.plus_secs(60),
            data_jwe: "x..y.z.w".into(),
            auth_time: T0.plus_secs(-30),
            amr: Some(vec!["pwd".into(), "otp".into()]),
            version: 2,
        }
    }

    fn sign(ring: &Keyring, env: &str) -> String {
        let key = ring.env(&scope(env)).unwrap().current_signing().unwrap();
        issue(key, "http://issuer", &claims(env)).unwrap()
    }

    #[test]
    fn every_algorithm_round_trips() {
        for alg in [Alg::EdDSA, Alg::ES256, Alg::HS256] {
            let ring = ring_with(&[("dev", alg)]);
            let token = sign(&ring, "dev");
            let header: serde_json::Value = serde_json::from_slice(
                &URL_SAFE_NO_PAD
                    .decode(token.split('.').next().unwrap())
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(header["alg"], alg.as_str());
            assert_eq!(header["typ"], "JWT");
            assert!(header["kid"].as_str().unwrap().starts_with("sig_"));
            let got = verify(
                &ring,
                &scope("dev"),
                "user-session",
                &token,
                T0.plus_secs(1),
            )
            .unwrap();
            assert_eq!(got, claims("dev"));
        }
    }

    #[test]
    fn expiry_is_decided_by_now_without_sleeping() {
        let ring = ring_with(&[("dev", Alg::EdDSA)]);
        let token = sign(&ring, "dev");
        assert!(
            verify(
                &ring,
                &scope("dev"),
                "user-session",
                &token,
                T0.plus_millis(59_999)
            )
            .is_ok()
        );
        assert_eq!(
            verify(
                &ring,
                &scope("dev"),
                "user-session",
                &token,
                T0.plus_secs(60)
            ),
            Err(Error::TokenExpired)
        );
    }

    #[test]
    fn tag_and_environment_are_checked_after_the_signature() {
        let ring = ring_with(&[("dev", Alg::EdDSA), ("prd", Alg::EdDSA)]);
        let token = sign(&ring, "dev");
        assert!(matches!(
            verify(&ring, &scope("dev"), "admin", &token, T0),
            Err(Error::TagMismatch { .. })
        ));
        assert!(matches!(
            verify(&ring, &scope("prd"), "user-session", &token, T0),
            Err(Error::WrongEnvironment { .. })
        ));
    }

    #[test]
    fn a_token_of_a_key_another_ring_holds_names_an_unknown_key() {
        let theirs = ring_with(&[("dev", Alg::EdDSA)]);
        let ours = ring_with(&[("dev", Alg::EdDSA)]);
        let token = sign(&theirs, "dev");
        assert!(names_unknown_key(&ours, &token));
        assert!(!names_unknown_key(&theirs, &token));
        assert!(!names_unknown_key(&ours, "not.a.token"));
        assert_eq!(
            verify(&ours, &scope("dev"), "user-session", &token, T0).unwrap_err(),
            Error::TokenSignatureInvalid
        );
    }

    #[test]
    fn altered_tokens_fail_the_signature() {
        let ring = ring_with(&[("dev", Alg::EdDSA)]);
        let token = sign(&ring, "dev");
        let mut parts: Vec<&str> = token.split('.').collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
            .unwrap()
            .replace("u1", "u2");
        let forged = URL_SAFE_NO_PAD.encode(payload);
        parts[1] = &forged;
        assert_eq!(
            verify(&ring, &scope("dev"), "user-session", &parts.join("."), T0),
            Err(Error::TokenSignatureInvalid)
        );
    }

    /// A token signed with the dev key whose claims `edit` changed: what a holder of the key could
    /// sign beyond what `issue` ever writes.
    fn sign_custom(ring: &Keyring, edit: impl FnOnce(&mut JWTClaims<SessionClaims>)) -> String {
        let c = claims("dev");
        let mut jwt = JWTClaims {
            issued_at: Some(unix(c.issued_at)),
            expires_at: Some(unix(c.expires_at)),
            invalid_before: None,
            issuer: Some("http://issuer".into()),
            subject: c.identifier,
            audiences: None,
            jwt_id: None,
            nonce: None,
            custom: SessionClaims {
                sid: c.session_id,
                tag: c.tag,
                prd: c.scope.product,
                env: c.scope.env,
                dat: c.data_jwe,
                auth_time: Some(c.auth_time.as_secs()),
                amr: c.amr,
                ver: c.version,
            },
        };
        edit(&mut jwt);
        let key = ring.env(&scope("dev")).unwrap().current_signing().unwrap();
        let Signer::EdDSA(k) = &key.signer else {
            panic!("EdDSA key expected")
        };
        k.sign(jwt).unwrap()
    }

    #[test]
    fn a_signed_token_with_a_future_nbf_is_refused() {
        let ring = ring_with(&[("dev", Alg::EdDSA)]);
        let later = sign_custom(&ring, |jwt| {
            jwt.invalid_before = Some(unix(T0.plus_secs(30)));
        });
        assert!(matches!(
            verify(&ring, &scope("dev"), "user-session", &later, T0),
            Err(Error::TokenMalformed(m)) if m.contains("nbf")
        ));
        // Once nbf has passed, the same token is an ordinary one.
        assert!(
            verify(
                &ring,
                &scope("dev"),
                "user-session",
                &later,
                T0.plus_secs(30)
            )
            .is_ok()
        );
    }

    #[test]
    fn a_signed_token_with_an_exp_beyond_any_lifetime_is_refused() {
        let ring = ring_with(&[("dev", Alg::EdDSA)]);
        for exp in [
            UnixTimeStamp::from_secs(1 << 63),
            unix(T0.plus_secs(MAX_TOKEN_LIFETIME_SECS + 1)),
        ] {
            let forever = sign_custom(&ring, |jwt| jwt.expires_at = Some(exp));
            assert!(matches!(
                verify(&ring, &scope("dev"), "user-session", &forever, T0),
                Err(Error::TokenMalformed(m)) if m.contains("exp")
            ));
        }
        let year = sign_custom(&ring, |jwt| {
            jwt.expires_at = Some(unix(T0.plus_secs(365 * 86_400)));
        });
        assert!(verify(&ring, &scope("dev"), "user-session", &year, T0).is_ok());
    }

    #[test]
    fn malformed_tokens_and_alg_confusion_are_rejected() {
        let ring = ring_with(&[("dev", Alg::EdDSA)]);
        let token = sign(&ring, "dev");
        let parts: Vec<&str> = token.split('.').collect();
        let header_with = |alg: &str| {
            let kid = ring
                .env(&scope("dev"))
                .unwrap()
                .current_signing()
                .unwrap()
                .kid
                .clone();
            URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"JWT"}}"#))
        };
        let none = format!("{}.{}.", header_with("none"), parts[1]);
        let hs = format!("{}.{}.{}", header_with("HS256"), parts[1], parts[2]);
        for bad in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            &token[..token.len() / 2],
            &none,
            &hs,
            &"a.".repeat(60_000),
        ] {
            assert!(
                matches!(
                    verify(&ring, &scope("dev"), "user-session", bad, T0),
                    Err(Error::TokenMalformed(_))
                ),
                "{}",
                &bad[..bad.len().min(40)]
            );
        }
    }
}
