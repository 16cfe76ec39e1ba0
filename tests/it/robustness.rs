//! Robustness (issue 11): the SMAA-2 figures against analytic answers, the samplers against
//! their exact distributions, the sampling tally against the exact one, determinism across
//! thread counts, and every certified flip replayed through `whatif`.

use bidscore::analysis::{
    Change, InputMode, MarkMode, Method, Published, ReversalTest, Robustness, RobustnessOptions, Scenario, WeightMode, Witness, robustness,
    sample_weights, sampled_ranking, whatif,
};
use bidscore::report::{Format, RobustnessReport};
use bidscore::{BidStatus, Decimal, Inputs, evaluate, load_paths};
use proptest::prelude::*;

use crate::generate::{Case, Kind, Val, case, date};

/// A tender of criteria `c1…` each `linear` from 0 to 1 (the score is the value), with
/// one winner, ties to the lower bidder id, rounding to 6 places, and bids `(id, values)`.
fn linear_tender(points: &[&str], bids: &[(&str, &[&str])], extra_evaluation: &str) -> Inputs {
    let max: f64 = points.iter().map(|p| p.parse::<f64>().unwrap()).sum();
    let mut criteria = format!(
        "[tender]\nid = \"analytic\"\ntitle = \"Analytic\"\n\n[evaluation]\nmax_points = {max}\nrounding = {{ places = 6, mode = \"half-even\" }}\ntie_break = [\"bidder\"]\n{extra_evaluation}\n[award]\nwinners = 1\n\n[[section]]\nid = \"s\"\ntitle = \"S\"\n"
    );
    for (j, p) in points.iter().enumerate() {
        criteria += &format!(
            "\n[[criterion]]\nid = \"c{}\"\nsection = \"s\"\ntitle = \"C{}\"\npoints = {p}\nfield = \"v.c{}\"\nrule = {{ kind = \"linear\", zero_at = 0, full_at = 1 }}\n",
            j + 1,
            j + 1,
            j + 1
        );
    }
    let files: Vec<String> = bids
        .iter()
        .map(|(id, values)| {
            let mut o = format!("[bidder]\nid = \"{id}\"\nname = \"{id}\"\n\n[v]\n");
            for (j, v) in values.iter().enumerate() {
                o += &format!("c{} = {v}\n", j + 1);
            }
            for j in 0..values.len() {
                o += &format!("\n[provenance.\"v.c{}\"]\nstatus = \"confirmed\"\nsource = \"analytic\"\n", j + 1);
            }
            o
        })
        .collect();
    crate::load_ok(&criteria, &files)
}

fn run(inputs: &Inputs, options: &RobustnessOptions) -> Robustness {
    robustness(inputs, &evaluate(inputs), options).unwrap()
}

fn uniform(samples: u64) -> RobustnessOptions {
    RobustnessOptions { samples, weights: WeightMode::Uniform, inputs: InputMode::Fixed, ..RobustnessOptions::new() }
}

fn share(count: u64, samples: u64) -> f64 {
    count as f64 / samples as f64
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 0.003, "{what}: {got} is not within 0.003 of {want}");
}

/// Two alternatives a1 = (1, 0), a2 = (0, 0.5), uniform weights: a1 first when w1 > 1/3.
#[test]
fn two_alternatives_have_the_analytic_acceptabilities_and_central_weights() {
    let inputs = linear_tender(&["50", "50"], &[("a1", &["1", "0"]), ("a2", &["0", "0.5"])], "");
    let n = 1_000_000;
    let r = run(&inputs, &uniform(n));
    let a1 = r.bid("a1").unwrap();
    let a2 = r.bid("a2").unwrap();
    close(share(a1.ranks[0], n), 2.0 / 3.0, "a1 rank 1");
    close(share(a2.ranks[0], n), 1.0 / 3.0, "a2 rank 1");
    close(share(a1.ranks[1], n), 1.0 / 3.0, "a1 rank 2");
    let c1: Vec<f64> = a1.central_weights.as_ref().unwrap().iter().map(|x| x.display(6).parse().unwrap()).collect();
    let c2: Vec<f64> = a2.central_weights.as_ref().unwrap().iter().map(|x| x.display(6).parse().unwrap()).collect();
    close(c1[0], 2.0 / 3.0, "a1 central w1");
    close(c1[1], 1.0 / 3.0, "a1 central w2");
    close(c2[0], 1.0 / 6.0, "a2 central w1");
    close(c2[1], 5.0 / 6.0, "a2 central w2");
    // Only the weights vary: each confidence factor is one exact evaluation.
    assert_eq!(a1.confidence, Some((1, 1)));
    assert_eq!(a2.confidence, Some((1, 1)));
    assert_eq!(r.method, Method::Simplex);
    // The sampling error is stated, and holds the truth.
    let (lo, hi) = a1.interval_95;
    assert!(lo < Decimal::new(6667, 4) && Decimal::new(6667, 4) < hi, "{lo}–{hi}");
}

/// Three alternatives (1, 0), (0, 1), (0.6, 0.6).
#[test]
fn three_alternatives_have_the_analytic_acceptabilities() {
    let inputs = linear_tender(&["50", "50"], &[("a1", &["1", "0"]), ("a2", &["0", "1"]), ("a3", &["0.6", "0.6"])], "");
    let n = 1_000_000;
    let r = run(&inputs, &uniform(n));
    let want = [("a1", [0.4, 0.1, 0.5]), ("a2", [0.4, 0.1, 0.5]), ("a3", [0.2, 0.8, 0.0])];
    for (id, ranks) in want {
        let b = r.bid(id).unwrap();
        for (k, w) in ranks.iter().enumerate() {
            close(share(b.ranks[k], n), *w, &format!("{id} rank {}", k + 1));
        }
        assert_eq!(b.ranks.iter().sum::<u64>() + b.unranked, n);
    }
    // The pairwise index of a3 over a1 is P(w1 < 0.6).
    let pw = r.pairwise.as_ref().unwrap();
    let (i1, i3) = (r.bids.iter().position(|b| b.bidder == "a1").unwrap(), r.bids.iter().position(|b| b.bidder == "a3").unwrap());
    close(share(pw[i3][i1], n), 0.6, "a3 ahead of a1");
}

/// Identical bids: the tie-break chain orders them in every sample, and the winner's central
/// weights are the mean of the simplex.
#[test]
fn identical_bids_follow_the_tie_break_and_central_weights_are_the_simplex_mean() {
    let inputs = linear_tender(&["20", "30", "50"], &[("x", &["0.5", "0.2", "0.9"]), ("y", &["0.5", "0.2", "0.9"])], "");
    let n = 200_000;
    let r = run(&inputs, &uniform(n));
    let x = r.bid("x").unwrap();
    assert_eq!(x.ranks[0], n);
    assert_eq!(x.selected, n);
    assert_eq!(r.bid("y").unwrap().selected, 0);
    // Rank 1 for both? No: the chain ends at the bidder id, so `y` is always second.
    assert_eq!(r.bid("y").unwrap().ranks[1], n);
    for w in x.central_weights.as_ref().unwrap() {
        close(w.display(6).parse().unwrap(), 1.0 / 3.0, "central weight of the tie-break winner");
    }
}

/// The ordered simplex: `weight_order` alone is sampled by sorting uniform draws, whose
/// marginals are known exactly: E[w(k)] = (1/n) Σ_{i≥k} 1/i, and P(w1 ≤ 1/2) = 1/4 for n = 3.
#[test]
fn ordered_weights_are_drawn_uniformly_on_the_ordered_simplex() {
    let inputs = linear_tender(
        &["50", "30", "20"],
        &[("a", &["1", "0", "0"]), ("b", &["0", "1", "0"])],
        "weight_order = [\"c1\", \"c2\", \"c3\"]\n",
    );
    let outcome = evaluate(&inputs);
    let options = RobustnessOptions { weights: WeightMode::Declared, inputs: InputMode::Fixed, ..RobustnessOptions::new() };
    let n = 300_000u64;
    let draws = sample_weights(&inputs, &outcome, &options, n).unwrap();
    let f = |d: &Decimal| d.to_string().parse::<f64>().unwrap() / 100.0;
    let mean = |k: usize| draws.iter().map(|w| f(&w[k])).sum::<f64>() / n as f64;
    close(mean(0), 11.0 / 18.0, "E[w1]");
    close(mean(1), 5.0 / 18.0, "E[w2]");
    close(mean(2), 1.0 / 9.0, "E[w3]");
    let below_half = draws.iter().filter(|w| f(&w[0]) <= 0.5).count();
    close(share(below_half as u64, n), 0.25, "P(w1 <= 1/2)");
    for w in &draws {
        assert!(w[0] >= w[1] && w[1] >= w[2], "{w:?} breaks the declared order");
        assert_eq!(w.iter().sum::<Decimal>(), Decimal::from(100));
    }
    let r = run(&inputs, &RobustnessOptions { samples: 4096, ..options });
    assert!(matches!(r.method, Method::Rejection { sorted: true, .. }), "{:?}", r.method);
}

/// Declared ranges by rejection: with two criteria and w1 in [0, 50] of 100, w1 is uniform
/// on [0, 50] (mean 25, median 25), whatever the published points.
#[test]
fn ranged_weights_are_drawn_uniformly_on_the_ranges() {
    let criteria = "[tender]\nid = \"r\"\ntitle = \"R\"\n\n[evaluation]\nmax_points = 100\nrounding = { places = 4, mode = \"half-up\" }\n\n[award]\nwinners = 1\n\n[[section]]\nid = \"s\"\ntitle = \"S\"\n\n[[criterion]]\nid = \"c1\"\nsection = \"s\"\ntitle = \"C1\"\npoints = 40\npoints_range = [0, 50]\nfield = \"v.c1\"\nrule = { kind = \"linear\", zero_at = 0, full_at = 1 }\n\n[[criterion]]\nid = \"c2\"\nsection = \"s\"\ntitle = \"C2\"\npoints = 60\npoints_range = [50, 100]\nfield = \"v.c2\"\nrule = { kind = \"linear\", zero_at = 0, full_at = 1 }\n";
    let bid = |id: &str, a: &str, b: &str| {
        format!(
            "[bidder]\nid = \"{id}\"\nname = \"{id}\"\n[v]\nc1 = {a}\nc2 = {b}\n[provenance.\"v.c1\"]\nstatus = \"confirmed\"\nsource = \"s\"\n[provenance.\"v.c2\"]\nstatus = \"confirmed\"\nsource = \"s\"\n"
        )
    };
    let inputs = crate::load_ok(criteria, &[bid("a", "1", "0"), bid("b", "0", "1")]);
    let outcome = evaluate(&inputs);
    let options = RobustnessOptions { weights: WeightMode::Declared, inputs: InputMode::Fixed, ..RobustnessOptions::new() };
    let n = 200_000u64;
    let draws = sample_weights(&inputs, &outcome, &options, n).unwrap();
    let w1: Vec<f64> = draws.iter().map(|w| w[0].to_string().parse::<f64>().unwrap()).collect();
    close(w1.iter().sum::<f64>() / n as f64 / 100.0, 0.25, "E[w1] / 100");
    close(share(w1.iter().filter(|x| **x < 25.0).count() as u64, n), 0.5, "P(w1 < 25)");
    assert!(w1.iter().all(|x| (0.0..=50.0).contains(x)));
    // `a` wins exactly when w1 > 50 − w1 would need w1 > 50: never; `b` always.
    let r = run(&inputs, &RobustnessOptions { samples: 10_000, ..options });
    assert_eq!(r.bid("b").unwrap().selected, 10_000);
    let Method::Rejection { acceptance, sorted: false } = &r.method else { panic!("{:?}", r.method) };
    // Uniform above the lower bounds (w1 ≥ 0, w2 ≥ 50 leaves 50 to share): w1 ≤ 50 always.
    assert_eq!(acceptance.to_exact_string(), "1");
}

#[test]
fn declared_weights_need_a_declaration_and_room() {
    let inputs = linear_tender(&["50", "50"], &[("a", &["1", "0"])], "");
    let options = RobustnessOptions { weights: WeightMode::Declared, ..RobustnessOptions::new() };
    let e = robustness(&inputs, &evaluate(&inputs), &options).unwrap_err();
    assert!(e.to_string().contains("declares no weights to sample"), "{e}");
    assert!(e.is_usage());
    let e = robustness(&inputs, &evaluate(&inputs), &RobustnessOptions { samples: 0, ..RobustnessOptions::new() }).unwrap_err();
    assert!(e.to_string().contains("give from 1 to"), "{e}");
}

#[test]
fn weight_modes_parse_and_print() {
    assert_eq!(WeightMode::parse("around=20%").unwrap(), WeightMode::Around(Decimal::from(20)));
    assert_eq!(WeightMode::parse("around=12.5").unwrap().to_string(), "around=12.5%");
    assert!(WeightMode::parse("around=0%").is_err());
    assert!(WeightMode::parse("around=101%").is_err());
    assert!(WeightMode::parse("wild").unwrap_err().contains("`published`, `uniform`, `around=P%` or `declared`"));
}

fn flagship() -> Inputs {
    load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap()
}

/// Every certified witness, run through `whatif` (the files), gives the winners it claims.
#[test]
fn every_certified_witness_replays_through_whatif() {
    let inputs = flagship();
    let outcome = evaluate(&inputs);
    for weights in [WeightMode::Published, WeightMode::Uniform, WeightMode::Around(Decimal::from(25))] {
        let options = RobustnessOptions { samples: 20_000, weights, marks: MarkMode::Bootstrap, certify: 10, ..RobustnessOptions::new() };
        let r = robustness(&inputs, &outcome, &options).unwrap();
        assert!(!r.certified.is_empty(), "{:?}: the flagship's winners change somewhere", options.weights);
        for f in &r.certified {
            let exact = f.exact_winners.as_ref().expect("every witness is a scenario files can state");
            let mut changes: Vec<Change> = f
                .witness
                .values
                .iter()
                .map(|(b, field, v)| Change::SetOf { bidder: b.clone(), field: field.clone(), literal: toml_literal(v) })
                .collect();
            changes.extend(f.witness.points.iter().map(|(c, p)| Change::Points { criterion: c.clone(), points: *p }));
            changes.extend(f.witness.committee.clone().map(Change::Committee));
            let w = whatif(&inputs, &outcome, "coupang", &changes).unwrap();
            let got: Vec<&str> = w.outcome.winners();
            assert_eq!(got, exact.iter().map(String::as_str).collect::<Vec<_>>(), "witness {:?}", f.witness);
            let mut sorted: Vec<String> = got.iter().map(|s| (*s).to_owned()).collect();
            sorted.sort();
            assert_eq!(f.confirmed, sorted == f.set.winners);
        }
    }
}

fn toml_literal(v: &bidscore::Scalar) -> String {
    match v {
        bidscore::Scalar::Text(t) => format!("\"{t}\""),
        other => other.to_string(),
    }
}

#[test]
fn the_flagship_answers_what_the_issue_asks() {
    let inputs = flagship();
    let outcome = evaluate(&inputs);
    let r = robustness(&inputs, &outcome, &RobustnessOptions::new()).unwrap();
    // Coupang, with every assumed value anywhere in its range, is never selected.
    assert_eq!(r.bid("coupang").unwrap().selected, 0);
    assert_eq!(r.samples, 100_000);
    // Every bid's ranks and "not ranked" account for every sample.
    for b in &r.bids {
        assert_eq!(b.ranks.iter().sum::<u64>() + b.unranked, r.samples, "{}", b.bidder);
    }
    // The tornado is sorted by the size of the swing.
    for pair in r.influence.windows(2) {
        assert!(pair[0].swing.abs() >= pair[1].swing.abs());
    }
    // Rank reversal: each of the four bids withdrawn and copied.
    assert_eq!(r.audited, 4);
    assert_eq!(r.rank_reversal.iter().filter(|x| x.test == ReversalTest::Withdrawn).count(), 4);
    assert_eq!(r.rank_reversal.iter().filter(|x| x.test == ReversalTest::Copied).count(), 4);
    let coupang_copied = r.rank_reversal.iter().find(|x| x.bidder == "coupang" && x.test == ReversalTest::Copied).unwrap();
    assert_eq!(coupang_copied.winners, vec!["nhn-cloud", "naver-cloud"]);
    assert!(coupang_copied.reversed.is_empty());
}

/// With nothing varying, every sample is the published evaluation.
#[test]
fn nothing_varying_gives_the_published_ranks_with_probability_one() {
    let inputs = flagship();
    // Each sample is another ranking: robustness sets the negotiation record aside, so the
    // published evaluation it samples around is the award before negotiation.
    let outcome = evaluate(&inputs.without_negotiation().unwrap());
    let options = RobustnessOptions { samples: 3000, inputs: InputMode::Fixed, ..RobustnessOptions::new() };
    let r = robustness(&inputs, &outcome, &options).unwrap();
    assert!(r.unknowns.is_empty());
    assert_eq!(r.unchanged, 3000);
    for s in &outcome.standings {
        let b = r.bid(&s.bidder).unwrap();
        match s.rank {
            Some(k) => assert_eq!(b.ranks[k as usize - 1], 3000),
            None => assert_eq!(b.unranked, 3000),
        }
        assert_eq!(b.selected, if s.status == BidStatus::Selected { 3000 } else { 0 });
    }
    assert!(r.certified.is_empty());
}

/// The generated case with every numeric or date value of every bid assumed, within a
/// range above it.
fn with_ranges(c: &Case) -> Vec<String> {
    let mut files: Vec<String> = c
        .bids
        .iter()
        .map(|b| {
            let mut o = c.bid_toml(b, None);
            for (crit, v) in c.criteria.iter().zip(&b.values) {
                let range = match v {
                    Val::Num(x) => {
                        let x: f64 = x.parse().unwrap();
                        format!("[{x}, {}]", x + 5.0)
                    }
                    Val::Day(d) => format!("[{}, {}]", date(*d), date(*d + 20)),
                    _ => continue,
                };
                // A price must stay positive and a date rule's days in its grid: both hold above.
                if matches!(crit.kind, Kind::Panel { .. }) {
                    continue;
                }
                o += &format!("\n[provenance.\"v.{}\"]\nstatus = \"assumed\"\nnote = \"generated\"\nrange = {range}\n", crit.id);
            }
            o
        })
        .collect();
    files.extend(c.panel_toml());
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The invariants of the answer on random tenders: ranks and "not ranked" account for
    /// every sample; a bid that fails a gate (on values that do not vary) is never selected;
    /// the same seed gives the same JSON with one thread and with two.
    #[test]
    fn robustness_invariants_hold_on_random_tenders(c in case(6), seed in 0u64..1000, uniform_weights in any::<bool>()) {
        let inputs = crate::load_ok(&c.criteria_toml(), &with_ranges(&c));
        let outcome = evaluate(&inputs);
        let options = RobustnessOptions {
            samples: 3000,
            seed,
            weights: if uniform_weights { WeightMode::Uniform } else { WeightMode::Around(Decimal::from(30)) },
            inputs: InputMode::Ranges,
            marks: if inputs.tender.criteria.iter().any(|c| c.rule.panel().is_some()) { MarkMode::Bootstrap } else { MarkMode::Fixed },
            ..RobustnessOptions::new()
        };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let a = one.install(|| robustness(&inputs, &outcome, &options));
        let b = two.install(|| robustness(&inputs, &outcome, &options));
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                // Only a committee with different numbers of marks on two criteria is refused.
                prop_assert!(e.to_string().contains("committee cannot be resampled"), "{e}");
                return Ok(());
            }
        };
        prop_assert_eq!(&a, &b);
        let words = vec![String::from("criteria.toml"), String::from("bids")];
        let ja = crate::show(&RobustnessReport { result: &a, inputs: &inputs, arguments: &words }, Format::Json);
        let jb = crate::show(&RobustnessReport { result: &b, inputs: &inputs, arguments: &words }, Format::Json);
        prop_assert_eq!(ja, jb);
        for bid in &a.bids {
            prop_assert_eq!(bid.ranks.iter().sum::<u64>() + bid.unranked, a.samples);
            prop_assert!(bid.selected <= a.samples);
        }
        for (i, s) in outcome.standings.iter().enumerate() {
            let b = &inputs.bids[inputs.bid_index(&s.bidder).unwrap()];
            let _ = (i, b);
            if s.gates.iter().any(|g| !g.passed) {
                prop_assert_eq!(a.bid(&s.bidder).unwrap().selected, 0, "{} fails a gate", s.bidder);
            }
        }
        // Every certified flip's exact winners were computed (each witness is a valid scenario).
        for f in &a.certified {
            prop_assert!(f.exact_winners.is_some() || f.refused.is_some());
        }
        // With nothing varying, every sample is the published evaluation: each published
        // rank and status has probability 1.
        let fixed = RobustnessOptions { samples: 1500, seed, inputs: InputMode::Fixed, ..RobustnessOptions::new() };
        let f = robustness(&inputs, &outcome, &fixed).unwrap();
        prop_assert_eq!(f.unchanged, 1500);
        for s in &outcome.standings {
            let b = f.bid(&s.bidder).unwrap();
            match s.rank {
                Some(k) => prop_assert_eq!(b.ranks[k as usize - 1], 1500, "{} rank {}", s.bidder, k),
                None => prop_assert_eq!(b.unranked, 1500),
            }
            prop_assert_eq!(b.selected, if s.status == BidStatus::Selected { 1500 } else { 0 });
        }
    }

    /// The sampling tally ranks and awards as the exact tally does, at random weights.
    #[test]
    fn the_sampling_tally_agrees_with_the_exact_tally(c in case(7), weights in proptest::collection::vec(1u32..=20, 1..6)) {
        let all: Vec<usize> = (0..c.bids.len()).collect();
        let inputs = crate::load_ok(&c.criteria_toml(), &c.other_files(&all));
        let outcome = evaluate(&inputs);
        let unit = Decimal::new(1, c.places.min(2));
        let points: Vec<(String, Decimal)> = inputs
            .tender
            .criteria
            .iter()
            .zip(weights.iter().cycle())
            .map(|(x, w)| (x.id.clone(), Decimal::from(*w) * unit * Decimal::from(3)))
            .collect();
        let mut scenario = Scenario::new();
        for (id, p) in &points {
            scenario = scenario.with_points(id, *p);
        }
        let published = Published::from_outcome(&inputs, &outcome);
        let Ok(exact) = scenario.evaluate(&published) else { return Ok(()) };
        let witness = Witness { points, ..Witness::default() };
        let sampled = sampled_ranking(&inputs, &outcome, &witness).unwrap();
        for (id, status, rank) in &sampled {
            let e = exact.bid(id).unwrap();
            prop_assert_eq!((e.status, e.rank), (*status, *rank), "bid {}", id);
        }
    }
}
