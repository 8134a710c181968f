//! Seal and unseal rates on one core (`hallpass_iron`), with the same value, password
//! and options as the iron-webcrypto side of `bench/seal.sh`, so that the two make a ratio.

use std::time::{Duration, Instant};

use hallpass_iron::{self as seal, Passwords, SealOptions};
use serde_json::json;

/// The password both sides use.
pub(crate) const PASSWORD: &str = "a-password-of-at-least-32-characters!";

/// Seals, then unseals, for `seconds` each; prints one SUMMARY line per operation.
pub(crate) fn run(seconds: u64, iterations: u32) -> anyhow::Result<()> {
    let value = json!({
        "id": "2f1c3a0e-7d4b-4e8a-9a55-0c6f1d2e3b4a",
        "createdAt": 1_764_500_000_000_i64,
        "data": {"userId": "user-123", "email": "user@example.com", "roles": ["admin"]}
    });
    let passwords = Passwords::Single(PASSWORD.into());
    let options = SealOptions {
        iterations,
        ..SealOptions::default()
    };
    let now = 1_764_500_000_000;
    let sealed = seal::seal(&value, &passwords, &options, now)?;
    let seal_rate = rate(seconds, || {
        seal::seal(&value, &passwords, &options, now).map(drop)
    })?;
    let unseal_rate = rate(seconds, || {
        seal::unseal(&sealed, &passwords, &options, now).map(drop)
    })?;
    for (what, ops) in [("seal", seal_rate), ("unseal", unseal_rate)] {
        println!(
            "SUMMARY|{what}, hallpass (Rust, 1 core)|-|{iterations} iteration(s), {seconds} s|{ops:.0}|{:.1} us each|-|-|hallpass_iron",
            1e6 / ops
        );
    }
    Ok(())
}

/// Calls `op` for `seconds`; answers calls per second.
fn rate(seconds: u64, mut op: impl FnMut() -> Result<(), seal::SealError>) -> anyhow::Result<f64> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut calls: u64 = 0;
    while Instant::now() < until {
        for _ in 0..100 {
            op()?;
        }
        calls += 100;
    }
    #[allow(clippy::cast_precision_loss)]
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}
