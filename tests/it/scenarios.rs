//! Scenarios (issue 9): a variation of the inputs evaluated without re-reading them must say
//! exactly what the equivalently changed files say when validated and evaluated from
//! scratch — for changed bid values, gate values and offers, withdrawn bids, evaluators left
//! out and changed criterion points, alone and together.

use bidscore::analysis::{Error, PointsProblem, Published, Ranking, Scenario};
use bidscore::{Decimal, Outcome, Scalar, evaluate};
use proptest::prelude::*;

use crate::generate::{Case, Kind, Val, case, date, value_for};

/// One change of a scenario, with what it means for the files.
#[derive(Clone, Debug)]
enum Step {
    /// Bid `bid` gives criterion `criterion` the value.
    Value { bid: usize, criterion: usize, value: Val },
    /// Bid `bid` gives gate `gate` the value.
    Gate { bid: usize, gate: usize, value: i64 },
    /// Bid `bid` offers this quantity.
    Offer { bid: usize, quantity: u64 },
}

#[derive(Clone, Debug)]
struct Variation {
    steps: Vec<Step>,
    withdrawn: Vec<usize>,
    without: Option<usize>,
    /// Criterion and its new points (as the generator writes points).
    points: Option<(usize, String)>,
}

fn steps(c: &Case) -> BoxedStrategy<Vec<Step>> {
    let n = c.bids.len();
    let mut options: Vec<BoxedStrategy<Step>> = Vec::new();
    for (j, cr) in c.criteria.iter().enumerate() {
        if matches!(cr.kind, Kind::Panel { .. }) {
            continue;
        }
        options.push((0..n, value_for(&cr.kind)).prop_map(move |(bid, value)| Step::Value { bid, criterion: j, value }).boxed());
    }
    if !c.gates.is_empty() {
        let g = c.gates.len();
        options.push((0..n, 0..g, 0i64..8).prop_map(|(bid, gate, value)| Step::Gate { bid, gate, value }).boxed());
    }
    if c.quantity.is_some() {
        options.push((0..n, 0u64..20).prop_map(|(bid, quantity)| Step::Offer { bid, quantity }).boxed());
    }
    if options.is_empty() {
        return Just(Vec::new()).boxed();
    }
    proptest::collection::vec(proptest::strategy::Union::new(options), 0..4).boxed()
}

fn variation(c: &Case) -> impl Strategy<Value = Variation> + use<> {
    let n = c.bids.len();
    let m = c.criteria.len();
    let places = c.places;
    let kr: Vec<bool> = c.criteria.iter().map(|x| matches!(x.kind, Kind::KrPrice { .. })).collect();
    let points = (0..m, 0u32..25, any::<bool>()).prop_map(move |(j, p, half)| {
        let p = if kr[j] { p.max(1) } else { p };
        let text = if half && p > 0 && places > 0 { format!("{p}.5") } else { p.to_string() };
        (j, text)
    });
    (steps(c), proptest::collection::vec(0..n, 0..2), proptest::option::of(0usize..4), proptest::option::of(points))
        .prop_map(|(steps, withdrawn, without, points)| Variation { steps, withdrawn, without, points })
}

/// Cases of which some carry a `min_points` threshold, on a section or on the total, that
/// the published points can reach (a reference among the qualified bids may not feed it).
fn with_points_threshold() -> impl Strategy<Value = Case> {
    (case(5), any::<bool>(), any::<bool>(), 0u32..=100).prop_map(|(mut c, on, total, percent)| {
        if on {
            let scope = if total { None } else { c.qualify.map(|(s, _)| s).or(Some(0)) };
            let in_scope = |section: usize| scope.is_none_or(|s| s == section);
            let max: Decimal = c.criteria.iter().filter(|x| in_scope(x.section)).map(|x| x.points.parse::<Decimal>().unwrap()).sum();
            let need = (max * Decimal::from(percent) / Decimal::from(100)).floor();
            for x in &mut c.criteria {
                if in_scope(x.section) {
                    x.among_qualified = false;
                }
            }
            c.qualify_points = Some((scope, need.to_string()));
        }
        c
    })
}

fn scalar(v: &Val) -> Scalar {
    match v {
        Val::Num(n) => Scalar::Number(n.parse().unwrap()),
        Val::Text(t) => Scalar::Text((*t).to_owned()),
        Val::Bool(b) => Scalar::Bool(*b),
        Val::Day(d) => {
            let s = date(*d);
            let parts: Vec<&str> = s.split('-').collect();
            Scalar::Date(bidscore::Date::new(parts[0].parse().unwrap(), parts[1].parse().unwrap(), parts[2].parse().unwrap()).unwrap())
        }
        Val::Missing | Val::Marks(_) => unreachable!("scenarios set values, never marks or absence"),
    }
}

/// The scenario and the changed case (whose files say the same).
fn apply(c: &Case, v: &Variation) -> (Scenario, Case) {
    let mut scenario = Scenario::new();
    let mut changed = c.clone();
    for step in &v.steps {
        match step {
            Step::Value { bid, criterion, value } => {
                let id = &c.bids[*bid].id;
                scenario = scenario.set(id, &format!("v.{}", c.criteria[*criterion].id), scalar(value));
                changed.bids[*bid].values[*criterion] = value.clone();
            }
            Step::Gate { bid, gate, value } => {
                scenario = scenario.set(&c.bids[*bid].id, &format!("gates.g{gate}"), Scalar::Number(Decimal::from(*value)));
                changed.bids[*bid].gates[*gate] = *value;
            }
            Step::Offer { bid, quantity } => {
                scenario = scenario.set(&c.bids[*bid].id, "offer.qty", Scalar::Number(Decimal::from(*quantity)));
                changed.bids[*bid].offered = *quantity;
            }
        }
    }
    if let Some(e) = v.without {
        scenario = scenario.without_evaluator(e);
        for b in &mut changed.bids {
            for val in &mut b.values {
                if let Val::Marks(m) = val
                    && e < m.len()
                {
                    m.remove(e);
                }
            }
        }
    }
    if let Some((j, p)) = &v.points {
        scenario = scenario.with_points(&c.criteria[*j].id, p.parse().unwrap());
        changed.criteria[*j].points = p.clone();
    }
    let mut withdrawn: Vec<usize> = v.withdrawn.clone();
    withdrawn.sort_unstable();
    withdrawn.dedup();
    for &i in withdrawn.iter().rev() {
        scenario = scenario.withdraw(&c.bids[i].id);
        changed.bids.remove(i);
    }
    (scenario, changed)
}

/// Every figure of every bid, in report order, as text (scale included).
fn figures_of_ranking(r: &Ranking) -> Vec<String> {
    r.bids
        .iter()
        .map(|b| {
            let sections: Vec<String> = b.sections.iter().map(ToString::to_string).collect();
            let points: Vec<String> = b.points.iter().map(ToString::to_string).collect();
            format!("{} {:?} {:?} {} {:?} {:?} {:?}", b.bidder, b.status, b.rank, b.total, sections, points, b.award)
        })
        .collect()
}

fn figures_of_outcome(o: &Outcome) -> Vec<String> {
    o.standings
        .iter()
        .map(|s| {
            let sections: Vec<String> = s.sections.iter().map(|(_, p)| p.to_string()).collect();
            let points: Vec<String> = s.points.iter().map(ToString::to_string).collect();
            format!("{} {:?} {:?} {} {:?} {:?} {:?}", s.bidder, s.status, s.rank, s.total, sections, points, s.award)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

    /// A scenario evaluates as the changed files do: the same bids in the same order, with
    /// the same statuses, ranks, totals, section and criterion points and awards.
    #[test]
    fn a_scenario_scores_as_the_changed_files_do((c, v) in with_points_threshold().prop_flat_map(|c| { let v = variation(&c); (Just(c), v) })) {
        let all: Vec<usize> = (0..c.bids.len()).collect();
        let inputs = crate::load_ok(&c.criteria_toml(), &c.other_files(&all));
        let outcome = evaluate(&inputs);
        let published = Published::from_outcome(&inputs, &outcome);
        let (scenario, changed) = apply(&c, &v);
        prop_assume!(!changed.bids.is_empty());
        prop_assume!(changed.criteria.iter().any(|x| x.points.parse::<f64>().unwrap_or(0.0) > 0.0));
        // A record that named only withdrawn bids cannot be written (it would name nobody).
        prop_assume!(c.negotiation_toml().is_none() == changed.negotiation_toml().is_none());
        let files = crate::load_texts(&changed.criteria_toml(), &changed.other_files(&(0..changed.bids.len()).collect::<Vec<_>>()));
        match scenario.evaluate(&published) {
            Ok(ranking) => {
                let files = match files {
                    Ok(f) => f,
                    Err(d) => return Err(TestCaseError::fail(format!("the scenario evaluated but the files are invalid:\n{}", d.render_short()))),
                };
                prop_assert_eq!(figures_of_ranking(&ranking), figures_of_outcome(&evaluate(&files)));
            }
            // Leaving out an evaluator who marked nothing is refused; the files are unchanged.
            Err(Error::NoSuchEvaluator { evaluator, .. }) => {
                prop_assert!(c.bids.iter().flat_map(|b| &b.values).all(|x| !matches!(x, Val::Marks(m) if evaluator < m.len())));
            }
            // What the files would refuse, the scenario refuses: the files are invalid and say
            // why — unless their criteria file already failed (an unreachable threshold), which
            // stops the checks of the bids against it.
            Err(e @ (Error::BadPoints(PointsProblem::Unreachable { .. }) | Error::TooFewMarks { .. })) => {
                let d = files.expect_err("the scenario was refused, so the files must be invalid");
                let codes = crate::codes(&d);
                let expected = if matches!(e, Error::TooFewMarks { .. }) { "too-few-marks" } else { "bad-threshold" };
                prop_assert!(codes.contains(&expected) || codes.contains(&"bad-threshold"), "{e}: {codes:?}");
            }
            Err(e) => return Err(TestCaseError::fail(format!("the scenario was refused: {e}"))),
        }
    }
}

/// Worked cases on the flagship: one change at a time, against the changed files.
#[test]
fn scenarios_on_the_flagship() {
    let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let outcome = evaluate(&inputs);
    let published = Published::from_outcome(&inputs, &outcome);
    // Nothing changed: the published ranking.
    let same = Scenario::new().evaluate(&published).unwrap();
    assert_eq!(figures_of_ranking(&same), figures_of_outcome(&outcome));
    // A leased data centre owned instead: 4.5 more points, same rank.
    let owned = Scenario::new().set("coupang", "datacenter.tenure", Scalar::Text("owned".into())).evaluate(&published).unwrap();
    let c = owned.bid("coupang").unwrap();
    assert_eq!((c.total.to_string(), c.rank), (String::from("63.8473"), Some(4)));
    // Refusals say why.
    let refused = |s: Scenario| s.evaluate(&published).unwrap_err().to_string();
    assert!(
        refused(Scenario::new().set("coupang", "datacenter.tenure", Scalar::Text("rented".into())))
            .contains("is not a value that criterion `dc-tenure` scores")
    );
    assert!(
        refused(Scenario::new().set("coupang", "datacenter.tenure", Scalar::Bool(true)))
            .contains("is read as a string, but the value given is a boolean")
    );
    assert!(refused(Scenario::new().set("coupnag", "datacenter.tenure", Scalar::Bool(true))).contains("did you mean `coupang`?"));
    assert!(
        refused(Scenario::new().set("coupang", "datacenter.site", Scalar::Bool(true)))
            .contains("no gate, criterion or award reads `datacenter.site`")
    );
    assert!(refused(Scenario::new().with_points("dc-tenure", Decimal::new(12345, 5))).contains("finer than the 4 decimal places"));
    assert!(refused(Scenario::new().without_evaluator(9)).contains("there is no evaluator with index 9: the panel has 5 evaluators"));
}

/// What no criteria file could say, no scenario says: a `min_points` threshold out of reach
/// after a points change, and a tender with every bid withdrawn. (Found in review: the
/// property test's generator writes neither.)
#[test]
fn scenarios_refuse_what_the_files_refuse() {
    let criteria = "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = 20\n\
                    qualify = [{ section = \"s0\", min_points = 8 }]\n\
                    [[section]]\nid = \"s0\"\ntitle = \"S0\"\n[[section]]\nid = \"s1\"\ntitle = \"S1\"\n\
                    [[criterion]]\nid = \"c0\"\nsection = \"s0\"\ntitle = \"C0\"\npoints = 10\nfield = \"v.c0\"\n\
                    rule = { kind = \"linear\", zero_at = 0, full_at = 10 }\n\
                    [[criterion]]\nid = \"c1\"\nsection = \"s1\"\ntitle = \"C1\"\npoints = 10\nfield = \"v.c1\"\n\
                    rule = { kind = \"linear\", zero_at = 0, full_at = 10 }\n";
    let bid = "[bidder]\nid = \"a\"\nname = \"A\"\n[v]\nc0 = 9\nc1 = 9\n";
    let inputs = crate::load_ok(criteria, &[bid.to_owned()]);
    let published = Published::new(&inputs);
    // c0 worth 5: the threshold of 8 on s0 can no longer be met; a file that says so is refused.
    let err = Scenario::new().with_points("c0", Decimal::from(5)).evaluate(&published).unwrap_err();
    assert!(err.to_string().contains("the threshold on section:s0 needs `8` points, but at most `5` could be scored there"), "{err}");
    let changed = criteria.replace("max_points = 20", "max_points = 15").replacen("points = 10", "points = 5", 1);
    assert!(crate::codes(&crate::load_texts(&changed, &[bid.to_owned()]).unwrap_err()).contains(&"bad-threshold"));
    // c0 worth 8 is still reachable: scored as the file says.
    let ranking = Scenario::new().with_points("c0", Decimal::from(8)).evaluate(&published).unwrap();
    let file =
        crate::load_ok(&criteria.replace("max_points = 20", "max_points = 18").replacen("points = 10", "points = 8", 1), &[bid.to_owned()]);
    assert_eq!(figures_of_ranking(&ranking), figures_of_outcome(&evaluate(&file)));
    // Withdrawing the only bid leaves nothing to score; the files would say `no-bids`.
    assert!(matches!(Scenario::new().withdraw("a").evaluate(&published), Err(Error::NoBidsLeft)));
}
