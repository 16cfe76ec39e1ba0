//! The two record files that sit beside the bids (SPEC §10.2): the negotiation record
//! (`[negotiation]`: what each bidder agreed, declined or withdrew in negotiation) and the
//! reported outcome (`[reported]`: what was actually awarded, for reconstructions). Shape
//! only here; the checks against the tender and the bids are in `inputs.rs`, and the checks
//! against the ranking (negotiation in rank order, totals) after evaluation.

use std::collections::BTreeMap;

use super::{Negotiated, Negotiation, NegotiationOutcome, Reported, ReportedBid, ReportedStatus};
use crate::diag::{Diagnostic, Span};
use crate::load::node::Table;
use crate::load::reader::{Fields, Sink, as_count, as_date, as_one_of, as_table};

const NEGOTIATION: &[&str] = &["source", "note", "bids"];
const NEGOTIATED: &[&str] = &["outcome", "quantity", "date", "source", "note"];
const REPORTED: &[&str] = &["source", "note", "bids"];
const REPORTED_BID: &[&str] = &["status", "quantity", "source", "note"];

/// Per bidder, a record's entry: the key's span, its table and that table's span.
fn entries<'a>(f: &Fields<'a>, table: &str, what: &str, sink: &mut Sink) -> Vec<(&'a str, Span, &'a Table, Span)> {
    let Some(n) = f.get("bids") else {
        return Vec::new();
    };
    let Some((t, _)) = as_table(n, "bids", sink) else {
        return Vec::new();
    };
    if t.entries.is_empty() {
        sink.push(
            Diagnostic::error("empty-record", n.span, format!("the {what} names no bidder"))
                .with_help(format!("add a `[{table}.bids.<bidder-id>]` table for each bid")),
        );
    }
    t.entries.iter().filter_map(|e| as_table(&e.node, &e.key, sink).map(|(bt, bsp)| (&*e.key, e.key_span, bt, bsp))).collect()
}

/// Where the entry's facts come from: `source`, or `note` when it is an assumption.
fn sourced(f: &Fields<'_>, who: &str, at: Span, what: &str, sink: &mut Sink) -> (Option<String>, Option<String>) {
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
    if source.is_none() && note.is_none() {
        sink.push(
            Diagnostic::error("unsourced-record", at, format!("the {what}'s entry for `{who}` says neither where it comes from nor why"))
                .with_help("add `source = \"…\"` (where it was reported), or `note = \"…\"` when it is an assumption"),
        );
    }
    (source, note)
}

/// A record's top-level table (`table`, the file holding nothing else), its keys read as
/// `allowed`, `bids` required.
fn top<'a>(
    doc: &'a Table,
    file: usize,
    table: &'static [&'static str; 1],
    what: &str,
    allowed: &'static [&'static str],
    sink: &mut Sink,
) -> Option<(&'a crate::load::node::Entry, Fields<'a>)> {
    let _ = Fields::new(doc, Span::new(file, 0, 0), what, table, sink);
    let [name] = table;
    let entry = doc.get(name)?;
    let (t, _) = as_table(&entry.node, name, sink)?;
    let f = Fields::new(t, entry.key_span, format!("`[{name}]`"), allowed, sink);
    let _ = f.required("bids", sink);
    Some((entry, f))
}

/// Parse a negotiation record.
pub(super) fn negotiation(doc: &Table, file: usize, sink: &mut Sink) -> Option<Negotiation> {
    let before = sink.len();
    let (entry, f) = top(doc, file, &["negotiation"], "the negotiation record", NEGOTIATION, sink)?;
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
    let mut bids = BTreeMap::new();
    for (who, key_span, bt, bsp) in entries(&f, "negotiation", "negotiation record", sink) {
        let bf = Fields::new(bt, bsp, format!("`[negotiation.bids.{who}]`"), NEGOTIATED, sink);
        let outcome =
            bf.required("outcome", sink).and_then(|n| as_one_of(n, "outcome", &NegotiationOutcome::ALL, NegotiationOutcome::as_str, sink));
        let quantity = bf.get("quantity").and_then(|n| as_count(n, "quantity", sink));
        let date = bf.get("date").and_then(|n| as_date(n, "date", sink)).map(|(d, _)| d);
        let (src, nt) = sourced(&bf, who, key_span, "negotiation record", sink);
        let Some(outcome) = outcome else { continue };
        if let (Some((_, qsp)), false) = (quantity, outcome == NegotiationOutcome::Agreed) {
            sink.push(
                Diagnostic::error("bad-record", qsp, format!("bid `{who}` has a quantity, but its outcome is `{}`", outcome.as_str()))
                    .with_help("only an `agreed` bid is given a quantity; say what a declining bid was offered in its `note`"),
            );
        }
        bids.insert(
            who.to_owned(),
            Negotiated {
                outcome,
                quantity: quantity.map(|q| q.0),
                date,
                source: src,
                note: nt,
                span: key_span,
                quantity_span: quantity.map(|q| q.1),
            },
        );
    }
    if sink.len() > before {
        return None;
    }
    Some(Negotiation { source, note, bids, span: entry.key_span })
}

/// Parse a reported outcome.
pub(super) fn reported(doc: &Table, file: usize, sink: &mut Sink) -> Option<Reported> {
    let before = sink.len();
    let (entry, f) = top(doc, file, &["reported"], "the reported outcome", REPORTED, sink)?;
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
    let mut bids = BTreeMap::new();
    for (who, key_span, bt, bsp) in entries(&f, "reported", "reported outcome", sink) {
        let bf = Fields::new(bt, bsp, format!("`[reported.bids.{who}]`"), REPORTED_BID, sink);
        let status = bf.required("status", sink).and_then(|n| as_one_of(n, "status", &ReportedStatus::ALL, ReportedStatus::as_str, sink));
        let quantity = bf.get("quantity").and_then(|n| as_count(n, "quantity", sink));
        let (src, nt) = sourced(&bf, who, key_span, "reported outcome", sink);
        let Some(status) = status else { continue };
        if let (Some((_, qsp)), false) = (quantity, status == ReportedStatus::Selected) {
            sink.push(
                Diagnostic::error("bad-record", qsp, format!("bid `{who}` has a quantity, but its status is `{}`", status.as_str()))
                    .with_help("only a `selected` bid was awarded a quantity"),
            );
        }
        bids.insert(
            who.to_owned(),
            ReportedBid {
                status,
                quantity: quantity.map(|q| q.0),
                source: src,
                note: nt,
                span: key_span,
                quantity_span: quantity.map(|q| q.1),
            },
        );
    }
    if sink.len() > before {
        return None;
    }
    Some(Reported { source, note, bids, span: entry.key_span })
}
