//! Session data schemas (docs/API.md §2.3): an example object, or a JSON Schema document.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::{Error, Result};

/// The most offending paths listed in one `schema_violation` message.
const MAX_REPORTED: usize = 20;

/// A compiled schema, ready to check session data.
#[derive(Clone)]
pub enum Schema {
    /// No schema: any data object is accepted.
    Any,
    /// An example object: data must contain every key, recursively, with the same JSON type
    /// (`null` in the example means any type; extra keys are allowed).
    Example(Value),
    /// A JSON Schema document (the schema has a top-level `"$schema"` key).
    JsonSchema(Arc<jsonschema::Validator>),
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("Schema::Any"),
            Self::Example(v) => write!(f, "Schema::Example({v})"),
            Self::JsonSchema(_) => f.write_str("Schema::JsonSchema(..)"),
        }
    }
}

impl Schema {
    /// Compiles the `schema` field of a session type.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the schema is neither null, an object, nor a valid JSON
    /// Schema document.
    pub fn compile(schema: &Value) -> Result<Self> {
        match schema {
            Value::Null => Ok(Self::Any),
            Value::Object(map) if map.contains_key("$schema") => jsonschema::validator_for(schema)
                .map(|v| Self::JsonSchema(Arc::new(v)))
                .map_err(|e| {
                    Error::invalid(format!("schema is not a valid JSON Schema document: {e}"))
                }),
            Value::Object(_) => Ok(Self::Example(schema.clone())),
            _ => Err(Error::invalid(
                "schema must be an example object (or a JSON Schema document with a \"$schema\" key)",
            )),
        }
    }

    /// Checks session data against the schema.
    ///
    /// # Errors
    /// [`Error::SchemaViolation`] listing every offending path, like
    /// `details.email: expected string, got number`.
    pub fn check(&self, data: &Value) -> Result<()> {
        let mut problems = Vec::new();
        match self {
            Self::Any => {}
            Self::Example(example) => {
                check_example(example, data, &mut String::new(), &mut problems)
            }
            Self::JsonSchema(validator) => {
                for err in validator.iter_errors(data) {
                    let path = err.instance_path.to_string();
                    let path = if path.is_empty() {
                        "(root)".to_owned()
                    } else {
                        path
                    };
                    problems.push(format!("{path}: {err}"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            let extra = problems.len().saturating_sub(MAX_REPORTED);
            problems.truncate(MAX_REPORTED);
            if extra > 0 {
                problems.push(format!("and {extra} more"));
            }
            Err(Error::SchemaViolation(problems))
        }
    }
}

/// The JSON type name used in messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_example(example: &Value, data: &Value, path: &mut String, problems: &mut Vec<String>) {
    if example.is_null() {
        return;
    }
    let label = || {
        if path.is_empty() {
            "(root)".to_owned()
        } else {
            path.clone()
        }
    };
    if std::mem::discriminant(example) != std::mem::discriminant(data) {
        problems.push(format!(
            "{}: expected {}, got {}",
            label(),
            type_name(example),
            type_name(data)
        ));
        return;
    }
    if let (Value::Object(want), Value::Object(have)) = (example, data) {
        for (key, want_value) in want {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            match have.get(key) {
                Some(have_value) => check_example(want_value, have_value, path, problems),
                None => problems.push(format!(
                    "{path}: missing (expected {})",
                    if want_value.is_null() {
                        "any type"
                    } else {
                        type_name(want_value)
                    }
                )),
            }
            path.truncate(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn violations(schema: Value, data: Value) -> Vec<String> {
        match Schema::compile(&schema).unwrap().check(&data) {
            Ok(()) => vec![],
            Err(Error::SchemaViolation(v)) => v,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn example_schema_requires_every_key_with_its_type() {
        let schema = json!({"userId": "u", "details": {"username": "x", "email": "e"}, "n": 1});
        assert!(violations(schema.clone(), json!({"userId": "a", "details": {"username": "b", "email": "c"}, "n": 2.5, "extra": true})).is_empty());
        let v = violations(schema, json!({"userId": 5, "details": {"email": 7}}));
        assert_eq!(
            v,
            vec![
                "userId: expected string, got number",
                "details.username: missing (expected string)",
                "details.email: expected string, got number",
                "n: missing (expected number)",
            ]
        );
    }

    #[test]
    fn null_in_the_example_means_any_type_but_the_key_must_be_there() {
        assert!(violations(json!({"a": null}), json!({"a": [1]})).is_empty());
        assert!(violations(json!({"a": null}), json!({"a": null})).is_empty());
        assert_eq!(
            violations(json!({"d": {"a": null}}), json!({"d": {}})),
            vec!["d.a: missing (expected any type)"]
        );
    }

    #[test]
    fn arrays_and_booleans_are_types_too() {
        let v = violations(
            json!({"p": ["read"], "b": true}),
            json!({"p": "read", "b": "yes"}),
        );
        assert_eq!(
            v,
            vec![
                "p: expected array, got string",
                "b: expected boolean, got string"
            ]
        );
    }

    #[test]
    fn json_schema_documents_are_validated_as_json_schema() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}}
        });
        assert!(violations(schema.clone(), json!({"email": "a@b"})).is_empty());
        let v = violations(schema, json!({"email": 3}));
        assert_eq!(v.len(), 1);
        assert!(v[0].starts_with("/email: "), "{v:?}");
    }

    #[test]
    fn invalid_schemas_are_rejected_at_compile_time() {
        assert!(Schema::compile(&json!("string")).is_err());
        assert!(
            Schema::compile(
                &json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": 12})
            )
            .is_err()
        );
    }
}
