//! Printing answers: JSON with `--json`, otherwise readable `key: value` lines.

use serde_json::Value;

/// Prints `value` as JSON or as text.
pub(crate) fn print(value: &Value, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        );
    } else {
        let mut out = String::new();
        human(value, 0, &mut out);
        print!("{out}");
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn human(value: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Object(inner) if !inner.is_empty() && k != "data" && k != "schema" => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        human(v, indent + 1, out);
                    }
                    Value::Array(items) if items.iter().any(Value::is_object) => {
                        out.push_str(&format!("{pad}{k}: {}\n", items.len()));
                        for item in items {
                            out.push_str(&format!("{pad}  -\n"));
                            human(item, indent + 2, out);
                        }
                    }
                    Value::Array(items) => {
                        let joined: Vec<String> = items.iter().map(scalar).collect();
                        out.push_str(&format!("{pad}{k}: {}\n", joined.join(", ")));
                    }
                    Value::Object(_) => out.push_str(&format!("{pad}{k}: {v}\n")),
                    _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(v))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn objects_print_as_key_value_lines() {
        let mut out = String::new();
        human(
            &json!({"sessionId": "s1", "identifier": null, "data": {"a": 1}, "sessions": [{"sessionId": "x"}]}),
            0,
            &mut out,
        );
        assert_eq!(
            out,
            "sessionId: s1\nidentifier: -\ndata: {\"a\":1}\nsessions: 1\n  -\n    sessionId: x\n"
        );
    }
}
