//! The panel analysis: Kendall's W against hand-computed values, outlying marks by the
//! median absolute deviation, and the drop-one-evaluator check.

use bidscore::analysis::{kendall_w, median, panel};
use bidscore::{Rat, evaluate};

use proptest::strategy::Strategy as _;

use crate::load_ok;

fn r(n: i128, d: i128) -> Rat {
    Rat::ratio(n, d)
}

/// `table[bid][evaluator]` from whole marks.
fn marks(rows: &[&[i128]]) -> Vec<Vec<Rat>> {
    rows.iter().map(|row| row.iter().map(|m| Rat::from_int(*m)).collect()).collect()
}

#[test]
fn kendall_w_matches_hand_computed_values() {
    // Three evaluators, three bids. Ranks: e1 A1 B2 C3, e2 A1 C2 B3, e3 B1 A2 C3.
    // Rank sums A 4, B 6, C 8; mean m(n+1)/2 = 6; S = 4 + 0 + 4 = 8;
    // W = 12 × 8 / (3² × (3³ − 3)) = 96 / 216 = 4/9.
    let t = marks(&[&[9, 9, 8], &[8, 7, 9], &[7, 8, 6]]);
    assert_eq!(kendall_w(&t), Some(r(4, 9)));

    // With a tie: e1 gives A and B the same mark (ranks 1.5, 1.5, 3; T = 2³ − 2 = 6),
    // e2 ranks A, B, C. Rank sums 2.5, 3.5, 6; mean 4; S = 2.25 + 0.25 + 4 = 6.5;
    // W = 12 × 6.5 / (2² × 24 − 2 × 6) = 78 / 84 = 13/14.
    let t = marks(&[&[8, 9], &[8, 8], &[5, 7]]);
    assert_eq!(kendall_w(&t), Some(r(13, 14)));

    // Perfect agreement is 1; two evaluators in exactly opposite order give 0.
    assert_eq!(kendall_w(&marks(&[&[3, 3, 3], &[2, 2, 2], &[1, 1, 1]])), Some(Rat::one()));
    assert_eq!(kendall_w(&marks(&[&[3, 1], &[2, 2], &[1, 3]])), Some(Rat::zero()));

    // Undefined: one bid, one evaluator, or every evaluator tying every bid.
    assert_eq!(kendall_w(&marks(&[&[5, 6, 7]])), None);
    assert_eq!(kendall_w(&marks(&[&[5], &[6]])), None);
    assert_eq!(kendall_w(&marks(&[&[5, 5], &[5, 5]])), None);
}

#[test]
fn median_of_odd_and_even_counts() {
    let v = |xs: &[i128]| xs.iter().map(|x| Rat::from_int(*x)).collect::<Vec<_>>();
    assert_eq!(median(&v(&[3, 1, 2])), Rat::from_int(2));
    assert_eq!(median(&v(&[4, 1, 3, 2])), r(5, 2));
    assert_eq!(median(&[]), Rat::zero());
}

fn tender() -> String {
    String::from(
        "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = 20\n[award]\nwinners = 1\n\
         [[section]]\nid = \"tech\"\ntitle = \"Technical\"\n\
         [[criterion]]\nid = \"plan\"\nsection = \"tech\"\ntitle = \"Plan\"\npoints = 10\nrule = { kind = \"panel\", scale = 10 }\n\
         [[criterion]]\nid = \"team\"\nsection = \"tech\"\ntitle = \"Team\"\npoints = 10\nrule = { kind = \"panel\", scale = 10 }\n",
    )
}

fn bid(id: &str) -> String {
    format!("[bidder]\nid = \"{id}\"\nname = \"{id}\"\n")
}

#[test]
fn outlying_marks_are_flagged_by_the_median_absolute_deviation() {
    // `a` on plan: 8, 8, 7, 9, 2 → median 8, deviations 0 0 1 1 6, MAD 1; 2.5 × 1 = 2.5:
    // only e5's 2 lies further. `b` on plan: 6, 6, 6, 6, 7 → MAD 0, so 7 is flagged.
    let panel_file = "[panel]\nsource = \"test\"\nevaluators = [\"e1\", \"e2\", \"e3\", \"e4\", \"e5\"]\n\
                      [panel.marks.plan]\na = [8, 8, 7, 9, 2]\nb = [6, 6, 6, 6, 7]\n\
                      [panel.marks.team]\na = [5, 6, 7, 8, 9]\nb = [5, 6, 7, 8, 9]\n";
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]);
    let o = evaluate(&inputs);
    let p = panel(&inputs, &o).unwrap();
    assert_eq!(p.evaluators, ["e1", "e2", "e3", "e4", "e5"]);
    let plan = &p.criteria[0];
    let a = plan.bids.iter().find(|b| b.bidder == "a").unwrap();
    assert_eq!((a.median.clone(), a.mad.clone(), a.outliers.clone()), (Rat::from_int(8), Rat::one(), vec![4]));
    assert_eq!(a.trimmed_mean, Some(r(23, 3)));
    assert_eq!(a.spread.to_string(), "7");
    let b = plan.bids.iter().find(|b| b.bidder == "b").unwrap();
    assert_eq!((b.mad.clone(), b.outliers.clone()), (Rat::zero(), vec![4]));
    // On team the two bids tie for every evaluator: W is undefined there.
    assert_eq!(p.criteria[1].kendall_w, None);
    // A larger k flags fewer marks.
    let wide = panel_file.replace("evaluators", "outlier_k = 7\nevaluators");
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), wide]);
    let p = panel(&inputs, &evaluate(&inputs)).unwrap();
    assert!(p.criteria[0].bids.iter().find(|b| b.bidder == "a").unwrap().outliers.is_empty());
}

#[test]
fn dropping_one_evaluator_can_change_the_winner_and_is_named() {
    // Trim 0 on a one-criterion tender so every mark counts: a = 7 + 7 + 7 + 7 = 28 and
    // b = 6 + 6 + 6 + 10 = 28 — wait, a tie would be settled by bidder id; make e4 decisive:
    // a: [7, 7, 7, 5] (mean 6.5), b: [6, 6, 6, 9] (mean 6.75) → b wins; without e4 a wins.
    let t = "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = 10\n\
             [[section]]\nid = \"tech\"\ntitle = \"Technical\"\n\
             [[criterion]]\nid = \"plan\"\nsection = \"tech\"\ntitle = \"Plan\"\npoints = 10\nrule = { kind = \"panel\", scale = 10, trim = 0 }\n";
    let panel_file = "[panel]\nsource = \"test\"\nevaluators = [\"kim\", \"lee\", \"park\", \"choi\"]\n\
                      [panel.marks.plan]\na = [7, 7, 7, 5]\nb = [6, 6, 6, 9]\n";
    let inputs = load_ok(t, &[bid("a"), bid("b"), panel_file.to_owned()]);
    let o = evaluate(&inputs);
    assert_eq!(o.winners(), ["b"]);
    let p = panel(&inputs, &o).unwrap();
    let changed: Vec<(&str, &[String], &[String])> =
        p.drop_one.iter().filter(|d| d.changed()).map(|d| (d.evaluator.as_str(), d.entering.as_slice(), d.leaving.as_slice())).collect();
    assert_eq!(changed, [("choi", &[String::from("a")][..], &[String::from("b")][..])]);
    // Without kim, lee or park: a (7, 7, 5) = 6.33 < b (6, 6, 9) = 7: no change.
    assert!(p.drop_one.iter().filter(|d| d.evaluator != "choi").all(|d| d.winners.as_deref() == Some(&[String::from("b")][..])));
    // Every evaluator ranks on one criterion; e4 alone disagrees: W = 12 S / (16 × 6) with
    // rank sums a 1+1+1+2 = 5, b 2+2+2+1 = 7, mean 6, S = 2 → 24/96 = 1/4.
    assert_eq!(p.criteria[0].kendall_w, Some(r(1, 4)));
    assert_eq!(p.overall_w, Some(r(1, 4)));

    // The table says who decides, and the JSON carries the same.
    let text = crate::show(&bidscore::report::PanelReport(&p), bidscore::report::Format::Table);
    assert!(text.contains("without choi: the winners change to `a` (`a` would win, `b` would lose)"), "{text}");
    assert!(text.contains("The winners depend on a single evaluator: choi."), "{text}");
    let v: serde_json::Value = serde_json::from_str(&crate::json(&inputs, &o)).unwrap();
    assert_eq!(v["panel"]["drop_one"][3]["changed"], true);
    assert_eq!(v["panel"]["criteria"][0]["kendall_w"], "0.25");
}

#[test]
fn dropping_one_evaluator_says_when_too_few_marks_would_remain() {
    // trim = 1 with exactly 3 marks: without any one evaluator only 2 remain.
    let panel_file = "[panel]\nsource = \"test\"\n[panel.marks.plan]\na = [7, 8, 9]\nb = [6, 6, 6]\n\
                      [panel.marks.team]\na = [7, 8, 9]\nb = [6, 6, 6]\n";
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]);
    let p = panel(&inputs, &evaluate(&inputs)).unwrap();
    assert_eq!(p.evaluators, ["1", "2", "3"]);
    for d in &p.drop_one {
        assert_eq!(d.winners, None);
        let reason = bidscore::report::prose::drop_one_reason(d.reason.as_ref().unwrap());
        assert!(reason.contains("keeps 2 marks and `trim = 1` needs at least 3"), "{reason}");
    }
}

#[test]
fn named_evaluators_must_match_every_array() {
    let panel_file = "[panel]\nsource = \"test\"\nevaluators = [\"e1\", \"e2\", \"e3\"]\n\
                      [panel.marks.plan]\na = [7, 8, 9]\nb = [6, 6, 6, 6]\n\
                      [panel.marks.team]\na = [7, 8, 9]\nb = [6, 6, 6]\n";
    let d = crate::load_texts(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]).unwrap_err();
    assert_eq!(crate::codes(&d), ["unequal-marks"]);
    assert!(d.items[0].message.contains("`b` has 4 marks on `plan` but the panel names 3 evaluators"), "{}", d.items[0].message);
}

#[test]
fn drop_one_that_cannot_be_checked_is_not_called_harmless() {
    let panel_file = "[panel]\nsource = \"test\"\n[panel.marks.plan]\na = [7, 8, 9]\nb = [6, 6, 6]\n\
                      [panel.marks.team]\na = [7, 8, 9]\nb = [6, 6, 6]\n";
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]);
    let o = evaluate(&inputs);
    let p = panel(&inputs, &o).unwrap();
    let text = crate::show(&bidscore::report::PanelReport(&p), bidscore::report::Format::Table);
    assert!(text.contains("Could not be checked without: 1, 2, 3."), "{text}");
    assert!(!text.contains("No single evaluator decides"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&crate::show(&bidscore::report::PanelReport(&p), bidscore::report::Format::Json)).unwrap();
    assert!(v["drop_one"][0]["changed"].is_null());
}

#[test]
fn unnamed_evaluators_with_different_counts_are_not_matched_across_criteria() {
    // plan has 5 marks per bid, team 3: mark 4 on plan is nobody on team.
    let panel_file = "[panel]\nsource = \"test\"\n[panel.marks.plan]\na = [7, 8, 9, 8, 7]\nb = [6, 6, 6, 7, 5]\n\
                      [panel.marks.team]\na = [7, 8, 9]\nb = [6, 6, 6]\n";
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]);
    let p = panel(&inputs, &evaluate(&inputs)).unwrap();
    assert_eq!((p.criteria[0].marks, p.criteria[1].marks), (5, 3));
    assert_eq!(p.overall_w, None);
    assert!(p.drop_one.is_empty());
    let note = bidscore::report::prose::panel_note(p.note.as_ref().unwrap());
    assert!(note.contains("`plan` 5, `team` 3"), "{note}");
    // The team table has three evaluator columns, not five.
    let text = crate::show(&bidscore::report::PanelReport(&p), bidscore::report::Format::Table);
    let team = text.split("team (").nth(1).unwrap();
    let header = team.lines().nth(2).unwrap();
    assert!(header.contains(" 3 ") && !header.contains(" 4 "), "{header}");
}

#[test]
fn evaluator_names_may_be_any_text() {
    let panel_file = "[panel]\nsource = \"test\"\nevaluators = [\"Kim\", \"위원2\", \"Dr. Lee\"]\n\
                      [panel.marks.plan]\na = [7, 8, 9]\nb = [6, 6, 6]\n[panel.marks.team]\na = [7, 8, 9]\nb = [6, 6, 6]\n";
    let inputs = load_ok(&tender(), &[bid("a"), bid("b"), panel_file.to_owned()]);
    assert_eq!(panel(&inputs, &evaluate(&inputs)).unwrap().evaluators, ["Kim", "위원2", "Dr. Lee"]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, max_global_rejects: 1_000_000, ..proptest::prelude::ProptestConfig::default() })]

    /// The drop-one check patches the base outcome instead of re-evaluating everything; it
    /// must name exactly the winners a full evaluation without that evaluator gives.
    #[test]
    fn drop_one_agrees_with_a_full_evaluation(c in crate::generate::case(6)) {
        proptest::prop_assume!(c.criteria.iter().any(|x| matches!(x.kind, crate::generate::Kind::Panel { .. })));
        let inputs = load_ok(&c.criteria_toml(), &c.other_files(&(0..c.bids.len()).collect::<Vec<_>>()));
        let o = evaluate(&inputs);
        let p = panel(&inputs, &o).unwrap();
        // Each criterion's agreement is W of its bids' marks, as the table reads them.
        for c in &p.criteria {
            let table: Vec<Vec<Rat>> = c.bids.iter().map(|b| b.marks.iter().map(|x| Rat::from_decimal(*x)).collect()).collect();
            proptest::prop_assert_eq!(&c.kendall_w, &kendall_w(&table), "criterion {}", c.id);
        }
        // Each bid's median, MAD and outliers are their definitions, in rationals.
        let k = Rat::from_decimal(p.outlier_k);
        for c in &p.criteria {
            for b in &c.bids {
                let exact: Vec<Rat> = b.marks.iter().map(|x| Rat::from_decimal(*x)).collect();
                let mid = median_by_definition(&exact);
                let deviations: Vec<Rat> = exact.iter().map(|x| x.sub(&mid).abs()).collect();
                let mad = median_by_definition(&deviations);
                let outliers: Vec<usize> = (0..exact.len()).filter(|&e| deviations[e] > k.mul(&mad)).collect();
                proptest::prop_assert_eq!((&b.median, &b.mad, &b.outliers), (&mid, &mad, &outliers), "bid {} on {}", b.bidder, c.id);
            }
        }
        // The overall agreement is W of each evaluator's panel points, Σ points × mark / scale,
        // over the bids with every mark.
        if p.note.is_none() {
            let t = &inputs.tender;
            let panel_criteria: Vec<_> = t.criteria.iter().filter_map(|c| Some((c, c.rule.panel()?))).collect();
            let rows: Vec<Vec<Rat>> = p.criteria[0].bids.iter().map(|b| {
                (0..p.evaluators.len()).map(|e| panel_criteria.iter().fold(Rat::zero(), |acc, (c, rule)| {
                    let marks = &inputs.panel.as_ref().unwrap().marks[&c.id][&b.bidder];
                    acc.add(&Rat::from_decimal(c.points).mul(&Rat::from_decimal(marks[e])).div(&Rat::from_decimal(rule.scale)))
                })).collect()
            }).collect();
            proptest::prop_assert_eq!(&p.overall_w, &kendall_w(&rows));
        }
        for (e, d) in p.drop_one.iter().enumerate() {
            if let Some(w) = &d.winners {
                proptest::prop_assert_eq!(Some(w.clone()), bidscore::analysis::drop_one_winners_full(&inputs, e), "evaluator {}", e);
            }
        }
    }
}

/// The middle value, or the mean of the two middle values.
fn median_by_definition(values: &[Rat]) -> Rat {
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 { v[n / 2].clone() } else { v[n / 2 - 1].add(&v[n / 2]).div(&Rat::from_int(2)) }
}

/// Kendall's W from its definition, counted rather than sorted: a value's rank is the
/// number of values above it plus the mean position among its equals; T sums t³ − t over
/// each distinct value's t copies.
fn kendall_w_by_definition(table: &[Vec<i128>]) -> Option<Rat> {
    let n = table.len();
    let m = table.first()?.len();
    if n < 2 || m < 2 {
        return None;
    }
    let mut sums = vec![Rat::zero(); n];
    let mut ties = 0i128;
    for e in 0..m {
        let column: Vec<i128> = table.iter().map(|r| r[e]).collect();
        for (i, x) in column.iter().enumerate() {
            let above = column.iter().filter(|y| *y > x).count() as i128;
            let equal = column.iter().filter(|y| *y == x).count() as i128;
            sums[i] = sums[i].add(&Rat::ratio(2 * above + equal + 1, 2));
        }
        let mut distinct = column.clone();
        distinct.sort();
        distinct.dedup();
        for v in distinct {
            let t = column.iter().filter(|y| **y == v).count() as i128;
            ties += t * t * t - t;
        }
    }
    let (n, m) = (n as i128, m as i128);
    let mean = Rat::ratio(m * (n + 1), 2);
    let s = sums.iter().fold(Rat::zero(), |acc, r| acc.add(&r.sub(&mean).mul(&r.sub(&mean))));
    let d = m * m * (n * n * n - n) - m * ties;
    (d > 0).then(|| Rat::from_int(12).mul(&s).div(&Rat::from_int(d)))
}

proptest::proptest! {
    #[test]
    fn kendall_w_is_its_definition(
        table in (2usize..6).prop_flat_map(|m| proptest::collection::vec(proptest::collection::vec(0i128..5, m), 0..9))
    ) {
        let rats: Vec<Vec<Rat>> = table.iter().map(|r| r.iter().map(|x| Rat::from_int(*x)).collect()).collect();
        proptest::prop_assert_eq!(kendall_w(&rats), kendall_w_by_definition(&table));
        proptest::prop_assert_eq!(kendall_w(&table), kendall_w_by_definition(&table));
    }
}
