//! `bidscore robustness`: how likely each bid is to rank and win across what nobody
//! published, which unknown moves the answer most, which flips are real (replayed exactly),
//! and the rank-reversal audit. Probabilities are shares of the samples, printed to 4
//! places (half-even) from their exact counts; people read them as percentages.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::json_text;
use super::path_to_win::shell;
use super::score::{Engine, InputFile, input_files};
use crate::analysis::{Flip, Influence, LevelAt, Method, Reversal, ReversalTest, Robustness, Unknown, WeightMode, Witness};
use crate::exact::{Rat, RoundingMode};
use crate::model::Inputs;
use crate::report::doc::{Align, Cell, Column, Doc, Table, group};
use crate::report::{View, prose};

/// A robustness analysis as a report. `arguments` are the criteria and bid arguments as
/// the user gave them, for the `whatif` commands that replay each flip.
#[derive(Clone, Copy, Debug)]
pub struct RobustnessReport<'a> {
    /// The analysis.
    pub result: &'a Robustness,
    /// The inputs analysed.
    pub inputs: &'a Inputs,
    /// The criteria and bid arguments.
    pub arguments: &'a [String],
}

/// `count / samples` to 4 places.
fn prob(count: u64, samples: u64) -> Decimal {
    let mut d = Rat::ratio(i128::from(count), i128::from(samples.max(1))).round(4, RoundingMode::HalfEven).unwrap_or_default();
    d.rescale(4);
    d
}

/// `count / samples` as a percentage for people: `8.77%`, `0%`, `100%`.
fn percent(count: u64, samples: u64) -> String {
    if count == 0 {
        return String::from("0%");
    }
    if count == samples {
        return String::from("100%");
    }
    let d =
        Rat::ratio(i128::from(count).saturating_mul(100), i128::from(samples.max(1))).round(2, RoundingMode::HalfEven).unwrap_or_default();
    format!("{d}%")
}

/// A probability given to 4 places, as a percentage for people (`0.2793` → `27.93`).
fn as_percent(d: Decimal) -> Decimal {
    let mut p = d.saturating_mul(Decimal::ONE_HUNDRED);
    p.rescale(2);
    p
}

fn rat4(r: &Rat) -> Decimal {
    let mut d = r.round(4, RoundingMode::HalfEven).unwrap_or_default();
    d.rescale(4);
    d
}

/// The `bidscore whatif` command that replays a witness.
pub fn witness_command(arguments: &[String], focus: &str, w: &Witness) -> String {
    let mut words = vec![String::from("bidscore"), String::from("whatif")];
    words.extend(arguments.iter().map(|a| shell(a)));
    words.push(String::from("--bid"));
    words.push(shell(focus));
    for (bidder, field, value) in &w.values {
        words.push(String::from("--set"));
        words.push(shell(&format!("{bidder}:{field}={}", crate::load::toml_out::scalar(value))));
    }
    for (criterion, points) in &w.points {
        words.push(String::from("--points"));
        words.push(shell(&format!("{criterion}={points}")));
    }
    if let Some(c) = &w.committee {
        words.push(String::from("--committee"));
        words.push(c.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    }
    words.join(" ")
}

/// The bid a witness's `whatif` is about: the first whose values change, else the first
/// published winner that the flip leaves out, else the first winner.
fn focus<'a>(r: &'a Robustness, f: &'a Flip) -> &'a str {
    if let Some((b, _, _)) = f.witness.values.first() {
        return b;
    }
    r.published_winners
        .iter()
        .find(|w| !f.set.winners.contains(w))
        .or_else(|| f.set.winners.first())
        .or_else(|| r.bids.first().map(|b| &b.bidder))
        .map_or("", String::as_str)
}

/// What varied, in words.
fn varied(r: &Robustness) -> Vec<String> {
    let mut out = Vec::new();
    match (&r.options.weights, &r.method) {
        (WeightMode::Published, _) => {}
        (WeightMode::Uniform, _) => {
            out.push(String::from("the weights, uniformly over every split of the points (SMAA-2's \"no weight information\")"))
        }
        (WeightMode::Around(p), _) => {
            out.push(format!("the weights, each criterion's points within ±{p}% of the published, renormalised to the maximum"))
        }
        (WeightMode::Declared, Method::Rejection { acceptance, sorted }) => out.push(format!(
            "the weights, uniformly over the declared ranges and order (exact rejection sampling{}, {}% of draws accepted)",
            if *sorted { " of draws sorted into the declared order" } else { "" },
            acceptance.mul(&Rat::from_int(100)).round(1, RoundingMode::HalfEven).unwrap_or_default()
        )),
        (WeightMode::Declared, _) => out.push(String::from("the weights, within the declared ranges and order")),
    }
    let inputs = r.unknowns.iter().filter(|u| matches!(u, Unknown::Input { .. })).count();
    if inputs > 0 {
        out.push(format!(
            "{} in {} range or among {} alternatives",
            crate::diag::plural(inputs, "assumed value"),
            if inputs == 1 { "its" } else { "their" },
            if inputs == 1 { "its" } else { "their" }
        ));
    }
    let evaluators = r.unknowns.iter().filter(|u| matches!(u, Unknown::Evaluator { .. })).count();
    if evaluators > 0 {
        out.push(format!("the committee, resampled with replacement from its {evaluators} evaluators (a bootstrap)"));
    }
    out
}

/// An unknown, for people.
fn unknown_name(u: &Unknown) -> String {
    match u {
        Unknown::Weight { criterion, .. } => format!("weight of `{criterion}`"),
        Unknown::Input { bidder, field, .. } => format!("`{bidder}`: `{field}`"),
        Unknown::Evaluator { index, name } => match name {
            Some(n) => format!("evaluator {n}"),
            None => format!("evaluator {}", index.saturating_add(1)),
        },
    }
}

/// What an unknown was drawn from, for people.
fn unknown_domain(u: &Unknown) -> String {
    match u {
        Unknown::Weight { low, high, .. } => format!("{low} to {high} points"),
        Unknown::Input { published, values, range: true, .. } => match values.as_slice() {
            [lo, hi] => format!("{lo} to {hi} (files: {published})"),
            _ => String::new(),
        },
        Unknown::Input { published, values, .. } => {
            format!("one of {} (files: {published})", values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
        }
        Unknown::Evaluator { .. } => String::from("in or out of the resample"),
    }
}

fn level_name(u: &Unknown, at: &LevelAt) -> String {
    let unit = if matches!(u, Unknown::Weight { .. }) { " points" } else { "" };
    match at {
        LevelAt::Below(v) => format!("below {v}{unit}"),
        LevelAt::From(v) => format!("from {v}{unit}"),
        LevelAt::Is(v) => format!("= {v}"),
        LevelAt::Absent => String::from("absent"),
        LevelAt::Present => String::from("present"),
    }
}

fn influence_line(r: &Robustness, i: &Influence) -> String {
    let Some(u) = r.unknowns.get(i.unknown) else { return String::new() };
    let levels: Vec<String> = i.levels.iter().map(|l| format!("{}: {}", level_name(u, &l.at), percent(l.unchanged, l.samples))).collect();
    format!("{} — the published winners win {}", unknown_name(u), levels.join("; "))
}

fn reversal_line(r: &Reversal) -> String {
    let role = if r.wins { "a winner" } else { "which wins nothing" };
    let winners = prose::list(&r.winners);
    let reversals = if r.reversed.is_empty() {
        String::from("the others keep their order")
    } else {
        let pairs: Vec<String> = r.reversed.iter().take(5).map(|(a, b)| format!("`{b}` now ahead of `{a}`")).collect();
        let more = r.reversed.len().saturating_sub(5);
        format!("rank reversal: {}{}", pairs.join(", "), if more > 0 { format!(" and {more} more") } else { String::new() })
    };
    match r.test {
        ReversalTest::Withdrawn => format!("Withdrawing `{}`, {role}: selected {winners}; {reversals}.", r.bidder),
        ReversalTest::Copied => format!(
            "Adding `{}`, a copy of `{}` ({role}): selected {winners}; {reversals}.",
            r.copy.as_deref().unwrap_or_default(),
            r.bidder
        ),
    }
}

fn summary(r: &Robustness) -> Vec<String> {
    let mut out = Vec::new();
    let n = r.samples;
    let unchanged = percent(r.unchanged, n);
    out.push(format!("The published winners ({}) win together in {unchanged} of the samples.", prose::list(&r.published_winners)));
    for b in &r.bids {
        let first = b.ranks.first().copied().unwrap_or(0);
        out.push(format!(
            "`{}` ({} as published) is selected in {} of the samples (95% interval {}–{}%), ranks first in {}.",
            b.bidder,
            b.published.as_str(),
            percent(b.selected, n),
            as_percent(b.interval_95.0),
            as_percent(b.interval_95.1),
            percent(first, n)
        ));
    }
    if let Some(top) = r.influence.first() {
        out.push(format!("The unknown that moves the published winners most: {}.", influence_line(r, top)));
    }
    out
}

impl View for RobustnessReport<'_> {
    fn doc(&self) -> Doc {
        let r = self.result;
        let n = r.samples;
        let mut d = Doc::new();
        d.text(format!("Robustness of the award of `{}`: {} samples, seed {}.", r.tender, group(n), r.options.seed));
        let v = varied(r);
        if v.is_empty() {
            d.text("Nothing varies: every sample is the published evaluation (give --weights, --inputs ranges or --marks bootstrap).");
        } else {
            d.text(format!("Varying: {}.", v.join("; ")));
        }
        d.blank();
        for s in summary(r) {
            d.item(2, s);
        }
        d.blank();
        let ranks = r.bids.len();
        let mut cols = vec![
            Column::keyed("Bidder", "bidder", Align::Left),
            Column::keyed("Published", "published", Align::Left),
            Column::keyed("Selected", "selected", Align::Right),
            Column::keyed("95% interval", "interval", Align::Right),
        ];
        for k in 1..=ranks {
            cols.push(Column::keyed(format!("Rank {k}"), format!("rank_{k}"), Align::Right));
        }
        cols.push(Column::keyed("Not ranked", "unranked", Align::Right));
        cols.push(Column::keyed("Confidence", "confidence", Align::Right));
        let mut odds = Table::new("odds", cols);
        for b in &r.bids {
            let mut row = vec![
                Cell::text(&b.bidder),
                Cell::text(b.published.as_str()),
                Cell::with_data(percent(b.selected, n), prob(b.selected, n).to_string()),
                Cell::with_data(
                    format!("{}–{}%", as_percent(b.interval_95.0), as_percent(b.interval_95.1)),
                    format!("{} {}", b.interval_95.0, b.interval_95.1),
                ),
            ];
            for c in &b.ranks {
                row.push(Cell::with_data(percent(*c, n), prob(*c, n).to_string()));
            }
            row.push(Cell::with_data(percent(b.unranked, n), prob(b.unranked, n).to_string()));
            row.push(match b.confidence {
                Some((h, t)) => Cell::with_data(percent(h, t), prob(h, t).to_string()),
                None => Cell::none(),
            });
            odds.rows.push(row);
        }
        d.table(odds);
        d.text("Selected and ranks: shares of the samples. Confidence: how often the bid ranks first at its central weights.");
        d.blank();
        if r.bids.iter().any(|b| b.central_weights.is_some()) && !matches!(r.options.weights, WeightMode::Published) {
            d.text("Central weights (the mean weight shares where the bid ranks first):");
            let mut cols = vec![Column::keyed("Bidder", "bidder", Align::Left)];
            cols.extend(r.criteria.iter().map(|c| Column::keyed(c, c, Align::Right)));
            let mut t = Table::new("central_weights", cols);
            for b in &r.bids {
                let Some(w) = &b.central_weights else { continue };
                let mut row = vec![Cell::text(&b.bidder)];
                row.extend(w.iter().map(|x| Cell::text(rat4(x).to_string())));
                t.rows.push(row);
            }
            d.table(t);
            d.blank();
        }
        d.text(format!("Winner sets ({} different):", group(r.distinct_sets as u64)));
        let mut sets = Table::new(
            "winner_sets",
            vec![
                Column::keyed("Winners", "winners", Align::Left),
                Column::keyed("Samples", "share", Align::Right),
                Column::data("samples"),
            ],
        );
        for s in &r.winner_sets {
            let mark = if s.winners.len() == r.published_winners.len() && r.published_winners.iter().all(|w| s.winners.contains(w)) {
                " (published)"
            } else {
                ""
            };
            sets.rows.push(vec![
                Cell::with_data(format!("{}{mark}", prose::list(&s.winners)), s.winners.join(" ")),
                Cell::with_data(percent(s.samples, n), prob(s.samples, n).to_string()),
                Cell::count(s.samples),
            ]);
        }
        d.table(sets);
        if !r.certified.is_empty() {
            d.blank();
            d.text("Other winner sets, each replayed through the exact, rounded scoring (the sample farthest from a tie):");
            for f in &r.certified {
                let verdict = match (&f.exact_winners, f.confirmed) {
                    (_, true) => String::from("confirmed by exact re-scoring"),
                    (Some(w), false) => {
                        format!("not confirmed — exact re-scoring selects {}: a near-tie only the sampling produced", prose::list(w))
                    }
                    (None, _) => format!("not replayable: {}", f.refused.as_deref().unwrap_or_default()),
                };
                d.item(2, format!("{} ({} of the samples): {verdict}.", prose::list(&f.set.winners), percent(f.set.samples, n)));
                d.push(crate::report::doc::Block::Command { indent: 4, text: witness_command(self.arguments, focus(r, f), &f.witness) });
            }
        }
        if !r.influence.is_empty() {
            d.blank();
            d.text("What moves the published winners most (the probability they win, by each unknown's low and high half):");
            let mut t = Table::new(
                "influence",
                vec![
                    Column::keyed("Unknown", "unknown", Align::Left),
                    Column::keyed("Drawn from", "domain", Align::Left),
                    Column::keyed("Published winners win", "levels", Align::Left),
                    Column::keyed("Swing", "swing", Align::Right),
                ],
            );
            for i in &r.influence {
                let Some(u) = r.unknowns.get(i.unknown) else { continue };
                let levels: Vec<String> =
                    i.levels.iter().map(|l| format!("{}: {}", level_name(u, &l.at), percent(l.unchanged, l.samples))).collect();
                t.rows.push(vec![
                    Cell::text(unknown_name(u)),
                    Cell::text(unknown_domain(u)),
                    Cell::text(levels.join("; ")),
                    Cell::with_data(format!("{:+}", rat4(&i.swing.mul(&Rat::from_int(100))).round_dp(2)), rat4(&i.swing).to_string()),
                ]);
            }
            d.table(t);
            d.text("Swing: percentage points between the halves (high minus low), or between the best and worst value.");
        }
        if let Some(pw) = &r.pairwise {
            d.blank();
            d.text("Pairwise winning indices (how often the row's bid ranks ahead of the column's):");
            let mut cols = vec![Column::keyed("Bidder", "bidder", Align::Left)];
            cols.extend(r.bids.iter().map(|b| Column::keyed(&b.bidder, &b.bidder, Align::Right)));
            let mut t = Table::new("pairwise", cols);
            for (b, row) in r.bids.iter().zip(pw) {
                let mut cells = vec![Cell::text(&b.bidder)];
                for (other, c) in r.bids.iter().zip(row) {
                    cells.push(if other.bidder == b.bidder {
                        Cell::none()
                    } else {
                        Cell::with_data(percent(*c, n), prob(*c, n).to_string())
                    });
                }
                t.rows.push(cells);
            }
            d.table(t);
        }
        d.blank();
        d.text(format!("Rank-reversal audit (exact; Wang & Triantaphyllou's tests), {} of {} bids:", r.audited, r.bids.len()));
        for x in &r.rank_reversal {
            d.item(2, reversal_line(x));
        }
        d
    }

    fn json(&self) -> String {
        json_text(&to_json(self.result, self.inputs, self.arguments))
    }
}

#[derive(Serialize)]
struct Json<'a> {
    robustness: Body<'a>,
    inputs: Vec<InputFile<'a>>,
    engine: Engine,
}

#[derive(Serialize)]
struct Body<'a> {
    samples: u64,
    seed: u64,
    weights: String,
    inputs: &'static str,
    marks: &'static str,
    method: String,
    varied: Vec<String>,
    bids: Vec<BidJson<'a>>,
    published_winners: &'a [String],
    winners_unchanged_probability: Decimal,
    winner_sets: Vec<SetJson<'a>>,
    distinct_winner_sets: usize,
    pairwise: Option<BTreeMap<&'a str, BTreeMap<&'a str, Decimal>>>,
    influence: Vec<InfluenceJson>,
    certified: Vec<FlipJson<'a>>,
    rank_reversal: Vec<ReversalJson<'a>>,
    audited: usize,
    unknowns: Vec<UnknownJson>,
}

#[derive(Serialize)]
struct BidJson<'a> {
    bidder: &'a str,
    published_status: &'static str,
    rank_probability: Vec<Decimal>,
    unranked_probability: Decimal,
    selected_probability: Decimal,
    interval_95: [Decimal; 2],
    central_weights: Option<BTreeMap<&'a str, Decimal>>,
    confidence: Option<Decimal>,
}

#[derive(Serialize)]
struct SetJson<'a> {
    winners: &'a [String],
    samples: u64,
    probability: Decimal,
}

#[derive(Serialize)]
struct InfluenceJson {
    unknown: String,
    levels: Vec<LevelJson>,
    swing: Decimal,
}

#[derive(Serialize)]
struct LevelJson {
    level: String,
    samples: u64,
    winners_unchanged_probability: Decimal,
}

#[derive(Serialize)]
struct FlipJson<'a> {
    winners: &'a [String],
    samples: u64,
    probability: Decimal,
    confirmed: bool,
    exact_winners: Option<&'a [String]>,
    refused: Option<&'a str>,
    witness: WitnessJson<'a>,
    command: String,
}

#[derive(Serialize)]
struct WitnessJson<'a> {
    sample: u64,
    points: BTreeMap<&'a str, Decimal>,
    values: Vec<ValueJson<'a>>,
    committee: Option<&'a [usize]>,
}

#[derive(Serialize)]
struct ValueJson<'a> {
    bidder: &'a str,
    field: &'a str,
    value: String,
}

#[derive(Serialize)]
struct ReversalJson<'a> {
    bidder: &'a str,
    test: &'static str,
    wins: bool,
    copy: Option<&'a str>,
    winners: &'a [String],
    reversed: Vec<[&'a str; 2]>,
    statement: String,
}

#[derive(Serialize)]
struct UnknownJson {
    name: String,
    drawn_from: String,
}

fn method_name(m: &Method) -> String {
    match m {
        Method::Fixed => String::from("fixed"),
        Method::Simplex => String::from("uniform simplex"),
        Method::Around => String::from("uniform within ±P%, renormalised"),
        Method::Rejection { acceptance, sorted } => format!(
            "rejection{} (exact; {} of pilot draws accepted)",
            if *sorted { " after sorting into the declared order" } else { "" },
            rat4(acceptance)
        ),
    }
}

fn to_json<'a>(r: &'a Robustness, inputs: &'a Inputs, arguments: &'a [String]) -> Json<'a> {
    let n = r.samples;
    let bids = r
        .bids
        .iter()
        .map(|b| BidJson {
            bidder: &b.bidder,
            published_status: b.published.as_str(),
            rank_probability: b.ranks.iter().map(|c| prob(*c, n)).collect(),
            unranked_probability: prob(b.unranked, n),
            selected_probability: prob(b.selected, n),
            interval_95: [b.interval_95.0, b.interval_95.1],
            central_weights: b.central_weights.as_ref().map(|w| r.criteria.iter().map(String::as_str).zip(w.iter().map(rat4)).collect()),
            confidence: b.confidence.map(|(h, t)| prob(h, t)),
        })
        .collect();
    let pairwise = r.pairwise.as_ref().map(|pw| {
        r.bids
            .iter()
            .zip(pw)
            .map(|(b, row)| {
                let cells =
                    r.bids.iter().zip(row).filter(|(o, _)| o.bidder != b.bidder).map(|(o, c)| (o.bidder.as_str(), prob(*c, n))).collect();
                (b.bidder.as_str(), cells)
            })
            .collect()
    });
    let influence = r
        .influence
        .iter()
        .filter_map(|i| {
            let u = r.unknowns.get(i.unknown)?;
            Some(InfluenceJson {
                unknown: unknown_name(u),
                levels: i
                    .levels
                    .iter()
                    .map(|l| LevelJson {
                        level: level_name(u, &l.at),
                        samples: l.samples,
                        winners_unchanged_probability: prob(l.unchanged, l.samples),
                    })
                    .collect(),
                swing: rat4(&i.swing),
            })
        })
        .collect();
    let certified = r
        .certified
        .iter()
        .map(|f| FlipJson {
            winners: &f.set.winners,
            samples: f.set.samples,
            probability: prob(f.set.samples, n),
            confirmed: f.confirmed,
            exact_winners: f.exact_winners.as_deref(),
            refused: f.refused.as_deref(),
            witness: WitnessJson {
                sample: f.witness.sample,
                points: f.witness.points.iter().map(|(c, p)| (c.as_str(), *p)).collect(),
                values: f.witness.values.iter().map(|(b, fl, v)| ValueJson { bidder: b, field: fl, value: v.to_string() }).collect(),
                committee: f.witness.committee.as_deref(),
            },
            command: witness_command(arguments, focus(r, f), &f.witness),
        })
        .collect();
    let rank_reversal = r
        .rank_reversal
        .iter()
        .map(|x| ReversalJson {
            bidder: &x.bidder,
            test: match x.test {
                ReversalTest::Withdrawn => "withdrawn",
                ReversalTest::Copied => "copied",
            },
            wins: x.wins,
            copy: x.copy.as_deref(),
            winners: &x.winners,
            reversed: x.reversed.iter().map(|(a, b)| [a.as_str(), b.as_str()]).collect(),
            statement: reversal_line(x),
        })
        .collect();
    Json {
        robustness: Body {
            samples: n,
            seed: r.options.seed,
            weights: r.options.weights.to_string(),
            inputs: r.options.inputs.as_str(),
            marks: r.options.marks.as_str(),
            method: method_name(&r.method),
            varied: varied(r),
            bids,
            published_winners: &r.published_winners,
            winners_unchanged_probability: prob(r.unchanged, n),
            winner_sets: r
                .winner_sets
                .iter()
                .map(|s| SetJson { winners: &s.winners, samples: s.samples, probability: prob(s.samples, n) })
                .collect(),
            distinct_winner_sets: r.distinct_sets,
            pairwise,
            influence,
            certified,
            rank_reversal,
            audited: r.audited,
            unknowns: r.unknowns.iter().map(|u| UnknownJson { name: unknown_name(u), drawn_from: unknown_domain(u) }).collect(),
        },
        inputs: input_files(inputs),
        engine: Engine::this(),
    }
}
