//! What if a bid's values, or a criterion's points, were different? The changed files are
//! written back to TOML and validated and scored from scratch, exactly as real ones would
//! be (the unchanged files are taken as they were read; every check across files runs
//! again): a what-if can never score something the files could not say.

use rust_decimal::Decimal;

use super::Error;
use super::error::PointsProblem;
use crate::diag::SourceFile;
use crate::evaluate::{Awarded, BidStatus, Outcome, evaluate};
use crate::exact::Points;
use crate::load::node::{Entry, Node, Table, Value};
use crate::model::{Bid, Inputs, Provenance, Status};
use crate::value::FieldPath;

/// One change to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Set a bid field (a dotted path) to a TOML literal such as `3`, `"owned"`,
    /// `2025-11-30` or `true`.
    Set {
        /// The field.
        field: String,
        /// The TOML literal.
        literal: String,
    },
    /// Set a field of bid `bidder` (which need not be the what-if's bid).
    SetOf {
        /// The bid.
        bidder: String,
        /// The field.
        field: String,
        /// The TOML literal.
        literal: String,
    },
    /// The committee resampled: every panel criterion's marks become those of these
    /// evaluators (indices from 0, in mark order; repeats allowed), in this order.
    Committee(Vec<usize>),
    /// Give a criterion these points, scaling the others in proportion so they still add
    /// up to `max_points` (rounded to the tender's places by largest remainder).
    Points {
        /// The criterion id.
        criterion: String,
        /// Its new points.
        points: Decimal,
    },
}

/// What a change changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A bid field.
    Field,
    /// A criterion's points.
    Points,
    /// The committee.
    Committee,
}

impl ChangeKind {
    /// `field` or `points`, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Field => "field",
            ChangeKind::Points => "points",
            ChangeKind::Committee => "committee",
        }
    }
}

/// A change as applied: what it changed from and to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// A field or a criterion's points.
    pub kind: ChangeKind,
    /// The bid changed (for a field).
    pub bidder: Option<String>,
    /// The field path or criterion id.
    pub target: String,
    /// The value before, as TOML (`None`: the bid had no such field).
    pub from: Option<String>,
    /// The value after, as TOML.
    pub to: String,
}

/// How one bid's result moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// Bidder id.
    pub bidder: String,
    /// Rank before and after.
    pub rank: (Option<u32>, Option<u32>),
    /// Status before and after.
    pub status: (BidStatus, BidStatus),
    /// Award before and after.
    pub award: (Awarded, Awarded),
    /// Total before and after.
    pub total: (Points, Points),
}

impl Move {
    /// Did anything about this bid change?
    pub fn changed(&self) -> bool {
        self.rank.0 != self.rank.1 || self.status.0 != self.status.1 || self.award.0 != self.award.1 || self.total.0 != self.total.1
    }
}

/// The result of a what-if.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// The bid changed.
    pub bidder: String,
    /// The changes, as applied.
    pub applied: Vec<Applied>,
    /// The changed tender, validated.
    pub inputs: Inputs,
    /// Its outcome.
    pub outcome: Outcome,
    /// Every bid's movement, in the changed report order.
    pub moves: Vec<Move>,
}

/// Re-score `inputs` with `changes` applied to bid `bidder`.
///
/// # Errors
/// A usage [`Error`] for an unknown bid, criterion or field, a literal that is not TOML or
/// impossible points; [`Error::Invalid`] when the changed tender fails validation.
///
/// # Examples
/// ```
/// use bidscore::analysis::{Change, whatif};
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let set = Change::Set { field: "datacenter.tenure".into(), literal: "\"owned\"".into() };
/// let w = whatif(&inputs, &bidscore::evaluate(&inputs), "coupang", &[set]).unwrap();
/// assert_eq!(w.outcome.points("coupang", "dc-tenure").unwrap().to_string(), "9.0000");
/// ```
pub fn whatif(inputs: &Inputs, before: &Outcome, bidder: &str, changes: &[Change]) -> Result<WhatIf, Error> {
    // A changed ranking would have been negotiated differently: the record is set aside.
    if let Some(aside) = inputs.without_negotiation() {
        return whatif(&aside, &evaluate(&aside), bidder, changes);
    }
    let index = |id: &str| {
        inputs.bids.iter().position(|b| b.id == id).ok_or_else(|| Error::unknown_bid(id, inputs.bids.iter().map(|b| b.id.as_str())))
    };
    index(bidder)?;
    // Each changed bid with its fields (read again from its text, then changed).
    let mut bids: Vec<(usize, Bid, Table)> = Vec::new();
    let mut tender = inputs.tender.clone();
    let mut applied = Vec::new();
    let mut tender_changed = false;
    let mut pinned: Vec<(String, Decimal)> = Vec::new();
    let mut committee: Option<&[usize]> = None;
    for c in changes {
        let (who, field, literal) = match c {
            Change::Set { field, literal } => (bidder, field, literal),
            Change::SetOf { bidder, field, literal } => (bidder.as_str(), field, literal),
            Change::Points { criterion, points } => {
                if tender.criterion(criterion).is_none() {
                    return Err(Error::unknown_criterion(criterion, tender.criteria.iter().map(|c| c.id.as_str())));
                }
                if pinned.iter().any(|(c, _)| c == criterion) {
                    return Err(Error::PointsTwice { criterion: criterion.clone() });
                }
                pinned.push((criterion.clone(), *points));
                continue;
            }
            Change::Committee(list) => {
                committee = Some(list);
                continue;
            }
        };
        let b = index(who)?;
        let Some(path) = FieldPath::parse(field) else {
            return Err(Error::NotAFieldPath { field: field.clone() });
        };
        // Only a field some rule reads can change anything; anything else is a typo
        // (or `bidder.*` / `provenance.*`, which are not values).
        let read = tender.read_fields();
        if !read.iter().any(|r| r == field) {
            return Err(Error::FieldNotRead { field: field.clone(), read: read.iter().map(ToString::to_string).collect() });
        }
        let node = parse_literal(literal)?;
        let slot = match bids.iter().position(|(i, ..)| *i == b) {
            Some(k) => k,
            None => {
                let bid = inputs.bids.get(b).cloned().ok_or_else(|| Error::unknown_bid(who, inputs.bids.iter().map(|b| b.id.as_str())))?;
                let fields = bid.fields();
                bids.push((b, bid, fields));
                bids.len().saturating_sub(1)
            }
        };
        let Some((_, bid, fields)) = bids.get_mut(slot) else { continue };
        let from = fields.lookup(path.segments()).map(|e| crate::load::toml_out::value(&e.node));
        if !set_path(fields, path.segments(), node.clone()) {
            return Err(Error::ThroughAValue { field: field.clone(), bid: who.to_owned() });
        }
        // The changed value is no longer what the source said: it is this what-if's
        // assumption (and may lie outside the assumed range, which is the point).
        let to = crate::load::toml_out::value(&node);
        bid.provenance.insert(
            field.clone(),
            Provenance {
                status: Status::Assumed,
                source: None,
                note: Some(format!("what-if: was {}", from.as_deref().unwrap_or("absent"))),
                range: None,
                alternatives: None,
            },
        );
        applied.push(Applied { kind: ChangeKind::Field, bidder: Some(who.to_owned()), target: field.clone(), from, to });
    }
    if !pinned.is_empty() {
        let before: Vec<(String, Decimal)> =
            pinned.iter().filter_map(|(c, _)| tender.criterion(c).map(|x| (c.clone(), x.points))).collect();
        rescale(&mut tender, &pinned).map_err(Error::BadPoints)?;
        // The what-if's points are its own: a declared range or order of weights no longer
        // describes them.
        tender.weight_order.clear();
        for c in &mut tender.criteria {
            c.points_range = None;
        }
        for ((c, to), (_, from)) in pinned.iter().zip(before) {
            applied.push(Applied {
                kind: ChangeKind::Points,
                bidder: None,
                target: c.clone(),
                from: Some(from.to_string()),
                to: to.to_string(),
            });
        }
        tender_changed = true;
    }
    let mut sources: Vec<SourceFile> = inputs.sources.clone();
    let mut changed_files: Vec<usize> = Vec::new();
    if tender_changed && let Some(s) = sources.get_mut(0) {
        *s = SourceFile::new(format!("{} (what-if)", s.path), tender.to_toml());
        changed_files.push(0);
    }
    for (_, bid, fields) in &bids {
        if let Some(s) = sources.get_mut(bid.file) {
            *s = SourceFile::new(format!("{} (what-if)", s.path), bid.to_toml_with(fields));
            changed_files.push(bid.file);
        }
    }
    if let Some(list) = committee {
        let Some(panel) = &inputs.panel else {
            return Err(Error::NoPanelCriterion { tender: inputs.tender.id.clone() });
        };
        let count = panel.marks.values().flat_map(|m| m.values()).map(Vec::len).max().unwrap_or(0);
        if let Some(&e) = list.iter().find(|&&e| e >= count) {
            return Err(Error::NoSuchEvaluator { evaluator: e, count });
        }
        let mut resampled = panel.clone();
        for marks in resampled.marks.values_mut() {
            for m in marks.values_mut() {
                *m = list.iter().filter_map(|&e| m.get(e).copied()).collect();
            }
        }
        resampled.evaluators = panel.evaluators.as_ref().map(|names| {
            let mut seen: Vec<usize> = Vec::new();
            list.iter()
                .map(|&e| {
                    seen.push(e);
                    let name = names.get(e).cloned().unwrap_or_else(|| (e.saturating_add(1)).to_string());
                    match seen.iter().filter(|&&x| x == e).count() {
                        1 => name,
                        k => format!("{name}#{k}"),
                    }
                })
                .collect()
        });
        let file = panel.span.file();
        if let Some(s) = sources.get_mut(file) {
            *s = SourceFile::new(format!("{} (what-if)", s.path), resampled.to_toml());
            changed_files.push(file);
        }
        let shown = |v: &[usize]| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        applied.push(Applied {
            kind: ChangeKind::Committee,
            bidder: None,
            target: String::from("evaluators"),
            from: Some(shown(&(0..count).collect::<Vec<_>>())),
            to: shown(list),
        });
    }
    // Only the changed files are parsed again; every check across files runs in full.
    let reuse = crate::model::Reuse { prior: inputs, changed: &changed_files };
    let changed = crate::model::load_sources_reusing(sources, &reuse).map_err(Error::Invalid)?;
    let outcome = evaluate(&changed);
    let moves = outcome
        .standings
        .iter()
        .filter_map(|after| {
            let was = before.standing(&after.bidder)?;
            Some(Move {
                bidder: after.bidder.to_string(),
                rank: (was.rank, after.rank),
                status: (was.status, after.status),
                award: (was.award, after.award),
                total: (was.total, after.total),
            })
        })
        .collect();
    Ok(WhatIf { bidder: bidder.to_owned(), applied, inputs: changed, outcome, moves })
}

/// A TOML literal as a value node.
fn parse_literal(literal: &str) -> Result<Node, Error> {
    let doc = crate::load::node::parse_document(0, &format!("v = {literal}\n")).map_err(|d| Error::NotAValue {
        literal: literal.to_owned(),
        why: Some(d.first().map(|x| x.message.clone()).unwrap_or_default()),
    })?;
    let node = match doc.entries.as_slice() {
        [e] if &*e.key == "v" => e.node.clone(),
        _ => return Err(Error::NotAValue { literal: literal.to_owned(), why: None }),
    };
    // A number beyond the limit is refused here as a file's would be, with its reason.
    if let Some(e) = bad_number(&node) {
        return Err(Error::LiteralBeyondLimit { literal: literal.to_owned(), problem: e.problem() });
    }
    Ok(node)
}

/// The first number in `node` that could not be read, and why.
fn bad_number(node: &Node) -> Option<crate::exact::NumberError> {
    match &node.value {
        Value::Integer(Err(e)) | Value::Float(Err(e)) => Some(*e),
        Value::Array(a) => a.iter().find_map(bad_number),
        Value::Table(t) => t.entries.iter().find_map(|e| bad_number(&e.node)),
        _ => None,
    }
}

/// Put `node` at `path`, creating tables on the way. False if the path runs through a
/// value that is not a table.
fn set_path(t: &mut Table, path: &[String], node: Node) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        match t.entries.iter_mut().find(|e| &*e.key == first) {
            Some(e) => e.node = node,
            None => t.entries.push(Entry { key: first.as_str().into(), key_span: node.span, node }),
        }
        return true;
    }
    if !t.entries.iter().any(|e| &*e.key == first) {
        t.entries.push(Entry {
            key: first.as_str().into(),
            key_span: node.span,
            node: Node { span: node.span, value: Value::Table(Table::default()) },
        });
    }
    match t.entries.iter_mut().find(|e| &*e.key == first).map(|e| &mut e.node.value) {
        Some(Value::Table(sub)) => set_path(sub, rest, node),
        _ => false,
    }
}

/// Give each pinned criterion its points and scale the others in proportion so that all
/// still add up to `max_points`, each rounded to the tender's places; the rounding
/// remainder goes to the largest remainders first, so the sum stays exact.
pub(crate) fn rescale(t: &mut crate::model::Tender, pinned: &[(String, Decimal)]) -> Result<(), PointsProblem> {
    let places = t.rounding.places;
    for (c, p) in pinned {
        if let Some(problem) = crate::exact::beyond_limit(*p) {
            return Err(PointsProblem::BeyondLimit { criterion: c.clone(), points: *p, problem });
        }
    }
    let fixed: Decimal = pinned.iter().map(|(_, p)| *p).sum();
    for (c, p) in pinned {
        if *p < Decimal::ZERO {
            return Err(PointsProblem::Negative { criterion: c.clone(), points: *p });
        }
        if p.normalize().scale() > places {
            return Err(PointsProblem::TooFine { points: *p, places });
        }
    }
    if fixed > t.max_points {
        return Err(PointsProblem::OverMaximum { sum: fixed, max: t.max_points });
    }
    let is_pinned = |id: &str| pinned.iter().any(|(c, _)| c == id);
    let others: Decimal = t.criteria.iter().filter(|c| !is_pinned(&c.id)).map(|c| c.points).sum();
    // Points are within the limit on numbers and sum to at most `max_points` (≤ 10^9).
    let left = t.max_points.saturating_sub(fixed);
    if others.is_zero() && !left.is_zero() {
        return Err(PointsProblem::NothingToScale { left });
    }
    let unit = Decimal::new(1, places);
    let mut parts: Vec<(usize, Decimal, Decimal)> = Vec::new();
    for (i, c) in t.criteria.iter().enumerate().filter(|(_, c)| !is_pinned(&c.id)) {
        let exact = if others.is_zero() {
            Decimal::ZERO
        } else {
            c.points.checked_mul(left).and_then(|x| x.checked_div(others)).unwrap_or(Decimal::ZERO)
        };
        let floor = exact.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero);
        parts.push((i, floor, exact.saturating_sub(floor)));
    }
    let mut short = left.saturating_sub(parts.iter().fold(Decimal::ZERO, |a, p| a.saturating_add(p.1)));
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts.get(*b).map(|p| p.2).cmp(&parts.get(*a).map(|p| p.2)).then(a.cmp(b)));
    for k in order {
        if short < unit {
            break;
        }
        if let Some(p) = parts.get_mut(k) {
            p.1 = p.1.saturating_add(unit);
            short = short.saturating_sub(unit);
        }
    }
    for (i, p, _) in parts {
        if let Some(c) = t.criteria.get_mut(i) {
            c.points = p;
        }
    }
    for (id, p) in pinned {
        if let Some(c) = t.criteria.iter_mut().find(|c| c.id == *id) {
            c.points = *p;
        }
    }
    Ok(())
}
