//! The in-process EdDSA verify rate: what one core does when all it does is check Ed25519
//! signatures of tokens the size of hallpass's, with the same library hallpass uses. Verify
//! with tokens never seen before is compared with it.

use std::time::{Duration, Instant};

use jwt_simple::prelude::{
    Claims, Duration as JwtDuration, Ed25519KeyPair, EdDSAKeyPairLike as _, EdDSAPublicKeyLike as _,
};
use serde_json::{Value, json};

/// Verifies one token over and over for `seconds` and prints the rate as a SUMMARY line.
pub(crate) fn run(seconds: u64) -> anyhow::Result<()> {
    let pair = Ed25519KeyPair::generate();
    let public = pair.public_key();
    let claims = Claims::with_custom_claims(
        json!({"dat": "x".repeat(200), "tag": "user-session", "prd": "demo", "env": "dev"}),
        JwtDuration::from_hours(1),
    );
    let token = pair.sign(claims)?;
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut verified: u64 = 0;
    while Instant::now() < until {
        for _ in 0..100 {
            public.verify_token::<Value>(&token, None)?;
        }
        verified += 100;
    }
    let elapsed = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = verified as f64 / elapsed;
    println!(
        "SUMMARY|EdDSA verify in process (1 core)|-|{verified} verifies, {seconds} s|{rate:.0}|{:.1} us each|-|-|jwt-simple, as hallpass",
        1e6 / rate
    );
    Ok(())
}
