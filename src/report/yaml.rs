//! `-o yaml`: the document of `-o json`, written as YAML (block style; every string
//! double-quoted with JSON's escapes, which YAML reads the same way, so no value can turn into a
//! number, a boolean or a comment).

use serde_json::Value;

use crate::engine::Analysis;

pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    emit(&super::json::value(analysis), 0, &mut out);
    super::json::escape_controls(out)
}

fn scalar(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        _ => return None,
    })
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && k.as_bytes()[0].is_ascii_alphabetic();
    if plain { k.to_string() } else { quote(k) }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&key(k));
                out.push(':');
                match scalar(v) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push('\n');
                        // Sequences under a key are indented like kubectl writes them.
                        emit(v, indent + 2, out);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match scalar(item) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        // The item's first line follows the dash; the rest align under it.
                        let mut inner = String::new();
                        emit(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start_matches(' '));
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_round_trip_through_the_yaml_loader() {
        let v = serde_json::json!({
            "diagnostics": [{"rule": "a", "n": 1, "related": [], "x": {"k": [1, "two: 2", null]}},
                            {"rule": "# not a comment", "ok": true}],
            "summary": {"files": 0},
            "odd key": "yes"
        });
        let mut out = String::new();
        emit(&v, 0, &mut out);
        let expected = "diagnostics:\n  - rule: \"a\"\n    n: 1\n    related: []\n    x:\n      k:\n        - 1\n        - \"two: 2\"\n        - null\n  - rule: \"# not a comment\"\n    ok: true\nsummary:\n  files: 0\n\"odd key\": \"yes\"\n";
        assert_eq!(out, expected);
    }
}
