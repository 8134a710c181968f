//! Seals a value as h3's `useSession` or iron-session would, opens it again, and shows what a
//! wrong password and an expired seal answer.
//!
//! `cargo run -p hallpass-iron --example seal_and_unseal`

use std::time::{SystemTime, UNIX_EPOCH};

use hallpass_iron::{Passwords, SealError, SealOptions, seal, unseal};
use serde_json::json;

fn main() -> Result<(), SealError> {
    let passwords = Passwords::Single("a-password-of-at-least-32-characters!".into());
    let options = SealOptions {
        // One hour; 0 writes no expiry.
        ttl_ms: 3_600_000,
        ..SealOptions::default()
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));

    let sealed = seal(&json!({"user": "ann"}), &passwords, &options, now_ms)?;
    println!("sealed: {sealed}");
    println!("opened: {}", unseal(&sealed, &passwords, &options, now_ms)?);

    let wrong = Passwords::Single("another-password-of-32-characters-long".into());
    println!(
        "with another password: {}",
        unseal(&sealed, &wrong, &options, now_ms).expect_err("another password does not open it")
    );
    let two_hours_later = now_ms + 2 * 3_600_000;
    println!(
        "two hours later: {}",
        unseal(&sealed, &passwords, &options, two_hours_later).expect_err("it has expired")
    );
    Ok(())
}
