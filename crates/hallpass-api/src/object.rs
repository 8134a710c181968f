//! Nested objects read only from JSON objects. serde fills a struct from an array of its
//! fields in order too (`"cookie": ["sid", true]`), which no client means and the document does
//! not allow; these refuse it, as the body itself is refused unless it is an object.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// An optional object (`null` and absent are `None`).
///
/// # Errors
/// Anything but an object or `null`, and the inner type's errors.
pub fn optional<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: DeserializeOwned,
    D: Deserializer<'de>,
{
    Option::<Map<String, Value>>::deserialize(d)?
        .map(|map| T::deserialize(Value::Object(map)).map_err(D::Error::custom))
        .transpose()
}

/// A present field (even `null`) as `Some`, so that `null` can mean "clear"; the object as in
/// [`optional`].
///
/// # Errors
/// As [`optional`].
pub fn double_optional<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: DeserializeOwned,
    D: Deserializer<'de>,
{
    optional(d).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        name: Option<String>,
    }

    #[derive(Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "super::optional")]
        inner: Option<Inner>,
    }

    fn inner(json: &str) -> Result<Option<Inner>, String> {
        serde_json::from_str::<Outer>(json)
            .map(|o| o.inner)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn objects_and_null_are_read() {
        assert_eq!(
            inner(r#"{"inner": {"name": "sid"}}"#),
            Ok(Some(Inner {
                name: Some("sid".into())
            }))
        );
        assert_eq!(inner(r#"{"inner": null}"#), Ok(None));
        assert_eq!(inner("{}"), Ok(None));
    }

    #[test]
    fn arrays_of_the_fields_are_refused() {
        let err = inner(r#"{"inner": ["sid"]}"#).expect_err("an array");
        assert!(err.contains("expected a map"), "{err}");
        assert!(inner(r#"{"inner": {"name": 5}}"#).is_err());
    }
}
