//! What if a bid's values, or a criterion's points, were different? The changed tender is
//! written back to TOML and validated and scored from scratch, exactly as a real one would
//! be: a what-if can never score something the files could not say.

use rust_decimal::Decimal;

use crate::diag::{Diagnostics, SourceFile};
use crate::evaluate::{Awarded, BidStatus, Outcome, evaluate};
use crate::exact::Points;
use crate::load::node::{Entry, Node, Table, Value};
use crate::model::{FieldPath, Inputs, Provenance, Status};

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
    /// Give a criterion these points, scaling the others in proportion so they still add
    /// up to `max_points` (rounded to the tender's places by largest remainder).
    Points {
        /// The criterion id.
        criterion: String,
        /// Its new points.
        points: Decimal,
    },
}

/// A change as applied: what it changed from and to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// `field` or `points`.
    pub kind: &'static str,
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

/// Why a what-if could not be scored.
#[derive(Clone, Debug)]
pub enum WhatIfError {
    /// The request itself is wrong (an unknown bid or criterion, a literal that is not
    /// TOML, impossible points): a usage error.
    Usage(String),
    /// The changed tender fails validation: every problem, located in the changed files.
    Invalid(Diagnostics),
}

impl std::fmt::Display for WhatIfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhatIfError::Usage(m) => f.write_str(m),
            WhatIfError::Invalid(d) => f.write_str(&d.render_short()),
        }
    }
}

/// Re-score `inputs` with `changes` applied to bid `bidder`.
///
/// # Errors
/// [`WhatIfError::Usage`] for an unknown bid or criterion, a literal that is not TOML or
/// impossible points; [`WhatIfError::Invalid`] when the changed tender fails validation.
///
/// # Examples
/// ```
/// use bidscore::analysis::{Change, whatif};
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let set = Change::Set { field: "datacenter.tenure".into(), literal: "\"owned\"".into() };
/// let w = whatif(&inputs, "coupang", &[set]).unwrap();
/// assert_eq!(w.outcome.standing("coupang").unwrap().criterion("dc-tenure").unwrap().points.to_string(), "9.0000");
/// ```
pub fn whatif(inputs: &Inputs, bidder: &str, changes: &[Change]) -> Result<WhatIf, WhatIfError> {
    let fail = |msg: String, help: &str| WhatIfError::Usage(format!("{msg}; {help}"));
    let Some(b) = inputs.bids.iter().find(|b| b.id == bidder) else {
        let ids: Vec<String> = inputs.bids.iter().map(|b| format!("`{}`", b.id)).collect();
        return Err(fail(format!("no bid has the id `{bidder}`"), &format!("bids: {}", ids.join(", "))));
    };
    let mut bid = b.clone();
    let mut tender = inputs.tender.clone();
    let mut applied = Vec::new();
    let mut bid_changed = false;
    let mut tender_changed = false;
    let mut pinned: Vec<(String, Decimal)> = Vec::new();
    for c in changes {
        match c {
            Change::Set { field, literal } => {
                let Some(path) = FieldPath::parse(field) else {
                    return Err(fail(format!("`{field}` is not a field path"), "write a dotted path such as `offer.gpus`"));
                };
                // Only a field some rule reads can change anything; anything else is a typo
                // (or `bidder.*` / `provenance.*`, which are not values).
                let read = read_fields(&tender);
                if !read.contains(field) {
                    let hint = crate::diag::did_you_mean(field, read.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    return Err(fail(
                        format!("no gate, criterion or award reads `{field}`, so changing it changes nothing"),
                        &format!("{hint}fields read: {}", read.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
                    ));
                }
                let node =
                    parse_literal(literal).map_err(|m| fail(m, "write a TOML value: `3`, `2.5`, `\"owned\"`, `2025-11-30` or `true`"))?;
                let from = bid.fields.lookup(path.segments()).map(|e| crate::load::toml_out::value(&e.node));
                if !set_path(&mut bid.fields, path.segments(), node.clone()) {
                    return Err(fail(
                        format!("`{field}` runs through a value that is not a table in bid `{bidder}`"),
                        "change the field itself",
                    ));
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
                    },
                );
                applied.push(Applied { kind: "field", target: field.clone(), from, to });
                bid_changed = true;
            }
            Change::Points { criterion, points } => {
                if tender.criterion(criterion).is_none() {
                    let ids: Vec<String> = tender.criteria.iter().map(|c| format!("`{}`", c.id)).collect();
                    return Err(fail(format!("no criterion has the id `{criterion}`"), &format!("criteria: {}", ids.join(", "))));
                }
                if pinned.iter().any(|(c, _)| c == criterion) {
                    return Err(fail(format!("criterion `{criterion}` is given points twice"), "give each criterion's points once"));
                }
                pinned.push((criterion.clone(), *points));
            }
        }
    }
    if !pinned.is_empty() {
        let before: Vec<(String, Decimal)> =
            pinned.iter().filter_map(|(c, _)| tender.criterion(c).map(|x| (c.clone(), x.points))).collect();
        rescale(&mut tender, &pinned)
            .map_err(|m| fail(m, "give points from 0 to `max_points` in all, with no more decimals than the rounding keeps"))?;
        for ((c, to), (_, from)) in pinned.iter().zip(before) {
            applied.push(Applied { kind: "points", target: c.clone(), from: Some(from.to_string()), to: to.to_string() });
        }
        tender_changed = true;
    }
    let mut sources: Vec<SourceFile> = inputs.sources.clone();
    if tender_changed && let Some(s) = sources.get_mut(0) {
        *s = SourceFile::new(format!("{} (what-if)", s.path), tender.to_toml());
    }
    if bid_changed && let Some(s) = sources.get_mut(b.file) {
        *s = SourceFile::new(format!("{} (what-if)", s.path), bid.to_toml());
    }
    let changed = crate::model::load_sources(sources).map_err(WhatIfError::Invalid)?;
    let before = evaluate(inputs);
    let outcome = evaluate(&changed);
    let moves = outcome
        .standings
        .iter()
        .filter_map(|after| {
            let was = before.standing(&after.bidder)?;
            Some(Move {
                bidder: after.bidder.clone(),
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
fn parse_literal(literal: &str) -> Result<Node, String> {
    let doc = crate::load::node::parse_document(0, &format!("v = {literal}\n")).map_err(|d| {
        let why = d.first().map(|x| x.message.clone()).unwrap_or_default();
        format!("`{literal}` is not a TOML value ({why})")
    })?;
    match doc.entries.as_slice() {
        [e] if e.key == "v" => Ok(e.node.clone()),
        _ => Err(format!("`{literal}` is not one TOML value")),
    }
}

/// Put `node` at `path`, creating tables on the way. False if the path runs through a
/// value that is not a table.
fn set_path(t: &mut Table, path: &[String], node: Node) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        match t.entries.iter_mut().find(|e| &e.key == first) {
            Some(e) => e.node = node,
            None => t.entries.push(Entry { key: first.clone(), key_span: node.span, node }),
        }
        return true;
    }
    if !t.entries.iter().any(|e| &e.key == first) {
        t.entries.push(Entry {
            key: first.clone(),
            key_span: node.span,
            node: Node { span: node.span, value: Value::Table(Table::default()) },
        });
    }
    match t.entries.iter_mut().find(|e| &e.key == first).map(|e| &mut e.node.value) {
        Some(Value::Table(sub)) => set_path(sub, rest, node),
        _ => false,
    }
}

/// Give each pinned criterion its points and scale the others in proportion so that all
/// still add up to `max_points`, each rounded to the tender's places; the rounding
/// remainder goes to the largest remainders first, so the sum stays exact.
fn rescale(t: &mut crate::model::Tender, pinned: &[(String, Decimal)]) -> Result<(), String> {
    let places = t.rounding.places;
    let fixed: Decimal = pinned.iter().map(|(_, p)| *p).sum();
    for (c, p) in pinned {
        if *p < Decimal::ZERO {
            return Err(format!("criterion `{c}` cannot have `{p}` points"));
        }
        if p.normalize().scale() > places {
            return Err(format!("`{p}` points are finer than the {places} decimal places the tender keeps"));
        }
    }
    if fixed > t.max_points {
        return Err(format!("the points given add up to `{fixed}`, more than the tender's `{}`", t.max_points));
    }
    let is_pinned = |id: &str| pinned.iter().any(|(c, _)| c == id);
    let others: Decimal = t.criteria.iter().filter(|c| !is_pinned(&c.id)).map(|c| c.points).sum();
    let left = t.max_points - fixed;
    if others.is_zero() && !left.is_zero() {
        return Err(format!("the other criteria have no points to scale up to `{left}`"));
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
        parts.push((i, floor, exact - floor));
    }
    let mut short = left - parts.iter().map(|p| p.1).sum::<Decimal>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts.get(*b).map(|p| p.2).cmp(&parts.get(*a).map(|p| p.2)).then(a.cmp(b)));
    for k in order {
        if short < unit {
            break;
        }
        if let Some(p) = parts.get_mut(k) {
            p.1 += unit;
            short -= unit;
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

/// Every field a gate, criterion or the award reads.
fn read_fields(t: &crate::model::Tender) -> Vec<String> {
    let mut v: Vec<String> = t.gates.iter().map(|g| g.field.to_string()).collect();
    v.extend(t.criteria.iter().filter_map(|c| c.field.as_ref().map(ToString::to_string)));
    v.extend(t.award.quantity.iter().map(|q| q.field.to_string()));
    v.sort();
    v.dedup();
    v
}
