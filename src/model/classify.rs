//! What a document is: a criteria file, a bid, a panel file, a negotiation record or a
//! reported outcome, by its top-level table.

use crate::diag::{Diagnostic, FileId, Span};
use crate::load::node::{Entry, Table};

/// What a document is, by its top-level table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `[tender]`: a criteria file.
    Criteria,
    /// `[bidder]`: a bid.
    Bid,
    /// `[panel]`: the committee's marks.
    Panel,
    /// `[negotiation]`: the negotiation record.
    Negotiation,
    /// `[reported]`: the outcome as reported.
    Reported,
}

/// Classify a parsed document by its top-level table.
pub(super) fn classify(file: FileId, text: &str, doc: &Table) -> Result<Kind, Diagnostic> {
    let found: Vec<(Kind, &Entry)> = doc
        .entries
        .iter()
        .filter_map(|e| match &*e.key {
            "tender" => Some((Kind::Criteria, e)),
            "bidder" => Some((Kind::Bid, e)),
            "panel" => Some((Kind::Panel, e)),
            "negotiation" => Some((Kind::Negotiation, e)),
            "reported" => Some((Kind::Reported, e)),
            _ => None,
        })
        .collect();
    match found.as_slice() {
        [(k, _)] => Ok(*k),
        [] => {
            let d = if text.trim().is_empty() {
                Diagnostic::error("empty-file", Span::new(file, 0, 0), "file is empty")
            } else {
                let at = doc.entries.first().map_or(Span::new(file, 0, 0), |e| e.key_span);
                Diagnostic::error("unknown-file-kind", at, "file is neither a criteria, bid, panel, negotiation nor reported-outcome file")
            };
            Err(d.with_help("a criteria file has a `[tender]` table, a bid a `[bidder]` table, a panel file a `[panel]` table, a negotiation record `[negotiation]`, a reported outcome `[reported]`"))
        }
        [(_, first), rest @ ..] => {
            let mut d = Diagnostic::error(
                "ambiguous-file-kind",
                first.key_span,
                "file has more than one of `[tender]`, `[bidder]`, `[panel]`, `[negotiation]` and `[reported]`",
            )
            .with_help("put the criteria, each bid, the panel marks and each record in separate files");
            for (_, e) in rest {
                d = d.with_secondary(e.key_span, "also here");
            }
            Err(d)
        }
    }
}
