//! Writing TOML: keys, strings and raw values, the inverse of `node.rs`. Knows nothing of
//! tenders or bids.

use std::fmt::Write as _;

use super::node::{Node, Value};
use crate::value::Scalar;

/// A key, bare when TOML allows it, else quoted.
pub(crate) fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') { k.to_owned() } else { toml_string(k) }
}

/// A TOML basic string with escapes.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as TOML text (tables inline).
pub(crate) fn value(n: &Node) -> String {
    match &n.value {
        Value::String(s) => toml_string(s),
        // A number that did not parse never reaches the writer (`whatif` and validation refuse
        // it first); `nan` would be refused again.
        Value::Integer(n) => n.map_or_else(|_| String::from("nan"), |d| d.to_string()),
        // A float stays a float (`6e2` is 600.0, not the integer 600, which a count accepts).
        Value::Float(n) => n.map_or_else(
            |_| String::from("nan"),
            |d| {
                let s = d.to_string();
                if s.contains('.') { s } else { format!("{s}.0") }
            },
        ),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(value).collect::<Vec<_>>().join(", ")),
        Value::Table(t) => {
            let items: Vec<String> = t.entries.iter().map(|e| format!("{} = {}", toml_key(&e.key), value(&e.node))).collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// A scalar as TOML, exactly as held (`1.50` stays `1.50`).
pub(crate) fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => toml_string(t),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(d) => d.to_string(),
        Scalar::Date(d) => d.to_string(),
    }
}

/// A scalar as the shortest TOML literal (`1.50` is written `1.5`), for changes shown to people
/// and command lines.
pub(crate) fn scalar_short(s: &Scalar) -> String {
    match s {
        Scalar::Number(d) => d.normalize().to_string(),
        other => scalar(other),
    }
}
