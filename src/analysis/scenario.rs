//! One way to ask "what if": a [`Scenario`] describes a variation of the inputs — bid values
//! changed, bids withdrawn, evaluators left out, criterion points changed — and evaluates
//! through the same tally as [`evaluate`](crate::evaluate). Nothing is re-read and nothing
//! is cloned but what changes: the published evaluation ([`Published`]) is kept, and only
//! the cells a variation touches are scored again, so an analysis can ask thousands.
//!
//! A scenario is equivalent to the changed files: evaluating it gives the same statuses,
//! ranks, points and awards as validating and evaluating files that say the same (a property
//! test checks this). What files could not say is refused, with the reason.

use std::sync::OnceLock;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::Error;
use super::error::PointsProblem;
use crate::evaluate::score::{Exact, Givens, points};
use crate::evaluate::tally::{self, Field, Frame, InForce, Row, Scorer, Tally};
use crate::evaluate::{Awarded, BidStatus, Outcome, evaluate, field_of, gate_verdicts, passes};
use crate::exact::{Points, Rat};
use crate::model::{Inputs, Minimum, Resolved, gate_kind};
use crate::rules::{Better, CriterionAt, InputKind, ValueAt};
use crate::value::{FieldPath, Given, Scalar, Str};

/// The published evaluation, kept so that scenarios re-score only what they change.
#[derive(Clone, Debug)]
pub struct Published<'a> {
    inputs: &'a Inputs,
    /// Every bid as the tally reads it (which passed every gate, what each offers, the
    /// negotiation record's terms, the lottery keys, drawn once for every scenario).
    field: Field<'a>,
    /// The tender with its published points.
    frame: Frame<'a>,
    /// Per bid: its status as published.
    statuses: Vec<BidStatus>,
    /// Per bid and criterion (`bid × criteria + criterion`): the official points.
    points: Vec<Points>,
    /// Per criterion: the reference in force.
    references: Vec<Option<Decimal>>,
    /// The fields the tender reads, sorted ([`Tender::read_fields`](crate::model::Tender::read_fields)).
    read: Vec<Str>,
    /// The unchanged scenario's tally and its ranked rows in order, made the first time a
    /// scenario that changes one bid asks for it.
    base: BaseCell,
}

/// The published evaluation's [`Base`], made once; a clone starts empty (it is made again
/// if asked for).
#[derive(Default)]
struct BaseCell(OnceLock<Option<Base>>);

impl Clone for BaseCell {
    fn clone(&self) -> BaseCell {
        BaseCell::default()
    }
}

impl std::fmt::Debug for BaseCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "BaseCell(made)" } else { "BaseCell(not made)" })
    }
}

/// The published evaluation as the tally left it: what a scenario changing one bid starts
/// from.
pub(crate) struct Base {
    tally: Tally<Points, Points>,
    /// The ranked rows (report group 0), best first.
    ranked: Vec<usize>,
    /// Per criterion: the best values among the bids that passed the gates.
    tops: Vec<Top>,
    /// The other bids as changes to one bid that move references leave them, made once each.
    shifts: std::sync::Mutex<Shifts>,
}

/// The other bids as a change to one bid that moves references leaves them.
struct Shifted {
    /// The criteria whose reference moved.
    moved: Vec<usize>,
    /// Per row (`row × moved + k`): its points on the `k`th criterion that moved.
    cells: Vec<Points>,
    /// Per row: its total.
    totals: Vec<Points>,
    /// How many sections.
    width: usize,
    /// Per row (`row × width + s`): its section `s`.
    sections: Vec<Points>,
    /// The ranked rows but the changed bid's, best first.
    ranked: Vec<usize>,
}

impl Shifted {
    /// The entries it holds (points, and the ranked rows' indices, which take less).
    fn cells(&self) -> usize {
        self.cells.len().saturating_add(self.totals.len()).saturating_add(self.sections.len()).saturating_add(self.ranked.len())
    }
}

/// A changed bid and the references it moved (criterion, new best value).
type Shift = (usize, Vec<(usize, Option<Decimal>)>);

/// [`Base::shifted`]'s states, by the changed bid and the references it moved.
#[derive(Default)]
struct Shifts {
    made: std::collections::HashMap<Shift, std::sync::Arc<Shifted>>,
    /// The entries they hold, kept under [`Shifts::MAX_CELLS`].
    cells: usize,
}

impl Shifts {
    /// The most entries kept (at most 16 MiB): beyond it a state is made each time it is
    /// asked for.
    const MAX_CELLS: usize = 1 << 20;
}

impl Base {
    /// The other bids once bid `b`'s change moved the references of the criteria in `moved`
    /// (with their new best values; `eligible` has them all): every bid but `b` that passed
    /// the gates takes its points on those criteria against the new references, its sums and
    /// qualification follow, and the ranked ones are sorted. On integers (official points lie
    /// on the rounding grid). The same for every change to `b` that moves them there: made
    /// once, kept (up to [`Shifts::MAX_CELLS`] entries). `None` for points off the grid, which
    /// no valid tender gives.
    fn shifted(
        &self,
        prepared: &Prepared<'_, '_>,
        field: &Field<'_>,
        eligible: &[InForce],
        b: usize,
        moved: Vec<(usize, Option<Decimal>)>,
    ) -> Option<std::sync::Arc<Shifted>> {
        // Keyed by value: `1.0` and `1` are the same reference.
        let key: Shift = (b, moved.iter().map(|(j, r)| (*j, r.map(|d| d.normalize()))).collect());
        if let Some(made) = self.shifts.lock().ok()?.made.get(&key) {
            return Some(made.clone());
        }
        let published = prepared.published;
        let places = published.inputs.tender.rounding.places;
        let frame = &prepared.frame;
        let rows = &self.tally.rows;
        let n = rows.len();
        let moved: Vec<usize> = moved.iter().map(|(j, _)| *j).collect();
        let width = frame.section_max.len();
        let mut shifted = Shifted {
            cells: Vec::with_capacity(n.saturating_mul(moved.len())),
            totals: Vec::with_capacity(n),
            width,
            sections: Vec::with_capacity(n.saturating_mul(width)),
            ranked: Vec::with_capacity(n),
            moved,
        };
        let mut keys: Vec<i128> = Vec::with_capacity(n);
        for (i, was) in rows.iter().enumerate() {
            let others = i != b && published.field.passed.get(i).copied().unwrap_or(false);
            let mut changed = Vec::with_capacity(shifted.moved.len());
            for &j in &shifted.moved {
                let old = *was.cells.get(j)?;
                // Another bid's cell, against the new reference: what the scenario scores.
                let new = if others { prepared.score(i, j, eligible.get(j)?) } else { old };
                shifted.cells.push(new);
                changed.push((j, old, new));
            }
            let sums = tally::resum(frame, &was.scored, &changed)?;
            if others && tally::qualification(frame, &sums).iter().all(|v| v.met) {
                shifted.ranked.push(i);
            }
            keys.push(sums.total.units(places)?);
            shifted.totals.push(sums.total);
            shifted.sections.extend(sums.sections);
        }
        let mut ranked = std::mem::take(&mut shifted.ranked);
        {
            let ranker = tally::Ranker { frame, field, rows: Patched { rows, me: None, shifted: Some(&shifted) } };
            // Totals first, as integers; the ranking's whole comparison only between equal ones.
            let key = |i: usize| keys.get(i).copied().unwrap_or(i128::MIN);
            ranked.sort_by(|&x, &y| key(y).cmp(&key(x)).then_with(|| ranker.order(x, y)));
        }
        shifted.ranked = ranked;
        let shifted = std::sync::Arc::new(shifted);
        let mut shifts = self.shifts.lock().ok()?;
        if shifts.cells.saturating_add(shifted.cells()) <= Shifts::MAX_CELLS {
            shifts.cells = shifts.cells.saturating_add(shifted.cells());
            shifts.made.insert(key, shifted.clone());
        }
        Some(shifted)
    }
}

/// A criterion's best value among the bids that passed the gates, which bid holds it, and the
/// best among the others: the reference without any one bid, in constant time.
#[derive(Clone, Copy, Debug, Default)]
struct Top {
    best: Option<(Decimal, usize)>,
    second: Option<Decimal>,
}

impl Top {
    fn of(better: Better, values: impl Iterator<Item = (usize, Decimal)>) -> Top {
        let mut top = Top::default();
        let keep = |a: Option<Decimal>, x: Decimal| Some(a.map_or(x, |a| better.best(a, x)));
        for (i, x) in values {
            match top.best {
                Some((b, _)) if better.best(b, x) == b => top.second = keep(top.second, x),
                Some((b, _)) => {
                    top.second = keep(top.second, b);
                    top.best = Some((x, i));
                }
                None => top.best = Some((x, i)),
            }
        }
        top
    }

    /// The best value among the bids other than `bid`.
    fn without(&self, bid: usize) -> Option<Decimal> {
        match self.best {
            Some((_, holder)) if holder == bid => self.second,
            best => best.map(|(x, _)| x),
        }
    }
}

impl<'a> Published<'a> {
    /// Evaluate the inputs as published.
    pub fn new(inputs: &'a Inputs) -> Published<'a> {
        Published::from_outcome(inputs, &evaluate(inputs))
    }

    /// The published evaluation from an outcome already computed. The outcome must be the
    /// evaluation of `inputs`; one that is not (other bids, other criteria) is set aside and
    /// the inputs are evaluated again, so a mistake costs time, never a wrong answer.
    pub fn from_outcome(inputs: &'a Inputs, outcome: &Outcome) -> Published<'a> {
        // Each standing's bid, looked up once.
        let index: Vec<Option<usize>> = outcome.standings.iter().map(|s| s.index_in(inputs)).collect();
        let matches = outcome.standings.len() == inputs.bids.len()
            && outcome.references.len() == inputs.tender.criteria.len()
            && outcome.standings.iter().zip(&index).all(|(s, i)| i.is_some() && s.points.len() == inputs.tender.criteria.len());
        if !matches {
            return Published::new(inputs);
        }
        let n = inputs.bids.len();
        let m = inputs.tender.criteria.len();
        let mut passed = vec![false; n];
        let mut statuses = vec![BidStatus::Disqualified; n];
        let mut points = vec![Points::default(); n.saturating_mul(m)];
        for (s, &i) in outcome.standings.iter().zip(&index) {
            let Some(i) = i else { continue };
            if let (Some(p), Some(st)) = (passed.get_mut(i), statuses.get_mut(i)) {
                *p = passes(&s.gates);
                *st = s.status;
            }
            if let Some(row) = points.get_mut(i.saturating_mul(m)..i.saturating_add(1).saturating_mul(m)) {
                for (slot, p) in row.iter_mut().zip(&s.points) {
                    *slot = *p;
                }
            }
        }
        let field = field_of(inputs, passed);
        Published {
            inputs,
            field,
            frame: Frame::new(&inputs.tender),
            statuses,
            points,
            references: outcome.references.clone(),
            read: inputs.tender.read_fields(),
            base: BaseCell::default(),
        }
    }

    /// The inputs.
    pub fn inputs(&self) -> &'a Inputs {
        self.inputs
    }

    /// The unchanged scenario's tally, made the first time it is asked for. A caller that
    /// will ask from many threads asks once first: made inside a rayon task, its own
    /// parallel tally could steal a task that waits for it on the same thread.
    pub(crate) fn base(&self) -> Option<&Base> {
        self.base
            .0
            .get_or_init(|| {
                let tally = Scenario::new().prepare(self).ok()?.tally();
                let ranked = tally.order.iter().copied().filter(|&i| tally.rows.get(i).is_some_and(|r| r.qualified())).collect();
                let passed = |i: usize| self.field.passed.get(i).copied().unwrap_or(false);
                let tops = (0..self.inputs.tender.criteria.len())
                    .map(|j| {
                        let Some(reference) = self.inputs.tender.criteria.get(j).and_then(|c| c.rule.reference()) else {
                            return Top::default();
                        };
                        let values = (0..self.inputs.bids.len()).filter(|&i| passed(i)).filter_map(|i| match self.inputs.given(i, j) {
                            Some(Given::Value(Scalar::Number(x))) => Some((i, *x)),
                            _ => None,
                        });
                        Top::of(reference.better, values)
                    })
                    .collect();
                Some(Base { tally, ranked, tops, shifts: std::sync::Mutex::default() })
            })
            .as_ref()
    }

    fn cell(&self, bid: usize, criterion: usize) -> Points {
        let m = self.inputs.tender.criteria.len();
        self.points.get(bid.saturating_mul(m).saturating_add(criterion)).copied().unwrap_or_default()
    }
}

/// A variation of the inputs.
///
/// # Examples
/// ```
/// use bidscore::analysis::{Published, Scenario};
/// use bidscore::Scalar;
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let published = Published::new(&inputs);
/// let owned = Scenario::new().set("coupang", "datacenter.tenure", Scalar::Text("owned".into()));
/// let ranking = owned.evaluate(&published).unwrap();
/// assert_eq!(ranking.bid("coupang").unwrap().total.to_string(), "63.8473");
/// // Without Kakao, Coupang moves up to third.
/// let ranking = Scenario::new().withdraw("kakao").evaluate(&published).unwrap();
/// assert_eq!(ranking.bid("coupang").unwrap().rank, Some(3));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    values: Vec<(String, String, Scalar)>,
    points: Vec<(String, Decimal)>,
    withdrawn: Vec<String>,
    without: Vec<usize>,
    /// The committee resampled: evaluator indices, in mark order (a bootstrap draw).
    committee: Option<Vec<usize>>,
    /// Points taken as given for a bid on a criterion (by index), for `explain`.
    fixed: Vec<(usize, usize, Points)>,
    /// Statuses held as published: qualification is not decided again.
    hold: bool,
}

impl Scenario {
    /// The inputs as published.
    pub fn new() -> Scenario {
        Scenario::default()
    }

    /// Bid `bidder` gives `field` the value `value` (every gate, criterion and the award
    /// that read the field see it).
    pub fn set(mut self, bidder: &str, field: &str, value: Scalar) -> Scenario {
        self.values.push((bidder.to_owned(), field.to_owned(), value));
        self
    }

    /// Bid `bidder` is withdrawn, as if its file had not been given.
    pub fn withdraw(mut self, bidder: &str) -> Scenario {
        self.withdrawn.push(bidder.to_owned());
        self
    }

    /// Evaluator `evaluator` (from 0, in mark order) is left out of every panel criterion.
    pub fn without_evaluator(mut self, evaluator: usize) -> Scenario {
        self.without.push(evaluator);
        self
    }

    /// The committee is these evaluators (from 0, in mark order, repeats allowed): every
    /// panel criterion's marks become those evaluators' marks, in this order — a bootstrap
    /// resample of the committee. An evaluator left out ([`Scenario::without_evaluator`]) is
    /// left out of the resample too.
    pub fn with_committee(mut self, evaluators: Vec<usize>) -> Scenario {
        self.committee = Some(evaluators);
        self
    }

    /// Criterion `criterion` is worth `points` (the others keep theirs; the maximum is their
    /// sum, as in a criteria file that says so).
    pub fn with_points(mut self, criterion: &str, points: Decimal) -> Scenario {
        self.points.push((criterion.to_owned(), points));
        self
    }

    /// Bid `bid` (an index into the inputs' bids) scores `points` on criterion `criterion`,
    /// whatever its value: a question about points, not values.
    pub(crate) fn fix_points(mut self, bid: usize, criterion: usize, points: Points) -> Scenario {
        self.fixed.push((bid, criterion, points));
        self
    }

    /// Statuses stay as published; only the points, the differential ranks and the order move.
    pub(crate) fn holding_statuses(mut self) -> Scenario {
        self.hold = true;
        self
    }

    /// Evaluate the scenario.
    ///
    /// # Errors
    /// An unknown bid, criterion or field; a value of the wrong type or one a rule refuses;
    /// points no criteria file could hold; an evaluator that does not exist, or one whose
    /// absence leaves a panel criterion too few marks.
    pub fn evaluate(&self, published: &Published<'_>) -> Result<Ranking, Error> {
        let prepared = self.prepare(published)?;
        Ok(prepared.ranking(&prepared.tally()))
    }

    /// The scenario resolved against the published inputs.
    pub(crate) fn prepare<'p, 'a>(&self, published: &'p Published<'a>) -> Result<Prepared<'p, 'a>, Error> {
        let inputs = published.inputs;
        let t = &inputs.tender;
        let n = inputs.bids.len();
        let m = t.criteria.len();
        let index = |id: &str| inputs.bid_index(id).ok_or_else(|| Error::unknown_bid(id, inputs.bids.iter().map(|b| b.id.as_str())));
        let mut rows: Vec<(usize, Resolved)> = Vec::new();
        let read = &published.read;
        for (bidder, field, value) in &self.values {
            let b = index(bidder)?;
            let Some(path) = FieldPath::parse(field) else {
                return Err(Error::NotAFieldPath { field: field.clone() });
            };
            if read.binary_search_by(|r| r.as_str().cmp(field)).is_err() {
                return Err(Error::FieldNotRead { field: field.clone(), read: read.iter().map(ToString::to_string).collect() });
            }
            let at = match rows.binary_search_by_key(&b, |(i, _)| *i) {
                Ok(at) => at,
                Err(at) => {
                    rows.insert(at, (b, inputs.resolved_row(b).unwrap_or_default()));
                    at
                }
            };
            let Some((_, row)) = rows.get_mut(at) else { continue };
            set_value(inputs, row, bidder, &path, value)?;
        }
        let mut present = vec![true; n];
        for bidder in &self.withdrawn {
            if let Some(p) = present.get_mut(index(bidder)?) {
                *p = false;
            }
        }
        let columns = self.columns(inputs, &present)?;
        let weights = self.weights(inputs)?;
        let mut fixed: Vec<Option<Vec<Option<Points>>>> = if self.fixed.is_empty() { Vec::new() } else { vec![None; n] };
        for &(b, j, p) in &self.fixed {
            if let Some(slot) = fixed.get_mut(b).map(|r| r.get_or_insert_with(|| vec![None; m])).and_then(|r| r.get_mut(j)) {
                *slot = Some(p);
            }
        }
        let bids: Vec<usize> = (0..n).filter(|&b| present.get(b).copied().unwrap_or(false)).collect();
        if bids.is_empty() {
            return Err(Error::NoBidsLeft);
        }
        let frame = match &weights {
            Some(w) => Framed::Own(Box::new(Frame::with_weights(&inputs.tender, w.clone()))),
            None => Framed::Published(&published.frame),
        };
        Ok(Prepared { published, bids, rows, columns, weights, frame, fixed, hold: self.hold })
    }

    /// The panel criteria's marks without the evaluators left out, by criterion then bid.
    fn columns(&self, inputs: &Inputs, present: &[bool]) -> Result<Vec<Option<Vec<Option<Given>>>>, Error> {
        let t = &inputs.tender;
        if self.without.is_empty() && self.committee.is_none() {
            return Ok(vec![None; t.criteria.len()]);
        }
        // Only the panel criteria hold marks.
        let panel: Vec<usize> = t.criteria.iter().enumerate().filter(|(_, c)| c.rule.panel().is_some()).map(|(j, _)| j).collect();
        let count = (0..inputs.bids.len())
            .flat_map(|i| panel.iter().map(move |&j| (i, j)))
            .filter_map(|(i, j)| match inputs.given(i, j) {
                Some(Given::Marks(m)) => Some(m.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let committee = self.committee.as_deref().unwrap_or_default();
        if let Some(&e) = self.without.iter().chain(committee).find(|&&e| e >= count) {
            return Err(Error::NoSuchEvaluator { evaluator: e, count });
        }
        // The marks kept: the resampled committee's, or every evaluator's but those left out.
        let pick = |marks: &[Decimal]| -> Vec<Decimal> {
            match &self.committee {
                Some(c) => c.iter().filter(|e| !self.without.contains(e)).filter_map(|&e| marks.get(e).copied()).collect(),
                None => marks.iter().enumerate().filter(|(e, _)| !self.without.contains(e)).map(|(_, x)| *x).collect(),
            }
        };
        let mut out = Vec::with_capacity(t.criteria.len());
        for (j, c) in t.criteria.iter().enumerate() {
            let Some(rule) = c.rule.panel() else {
                out.push(None);
                continue;
            };
            let column: Vec<Option<Given>> = (0..inputs.bids.len())
                .map(|i| match inputs.given(i, j) {
                    Some(Given::Marks(marks)) => Some(Given::Marks(pick(marks))),
                    other => other.cloned(),
                })
                .collect();
            // A withdrawn bid's marks are not scored: they need not survive the trim.
            let kept = column
                .iter()
                .zip(present)
                .filter(|(_, p)| **p)
                .filter_map(|(g, _)| match g {
                    Some(Given::Marks(m)) => Some(m.len()),
                    _ => None,
                })
                .min();
            if let Some(kept) = kept.filter(|k| *k < rule.marks_needed()) {
                return Err(Error::TooFewMarks { criterion: c.id.clone(), kept, trim: rule.trim });
            }
            out.push(Some(column));
        }
        Ok(out)
    }

    /// The criteria's points with the changes, or `None` when nothing changes.
    fn weights(&self, inputs: &Inputs) -> Result<Option<Vec<Rat>>, Error> {
        if self.points.is_empty() {
            return Ok(None);
        }
        let t = &inputs.tender;
        let mut points: Vec<Decimal> = t.criteria.iter().map(|c| c.points).collect();
        let mut seen: Vec<&str> = Vec::new();
        for (id, p) in &self.points {
            let Some(j) = t.criteria.iter().position(|c| c.id == *id) else {
                return Err(Error::unknown_criterion(id, t.criteria.iter().map(|c| c.id.as_str())));
            };
            if seen.contains(&id.as_str()) {
                return Err(Error::PointsTwice { criterion: id.clone() });
            }
            seen.push(id);
            if let Some(problem) = crate::exact::beyond_limit(*p) {
                return Err(Error::BadPoints(PointsProblem::BeyondLimit { criterion: id.clone(), points: *p, problem }));
            }
            if *p < Decimal::ZERO {
                return Err(Error::BadPoints(PointsProblem::Negative { criterion: id.clone(), points: *p }));
            }
            if p.normalize().scale() > t.rounding.places {
                return Err(Error::BadPoints(PointsProblem::TooFine { points: *p, places: t.rounding.places }));
            }
            // The rule says what points it can be worth (a price criterion needs some).
            if let Some(c) = t.criteria.get(j) {
                let mut objections = Vec::new();
                let name = format!("criterion `{id}`");
                c.rule
                    .check_criterion(&CriterionAt { name: &name, points: *p, points_span: crate::diag::Span::default() }, &mut objections);
                if let Some(d) = objections.first() {
                    return Err(Error::BadPoints(PointsProblem::Refused { criterion: id.clone(), message: d.message.clone() }));
                }
            }
            if let Some(slot) = points.get_mut(j) {
                *slot = *p;
            }
        }
        let sum: Decimal = points.iter().sum();
        if sum <= Decimal::ZERO || sum > Decimal::from(crate::model::MAX_POINTS_LIMIT) {
            return Err(Error::BadPoints(PointsProblem::Total { sum }));
        }
        // A threshold of points no bid could reach any more is refused, as in a criteria file.
        for q in &t.qualify {
            let Minimum::Points(need) = q.min else { continue };
            let scope = |c: &crate::model::Criterion| q.section.as_ref().is_none_or(|s| *s == c.section);
            let max: Decimal = t.criteria.iter().zip(&points).filter(|(c, _)| scope(c)).map(|(_, p)| *p).sum();
            if need > max {
                return Err(Error::BadPoints(PointsProblem::Unreachable { scope: q.scope(), needed: need, max }));
            }
        }
        Ok(Some(points.into_iter().map(Rat::from_decimal).collect()))
    }
}

/// Put `value` where the tender reads `path` in one bid's resolved inputs, checking it as
/// validation would.
fn set_value(inputs: &Inputs, row: &mut Resolved, bidder: &str, path: &FieldPath, value: &Scalar) -> Result<(), Error> {
    let t = &inputs.tender;
    let field = path.to_string();
    let wrong = |expected: InputKind| Error::WrongType {
        bid: bidder.to_owned(),
        field: field.clone(),
        expected: expected.name(),
        found: value.type_name(),
    };
    if let Scalar::Number(d) = value
        && let Some(problem) = crate::exact::beyond_limit(*d)
    {
        return Err(Error::BeyondLimit { what: format!("bid `{bidder}`: `{field}`"), value: *d, problem });
    }
    let fits = |kind: InputKind| {
        matches!(
            (kind, value),
            (InputKind::Number, Scalar::Number(_))
                | (InputKind::Text, Scalar::Text(_))
                | (InputKind::Bool, Scalar::Bool(_))
                | (InputKind::Date, Scalar::Date(_))
        )
    };
    for (j, g) in t.gates.iter().enumerate() {
        if g.field == *path {
            let kind = gate_kind(&g.require);
            if !fits(kind) {
                return Err(wrong(kind));
            }
            if let Some(slot) = row.gates.get_mut(j) {
                *slot = Some(value.clone());
            }
        }
    }
    for (j, c) in t.criteria.iter().enumerate() {
        if c.field.as_ref() == Some(path) {
            if !fits(c.rule.input()) {
                return Err(wrong(c.rule.input()));
            }
            let mut objections = Vec::new();
            c.rule.check_value(value, &ValueAt { span: crate::diag::Span::default(), field: &field, criterion: &c.id }, &mut objections);
            if let Some(d) = objections.first() {
                return Err(Error::BadValue { bid: bidder.to_owned(), field: field.clone(), message: d.message.clone() });
            }
            if let Some(slot) = row.criteria.get_mut(j) {
                *slot = Some(Given::Value(value.clone()));
            }
        }
    }
    if let Some(q) = &t.award.quantity
        && q.field == *path
    {
        let count = match value {
            Scalar::Number(x) if x.fract().is_zero() => x.to_u64(),
            _ => None,
        };
        match count {
            Some(c) => row.offered = Some(c),
            None => {
                return Err(Error::BadValue {
                    bid: bidder.to_owned(),
                    field,
                    message: format!("the award reads a whole number of at least 0, not `{value}`"),
                });
            }
        }
    }
    for (k, check) in t.abnormally_low.iter().enumerate() {
        if check.field == *path {
            let Scalar::Number(x) = value else { return Err(wrong(InputKind::Number)) };
            if let Some(slot) = row.low.get_mut(k) {
                *slot = Some(*x);
            }
        }
    }
    for (k, step) in t.tie_break.iter().enumerate() {
        if let crate::model::TieBreak::Value { field: f, order } = step
            && f == path
        {
            let kind = if order.dates() { InputKind::Date } else { InputKind::Number };
            if !fits(kind) {
                return Err(wrong(kind));
            }
            if let Some(slot) = row.ties.get_mut(k) {
                *slot = Some(value.clone());
            }
        }
    }
    if let Some(b) = &t.award.budget
        && b.unit_price == *path
    {
        match value {
            Scalar::Number(x) if *x > Decimal::ZERO => row.unit_price = Some(*x),
            _ => {
                return Err(Error::BadValue {
                    bid: bidder.to_owned(),
                    field,
                    message: format!("the budget reads a unit price above 0, not `{value}`"),
                });
            }
        }
    }
    Ok(())
}

/// A scenario resolved against the published inputs, ready to tally.
pub(crate) struct Prepared<'p, 'a> {
    published: &'p Published<'a>,
    /// The bids in the tally (indices into the inputs' bids).
    bids: Vec<usize>,
    /// The bids whose inputs changed (by index, in order), with their inputs.
    rows: Vec<(usize, Resolved)>,
    /// Per criterion: every bid's changed marks.
    columns: Vec<Option<Vec<Option<Given>>>>,
    weights: Option<Vec<Rat>>,
    /// The tender with the weights in force.
    frame: Framed<'p, 'a>,
    /// Per bid and criterion: points taken as given (empty: none).
    fixed: Vec<Option<Vec<Option<Points>>>>,
    hold: bool,
}

/// The tender as a scenario's tally reads it: the published frame, or one with other points.
enum Framed<'p, 'a> {
    Published(&'p Frame<'a>),
    Own(Box<Frame<'a>>),
}

impl<'a> std::ops::Deref for Framed<'_, 'a> {
    type Target = Frame<'a>;

    fn deref(&self) -> &Frame<'a> {
        match self {
            Framed::Published(f) => f,
            Framed::Own(f) => f,
        }
    }
}

impl Prepared<'_, '_> {
    /// Bid `b`'s changed inputs, when it has any.
    fn row(&self, b: usize) -> Option<&Resolved> {
        let at = self.rows.binary_search_by_key(&b, |(i, _)| *i).ok()?;
        self.rows.get(at).map(|(_, r)| r)
    }
}

impl Givens for Prepared<'_, '_> {
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        let b = *self.bids.get(bid)?;
        // A changed column holds the panel's marks, which no bid field sets: it comes first.
        if let Some(column) = self.columns.get(criterion).and_then(Option::as_ref) {
            return column.get(b)?.as_ref();
        }
        if let Some(row) = self.row(b) {
            return row.criteria.get(criterion)?.as_ref();
        }
        self.published.inputs.given(b, criterion)
    }
}

impl Scorer for Prepared<'_, '_> {
    // Most cells are the published ones, copied: a row costs little.
    const PARALLEL_FROM: usize = 2048;
    type Amount = Points;
    type Cell = Points;

    fn amount(cell: &Points) -> &Points {
        cell
    }

    fn score(&self, bid: usize, criterion: usize, reference: &InForce) -> Points {
        let Some(&b) = self.bids.get(bid) else { return Points::default() };
        if let Some(p) = self.fixed.get(b).and_then(Option::as_ref).and_then(|r| r.get(criterion)).copied().flatten() {
            return p;
        }
        let unchanged = self.weights.is_none()
            && self.row(b).is_none()
            && self.columns.get(criterion).is_some_and(Option::is_none)
            && reference.as_published;
        if unchanged {
            return self.published.cell(b, criterion);
        }

        let t = &self.published.inputs.tender;
        let Some(c) = t.criteria.get(criterion) else { return Points::default() };
        let w = self.weights.as_ref().and_then(|w| w.get(criterion).cloned()).unwrap_or_else(|| Rat::from_decimal(c.points));
        points(t.rounding, c, &w, Givens::given(self, bid, criterion), reference.value.as_ref())
    }

    fn published_reference(&self, criterion: usize) -> Option<Option<Decimal>> {
        if self.weights.is_some() {
            return None;
        }
        self.published.references.get(criterion).copied()
    }
}

impl<'a> Prepared<'_, 'a> {
    /// The bids in the tally, with what each passes and offers: the published field with
    /// the changed bids' entries in place of their own, and only the bids present.
    pub(crate) fn field(&self) -> Field<'_> {
        let inputs = self.published.inputs;
        let mut field: Field<'_> = self.published.field.clone();
        for (b, row) in &self.rows {
            let b = *b;
            if let Some(slot) = field.passed.get_mut(b) {
                *slot = passes(&gate_verdicts(&inputs.tender.gates, row.gates.iter().map(Option::as_ref)));
            }
            if let Some(slot) = field.offered.get_mut(b) {
                *slot = row.offered.unwrap_or(0);
            }
            if let Some(slot) = field.prices.get_mut(b) {
                *slot = row.unit_price;
            }
            if let Some(slot) = field.ties.get_mut(b) {
                *slot = row.ties.as_slice();
            }
            if let Some(slot) = field.low.get_mut(b) {
                *slot = row.low.as_slice();
            }
        }
        if self.bids.len() != inputs.bids.len() {
            fn keep<T: Clone>(all: &[T], bids: &[usize]) -> Vec<T> {
                bids.iter().filter_map(|&b| all.get(b).cloned()).collect()
            }
            let bids = &self.bids;
            field.ids = keep(&field.ids, bids);
            field.passed = keep(&field.passed, bids);
            field.offered = keep(&field.offered, bids);
            field.prices = keep(&field.prices, bids);
            field.terms = field.terms.as_deref().map(|t| keep(t, bids));
            field.ties = keep(&field.ties, bids);
            field.low = keep(&field.low, bids);
            if !field.lottery.is_empty() {
                field.lottery = keep(&field.lottery, bids);
            }
        }
        if self.hold {
            field.held =
                Some(self.bids.iter().map(|&b| self.published.statuses.get(b).copied().unwrap_or(BidStatus::Disqualified)).collect());
        }
        field
    }

    /// The official tally (rows indexed like [`Prepared::bid`]).
    pub(crate) fn tally(&self) -> Tally<Points, Points> {
        let field = self.field();
        let eligible = self.eligible(&field);
        tally::tally_with(&self.frame, self, &field, eligible)
    }

    /// The references over the eligible bids, as [`tally::eligible`] takes them; but a
    /// criterion whose column, bids and eligibility are all the published ones keeps its
    /// published reference without reading every bid again (leaving an evaluator out
    /// changes the panel's columns only).
    fn eligible(&self, field: &Field<'_>) -> Vec<InForce> {
        let n = field.ids.len();
        let published = self.published;
        let same_bids = self.rows.is_empty() && self.weights.is_none() && self.bids.len() == published.inputs.bids.len();
        let passed = |i: usize| field.passed.get(i).copied().unwrap_or(false);
        (0..self.frame.tender.criteria.len())
            .map(|j| {
                // A criterion scored among the qualified keeps its published reference beside
                // its eligible one: that one is taken again.
                let unchanged = same_bids && !self.frame.late.contains(&j) && self.columns.get(j).is_some_and(Option::is_none);
                match published.references.get(j) {
                    Some(&r) if unchanged => InForce::new(r, Some(r)),
                    _ => tally::reference(&self.frame, self, j, n, passed),
                }
            })
            .collect()
    }

    /// Tally row `b`'s status, rank and total, as [`tally`](Self::tally) gives them. When
    /// the scenario changes that bid alone, under a tender whose other rows feel it only
    /// through the references (no differential scoring, no criterion scored among the
    /// qualified), only what the change touches is scored. Its row; and when it moves no
    /// reference, the others keep their published rows and order, it takes its place among
    /// them by the ranking's comparison and the award walks the new order (`O(bids)`, not
    /// `O(bids × criteria)` and a sort). When it moves references, only those criteria's
    /// columns are scored again, the others' sums and qualification follow from them, and
    /// the ranked bids are sorted again (`O(bids × moved)` and a sort).
    pub(crate) fn standing(&self, b: usize) -> Option<(BidStatus, Option<u32>, Points)> {
        let field = self.field();
        if let Some(base) = self.alone(b) {
            let eligible = self.eligible_alone(b, &field, base);
            if let Some(fast) = self.standing_alone(b, &field, &eligible, base) {
                return Some(fast);
            }
        }
        let tally = tally::tally(&self.frame, self, &field);
        let me = tally.rows.get(b)?;
        Some((me.status, me.rank, me.counted().total))
    }

    /// The published evaluation's [`Base`], when this scenario changes bid `b` alone under a
    /// tender whose other rows feel it only through the references (what
    /// [`standing_alone`](Self::standing_alone) needs).
    fn alone(&self, b: usize) -> Option<&Base> {
        let t = &self.published.inputs.tender;
        let only_b = self.rows.iter().all(|(i, _)| *i == b);
        let plain = self.weights.is_none()
            && !self.hold
            && self.bids.len() == self.published.inputs.bids.len()
            && self.columns.iter().all(Option::is_none)
            && self.fixed.iter().all(Option::is_none)
            && t.differential.is_none()
            && self.frame.late.is_empty();
        if only_b && plain { self.published.base() } else { None }
    }

    /// Each criterion's reference over the eligible bids ([`tally::eligible`]) when only bid
    /// `b` changed: the best of the others, kept with the published evaluation, and `b`'s
    /// own value if it passes the gates.
    fn eligible_alone(&self, b: usize, field: &Field<'_>, base: &Base) -> Vec<InForce> {
        let t = &self.published.inputs.tender;
        let passes = field.passed.get(b).copied().unwrap_or(false);
        t.criteria
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let best = c.rule.reference().and_then(|reference| {
                    let others = base.tops.get(j).and_then(|top| top.without(b));
                    let mine = match Givens::given(self, b, j) {
                        Some(Given::Value(Scalar::Number(x))) if passes => Some(*x),
                        _ => None,
                    };
                    match (others, mine) {
                        (Some(o), Some(m)) => Some(reference.better.best(o, m)),
                        (o, m) => o.or(m),
                    }
                });
                InForce::new(best, self.published_reference(j))
            })
            .collect()
    }

    fn standing_alone(&self, b: usize, field: &Field<'_>, eligible: &[InForce], base: &Base) -> Option<(BidStatus, Option<u32>, Points)> {
        let row = tally::first_row(&self.frame, self, field, eligible, b);
        let total = row.counted().total;
        if !row.qualified() {
            // Its status is its own: its sums against the references in force.
            return Some((row.status, None, total));
        }
        // The references it moved reach every other bid: their points on those criteria, sums,
        // qualification and order, made once for every change that moves them there.
        let moved = self.moved(eligible);
        let shifted = if moved.is_empty() { None } else { Some(base.shifted(self, field, eligible, b, moved)?) };
        let rows = Patched { rows: &base.tally.rows, me: Some((b, &row)), shifted: shifted.as_deref() };
        let ranker = tally::Ranker { frame: &self.frame, field, rows };
        // The others keep their order (nothing they are compared by changed since it was made).
        let others = shifted.as_deref().map_or(&base.ranked, |s| &s.ranked);
        let mut order: Vec<usize> = others.iter().copied().filter(|&i| i != b).collect();
        let ahead = order.partition_point(|&x| ranker.ranking(x, b) == std::cmp::Ordering::Less);
        let at = order.partition_point(|&x| ranker.order(x, b) == std::cmp::Ordering::Less);
        order.insert(at, b);
        let status = self.awarded(b, field, &order);
        Some((status, Some(u32::try_from(ahead.saturating_add(1)).unwrap_or(u32::MAX)), total))
    }

    /// The criteria whose reference in `eligible` is not the published one, with their new
    /// best values.
    fn moved(&self, eligible: &[InForce]) -> Vec<(usize, Option<Decimal>)> {
        eligible
            .iter()
            .zip(&self.published.references)
            .enumerate()
            .filter(|(_, (r, p))| r.best != **p)
            .map(|(j, (r, _))| (j, r.best))
            .collect()
    }

    /// Ranked bid `b`'s status once the award walks the ranked bids in `order`.
    fn awarded(&self, b: usize, field: &Field<'_>, order: &[usize]) -> BidStatus {
        let t = &self.published.inputs.tender;
        let excluded = crate::evaluate::low::excluded(t, &field.passed, &field.low);
        let (mut stopped, mut selected) = (None, false);
        tally::award_order(
            &t.award,
            field,
            &excluded,
            order,
            |i, s| {
                if i == b {
                    stopped = Some(s);
                }
            },
            |i, _| selected |= i == b,
        );
        if selected { BidStatus::Selected } else { stopped.unwrap_or(BidStatus::Qualified) }
    }

    /// The exact, unrounded tally at `weights` (one per criterion).
    pub(crate) fn exact(&self, weights: Vec<Rat>) -> (Frame<'a>, Tally<Rat, Rat>) {
        let inputs = self.published.inputs;
        let frame = Frame::with_weights(&inputs.tender, weights);
        let tally = tally::tally(&frame, &Exact::new(&inputs.tender, &frame.weights, self), &self.field());
        (frame, tally)
    }

    /// Tally row `i` alone, exact and unrounded at `weights`, as the tally first scores it
    /// against `eligible` (the references over the eligible bids, which no weight moves).
    /// `field` is this scenario's [`field`](Self::field), made once by a caller reading many rows.
    pub(crate) fn exact_row(&self, weights: Vec<Rat>, field: &Field<'_>, eligible: &[InForce], i: usize) -> Row<Rat, Rat> {
        let inputs = self.published.inputs;
        let frame = Frame::with_weights(&inputs.tender, weights);
        tally::first_row(&frame, &Exact::new(&inputs.tender, &frame.weights, self), field, eligible, i)
    }

    /// Whether tally row `a` ranks ahead of row `b`, as the ranking orders them (total, the
    /// tie-break chain, then bidder id), whatever their statuses.
    pub(crate) fn ahead(&self, tally: &Tally<Points, Points>, a: usize, b: usize) -> bool {
        let field = self.field();
        tally::Ranker::over(&self.frame, &field, &tally.rows, <Self as Scorer>::amount).precedes(a, b)
    }

    /// How many rows the tally has.
    pub(crate) fn rows(&self) -> usize {
        self.bids.len()
    }

    /// The input index of tally row `row`.
    pub(crate) fn bid(&self, row: usize) -> Option<usize> {
        self.bids.get(row).copied()
    }

    /// The bidder id of tally row `row`.
    pub(crate) fn bidder(&self, row: usize) -> &'a str {
        let inputs: &'a Inputs = self.published.inputs;
        self.bid(row).and_then(|b| inputs.bids.get(b)).map_or("", |b| b.id.as_str())
    }

    /// The tally as a ranking people and programs can read.
    pub(crate) fn ranking(&self, tally: &Tally<Points, Points>) -> Ranking {
        let bids = tally
            .order
            .iter()
            .filter_map(|&i| {
                let row = tally.rows.get(i)?;
                let counted = row.counted();
                Some(Ranked {
                    bidder: self.bidder(i).to_owned(),
                    status: row.status,
                    rank: row.rank,
                    total: counted.total,
                    sections: counted.sections.clone(),
                    points: row.cells.clone(),
                    award: row.award,
                })
            })
            .collect();
        Ranking { bids }
    }
}

/// The published rows as the ranking reads them, with one bid's row in place of its own
/// (`me`) and the other bids as a change that moved references left them (`shifted`).
struct Patched<'r> {
    rows: &'r [Row<Points, Points>],
    me: Option<(usize, &'r Row<Points, Points>)>,
    shifted: Option<&'r Shifted>,
}

impl Patched<'_> {
    fn me(&self, i: usize) -> Option<&Row<Points, Points>> {
        self.me.and_then(|(b, row)| (b == i).then_some(row))
    }
}

impl tally::Standings for Patched<'_> {
    type N = Points;

    fn total(&self, i: usize) -> Option<&Points> {
        if let Some(row) = self.me(i) {
            return Some(&row.counted().total);
        }
        match self.shifted {
            Some(s) => s.totals.get(i),
            None => Some(&self.rows.get(i)?.counted().total),
        }
    }

    fn section(&self, i: usize, k: usize) -> Option<&Points> {
        if let Some(row) = self.me(i) {
            return row.counted().sections.get(k);
        }
        match self.shifted {
            Some(s) => s.sections.get(i.checked_mul(s.width)?.checked_add(k)?),
            None => self.rows.get(i)?.counted().sections.get(k),
        }
    }

    fn scored_section(&self, i: usize, k: usize) -> Option<&Points> {
        // No differential scoring on this path: the sections as counted are as scored.
        self.section(i, k)
    }

    fn cell(&self, i: usize, j: usize) -> Option<&Points> {
        if let Some(row) = self.me(i) {
            return row.cells.get(j);
        }
        match self.shifted.and_then(|s| Some((s, s.moved.iter().position(|&m| m == j)?))) {
            Some((s, k)) => s.cells.get(i.checked_mul(s.moved.len())?.checked_add(k)?),
            None => self.rows.get(i)?.cells.get(j),
        }
    }
}

/// A scenario's result: every bid's status, rank, points and award, in report order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking {
    /// The bids, in report order (SPEC §5.3).
    pub bids: Vec<Ranked>,
}

/// One bid in a [`Ranking`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked {
    /// Bidder id.
    pub bidder: String,
    /// Status.
    pub status: BidStatus,
    /// Rank among the qualified bids.
    pub rank: Option<u32>,
    /// The total that ranks it (after any differential adjustment).
    pub total: Points,
    /// Section points, in the tender's order (after any differential adjustment).
    pub sections: Vec<Points>,
    /// Criterion points, in the tender's order.
    pub points: Vec<Points>,
    /// What it was awarded.
    pub award: Awarded,
}

impl Ranking {
    /// A bid by id.
    pub fn bid(&self, bidder: &str) -> Option<&Ranked> {
        self.bids.iter().find(|b| b.bidder == bidder)
    }

    /// The selected bids' ids, in rank order.
    pub fn winners(&self) -> Vec<&str> {
        self.bids.iter().filter(|b| b.status == BidStatus::Selected).map(|b| b.bidder.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Published, Scenario};
    use crate::value::{Date, Given, Scalar};

    /// One bid's row scored alone (`standing_alone`), with the references taken without
    /// rescanning (`eligible_alone`), gives what the whole tally gives, for many changes to
    /// every bid of every shipped tender; and it is the path taken whenever the tender allows.
    #[test]
    fn one_bid_scored_alone_is_the_whole_tally() {
        let tenders = [
            ("criteria/msit-2025-gpu.toml", "bids/msit-2025"),
            ("criteria/msit-2026-gpu.toml", "bids/msit-2026"),
            ("criteria/eu-meat.toml", "bids/eu-meat"),
            ("criteria/worldbank-qcbs.toml", "bids/worldbank-qcbs"),
            ("criteria/kr-negotiated-sw.toml", "bids/kr-negotiated-sw"),
            ("criteria/kr-negotiated-sw-differential.toml", "bids/kr-negotiated-sw"),
        ];
        let (mut alone, mut checked) = (0usize, 0usize);
        for (criteria, bids) in tenders {
            let Ok(inputs) = crate::load_paths(criteria, &[bids]) else { panic!("{criteria} loads") };
            let inputs = inputs.without_negotiation().unwrap_or(inputs);
            let published = Published::new(&inputs);
            for (b, bid) in inputs.bids.iter().enumerate() {
                for (j, c) in inputs.tender.criteria.iter().enumerate() {
                    let Some(field) = &c.field else { continue };
                    let Some(Given::Value(v)) = inputs.given(b, j) else { continue };
                    let values: Vec<Scalar> = match v {
                        Scalar::Number(x) => ["0.5", "0.9", "1.1", "2", "10"]
                            .iter()
                            .filter_map(|f| f.parse::<Decimal>().ok())
                            .map(|f| Scalar::Number((*x * f).round_dp(4)))
                            .collect(),
                        Scalar::Bool(x) => vec![Scalar::Bool(!x)],
                        Scalar::Date(d) => {
                            [-400, -30, 30, 400].iter().filter_map(|k| Date::from_days(d.days() + k)).map(Scalar::Date).collect()
                        }
                        Scalar::Text(_) => Vec::new(),
                    };
                    for value in values {
                        let Ok(prepared) = Scenario::new().set(&bid.id, &field.to_string(), value.clone()).prepare(&published) else {
                            continue;
                        };
                        let whole = prepared.tally();
                        let Some(row) = whole.rows.get(b) else { panic!("row {b}") };
                        let expected = (row.status, row.rank, row.counted().total);
                        checked += 1;
                        let bids = prepared.field();
                        // A tender without differential scoring or a criterion scored among the
                        // qualified feels a one-bid change through the references alone.
                        let plain = inputs.tender.differential.is_none() && prepared.frame.late.is_empty();
                        assert_eq!(prepared.alone(b).is_some(), plain, "{criteria}");
                        if let Some(base) = prepared.alone(b) {
                            alone += 1;
                            let eligible = prepared.eligible_alone(b, &bids, base);
                            assert_eq!(eligible, whole.eligible, "{criteria}: {} {field} = {value}", bid.id);
                            let fast = prepared.standing_alone(b, &bids, &eligible, base);
                            assert_eq!(fast, Some(expected), "{criteria}: {} {field} = {value}", bid.id);
                        }
                        assert_eq!(prepared.standing(b), Some(expected));
                    }
                }
            }
        }
        // Every tender but the differential one takes the one-bid path (230 of 430 changes
        // when this was written).
        assert!(alone * 2 > checked, "{alone} of {checked} scored alone");
    }
    /// The same on generated tenders built to exercise what a moved reference reaches: bids
    /// near a qualification threshold, tie-breaks on a section and on the moved criterion,
    /// quantities shared in rank order or in proportion, caps, budgets and an abnormally low
    /// check that excludes, and changes that make a bid the new best value, the new lowest
    /// price, fail a gate or pass it.
    #[test]
    fn one_bid_changes_score_as_the_whole_tally_on_generated_tenders() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        // `decided`: neighbours in the others' order tied on the total and put by the chain
        // against bidder order.
        let (mut checked, mut moved, mut decided) = (0usize, 0usize, 0usize);
        for case in 0..100 {
            let qualify =
                ["", "qualify = [{ section = \"technical\", min_share = 0.4 }]\n", "qualify = [{ min_points = 45 }]\n"][next(3) as usize];
            let tie =
                ["[\"bidder\"]", "[\"section:technical\", \"bidder\"]", "[\"criterion:price\", \"bidder\"]", "[\"criterion:best\"]", "[]"]
                    [next(5) as usize];
            let winners = ["1", "2", "3", "\"all\""][next(4) as usize];
            let allocation = ["", "allocation = \"proportional\"\n"][next(2) as usize];
            let cap = ["", "max_share = 0.5\n"][next(2) as usize];
            // A relative price gives round points, so that totals tie with different sections.
            let price = ["{ kind = \"kr-price\", estimated = 1000 }", "{ kind = \"relative\", better = \"lower\" }"][next(2) as usize];
            let budget = if next(3) == 0 { "budget = { total = 9000, unit_price = \"offer.price\" }\n" } else { "" };
            let mut criteria = format!(
                "[tender]\nid = \"g{case}\"\ntitle = \"Generated\"\n[evaluation]\nmax_points = 100\nrounding = {{ places = 2, mode = \"half-up\" }}\n\
                 {qualify}tie_break = {tie}\n[award]\nwinners = {winners}\nquantity = {{ field = \"offer.qty\", total = {} }}\n{allocation}{cap}{budget}\
                 [[section]]\nid = \"technical\"\ntitle = \"T\"\n[[section]]\nid = \"price\"\ntitle = \"P\"\n\
                 [[gate]]\nid = \"ok\"\ntitle = \"Ok\"\nfield = \"eligibility.ok\"\nrequire = {{ equals = true }}\n\
                 [[criterion]]\nid = \"plain\"\nsection = \"technical\"\ntitle = \"A\"\npoints = 20\nfield = \"v.a\"\nrule = {{ kind = \"linear\", zero_at = 0, full_at = 100 }}\n\
                 [[criterion]]\nid = \"best\"\nsection = \"technical\"\ntitle = \"B\"\npoints = 20\nfield = \"v.b\"\nrule = {{ kind = \"relative\", better = \"higher\" }}\n\
                 [[criterion]]\nid = \"least\"\nsection = \"technical\"\ntitle = \"C\"\npoints = 20\nfield = \"v.c\"\nrule = {{ kind = \"relative\", better = \"lower\" }}\n\
                 [[criterion]]\nid = \"price\"\nsection = \"price\"\ntitle = \"P\"\npoints = 40\nfield = \"offer.price\"\nrule = {price}\n",
                3 + next(20)
            );
            if next(3) == 0 {
                criteria.push_str(
                    "[[abnormally_low]]\nid = \"low\"\ntitle = \"Low\"\nfield = \"offer.price\"\nrule = { kind = \"share-of-mean\", share = 0.8 }\naction = \"exclude\"\n",
                );
            }
            let count = 3 + next(10);
            // Few distinct values in some tenders, so that totals tie and the chain decides.
            let coarse = if next(2) == 0 { 0 } else { 3 };
            let mut sources = vec![crate::SourceFile::new("criteria.toml", criteria)];
            for i in 0..count {
                let bid = format!(
                    "[bidder]\nid = \"b{i:02}\"\nname = \"B{i}\"\n[eligibility]\nok = {}\n[v]\na = {}\nb = {}\nc = {}\n[offer]\nprice = {}\nqty = {}\n",
                    next(5) != 0,
                    next(3) * 50,
                    [1, 2, 4, 6, 11][next(2 + coarse) as usize],
                    [1, 2, 4, 6, 11][next(2 + coarse) as usize],
                    [500, 1000, 250, 700, 900, 1300][next(3 + coarse) as usize],
                    1 + next(6)
                );
                sources.push(crate::SourceFile::new(format!("b{i:02}.toml"), bid));
            }
            let inputs = match crate::load_sources(sources) {
                Ok(i) => i,
                Err(e) => panic!("case {case} loads: {e:?}"),
            };
            let published = Published::new(&inputs);
            let changes: [(&str, &[Scalar]); 6] = [
                ("v.a", &[Scalar::Number(Decimal::ZERO), Scalar::Number(Decimal::from(50)), Scalar::Number(Decimal::from(100))]),
                ("v.b", &[Scalar::Number(Decimal::ONE), Scalar::Number(Decimal::from(16)), Scalar::Number(Decimal::from(30))]),
                ("v.c", &[Scalar::Number(Decimal::new(5, 1)), Scalar::Number(Decimal::from(6)), Scalar::Number(Decimal::from(40))]),
                (
                    "offer.price",
                    &[Scalar::Number(Decimal::from(300)), Scalar::Number(Decimal::from(900)), Scalar::Number(Decimal::from(2000))],
                ),
                ("offer.qty", &[Scalar::Number(Decimal::ZERO), Scalar::Number(Decimal::from(9))]),
                ("eligibility.ok", &[Scalar::Bool(true), Scalar::Bool(false)]),
            ];
            for (b, bid) in inputs.bids.iter().enumerate() {
                for (field, values) in changes {
                    for value in values {
                        let Ok(prepared) = Scenario::new().set(&bid.id, field, value.clone()).prepare(&published) else {
                            panic!("case {case}: {} {field} = {value}", bid.id)
                        };
                        let whole = prepared.tally();
                        let Some(row) = whole.rows.get(b) else { panic!("row {b}") };
                        let expected = (row.status, row.rank, row.counted().total);
                        let at = format!("case {case}: {} {field} = {value}", bid.id);
                        assert_eq!(prepared.standing(b), Some(expected), "{at}");
                        checked += 1;
                        let Some(base) = prepared.alone(b) else { panic!("{at}: one bid changed") };
                        let bids = prepared.field();
                        let eligible = prepared.eligible_alone(b, &bids, base);
                        assert_eq!(eligible, whole.eligible, "{at}");
                        let shift = prepared.moved(&eligible);
                        if !shift.is_empty() && row.qualified() {
                            moved += 1;
                            // The others' order as a moved reference leaves them is the whole
                            // tally's, the changed bid aside.
                            let Some(shifted) = base.shifted(&prepared, &bids, &eligible, b, shift) else { panic!("{at}: on the grid") };
                            let others: Vec<usize> = whole
                                .order
                                .iter()
                                .copied()
                                .filter(|&i| i != b && whole.rows.get(i).is_some_and(|r| r.qualified()))
                                .collect();
                            assert_eq!(shifted.ranked, others, "{at}");
                            let total = |i: usize| whole.rows.get(i).map(|r| r.counted().total);
                            decided += others.windows(2).filter(|w| matches!(w, [x, y] if total(*x) == total(*y) && x > y)).count();
                        }
                    }
                }
            }
        }
        // Most of these take the one-bid path; many move a reference and rank the others again.
        assert!(moved * 10 > checked, "{moved} of {checked} moved a reference");
        assert!(decided > 0, "no tie on the total decided by the chain");
    }
}
