//! Fuzz target: `unseal` of any input, with a single password and with a password map, must
//! answer a value or a typed error, never panic. Mutations of a valid seal reach past the
//! format checks, into the MAC and decryption paths.
#![no_main]

use std::collections::BTreeMap;

use hallpass_iron::{self as seal, Passwords, SealOptions};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "a-password-of-at-least-32-characters!";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let single = Passwords::Single(PASSWORD.into());
    let map = Passwords::Map {
        current: "a".into(),
        by_id: BTreeMap::from([
            ("a".into(), PASSWORD.into()),
            ("default".into(), PASSWORD.into()),
        ]),
    };
    for passwords in [&single, &map] {
        let _ = seal::unseal(text, passwords, &SealOptions::default(), 1_800_000_000_000);
    }
});
