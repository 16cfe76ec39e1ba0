//! Panel file → [`Panel`]: shape only. Checks against the tender and the bids (known
//! criterion, every bidder, enough marks, marks in range) are in `inputs.rs`.

use std::collections::BTreeMap;

use super::Panel;
use crate::diag::Span;
use crate::load::node::Table;
use crate::load::reader::{Fields, Sink, as_array, as_number, as_table};

const PANEL: &[&str] = &["source", "note", "marks"];

/// Parse a panel document.
pub fn parse(doc: &Table, file: usize, sink: &mut Sink) -> Option<Panel> {
    // Nothing but `[panel]` belongs in a panel file (reported; the marks are still read).
    let _ = Fields::new(doc, Span::new(file, 0, 0), "the panel file", &["panel"], sink);
    let before = sink.len();
    let entry = doc.get("panel")?;
    let (pt, _) = as_table(&entry.node, "panel", sink)?;
    let f = Fields::new(pt, entry.key_span, "`[panel]`", PANEL, sink);
    let source = f.opt_text("source", sink);
    let note = f.opt_text("note", sink);
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
                bspans.insert(b.key.clone(), b.key_span);
                by_bidder.insert(b.key.clone(), vals);
            }
            spans.insert(c.key.clone(), (c.key_span, bspans));
            marks.insert(c.key.clone(), by_bidder);
        }
    }
    if sink.len() > before {
        return None;
    }
    Some(Panel { source, note, marks, span: entry.key_span, spans })
}
