//! The raw layer: a TOML document as an owned tree that keeps the span of every key and
//! value. Built from `toml::de::DeTable` (which recovers from syntax errors and keeps the
//! literal text of numbers, so decimals are read exactly). Nothing here knows what a tender
//! or a bid is.

use toml::de::{DeTable, DeValue};
use toml::value::Datetime;

use crate::diag::{Diagnostic, FileId, Span};

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// The value's text in its file.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// A TOML value. Numbers keep their literal text until a rule reads them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A string.
    String(String),
    /// An integer literal: text without sign prefix handling done by the parser, and radix.
    Integer {
        /// Digits as written (sign included, radix prefix removed).
        text: String,
        /// 2, 8, 10 or 16.
        radix: u32,
    },
    /// A float literal as written.
    Float(String),
    /// A boolean.
    Bool(bool),
    /// A date, time or date-time.
    Datetime(Datetime),
    /// An array.
    Array(Vec<Node>),
    /// A table (inline or not).
    Table(Table),
}

/// A table's entries in key order.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Table {
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written (for a `[table]` header, the name in the header).
    pub key_span: Span,
    /// The value.
    pub node: Node,
}

impl Table {
    /// The entry for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Look up a dotted path such as `offer.gpus`.
    pub(crate) fn lookup(&self, path: &[String]) -> Option<&Entry> {
        let (first, rest) = path.split_first()?;
        let entry = self.get(first)?;
        if rest.is_empty() {
            return Some(entry);
        }
        match &entry.node.value {
            Value::Table(t) => t.lookup(rest),
            _ => None,
        }
    }
}

impl Value {
    /// "a string", "an integer", … for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer { .. } => "an integer",
            Value::Float(_) => "a number with a fraction",
            Value::Bool(_) => "a boolean",
            Value::Datetime(d) => match (d.date, d.time) {
                (Some(_), None) => "a date",
                (None, Some(_)) => "a time",
                _ => "a date-time",
            },
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Parse a document; on syntax errors, return every one the parser recovered.
pub(crate) fn parse_document(file: FileId, text: &str) -> Result<Table, Vec<Diagnostic>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // Only the first: after a syntax error the parser's recovery cascades (one unclosed
        // `[` gave 37 errors), and the later ones are usually the same mistake.
        return Err(errors
            .iter()
            .take(1)
            .map(|e| {
                let range = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_owned();
                let first = message.lines().next().unwrap_or("invalid TOML").to_owned();
                Diagnostic::error("toml-syntax", Span::new(file, range.start, range.end), lowercase_first(&first))
                    .with_help("fix the TOML syntax here; see https://toml.io for the format")
            })
            .collect());
    }
    Ok(table(file, doc.get_ref()))
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn table(file: FileId, t: &DeTable<'_>) -> Table {
    Table {
        entries: t
            .iter()
            .map(|(k, v)| {
                let ks = k.span();
                Entry { key: k.get_ref().to_string(), key_span: Span::new(file, ks.start, ks.end), node: node(file, v.span(), v.get_ref()) }
            })
            .collect(),
    }
}

fn node(file: FileId, span: std::ops::Range<usize>, v: &DeValue<'_>) -> Node {
    let value = match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::Integer { text: i.as_str().to_owned(), radix: i.radix() },
        DeValue::Float(f) => Value::Float(f.as_str().to_owned()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| node(file, x.span(), x.get_ref())).collect()),
        DeValue::Table(t) => Value::Table(table(file, t)),
    };
    Node { span: Span::new(file, span.start, span.end), value }
}
