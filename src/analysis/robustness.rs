//! Robustness (SPEC §9 (b), §10.3): how far the award depends on what nobody published.
//! A seeded Monte-Carlo in the manner of SMAA-2 (Lahdelma & Salminen 2001) over the
//! criteria's weights, the `range` or `alternatives` of every `assumed` value, and the
//! committee (a bootstrap over evaluators), each sample ranked and awarded by the sampling
//! tally (`evaluate/sampled.rs`: gates, qualification, references among the qualified,
//! differential scoring and the award, as `score` applies them).
//!
//! Every sample is a scenario files could state: weights on the rounding grid adding up to
//! `max_points`, numbers on a decimal grid, dates by the day, alternatives as listed. So a
//! sampled flip of the winners is replayed through the exact tally ([`Scenario`]) and shown
//! as confirmed or as a near-tie only the `f64` arithmetic produced.
//!
//! Deterministic: samples come in blocks of [`BLOCK`], block `b` drawn from ChaCha8 seeded
//! with the seed on stream `b`; everything counted is an integer (weight shares in rounding
//! units), so the totals do not depend on how the blocks were spread over threads.

use crate::evaluate::award::Term;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::{Error, Progress, Published, Scenario};
use crate::diag::SourceFile;
use crate::evaluate::sampled::{Case, Kernel, Work};
use crate::evaluate::score::scored;
use crate::evaluate::{BidStatus, Outcome, evaluate};
use crate::exact::Rat;
use crate::model::{Inputs, Status};
use crate::rules::fast::{Fast, Input, f64_of};
use crate::value::{Date, FieldPath, Given, Scalar, Str};

/// Samples per block: the unit of seeding, of parallel work and of progress.
pub const BLOCK: u64 = 1024;
/// The most samples one run may draw.
pub const MAX_SAMPLES: u64 = 1_000_000_000;
/// Draws of the pilot that finds each unknown's median, before sampling.
const PILOT_MEDIAN: u64 = 4096;
/// An unknown with at most this many values is reported value by value, not in halves.
const LEVELS_UP_TO: i64 = 8;
/// Samples drawn at each bid's central weights for its confidence factor.
const CONFIDENCE_SAMPLES: u64 = 10_000;
/// Pairwise winning indices are counted for tenders up to this many bids (n² per sample).
pub const PAIRWISE_UP_TO: usize = 64;
/// Draws of the declared weight set tried before sampling, to measure the acceptance.
const PILOT: u32 = 10_000;
/// Rejection gives up on a sample after this many draws.
const MAX_REJECTIONS: u32 = 1_000_000;
/// Winner sets listed in the answer.
const SETS_SHOWN: usize = 10;

/// How the weights vary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeightMode {
    /// As published.
    Published,
    /// Uniform on the simplex (SMAA-2's "no weight information").
    Uniform,
    /// Each criterion's points within ±P % of the published, renormalised to `max_points`.
    Around(Decimal),
    /// The intervals (`points_range`) and the order (`weight_order`) the criteria file
    /// declares, sampled uniformly on that set.
    Declared,
}

impl WeightMode {
    /// `published`, `uniform`, `around=P%` (or `around=P`) or `declared`.
    ///
    /// # Errors
    /// Anything else, with what is accepted.
    pub fn parse(text: &str) -> Result<WeightMode, String> {
        match text {
            "published" => return Ok(WeightMode::Published),
            "uniform" => return Ok(WeightMode::Uniform),
            "declared" => return Ok(WeightMode::Declared),
            _ => {}
        }
        let Some(p) = text.strip_prefix("around=") else {
            return Err(format!("`{text}`: weights are `published`, `uniform`, `around=P%` or `declared`"));
        };
        let p = p.strip_suffix('%').unwrap_or(p);
        match crate::exact::parse_decimal(p) {
            Ok(d) if d > Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Ok(WeightMode::Around(d.normalize())),
            _ => Err(format!("`{text}`: write `around=P%` with P above 0 and at most 100, such as `around=20%`")),
        }
    }
}

impl std::fmt::Display for WeightMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeightMode::Published => f.write_str("published"),
            WeightMode::Uniform => f.write_str("uniform"),
            WeightMode::Around(p) => write!(f, "around={p}%"),
            WeightMode::Declared => f.write_str("declared"),
        }
    }
}

/// Whether the assumed values vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputMode {
    /// As the files give them.
    Fixed,
    /// Every `assumed` value a rule, gate or the award reads, drawn from its `range` or
    /// `alternatives`.
    Ranges,
}

impl InputMode {
    /// `fixed` or `ranges`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputMode::Fixed => "fixed",
            InputMode::Ranges => "ranges",
        }
    }
}

/// Whether the committee varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkMode {
    /// The marks as given.
    Fixed,
    /// The committee resampled with replacement (a bootstrap over evaluators).
    Bootstrap,
}

impl MarkMode {
    /// `fixed` or `bootstrap`.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkMode::Fixed => "fixed",
            MarkMode::Bootstrap => "bootstrap",
        }
    }
}

/// What to sample, and how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobustnessOptions {
    /// Samples to draw (at most [`MAX_SAMPLES`]).
    pub samples: u64,
    /// The seed: the same seed gives the same answer, byte for byte.
    pub seed: u64,
    /// How the weights vary.
    pub weights: WeightMode,
    /// Whether the assumed values vary.
    pub inputs: InputMode,
    /// Whether the committee varies.
    pub marks: MarkMode,
    /// How many of the most frequent other winner sets to replay exactly.
    pub certify: usize,
    /// How many bids (in report order) the rank-reversal audit withdraws and copies.
    pub audit: usize,
}

impl Default for RobustnessOptions {
    fn default() -> RobustnessOptions {
        RobustnessOptions::new()
    }
}

impl RobustnessOptions {
    /// 100,000 samples, seed 0, published weights, assumed values varying, marks fixed.
    pub fn new() -> RobustnessOptions {
        RobustnessOptions {
            samples: 100_000,
            seed: 0,
            weights: WeightMode::Published,
            inputs: InputMode::Ranges,
            marks: MarkMode::Fixed,
            certify: 5,
            audit: 50,
        }
    }
}

/// How the weights were drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// Not drawn: as published.
    Fixed,
    /// Uniform on the simplex (normalised exponentials), then onto the rounding grid.
    Simplex,
    /// Each criterion's points uniform within ±P % of the published, renormalised, then onto
    /// the rounding grid.
    Around,
    /// Uniform on the declared set by rejection from the uniform simplex above the lower
    /// bounds (sorted into the declared order first, when the order covers every varying
    /// criterion and their lower bounds agree): exact, not a Markov chain.
    Rejection {
        /// The share of draws accepted in a pilot of 10,000.
        acceptance: Rat,
        /// Whether draws were sorted into the declared order.
        sorted: bool,
    },
}

/// One thing that varied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// A criterion's weight, in points.
    Weight {
        /// The criterion.
        criterion: String,
        /// The lowest and highest points it can take.
        low: Decimal,
        /// .
        high: Decimal,
    },
    /// An assumed value of one bid.
    Input {
        /// The bidder.
        bidder: String,
        /// The field.
        field: String,
        /// The value used in the files.
        published: Scalar,
        /// The values it is drawn from: low and high of a range, or the alternatives.
        values: Vec<Scalar>,
        /// Whether `values` is a range (else a list of alternatives).
        range: bool,
    },
    /// One evaluator of the committee (present in or absent from the resample).
    Evaluator {
        /// Index from 0, in mark order.
        index: usize,
        /// The name the panel gives, if any.
        name: Option<String>,
    },
}

/// One bid's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Odds {
    /// Bidder id.
    pub bidder: String,
    /// Samples in which it has rank 1, 2, … (a shared rank counts for each bid sharing it).
    pub ranks: Vec<u64>,
    /// Samples in which it is not ranked (not qualified or disqualified).
    pub unranked: u64,
    /// Samples in which it is selected.
    pub selected: u64,
    /// A 95 % interval for the probability of selection (Wilson's score interval): the
    /// sampling error alone.
    pub interval_95: (Decimal, Decimal),
    /// The criteria's mean weight shares over the samples where it ranks first (SMAA-2's
    /// central weights), in the tender's order; `None` when it never does.
    pub central_weights: Option<Vec<Rat>>,
    /// The confidence factor: how often it ranks first with the weights at its central
    /// weights, the rest varying as asked (hits, trials); `None` without central weights.
    pub confidence: Option<(u64, u64)>,
    /// Its status as published.
    pub published: BidStatus,
}

/// A set of winners and how often it won.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WinnerSet {
    /// The winners, in bidder-id order.
    pub winners: Vec<String>,
    /// In how many samples.
    pub samples: u64,
}

/// A sampled scenario, as values files could state.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Witness {
    /// Criteria whose points differ from the published, with their points.
    pub points: Vec<(String, Decimal)>,
    /// Bid values that differ from the files: bidder, field, value.
    pub values: Vec<(String, String, Scalar)>,
    /// The committee resampled (evaluator indices), under `--marks bootstrap`.
    pub committee: Option<Vec<usize>>,
    /// Its index among the samples.
    pub sample: u64,
}

/// Another winner set, replayed exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flip {
    /// The winner set the sampling found.
    pub set: WinnerSet,
    /// The sample replayed: the one farthest from a tie among those that gave the set.
    pub witness: Witness,
    /// The winners of the exact, rounded re-scoring of the witness, in rank order (`None`:
    /// the scenario could not be evaluated, with the reason in `refused`).
    pub exact_winners: Option<Vec<String>>,
    /// Whether exact re-scoring gives the set: a real flip, not sampling noise.
    pub confirmed: bool,
    /// Why the witness could not be re-scored.
    pub refused: Option<String>,
}

/// One level of an unknown: the samples with its value there, and how many of them kept
/// the published winners.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// Where the level is.
    pub at: LevelAt,
    /// Samples at the level.
    pub samples: u64,
    /// Of which kept the published winners.
    pub unchanged: u64,
}

/// Where a level of an unknown lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LevelAt {
    /// Below this value (the low half).
    Below(Scalar),
    /// At or above this value (the high half).
    From(Scalar),
    /// Exactly this value.
    Is(Scalar),
    /// The evaluator is absent from the resample.
    Absent,
    /// The evaluator is in the resample at least once.
    Present,
}

/// How one unknown moves the probability that the published winners win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Influence {
    /// The unknown (an index into [`Robustness::unknowns`]).
    pub unknown: usize,
    /// Its levels: low and high halves, or each value.
    pub levels: Vec<Level>,
    /// The largest difference between two levels' probabilities of the published winners
    /// (high half minus low half, or the highest level minus the lowest).
    pub swing: Rat,
}

/// Which rank-reversal test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReversalTest {
    /// The bid is withdrawn.
    Withdrawn,
    /// An identical copy of the bid is added.
    Copied,
}

/// One rank-reversal test (Wang & Triantaphyllou 2008), scored exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversal {
    /// The bid withdrawn or copied.
    pub bidder: String,
    /// The test.
    pub test: ReversalTest,
    /// Whether the bid wins as published.
    pub wins: bool,
    /// The copy's id (for `Copied`).
    pub copy: Option<String>,
    /// The winners after, in rank order.
    pub winners: Vec<String>,
    /// Pairs of other bids whose order it reversed (the first was ahead before): a rank
    /// reversal, which a sound method avoids; empty when the others keep their order.
    pub reversed: Vec<(String, String)>,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Robustness {
    /// The tender.
    pub tender: String,
    /// The options asked.
    pub options: RobustnessOptions,
    /// How the weights were drawn.
    pub method: Method,
    /// Samples drawn.
    pub samples: u64,
    /// The criteria, in the tender's order (the central weights' order).
    pub criteria: Vec<String>,
    /// What varied.
    pub unknowns: Vec<Unknown>,
    /// Every bid, in the published report order.
    pub bids: Vec<Odds>,
    /// The published winners, in rank order.
    pub published_winners: Vec<String>,
    /// Samples whose winner set is the published one.
    pub unchanged: u64,
    /// Samples in which bid `i` ranks ahead of bid `k` (`[i][k]`, both in `bids` order);
    /// `None` above [`PAIRWISE_UP_TO`] bids.
    pub pairwise: Option<Vec<Vec<u64>>>,
    /// The most frequent winner sets, most frequent first.
    pub winner_sets: Vec<WinnerSet>,
    /// How many different winner sets the samples gave.
    pub distinct_sets: usize,
    /// The unknowns by how much they move the published winners' probability, largest first.
    pub influence: Vec<Influence>,
    /// The most frequent other winner sets, each replayed exactly.
    pub certified: Vec<Flip>,
    /// Withdrawals and copies, scored exactly.
    pub rank_reversal: Vec<Reversal>,
    /// How many bids the audit covered (of `bids.len()`).
    pub audited: usize,
}

impl Robustness {
    /// A bid's figures by id.
    pub fn bid(&self, bidder: &str) -> Option<&Odds> {
        self.bids.iter().find(|b| b.bidder == bidder)
    }
}

/// [`robustness_with`] without progress reporting.
///
/// # Errors
/// See [`robustness_with`].
///
/// # Examples
/// ```
/// use bidscore::analysis::{RobustnessOptions, robustness};
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let options = RobustnessOptions { samples: 4096, ..RobustnessOptions::new() };
/// let r = robustness(&inputs, &outcome, &options).unwrap();
/// // With the published weights and every assumed value in its range, Coupang is never selected.
/// assert_eq!(r.bid("coupang").unwrap().selected, 0);
/// ```
pub fn robustness(inputs: &Inputs, outcome: &Outcome, options: &RobustnessOptions) -> Result<Robustness, Error> {
    robustness_with(inputs, outcome, options, &super::Silent)
}

/// How often each bid ranks and wins across what nobody published; see the module docs.
///
/// # Errors
/// A usage [`Error`] for more than [`MAX_SAMPLES`] samples, `declared` weights the criteria
/// do not declare, or a bootstrap without a panel; [`Error::WeightsTooNarrow`] when the
/// declared weight set is too small to sample.
pub fn robustness_with(
    inputs: &Inputs,
    outcome: &Outcome,
    options: &RobustnessOptions,
    progress: &(dyn Progress + Sync),
) -> Result<Robustness, Error> {
    if !inputs.tender.lots.is_empty() {
        return Err(Error::Lots { analysis: "robustness" });
    }
    // Each sample is another ranking, which would have been negotiated differently.
    if let Some(aside) = inputs.without_negotiation() {
        return robustness_with(&aside, &crate::evaluate::evaluate(&aside), options, progress);
    }
    if options.samples == 0 || options.samples > MAX_SAMPLES {
        return Err(Error::Samples { samples: options.samples, max: MAX_SAMPLES });
    }
    let model = Model::new(inputs, outcome, options)?;
    let blocks = options.samples.div_ceil(BLOCK);
    let total = usize::try_from(blocks).unwrap_or(usize::MAX);
    let done = AtomicUsize::new(0);
    progress.step(0, total);
    let stats = (0..blocks)
        .into_par_iter()
        .fold(
            || model.stats(),
            |mut stats, block| {
                model.block(block, options, &mut stats);
                let d = done.fetch_add(1, AtomicOrdering::Relaxed).saturating_add(1);
                progress.step(d.min(total), total);
                stats
            },
        )
        .reduce(|| model.stats(), |a, b| a.merge(b));
    Ok(model.answer(stats, options))
}

/// The sampling tally's verdict on one scenario stated as a [`Witness`]: per bid, in the
/// inputs' order (by id), its status and rank. For tests: it must agree with the exact
/// tally wherever no cell lies within 10^-12 of a rounding half.
///
/// # Errors
/// A value that is not an assumed value with a `range` or `alternatives`, or off its grid;
/// an unknown criterion.
#[doc(hidden)]
pub fn sampled_ranking(inputs: &Inputs, outcome: &Outcome, witness: &Witness) -> Result<Vec<(String, BidStatus, Option<u32>)>, Error> {
    let options = RobustnessOptions {
        weights: WeightMode::Uniform,
        inputs: InputMode::Ranges,
        marks: if witness.committee.is_some() { MarkMode::Bootstrap } else { MarkMode::Fixed },
        ..RobustnessOptions::new()
    };
    let model = Model::new(inputs, outcome, &options)?;
    let mut buf = model.buf();
    let t = &inputs.tender;
    for (c, p) in &witness.points {
        let j = t
            .criteria
            .iter()
            .position(|x| x.id == *c)
            .ok_or_else(|| Error::unknown_criterion(c, t.criteria.iter().map(|x| x.id.as_str())))?;
        let u =
            to_grid_int(*p, model.places).ok_or(Error::BadPoints(super::PointsProblem::TooFine { points: *p, places: model.places }))?;
        if let Some(slot) = buf.units.get_mut(j) {
            *slot = u;
        }
    }
    for (w, u) in buf.weights.iter_mut().zip(&buf.units) {
        *w = *u as f64 / model.scale;
    }
    for (bidder, field, value) in &witness.values {
        let found =
            model.varied.iter().enumerate().find(|(_, v)| inputs.bids.get(v.bid).is_some_and(|b| b.id == *bidder) && v.field == *field);
        let bad =
            || Error::BadValue { bid: bidder.clone(), field: field.clone(), message: format!("`{value}` is not a value robustness draws") };
        let (k, var) = found.ok_or_else(bad)?;
        let raw = match (&var.draw, value) {
            (Draw::Grid { places, .. }, Scalar::Number(x)) => to_grid_int(*x, *places),
            (Draw::Days { .. }, Scalar::Date(d)) => Some(d.days()),
            (Draw::Pick { values, .. }, v) => values.iter().position(|a| a == v).and_then(|i| i64::try_from(i).ok()),
            _ => None,
        }
        .ok_or_else(bad)?;
        if let Some(slot) = buf.values.get_mut(k) {
            *slot = raw;
        }
        model.apply(var, raw, &mut buf);
    }
    if let Some(c) = &witness.committee {
        buf.picks.clone_from(c);
        model.resample(&mut buf);
    }
    model.evaluate(&mut buf);
    Ok(inputs
        .bids
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let r = buf.work.rank(i);
            (b.id.to_string(), buf.work.status(i), (r > 0).then_some(r))
        })
        .collect())
}

/// The first `count` weight draws of a run, as points per criterion (for tests of the
/// samplers: their distribution must be the one stated).
///
/// # Errors
/// As [`robustness`].
#[doc(hidden)]
pub fn sample_weights(inputs: &Inputs, outcome: &Outcome, options: &RobustnessOptions, count: u64) -> Result<Vec<Vec<Decimal>>, Error> {
    if let Some(aside) = inputs.without_negotiation() {
        return sample_weights(&aside, &crate::evaluate::evaluate(&aside), options, count);
    }
    let model = Model::new(inputs, outcome, options)?;
    let mut out = Vec::new();
    let mut block = 0u64;
    while (out.len() as u64) < count {
        let mut rng = model.rng(block);
        let mut buf = model.buf();
        for _ in 0..BLOCK {
            if (out.len() as u64) >= count {
                break;
            }
            if model.draw(&mut rng, &mut buf, true) {
                out.push(buf.units.iter().map(|u| Decimal::new(*u, model.places)).collect());
            }
        }
        block = block.saturating_add(1);
    }
    Ok(out)
}

/// A varied value's draw.
enum Draw {
    /// `k × 10^-places`, `k` uniform in `lo..=hi` (`per` = 10^-places).
    Grid { lo: i64, hi: i64, places: u32, per: f64 },
    /// A day number uniform in `lo..=hi`.
    Days { lo: i64, hi: i64 },
    /// One of the alternatives, each with the cells, gate verdicts and offer it gives.
    Pick { values: Vec<Scalar>, cells: Vec<Vec<Input>>, gates: Vec<Vec<bool>>, offered: Vec<Option<u64>>, prices: Vec<Option<Decimal>> },
}

/// An assumed value that varies.
struct Varied {
    bid: usize,
    field: String,
    draw: Draw,
    /// The criteria that read it.
    criteria: Vec<usize>,
    /// The gates that read it.
    gates: Vec<usize>,
    /// Whether the award reads it as the offered quantity.
    award: bool,
    /// Whether the budget reads it as the unit price.
    price: bool,
    /// The tie-break steps that read it.
    ties: Vec<usize>,
    /// The abnormally low tender checks that read it.
    low: Vec<usize>,
    /// The published value as drawn (`k`, a day, an index).
    published: i64,
}

/// How weights are drawn, in rounding units.
enum WeightDraw {
    Fixed,
    Uniform,
    Around { published: Vec<f64>, p: f64 },
    Declared(Declared),
}

/// The declared weight set: criteria at their published units (`fixed`), and the `free`
/// ones (indices) between `lo` and `hi`, never rising along `order` (positions in `free`),
/// sharing `total` units.
struct Declared {
    fixed: Vec<Option<i64>>,
    free: Vec<usize>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    order: Vec<usize>,
    sorted: bool,
    total: i64,
}

impl Declared {
    /// One draw from the uniform simplex above the lower bounds (sorted into the declared
    /// order first, when `sorted`), onto the grid in `units` (one per free criterion);
    /// whether it lies in the set. Rejection repeats this.
    fn attempt(&self, rng: &mut ChaCha8Rng, x: &mut Vec<f64>, drawn: &mut Vec<f64>, units: &mut [i64]) -> bool {
        x.clear();
        x.extend(self.free.iter().map(|_| -open01(rng).ln()));
        let sum: f64 = x.iter().sum();
        let room = self.total.saturating_sub(self.lo.iter().fold(0i64, |a, l| a.saturating_add(*l))) as f64;
        for v in x.iter_mut() {
            *v = *v / sum * room;
        }
        if self.sorted {
            // Sorted descending into the declared order: uniform on the ordered set.
            drawn.clone_from(x);
            drawn.sort_unstable_by(|a, b| b.total_cmp(a));
            for (rank, &k) in self.order.iter().enumerate() {
                if let (Some(slot), Some(v)) = (x.get_mut(k), drawn.get(rank)) {
                    *slot = *v;
                }
            }
        }
        for (v, l) in x.iter_mut().zip(&self.lo) {
            *v += *l as f64;
        }
        onto_grid(x, self.total, units);
        let within = units.iter().zip(self.lo.iter().zip(&self.hi)).all(|(u, (l, h))| u >= l && u <= h);
        let ordered = self.order.windows(2).all(|w| match w {
            [a, b] => units.get(*a) >= units.get(*b),
            _ => true,
        });
        within && ordered
    }
}

/// What a dimension of the influence histogram reads.
#[derive(Clone, Copy)]
enum DimOf {
    Weight(usize),
    Input(usize),
    Evaluator(usize),
}

/// One dimension of the influence counts: an unknown's values `lo..lo + span`, split at its
/// median into a low and a high half (`split`, found by a pilot draw before sampling), or,
/// for `levels`, counted value by value. `slot` is its first counter.
#[derive(Clone, Copy)]
struct Dim {
    of: DimOf,
    lo: i64,
    span: i64,
    levels: bool,
    split: i64,
    slot: usize,
}

impl Dim {
    fn new(of: DimOf, lo: i64, span: i64, levels: bool) -> Dim {
        Dim { of, lo, span: span.max(1), levels, split: lo, slot: 0 }
    }

    /// Counters it uses: one per value for levels, else one (the low half; the high half is
    /// the rest).
    fn slots(&self) -> usize {
        if self.levels { usize::try_from(self.span).unwrap_or(1) } else { 1 }
    }
}

/// The tender compiled for sampling, with what varies.
struct Model<'a> {
    inputs: &'a Inputs,
    outcome: &'a Outcome,
    kernel: Kernel<'a>,
    n: usize,
    m: usize,
    gates: usize,
    cells: Vec<Input>,
    scores: Vec<f64>,
    special: Vec<(usize, usize)>,
    marks: Vec<f64>,
    gate_ok: Vec<bool>,
    passed: Vec<bool>,
    offered: Vec<u64>,
    prices: Vec<Option<Decimal>>,
    terms: Option<Vec<Term>>,
    /// Per bid and tie-break step: the value a `Value` step reads, as a number.
    ties: Vec<f64>,
    lottery: Vec<u64>,
    /// Per bid, per abnormally low tender check: the price it reads; and whether a sample
    /// can change a verdict (a varied price or gate), so that it is taken again per sample.
    low_values: Vec<Vec<Option<Decimal>>>,
    low_moves: bool,
    excluded: Vec<bool>,
    /// Published weights in rounding units, and their total.
    units: Vec<i64>,
    total_units: i64,
    scale: f64,
    places: u32,
    weights: WeightDraw,
    method: Method,
    varied: Vec<Varied>,
    /// Evaluators, and the first mark of every panel cell (each has one per evaluator).
    committee: Option<(usize, Vec<usize>)>,
    dims: Vec<Dim>,
    /// Counters the dimensions use together.
    slots: usize,
    unknowns: Vec<Unknown>,
    published: Vec<u64>,
    words: usize,
    seed: u64,
}

/// A sample being drawn, and the buffers to evaluate it.
struct Buf {
    units: Vec<i64>,
    weights: Vec<f64>,
    cells: Vec<Input>,
    scores: Vec<f64>,
    marks: Vec<f64>,
    gate_ok: Vec<bool>,
    passed: Vec<bool>,
    offered: Vec<u64>,
    prices: Vec<Option<Decimal>>,
    ties: Vec<f64>,
    low_values: Vec<Vec<Option<Decimal>>>,
    excluded: Vec<bool>,
    values: Vec<i64>,
    picks: Vec<usize>,
    bits: Vec<u64>,
    ranks: Vec<u32>,
    /// The block's histogram (at most [`BLOCK`] samples: 16 bits suffice) and winner sets.
    hist: Vec<[u16; 2]>,
    sets: Vec<(Vec<u64>, SetStat)>,
    x: Vec<f64>,
    /// Scratch of the declared weight draws.
    drawn: Vec<f64>,
    free_units: Vec<i64>,
    work: Work,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SetStat {
    count: u64,
    /// The best witness: the largest margin, then the earliest sample.
    margin: i64,
    sample: u64,
}

/// What the samples add up to: integers only, so any order of merging gives the same.
struct Stats {
    samples: u64,
    ranks: Vec<u64>,
    selected: Vec<u64>,
    first: Vec<u128>,
    pairwise: Vec<u64>,
    unchanged: u64,
    sets: BTreeMap<Vec<u64>, SetStat>,
    /// Per dimension and bin: samples, and those with the published winners. 32-bit (a run
    /// draws at most 10^9 samples) so the whole histogram stays in the first-level cache.
    hist: Vec<[u32; 2]>,
}

impl Stats {
    fn merge(mut self, other: Stats) -> Stats {
        self.samples = self.samples.saturating_add(other.samples);
        self.unchanged = self.unchanged.saturating_add(other.unchanged);
        add(&mut self.ranks, &other.ranks);
        add(&mut self.selected, &other.selected);
        add(&mut self.pairwise, &other.pairwise);
        for (a, b) in self.first.iter_mut().zip(&other.first) {
            *a = a.saturating_add(*b);
        }
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            a[0] = a[0].saturating_add(b[0]);
            a[1] = a[1].saturating_add(b[1]);
        }
        for (k, v) in other.sets {
            merge_set(&mut self.sets, k, v);
        }
        self
    }
}

/// Winner sets a block keeps to itself before adding them to the totals.
const LOCAL_SETS: usize = 32;

/// Count `v` for set `k`; the witness kept is the one with the largest margin, then the
/// earliest sample (a total order: the same whatever order blocks are merged in).
fn merge_set(sets: &mut BTreeMap<Vec<u64>, SetStat>, k: Vec<u64>, v: SetStat) {
    sets.entry(k)
        .and_modify(|s| {
            s.count = s.count.saturating_add(v.count);
            if (v.margin, std::cmp::Reverse(v.sample)) > (s.margin, std::cmp::Reverse(s.sample)) {
                s.margin = v.margin;
                s.sample = v.sample;
            }
        })
        .or_insert(v);
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.saturating_add(*y);
    }
}

/// Decimal places of a decimal as written (trailing zeros ignored).
fn places_of(d: Decimal) -> u32 {
    d.normalize().scale()
}

/// `d` as a whole number of `10^-places`.
fn to_grid_int(d: Decimal, places: u32) -> Option<i64> {
    let mut x = d;
    x.rescale(places);
    (x.scale() == places).then(|| i64::try_from(x.mantissa()).ok()).flatten()
}

/// Put `x` (summing to about `total`) onto whole units summing to exactly `total`, each
/// within one unit of its `x` (rounding the running sums: O(n), no sort).
fn onto_grid(x: &[f64], total: i64, out: &mut [i64]) {
    let mut running = 0.0f64;
    let mut before = 0i64;
    let last = x.len().min(out.len()).saturating_sub(1);
    for (j, (&v, slot)) in x.iter().zip(out.iter_mut()).enumerate() {
        running += v.max(0.0);
        // Never negative: truncation of `running + 0.5` is the rounding.
        let upto = if j == last { total } else { ((running + 0.5) as i64).min(total) };
        *slot = upto.saturating_sub(before).max(0);
        before = before.saturating_add(*slot);
    }
}

/// A uniform draw in (0, 1].
fn open01(rng: &mut ChaCha8Rng) -> f64 {
    // One 32-bit word (ChaCha's native output, half the cost of a 64-bit draw): ample
    // resolution for weights, never 0 (so its logarithm is finite).
    (f64::from(rng.next_u32()) + 0.5) * (1.0 / 4_294_967_296.0)
}

/// A whole number uniform in `lo..=hi`: one 32-bit word when the span allows.
fn uniform_int(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    match u32::try_from(hi.saturating_sub(lo)) {
        Ok(span) => lo.saturating_add(i64::from(rng.random_range(0..=span))),
        Err(_) => rng.random_range(lo..=hi),
    }
}

impl<'a> Model<'a> {
    fn new(inputs: &'a Inputs, outcome: &'a Outcome, options: &RobustnessOptions) -> Result<Model<'a>, Error> {
        let t = &inputs.tender;
        let (n, m, g) = (inputs.bids.len(), t.criteria.len(), t.gates.len());
        let kernel = Kernel::new(t, n);
        let places = t.rounding.places;
        let scale = 10f64.powi(i32::try_from(places).unwrap_or(0));
        let units: Vec<i64> = t.criteria.iter().map(|c| to_grid_int(c.points, places).unwrap_or(0)).collect();
        let total_units = units.iter().fold(0i64, |a, u| a.saturating_add(*u));
        // The published cells.
        let mut cells = Vec::with_capacity(n.saturating_mul(m));
        let mut marks = Vec::new();
        let mut mark_cells = Vec::new();
        let mut evaluators = None::<usize>;
        let mut uneven = None;
        for i in 0..n {
            for (j, c) in t.criteria.iter().enumerate() {
                let fast = kernel.fast().get(j).cloned().unwrap_or(Fast::Exact);
                let cell = match inputs.given(i, j) {
                    None => Input::Missing,
                    Some(Given::Marks(ms)) => {
                        match evaluators {
                            None => evaluators = Some(ms.len()),
                            Some(e) if e != ms.len() => uneven = Some(c.id.clone()),
                            Some(_) => {}
                        }
                        let start = marks.len();
                        mark_cells.push(start);
                        marks.extend(ms.iter().map(|x| f64_of(*x)));
                        Input::Marks { start: u32::try_from(start).unwrap_or(u32::MAX), len: u32::try_from(ms.len()).unwrap_or(0) }
                    }
                    Some(given @ Given::Value(v)) => cell_of(&fast, c, given, v),
                };
                cells.push(cell);
            }
        }
        let mut gate_ok = Vec::with_capacity(n.saturating_mul(g));
        for i in 0..n {
            for (k, gate) in t.gates.iter().enumerate() {
                gate_ok.push(inputs.gate_value(i, k).is_some_and(|v| gate.require.accepts(v)));
            }
        }
        let passed: Vec<bool> = (0..n)
            .map(|i| gate_ok.get(i.saturating_mul(g)..i.saturating_mul(g).saturating_add(g)).is_some_and(|s| s.iter().all(|x| *x)))
            .collect();
        let offered = (0..n).map(|i| inputs.offered(i).unwrap_or(0)).collect();
        let prices = (0..n).map(|i| inputs.unit_price(i)).collect();
        let terms = Term::all(inputs);
        let ties = (0..n).flat_map(|i| inputs.tie_values(i).iter().map(tie_number).collect::<Vec<_>>()).collect();
        let lottery = crate::evaluate::tally::lottery_keys(t, &inputs.bids.iter().map(|b| b.id.as_str()).collect::<Vec<_>>());
        let low_values: Vec<Vec<Option<Decimal>>> = (0..n).map(|i| inputs.low_values(i).to_vec()).collect();
        let excluded = crate::evaluate::low::excluded(t, &passed, &low_values);

        let mut unknowns = Vec::new();
        let mut dims = Vec::new();
        let (weights, method) = weight_draw(inputs, options, &units, total_units, &mut unknowns, &mut dims)?;
        let varied = if options.inputs == InputMode::Ranges { varied(inputs, &kernel, &mut unknowns, &mut dims) } else { Vec::new() };
        fix_references(inputs, outcome, &kernel, &varied, &mut cells);
        let committee = match options.marks {
            MarkMode::Fixed => None,
            MarkMode::Bootstrap if !t.criteria.iter().any(|c| c.rule.panel().is_some()) => {
                return Err(Error::NoPanelCriterion { tender: t.id.clone() });
            }
            // A panel criterion no bid has marks on: nothing to resample.
            MarkMode::Bootstrap => match evaluators.filter(|e| *e > 0) {
                None => None,
                Some(e) => {
                    if let Some(criterion) = uneven {
                        return Err(Error::UnevenCommittee { criterion });
                    }
                    let names = inputs.panel.as_ref().and_then(|p| p.evaluators.clone());
                    for index in 0..e {
                        dims.push(Dim::new(DimOf::Evaluator(index), 0, 2, true));
                        unknowns.push(Unknown::Evaluator { index, name: names.as_ref().and_then(|v| v.get(index).cloned()) });
                    }
                    Some((e, mark_cells))
                }
            },
        };
        let words = n.div_ceil(64).max(1);
        let mut published = vec![0u64; words];
        for s in outcome.standings.iter().filter(|s| s.status == BidStatus::Selected) {
            if let Some(i) = inputs.bid_index(&s.bidder) {
                set_bit(&mut published, i);
            }
        }
        let scores = cells
            .iter()
            .map(|c| match c {
                Input::Score(s) => *s,
                _ => 0.0,
            })
            .collect();
        let special = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Input::Number(_) | Input::Marks { .. } | Input::Affine { .. }))
            .map(|(k, _)| (k.checked_div(m).unwrap_or(0), k.checked_rem(m).unwrap_or(0)))
            .collect();
        let mut model = Model {
            inputs,
            outcome,
            kernel,
            n,
            m,
            gates: g,
            cells,
            scores,
            special,
            marks,
            gate_ok,
            passed,
            offered,
            prices,
            terms,
            ties,
            lottery,
            low_moves: !t.abnormally_low.is_empty() && varied.iter().any(|v| !v.low.is_empty() || !v.gates.is_empty()),
            excluded,
            low_values,
            units,
            total_units,
            scale,
            places,
            weights,
            method,
            varied,
            committee,
            dims,
            slots: 0,
            unknowns,
            published,
            words,
            seed: options.seed,
        };
        if let WeightDraw::Declared(set) = &model.weights {
            let sorted = set.sorted;
            let acceptance = model.pilot();
            if acceptance == 0 {
                return Err(Error::WeightsTooNarrow { tried: PILOT });
            }
            model.method = Method::Rejection { acceptance: Rat::ratio(i128::from(acceptance), i128::from(PILOT)), sorted };
        }
        model.place_dims();
        Ok(model)
    }

    fn stats(&self) -> Stats {
        let n = self.n;
        Stats {
            samples: 0,
            ranks: vec![0; n.saturating_mul(n.saturating_add(1))],
            selected: vec![0; n],
            first: vec![0; n.saturating_mul(self.m)],
            pairwise: if n <= PAIRWISE_UP_TO { vec![0; n.saturating_mul(n)] } else { Vec::new() },
            unchanged: 0,
            sets: BTreeMap::new(),
            hist: vec![[0; 2]; self.slots],
        }
    }

    fn buf(&self) -> Buf {
        Buf {
            units: self.units.clone(),
            weights: self.units.iter().map(|u| *u as f64 / self.scale).collect(),
            cells: self.cells.clone(),
            scores: self.scores.clone(),
            marks: self.marks.clone(),
            gate_ok: self.gate_ok.clone(),
            passed: self.passed.clone(),
            offered: self.offered.clone(),
            prices: self.prices.clone(),
            ties: self.ties.clone(),
            low_values: self.low_values.clone(),
            excluded: self.excluded.clone(),
            values: self.varied.iter().map(|v| v.published).collect(),
            picks: Vec::new(),
            bits: vec![0; self.words],
            ranks: Vec::new(),
            hist: vec![[0; 2]; self.slots],
            sets: Vec::new(),
            x: Vec::new(),
            drawn: Vec::new(),
            free_units: Vec::new(),
            work: Work::default(),
        }
    }

    fn rng(&self, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream);
        rng
    }

    /// Draw, evaluate and count the samples of block `block`.
    fn block(&self, block: u64, options: &RobustnessOptions, stats: &mut Stats) {
        let start = block.saturating_mul(BLOCK);
        let len = options.samples.saturating_sub(start).min(BLOCK);
        let mut rng = self.rng(block);
        let mut buf = self.buf();
        for t in 0..len {
            if !self.draw(&mut rng, &mut buf, true) {
                continue;
            }
            self.evaluate(&mut buf);
            self.record(&mut buf, start.saturating_add(t), stats);
        }
        Model::flush(&mut buf, stats);
    }

    /// Draw one sample into `buf` (weights too, when `weights`). False when rejection gave up.
    fn draw(&self, rng: &mut ChaCha8Rng, buf: &mut Buf, weights: bool) -> bool {
        if weights && !self.draw_weights(rng, buf) {
            return false;
        }
        for (v, var) in self.varied.iter().enumerate() {
            let value = match &var.draw {
                Draw::Grid { lo, hi, .. } | Draw::Days { lo, hi } => uniform_int(rng, *lo, *hi),
                Draw::Pick { values, .. } => uniform_int(rng, 0, i64::try_from(values.len()).unwrap_or(1).saturating_sub(1)),
            };
            if let Some(slot) = buf.values.get_mut(v) {
                *slot = value;
            }
            self.apply(var, value, buf);
        }
        if let Some((e, _)) = &self.committee {
            buf.picks.clear();
            let last = i64::try_from(*e).unwrap_or(1).saturating_sub(1);
            buf.picks.extend((0..*e).map(|_| usize::try_from(uniform_int(rng, 0, last)).unwrap_or(0)));
            self.resample(buf);
        }
        true
    }

    /// Every panel cell's marks as the evaluators in `buf.picks` gave them.
    fn resample(&self, buf: &mut Buf) {
        let Some((_, cells)) = &self.committee else { return };
        for &start in cells {
            for (t, &p) in buf.picks.iter().enumerate() {
                let from = self.marks.get(start.saturating_add(p)).copied().unwrap_or(0.0);
                if let Some(slot) = buf.marks.get_mut(start.saturating_add(t)) {
                    *slot = from;
                }
            }
        }
    }

    /// Put the drawn `value` of `var` into the sample's cells, gates and offers.
    fn apply(&self, var: &Varied, value: i64, buf: &mut Buf) {
        let t = &self.inputs.tender;
        let i = var.bid;
        let at = |j: usize| i.saturating_mul(self.m).saturating_add(j);
        let scalar = match &var.draw {
            Draw::Grid { places, per, .. } => {
                let x = value as f64 * per;
                for &j in &var.criteria {
                    let fast = self.kernel.fast().get(j);
                    match fast.and_then(|f| if f.independent() { f.score_of(x) } else { None }) {
                        Some(s) => put_score(buf, at(j), s),
                        None => {
                            if let Some(slot) = buf.cells.get_mut(at(j)) {
                                *slot = Input::Number(x);
                            }
                        }
                    }
                }
                if var.award
                    && let Some(slot) = buf.offered.get_mut(i)
                {
                    *slot = u64::try_from(value).unwrap_or(0);
                }
                if var.price
                    && let Some(slot) = buf.prices.get_mut(i)
                {
                    *slot = Some(Decimal::new(value, *places));
                }
                let steps = t.tie_break.len();
                for &k in &var.ties {
                    if let Some(slot) = buf.ties.get_mut(i.saturating_mul(steps).saturating_add(k)) {
                        *slot = tie_number(&Some(Scalar::Number(Decimal::new(value, *places))));
                    }
                }
                for &k in &var.low {
                    if let Some(slot) = buf.low_values.get_mut(i).and_then(|v| v.get_mut(k)) {
                        *slot = Some(Decimal::new(value, *places));
                    }
                }
                (!var.gates.is_empty()).then(|| Scalar::Number(Decimal::new(value, *places)))
            }
            Draw::Days { .. } => {
                for &j in &var.criteria {
                    let s = self.kernel.fast().get(j).and_then(|f| f.score_of(value as f64)).unwrap_or(0.0);
                    put_score(buf, at(j), s);
                }
                let steps = t.tie_break.len();
                for &k in &var.ties {
                    if let Some(slot) = buf.ties.get_mut(i.saturating_mul(steps).saturating_add(k)) {
                        *slot = value as f64;
                    }
                }
                if var.gates.is_empty() { None } else { Date::from_days(value).map(Scalar::Date) }
            }
            Draw::Pick { cells, gates, offered, prices, values } => {
                let k = usize::try_from(value).unwrap_or(0);
                for (&j, cell) in var.criteria.iter().zip(cells.get(k).into_iter().flatten()) {
                    match cell {
                        Input::Score(s) => put_score(buf, at(j), *s),
                        other => {
                            if let Some(slot) = buf.cells.get_mut(at(j)) {
                                *slot = *other;
                            }
                        }
                    }
                }
                for (&gi, ok) in var.gates.iter().zip(gates.get(k).into_iter().flatten()) {
                    if let Some(slot) = buf.gate_ok.get_mut(i.saturating_mul(self.gates).saturating_add(gi)) {
                        *slot = *ok;
                    }
                }
                if let (true, Some(Some(o)), Some(slot)) = (var.award, offered.get(k), buf.offered.get_mut(i)) {
                    *slot = *o;
                }
                if let (true, Some(Some(p)), Some(slot)) = (var.price, prices.get(k), buf.prices.get_mut(i)) {
                    *slot = Some(*p);
                }
                for &c in &var.low {
                    if let (Some(Scalar::Number(x)), Some(slot)) = (values.get(k), buf.low_values.get_mut(i).and_then(|v| v.get_mut(c))) {
                        *slot = Some(*x);
                    }
                }
                let steps = t.tie_break.len();
                for &step in &var.ties {
                    if let (Some(v), Some(slot)) = (values.get(k), buf.ties.get_mut(i.saturating_mul(steps).saturating_add(step))) {
                        *slot = tie_number(&Some(v.clone()));
                    }
                }
                None
            }
        };
        if let Some(s) = scalar {
            for &gi in &var.gates {
                let ok = t.gates.get(gi).is_some_and(|gate| gate.require.accepts(&s));
                if let Some(slot) = buf.gate_ok.get_mut(i.saturating_mul(self.gates).saturating_add(gi)) {
                    *slot = ok;
                }
            }
        }
        if !var.gates.is_empty() {
            let g = self.gates;
            let all = buf.gate_ok.get(i.saturating_mul(g)..i.saturating_mul(g).saturating_add(g)).is_some_and(|s| s.iter().all(|x| *x));
            if let Some(slot) = buf.passed.get_mut(i) {
                *slot = all;
            }
        }
    }

    fn draw_weights(&self, rng: &mut ChaCha8Rng, buf: &mut Buf) -> bool {
        let m = self.m;
        match &self.weights {
            WeightDraw::Fixed => return true,
            WeightDraw::Uniform => {
                buf.x.clear();
                buf.x.extend((0..m).map(|_| -open01(rng).ln()));
                let sum: f64 = buf.x.iter().sum();
                let total = self.total_units as f64;
                for x in &mut buf.x {
                    *x = *x / sum * total;
                }
                onto_grid(&buf.x, self.total_units, &mut buf.units);
            }
            WeightDraw::Around { published, p } => {
                buf.x.clear();
                buf.x.extend(published.iter().map(|w| w * (1.0 + p * (2.0 * open01(rng) - 1.0))));
                let sum: f64 = buf.x.iter().sum();
                let total = self.total_units as f64;
                for x in &mut buf.x {
                    *x = if sum > 0.0 { *x / sum * total } else { 0.0 };
                }
                onto_grid(&buf.x, self.total_units, &mut buf.units);
            }
            WeightDraw::Declared(set) => {
                buf.free_units.resize(set.free.len(), 0);
                let mut accepted = false;
                for _ in 0..MAX_REJECTIONS {
                    if set.attempt(rng, &mut buf.x, &mut buf.drawn, &mut buf.free_units) {
                        accepted = true;
                        break;
                    }
                }
                if !accepted {
                    return false;
                }
                for (j, f) in set.fixed.iter().enumerate() {
                    if let (Some(v), Some(slot)) = (f, buf.units.get_mut(j)) {
                        *slot = *v;
                    }
                }
                for (&j, u) in set.free.iter().zip(&buf.free_units) {
                    if let Some(slot) = buf.units.get_mut(j) {
                        *slot = *u;
                    }
                }
            }
        }
        for (w, u) in buf.weights.iter_mut().zip(&buf.units) {
            *w = *u as f64 / self.scale;
        }
        true
    }

    /// The share of [`PILOT`] draws of the declared set that rejection accepts at once.
    fn pilot(&self) -> u32 {
        let WeightDraw::Declared(set) = &self.weights else { return PILOT };
        let mut rng = self.rng(u64::MAX);
        let (mut x, mut drawn, mut units) = (Vec::new(), Vec::new(), vec![0i64; set.free.len()]);
        let hits = (0..PILOT).filter(|_| set.attempt(&mut rng, &mut x, &mut drawn, &mut units)).count();
        u32::try_from(hits).unwrap_or(PILOT)
    }

    fn evaluate(&self, buf: &mut Buf) {
        if self.low_moves {
            let t = &self.inputs.tender;
            buf.excluded = crate::evaluate::low::excluded(t, &buf.passed, &buf.low_values);
        }
        let case = Case {
            weights: &buf.weights,
            scores: &buf.scores,
            special: &self.special,
            cells: &buf.cells,
            marks: &buf.marks,
            passed: &buf.passed,
            offered: &buf.offered,
            prices: &buf.prices,
            terms: self.terms.as_deref(),
            ties: &buf.ties,
            lottery: &self.lottery,
            excluded: &buf.excluded,
        };
        self.kernel.run(&case, &mut buf.work);
    }

    fn record(&self, buf: &mut Buf, sample: u64, stats: &mut Stats) {
        let (n, m) = (self.n, self.m);
        let mut bits = std::mem::take(&mut buf.bits);
        bits.iter_mut().for_each(|b| *b = 0);
        let w = &buf.work;
        stats.samples = stats.samples.saturating_add(1);
        for i in 0..n {
            let r = w.rank(i) as usize;
            let slot = i.saturating_mul(n.saturating_add(1)).saturating_add(if r == 0 { n } else { r.saturating_sub(1) });
            if let Some(c) = stats.ranks.get_mut(slot) {
                *c = c.saturating_add(1);
            }
            if w.status(i) == BidStatus::Selected {
                set_bit(&mut bits, i);
                if let Some(c) = stats.selected.get_mut(i) {
                    *c = c.saturating_add(1);
                }
            }
            if r == 1 {
                for (j, u) in buf.units.iter().enumerate().take(m) {
                    if let Some(c) = stats.first.get_mut(i.saturating_mul(m).saturating_add(j)) {
                        *c = c.saturating_add(u128::try_from(*u).unwrap_or(0));
                    }
                }
            }
        }
        if !stats.pairwise.is_empty() {
            // Unranked counts as last: `i` is ahead of `k` when its rank is strictly better.
            buf.ranks.clear();
            buf.ranks.extend((0..n).map(|i| match w.rank(i) {
                0 => u32::MAX,
                r => r,
            }));
            for (row, &ri) in stats.pairwise.chunks_exact_mut(n.max(1)).zip(&buf.ranks) {
                for (c, &rk) in row.iter_mut().zip(&buf.ranks) {
                    *c = c.wrapping_add(u64::from(ri < rk));
                }
            }
        }
        let unchanged = bits == self.published;
        if unchanged {
            stats.unchanged = stats.unchanged.saturating_add(1);
        }
        for dim in &self.dims {
            let value = self.dim_value(dim, buf);
            let k = if dim.levels { usize::try_from(value.saturating_sub(dim.lo)).unwrap_or(0) } else { 0 };
            // A half: counted only below the split (the high half is the rest).
            let counted = dim.levels || value < dim.split;
            if let Some(h) = buf.hist.get_mut(dim.slot.saturating_add(k)) {
                h[0] = h[0].wrapping_add(u16::from(counted));
                h[1] = h[1].wrapping_add(u16::from(counted && unchanged));
            }
        }
        let margin = self.kernel.margin(w);
        // A block gives few winner sets: a short list, searched from the last one found.
        let local = buf.sets.len();
        match buf.sets.iter_mut().rev().find(|(k, _)| *k == bits) {
            Some((_, s)) => {
                s.count = s.count.saturating_add(1);
                if margin > s.margin {
                    s.margin = margin;
                    s.sample = sample;
                }
            }
            None if local < LOCAL_SETS => buf.sets.push((bits.clone(), SetStat { count: 1, margin, sample })),
            None => merge_set(&mut stats.sets, bits.clone(), SetStat { count: 1, margin, sample }),
        }
        buf.bits = bits;
    }

    /// The value of an unknown in the sample in `buf`.
    fn dim_value(&self, dim: &Dim, buf: &Buf) -> i64 {
        match dim.of {
            DimOf::Weight(j) => buf.units.get(j).copied().unwrap_or(0),
            DimOf::Input(v) => buf.values.get(v).copied().unwrap_or(0),
            DimOf::Evaluator(e) => i64::from(buf.picks.contains(&e)),
        }
    }

    /// Each continuous unknown's median over a pilot draw (its own stream), where its low
    /// half ends; and each dimension's first counter.
    fn place_dims(&mut self) {
        let mut rng = self.rng(u64::MAX.saturating_sub(1));
        let mut buf = self.buf();
        let mut seen: Vec<Vec<i64>> = vec![Vec::new(); self.dims.len()];
        if self.dims.iter().any(|d| !d.levels && matches!(d.of, DimOf::Weight(_))) {
            for _ in 0..PILOT_MEDIAN {
                if !self.draw(&mut rng, &mut buf, true) {
                    continue;
                }
                for (d, dim) in self.dims.iter().enumerate() {
                    if let Some(v) = seen.get_mut(d) {
                        v.push(self.dim_value(dim, &buf));
                    }
                }
            }
        }
        let mut slot = 0usize;
        for (dim, mut values) in self.dims.iter_mut().zip(seen) {
            if !dim.levels {
                dim.split = match dim.of {
                    // Drawn uniformly: the median is the middle of the range.
                    DimOf::Input(_) => dim.lo.saturating_add(dim.span / 2),
                    _ => {
                        values.sort_unstable();
                        // The upper median: "below" holds at most half the values.
                        values.get(values.len() / 2).copied().unwrap_or(dim.lo)
                    }
                };
            }
            dim.slot = slot;
            slot = slot.saturating_add(dim.slots());
        }
        self.slots = slot;
    }

    /// Add a block's histogram and winner sets to the totals.
    fn flush(buf: &mut Buf, stats: &mut Stats) {
        for (a, b) in stats.hist.iter_mut().zip(&buf.hist) {
            a[0] = a[0].saturating_add(u32::from(b[0]));
            a[1] = a[1].saturating_add(u32::from(b[1]));
        }
        buf.hist.iter_mut().for_each(|h| *h = [0; 2]);
        for (k, v) in buf.sets.drain(..) {
            merge_set(&mut stats.sets, k, v);
        }
    }

    /// Draw sample `sample` again, as the run drew it.
    fn redraw(&self, sample: u64) -> Buf {
        let block = sample / BLOCK;
        let mut rng = self.rng(block);
        let mut buf = self.buf();
        for _ in 0..=(sample % BLOCK) {
            self.draw(&mut rng, &mut buf, true);
        }
        buf
    }

    /// The sample in `buf` as values files could state.
    fn witness(&self, buf: &Buf, sample: u64) -> Witness {
        let t = &self.inputs.tender;
        let points = if matches!(self.weights, WeightDraw::Fixed) {
            Vec::new()
        } else {
            t.criteria
                .iter()
                .zip(buf.units.iter().zip(&self.units))
                .filter(|(_, (u, p))| u != p)
                .map(|(c, (u, _))| (c.id.clone(), Decimal::new(*u, self.places)))
                .collect()
        };
        let values = self
            .varied
            .iter()
            .zip(&buf.values)
            .filter(|(v, x)| v.published != **x)
            .filter_map(|(v, x)| {
                let bidder = self.inputs.bids.get(v.bid)?.id.to_string();
                Some((bidder, v.field.clone(), drawn_scalar(&v.draw, *x)?))
            })
            .collect();
        Witness { points, values, committee: self.committee.as_ref().map(|_| buf.picks.clone()), sample }
    }

    fn bidders(&self, bits: &[u64]) -> Vec<String> {
        (0..self.n).filter(|&i| bit(bits, i)).filter_map(|i| self.inputs.bids.get(i).map(|b| b.id.to_string())).collect()
    }

    fn answer(&self, stats: Stats, options: &RobustnessOptions) -> Robustness {
        let (n, m) = (self.n, self.m);
        let t = &self.inputs.tender;
        let samples = stats.samples;
        let order: Vec<usize> = self.outcome.standings.iter().filter_map(|s| self.inputs.bid_index(&s.bidder)).collect();
        let central: Vec<Option<Vec<Rat>>> = (0..n)
            .map(|i| {
                let count = stats.ranks.get(i.saturating_mul(n.saturating_add(1))).copied().unwrap_or(0);
                (count > 0).then(|| {
                    let den = i128::from(count).saturating_mul(i128::from(self.total_units));
                    (0..m)
                        .map(|j| {
                            let s = stats.first.get(i.saturating_mul(m).saturating_add(j)).copied().unwrap_or(0);
                            Rat::ratio(i128::try_from(s).unwrap_or(i128::MAX), den)
                        })
                        .collect()
                })
            })
            .collect();
        // The confidence runs together draw at most half as many samples as the run itself
        // (each at most CONFIDENCE_SAMPLES): the work stays bounded by the samples asked.
        let with_central = central.iter().filter(|c| c.is_some()).count().max(1) as u64;
        let trials = CONFIDENCE_SAMPLES.min((samples / 2).checked_div(with_central).unwrap_or(1).max(1));
        let confidence: Vec<Option<(u64, u64)>> =
            (0..n).into_par_iter().map(|i| central.get(i).and_then(Option::as_ref).map(|c| self.confidence(i, c, trials))).collect();
        let bids = order
            .iter()
            .map(|&i| {
                let row = stats
                    .ranks
                    .get(i.saturating_mul(n.saturating_add(1))..i.saturating_mul(n.saturating_add(1)).saturating_add(n.saturating_add(1)));
                let row = row.unwrap_or_default();
                let selected = stats.selected.get(i).copied().unwrap_or(0);
                Odds {
                    bidder: self.inputs.bids.get(i).map(|b| b.id.clone()).unwrap_or_default().to_string(),
                    ranks: row.get(..n).map(<[u64]>::to_vec).unwrap_or_default(),
                    unranked: row.get(n).copied().unwrap_or(0),
                    selected,
                    interval_95: wilson(selected, samples),
                    central_weights: central.get(i).cloned().flatten(),
                    confidence: confidence.get(i).copied().flatten(),
                    published: self
                        .outcome
                        .standing(self.inputs.bids.get(i).map_or("", |b| b.id.as_str()))
                        .map_or(BidStatus::Disqualified, |s| s.status),
                }
            })
            .collect();
        let pairwise = (!stats.pairwise.is_empty()).then(|| {
            order
                .iter()
                .map(|&i| order.iter().map(|&k| stats.pairwise.get(i.saturating_mul(n).saturating_add(k)).copied().unwrap_or(0)).collect())
                .collect()
        });
        let mut sets: Vec<(&Vec<u64>, &SetStat)> = stats.sets.iter().collect();
        sets.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        let winner_sets =
            sets.iter().take(SETS_SHOWN).map(|(bits, s)| WinnerSet { winners: self.bidders(bits), samples: s.count }).collect();
        let published = Published::from_outcome(self.inputs, self.outcome);
        let certified = sets
            .iter()
            .filter(|(bits, _)| **bits != self.published)
            .take(options.certify)
            .map(|(bits, s)| self.certify(&published, bits, s))
            .collect();
        let influence = self.influence(&stats);
        let (rank_reversal, audited) = self.reversal(&published, options.audit);
        Robustness {
            tender: t.id.clone(),
            options: options.clone(),
            method: self.method.clone(),
            samples,
            criteria: t.criteria.iter().map(|c| c.id.clone()).collect(),
            unknowns: self.unknowns.clone(),
            bids,
            published_winners: self.outcome.winners().into_iter().map(str::to_owned).collect(),
            unchanged: stats.unchanged,
            pairwise,
            winner_sets,
            distinct_sets: stats.sets.len(),
            influence,
            certified,
            rank_reversal,
            audited,
        }
    }

    /// How often bid `i` ranks first with the weights at `central` (onto the grid), the rest
    /// varying, in `trials` draws: once when nothing else varies.
    fn confidence(&self, i: usize, central: &[Rat], trials: u64) -> (u64, u64) {
        let mut buf = self.buf();
        let x: Vec<f64> = central.iter().map(|c| rat_f64(c) * self.total_units as f64).collect();
        let mut units = vec![0i64; self.m];
        onto_grid(&x, self.total_units, &mut units);
        for (w, u) in buf.weights.iter_mut().zip(&units) {
            *w = *u as f64 / self.scale;
        }
        buf.units = units;
        let trials = if self.varied.is_empty() && self.committee.is_none() { 1 } else { trials };
        let mut rng = self.rng((1u64 << 40).saturating_add(i as u64));
        let mut hits = 0u64;
        for _ in 0..trials {
            self.draw(&mut rng, &mut buf, false);
            self.evaluate(&mut buf);
            if buf.work.rank(i) == 1 {
                hits = hits.saturating_add(1);
            }
        }
        (hits, trials)
    }

    fn certify(&self, published: &Published<'_>, bits: &[u64], s: &SetStat) -> Flip {
        let buf = self.redraw(s.sample);
        let witness = self.witness(&buf, s.sample);
        let set = WinnerSet { winners: self.bidders(bits), samples: s.count };
        let mut scenario = Scenario::new();
        for (c, p) in &witness.points {
            scenario = scenario.with_points(c, *p);
        }
        for (b, f, v) in &witness.values {
            scenario = scenario.set(b, f, v.clone());
        }
        if let Some(c) = &witness.committee {
            scenario = scenario.with_committee(c.clone());
        }
        match scenario.evaluate(published) {
            Ok(ranking) => {
                let winners: Vec<String> = ranking.winners().into_iter().map(str::to_owned).collect();
                let mut sorted = winners.clone();
                sorted.sort();
                Flip { confirmed: sorted == set.winners, set, witness, exact_winners: Some(winners), refused: None }
            }
            Err(e) => Flip { set, witness, exact_winners: None, confirmed: false, refused: Some(e.to_string()) },
        }
    }

    fn influence(&self, stats: &Stats) -> Vec<Influence> {
        let mut out = Vec::new();
        let counter = |k: usize| stats.hist.get(k).map_or([0, 0], |x| [u64::from(x[0]), u64::from(x[1])]);
        for (d, dim) in self.dims.iter().enumerate() {
            let mut levels = Vec::new();
            if dim.levels {
                for b in 0..dim.slots() {
                    let [samples, unchanged] = counter(dim.slot.saturating_add(b));
                    if samples == 0 {
                        continue;
                    }
                    let value = dim.lo.saturating_add(i64::try_from(b).unwrap_or(0));
                    let at = match dim.of {
                        DimOf::Evaluator(_) => {
                            if value == 0 {
                                LevelAt::Absent
                            } else {
                                LevelAt::Present
                            }
                        }
                        _ => match self.value_at(dim, value) {
                            Some(v) => LevelAt::Is(v),
                            None => continue,
                        },
                    };
                    levels.push(Level { at, samples, unchanged });
                }
            } else {
                let [ls, lu] = counter(dim.slot);
                let (hs, hu) = (stats.samples.saturating_sub(ls), stats.unchanged.saturating_sub(lu));
                if ls > 0
                    && hs > 0
                    && let Some(split) = self.value_at(dim, dim.split)
                {
                    levels.push(Level { at: LevelAt::Below(split.clone()), samples: ls, unchanged: lu });
                    levels.push(Level { at: LevelAt::From(split), samples: hs, unchanged: hu });
                }
            }
            if levels.len() < 2 {
                continue;
            }
            let p = |l: &Level| Rat::ratio(i128::from(l.unchanged), i128::from(l.samples.max(1)));
            let swing = if dim.levels {
                let ps: Vec<Rat> = levels.iter().map(p).collect();
                let max = ps.iter().cloned().reduce(Rat::max).unwrap_or_else(Rat::zero);
                let min = ps.iter().cloned().reduce(Rat::min).unwrap_or_else(Rat::zero);
                max.sub(&min)
            } else {
                match levels.as_slice() {
                    [a, b] => p(b).sub(&p(a)),
                    _ => Rat::zero(),
                }
            };
            // Dimensions and unknowns are pushed together: the same index.
            out.push(Influence { unknown: d, levels, swing });
        }
        out.sort_by(|a, b| b.swing.abs().cmp(&a.swing.abs()).then(a.unknown.cmp(&b.unknown)));
        out
    }

    /// The value a dimension's raw number stands for.
    fn value_at(&self, dim: &Dim, raw: i64) -> Option<Scalar> {
        match dim.of {
            DimOf::Weight(_) => Some(Scalar::Number(Decimal::new(raw, self.places).normalize())),
            DimOf::Input(v) => drawn_scalar(&self.varied.get(v)?.draw, raw),
            DimOf::Evaluator(_) => None,
        }
    }

    /// Withdraw each bid, and add a copy of each, for the first `audit` bids in report order.
    fn reversal(&self, published: &Published<'_>, audit: usize) -> (Vec<Reversal>, usize) {
        let before: Vec<String> = self.outcome.winners().into_iter().map(str::to_owned).collect();
        let order: Vec<&str> = self.outcome.standings.iter().map(|s| s.bidder.as_str()).collect();
        let audited: Vec<&str> = order.iter().copied().take(audit).collect();
        let mut out = Vec::new();
        for &b in &audited {
            let wins = before.iter().any(|w| w == b);
            if self.n > 1
                && let Ok(r) = Scenario::new().withdraw(b).evaluate(published)
            {
                let winners: Vec<String> = r.winners().into_iter().map(str::to_owned).collect();
                let after: Vec<&str> = r.bids.iter().map(|x| x.bidder.as_str()).collect();
                let reversed = reversed_pairs(&order, &after, &[b]);
                out.push(Reversal { bidder: b.to_owned(), test: ReversalTest::Withdrawn, wins, copy: None, winners, reversed });
            }
            if let Some((copy, outcome)) = self.with_copy(b) {
                let winners: Vec<String> = outcome.winners().into_iter().map(str::to_owned).collect();
                let after: Vec<&str> = outcome.standings.iter().map(|x| x.bidder.as_str()).collect();
                let reversed = reversed_pairs(&order, &after, &[b, copy.as_str()]);
                out.push(Reversal { bidder: b.to_owned(), test: ReversalTest::Copied, wins, copy: Some(copy), winners, reversed });
            }
        }
        (out, audited.len())
    }

    /// The outcome with an identical copy of bid `bidder` added, through the files.
    fn with_copy(&self, bidder: &str) -> Option<(String, Outcome)> {
        let inputs = self.inputs;
        let b = inputs.bids.iter().find(|x| x.id == bidder)?;
        let mut copy_id = format!("{bidder}-copy");
        let mut k = 2u32;
        while inputs.bid_index(&copy_id).is_some() {
            copy_id = format!("{bidder}-copy-{k}");
            k = k.saturating_add(1);
        }
        let mut copy = b.clone();
        copy.id = Str::from(&copy_id);
        copy.name = format!("{} (copy)", b.name).into();
        let mut sources = inputs.sources.clone();
        let mut changed = vec![sources.len()];
        sources.push(SourceFile::new(format!("{copy_id}.toml (copy of {bidder})"), copy.to_toml()));
        if let Some(p) = &inputs.panel {
            let mut panel = p.clone();
            for marks in panel.marks.values_mut() {
                if let Some(m) = marks.get(bidder).cloned() {
                    marks.insert(copy_id.clone(), m);
                }
            }
            let file = p.span.file();
            if let Some(s) = sources.get_mut(file) {
                *s = SourceFile::new(s.path.clone(), panel.to_toml());
                changed.push(file);
            }
        }
        let reuse = crate::model::Reuse { prior: inputs, changed: &changed };
        let with = crate::model::load_sources_reusing(sources, &reuse).ok()?;
        let outcome = evaluate(&with);
        Some((copy_id, outcome))
    }
}

/// Pairs of bids (other than `skip`) in report order `before` that `after` lists the other
/// way round: rank reversals.
fn reversed_pairs(before: &[&str], after: &[&str], skip: &[&str]) -> Vec<(String, String)> {
    let kept: Vec<&str> = before.iter().copied().filter(|b| !skip.contains(b)).collect();
    // Each bid's place after, looked up once (not a search per pair).
    let place: BTreeMap<&str, usize> = after.iter().enumerate().map(|(k, a)| (*a, k)).collect();
    let pos = |id: &str| place.get(id).copied();
    let mut out = Vec::new();
    for (x, a) in kept.iter().enumerate() {
        for b in kept.iter().skip(x.saturating_add(1)) {
            if let (Some(pa), Some(pb)) = (pos(a), pos(b))
                && pb < pa
            {
                out.push(((*a).to_owned(), (*b).to_owned()));
            }
        }
    }
    out
}

/// A known score into the sample. A cell's kind never changes between samples (a score
/// stays a score), and the tally reads a score cell from `scores` only.
fn put_score(buf: &mut Buf, at: usize, s: f64) {
    if let Some(slot) = buf.scores.get_mut(at) {
        *slot = s;
    }
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

fn rat_f64(r: &Rat) -> f64 {
    r.round(12, crate::exact::RoundingMode::HalfEven).and_then(|d| d.to_f64()).unwrap_or(0.0)
}

/// Wilson's score interval at 95 % for `k` of `n`, to 4 places, rounded outward.
fn wilson(k: u64, n: u64) -> (Decimal, Decimal) {
    if n == 0 {
        return (Decimal::ZERO, Decimal::ONE);
    }
    let (k, n) = (k as f64, n as f64);
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    // Rounded outward, so the printed interval still holds the one computed (0 of 100,000
    // is 0.0000–0.0001, not 0.0000–0.0000).
    let d = |x: f64, strategy: rust_decimal::RoundingStrategy| {
        let mut v = Decimal::from_f64(x.clamp(0.0, 1.0)).unwrap_or(Decimal::ZERO).round_dp_with_strategy(4, strategy);
        v.rescale(4);
        v
    };
    (
        d(centre - half, rust_decimal::RoundingStrategy::ToNegativeInfinity),
        d(centre + half, rust_decimal::RoundingStrategy::ToPositiveInfinity),
    )
}

/// The value a drawn number stands for.
fn drawn_scalar(draw: &Draw, raw: i64) -> Option<Scalar> {
    match draw {
        Draw::Grid { places, .. } => Some(Scalar::Number(Decimal::new(raw, *places).normalize())),
        Draw::Days { .. } => Date::from_days(raw).map(Scalar::Date),
        Draw::Pick { values, .. } => values.get(usize::try_from(raw).ok()?).cloned(),
    }
}

/// A criterion scored against the best value of the other bids keeps the published
/// reference in every sample when no value in its column varies, no gate's verdict can
/// change and it is not taken among the qualified (whose set moves with the weights). Each
/// of its cells is then fixed: a score (`relative`: points proportional to the weight) or
/// affine in the weight (`kr-price`: its band bonus is in points), its divisions done once.
fn fix_references(inputs: &Inputs, outcome: &Outcome, kernel: &Kernel<'_>, varied: &[Varied], cells: &mut [Input]) {
    let t = &inputs.tender;
    let m = t.criteria.len();
    let gates_vary = varied.iter().any(|v| !v.gates.is_empty());
    for (j, c) in t.criteria.iter().enumerate() {
        let Some(r) = c.rule.reference() else { continue };
        let column_varies = varied.iter().any(|v| v.criteria.contains(&j));
        let Some(fast) = kernel.fast().get(j) else { continue };
        if column_varies || gates_vary || r.among == crate::rules::Among::Qualified {
            continue;
        }
        let reference = outcome.references.get(j).copied().flatten();
        for i in 0..inputs.bids.len() {
            let at = i.saturating_mul(m).saturating_add(j);
            let Some(slot) = cells.get_mut(at) else { continue };
            let Input::Number(x) = *slot else { continue };
            *slot = match fast {
                // A relative score exactly, as the published evaluation took it.
                Fast::Relative { .. } => match inputs.given(i, j) {
                    Some(given) => {
                        let w = Rat::from_decimal(c.points);
                        Input::Score(rat_f64(&scored(c, &w, Some(given), reference.map(Rat::from_decimal).as_ref()).score))
                    }
                    None => Input::Missing,
                },
                other => other.fixed(x, reference.map(f64_of)).unwrap_or(Input::Number(x)),
            };
        }
    }
}

/// A published value as a sampling cell.
fn cell_of(fast: &Fast, c: &crate::model::Criterion, given: &Given, v: &Scalar) -> Input {
    match v {
        Scalar::Number(x) if !fast.independent() => Input::Number(f64_of(*x)),
        _ => {
            let w = Rat::from_decimal(c.points);
            Input::Score(rat_f64(&scored(c, &w, Some(given), None).score))
        }
    }
}

/// How the weights vary, with their unknowns and influence dimensions.
fn weight_draw(
    inputs: &Inputs,
    options: &RobustnessOptions,
    units: &[i64],
    total: i64,
    unknowns: &mut Vec<Unknown>,
    dims: &mut Vec<Dim>,
) -> Result<(WeightDraw, Method), Error> {
    let t = &inputs.tender;
    let places = t.rounding.places;
    let mut weight_dim = |j: usize, lo: i64, hi: i64, unknowns: &mut Vec<Unknown>| {
        let span = hi.saturating_sub(lo).saturating_add(1);
        dims.push(Dim::new(DimOf::Weight(j), lo, span, false));
        unknowns.push(Unknown::Weight {
            criterion: t.criteria.get(j).map(|c| c.id.clone()).unwrap_or_default(),
            low: Decimal::new(lo, places).normalize(),
            high: Decimal::new(hi, places).normalize(),
        });
    };
    match &options.weights {
        WeightMode::Published => Ok((WeightDraw::Fixed, Method::Fixed)),
        WeightMode::Uniform => {
            for j in 0..units.len() {
                weight_dim(j, 0, total, unknowns);
            }
            Ok((WeightDraw::Uniform, Method::Simplex))
        }
        WeightMode::Around(pct) => {
            let p = f64_of(*pct) / 100.0;
            let published: Vec<f64> = units.iter().map(|u| *u as f64).collect();
            let sum: f64 = published.iter().sum();
            for (j, w) in published.iter().enumerate() {
                if *w <= 0.0 {
                    continue;
                }
                // Lowest: this one low, every other high; highest: the reverse.
                let rest = sum - w;
                let lo = total as f64 * w * (1.0 - p) / (w * (1.0 - p) + rest * (1.0 + p));
                let hi = total as f64 * w * (1.0 + p) / (w * (1.0 + p) + rest * (1.0 - p));
                weight_dim(j, lo.floor() as i64, (hi.ceil() as i64).min(total), unknowns);
            }
            Ok((WeightDraw::Around { published, p }, Method::Around))
        }
        WeightMode::Declared => {
            let ranged = t.criteria.iter().any(|c| c.points_range.is_some());
            if !ranged && t.weight_order.is_empty() {
                return Err(Error::NothingDeclared { tender: t.id.clone() });
            }
            let in_order = |id: &str| t.weight_order.iter().position(|o| o == id);
            let mut fixed = vec![None; units.len()];
            let mut free = Vec::new();
            let (mut lo, mut hi) = (Vec::new(), Vec::new());
            for (j, c) in t.criteria.iter().enumerate() {
                let range = c.points_range.and_then(|(l, h)| Some((to_grid_int(l, places)?, to_grid_int(h, places)?)));
                if range.is_none() && in_order(&c.id).is_none() {
                    if let Some(slot) = fixed.get_mut(j) {
                        *slot = units.get(j).copied();
                    }
                    continue;
                }
                free.push(j);
                let (l, h) = range.unwrap_or((0, total));
                lo.push(l);
                hi.push(h);
            }
            let fixed_sum = fixed.iter().flatten().fold(0i64, |a, u| a.saturating_add(*u));
            let room = total.saturating_sub(fixed_sum);
            let mut order: Vec<(usize, usize)> =
                free.iter().enumerate().filter_map(|(k, &j)| t.criteria.get(j).and_then(|c| in_order(&c.id)).map(|pos| (pos, k))).collect();
            order.sort_unstable();
            let order: Vec<usize> = order.into_iter().map(|(_, k)| k).collect();
            let sorted = order.len() == free.len() && lo.windows(2).all(|w| matches!(w, [a, b] if a == b));
            for (k, &j) in free.iter().enumerate() {
                let l = lo.get(k).copied().unwrap_or(0);
                let h = hi.get(k).copied().unwrap_or(room).min(room);
                weight_dim(j, l, h, unknowns);
            }
            let method = Method::Rejection { acceptance: Rat::zero(), sorted };
            Ok((WeightDraw::Declared(Declared { fixed, free, lo, hi, order, sorted, total: room }), method))
        }
    }
}

/// The assumed values with a range or alternatives that a rule, gate or the award reads.
fn varied(inputs: &Inputs, kernel: &Kernel<'_>, unknowns: &mut Vec<Unknown>, dims: &mut Vec<Dim>) -> Vec<Varied> {
    let t = &inputs.tender;
    let read = t.read_fields();
    let mut out = Vec::new();
    for (i, b) in inputs.bids.iter().enumerate() {
        for (field, p) in &b.provenance {
            if p.status != Status::Assumed || read.binary_search_by(|r| r.as_str().cmp(field)).is_err() {
                continue;
            }
            let Some(path) = FieldPath::parse(field) else { continue };
            let criteria: Vec<usize> =
                t.criteria.iter().enumerate().filter(|(_, c)| c.field.as_ref() == Some(&path)).map(|(j, _)| j).collect();
            let gates: Vec<usize> = t.gates.iter().enumerate().filter(|(_, g)| g.field == path).map(|(k, _)| k).collect();
            let award = t.award.quantity.as_ref().is_some_and(|q| q.field == path);
            let price = t.award.budget.as_ref().is_some_and(|b| b.unit_price == path);
            let ties: Vec<usize> = t
                .tie_break
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, crate::model::TieBreak::Value { field, .. } if *field == path))
                .map(|(k, _)| k)
                .collect();
            let low: Vec<usize> = t.abnormally_low.iter().enumerate().filter(|(_, c)| c.field == path).map(|(k, _)| k).collect();
            let value = current(inputs, i, &criteria, &gates)
                .or_else(|| award.then(|| inputs.offered(i).map(|o| Scalar::Number(Decimal::from(o)))).flatten())
                .or_else(|| price.then(|| inputs.unit_price(i).map(Scalar::Number)).flatten())
                .or_else(|| ties.first().and_then(|&k| inputs.tie_values(i).get(k).cloned().flatten()))
                .or_else(|| low.first().and_then(|&k| inputs.low_values(i).get(k).copied().flatten().map(Scalar::Number)));
            let Some(value) = value else { continue };
            let draw = match (&p.range, &p.alternatives, &value) {
                (Some((Scalar::Number(lo), Scalar::Number(hi))), _, Scalar::Number(v)) => {
                    let mut places = places_of(*lo).max(places_of(*hi)).max(places_of(*v)).saturating_add(2).min(10);
                    if award {
                        places = 0;
                    }
                    // Keep k × 10^-places exact in an f64 (below 2^53).
                    let big = f64_of(lo.abs().max(hi.abs())).max(1.0);
                    while places > 0 && big * 10f64.powi(i32::try_from(places).unwrap_or(0)) > 9.0e15 {
                        places = places.saturating_sub(1);
                    }
                    let (Some(klo), Some(khi), Some(kv)) = (
                        to_grid_int(if award { lo.ceil() } else { *lo }, places),
                        to_grid_int(if award { hi.floor() } else { *hi }, places),
                        to_grid_int(*v, places),
                    ) else {
                        continue;
                    };
                    let klo = if award { klo.max(0) } else { klo };
                    // A unit price is above 0.
                    let klo = if price { klo.max(1) } else { klo };
                    if klo > khi {
                        continue;
                    }
                    (Draw::Grid { lo: klo, hi: khi, places, per: 10f64.powi(i32::try_from(places).unwrap_or(0)).recip() }, kv, klo, khi)
                }
                (Some((Scalar::Date(lo), Scalar::Date(hi))), _, Scalar::Date(v)) => {
                    (Draw::Days { lo: lo.days(), hi: hi.days() }, v.days(), lo.days(), hi.days())
                }
                (None, Some(alts), _) => {
                    let Some(k) = alts.iter().position(|a| *a == value) else { continue };
                    let mut cells = Vec::new();
                    let mut gate_ok = Vec::new();
                    let mut offered = Vec::new();
                    let mut prices = Vec::new();
                    for a in alts {
                        let given = Given::Value(a.clone());
                        cells.push(
                            criteria
                                .iter()
                                .map(|&j| match (t.criteria.get(j), kernel.fast().get(j)) {
                                    (Some(c), Some(f)) => cell_of(f, c, &given, a),
                                    _ => Input::Missing,
                                })
                                .collect(),
                        );
                        gate_ok.push(gates.iter().map(|&g| t.gates.get(g).is_some_and(|gate| gate.require.accepts(a))).collect());
                        offered.push(match a {
                            Scalar::Number(x) if award && x.fract().is_zero() => x.to_u64(),
                            _ => None,
                        });
                        prices.push(match a {
                            Scalar::Number(x) if price && *x > Decimal::ZERO => Some(*x),
                            _ => None,
                        });
                    }
                    let last = i64::try_from(alts.len()).unwrap_or(1).saturating_sub(1);
                    (Draw::Pick { values: alts.clone(), cells, gates: gate_ok, offered, prices }, i64::try_from(k).unwrap_or(0), 0, last)
                }
                _ => continue,
            };
            let (draw, published, lo, hi) = draw;
            let span = hi.saturating_sub(lo).saturating_add(1);
            let levels = matches!(draw, Draw::Pick { .. }) || span <= LEVELS_UP_TO;
            dims.push(Dim::new(DimOf::Input(out.len()), lo, span, levels));
            let (values, range) = match &draw {
                Draw::Pick { values, .. } => (values.clone(), false),
                _ => (
                    vec![drawn_scalar(&draw, lo).unwrap_or(Scalar::Bool(false)), drawn_scalar(&draw, hi).unwrap_or(Scalar::Bool(false))],
                    true,
                ),
            };
            unknowns.push(Unknown::Input { bidder: b.id.to_string(), field: field.clone(), published: value.clone(), values, range });
            out.push(Varied { bid: i, field: field.clone(), draw, criteria, gates, award, price, ties, low, published });
        }
    }
    out
}

/// The value bid `i` gives a field, as a criterion or gate reading it resolved it.
fn current(inputs: &Inputs, i: usize, criteria: &[usize], gates: &[usize]) -> Option<Scalar> {
    for &j in criteria {
        if let Some(Given::Value(v)) = inputs.given(i, j) {
            return Some(v.clone());
        }
    }
    gates.iter().find_map(|&g| inputs.gate_value(i, g).cloned())
}

/// A value a `Value` tie-break reads, as the sampling tally compares it: a number as itself,
/// a date as its day number, a missing value last.
fn tie_number(v: &Option<Scalar>) -> f64 {
    match v {
        Some(Scalar::Number(d)) => f64_of(*d),
        Some(Scalar::Date(d)) => d.days() as f64,
        _ => f64::INFINITY,
    }
}
