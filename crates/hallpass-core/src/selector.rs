//! `$Session{a}{b}` selectors: which part of the session data identifies the user.

use serde_json::Value;

use crate::{Error, Result};

/// The longest selector path accepted.
const MAX_DEPTH: usize = 16;

/// A parsed selector: the path of keys into the session data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    path: Vec<String>,
}

impl Selector {
    /// Parses `$Session{a}{b}`.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] showing the expected form.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(format!(
                "selector '{}' is not valid: write it as $Session{{key}} or $Session{{key}}{{nested}}",
                crate::ids::truncate_for_message(s)
            ))
        };
        let mut rest = s.strip_prefix("$Session").ok_or_else(bad)?;
        let mut path = Vec::new();
        while !rest.is_empty() {
            let inner = rest.strip_prefix('{').ok_or_else(bad)?;
            let end = inner.find('}').ok_or_else(bad)?;
            let key = &inner[..end];
            if key.is_empty() || key.contains('{') {
                return Err(bad());
            }
            path.push(key.to_owned());
            rest = &inner[end + 1..];
        }
        if path.is_empty() || path.len() > MAX_DEPTH {
            return Err(bad());
        }
        Ok(Self { path })
    }

    /// Picks the identifier out of session data: a string, or a number written as a string.
    ///
    /// # Errors
    /// [`Error::SelectorUnresolved`] when the path is missing or leads to another type.
    pub fn resolve(&self, data: &Value) -> Result<String> {
        let mut at = data;
        for key in &self.path {
            at = at.get(key).ok_or_else(|| {
                Error::SelectorUnresolved(format!(
                    "selector {} found no value at data.{}: include it in the data or pass identifier explicitly",
                    self,
                    self.path.join(".")
                ))
            })?;
        }
        match at {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(Error::SelectorUnresolved(format!(
                "selector {} picks a value of type {} at data.{}: the identifier must be a string or a number",
                self,
                match other {
                    Value::Null => "null",
                    Value::Bool(_) => "boolean",
                    Value::Array(_) => "array",
                    _ => "object",
                },
                self.path.join(".")
            ))),
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("$Session")?;
        for key in &self.path {
            write!(f, "{{{key}}}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_selectors_pick_strings_and_numbers() {
        let data = json!({"userId": "u1", "details": {"username": "ann", "n": 42}});
        assert_eq!(
            Selector::parse("$Session{userId}")
                .unwrap()
                .resolve(&data)
                .unwrap(),
            "u1"
        );
        assert_eq!(
            Selector::parse("$Session{details}{username}")
                .unwrap()
                .resolve(&data)
                .unwrap(),
            "ann"
        );
        assert_eq!(
            Selector::parse("$Session{details}{n}")
                .unwrap()
                .resolve(&data)
                .unwrap(),
            "42"
        );
    }

    #[test]
    fn missing_or_non_scalar_values_do_not_resolve() {
        let data = json!({"details": {"x": true}});
        for sel in [
            "$Session{userId}",
            "$Session{details}",
            "$Session{details}{x}",
        ] {
            let err = Selector::parse(sel).unwrap().resolve(&data).unwrap_err();
            assert!(matches!(err, Error::SelectorUnresolved(_)), "{sel}");
        }
    }

    #[test]
    fn malformed_selectors_are_rejected() {
        for bad in [
            "",
            "$Session",
            "userId",
            "$Session{}",
            "$Session{a",
            "$Session{a}b",
            "$session{a}",
            "$Session{a{b}}",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Selector::parse("$Session{a}{b}").unwrap().to_string(),
            "$Session{a}{b}"
        );
    }
}
