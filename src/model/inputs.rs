//! The whole set of inputs for one evaluation, validated together: the criteria file, the
//! bids and the panel. Cross-file checks live here (every field a rule reads exists in every
//! bid with the right type, panel marks match the bids), and every value a rule will read
//! is resolved once, so evaluation is a pure walk over typed data.

use std::path::Path;

use rust_decimal::Decimal;

use super::classify::Kind;
use super::{Bid, CriterionMissing, GateMissing, Panel, Require, Scalar, Tender, bid, panel, tender};
use crate::diag::{Diagnostic, Diagnostics, FileId, Severity, SourceFile, Span};
use crate::load::node::{Node, Value};
use crate::load::reader::{Sink, as_bool, as_count, as_date, as_number, unknown_ref};
use crate::load::{self, node};
use crate::rules::InputKind;
use crate::value::{FieldPath, Given};

/// Validated inputs: a tender, its bids (sorted by id) and the panel's marks.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The criteria.
    pub tender: Tender,
    /// The bids, sorted by bidder id.
    pub bids: Vec<Bid>,
    /// The committee's marks, if any criterion needs them.
    pub panel: Option<Panel>,
    /// Every file read, criteria first (paths as given).
    pub sources: Vec<SourceFile>,
    /// Problems that do not stop scoring.
    pub warnings: Vec<Diagnostic>,
    /// Per bid (same order as `bids`), the values each gate and criterion reads.
    pub(crate) resolved: Vec<Resolved>,
}

/// What one bid gives each rule.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resolved {
    /// Per gate: the value, or `None` when missing (and the gate says `missing = "fail"`).
    pub(crate) gates: Vec<Option<Scalar>>,
    /// Per criterion: the value or marks, or `None` when missing (`missing = "zero"`).
    pub(crate) criteria: Vec<Option<Given>>,
    /// The offered quantity, when the award fills one.
    pub(crate) offered: Option<u64>,
}

/// Read and validate a criteria file and bid/panel files or directories.
///
/// # Errors
/// Every problem found in every file, located.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// assert_eq!(inputs.tender.id, "msit-2025-gpu");
/// ```
pub fn load_paths(criteria: impl AsRef<Path>, others: &[impl AsRef<Path>]) -> Result<Inputs, Diagnostics> {
    let others: Vec<std::path::PathBuf> = others.iter().map(|p| p.as_ref().to_path_buf()).collect();
    let (files, diags) = load::read_paths(criteria.as_ref(), &others);
    // Without a readable criteria file there is nothing to validate the bids against.
    let criteria_read = files.first().is_some_and(|f| f.path == criteria.as_ref().to_string_lossy());
    if !criteria_read {
        return Err(Diagnostics::new(files, diags));
    }
    let skip: Vec<FileId> = diags.iter().filter(|d| d.code == "not-utf8").filter_map(|d| d.labels.first().map(|l| l.span.file)).collect();
    // An empty directory already says there are no bids.
    let empty_dir = diags.iter().any(|d| d.code == "empty-directory");
    let drop_repeat = |items: &mut Vec<Diagnostic>| {
        if empty_dir {
            items.retain(|d| d.code != "no-bids");
        }
    };
    match validate(files, &skip) {
        Ok(inputs) if diags.is_empty() => Ok(inputs),
        Ok(inputs) => Err(Diagnostics::new(inputs.sources, diags)),
        Err(mut d) => {
            d.items.extend(diags);
            drop_repeat(&mut d.items);
            Err(Diagnostics::new(d.sources, d.items))
        }
    }
}

/// Validate sources given as text: the first is the criteria file, the rest are bids and
/// at most one panel file.
///
/// # Errors
/// Every problem found in every file, located.
///
/// # Examples
/// ```
/// use bidscore::{SourceFile, load_sources};
/// let criteria = r#"
/// [tender]
/// id = "demo"
/// title = "Demo"
/// [evaluation]
/// max_points = 10
/// [[section]]
/// id = "quality"
/// title = "Quality"
/// [[criterion]]
/// id = "speed"
/// section = "quality"
/// title = "Speed"
/// points = 10
/// field = "speed"
/// rule = { kind = "linear", zero_at = 0, full_at = 100 }
/// "#;
/// // Plain bid fields go before `[bidder]`, or in tables of their own.
/// let bid = "speed = 50\n[bidder]\nid = \"a\"\nname = \"A\"\n";
/// let inputs = load_sources(vec![SourceFile::new("c.toml", criteria), SourceFile::new("a.toml", bid)]).unwrap();
/// assert_eq!(inputs.bids.len(), 1);
/// ```
pub fn load_sources(sources: Vec<SourceFile>) -> Result<Inputs, Diagnostics> {
    validate(sources, &[])
}

/// Validate files read already; `skip` are files that could not be decoded.
fn validate(sources: Vec<SourceFile>, skip: &[FileId]) -> Result<Inputs, Diagnostics> {
    let mut sink: Sink = Vec::new();
    let mut tender: Option<Tender> = None;
    let mut tender_failed = false;
    let mut bids: Vec<Bid> = Vec::new();
    let mut panels: Vec<(Panel, FileId)> = Vec::new();
    // A panel file was given, even if it failed: then "no panel file" would be wrong.
    let mut panel_seen = false;
    for (i, f) in sources.iter().enumerate() {
        if skip.contains(&i) {
            if i == 0 {
                tender_failed = true;
            }
            continue;
        }
        let doc = match node::parse_document(i, &f.text) {
            Ok(d) => d,
            Err(errs) => {
                if i == 0 {
                    tender_failed = true;
                }
                sink.extend(errs);
                continue;
            }
        };
        let kind = match super::classify::classify(i, &f.text, &doc) {
            Ok(k) => k,
            Err(d) => {
                if i == 0 {
                    tender_failed = true;
                }
                sink.push(d);
                continue;
            }
        };
        match (i, kind) {
            (0, Kind::Criteria) => match tender::parse(&doc, i, &mut sink) {
                Some(t) => tender = Some(t),
                None => tender_failed = true,
            },
            (0, _) => {
                tender_failed = true;
                let at = doc.entries.first().map_or(Span::new(i, 0, 0), |e| e.key_span);
                sink.push(
                    Diagnostic::error("not-criteria", at, "the first file must be a criteria file")
                        .with_help("give the criteria file (with `[tender]`) first, then the bids"),
                );
            }
            (_, Kind::Criteria) => {
                let at = doc.get("tender").map_or(Span::new(i, 0, 0), |e| e.key_span);
                sink.push(
                    Diagnostic::error("extra-criteria", at, "a second criteria file among the bids")
                        .with_help("score one tender at a time: give only its bids after the criteria file"),
                );
            }
            (_, Kind::Bid) => {
                if let Some(b) = bid::parse(&doc, i, &mut sink) {
                    bids.push(b);
                }
            }
            (_, Kind::Panel) => {
                panel_seen = true;
                if let Some(p) = panel::parse(&doc, i, &mut sink) {
                    panels.push((p, i));
                }
            }
        }
    }
    bids.sort_by(|a, b| a.id.cmp(&b.id));
    for pair in bids.windows(2) {
        if let [a, b] = pair
            && a.id == b.id
        {
            let (first, second) =
                if sources.get(a.file).map(|f| &f.path) <= sources.get(b.file).map(|f| &f.path) { (a, b) } else { (b, a) };
            sink.push(
                Diagnostic::error("duplicate-id", second.span, format!("bidder id `{}` is used by two bid files", a.id))
                    .with_label("second bid")
                    .with_secondary(first.span, "first bid")
                    .with_help("each bid file needs its own bidder id"),
            );
        }
    }
    if let [_, (second, _), ..] = panels.as_slice() {
        let mut d = Diagnostic::error("extra-panel", second.span, "more than one panel file")
            .with_help("put all the committee's marks in one panel file");
        if let Some((first, _)) = panels.first() {
            d = d.with_secondary(first.span, "first panel file");
        }
        sink.push(d);
    }
    let panel = panels.into_iter().next().map(|(p, _)| p);
    // "No bids" only when no other file was given at all: a bid file that failed to read or
    // parse has its own diagnostic, which says more.
    let no_bid_files = bids.is_empty()
        && !skip.iter().any(|&i| i > 0)
        && !sources.iter().enumerate().skip(1).any(|(i, _)| sink.iter().any(|d| d.labels.first().is_some_and(|l| l.span.file == i)));
    if no_bid_files && !tender_failed {
        let path = sources.first().map_or(String::new(), |f| f.path.clone());
        sink.push(
            Diagnostic::at_path("no-bids", path, "no bids to score")
                .with_help("give bid files (with `[bidder]`) or a directory of them after the criteria file"),
        );
    }
    let mut warnings = Vec::new();
    let mut resolved = Vec::new();
    if let Some(t) = &tender {
        resolved = resolve(t, &bids, panel.as_ref(), panel_seen, &mut sink, &mut warnings);
    }
    // With errors, warnings are left out: fix the errors first, then see what remains.
    if sink.iter().any(|d| d.severity == Severity::Error) || tender.is_none() {
        return Err(Diagnostics::new(sources, sink));
    }
    let Some(tender) = tender else {
        return Err(Diagnostics::new(sources, sink));
    };
    crate::diag::sort(&sources, &mut warnings);
    Ok(Inputs { tender, bids, panel, sources, warnings, resolved })
}

/// Read `node` as the given kind, reporting a located type error.
fn read_as(n: &Node, kind: InputKind, field: &str, sink: &mut Sink) -> Option<Scalar> {
    match kind {
        InputKind::Number => as_number(n, field, sink).map(|(d, _)| Scalar::Number(d)),
        InputKind::Text => match &n.value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            _ => crate::load::reader::as_str(n, field, sink).map(|(s, _)| Scalar::Text(s.to_owned())),
        },
        InputKind::Bool => as_bool(n, field, sink).map(Scalar::Bool),
        InputKind::Date => as_date(n, field, sink).map(|(d, _)| Scalar::Date(d)),
        InputKind::Marks => None,
    }
}

/// The type of value a gate reads.
pub(crate) fn gate_kind(r: &Require) -> InputKind {
    let of = |s: &Scalar| match s {
        Scalar::Text(_) => InputKind::Text,
        Scalar::Bool(_) => InputKind::Bool,
        Scalar::Number(_) => InputKind::Number,
        Scalar::Date(_) => InputKind::Date,
    };
    match r {
        Require::Equals(s) => of(s),
        Require::OneOf(v) => v.first().map_or(InputKind::Text, of),
        Require::AtLeast(_) | Require::AtMost(_) => InputKind::Number,
        Require::NotAfter(_) => InputKind::Date,
    }
}

fn missing_field(b: &Bid, field: &str, user: &str, fix: &str) -> Diagnostic {
    let (table, key) = field.rsplit_once('.').map_or((None, field), |(t, k)| (Some(t), k));
    let help = match table {
        Some(t) => format!("add `{key} = …` under `[{t}]` in this bid, or {fix}"),
        None => format!("add `{key} = …` to this bid, or {fix}"),
    };
    Diagnostic::error("missing-field", b.span, format!("bid `{}` has no `{field}`, which {user} reads", b.id))
        .with_label("in this bid")
        .with_help(help)
}

fn resolve(t: &Tender, bids: &[Bid], panel: Option<&Panel>, panel_seen: bool, sink: &mut Sink, warnings: &mut Sink) -> Vec<Resolved> {
    let mut out = Vec::with_capacity(bids.len());
    // Every field some rule reads; a bid field outside this set changes nothing.
    let read = t.read_fields();
    for b in bids {
        // Fields declared informational are meant to be unread; a rule that reads one would
        // contradict the declaration.
        let declared = |p: &str| b.informational.iter().any(|(d, _)| FieldPath::parse(p).is_some_and(|p| p.starts_with(d)));
        for (d, sp) in &b.informational {
            if let Some(r) = read.iter().find(|r| FieldPath::parse(r).is_some_and(|r| r.starts_with(d))) {
                sink.push(
                    Diagnostic::error(
                        "informational-field-read",
                        *sp,
                        format!("bid `{}` declares `{d}` informational, but the tender reads `{r}`", b.id),
                    )
                    .with_help("remove it from `informational`: a value a rule reads counts"),
                );
            }
        }
        let unread: Vec<String> =
            bid::leaf_paths(&b.fields).into_iter().filter(|p| read.binary_search(p).is_err() && !declared(p)).collect();
        if !unread.is_empty() {
            let shown: Vec<String> = unread.iter().take(4).map(|p| format!("`{p}`")).collect();
            let more = if unread.len() > 4 { format!(" and {} more", unread.len() - 4) } else { String::new() };
            warnings.push(
                Diagnostic::warning(
                    "unread-field",
                    b.span,
                    format!(
                        "bid `{}` has {} that no rule reads: {}{more}",
                        b.id,
                        crate::diag::plural(unread.len(), "field"),
                        shown.join(", ")
                    ),
                )
                .with_help("these values change no score; if one should, check its name against the criteria's `field`s"),
            );
        }
        let mut r = Resolved::default();
        // Fields read without provenance: one warning per bid, not one per field.
        let mut unsourced: Vec<String> = Vec::new();
        let mut note_unsourced = |path: &str| {
            if !b.provenance.contains_key(path) && !unsourced.iter().any(|p| p == path) {
                unsourced.push(path.to_owned());
            }
        };
        for g in &t.gates {
            let path = g.field.to_string();
            let user = format!("gate `{}`", g.id);
            match b.fields.lookup(g.field.segments()) {
                None if g.missing == GateMissing::Fail => r.gates.push(None),
                None => {
                    sink.push(missing_field(b, &path, &user, "set `missing = \"fail\"` on the gate"));
                    r.gates.push(None);
                }
                Some(e) => {
                    note_unsourced(&path);
                    r.gates.push(read_as(&e.node, gate_kind(&g.require), &path, sink));
                }
            }
        }
        for c in &t.criteria {
            let user = format!("criterion `{}`", c.id);
            if c.rule.input() == InputKind::Marks {
                let marks = panel.and_then(|p| p.marks.get(&c.id)).and_then(|m| m.get(&b.id));
                r.criteria.push(marks.map(|m| Given::Marks(m.clone())));
                continue;
            }
            let Some(field) = &c.field else {
                r.criteria.push(None);
                continue;
            };
            let path = field.to_string();
            match b.fields.lookup(field.segments()) {
                None => {
                    if c.missing == CriterionMissing::Error {
                        sink.push(missing_field(b, &path, &user, "set `missing = \"zero\"` on the criterion"));
                    }
                    r.criteria.push(None);
                }
                Some(e) => {
                    note_unsourced(&path);
                    let v = read_as(&e.node, c.rule.input(), &path, sink);
                    if let Some(v) = &v {
                        c.rule.check_value(v, &crate::rules::ValueAt { span: e.node.span, field: &path, criterion: &c.id }, sink);
                    }
                    r.criteria.push(v.map(Given::Value));
                }
            }
        }
        if let Some(q) = &t.award.quantity {
            let path = q.field.to_string();
            match b.fields.lookup(q.field.segments()) {
                None => sink.push(missing_field(b, &path, "the award", "remove `quantity` from `[award]`")),
                Some(e) => {
                    note_unsourced(&path);
                    r.offered = as_count(&e.node, &path, sink).map(|x| x.0);
                }
            }
        }
        if !unsourced.is_empty() {
            let shown: Vec<String> = unsourced.iter().take(4).map(|p| format!("`{p}`")).collect();
            let more = if unsourced.len() > 4 { format!(" and {} more", unsourced.len() - 4) } else { String::new() };
            warnings.push(
                Diagnostic::warning(
                    "unsourced-value",
                    b.span,
                    format!(
                        "bid `{}` has {} without provenance: {}{more}",
                        b.id,
                        crate::diag::plural(unsourced.len(), "value"),
                        shown.join(", ")
                    ),
                )
                .with_help(
                    "add `[provenance.\"<field>\"]` with `status` and `source` (or `assumed` with a `note`) for each value a rule reads",
                ),
            );
        }
        out.push(r);
    }
    check_panel(t, bids, panel, panel_seen, sink);
    out
}

fn check_panel(t: &Tender, bids: &[Bid], panel: Option<&Panel>, panel_seen: bool, sink: &mut Sink) {
    let panel_criteria: Vec<_> = t.criteria.iter().filter(|c| c.rule.panel().is_some()).collect();
    let Some(p) = panel else {
        if panel_seen {
            return;
        }
        for c in panel_criteria.iter().filter(|c| c.missing == CriterionMissing::Error) {
            sink.push(
                Diagnostic::error(
                    "panel-missing",
                    c.span,
                    format!("criterion `{}` is scored by the panel, but no panel file was given", c.id),
                )
                .with_help("give a panel file (with `[panel]` and `[panel.marks.<criterion>]`) among the bid files"),
            );
        }
        return;
    };
    let ids: std::collections::HashSet<&str> = bids.iter().map(|b| b.id.as_str()).collect();
    for (cid, by_bidder) in &p.marks {
        let (cspan, bspans) = p.spans.get(cid).cloned().unwrap_or_default();
        let Some(c) = t.criterion(cid) else {
            if !t.declared_criteria.contains(cid) {
                sink.push(unknown_ref("criterion", cid, cspan, panel_criteria.iter().map(|c| c.id.as_str())));
            }
            continue;
        };
        let Some(rule) = c.rule.panel() else {
            sink.push(
                Diagnostic::error(
                    "not-a-panel-criterion",
                    cspan,
                    format!("criterion `{cid}` is a `{}` criterion, not scored by the panel", c.rule.kind()),
                )
                .with_secondary(c.span, "defined here")
                .with_help("only criteria with `kind = \"panel\"` take marks"),
            );
            continue;
        };
        let mut lengths: Vec<(usize, &str)> = Vec::new();
        for (bidder, marks) in by_bidder {
            let bsp = bspans.get(bidder).copied().unwrap_or(cspan);
            if !ids.contains(bidder.as_str()) {
                sink.push(unknown_ref("bid", bidder, bsp, bids.iter().map(|b| b.id.as_str())));
                continue;
            }
            let need = 2 * rule.trim as usize + 1;
            if marks.len() < need {
                sink.push(
                    Diagnostic::error(
                        "too-few-marks",
                        bsp,
                        format!(
                            "`{bidder}` has {} on `{cid}`; dropping {} highest and {} lowest needs at least {need}",
                            crate::diag::plural(marks.len(), "mark"),
                            rule.trim,
                            rule.trim
                        ),
                    )
                    .with_help("give one mark per evaluator, or lower `trim` on the criterion"),
                );
            }
            for m in marks {
                if *m < Decimal::ZERO || *m > rule.scale {
                    sink.push(
                        Diagnostic::error(
                            "mark-out-of-range",
                            bsp,
                            format!("`{bidder}` has the mark `{m}` on `{cid}`, outside [0, {}]", rule.scale),
                        )
                        .with_help(format!("marks run from 0 to the criterion's `scale` ({})", rule.scale)),
                    );
                }
            }
            lengths.push((marks.len(), bidder));
        }
        if let Some(names) = &p.evaluators {
            for (len, who) in lengths.iter().filter(|(l, _)| *l != names.len()) {
                let bsp = bspans.get(*who).copied().unwrap_or(cspan);
                let mut d = Diagnostic::error(
                    "unequal-marks",
                    bsp,
                    format!(
                        "`{who}` has {} on `{cid}` but the panel names {}",
                        crate::diag::plural(*len, "mark"),
                        crate::diag::plural(names.len(), "evaluator")
                    ),
                )
                .with_help("mark i of every array is evaluator i: give exactly one mark per named evaluator");
                if let Some(esp) = p.evaluators_span {
                    d = d.with_secondary(esp, "the evaluators are named here");
                }
                sink.push(d);
            }
        } else if let Some((first_len, first)) = lengths.first()
            && let Some((len, who)) = lengths.iter().find(|(l, _)| l != first_len)
        {
            let bsp = bspans.get(*who).copied().unwrap_or(cspan);
            sink.push(
                Diagnostic::error("unequal-marks", bsp, format!("`{who}` has {len} marks on `{cid}` but `{first}` has {first_len}"))
                    .with_help("mark i of every array is evaluator i: every bid needs one mark per evaluator"),
            );
        }
        for b in bids {
            if !by_bidder.contains_key(&b.id) && c.missing == CriterionMissing::Error {
                sink.push(
                    Diagnostic::error("missing-marks", cspan, format!("the panel has no marks for bid `{}` on `{cid}`", b.id)).with_help(
                        format!("add `{} = [ … ]` under `[panel.marks.{cid}]`, or set `missing = \"zero\"` on the criterion", b.id),
                    ),
                );
            }
        }
    }
    for c in &panel_criteria {
        if !p.marks.contains_key(&c.id) && c.missing == CriterionMissing::Error {
            sink.push(
                Diagnostic::error("missing-marks", p.span, format!("the panel has no marks for criterion `{}`", c.id))
                    .with_help(format!("add `[panel.marks.{}]` with one array of marks per bid", c.id)),
            );
        }
    }
}

impl Inputs {
    /// What bid `bid` (an index into `bids`) gives criterion `criterion`: its value or the
    /// panel's marks; `None` when missing (the criterion says `missing = "zero"`).
    pub fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        self.resolved.get(bid)?.criteria.get(criterion)?.as_ref()
    }

    /// The value bid `bid` gives gate `gate`; `None` when missing (the gate then fails).
    pub fn gate_value(&self, bid: usize, gate: usize) -> Option<&Scalar> {
        self.resolved.get(bid)?.gates.get(gate)?.as_ref()
    }

    /// The quantity bid `bid` offers, when the award fills one.
    pub fn offered(&self, bid: usize) -> Option<u64> {
        self.resolved.get(bid)?.offered
    }

    /// Everything bid `bid` gives the rules, for scenarios that change some of it.
    pub(crate) fn resolved_row(&self, bid: usize) -> Option<&Resolved> {
        self.resolved.get(bid)
    }

    /// The index of a bid in `bids` by its bidder id.
    pub fn bid_index(&self, bidder: &str) -> Option<usize> {
        // Bids are sorted by id at validation.
        self.bids.binary_search_by(|b| b.id.as_str().cmp(bidder)).ok()
    }

    /// The warnings with the sources they point into, for rendering.
    pub fn warnings_report(&self) -> Diagnostics {
        Diagnostics { sources: self.sources.clone(), items: self.warnings.clone() }
    }
}
