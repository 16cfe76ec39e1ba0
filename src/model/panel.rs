//! Panel file → [`Panel`]: shape only. Checks against the tender and the bids (known
//! criterion, every bidder, enough marks, marks in range) are in `inputs.rs`.

use std::collections::BTreeMap;

use super::Panel;
use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Span};
use crate::load::node::Table;
use crate::load::reader::{Fields, Sink, as_array, as_number, as_str, as_table};

const PANEL: &[&str] = &["source", "note", "evaluators", "outlier_k", "marks"];

/// Parse a panel document.
pub(super) fn parse(doc: &Table, file: usize, sink: &mut Sink) -> Option<Panel> {
    // Nothing but `[panel]` belongs in a panel file (reported; the marks are still read).
    let _ = Fields::new(doc, Span::new(file, 0, 0), "the panel file", &["panel"], sink);
    let before = sink.len();
    let entry = doc.get("panel")?;
    let (pt, _) = as_table(&entry.node, "panel", sink)?;
    let f = Fields::new(pt, entry.key_span, "`[panel]`", PANEL, sink);
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
    let evaluators = parse_evaluators(&f, sink);
    let outlier_k = match f.opt_number("outlier_k", sink) {
        None => Some(Panel::DEFAULT_OUTLIER_K),
        Some((k, sp)) if k <= Decimal::ZERO => {
            sink.push(
                Diagnostic::error("bad-outlier-k", sp, format!("`outlier_k` is `{k}`; it must be above 0"))
                    .with_help("a mark is far from the panel beyond `outlier_k` median absolute deviations: 2.5 is usual"),
            );
            None
        }
        Some((k, _)) => Some(k),
    };
    let mut marks = BTreeMap::new();
    let mut spans = BTreeMap::new();
    if let Some(m) = f.get("marks")
        && let Some((mt, _)) = as_table(m, "marks", sink)
    {
        for c in &mt.entries {
            let Some((ct, _)) = as_table(&c.node, &c.key, sink) else {
                continue;
            };
            let mut by_bidder = BTreeMap::new();
            let mut bspans = BTreeMap::new();
            for b in &ct.entries {
                let Some(items) = as_array(&b.node, &b.key, sink) else {
                    continue;
                };
                let vals: Vec<_> = items.iter().filter_map(|i| as_number(i, &b.key, sink).map(|x| x.0)).collect();
                bspans.insert(b.key.to_string(), b.key_span);
                by_bidder.insert(b.key.to_string(), vals);
            }
            spans.insert(c.key.to_string(), (c.key_span, bspans));
            marks.insert(c.key.to_string(), by_bidder);
        }
    }
    if sink.len() > before {
        return None;
    }
    let (evaluators, evaluators_span) = evaluators?;
    Some(Panel { source, note, evaluators, outlier_k: outlier_k?, marks, span: entry.key_span, evaluators_span, spans })
}

type Evaluators = (Option<Vec<String>>, Option<Span>);

/// `evaluators = ["e1", …]`: unique ids, at least one.
fn parse_evaluators(f: &Fields<'_>, sink: &mut Sink) -> Option<Evaluators> {
    let Some(n) = f.get("evaluators") else {
        return Some((None, None));
    };
    let items = as_array(n, "evaluators", sink)?;
    if items.is_empty() {
        sink.push(
            Diagnostic::error("bad-evaluators", n.span, "`evaluators` names no one")
                .with_help("name one evaluator per mark: `evaluators = [\"e1\", \"e2\", \"e3\"]`"),
        );
        return None;
    }
    let mut names: Vec<(String, Span)> = Vec::new();
    let mut ok = true;
    for i in items {
        let Some((name, sp)) = as_str(i, "evaluators", sink) else {
            ok = false;
            continue;
        };
        // Names are only shown, never referenced: any non-empty text ("Kim", "위원2").
        if name.trim().is_empty() {
            sink.push(
                Diagnostic::error("bad-evaluators", sp, "an evaluator's name is empty")
                    .with_help("name every evaluator, such as `\"e1\"` or `\"Kim\"`"),
            );
            ok = false;
        }
        if let Some((_, first)) = names.iter().find(|(x, _)| x == name) {
            sink.push(
                Diagnostic::error("duplicate-id", sp, format!("evaluator id `{name}` is used twice"))
                    .with_label("second definition")
                    .with_secondary(*first, "first defined here")
                    .with_help("give each evaluator its own id"),
            );
            ok = false;
        }
        names.push((name.to_owned(), sp));
    }
    ok.then(|| (Some(names.into_iter().map(|x| x.0).collect()), Some(n.span)))
}
