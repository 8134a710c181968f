//! Round trips, tampering, expiry and options of seal and unseal.

use serde_json::json;

use super::*;

const NOW: i64 = 1_800_000_000_000;
const PASSWORD: &str = "a-password-of-at-least-32-characters!";

fn single() -> Passwords {
    Passwords::Single(PASSWORD.into())
}

fn map(current: &str) -> Passwords {
    Passwords::Map {
        current: current.into(),
        by_id: BTreeMap::from([
            (
                "old".into(),
                "the-old-password-of-32-characters-or-more".into(),
            ),
            (
                "new".into(),
                "the-new-password-of-32-characters-or-more".into(),
            ),
        ]),
    }
}

#[test]
fn a_seal_names_the_current_password_id() {
    let options = SealOptions::default();
    let sealed = seal(&json!(1), &map("old"), &options, NOW).unwrap();
    assert_eq!(password_id(&sealed), "old");
    assert_eq!(map("new").current_id(), "new");
    let sealed = seal(&json!(1), &single(), &options, NOW).unwrap();
    assert_eq!(password_id(&sealed), single().current_id());
    assert_eq!(password_id("not a seal"), "");
}

#[test]
fn every_algorithm_and_iteration_count_round_trips() {
    let value = json!({"id": "abc", "createdAt": 1, "data": {"user": "zoë", "n": [1, 2]}});
    for algorithm in [Algorithm::Aes256Cbc, Algorithm::Aes128Ctr] {
        for iterations in [1, 8192] {
            let options = SealOptions {
                algorithm,
                iterations,
                ..SealOptions::default()
            };
            let sealed = seal(&value, &single(), &options, NOW).unwrap();
            assert!(sealed.starts_with("Fe26.2**"), "{sealed}");
            assert_eq!(sealed.split('*').count(), 8);
            assert_eq!(unseal(&sealed, &single(), &options, NOW).unwrap(), value);
        }
    }
}

#[test]
fn salts_are_lowercase_hex_and_fields_base64url() {
    let sealed = seal(&json!(1), &single(), &SealOptions::default(), NOW).unwrap();
    let parts: Vec<&str> = sealed.split('*').collect();
    for salt in [parts[2], parts[6]] {
        assert_eq!(salt.len(), 64);
        assert!(
            salt.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
    for field in [parts[3], parts[4], parts[7]] {
        assert!(
            field
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
    assert_eq!(parts[5], "", "no ttl, no expiry");
}

#[test]
fn a_password_map_seals_with_its_current_id_and_opens_any_of_its_ids() {
    let sealed_old = seal(&json!("x"), &map("old"), &SealOptions::default(), NOW).unwrap();
    assert!(sealed_old.starts_with("Fe26.2*old*"), "{sealed_old}");
    assert_eq!(
        unseal(&sealed_old, &map("new"), &SealOptions::default(), NOW).unwrap(),
        json!("x")
    );
    let only_new = Passwords::Map {
        current: "new".into(),
        by_id: BTreeMap::from([(
            "new".into(),
            "the-new-password-of-32-characters-or-more".into(),
        )]),
    };
    assert_eq!(
        unseal(&sealed_old, &only_new, &SealOptions::default(), NOW),
        Err(SealError::UnknownPasswordId("old".into()))
    );
}

#[test]
fn expiry_is_the_ttl_in_milliseconds_with_the_skew_allowed() {
    let options = SealOptions {
        ttl_ms: 1000,
        ..SealOptions::default()
    };
    let sealed = seal(&json!(true), &single(), &options, NOW).unwrap();
    assert_eq!(sealed.split('*').nth(5), Some("1800000001000"));
    let open = |at| unseal(&sealed, &single(), &options, at);
    assert_eq!(open(NOW + 1000 + 59_999), Ok(json!(true)));
    assert_eq!(open(NOW + 1000 + 60_000), Err(SealError::Expired));
}

#[test]
fn tampering_with_any_field_is_rejected() {
    let sealed = seal(&json!({"a": 1}), &single(), &SealOptions::default(), NOW).unwrap();
    let parts: Vec<&str> = sealed.split('*').collect();
    for i in 0..8 {
        let mut altered = parts.clone();
        let changed = match parts[i] {
            "" => "1900000000000".to_owned(),
            field => {
                let mut bytes = field.as_bytes().to_vec();
                let last = bytes.len() - 1;
                bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes).unwrap()
            }
        };
        altered[i] = &changed;
        let result = unseal(&altered.join("*"), &single(), &SealOptions::default(), NOW);
        assert!(result.is_err(), "field {i} altered: {result:?}");
    }
}

#[test]
fn wrong_password_settings_and_garbage_are_typed_errors() {
    let sealed = seal(&json!(1), &single(), &SealOptions::default(), NOW).unwrap();
    let other = Passwords::Single("another-password-of-32-characters-min".into());
    assert_eq!(
        unseal(&sealed, &other, &SealOptions::default(), NOW),
        Err(SealError::BadMac)
    );
    let ctr = SealOptions {
        algorithm: Algorithm::Aes128Ctr,
        ..SealOptions::default()
    };
    assert!(matches!(
        unseal(&sealed, &single(), &ctr, NOW),
        Err(SealError::Undecryptable(_))
    ));
    for garbage in [
        "",
        "*",
        "Fe26.1*a*b*c*d*e*f*g",
        "Fe26.2**a*b*c*x1*f*g",
        &"*".repeat(100),
    ] {
        assert!(
            matches!(
                unseal(garbage, &single(), &SealOptions::default(), NOW),
                Err(SealError::Malformed(_))
            ),
            "{garbage:?}"
        );
    }
    assert!(matches!(
        seal(
            &json!(1),
            &Passwords::Single("short".into()),
            &SealOptions::default(),
            NOW
        ),
        Err(SealError::Password(_))
    ));
    let zero = SealOptions {
        iterations: 0,
        ..SealOptions::default()
    };
    assert!(matches!(
        seal(&json!(1), &single(), &zero, NOW),
        Err(SealError::Options(_))
    ));
}

#[test]
fn iron_sessions_version_suffix_is_accepted() {
    let sealed = seal(&json!({"u": 1}), &single(), &SealOptions::default(), NOW).unwrap();
    assert_eq!(
        unseal(
            &format!("{sealed}~2"),
            &single(),
            &SealOptions::default(),
            NOW
        ),
        Ok(json!({"u": 1}))
    );
}

#[test]
fn password_maps_are_validated_up_front() {
    assert!(map("new").validate().is_ok());
    assert!(map("missing").validate().is_err());
    let bad_id = Passwords::Map {
        current: "a-b".into(),
        by_id: BTreeMap::from([("a-b".into(), PASSWORD.into())]),
    };
    assert!(bad_id.validate().is_err());
    assert!(Passwords::Single("short".into()).validate().is_err());
}
