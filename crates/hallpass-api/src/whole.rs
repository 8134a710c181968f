//! Whole numbers as JSON writes them: `30`, and `30.0` too. JSON Schema counts both as an
//! `integer`, and some JSON writers (Python's for a float) send the second; a fraction, a sign
//! or a value out of the field's range is still refused, naming the range.

use serde::{Deserialize, Deserializer};

/// 2^64: no `u64` is this large, and every whole `f64` below it is one.
const TWO_TO_THE_64: f64 = 18_446_744_073_709_551_616.0;

fn to_whole<T, E>(n: &serde_json::Number) -> Result<T, E>
where
    T: TryFrom<u64> + num_bound::Max,
    E: serde::de::Error,
{
    let value = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..TWO_TO_THE_64).contains(f))
            // Whole and below 2^64, so the cast is exact; `T::try_from` checks T's range.
            .map(|f| f as u64)
    });
    value.and_then(|v| T::try_from(v).ok()).ok_or_else(|| {
        E::custom(format!(
            "expected a whole number from 0 to {}, got {n}",
            T::MAX
        ))
    })
}

/// An optional whole number (`null` and absent are `None`).
///
/// # Errors
/// A fraction, a negative number or one beyond `T`'s range.
pub fn optional<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: TryFrom<u64> + num_bound::Max,
    D: Deserializer<'de>,
{
    Option::<serde_json::Number>::deserialize(d)?
        .map(|n| to_whole(&n))
        .transpose()
}

/// A present field (even `null`) as `Some`, so that `null` can mean "clear"; the number as in
/// [`optional`].
///
/// # Errors
/// As [`optional`].
pub fn double_optional<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: TryFrom<u64> + num_bound::Max,
    D: Deserializer<'de>,
{
    optional(d).map(Some)
}

/// The largest value of the number types these fields use, for the error message.
pub mod num_bound {
    /// The type's largest value.
    pub trait Max: std::fmt::Display {
        /// The largest value.
        const MAX: Self;
    }

    impl Max for u32 {
        const MAX: Self = u32::MAX;
    }

    impl Max for u64 {
        const MAX: Self = u64::MAX;
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::optional")]
        limit: Option<u32>,
    }

    fn limit(json: &str) -> Result<Option<u32>, String> {
        serde_json::from_str::<Body>(json)
            .map(|b| b.limit)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_are_read_however_written() {
        assert_eq!(limit(r#"{"limit": 30}"#), Ok(Some(30)));
        assert_eq!(limit(r#"{"limit": 30.0}"#), Ok(Some(30)));
        assert_eq!(limit(r#"{"limit": 3e1}"#), Ok(Some(30)));
        assert_eq!(limit(r#"{"limit": null}"#), Ok(None));
        assert_eq!(limit("{}"), Ok(None));
    }

    #[test]
    fn fractions_signs_and_overflow_are_refused_with_the_range() {
        for bad in ["30.5", "-1", "-0.5", "4294967296", "1e300"] {
            let err = limit(&format!(r#"{{"limit": {bad}}}"#)).expect_err(bad);
            assert!(
                err.contains("expected a whole number from 0 to 4294967295"),
                "{bad}: {err}"
            );
        }
        assert!(limit(r#"{"limit": "30"}"#).is_err());
    }
}
