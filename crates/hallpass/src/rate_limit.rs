//! A token bucket per client address for failed authentications, so a key cannot be guessed
//! at line rate. Successful requests never consume tokens.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use hallpass_core::{Error, Result, Timestamp};

/// Most addresses tracked at once; beyond it, full buckets are dropped first.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug)]
pub(crate) struct FailureLimiter {
    burst: f64,
    refill_per_sec: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Timestamp)>>,
}

impl FailureLimiter {
    pub(crate) fn new(burst: u32, refill_per_sec: f64) -> Self {
        Self {
            burst: f64::from(burst),
            refill_per_sec,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn level(&self, (tokens, at): (f64, Timestamp), now: Timestamp) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let elapsed = (now.as_millis() - at.as_millis()).max(0) as f64 / 1000.0;
        (tokens + elapsed * self.refill_per_sec).min(self.burst)
    }

    /// Fails with [`Error::RateLimited`] while `ip` has no failures left.
    pub(crate) fn check(&self, ip: IpAddr, now: Timestamp) -> Result<()> {
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match buckets.get(&ip) {
            Some(bucket) if self.level(*bucket, now) < 1.0 => {
                let missing = 1.0 - self.level(*bucket, now);
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let retry_after_secs = (missing / self.refill_per_sec).ceil().max(1.0) as u64;
                Err(Error::RateLimited { retry_after_secs })
            }
            _ => Ok(()),
        }
    }

    /// Records one failed authentication from `ip`.
    pub(crate) fn record_failure(&self, ip: IpAddr, now: Timestamp) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&ip) {
            let burst = self.burst;
            buckets.retain(|_, b| self.level(*b, now) < burst);
            if buckets.len() >= MAX_TRACKED {
                return;
            }
        }
        let level = buckets.get(&ip).map_or(self.burst, |b| self.level(*b, now));
        buckets.insert(ip, ((level - 1.0).max(0.0), now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_burst_are_limited_until_refilled() {
        let limiter = FailureLimiter::new(3, 1.0);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t0 = Timestamp::from_secs(1000);
        for _ in 0..3 {
            assert!(limiter.check(ip, t0).is_ok());
            limiter.record_failure(ip, t0);
        }
        assert_eq!(
            limiter.check(ip, t0),
            Err(Error::RateLimited {
                retry_after_secs: 1
            })
        );
        assert!(limiter.check("127.0.0.2".parse().unwrap(), t0).is_ok());
        assert!(limiter.check(ip, t0.plus_secs(1)).is_ok());
    }
}
