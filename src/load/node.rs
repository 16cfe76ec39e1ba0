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

/// A number literal read exactly, or why it could not be (said where a rule reads it).
/// Parsed once, here, so the tree holds no text per number: a file of numbers costs little
/// more than its size.
pub(crate) type Number = Result<rust_decimal::Decimal, crate::exact::NumberError>;

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A string.
    String(String),
    /// An integer literal.
    Integer(Number),
    /// A float literal (a fraction or an exponent).
    Float(Number),
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
    /// The key (boxed: a tree holds one per value, and never grows one).
    pub key: Box<str>,
    /// Where the key is written (for a `[table]` header, the name in the header).
    pub key_span: Span,
    /// The value.
    pub node: Node,
}

impl Table {
    /// The entry for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| &*e.key == key)
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
            Value::Integer(_) => "an integer",
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

/// How deep tables and arrays may nest: a value inside more than this many tables and arrays
/// (table headers' parts and dotted keys count, one level each) is `too-deeply-nested`. Real
/// tenders and bids need five; a limit keeps every walk over the tree shallow.
pub(crate) const MAX_DEPTH: usize = 32;

/// Parse a document; on a syntax error, the first one the parser found.
pub(crate) fn parse_document(file: FileId, text: &str) -> Result<Table, Vec<Diagnostic>> {
    let (doc, errors) = parse_partial(file, text);
    if errors.is_empty() { Ok(doc) } else { Err(errors) }
}

/// Parse a document as far as it goes: the tree the parser recovered (without anything
/// nested beyond [`MAX_DEPTH`]) and, if the document is broken, its first problem. After a
/// syntax error the tree is partial: good to recover a name from, not to validate.
pub(crate) fn parse_partial(file: FileId, text: &str) -> (Table, Vec<Diagnostic>) {
    let (doc, errors) = DeTable::parse_recoverable(text);
    let mut deep = None;
    let tree = table(file, doc.get_ref(), 0, &mut deep);
    // Only the first syntax error: after one the parser's recovery cascades (one unclosed
    // `[` gave 37 errors), and the later ones are usually the same mistake.
    let problem = match errors.first() {
        Some(e) if e.message().contains("recurs") => {
            // The parser's own limit (80, in toml 0.9): the tree it kept usually shows where
            // ours was passed; a key of too many parts it drops without a place, so look for it.
            let at = deep.or_else(|| long_key(file, text)).unwrap_or_else(|| {
                let r = e.span().unwrap_or(0..0);
                Span::new(file, r.start, r.start.saturating_add(1).min(r.end.max(r.start)))
            });
            Some(too_deep(at))
        }
        Some(e) => {
            let range = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_owned();
            let first = message.lines().next().unwrap_or("invalid TOML").to_owned();
            Some(
                Diagnostic::error("toml-syntax", Span::new(file, range.start, range.end), lowercase_first(&first))
                    .with_help("fix the TOML syntax here; see https://toml.io for the format"),
            )
        }
        None => deep.map(too_deep),
    };
    (tree, problem.into_iter().collect())
}

fn too_deep(at: Span) -> Diagnostic {
    Diagnostic::error("too-deeply-nested", at, format!("tables and arrays nested more than {MAX_DEPTH} levels deep"))
        .with_help(format!(
            "bidscore reads at most {MAX_DEPTH} levels of nesting (each part of a table header or dotted key, each array and inline table is one): flatten the structure"
        ))
}

/// The first key (a `[table]` header or the key of `key = value`) that goes deeper than
/// [`MAX_DEPTH`]: the span of its part that goes one level too deep. A key under a header
/// starts as deep as the header goes.
fn long_key(file: FileId, text: &str) -> Option<Span> {
    let mut line_start = 0usize;
    // How deep the keys under the last header start: `[a.b]` 2, `[[a.b]]` 3 (the array's
    // element is a table of its own).
    let mut under = 0usize;
    for line in text.split_inclusive('\n') {
        let here = line_start;
        line_start = line_start.saturating_add(line.len());
        let body = line.trim_start();
        let indent = line.len().saturating_sub(body.len());
        let key = body.trim_start_matches('[');
        let opened = body.len().saturating_sub(key.len());
        let parts = key_parts(key);
        let (first_too_deep, next_under) = match opened {
            0 => (MAX_DEPTH.checked_sub(under), under),
            1 => (Some(MAX_DEPTH), parts.len()),
            _ => (Some(MAX_DEPTH), parts.len().saturating_add(1)),
        };
        if let Some(part) = first_too_deep.and_then(|k| parts.get(k)) {
            let start = here.saturating_add(indent).saturating_add(opened).saturating_add(part.start);
            return Some(Span::new(file, start, start.saturating_add(part.len())));
        }
        under = next_under;
    }
    None
}

/// Where each dotted part of the key at the start of `s` lies (up to `]`, `=` or the end of
/// the line, outside quotes).
fn key_parts(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '.' => {
                    parts.push(trimmed(s, start, i));
                    start = i.saturating_add(1);
                }
                ']' | '=' | '\n' | '#' => {
                    parts.push(trimmed(s, start, i));
                    return parts;
                }
                _ => {}
            },
        }
    }
    parts.push(trimmed(s, start, s.len()));
    parts
}

/// `start..end` of `s` without the blanks around it.
fn trimmed(s: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let part = s.get(start..end).unwrap_or("");
    let lead = part.len().saturating_sub(part.trim_start().len());
    let from = start.saturating_add(lead);
    from..from.saturating_add(part.trim().len())
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A table at `depth` (the document is depth 0). Anything beyond [`MAX_DEPTH`] is left out,
/// and the first such place is kept in `deep`.
fn table(file: FileId, t: &DeTable<'_>, depth: usize, deep: &mut Option<Span>) -> Table {
    Table {
        entries: t
            .iter()
            .map(|(k, v)| {
                let ks = k.span();
                let key_span = Span::new(file, ks.start, ks.end);
                // A table opened by a header or a dotted key is where its key is; an array or
                // inline table, where it opens.
                let vs = v.span();
                let at = if vs.start >= ks.end { Span::new(file, vs.start, vs.start.saturating_add(1)) } else { key_span };
                Entry { key: Box::from(&**k.get_ref()), key_span, node: node(file, vs, v.get_ref(), depth.saturating_add(1), at, deep) }
            })
            .collect(),
    }
}

/// A value at `depth`, opened at `at`.
fn node(file: FileId, span: std::ops::Range<usize>, v: &DeValue<'_>, depth: usize, at: Span, deep: &mut Option<Span>) -> Node {
    let nested = matches!(v, DeValue::Array(_) | DeValue::Table(_));
    let value = if nested && depth > MAX_DEPTH {
        if deep.is_none_or(|d| at.start() < d.start()) {
            *deep = Some(at);
        }
        match v {
            DeValue::Array(_) => Value::Array(Vec::new()),
            _ => Value::Table(Table::default()),
        }
    } else {
        match v {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Integer(i) => Value::Integer(crate::exact::parse_integer(i.as_str(), i.radix())),
            DeValue::Float(f) => Value::Float(crate::exact::parse_float(f.as_str())),
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => Value::Datetime(*d),
            DeValue::Array(a) => Value::Array(
                a.iter()
                    .map(|x| {
                        let xs = x.span();
                        let at = Span::new(file, xs.start, xs.start.saturating_add(1));
                        node(file, xs, x.get_ref(), depth.saturating_add(1), at, deep)
                    })
                    .collect(),
            ),
            DeValue::Table(t) => Value::Table(table(file, t, depth, deep)),
        }
    };
    Node { span: Span::new(file, span.start, span.end), value }
}
