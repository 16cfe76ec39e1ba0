//! Reading typed values out of the raw tree, collecting every problem: missing keys,
//! unknown keys (with "did you mean"), and values of the wrong type.

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Span, did_you_mean, one_of_list};
use crate::exact::{NUMBER_LIMIT, NumberError, parse_float};
use crate::load::node::{Node, Table, Value};
use crate::value::Date;

/// Where diagnostics go while a file is read.
pub(crate) type Sink = Vec<Diagnostic>;

/// A table being read: which keys it may have and what to call it in messages.
pub(crate) struct Fields<'a> {
    table: &'a Table,
    at: Span,
    name: String,
    allowed: &'static [&'static str],
}

impl<'a> Fields<'a> {
    /// Read `table` (written at `at`, called `name` in messages, e.g. "`[tender]`").
    /// Reports every key not in `allowed`.
    pub(crate) fn new(
        table: &'a Table,
        at: Span,
        name: impl Into<String>,
        allowed: &'static [&'static str],
        sink: &mut Sink,
    ) -> Fields<'a> {
        Fields::new_with_hint(table, at, name, allowed, None, sink)
    }

    /// As [`Fields::new`], adding `hint` to the help of every unknown key (when a common
    /// mistake explains it better than "did you mean").
    pub(crate) fn new_with_hint(
        table: &'a Table,
        at: Span,
        name: impl Into<String>,
        allowed: &'static [&'static str],
        hint: Option<&str>,
        sink: &mut Sink,
    ) -> Fields<'a> {
        let f = Fields { table, at, name: name.into(), allowed };
        for e in &table.entries {
            if !allowed.contains(&&*e.key) {
                let mut d = Diagnostic::error("unknown-key", e.key_span, format!("unknown key `{}` in {}", e.key, f.name))
                    .with_label("not a key here");
                let help = match did_you_mean(&e.key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? keys here: {}", one_of_list(allowed.iter().copied())),
                    None => format!("keys here: {}", one_of_list(allowed.iter().copied())),
                };
                d = d.with_help(match hint {
                    Some(h) => format!("{help}; {h}"),
                    None => help,
                });
                sink.push(d);
            }
        }
        f
    }

    /// An optional value.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        debug_assert!(self.allowed.contains(&key), "reading undeclared key {key}");
        self.table.get(key).map(|e| &e.node)
    }

    /// The span of a key, if present.
    pub(crate) fn key_span(&self, key: &str) -> Option<Span> {
        self.table.get(key).map(|e| e.key_span)
    }

    /// A required value; reports `missing-key` at the table.
    pub(crate) fn required(&self, key: &str, sink: &mut Sink) -> Option<&'a Node> {
        let n = self.get(key);
        if n.is_none() {
            sink.push(
                Diagnostic::error("missing-key", self.at, format!("missing key `{key}` in {}", self.name))
                    .with_label(format!("`{key}` is required here"))
                    .with_help(format!("add `{key} = …` to {}", self.name)),
            );
        }
        n
    }

    /// A required string.
    pub(crate) fn req_str(&self, key: &str, sink: &mut Sink) -> Option<(String, Span)> {
        self.required(key, sink).and_then(|n| as_str(n, key, sink)).map(|(s, sp)| (s.to_owned(), sp))
    }

    /// An optional string.
    pub(crate) fn opt_str(&self, key: &str, sink: &mut Sink) -> Option<(String, Span)> {
        self.get(key).and_then(|n| as_str(n, key, sink)).map(|(s, sp)| (s.to_owned(), sp))
    }

    /// An optional string without its span.
    pub(crate) fn opt_text(&self, key: &str, sink: &mut Sink) -> Option<String> {
        self.opt_str(key, sink).map(|(s, _)| s)
    }

    /// A required number.
    pub(crate) fn req_number(&self, key: &str, sink: &mut Sink) -> Option<(Decimal, Span)> {
        self.required(key, sink).and_then(|n| as_number(n, key, sink))
    }

    /// An optional number.
    pub(crate) fn opt_number(&self, key: &str, sink: &mut Sink) -> Option<(Decimal, Span)> {
        self.get(key).and_then(|n| as_number(n, key, sink))
    }

    /// A required table.
    pub(crate) fn req_table(&self, key: &str, sink: &mut Sink) -> Option<(&'a Table, Span)> {
        self.required(key, sink).and_then(|n| as_table(n, key, sink))
    }
}

fn type_error(n: &Node, key: &str, expected: &str) -> Diagnostic {
    Diagnostic::error("wrong-type", n.span, format!("expected {expected} for `{key}`, found {}", n.value.type_name()))
        .with_label(format!("this is {}", n.value.type_name()))
}

/// A string value.
pub(crate) fn as_str<'n>(n: &'n Node, key: &str, sink: &mut Sink) -> Option<(&'n str, Span)> {
    match &n.value {
        Value::String(s) => Some((s.as_str(), n.span)),
        _ => {
            sink.push(type_error(n, key, "a string").with_help(format!("write `{key}` in quotes")));
            None
        }
    }
}

/// A boolean value.
pub(crate) fn as_bool(n: &Node, key: &str, sink: &mut Sink) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" || s == "false" => {
            sink.push(type_error(n, key, "a boolean").with_help(format!("write `{s}` without quotes")));
            None
        }
        _ => {
            sink.push(type_error(n, key, "a boolean").with_help("write `true` or `false`"));
            None
        }
    }
}

/// A number (integer or float literal), exactly.
pub(crate) fn as_number(n: &Node, key: &str, sink: &mut Sink) -> Option<(Decimal, Span)> {
    let parsed = match &n.value {
        Value::Integer(n) | Value::Float(n) => *n,
        Value::String(s) => {
            let mut d = type_error(n, key, "a number");
            if parse_float(s.trim()) != Err(NumberError::NotANumber) {
                d = d.with_help(format!("write the number without quotes: `{key} = {}`", s.trim()));
            } else {
                d = d.with_help(format!("`{key}` must be a number such as `12` or `0.85`"));
            }
            sink.push(d);
            return None;
        }
        _ => {
            sink.push(type_error(n, key, "a number").with_help(format!("`{key}` must be a number such as `12` or `0.85`")));
            return None;
        }
    };
    match parsed {
        Ok(d) => Some((d, n.span)),
        Err(NumberError::NotFinite) => {
            sink.push(
                Diagnostic::error("number-not-finite", n.span, format!("`{key}` must be a finite number"))
                    .with_help("`inf` and `nan` cannot be scored; write a finite value"),
            );
            None
        }
        Err(e @ (NumberError::TooLarge | NumberError::TooPrecise)) => {
            sink.push(
                Diagnostic::error("number-out-of-range", n.span, format!("`{key}` {}", e.problem()))
                    .with_label("beyond the limit")
                    .with_help(format!("{NUMBER_LIMIT}; write a unit that keeps the value small, or fewer decimals")),
            );
            None
        }
        Err(NumberError::NotANumber) => {
            sink.push(type_error(n, key, "a number").with_help(format!("`{key}` must be a number such as `12` or `0.85`")));
            None
        }
    }
}

/// A whole non-negative number (an integer literal, or a float with no fraction is refused).
pub(crate) fn as_count(n: &Node, key: &str, sink: &mut Sink) -> Option<(u64, Span)> {
    match &n.value {
        Value::Integer(_) => {
            let (d, sp) = as_number(n, key, sink)?;
            match u64::try_from(d) {
                Ok(v) => Some((v, sp)),
                Err(_) => {
                    sink.push(
                        Diagnostic::error("not-a-count", n.span, format!("`{key}` must be a whole number of at least 0, found `{d}`"))
                            .with_help("write a non-negative whole number such as `3`"),
                    );
                    None
                }
            }
        }
        Value::Float(number) => {
            let found = number.map_or_else(|_| String::from("a number with a fraction"), |d| format!("`{d}`"));
            sink.push(
                Diagnostic::error("not-a-count", n.span, format!("`{key}` must be a whole number, found {found}"))
                    .with_help("quantities are counted in whole units: write an integer such as `3`"),
            );
            None
        }
        _ => {
            sink.push(type_error(n, key, "a whole number").with_help("write a non-negative whole number such as `3`"));
            None
        }
    }
}

/// A local date (`2025-12-31`, unquoted).
pub(crate) fn as_date(n: &Node, key: &str, sink: &mut Sink) -> Option<(Date, Span)> {
    match &n.value {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => match Date::new(i32::from(d.year), d.month, d.day) {
                Some(date) => Some((date, n.span)),
                None => {
                    sink.push(
                        Diagnostic::error("bad-date", n.span, format!("`{dt}` is not a calendar date"))
                            .with_help("check the month and day"),
                    );
                    None
                }
            },
            _ => {
                sink.push(type_error(n, key, "a date").with_help("write a plain date such as `2025-12-31`, without a time"));
                None
            }
        },
        Value::String(s) => {
            let mut d = type_error(n, key, "a date");
            d = if looks_like_date(s) {
                d.with_help(format!("write the date without quotes: `{key} = {s}`"))
            } else {
                d.with_help("write a TOML date such as `2025-12-31`, without quotes")
            };
            sink.push(d);
            None
        }
        _ => {
            sink.push(type_error(n, key, "a date").with_help("write a TOML date such as `2025-12-31`, without quotes"));
            None
        }
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-')
}

/// A table value.
pub(crate) fn as_table<'n>(n: &'n Node, key: &str, sink: &mut Sink) -> Option<(&'n Table, Span)> {
    match &n.value {
        Value::Table(t) => Some((t, n.span)),
        _ => {
            sink.push(type_error(n, key, "a table").with_help(format!("write `{key} = {{ … }}` or a `[{key}]` section")));
            None
        }
    }
}

/// An array value.
pub(crate) fn as_array<'n>(n: &'n Node, key: &str, sink: &mut Sink) -> Option<&'n [Node]> {
    match &n.value {
        Value::Array(a) => Some(a),
        _ => {
            sink.push(type_error(n, key, "an array").with_help(format!("write `{key} = [ … ]`")));
            None
        }
    }
}

/// An id: `[a-z0-9-]+`, not starting or ending with `-`.
pub(crate) fn check_id(id: &str, span: Span, what: &str, sink: &mut Sink) -> bool {
    let ok = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if !ok {
        let suggestion: String = id
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let mut d = Diagnostic::error("bad-id", span, format!("{what} id `{id}` may use only `a-z`, `0-9` and `-`"));
        d = if suggestion.is_empty() {
            d.with_help("use lowercase letters, digits and dashes")
        } else {
            d.with_help(format!("try `{suggestion}`"))
        };
        sink.push(d);
    }
    ok
}

/// Two definitions of one id: points at both.
pub(crate) fn duplicate(kind: &str, id: &str, here: Span, first: Span) -> Diagnostic {
    Diagnostic::error("duplicate-id", here, format!("{kind} id `{id}` is used twice"))
        .with_label("second definition")
        .with_secondary(first, "first defined here")
        .with_help(format!("give each {kind} its own id"))
}

/// A reference to an id that is not declared, with "did you mean".
pub(crate) fn unknown_ref<'a>(kind: &str, given: &str, sp: Span, valid: impl Iterator<Item = &'a str> + Clone) -> Diagnostic {
    let d = Diagnostic::error("unknown-reference", sp, format!("no {kind} has the id `{given}`"));
    let list: Vec<&str> = valid.clone().collect();
    let kinds = if kind == "criterion" { String::from("criteria") } else { format!("{kind}s") };
    match did_you_mean(given, valid) {
        Some(s) => d.with_help(format!("did you mean `{s}`? {kinds}: {}", one_of_list(list))),
        None if list.is_empty() => d.with_help(format!("declare the {kind} first")),
        None => d.with_help(format!("{kinds}: {}", one_of_list(list))),
    }
}

/// A string that must name one of `all` (by `name`), reporting `bad-value` with the names
/// otherwise.
pub(crate) fn as_one_of<T: Copy>(n: &Node, key: &str, all: &[T], name: fn(T) -> &'static str, sink: &mut Sink) -> Option<T> {
    let (s, sp) = as_str(n, key, sink)?;
    let found = all.iter().copied().find(|x| name(*x) == s);
    if found.is_none() {
        let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
        sink.push(bad_enum(key, s, sp, &names));
    }
    found
}

/// A keyword that is not one of `valid`.
pub(crate) fn bad_enum(key: &str, given: &str, sp: Span, valid: &[&str]) -> Diagnostic {
    let d = Diagnostic::error("bad-value", sp, format!("`{key}` cannot be `{given}`"));
    match did_you_mean(given, valid.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`? write one of {}", one_of_list(valid.iter().copied()))),
        None => d.with_help(format!("write one of {}", one_of_list(valid.iter().copied()))),
    }
}
