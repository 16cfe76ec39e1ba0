//! The whole set of inputs for one evaluation, validated together: the criteria file, the
//! bids and the panel. Cross-file checks live here (every field a rule reads exists in every
//! bid with the right type, panel marks match the bids), and every value a rule will read
//! is resolved once, so evaluation is a pure walk over typed data.

use std::path::Path;

use rust_decimal::Decimal;

use super::classify::Kind;
use super::{
    Bid, CriterionMissing, GateMissing, Negotiation, NegotiationOutcome, Panel, Reported, ReportedStatus, Require, Scalar, Tender,
    TieBreak, bid, panel, record, tender,
};
use crate::diag::{Diagnostic, Diagnostics, FileId, Severity, SourceFile, Span};
use crate::load::node::{Node, Table, Value};
use crate::load::reader::{Sink, as_bool, as_count, as_date, as_number, unknown_ref};
use crate::load::{self, ReadLimits, node};
use crate::rules::InputKind;
use crate::value::{FieldPath, Given, Str};

/// Validated inputs: a tender, its bids (sorted by id) and the panel's marks.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The criteria.
    pub tender: Tender,
    /// The bids, sorted by bidder id.
    pub bids: Vec<Bid>,
    /// The committee's marks, if any criterion needs them.
    pub panel: Option<Panel>,
    /// The negotiation record, if one was given (SPEC §10.2).
    pub negotiation: Option<Negotiation>,
    /// The outcome as reported, for a reconstruction.
    pub reported: Option<Reported>,
    /// A negotiation record was given and set aside ([`Inputs::without_negotiation`]).
    pub negotiation_set_aside: bool,
    /// Every file read, criteria first (paths as given).
    pub sources: Vec<SourceFile>,
    /// Problems that do not stop scoring.
    pub warnings: Vec<Diagnostic>,
    /// Per bid (same order as `bids`), the values each gate and criterion reads.
    pub(crate) resolved: Columns,
}

/// Every bid's [`Resolved`] row, held flat: one vector per kind of value, a bid's values
/// side by side. An evaluation reads every bid's values in turn, from a few long vectors
/// rather than four small ones per bid scattered over the heap.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    /// Values per bid: gates, criteria, tie-break steps, abnormally low checks.
    widths: [usize; 4],
    gates: Vec<Option<Scalar>>,
    criteria: Vec<Option<Given>>,
    ties: Vec<Option<Scalar>>,
    low: Vec<Option<Decimal>>,
    offered: Vec<Option<u64>>,
    unit_price: Vec<Option<Decimal>>,
}

impl Columns {
    /// No rows yet, `rows` expected, of a tender with these many gates, criteria, tie-break
    /// steps and abnormally low checks.
    pub(crate) fn with_capacity(widths: [usize; 4], rows: usize) -> Columns {
        let [g, c, t, l] = widths.map(|w| w.saturating_mul(rows));
        Columns {
            widths,
            gates: Vec::with_capacity(g),
            criteria: Vec::with_capacity(c),
            ties: Vec::with_capacity(t),
            low: Vec::with_capacity(l),
            offered: Vec::with_capacity(rows),
            unit_price: Vec::with_capacity(rows),
        }
    }

    /// The widths of tender `t`'s rows.
    pub(crate) fn widths(t: &Tender) -> [usize; 4] {
        [t.gates.len(), t.criteria.len(), t.tie_break.len(), t.abnormally_low.len()]
    }

    /// Add a row (a short one is filled with missing values, a long one cut: every row has
    /// the widths).
    pub(crate) fn push(&mut self, r: Resolved) {
        let [g, c, t, l] = self.widths;
        fn fill<T>(into: &mut Vec<Option<T>>, from: Vec<Option<T>>, width: usize) {
            let at = into.len();
            into.extend(from.into_iter().take(width));
            into.resize_with(at.saturating_add(width), || None);
        }
        fill(&mut self.gates, r.gates, g);
        fill(&mut self.criteria, r.criteria, c);
        fill(&mut self.ties, r.ties, t);
        fill(&mut self.low, r.low, l);
        self.offered.push(r.offered);
        self.unit_price.push(r.unit_price);
    }

    /// Where bid `bid`'s values of a kind `width` wide lie in their vector.
    fn at(width: usize, bid: usize) -> std::ops::Range<usize> {
        let start = bid.saturating_mul(width);
        start..start.saturating_add(width)
    }

    fn part<T>(values: &[T], width: usize, bid: usize) -> &[T] {
        values.get(Self::at(width, bid)).unwrap_or_default()
    }

    /// Bid `bid`'s gate values.
    pub(crate) fn gates(&self, bid: usize) -> &[Option<Scalar>] {
        Self::part(&self.gates, self.widths[0], bid)
    }

    /// Bid `bid`'s criterion values.
    pub(crate) fn criteria(&self, bid: usize) -> &[Option<Given>] {
        Self::part(&self.criteria, self.widths[1], bid)
    }

    /// Bid `bid`'s criterion values, to fill in the panel's marks.
    fn criteria_mut(&mut self, bid: usize) -> &mut [Option<Given>] {
        self.criteria.get_mut(Self::at(self.widths[1], bid)).unwrap_or_default()
    }

    /// Bid `bid`'s tie-break values.
    pub(crate) fn ties(&self, bid: usize) -> &[Option<Scalar>] {
        Self::part(&self.ties, self.widths[2], bid)
    }

    /// Bid `bid`'s abnormally low check prices.
    pub(crate) fn low(&self, bid: usize) -> &[Option<Decimal>] {
        Self::part(&self.low, self.widths[3], bid)
    }

    /// Bid `bid`'s row, as its own (for scenarios that change some of it).
    pub(crate) fn row(&self, bid: usize) -> Option<Resolved> {
        Some(Resolved {
            gates: self.gates(bid).to_vec(),
            criteria: self.criteria(bid).to_vec(),
            offered: *self.offered.get(bid)?,
            unit_price: *self.unit_price.get(bid)?,
            ties: self.ties(bid).to_vec(),
            low: self.low(bid).to_vec(),
        })
    }
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
    /// The price of one unit, when the award has a budget.
    pub(crate) unit_price: Option<Decimal>,
    /// Per tie-break step: the value a `lower:`/`higher:`/`earlier:`/`later:` step reads
    /// (`None` for the other steps).
    pub(crate) ties: Vec<Option<Scalar>>,
    /// Per abnormally low tender check: the price it reads.
    pub(crate) low: Vec<Option<Decimal>>,
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
    load_paths_with(criteria, others, ReadLimits::default())
}

/// [`load_paths`] with other limits on how much is read.
///
/// # Errors
/// As [`load_paths`].
pub fn load_paths_with(criteria: impl AsRef<Path>, others: &[impl AsRef<Path>], limits: ReadLimits) -> Result<Inputs, Diagnostics> {
    let others: Vec<std::path::PathBuf> = others.iter().map(|p| p.as_ref().to_path_buf()).collect();
    let (files, all) = load::read_paths(criteria.as_ref(), &others, limits);
    // Warnings about what was read (an entry skipped) go with the inputs' own warnings.
    // Without a readable criteria file there is nothing to validate the bids against.
    let criteria_read = files.first().is_some_and(|f| f.path == criteria.as_ref().to_string_lossy());
    if !criteria_read {
        return Err(Diagnostics::new(files, all));
    }
    let (read_warnings, diags): (Vec<Diagnostic>, Vec<Diagnostic>) = all.into_iter().partition(|d| d.severity == Severity::Warning);
    let skip: Vec<FileId> = diags.iter().filter(|d| d.code == "not-utf8").filter_map(|d| d.labels.first().map(|l| l.span.file())).collect();
    // An empty directory, or a bid path that could not be read, already says why there
    // are no bids.
    let unread = diags.iter().any(|d| d.labels.is_empty());
    let drop_repeat = |items: &mut Vec<Diagnostic>| {
        if unread {
            items.retain(|d| d.code != "no-bids");
        }
    };
    // Bid paths that could not be read at all: any of them may be a bid the panel names.
    let criteria_path = criteria.as_ref().to_string_lossy();
    let lost: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error && d.labels.is_empty() && d.code != "empty-directory")
        .filter_map(|d| d.path.clone())
        .filter(|p| *p != criteria_path)
        .collect();
    match validate(files, &skip, &lost, None) {
        Ok(mut inputs) if diags.is_empty() => {
            inputs.warnings.extend(read_warnings);
            crate::diag::sort(&inputs.sources, &mut inputs.warnings);
            Ok(inputs)
        }
        Ok(inputs) => Err(Diagnostics::new(inputs.sources, diags.into_iter().chain(read_warnings).collect())),
        Err(mut d) => {
            d.items.extend(diags);
            d.items.extend(read_warnings);
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
    validate(sources, &[], &[], None)
}

/// Files of valid inputs that a what-if leaves unchanged: their tender, bid or panel is taken
/// from the inputs instead of parsed again (the same text gives the same result), and every
/// check across files runs as for [`load_sources`].
pub(crate) struct Reuse<'a> {
    /// The inputs the sources were taken from.
    pub(crate) prior: &'a Inputs,
    /// The files whose text changed: parsed and validated from scratch.
    pub(crate) changed: &'a [FileId],
}

/// [`load_sources`] for sources that differ from `reuse.prior`'s only in `reuse.changed`.
pub(crate) fn load_sources_reusing(sources: Vec<SourceFile>, reuse: &Reuse<'_>) -> Result<Inputs, Diagnostics> {
    let inputs = validate(sources, &[], &[], Some(reuse))?;
    // A record set aside stays set aside in the changed files.
    Ok(if reuse.prior.negotiation_set_aside { inputs.without_negotiation().unwrap_or(inputs) } else { inputs })
}

/// What failed to load, so that checks across files do not blame the other files for it.
#[derive(Debug, Default)]
struct Failed {
    /// Ids of bids that could not be read in full but whose id could: the panel may name them.
    ids: Vec<String>,
    /// Paths other than the criteria that could not be read, with no id to be had from them
    /// (a syntax error above it, not UTF-8, a bad id, a path that cannot be read): any of
    /// them may be a bid the panel names, or the panel file itself.
    unidentified: Vec<String>,
}

/// One file, parsed and read on its own: what the checks across files need of it.
enum Read {
    /// Nothing more than its diagnostics: a record that did not parse, a second criteria file.
    Nothing,
    /// Not read as anything: the criteria file (then nothing can be scored), or a file of
    /// which only the path is known.
    Unidentified,
    /// A bid that failed to read, whose id could be.
    FailedBid(String),
    /// A panel file that failed to read.
    FailedPanel,
    /// Boxed: there is one, beside thousands of bids.
    Tender(Box<Tender>),
    Bid(bid::Parsed),
    Panel(Panel),
    Negotiation(Negotiation),
    Reported(Reported),
}

/// Parse file `i` and read it as the kind of file it is, with its diagnostics.
fn read_file(i: FileId, text: &std::sync::Arc<str>) -> (Read, Sink) {
    let mut sink: Sink = Vec::new();
    let (doc, errs) = node::parse_partial(i, text);
    if !errs.is_empty() {
        sink.extend(errs);
        // The part read may still say what the file is, and whose bid.
        let read = if i == 0 {
            Read::Unidentified
        } else {
            match bid::recover_id(&doc) {
                Some(id) => Read::FailedBid(id),
                None if doc.get("panel").is_some() => Read::FailedPanel,
                // A record that fails to parse names no bid of its own.
                None if doc.get("tender").is_some() || doc.get("negotiation").is_some() || doc.get("reported").is_some() => Read::Nothing,
                None => Read::Unidentified,
            }
        };
        return (read, sink);
    }
    let kind = match super::classify::classify(i, text, &doc) {
        Ok(k) => k,
        Err(d) => {
            sink.push(d);
            let read = match bid::recover_id(&doc) {
                Some(id) if i > 0 => Read::FailedBid(id),
                _ => Read::Unidentified,
            };
            return (read, sink);
        }
    };
    let read = match (i, kind) {
        (0, Kind::Criteria) => tender::parse(&doc, i, &mut sink).map_or(Read::Unidentified, |t| Read::Tender(Box::new(t))),
        (0, _) => {
            let at = doc.entries.first().map_or(Span::new(i, 0, 0), |e| e.key_span);
            sink.push(
                Diagnostic::error("not-criteria", at, "the first file must be a criteria file")
                    .with_help("give the criteria file (with `[tender]`) first, then the bids"),
            );
            Read::Unidentified
        }
        (_, Kind::Criteria) => {
            let at = doc.get("tender").map_or(Span::new(i, 0, 0), |e| e.key_span);
            sink.push(
                Diagnostic::error("extra-criteria", at, "a second criteria file among the bids")
                    .with_help("score one tender at a time: give only its bids after the criteria file"),
            );
            Read::Nothing
        }
        (_, Kind::Bid) => bid::parse(doc, i, text, &mut sink).map_or(Read::Unidentified, Read::Bid),
        (_, Kind::Panel) => panel::parse(&doc, i, &mut sink).map_or(Read::FailedPanel, Read::Panel),
        (_, Kind::Negotiation) => record::negotiation(&doc, i, &mut sink).map_or(Read::Nothing, Read::Negotiation),
        (_, Kind::Reported) => record::reported(&doc, i, &mut sink).map_or(Read::Nothing, Read::Reported),
    };
    (read, sink)
}

/// Validate files read already; `skip` are files that could not be decoded, `lost` paths
/// that could not be read at all (each with its diagnostic).
fn validate(sources: Vec<SourceFile>, skip: &[FileId], lost: &[String], reuse: Option<&Reuse<'_>>) -> Result<Inputs, Diagnostics> {
    let mut sink: Sink = Vec::new();
    // A span holds 32-bit offsets (`Span`): a text of 4 GiB or more could not be pointed into.
    let mut skip = skip.to_vec();
    for (i, f) in sources.iter().enumerate() {
        if u32::try_from(f.text.len()).is_err() && !skip.contains(&i) {
            sink.push(
                Diagnostic::at_path("file-too-large", f.path.clone(), "file is 4 GiB or more, more than bidscore reads")
                    .with_help("criteria, bid and panel files are small; check that this is the right file"),
            );
            skip.push(i);
        }
    }
    let skip = skip.as_slice();
    let mut warnings: Sink = Vec::new();
    let mut tender: Option<Tender> = None;
    let mut tender_failed = false;
    // Each bid with what its rules read (when the criteria were read), resolved as the file
    // was read: its tree is dropped there, so the trees of many bids are never held at once.
    let mut bids: Vec<(Bid, Option<Resolution>)> = Vec::with_capacity(sources.len());
    // Bids read in part, whose id is malformed: checked on their own, never matched by id.
    let mut partial: Vec<Bid> = Vec::new();
    let mut failed = Failed { unidentified: lost.to_vec(), ..Failed::default() };
    let mut panels: Vec<(Panel, FileId)> = Vec::new();
    let mut negotiations: Vec<Negotiation> = Vec::new();
    let mut reports: Vec<Reported> = Vec::new();
    // A panel file was given, even if it failed: then "no panel file" would be wrong.
    let mut panel_seen = false;
    // Per file, the prior bid read from it.
    let prior_bid: Vec<Option<&Bid>> = match reuse {
        Some(r) => {
            let mut v = vec![None; sources.len()];
            for b in &r.prior.bids {
                if let Some(slot) = v.get_mut(b.file) {
                    *slot = Some(b);
                }
            }
            v
        }
        None => Vec::new(),
    };
    // A file the what-if left unchanged is taken from the prior inputs, not parsed again.
    let reused = |i: FileId| {
        reuse.is_some_and(|r| {
            !r.changed.contains(&i)
                && (i == 0 || prior_bid.get(i).copied().flatten().is_some() || r.prior.panel.as_ref().is_some_and(|p| p.span.file() == i))
        })
    };
    // The criteria first, on their own: each bid is resolved against them as it is read.
    let first = match reuse {
        Some(r) if reused(0) => {
            tender = Some(r.prior.tender.clone());
            None
        }
        _ => sources.first().map(|f| (!skip.contains(&0)).then(|| read_file(0, &f.text))),
    };
    let mut early: Option<(Read, Sink)> = None;
    if let Some(read) = first {
        match read {
            Some((Read::Tender(t), diags)) => {
                sink.extend(diags);
                tender = Some(*t);
            }
            Some(other) => early = Some(other),
            // Not decoded (its diagnostic is the reader's).
            None => tender_failed = true,
        }
    }
    let reading = tender.as_ref().map(|t| (t, (t.read_fields(), Paths::new(t))));
    // Each other file is parsed and read as what it is on its own, on every core when there
    // are many (a directory of bids): nothing in one file's reading depends on another's but
    // the criteria. The largest first: a panel file of many bids' marks takes as long as
    // hundreds of bids.
    let reads = crate::par::map_largest_first(
        &sources,
        |f| f.text.len(),
        |i, f| {
            if i == 0 {
                return None;
            }
            let resolve_bid = |mut p: bid::Parsed| {
                let resolution = reading.as_ref().map(|(t, (read, paths))| {
                    let (mut errors, mut notes): (Sink, Sink) = (Vec::new(), Vec::new());
                    let r = resolve(t, &p.bid, &p.fields, read, paths, &p.stray, &mut errors, &mut notes);
                    // Held until every file is read: a bid's one or two notes, not a vector's four.
                    notes.shrink_to_fit();
                    Resolution { row: r, errors, notes }
                });
                p.fields = Table::default();
                (p, resolution)
            };
            if reused(i) {
                // A bid the what-if left unchanged: its tree read again from its text.
                return prior_bid.get(i).copied().flatten().map(|b| {
                    let parsed = bid::Parsed { bid: b.clone(), fields: b.fields(), id_ok: true, stray: Vec::new() };
                    let (p, resolution) = resolve_bid(parsed);
                    (Some((Read::Bid(p), Vec::new())), resolution)
                });
            }
            if skip.contains(&i) {
                return Some((None, None));
            }
            Some(match read_file(i, &f.text) {
                (Read::Bid(p), diags) => {
                    let (p, resolution) = resolve_bid(p);
                    (Some((Read::Bid(p), diags)), resolution)
                }
                other => (Some(other), None),
            })
        },
    );
    for ((i, f), got) in sources.iter().enumerate().zip(reads.into_iter().map(Option::flatten)) {
        let (read, resolution) = match got {
            _ if i == 0 => match early.take() {
                Some(read) => (Some(read), None),
                None => continue,
            },
            Some(got) => got,
            None => {
                // Taken from the prior inputs as they were (only a panel file).
                if let Some(p) = reuse.and_then(|r| r.prior.panel.as_ref()).filter(|p| p.span.file() == i) {
                    panel_seen = true;
                    panels.push((p.clone(), i));
                }
                continue;
            }
        };
        let Some((read, diags)) = read else {
            // Not decoded (its diagnostic is the reader's).
            if i == 0 {
                tender_failed = true;
            } else {
                failed.unidentified.push(f.path.clone());
            }
            continue;
        };
        sink.extend(diags);
        match read {
            Read::Nothing => {}
            Read::Unidentified if i == 0 => tender_failed = true,
            Read::Unidentified => failed.unidentified.push(f.path.clone()),
            Read::FailedBid(id) => failed.ids.push(id),
            Read::FailedPanel => panel_seen = true,
            Read::Tender(t) => tender = Some(*t),
            // A bid with problems of its own still takes part in the checks across files
            // (its missing fields, the panel's marks for it); the errors already pushed stop
            // the run.
            Read::Bid(p) => {
                if p.id_ok {
                    bids.push((p.bid, resolution));
                } else {
                    failed.unidentified.push(f.path.clone());
                    if let Some(r) = resolution {
                        sink.extend(r.errors);
                        warnings.extend(r.notes);
                    }
                    partial.push(p.bid);
                }
            }
            Read::Panel(p) => {
                panel_seen = true;
                panels.push((p, i));
            }
            Read::Negotiation(n) => negotiations.push(n),
            Read::Reported(r) => reports.push(r),
        }
    }
    bids.sort_by(|(a, _), (b, _)| a.id.cmp(&b.id));
    let (bids, resolutions): (Vec<Bid>, Vec<Option<Resolution>>) = bids.into_iter().unzip();
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
    let negotiation = one_record(negotiations.into_iter().map(|n| (n.span, n)).collect(), "negotiation record", &mut sink);
    let reported = one_record(reports.into_iter().map(|r| (r.span, r)).collect(), "reported outcome", &mut sink);
    // "No bids" only when no other file was given at all: a bid file that failed to read or
    // parse has its own diagnostic, which says more.
    let no_bid_files = bids.is_empty()
        && partial.is_empty()
        && !skip.iter().any(|&i| i > 0)
        && !sources.iter().enumerate().skip(1).any(|(i, _)| sink.iter().any(|d| d.labels.first().is_some_and(|l| l.span.file() == i)));
    if no_bid_files && !tender_failed {
        let path = sources.first().map_or(String::new(), |f| f.path.clone());
        sink.push(
            Diagnostic::at_path("no-bids", path, "no bids to score")
                .with_help("give bid files (with `[bidder]`) or a directory of them after the criteria file"),
        );
    }
    let mut resolved = Columns::default();
    if let Some(t) = &tender {
        // The rows put into columns, and the checks across files, at once for many bids:
        // neither reads what the other makes. Their diagnostics keep this order.
        let columns = || {
            let mut resolved = Columns::with_capacity(Columns::widths(t), resolutions.len());
            let (mut errors, mut notes): (Sink, Sink) = (Vec::new(), Vec::new());
            // INVARIANT: with the criteria read, every bid was resolved as it was read (the
            // default row keeps the rows in step with the bids all the same).
            for r in resolutions {
                let Some(r) = r else {
                    resolved.push(Resolved::default());
                    continue;
                };
                resolved.push(r.row);
                errors.extend(r.errors);
                notes.extend(r.notes);
            }
            if let Some(p) = &panel {
                for (i, b) in bids.iter().enumerate() {
                    with_marks(t, b, p, resolved.criteria_mut(i));
                }
            }
            (resolved, errors, notes)
        };
        let checks = || {
            let (mut errors, mut notes): (Sink, Sink) = (Vec::new(), Vec::new());
            let unread: Vec<&str> = failed.unidentified.iter().map(String::as_str).collect();
            check_panel(t, &bids, &failed.ids, &unread, panel.as_ref(), panel_seen, &mut errors);
            check_records(t, &bids, &failed, negotiation.as_ref(), reported.as_ref(), &mut errors, &mut notes);
            check_lots(t, &bids, negotiation.as_ref(), &mut errors);
            (errors, notes)
        };
        let ((columns, errors, notes), (check_errors, check_notes)) =
            crate::par::join_when(bids.len() >= crate::par::FROM, columns, checks);
        resolved = columns;
        sink.extend(errors.into_iter().chain(check_errors));
        warnings.extend(notes.into_iter().chain(check_notes));
    }
    // With errors, warnings are left out: fix the errors first, then see what remains. (A
    // note is there only because of an error, here or in reading the files.)
    if sink.iter().any(|d| d.severity != Severity::Warning) || tender.is_none() {
        return Err(Diagnostics::new(sources, sink));
    }
    let Some(tender) = tender else {
        return Err(Diagnostics::new(sources, sink));
    };
    crate::diag::sort(&sources, &mut warnings);
    Ok(Inputs { tender, bids, panel, negotiation, reported, negotiation_set_aside: false, sources, warnings, resolved })
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

/// What bid `b` gives each rule, reporting what is missing or mistyped. `read` is every
/// field some rule reads (`Tender::read_fields`); a bid field outside it changes nothing.
/// The text of every field path the tender reads, made once for all the bids.
struct Paths {
    gates: Vec<String>,
    criteria: Vec<Option<String>>,
    quantity: Option<String>,
    low: Vec<String>,
    ties: Vec<Option<String>>,
    budget: Option<String>,
}

impl Paths {
    fn new(t: &Tender) -> Paths {
        Paths {
            gates: t.gates.iter().map(|g| g.field.to_string()).collect(),
            criteria: t.criteria.iter().map(|c| c.field.as_ref().map(ToString::to_string)).collect(),
            quantity: t.award.quantity.as_ref().map(|q| q.field.to_string()),
            low: t.abnormally_low.iter().map(|c| c.field.to_string()).collect(),
            ties: t
                .tie_break
                .iter()
                .map(|s| match s {
                    TieBreak::Value { field, .. } => Some(field.to_string()),
                    _ => None,
                })
                .collect(),
            budget: t.award.budget.as_ref().map(|b| b.unit_price.to_string()),
        }
    }
}

/// One bid resolved against the criteria as its file was read: the row, and what it said.
struct Resolution {
    row: Resolved,
    errors: Sink,
    notes: Sink,
}

/// The panel's marks for bid `b`, among its criterion values, for each criterion the panel
/// scores.
fn with_marks(t: &Tender, b: &Bid, panel: &Panel, criteria: &mut [Option<Given>]) {
    for (c, slot) in t.criteria.iter().zip(criteria) {
        if c.rule.input() == InputKind::Marks {
            *slot = panel.marks.get(&c.id).and_then(|m| m.get(b.id.as_str())).map(|m| Given::Marks(m.clone()));
        }
    }
}

#[allow(clippy::too_many_arguments, reason = "one bid against the tender, with the texts made once for every bid")]
fn resolve<'p>(
    t: &Tender,
    b: &Bid,
    fields: &Table,
    read: &[Str],
    paths: &'p Paths,
    stray: &[String],
    sink: &mut Sink,
    warnings: &mut Sink,
) -> Resolved {
    // A field missing only because it was written under `[bidder]` (reported already).
    let misplaced = |path: &FieldPath| path.segments().first().is_some_and(|s| stray.contains(s));
    {
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
        let mut unread: Vec<String> = Vec::new();
        bid::for_each_leaf(fields, &mut |p| {
            if read.binary_search_by(|r| r.as_str().cmp(p)).is_err() && !declared(p) {
                unread.push(p.to_owned());
            }
        });
        if !unread.is_empty() {
            let shown: Vec<String> = unread.iter().take(4).map(|p| format!("`{p}`")).collect();
            let more = match unread.len().saturating_sub(4) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
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
        let mut unsourced: Vec<&str> = Vec::new();
        let mut note_unsourced = |path: &'p str| {
            if !b.provenance.contains_key(path) && !unsourced.contains(&path) {
                unsourced.push(path);
            }
        };
        for (g, path) in t.gates.iter().zip(&paths.gates) {
            match fields.lookup(g.field.segments()) {
                None if g.missing == GateMissing::Fail || misplaced(&g.field) => r.gates.push(None),
                None => {
                    sink.push(missing_field(b, path, &format!("gate `{}`", g.id), "set `missing = \"fail\"` on the gate"));
                    r.gates.push(None);
                }
                Some(e) => {
                    note_unsourced(path);
                    r.gates.push(read_as(&e.node, gate_kind(&g.require), path, sink));
                }
            }
        }
        for (c, path) in t.criteria.iter().zip(&paths.criteria) {
            if c.rule.input() == InputKind::Marks {
                // The panel's, filled in once every file is read (`with_marks`).
                r.criteria.push(None);
                continue;
            }
            let (Some(field), Some(path)) = (&c.field, path) else {
                r.criteria.push(None);
                continue;
            };
            match fields.lookup(field.segments()) {
                None => {
                    if c.missing == CriterionMissing::Error && !misplaced(field) {
                        let user = format!("criterion `{}`", c.id);
                        sink.push(missing_field(b, path, &user, "set `missing = \"zero\"` on the criterion"));
                    }
                    r.criteria.push(None);
                }
                Some(e) => {
                    note_unsourced(path);
                    let v = read_as(&e.node, c.rule.input(), path, sink);
                    if let Some(v) = &v {
                        c.rule.check_value(v, &crate::rules::ValueAt { span: e.node.span, field: path, criterion: &c.id }, sink);
                    }
                    r.criteria.push(v.map(Given::Value));
                }
            }
        }
        if let (Some(q), Some(path)) = (&t.award.quantity, &paths.quantity) {
            match fields.lookup(q.field.segments()) {
                None if misplaced(&q.field) => {}
                None => sink.push(missing_field(b, path, "the award", "remove `quantity` from `[award]`")),
                Some(e) => {
                    note_unsourced(path);
                    r.offered = as_count(&e.node, path, sink).map(|x| x.0);
                }
            }
        }
        for (check, path) in t.abnormally_low.iter().zip(&paths.low) {
            let value = match fields.lookup(check.field.segments()) {
                None if misplaced(&check.field) => None,
                None => {
                    sink.push(missing_field(b, path, "an abnormally low tender check", "remove the check"));
                    None
                }
                Some(e) => {
                    note_unsourced(path);
                    as_number(&e.node, path, sink).and_then(|(d, sp)| {
                        if d < Decimal::ZERO {
                            sink.push(
                                Diagnostic::error("bad-price", sp, format!("bid `{}` gives a price of `{d}`", b.id))
                                    .with_help("a price an abnormally low tender check reads is 0 or more"),
                            );
                            None
                        } else {
                            Some(d)
                        }
                    })
                }
            };
            r.low.push(value);
        }
        for (step, path) in t.tie_break.iter().zip(&paths.ties) {
            let (TieBreak::Value { field, order }, Some(path)) = (step, path) else {
                r.ties.push(None);
                continue;
            };
            let value = match fields.lookup(field.segments()) {
                None if misplaced(field) => None,
                None => {
                    sink.push(missing_field(b, path, "a tie-break", "remove the tie-break"));
                    None
                }
                Some(e) => {
                    note_unsourced(path);
                    read_as(&e.node, if order.dates() { InputKind::Date } else { InputKind::Number }, path, sink)
                }
            };
            r.ties.push(value);
        }
        if let (Some(budget), Some(path)) = (&t.award.budget, &paths.budget) {
            match fields.lookup(budget.unit_price.segments()) {
                None if misplaced(&budget.unit_price) => {}
                None => sink.push(missing_field(b, path, "the budget", "remove `budget` from `[award]`")),
                Some(e) => {
                    note_unsourced(path);
                    r.unit_price = as_number(&e.node, path, sink).and_then(|(d, sp)| {
                        if d > Decimal::ZERO {
                            Some(d)
                        } else {
                            sink.push(
                                Diagnostic::error("bad-price", sp, format!("bid `{}` gives a unit price of `{d}`", b.id))
                                    .with_help("a unit price the budget pays must be above 0"),
                            );
                            None
                        }
                    });
                }
            }
        }
        if !unsourced.is_empty() {
            let shown: Vec<String> = unsourced.iter().take(4).map(|p| format!("`{p}`")).collect();
            let more = match unsourced.len().saturating_sub(4) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
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
        r
    }
}

/// The panel's marks against the tender and the bids. `recovered` are the ids of bids that
/// failed to load but were named; `unread` the paths of files that failed with no id to be
/// had. When one of those may be what a check looks for (a bid the panel names, the panel
/// file itself) the check is not made, and one note says why.
fn check_panel(t: &Tender, bids: &[Bid], recovered: &[String], unread: &[&str], panel: Option<&Panel>, panel_seen: bool, sink: &mut Sink) {
    let panel_criteria: Vec<_> = t.criteria.iter().filter(|c| c.rule.panel().is_some()).collect();
    let unread_list = || {
        let shown: Vec<&str> = unread.iter().take(3).copied().collect();
        let more = unread.len().saturating_sub(shown.len());
        let list = crate::diag::all_of_list(shown);
        if more > 0 { format!("{list} and {more} more") } else { list }
    };
    let Some(p) = panel else {
        if panel_seen {
            return;
        }
        let wanted: Vec<_> = panel_criteria.iter().filter(|c| c.missing == CriterionMissing::Error).collect();
        if let Some(first) = wanted.first()
            && !unread.is_empty()
        {
            sink.push(
                Diagnostic::note(
                    "check-skipped",
                    first.span,
                    format!("not checked whether a panel file was given: {} could not be read, and may be the panel file", unread_list()),
                )
                .with_help("fix the files that could not be read first; then the panel file is looked for"),
            );
            return;
        }
        for c in wanted {
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
    let ids: std::collections::HashSet<&str> = bids.iter().map(|b| b.id.as_str()).chain(recovered.iter().map(String::as_str)).collect();
    // Marks for ids no bid has, not reported because a file that failed may be that bid.
    let mut unmatched: Vec<(&str, Span)> = Vec::new();
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
                if unread.is_empty() {
                    sink.push(unknown_ref("bid", bidder, bsp, bids.iter().map(|b| b.id.as_str())));
                } else {
                    match unmatched.iter_mut().find(|(b, _)| b == bidder) {
                        Some((_, at)) if bsp.start() < at.start() => *at = bsp,
                        Some(_) => {}
                        None => unmatched.push((bidder, bsp)),
                    }
                }
                continue;
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
        // Too few marks for `trim` is one mistake, whether one bid is short or all are.
        if let Some(&(fewest, who)) = lengths.iter().min_by_key(|(l, _)| *l) {
            let at = bspans.get(who).copied().unwrap_or(cspan);
            let uniform = lengths.iter().all(|(l, _)| *l == fewest);
            rule.check_mark_count((cid, c.span), (fewest, who, at), uniform, sink);
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
            if !by_bidder.contains_key(b.id.as_str()) && c.missing == CriterionMissing::Error {
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
    if let Some((_, at)) = unmatched.iter().min_by_key(|(_, sp)| sp.start()) {
        let shown: Vec<&str> = unmatched.iter().take(3).map(|(b, _)| *b).collect();
        let more = unmatched.len().saturating_sub(shown.len());
        let mut who = crate::diag::all_of_list(shown);
        if more > 0 {
            who.push_str(&format!(" and {more} more"));
        }
        let those = if unmatched.len() == 1 { "that bid" } else { "those bids" };
        sink.push(
            Diagnostic::note(
                "check-skipped",
                *at,
                format!(
                    "the panel's marks for {who} were not checked against the bids: {} could not be read, and may be {those}",
                    unread_list()
                ),
            )
            .with_help("fix the files that could not be read first; then every bidder the panel names is checked against the bids"),
        );
    }
}

impl Inputs {
    /// What bid `bid` (an index into `bids`) gives criterion `criterion`: its value or the
    /// panel's marks; `None` when missing (the criterion says `missing = "zero"`).
    pub fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        self.resolved.criteria(bid).get(criterion)?.as_ref()
    }

    /// The value bid `bid` gives gate `gate`; `None` when missing (the gate then fails).
    pub fn gate_value(&self, bid: usize, gate: usize) -> Option<&Scalar> {
        self.resolved.gates(bid).get(gate)?.as_ref()
    }

    /// The quantity bid `bid` offers, when the award fills one.
    pub fn offered(&self, bid: usize) -> Option<u64> {
        *self.resolved.offered.get(bid)?
    }

    /// These inputs with the negotiation record set aside, or `None` without one. The record
    /// says what was agreed after the ranking as it is; a question that changes the ranking
    /// (what-if, path-to-win, stability, robustness) asks it of the award before
    /// negotiation, since a different ranking would have been negotiated differently.
    pub fn without_negotiation(&self) -> Option<Inputs> {
        self.negotiation.as_ref()?;
        let mut aside = self.clone();
        aside.negotiation = None;
        aside.negotiation_set_aside = true;
        Some(aside)
    }

    /// Per abnormally low tender check, the price bid `bid` gives it.
    pub(crate) fn low_values(&self, bid: usize) -> &[Option<Decimal>] {
        self.resolved.low(bid)
    }

    /// Per tie-break step, the value bid `bid` gives a `Value` step (`None` for others).
    pub(crate) fn tie_values(&self, bid: usize) -> &[Option<Scalar>] {
        self.resolved.ties(bid)
    }

    /// The price of one unit bid `bid` asks, when the award has a budget.
    pub fn unit_price(&self, bid: usize) -> Option<Decimal> {
        *self.resolved.unit_price.get(bid)?
    }

    /// Everything bid `bid` gives the rules, for scenarios that change some of it.
    pub(crate) fn resolved_row(&self, bid: usize) -> Option<Resolved> {
        self.resolved.row(bid)
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

/// At most one record of a kind: the first is kept, every other is an error.
fn one_record<T>(mut found: Vec<(Span, T)>, what: &str, sink: &mut Sink) -> Option<T> {
    found.sort_by_key(|(sp, _)| (sp.file(), sp.start()));
    let mut it = found.into_iter();
    let (first_span, first) = it.next()?;
    for (sp, _) in it {
        sink.push(
            Diagnostic::error("extra-record", sp, format!("more than one {what}"))
                .with_secondary(first_span, format!("first {what}"))
                .with_help(format!("put the whole {what} in one file")),
        );
    }
    Some(first)
}

/// The records against the tender and the bids: every bidder they name exists, and the
/// quantities are there exactly when the award shares one. (What depends on the ranking,
/// such as negotiation in rank order, is checked after evaluation.)
fn check_records(
    t: &Tender,
    bids: &[Bid],
    failed: &Failed,
    negotiation: Option<&Negotiation>,
    reported: Option<&Reported>,
    sink: &mut Sink,
    warnings: &mut Sink,
) {
    let known = |who: &str| bids.iter().any(|b| b.id == who) || failed.ids.iter().any(|i| i == who);
    // A bid that could not be read may be the one named: say nothing rather than blame the record.
    let may_be_unread = !failed.unidentified.is_empty();
    let valid = || bids.iter().map(|b| b.id.as_str());
    let quantity = t.award.quantity.is_some();
    if let Some(n) = negotiation {
        for (who, e) in &n.bids {
            if !known(who) && !may_be_unread {
                sink.push(unknown_ref("bidder", who, e.span, valid()));
            }
            match (e.outcome == NegotiationOutcome::Agreed, quantity, e.quantity_span) {
                (true, true, None) => sink.push(
                    Diagnostic::error("bad-record", e.span, format!("bid `{who}` agreed, but the record gives no quantity"))
                        .with_help("the award shares a quantity: add `quantity = …` with the quantity agreed"),
                ),
                (_, false, Some(sp)) => sink.push(
                    Diagnostic::error(
                        "bad-record",
                        sp,
                        format!("the record gives bid `{who}` a quantity, but the award has no `quantity`"),
                    )
                    .with_help("remove `quantity`, or add `quantity = { field = \"…\", total = … }` to `[award]`"),
                ),
                _ => {}
            }
        }
    }
    if let Some(r) = reported {
        for (who, e) in &r.bids {
            if !known(who) && !may_be_unread {
                sink.push(unknown_ref("bidder", who, e.span, valid()));
            }
            match (e.status == ReportedStatus::Selected, quantity, e.quantity_span) {
                (true, true, None) => sink.push(
                    Diagnostic::error(
                        "bad-record",
                        e.span,
                        format!("bid `{who}` was selected, but the reported outcome gives no quantity"),
                    )
                    .with_help("the award shares a quantity: add `quantity = …` with the quantity reported as awarded"),
                ),
                (_, false, Some(sp)) => sink.push(
                    Diagnostic::error(
                        "bad-record",
                        sp,
                        format!("the reported outcome gives bid `{who}` a quantity, but the award has no `quantity`"),
                    )
                    .with_help("remove `quantity`, or add `quantity = { field = \"…\", total = … }` to `[award]`"),
                ),
                _ => {}
            }
        }
        let missing: Vec<&str> = bids.iter().map(|b| b.id.as_str()).filter(|id| !r.bids.contains_key(*id)).collect();
        if !missing.is_empty() {
            // Four and "N more", unless naming the fifth is as short.
            let shown: Vec<&str> = missing.iter().take(if missing.len() <= 5 { 5 } else { 4 }).copied().collect();
            let more = match missing.len().saturating_sub(shown.len()) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            warnings.push(
                Diagnostic::warning(
                    "reported-incomplete",
                    r.span,
                    format!(
                        "the reported outcome does not say what became of {}",
                        if more.is_empty() {
                            crate::diag::all_of_list(shown.iter().copied())
                        } else {
                            format!("{}{more}", shown.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
                        }
                    ),
                )
                .with_help(
                    "add `[reported.bids.<id>]` with the reported `status` for every bid (`qualified` for one evaluated and not awarded)",
                ),
            );
        }
    }
}

/// Lots against the bids and the award: a bid's `lots` name lots of the tender; lots and
/// their keys only where they mean something.
fn check_lots(t: &Tender, bids: &[Bid], negotiation: Option<&Negotiation>, sink: &mut Sink) {
    for b in bids {
        let (Some(lots), Some(sp)) = (&b.lots, b.lots_span) else { continue };
        if t.lots.is_empty() {
            sink.push(
                Diagnostic::error("bad-lot", sp, format!("bid `{}` names lots, but the tender has no `[[lot]]`", b.id))
                    .with_help("remove `lots` from `[bidder]`, or divide the tender into lots in the criteria file"),
            );
            continue;
        }
        for (k, l) in lots.iter().enumerate() {
            if !t.lots.iter().any(|x| x.id == *l) {
                let at = b.lots_spans.get(k).copied().unwrap_or(sp);
                sink.push(unknown_ref("lot", l, at, t.lots.iter().map(|x| x.id.as_str())));
            }
        }
        if lots.is_empty() {
            sink.push(
                Diagnostic::error("bad-lot", sp, format!("bid `{}` bids for no lot", b.id))
                    .with_help("list the lots it bids for, or remove `lots` to bid for every lot"),
            );
        }
    }
    if t.lots.is_empty() {
        return;
    }
    if t.award.quantity.is_none()
        && let Some(l) = t.lots.iter().find(|l| l.quantity.is_some())
    {
        sink.push(
            Diagnostic::error("bad-lot", l.span, format!("lot `{}` has a quantity, but the award has no `quantity`", l.id)).with_help(
                "add `quantity = { field = \"…\", total = … }` to `[award]` (the field each bid offers), or remove the lot's `quantity`",
            ),
        );
    }
    if t.award.budget.is_some()
        && let Some(l) = t.lots.first()
    {
        sink.push(Diagnostic::error("bad-lot", l.span, "a budget for a tender divided into lots").with_help(
            "the budget is the whole tender's, and sharing it across lots is not supported yet: remove `budget`, or score each lot as a tender of its own",
        ));
    }
    if let Some(n) = negotiation {
        sink.push(Diagnostic::error("bad-lot", n.span, "a negotiation record for a tender divided into lots").with_help(
            "a record says what was agreed for the whole tender; per-lot records are not supported yet, so score the lots without it",
        ));
    }
}
