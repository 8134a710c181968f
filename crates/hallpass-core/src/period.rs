//! Lifetimes written as `expiry` + `period`, as session types declare them.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Longest lifetime hallpass accepts for a token or a session: one year of 365 days.
pub const MAX_LIFETIME_SECS: u64 = 365 * 24 * 3600;

/// The unit of an expiry. Singular forms are accepted on input; plural forms are written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
    /// Weeks.
    Weeks,
}

impl Period {
    /// Parses `seconds|minutes|hours|days|weeks`, singular forms too.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] listing the accepted units.
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        Ok(match s {
            "second" | "seconds" => Self::Seconds,
            "minute" | "minutes" => Self::Minutes,
            "hour" | "hours" => Self::Hours,
            "day" | "days" => Self::Days,
            "week" | "weeks" => Self::Weeks,
            _ => {
                return Err(Error::invalid(format!(
                    "{field} '{}' is not a period: use seconds, minutes, hours, days or weeks",
                    crate::ids::truncate_for_message(s)
                )));
            }
        })
    }

    /// Seconds in one unit.
    pub const fn unit_secs(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86_400,
            Self::Weeks => 604_800,
        }
    }

    /// The plural name written in answers.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
            Self::Weeks => "weeks",
        }
    }
}

/// `expiry` units of `period` in seconds, checked to lie between 1 second and one year.
///
/// # Errors
/// [`Error::InvalidRequest`] when the product is zero or longer than a year.
pub fn lifetime_secs(field: &str, expiry: u64, period: Period) -> Result<u64> {
    let secs = expiry.saturating_mul(period.unit_secs());
    if secs == 0 || secs > MAX_LIFETIME_SECS {
        return Err(Error::invalid(format!(
            "{field} must be between 1 second and 1 year, got {expiry} {}",
            period.as_str()
        )));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_and_plural_units_parse() {
        assert_eq!(Period::parse("period", "hour").unwrap(), Period::Hours);
        assert_eq!(Period::parse("period", "weeks").unwrap(), Period::Weeks);
        assert!(Period::parse("period", "fortnight").is_err());
    }

    #[test]
    fn lifetimes_are_bounded() {
        assert_eq!(lifetime_secs("expiry", 7, Period::Hours).unwrap(), 7 * 3600);
        assert!(lifetime_secs("expiry", 0, Period::Hours).is_err());
        assert_eq!(
            lifetime_secs("expiry", 365, Period::Days).unwrap(),
            31_536_000
        );
        assert!(lifetime_secs("expiry", 366, Period::Days).is_err());
        assert!(lifetime_secs("expiry", 53, Period::Weeks).is_err());
        assert!(lifetime_secs("expiry", u64::MAX, Period::Weeks).is_err());
    }
}
