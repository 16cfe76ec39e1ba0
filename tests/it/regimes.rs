//! The shipped statutory regimes as worked examples (numbers checked independently with
//! exact fractions, by hand and by a throwaway script), and the properties of differential
//! scoring (차등점수제).

use bidscore::{Outcome, evaluate, load_paths};
use proptest::prelude::*;

use crate::generate::case;

fn run(criteria: &str, bids: &[&str]) -> Outcome {
    evaluate(&load_paths(criteria, bids).unwrap())
}

/// (bidder, status, rank, total) in report order.
fn table(o: &Outcome) -> Vec<(String, &'static str, Option<u32>, String)> {
    o.standings.iter().map(|s| (s.bidder.to_string(), s.status.as_str(), s.rank, s.total.to_string())).collect()
}

fn row(b: &str, status: &'static str, rank: Option<u32>, total: &str) -> (String, &'static str, Option<u32>, String) {
    (b.to_owned(), status, rank, total.to_owned())
}

fn points(o: &Outcome, bidder: &str, criterion: &str) -> String {
    o.points(bidder, criterion).unwrap().to_string()
}

#[test]
fn korean_negotiated_software_contract() {
    let o = run("criteria/kr-negotiated-sw.toml", &["bids/kr-negotiated-sw"]);
    assert_eq!(
        table(&o),
        [
            row("saebyeok-data", "selected", Some(1), "87.8750"),
            row("mirae-info", "qualified", Some(2), "87.2083"),
            row("gaon-it", "qualified", Some(3), "87.2083"),
            row("hanbit-soft", "qualified", Some(4), "87.1111"),
            row("daeyang-sys", "not-qualified", None, "78.7084"),
        ]
    );
    // kr-price with E = 1,000,000,000 and L = 550,000,000 (saebyeok-data), P = 10:
    //   B = 900M ≥ 0.8E: 10 × 550/900                           = 6.1111
    //   B = 800M = 0.8E: 10 × 550/800                           = 6.8750
    //   B = 700M < 0.8E: 10 × 550/800 + 2 × (800 − 700)/200      = 7.8750
    //   B = 650M:        6.875 + 2 × 150/200                    = 8.3750
    //   B = 550M < 0.6E: counted at 600M: 6.875 + 2 × 200/200   = 8.8750
    for (bidder, want) in
        [("hanbit-soft", "6.1111"), ("mirae-info", "6.8750"), ("gaon-it", "7.8750"), ("daeyang-sys", "8.3750"), ("saebyeok-data", "8.8750")]
    {
        assert_eq!(points(&o, bidder, "price"), want, "{bidder}");
    }
    // 85% of 90 = 76.5: daeyang-sys's 70.3334 misses it by 6.1666.
    let d = o.standing("daeyang-sys").unwrap();
    assert_eq!(d.section("technical").unwrap().to_string(), "70.3334");
    assert!(!d.qualification[0].met);
    // The tie on the total goes to the higher technical score (80.3333 > 79.3333), not
    // to the lower bidder id (`gaon-it` < `mirae-info`).
    assert_eq!(
        o.standing("mirae-info").unwrap().tie.as_ref().map(bidscore::report::prose::tie).as_deref(),
        Some("tied on total with `gaon-it`; settled by `section:technical`")
    );
    // Panel: one highest and one lowest mark dropped. saebyeok-data on methodology:
    // [8.5, 9, 3, 8, 9.5] keeps 8, 8.5, 9 → 8.5 / 10 × 30 = 25.5.
    assert_eq!(points(&o, "saebyeok-data", "methodology"), "25.5000");
}

#[test]
fn differential_scoring_lets_the_technical_leader_win() {
    let plain = run("criteria/kr-negotiated-sw.toml", &["bids/kr-negotiated-sw"]);
    let o = run("criteria/kr-negotiated-sw-differential.toml", &["bids/kr-negotiated-sw"]);
    // Technical ranks among the qualified: hanbit 81 > mirae 80.3333 > gaon 79.3333 >
    // saebyeok 79 → 90, 88.5, 87, 85.5; the price points are unchanged.
    assert_eq!(
        table(&o),
        [
            row("hanbit-soft", "selected", Some(1), "96.1111"),
            row("mirae-info", "qualified", Some(2), "95.3750"),
            row("gaon-it", "qualified", Some(3), "94.8750"),
            row("saebyeok-data", "qualified", Some(4), "94.3750"),
            row("daeyang-sys", "not-qualified", None, "78.7084"),
        ]
    );
    for s in &o.standings {
        let before = plain.standing(&s.bidder).unwrap();
        let orig = s.original.as_ref().unwrap();
        // The original points are kept and equal the plain tender's; criterion points never move.
        assert_eq!(orig.total, before.total);
        assert_eq!(orig.sections, before.sections);
        assert_eq!(s.points, before.points);
    }
    assert_eq!(o.standing("daeyang-sys").unwrap().original.as_ref().unwrap().section_rank, None);
    assert_eq!(o.standing("saebyeok-data").unwrap().original.as_ref().unwrap().section_rank, Some(4));

    // The JSON keeps both.
    let inputs = load_paths("criteria/kr-negotiated-sw-differential.toml", &["bids/kr-negotiated-sw"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&crate::json(&inputs, &evaluate(&inputs))).unwrap();
    let b = &v["bids"][3];
    assert_eq!(b["bidder"], "saebyeok-data");
    assert_eq!((&b["total"], &b["original_total"]), (&serde_json::json!("94.3750"), &serde_json::json!("87.8750")));
    assert_eq!(
        (&b["sections"]["technical"], &b["original_sections"]["technical"]),
        (&serde_json::json!("85.5000"), &serde_json::json!("79.0000"))
    );
    assert_eq!(b["differential_rank"], 4);
}

#[test]
fn world_bank_qcbs_opens_only_qualified_price_envelopes() {
    let o = run("criteria/worldbank-qcbs.toml", &["bids/worldbank-qcbs"]);
    // S = St × 0.8 + Sf × 0.2 with Sf = 100 × Fm / F, Fm = 400,000 (birch) — the lowest
    // price among proposals that reach the minimum technical score (75 of 100). dogwood
    // (St 74.5, price 250,000) is below it: its envelope stays sealed and sets no Fm.
    //   birch  St 80: 64 + 20 × 400/400            = 84
    //   cedar  St 82: 65.6 + 20 × 400/450          = 83.3778
    //   alder  St 84: 67.2 + 20 × 400/500          = 83.2
    assert_eq!(
        table(&o),
        [
            row("birch", "selected", Some(1), "84.0000"),
            row("cedar", "qualified", Some(2), "83.3778"),
            row("alder", "qualified", Some(3), "83.2000"),
            row("dogwood", "not-qualified", None, "79.6000"),
        ]
    );
    // Had dogwood's price counted (among = "eligible"), Fm = 250,000 and the order reverses.
    let text = std::fs::read_to_string("criteria/worldbank-qcbs.toml").unwrap();
    assert!(text.contains("among = \"qualified\""));
    let opened = text.replace("among = \"qualified\"", "among = \"eligible\"");
    let mut sources = vec![bidscore::SourceFile::new("criteria/worldbank-qcbs.toml", opened)];
    for b in ["alder", "birch", "cedar", "dogwood"] {
        let path = format!("bids/worldbank-qcbs/{b}.toml");
        sources.push(bidscore::SourceFile::new(path.clone(), std::fs::read_to_string(&path).unwrap()));
    }
    let o = evaluate(&bidscore::load_sources(sources).unwrap());
    assert_eq!(o.winners(), ["alder"]);
    assert_eq!(o.standing("birch").unwrap().total.to_string(), "76.5000");
}

#[test]
fn eu_relative_price_formula_reverses_a_ranking_when_a_bid_is_withdrawn() {
    let all = run("criteria/eu-meat.toml", &["bids/eu-meat"]);
    assert_eq!(
        table(&all),
        [
            row("aurora", "selected", Some(1), "71.3600"),
            row("cirrus", "qualified", Some(2), "70.0000"),
            row("boreal", "qualified", Some(3), "69.2000"),
        ]
    );
    // cirrus withdraws: it never wins, yet aurora and boreal swap places, because the
    // price points of both were relative to cirrus's price (WP × Pmin / Pi).
    let without = run("criteria/eu-meat.toml", &["bids/eu-meat/aurora.toml", "bids/eu-meat/boreal.toml"]);
    assert_eq!(table(&without), [row("boreal", "selected", Some(1), "90.0000"), row("aurora", "qualified", Some(2), "88.0000")]);
    // Quality did not move; only the price points did.
    for b in ["aurora", "boreal"] {
        assert_eq!(all.standing(b).unwrap().section("quality"), without.standing(b).unwrap().section("quality"));
    }
}

/// Force differential scoring on a generated tender (step fine enough for its rounding).
fn with_differential() -> impl Strategy<Value = crate::generate::Case> {
    case(7).prop_map(|mut c| {
        if c.differential.is_none() {
            c.differential = Some((0, if c.places == 0 { "2" } else { "1.5" }));
        }
        c
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

    /// Differential scoring keeps the technical order among qualified bids (a strictly
    /// better section stays at least as good, and strictly better unless clipped at 0; a
    /// tie stays a tie), never lifts the section above its maximum, and leaves bids that
    /// are not qualified, and every criterion's points, alone.
    #[test]
    fn differential_keeps_the_technical_order_and_the_maximum(c in with_differential()) {
        // An uncapped kr-price may exceed its points by design (SPEC §3.1).
        prop_assume!(!c.criteria.iter().any(|x| matches!(x.kind, crate::generate::Kind::KrPrice { cap: false, .. })));
        let inputs = crate::load_ok(&c.criteria_toml(), &c.other_files(&(0..c.bids.len()).collect::<Vec<_>>()));
        let (section, _) = c.differential.unwrap();
        let id = format!("s{section}");
        let max = inputs.tender.section_max(&id);
        let o = evaluate(&inputs);
        let qualified: Vec<&bidscore::Standing> =
            o.standings.iter().filter(|s| s.rank.is_some()).collect();
        for s in &o.standings {
            let orig = s.original.as_ref().unwrap();
            let now = s.section(&id).unwrap().decimal();
            prop_assert!(now <= max, "{} counts {} of {}", s.bidder, now, max);
            prop_assert!(now >= rust_decimal::Decimal::ZERO);
            let criteria_sum: rust_decimal::Decimal = s.points.iter().map(|x| x.decimal()).sum();
            prop_assert_eq!(criteria_sum, orig.total.decimal());
            if orig.section_rank.is_none() {
                prop_assert_eq!(&orig.sections, &s.sections);
                prop_assert_eq!(orig.total, s.total);
            }
        }
        for a in &qualified {
            for b in &qualified {
                let before = |x: &bidscore::Standing| x.original.as_ref().unwrap().sections.iter().find(|(k, _)| *k == id).unwrap().1;
                let (oa, ob) = (before(a), before(b));
                let (na, nb) = (a.section(&id).unwrap(), b.section(&id).unwrap());
                if oa > ob {
                    prop_assert!(na >= nb);
                    prop_assert!(na > nb || nb.decimal().is_zero(), "{} {} vs {} {}", oa, na, ob, nb);
                } else if oa == ob {
                    prop_assert_eq!(na, nb);
                }
            }
        }
        // The technical leader keeps (or gets) the full section.
        if let Some(top) = qualified.iter().map(|s| s.original.as_ref().unwrap().sections.iter().find(|(k, _)| *k == id).unwrap().1).max() {
            let leader = qualified.iter().find(|s| s.original.as_ref().unwrap().sections.iter().any(|(k, p)| *k == id && *p == top)).unwrap();
            prop_assert_eq!(leader.section(&id).unwrap().decimal(), max);
        }
    }
}
