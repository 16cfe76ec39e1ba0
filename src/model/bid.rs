//! Bid file → [`Bid`]. Apart from `[bidder]` and `[provenance]` a bid is free-form: which
//! fields matter is decided by the criteria, in `inputs.rs`.

use std::collections::BTreeMap;

use super::{Bid, Provenance, Scalar, Status};
use crate::diag::{Diagnostic, Span, did_you_mean};
use crate::load::node::{Node, Table, Value};
use crate::load::reader::{Fields, Sink, as_array, as_date, as_number, as_str, as_table, bad_enum, check_id};
use crate::value::FieldPath;

const BIDDER: &[&str] = &["id", "name", "note", "informational", "lots"];
const PROVENANCE: &[&str] = &["status", "source", "note", "range", "alternatives"];

/// A bid file as read: the bid, as much of it as could be read, and how far that went.
pub(super) struct Parsed {
    /// The bid. When the file had problems (reported), only its id and fields are to be
    /// trusted: its name may be empty, its provenance and `informational` partial.
    pub(super) bid: Bid,
    /// Its fields: every table except `[bidder]` and `[provenance]`, as written (the bid
    /// keeps only its text: see [`Bid::fields`]).
    pub(super) fields: Table,
    /// The id is well formed, so other files (the panel) may name it.
    pub(super) id_ok: bool,
    /// Keys under `[bidder]` that are not bidder keys (reported): usually bid fields written
    /// after the header, so a rule that reads one should not also call it missing.
    pub(super) stray: Vec<String>,
}

/// Parse a bid document. `None` only when there is no `[bidder]` table with a string `id`;
/// a bid with other problems is returned, marked incomplete, so that checks across files
/// (a missing field, the panel's marks) still see it.
pub(super) fn parse(doc: Table, file: usize, text: &std::sync::Arc<str>, sink: &mut Sink) -> Option<Parsed> {
    let (fields, doc) = split(doc);
    let bidder = doc.get("bidder")?;
    let (bt, _) = as_table(&bidder.node, "bidder", sink)?;
    // The usual cause: a plain field written after the `[bidder]` header belongs to it.
    let hint =
        "a key written after `[bidder]` belongs to it: put bid fields above `[bidder]` or in a table of their own, such as `[offer]`";
    let f = Fields::new_with_hint(bt, bidder.key_span, "`[bidder]`", BIDDER, Some(hint), sink);
    let stray = bt.entries.iter().filter(|e| !BIDDER.contains(&&*e.key)).map(|e| e.key.to_string()).collect();
    let id = f.req_str("id", sink);
    let id_ok = id.as_ref().is_some_and(|(id, sp)| check_id(id, *sp, "bidder", sink));
    let name = f.req_str("name", sink);
    let note = f.opt_text("note", sink);
    let informational = parse_informational(&f, &fields, sink);
    let lots_span = f.get("lots").map(|n| n.span);
    let mut lots_spans = Vec::new();
    let lots = f.get("lots").and_then(|n| as_array(n, "lots", sink)).map(|items| {
        items
            .iter()
            .filter_map(|i| as_str(i, "lots", sink))
            .map(|(s, sp)| {
                lots_spans.push(sp);
                s.to_owned()
            })
            .collect::<Vec<String>>()
    });
    let mut provenance = BTreeMap::new();
    if let Some(p) = doc.get("provenance")
        && let Some((pt, _)) = as_table(&p.node, "provenance", sink)
    {
        collect_provenance(pt, "", &fields, &mut provenance, sink);
    }
    let (id, span) = id?;
    let bid = Bid {
        id: id.into(),
        name: name.map(|n| n.0).unwrap_or_default().into(),
        note,
        text: std::sync::Arc::clone(text),
        provenance,
        informational,
        lots,
        lots_span,
        lots_spans,
        file,
        span,
    };
    Some(Parsed { bid, fields, id_ok, stray })
}

/// A bid document's fields, and the rest (`[bidder]` and `[provenance]`). The fields are
/// moved out of the document, not copied: they are most of it.
fn split(doc: Table) -> (Table, Table) {
    let (fields, doc): (Vec<_>, Vec<_>) = doc.entries.into_iter().partition(|e| &*e.key != "bidder" && &*e.key != "provenance");
    (Table { entries: fields }, Table { entries: doc })
}

/// The bidder id of a document that could not be read in full (a syntax error further
/// down, say), if it is there and well formed.
pub(super) fn recover_id(doc: &Table) -> Option<String> {
    let Value::Table(bt) = &doc.get("bidder")?.node.value else { return None };
    let id = bt.get("id")?;
    let Value::String(s) = &id.node.value else { return None };
    check_id(s, id.node.span, "bidder", &mut Vec::new()).then(|| s.clone())
}

/// `informational = ["award_reported", "datacenter.site"]`: tables or fields the bid carries
/// for the record, which no rule is meant to read. Each must be in the bid.
fn parse_informational(f: &Fields<'_>, fields: &Table, sink: &mut Sink) -> Vec<(FieldPath, Span)> {
    let Some(n) = f.get("informational") else {
        return Vec::new();
    };
    let Some(items) = as_array(n, "informational", sink) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some((s, sp)) = as_str(item, "informational", sink) else { continue };
        let Some(path) = FieldPath::parse(s) else {
            sink.push(
                Diagnostic::error("bad-field-path", sp, format!("`{s}` is not a field path"))
                    .with_help("write a dotted path into this bid such as `award_reported` or `datacenter.site` (no empty parts, no `=`)"),
            );
            continue;
        };
        if fields.lookup(path.segments()).is_none() {
            let mut known = leaf_paths(fields);
            known.extend(fields.entries.iter().filter(|e| matches!(e.node.value, Value::Table(_))).map(|e| e.key.to_string()));
            let d = Diagnostic::error(
                "informational-unknown-field",
                sp,
                format!("`{s}` is declared informational, but the bid has no such field"),
            );
            sink.push(match did_you_mean(s, known.iter().map(String::as_str)) {
                Some(k) => d.with_help(format!("did you mean `{k}`?")),
                None => d.with_help("list tables or fields of this bid, such as `award_reported` or `datacenter.site`"),
            });
            continue;
        }
        out.push((path, sp));
    }
    out
}

/// `[provenance."offer.gpus"]` or nested `[provenance.offer.gpus]`: a table with `status`
/// is an entry; any other table is a level of the path.
fn collect_provenance(t: &Table, prefix: &str, fields: &Table, out: &mut BTreeMap<String, Provenance>, sink: &mut Sink) {
    for e in &t.entries {
        let path = if prefix.is_empty() { e.key.to_string() } else { format!("{prefix}.{}", e.key) };
        let Some((et, _)) = as_table(&e.node, &path, sink) else {
            continue;
        };
        if et.get("status").is_none() && et.entries.iter().all(|x| matches!(x.node.value, Value::Table(_))) && !et.entries.is_empty() {
            collect_provenance(et, &path, fields, out, sink);
            continue;
        }
        let segs: Vec<String> = path.split('.').map(str::to_owned).collect();
        let target = fields.lookup(&segs);
        if target.is_none() {
            let leaves = leaf_paths(fields);
            let mut d =
                Diagnostic::error("provenance-unknown-field", e.key_span, format!("provenance for `{path}`, which the bid does not have"));
            d = match did_you_mean(&path, leaves.iter().map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("provenance keys are dotted paths of fields in this bid, such as `offer.gpus`"),
            };
            sink.push(d);
            continue;
        }
        if let Some(p) = parse_entry(et, e.key_span, &path, target.map(|t| &t.node), sink) {
            out.insert(path, p);
        }
    }
}

fn parse_entry(t: &Table, at: Span, path: &str, target: Option<&Node>, sink: &mut Sink) -> Option<Provenance> {
    let f = Fields::new(t, at, format!("the provenance of `{path}`"), PROVENANCE, sink);
    let status = f.req_str("status", sink).and_then(|(s, sp)| match s.as_str() {
        "confirmed" => Some(Status::Confirmed),
        "reported" => Some(Status::Reported),
        "assumed" => Some(Status::Assumed),
        other => {
            sink.push(bad_enum("status", other, sp, &["confirmed", "reported", "assumed"]));
            None
        }
    })?;
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
    if status != Status::Assumed && source.is_none() {
        sink.push(
            Diagnostic::error("provenance-no-source", at, format!("`{path}` is {} but names no source", status.as_str()))
                .with_help("add `source = \"…\"` with the address it was reported at, or mark it `assumed` with a `note`"),
        );
        return None;
    }
    if status == Status::Assumed && note.is_none() {
        sink.push(
            Diagnostic::error("provenance-no-note", at, format!("`{path}` is assumed but says nothing of why"))
                .with_help("add `note = \"…\"`: what the assumption rests on"),
        );
        return None;
    }
    let range = match f.get("range") {
        None => None,
        Some(n) => Some(parse_range(n, path, target, sink)?),
    };
    let alternatives = match f.get("alternatives") {
        None => None,
        Some(n) => {
            if range.is_some() {
                sink.push(
                    Diagnostic::error("range-and-alternatives", n.span, format!("`{path}` has both a `range` and `alternatives`"))
                        .with_help("give a `range` for a number or a date, or list its `alternatives`, not both"),
                );
                return None;
            }
            Some(parse_alternatives(n, path, target, sink)?)
        }
    };
    Some(Provenance { status, source, note, range, alternatives })
}

/// Most alternatives a value may list: each is a level of the robustness analysis.
pub(crate) const MAX_ALTERNATIVES: usize = 256;

/// `alternatives = [...]`: the values an assumed field could take, of one type, the value
/// used among them.
fn parse_alternatives(n: &Node, path: &str, target: Option<&Node>, sink: &mut Sink) -> Option<Vec<Scalar>> {
    let items = as_array(n, "alternatives", sink)?;
    if items.len() < 2 || items.len() > MAX_ALTERNATIVES {
        sink.push(
            Diagnostic::error(
                "bad-alternatives",
                n.span,
                format!("`alternatives` has {}; it needs 2 to {MAX_ALTERNATIVES}", crate::diag::plural(items.len(), "value")),
            )
            .with_help("list the value used and at least one other it could plausibly be"),
        );
        return None;
    }
    let mut out: Vec<Scalar> = Vec::with_capacity(items.len());
    for x in items {
        let v = match &x.value {
            Value::String(s) => Scalar::Text(s.clone()),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Datetime(_) => as_date(x, "alternatives", sink).map(|(d, _)| Scalar::Date(d))?,
            _ => as_number(x, "alternatives", sink).map(|(d, _)| Scalar::Number(d))?,
        };
        if out.first().is_some_and(|f| f.type_name() != v.type_name()) {
            sink.push(
                Diagnostic::error("bad-alternatives", x.span, "`alternatives` mixes types")
                    .with_help("list values of the field's own type"),
            );
            return None;
        }
        if out.contains(&v) {
            sink.push(
                Diagnostic::error("bad-alternatives", x.span, format!("`{v}` is listed twice in `alternatives`"))
                    .with_help("list each alternative once"),
            );
            return None;
        }
        out.push(v);
    }
    if let Some(t) = target {
        let value = match &t.value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Datetime(_) => as_date(t, path, &mut Vec::new()).map(|(d, _)| Scalar::Date(d)),
            Value::Integer { .. } | Value::Float(_) => as_number(t, path, &mut Vec::new()).map(|(d, _)| Scalar::Number(d)),
            _ => None,
        };
        if !value.as_ref().is_some_and(|v| out.contains(v)) {
            let shown = value.map_or_else(|| t.value.type_name().to_owned(), |v| format!("`{v}`"));
            sink.push(
                Diagnostic::error(
                    "value-not-an-alternative",
                    n.span,
                    format!("the value of `{path}` ({shown}) is not among its `alternatives`"),
                )
                .with_help("the alternatives must include the value used"),
            );
            return None;
        }
    }
    Some(out)
}

fn parse_range(n: &Node, path: &str, target: Option<&Node>, sink: &mut Sink) -> Option<(Scalar, Scalar)> {
    let items = as_array(n, "range", sink)?;
    let [lo, hi] = items else {
        sink.push(
            Diagnostic::error(
                "bad-range",
                n.span,
                format!("`range` has {}; it needs two, low and high", crate::diag::plural(items.len(), "value")),
            )
            .with_help("write `range = [low, high]`"),
        );
        return None;
    };
    let scalar = |x: &Node, sink: &mut Sink| match &x.value {
        Value::Datetime(_) => as_date(x, "range", sink).map(|(d, _)| Scalar::Date(d)),
        _ => as_number(x, "range", sink).map(|(d, _)| Scalar::Number(d)),
    };
    let (lo, hi) = (scalar(lo, sink)?, scalar(hi, sink)?);
    let ordered = match (&lo, &hi) {
        (Scalar::Number(a), Scalar::Number(b)) => a <= b,
        (Scalar::Date(a), Scalar::Date(b)) => a <= b,
        _ => {
            sink.push(
                Diagnostic::error("bad-range", n.span, "`range` mixes a number and a date").with_help("write two numbers or two dates"),
            );
            return None;
        }
    };
    if !ordered {
        sink.push(
            Diagnostic::error("bad-range", n.span, format!("`range` runs backwards: `{lo}` is above `{hi}`"))
                .with_help("write `range = [low, high]`"),
        );
        return None;
    }
    if let Some(t) = target {
        let mut scratch = Vec::new();
        let value = match (&t.value, &lo) {
            (Value::Datetime(_), _) => as_date(t, path, &mut scratch).map(|(d, _)| Scalar::Date(d)),
            (Value::Integer { .. } | Value::Float(_), _) => as_number(t, path, &mut scratch).map(|(d, _)| Scalar::Number(d)),
            _ => None,
        };
        let inside = match (&value, &lo, &hi) {
            (Some(Scalar::Number(v)), Scalar::Number(a), Scalar::Number(b)) => a <= v && v <= b,
            (Some(Scalar::Date(v)), Scalar::Date(a), Scalar::Date(b)) => a <= v && v <= b,
            (None, _, _) => {
                sink.push(
                    Diagnostic::error("bad-range", n.span, format!("`range` is given for `{path}`, which is {}", t.value.type_name()))
                        .with_help("ranges are for numbers and dates"),
                );
                return None;
            }
            _ => {
                sink.push(
                    Diagnostic::error("bad-range", n.span, format!("`range` and the value of `{path}` are of different types"))
                        .with_help("write a range of the same type as the value"),
                );
                return None;
            }
        };
        if !inside {
            sink.push(
                Diagnostic::error(
                    "value-outside-range",
                    n.span,
                    format!(
                        "the value of `{path}` (`{}`) lies outside its range [`{lo}`, `{hi}`]",
                        value.map(|v| v.to_string()).unwrap_or_default()
                    ),
                )
                .with_help("the range must contain the value used"),
            );
            return None;
        }
    }
    Some((lo, hi))
}

impl Bid {
    /// Its fields, read again from its file's text (which parsed when it was loaded): every
    /// table except `[bidder]` and `[provenance]`, as written.
    pub(crate) fn fields(&self) -> Table {
        split(crate::load::node::parse_partial(self.file, &self.text).0).0
    }

    /// Every field of the bid as written (apart from `[bidder]` and `[provenance]`): its
    /// dotted path and its value as TOML, in file order.
    pub fn field_values(&self) -> Vec<(String, String)> {
        fn walk(t: &Table, prefix: &str, out: &mut Vec<(String, String)>) {
            for e in &t.entries {
                let p = if prefix.is_empty() { e.key.to_string() } else { format!("{prefix}.{}", e.key) };
                match &e.node.value {
                    Value::Table(inner) => walk(inner, &p, out),
                    _ => out.push((p, crate::load::toml_out::value(&e.node))),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.fields(), "", &mut out);
        out
    }
}

/// Every dotted path to a non-table value.
pub(crate) fn leaf_paths(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for_each_leaf(t, &mut |p| out.push(p.to_owned()));
    out
}

/// `f` on every dotted path to a non-table value, each made in one reused buffer: every bid
/// is checked for fields no rule reads, and most of its fields are read.
pub(crate) fn for_each_leaf(t: &Table, f: &mut impl FnMut(&str)) {
    fn walk(t: &Table, path: &mut String, f: &mut impl FnMut(&str)) {
        for e in &t.entries {
            let len = path.len();
            if len > 0 {
                path.push('.');
            }
            path.push_str(&e.key);
            match &e.node.value {
                Value::Table(inner) => walk(inner, path, f),
                _ => f(path),
            }
            path.truncate(len);
        }
    }
    walk(t, &mut String::new(), f);
}
