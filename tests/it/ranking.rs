//! Qualification, ties and the award, stated as worked cases (the differential test covers
//! the same semantics on random tenders).

use bidscore::{Awarded, BidStatus, Warning, evaluate};

use crate::load_ok;

fn tender(extra_eval: &str, award: &str) -> String {
    format!(
        "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = 100\n{extra_eval}\n[award]\n{award}\n\
         [[section]]\nid = \"tech\"\ntitle = \"Technical\"\n[[section]]\nid = \"price\"\ntitle = \"Price\"\n\
         [[gate]]\nid = \"ok\"\ntitle = \"Eligible\"\nfield = \"ok\"\nrequire = {{ equals = true }}\n\
         [[criterion]]\nid = \"quality\"\nsection = \"tech\"\ntitle = \"Quality\"\npoints = 80\nfield = \"q\"\nrule = {{ kind = \"linear\", zero_at = 0, full_at = 100 }}\n\
         [[criterion]]\nid = \"cost\"\nsection = \"price\"\ntitle = \"Cost\"\npoints = 20\nfield = \"c\"\nrule = {{ kind = \"linear\", zero_at = 100, full_at = 0 }}\n"
    )
}

fn bid(id: &str, ok: bool, q: u32, c: u32, units: u32) -> String {
    format!("ok = {ok}\nq = {q}\nc = {c}\nunits = {units}\n[bidder]\nid = \"{id}\"\nname = \"{id}\"\n")
}

#[test]
fn the_technical_threshold_is_exact_and_inclusive() {
    // 85% of 80 = 68: q = 85 gives exactly 68 and qualifies; q = 84 gives 67.2 and does not.
    let t = tender("qualify = [{ section = \"tech\", min_share = 0.85 }]", "winners = \"all\"");
    let o = evaluate(&load_ok(&t, &[bid("a", true, 85, 0, 1), bid("b", true, 84, 100, 1), bid("c", false, 100, 100, 1)]));
    let statuses: Vec<(&str, BidStatus, Option<u32>)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.status, s.rank)).collect();
    assert_eq!(
        statuses,
        vec![("a", BidStatus::Selected, Some(1)), ("b", BidStatus::NotQualified, None), ("c", BidStatus::Disqualified, None)]
    );
}

#[test]
fn ties_go_through_the_chain_and_share_a_rank_when_unresolved() {
    // All three total 50: a and c = 80 × 0.5 + 20 × 0.5; b = 80 × 0.6 + 20 × 0.1.
    // `section:tech` puts b first (48 > 40); a and c stay tied and share rank 2.
    let t = tender("tie_break = [\"section:tech\"]", "winners = 2");
    let o = evaluate(&load_ok(
        &t,
        &[bid("a", true, 50, 50, 1), bid("b", true, 60, 90, 1), bid("c", true, 50, 50, 1), bid("d", true, 10, 100, 1)],
    ));
    let ranks: Vec<(&str, Option<u32>, BidStatus)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.rank, s.status)).collect();
    assert_eq!(
        ranks,
        vec![
            ("b", Some(1), BidStatus::Selected),
            ("a", Some(2), BidStatus::Selected),
            ("c", Some(2), BidStatus::Qualified),
            ("d", Some(4), BidStatus::Qualified)
        ]
    );
    let tie = |id: &str| o.standing(id).unwrap().tie.as_ref().map(bidscore::report::prose::tie);
    let warnings: Vec<String> = o.warnings.iter().map(bidscore::report::prose::warning).collect();
    assert_eq!(tie("b").as_deref(), Some("tied on total with `a`, `c`; settled by `section:tech`"));
    assert_eq!(tie("a").as_deref(), Some("tied on total with `b`, `c`; unresolved: the rank is shared"));
    assert!(warnings.iter().any(|w| w == "`a`, `c` are tied after every tie-break and share rank 2"), "{warnings:?}");
    // The award cuts through the unresolved tie: the report says bidder id decided it.
    assert!(warnings.iter().any(|w| w.starts_with("the award separates `a` and `c`")), "{warnings:?}");
}

#[test]
fn the_award_fills_the_quantity_in_rank_order_and_skips_bids_that_get_nothing() {
    let t = tender("", "winners = 2\nquantity = { field = \"units\", total = 10 }");
    let o =
        evaluate(&load_ok(&t, &[bid("a", true, 90, 0, 6), bid("b", true, 80, 0, 0), bid("c", true, 70, 0, 9), bid("d", true, 60, 0, 5)]));
    let awards: Vec<(&str, Awarded)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.award)).collect();
    // b offers nothing and does not use a place; c gets the remaining 4; the two places are used.
    assert_eq!(awards, vec![("a", Awarded::Quantity(6)), ("b", Awarded::No), ("c", Awarded::Quantity(4)), ("d", Awarded::No)]);
    assert_eq!(o.winners(), vec!["a", "c"]);
}

/// A failed tender is said so: when no bid is selected, the outcome says why (first among
/// its warnings), and every report carries the sentence.
#[test]
fn a_tender_that_selects_no_bid_says_why() {
    use bidscore::NoSelection;
    use bidscore::report::{Format, ScoreReport};
    let why = |o: &bidscore::Outcome| match o.warnings.first() {
        Some(Warning::NoneSelected { why }) => Some(*why),
        _ => None,
    };
    // Every bid fails the gate.
    let t = tender("", "winners = 1");
    let o = evaluate(&load_ok(&t, &[bid("a", false, 90, 0, 1), bid("b", false, 80, 0, 1)]));
    assert_eq!(why(&o), Some(NoSelection::AllDisqualified));
    // The bids that pass the gate all miss the threshold.
    let t = tender("qualify = [{ section = \"tech\", min_share = 0.85 }]", "winners = 1");
    let inputs = load_ok(&t, &[bid("a", true, 50, 0, 1), bid("b", false, 100, 0, 1)]);
    let o = evaluate(&inputs);
    assert_eq!(why(&o), Some(NoSelection::NoneQualified));
    let text = crate::show(&ScoreReport::new(&inputs, &o, None), Format::Table);
    assert!(text.contains("no bid was selected: no bid that passed the gates met every qualification threshold"), "{text}");
    let json = crate::show(&ScoreReport::new(&inputs, &o, None), Format::Json);
    assert!(json.contains("no bid was selected"), "{json}");
    // Qualified bids, but every one offers nothing of the quantity.
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 10 }");
    let o = evaluate(&load_ok(&t, &[bid("a", true, 90, 0, 0), bid("b", true, 80, 0, 0)]));
    assert_eq!(why(&o), Some(NoSelection::NothingToAward));
    // A tender with a winner says nothing of the kind.
    let o = evaluate(&load_ok(&t, &[bid("a", true, 90, 0, 3), bid("b", true, 80, 0, 0)]));
    assert!(o.warnings.iter().all(|w| !matches!(w, Warning::NoneSelected { .. })));
}

/// SPEC §10.1: a cap per winner. With 10 units, `max_share = 0.35` caps each bid at
/// floor(3.5) = 3 and `max_quantity = 2` at 2; the smaller applies, and what a cap holds back
/// goes on down the ranking.
#[test]
fn a_cap_per_winner_holds_each_award_and_passes_the_rest_on() {
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 10 }\nmax_share = 0.35");
    let bids = [bid("a", true, 90, 0, 6), bid("b", true, 80, 0, 5), bid("c", true, 70, 0, 9), bid("d", true, 60, 0, 5)];
    let o = evaluate(&load_ok(&t, &bids));
    let awards: Vec<(&str, Awarded)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.award)).collect();
    assert_eq!(
        awards,
        vec![("a", Awarded::Quantity(3)), ("b", Awarded::Quantity(3)), ("c", Awarded::Quantity(3)), ("d", Awarded::Quantity(1))]
    );
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 10 }\nmax_share = 0.35\nmax_quantity = 2");
    let o = evaluate(&load_ok(&t, &bids));
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::Quantity(2); 4]);
    // The cap survives writing the tender back to TOML.
    let inputs = load_ok(&t, &bids);
    let text = inputs.tender.to_toml();
    assert!(text.contains("max_share = 0.35") && text.contains("max_quantity = 2"), "{text}");
}

/// SPEC §10.1 `proportional`: 10 units among offers 6, 5 and 9 (Σ 20): 3, 2.5 and 4.5 →
/// floors 3, 2, 4 and the one unit left to the largest remainder, a tie (0.5 each) that goes
/// to the better-ranked bid, b. With a cap of 3 (`max_quantity`), c's 4 is held to 3; the
/// unit it frees would go to another sharing bid below its offer and the cap, but a and b are
/// at the cap and d is not among the `winners = 3` sharing, so it goes to no one.
#[test]
fn a_proportional_award_shares_by_largest_remainder() {
    let bids = [bid("a", true, 90, 0, 6), bid("b", true, 80, 0, 5), bid("c", true, 70, 0, 9), bid("d", true, 60, 0, 5)];
    let t = tender("", "winners = 3\nquantity = { field = \"units\", total = 10 }\nallocation = \"proportional\"");
    let o = evaluate(&load_ok(&t, &bids));
    let given: Vec<(&str, Awarded)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.award)).collect();
    assert_eq!(given, vec![("a", Awarded::Quantity(3)), ("b", Awarded::Quantity(3)), ("c", Awarded::Quantity(4)), ("d", Awarded::No)]);
    let t = tender("", "winners = 3\nquantity = { field = \"units\", total = 10 }\nallocation = \"proportional\"\nmax_quantity = 3");
    let o = evaluate(&load_ok(&t, &bids));
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::Quantity(3), Awarded::Quantity(3), Awarded::Quantity(3), Awarded::No]);
    // Offers that fit: each gets its offer.
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 100 }\nallocation = \"proportional\"");
    let o = evaluate(&load_ok(&t, &bids));
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::Quantity(6), Awarded::Quantity(5), Awarded::Quantity(9), Awarded::Quantity(5)]);
    assert!(load_ok(&t, &bids).tender.to_toml().contains("allocation = \"proportional\""));
}

fn priced(id: &str, q: u32, units: u32, price: &str) -> String {
    format!("ok = true\nq = {q}\nc = 0\nunits = {units}\nprice = {price}\n[bidder]\nid = \"{id}\"\nname = \"{id}\"\n")
}

fn record(entries: &[(&str, &str, Option<u64>)]) -> String {
    let mut o = String::from("[negotiation]\nsource = \"test\"\n");
    for (id, outcome, q) in entries {
        o += &format!("[negotiation.bids.{id}]\noutcome = \"{outcome}\"\nsource = \"minutes\"\n");
        if let Some(q) = q {
            o += &format!("quantity = {q}\n");
        }
    }
    o
}

fn awards(o: &bidscore::Outcome) -> Vec<(&str, BidStatus, Awarded)> {
    o.standings.iter().map(|s| (s.bidder.as_str(), s.status, s.award)).collect()
}

/// SPEC §10.1 budget, rank order: 10 units and 100 to spend. a (price 12, offers 6) gets
/// min(6, 10, floor(100 / 12) = 8) = 6 and leaves 28; b (price 10, offers 5) gets
/// floor(28 / 10) = 2 and leaves 8; c (price 9) cannot buy one unit and is passed over
/// without using a place; d (price 4) gets min(5, 2 units left, floor(8 / 4) = 2) = 2.
#[test]
fn a_budget_buys_in_rank_order_until_the_money_runs_out() {
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 10 }\nbudget = { total = 100, unit_price = \"price\" }");
    let bids = [priced("a", 90, 6, "12"), priced("b", 80, 5, "10"), priced("c", 70, 9, "9"), priced("d", 60, 5, "4")];
    let o = evaluate(&load_ok(&t, &bids));
    assert_eq!(
        awards(&o),
        vec![
            ("a", BidStatus::Selected, Awarded::Quantity(6)),
            ("b", BidStatus::Selected, Awarded::Quantity(2)),
            ("c", BidStatus::Qualified, Awarded::No),
            ("d", BidStatus::Selected, Awarded::Quantity(2)),
        ]
    );
    // Exactly: 10 / 2.5 is 4 units, not 3.999…; 10 / 3.3333333333 is 3 (just above 3).
    let t = tender("", "winners = \"all\"\nquantity = { field = \"units\", total = 10 }\nbudget = { total = 10, unit_price = \"price\" }");
    let o = evaluate(&load_ok(&t, &[priced("a", 90, 9, "2.5")]));
    assert_eq!(o.standings[0].award, Awarded::Quantity(4));
    let o = evaluate(&load_ok(&t, &[priced("a", 90, 9, "3.3333333333")]));
    assert_eq!(o.standings[0].award, Awarded::Quantity(3));
    // The budget survives writing the tender back to TOML.
    let text = load_ok(&t, &[priced("a", 90, 9, "2.5")]).tender.to_toml();
    assert!(text.contains("budget = { total = 10, unit_price = \"price\" }"), "{text}");
}

/// SPEC §10.1 budget after a proportional split: the shares 3, 3 and 4 (see above), then the
/// budget of 25 at 5 a unit in rank order: a 3 (15), b 2 (the 10 left), c nothing.
#[test]
fn a_budget_trims_a_proportional_split_in_rank_order() {
    let t = tender(
        "",
        "winners = 3\nquantity = { field = \"units\", total = 10 }\nallocation = \"proportional\"\nbudget = { total = 25, unit_price = \"price\" }",
    );
    let bids = [priced("a", 90, 6, "5"), priced("b", 80, 5, "5"), priced("c", 70, 9, "5")];
    let o = evaluate(&load_ok(&t, &bids));
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::Quantity(3), Awarded::Quantity(2), Awarded::No]);
}

/// SPEC §10.2: a bid that declines keeps its rank, gets the status `declined` and nothing,
/// and the next-ranked bid moves up, under any allocation.
#[test]
fn a_decline_moves_the_next_bid_up() {
    let bids = [bid("a", true, 90, 0, 1), bid("b", true, 80, 0, 1), bid("c", true, 70, 0, 1), bid("d", true, 60, 0, 1)];
    let rec = record(&[("a", "declined", None), ("b", "agreed", None), ("c", "agreed", None), ("d", "not-invited", None)]);
    for allocation in ["", "allocation = \"negotiated\"\n"] {
        let t = tender("", &format!("winners = 2\n{allocation}"));
        let mut files = bids.to_vec();
        files.push(rec.clone());
        let inputs = load_ok(&t, &files);
        let o = evaluate(&inputs);
        assert_eq!(
            awards(&o),
            vec![
                ("a", BidStatus::Declined, Awarded::No),
                ("b", BidStatus::Selected, Awarded::Yes),
                ("c", BidStatus::Selected, Awarded::Yes),
                ("d", BidStatus::Qualified, Awarded::No),
            ],
            "{allocation}"
        );
        assert_eq!(o.standing("a").unwrap().rank, Some(1));
        let check = o.negotiation.as_ref().unwrap();
        assert!(check.departures.is_empty() && check.agrees_with_model, "{check:?}");
        assert!(bidscore::departures(&inputs, &o).items.is_empty());
    }
    // Every ranked bid declining or withdrawing: the tender failed, and says why.
    let t = tender("", "winners = 2");
    let files = [bid("a", true, 90, 0, 1), bid("b", true, 80, 0, 1), record(&[("a", "declined", None), ("b", "withdrawn", None)])];
    let o = evaluate(&load_ok(&t, &files));
    assert_eq!(o.standing("b").unwrap().status, BidStatus::Withdrawn);
    assert!(o.warnings.contains(&Warning::NoneSelected { why: bidscore::NoSelection::AllDeclined }));
}

/// SPEC §10.2: the award takes the agreed quantities in rank order within the total; a record
/// that skips a better bid, agrees more than the total, or leaves a ranked bid out is
/// reported, located in the record — as errors, or as warnings when the tender says so.
#[test]
fn a_record_that_departs_from_the_rules_is_reported() {
    let award = "winners = \"all\"\nquantity = { field = \"units\", total = 10 }\nallocation = \"negotiated\"";
    let bids = [bid("a", true, 90, 0, 6), bid("b", true, 80, 0, 5), bid("c", true, 70, 0, 5)];
    // In order and within the total: the record's quantities, even above an offer (shown).
    let mut files = bids.to_vec();
    files.push(record(&[("a", "agreed", Some(3)), ("b", "agreed", Some(7)), ("c", "declined", None)]));
    let inputs = load_ok(&tender("", award), &files);
    let o = evaluate(&inputs);
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::Quantity(3), Awarded::Quantity(7), Awarded::No]);
    let check = o.negotiation.as_ref().unwrap();
    assert!(check.departures.is_empty());
    assert_eq!(check.rows[1].above_offer, Some(5));
    // a (rank 1) never invited, b agreed past it; 8 + 5 agreed of a total of 10; c left out.
    let mut files = bids.to_vec();
    files.push(record(&[("a", "not-invited", None), ("b", "agreed", Some(8)), ("c", "agreed", Some(5))]));
    let inputs = load_ok(&tender("", award), &files);
    let o = evaluate(&inputs);
    let codes: Vec<&str> = o.negotiation.as_ref().unwrap().departures.iter().map(bidscore::Departure::code).collect();
    assert_eq!(codes, vec!["negotiation-out-of-order", "negotiation-out-of-order", "negotiated-over-total"]);
    // The award keeps to the rules: b's 8, then c the 2 left.
    let given: Vec<Awarded> = o.standings.iter().map(|s| s.award).collect();
    assert_eq!(given, vec![Awarded::No, Awarded::Quantity(8), Awarded::Quantity(2)]);
    let d = bidscore::departures(&inputs, &o);
    assert!(d.items.iter().all(|x| x.severity == bidscore::Severity::Error));
    let shown = d.render_human(false);
    assert!(shown.contains("`b` (rank 2) agreed, but `a` (rank 1) was never invited"), "{shown}");
    // As warnings, when the tender says so.
    let inputs = load_ok(&tender("", &format!("{award}\ndepartures = \"warning\"")), &files);
    let d = bidscore::departures(&inputs, &evaluate(&inputs));
    assert!(!d.items.is_empty() && d.items.iter().all(|x| x.severity == bidscore::Severity::Warning));
    // A ranked bid the record does not mention.
    let mut files = bids.to_vec();
    files.push(record(&[("a", "agreed", Some(6)), ("b", "agreed", Some(4))]));
    let o = evaluate(&load_ok(&tender("", award), &files));
    let codes: Vec<&str> = o.negotiation.as_ref().unwrap().departures.iter().map(bidscore::Departure::code).collect();
    assert_eq!(codes, vec!["negotiation-incomplete"]);
}

/// Issue 12: a tie-break on a bid field, and a seeded lottery as the last step. a, b and c
/// all total 50; `lower:price` puts the cheapest first, `earlier:` the earliest date; the
/// lottery orders what is still tied by SHA-256("<seed>:<id>"), the same draw for the same
/// seed whatever the order of the files, shown in the report as `lottery:<seed>`.
#[test]
fn ties_on_a_bid_field_and_a_seeded_lottery() {
    let bid = |id: &str, price: u32, day: &str| {
        format!("ok = true\nq = 50\nc = 50\nprice = {price}\nready = {day}\n[bidder]\nid = \"{id}\"\nname = \"{id}\"\n")
    };
    let bids = [bid("a", 30, "2026-03-01"), bid("b", 20, "2026-05-01"), bid("c", 20, "2026-01-01")];
    let order = |tie_break: &str, files: &[String]| -> Vec<String> {
        let o = evaluate(&load_ok(&tender(&format!("tie_break = [{tie_break}]"), "winners = 1"), files));
        o.standings.iter().map(|s| s.bidder.to_string()).collect()
    };
    // Cheapest first (b and c tie on price; then the earlier date).
    assert_eq!(order("\"lower:price\", \"earlier:ready\"", &bids), ["c", "b", "a"]);
    assert_eq!(order("\"higher:price\", \"later:ready\"", &bids), ["a", "b", "c"]);
    // The lottery: the draw is SHA-256 of "<seed>:<id>", lower key first.
    let key = |seed: u64, id: &str| bidscore::TieBreak::lottery_key(seed, id);
    for seed in [1u64, 7, 20250728] {
        let mut want = vec!["a", "b", "c"];
        want.sort_by_key(|id| key(seed, id));
        let got = order(&format!("\"lottery:{seed}\""), &bids);
        assert_eq!(got, want, "seed {seed}");
        // Same seed, same draw, whatever the order of the files.
        let reversed: Vec<String> = bids.iter().rev().cloned().collect();
        assert_eq!(order(&format!("\"lottery:{seed}\""), &reversed), want);
        // The report says which step settled each tie, with the seed.
        let inputs = load_ok(&tender(&format!("tie_break = [\"lottery:{seed}\"]"), "winners = 1"), &bids);
        let o = evaluate(&inputs);
        assert_eq!(
            o.standings[0].tie.as_ref().and_then(|t| t.settled_by.as_ref()).map(ToString::to_string),
            Some(format!("lottery:{seed}"))
        );
        assert!(inputs.tender.to_toml().contains(&format!("\"lottery:{seed}\"")));
    }
    // A first and a second draw differ for some seed (the keys are not a fixed order).
    let draws: std::collections::BTreeSet<Vec<String>> = (0..20u64).map(|s| order(&format!("\"lottery:{s}\""), &bids)).collect();
    assert!(draws.len() > 1);
}

/// A tender with one abnormally low tender check on `price`, and bids with a quality mark.
fn low_tender(rule: &str, action: &str, award: &str) -> String {
    let mut t = tender("", award);
    t += &format!(
        "[[abnormally_low]]\nid = \"alt\"\ntitle = \"Abnormally low\"\nfield = \"price\"\nrule = {{ {rule} }}\naction = \"{action}\"\n"
    );
    t
}

fn low_order(t: &str, prices: &[(&str, u32, &str)]) -> bidscore::Outcome {
    let bids: Vec<String> = prices.iter().map(|(id, q, p)| priced(id, *q, 1, p)).collect();
    evaluate(&load_ok(t, &bids))
}

fn lows(o: &bidscore::Outcome) -> Vec<(&str, bool)> {
    o.standings.iter().map(|s| (s.bidder.as_str(), s.low.iter().any(|v| v.low))).collect()
}

/// Issue 12, abnormally low tenders: below P% of the estimate (strictly), or of the mean of
/// the other bids; a flag leaves the status alone and warns, an exclusion makes the bid
/// `excluded` and the award walks past it.
#[test]
fn abnormally_low_prices_by_the_estimate_and_the_mean() {
    // 80% of an estimate of 100 is 80: 79 is abnormally low, 80 is not.
    let t = low_tender("kind = \"share-of-estimate\", estimate = 100, share = 0.8", "flag", "winners = 1");
    let o = low_order(&t, &[("a", 90, "79"), ("b", 80, "80")]);
    assert_eq!(lows(&o), vec![("a", true), ("b", false)]);
    assert_eq!(o.standing("a").unwrap().status, BidStatus::Selected, "a flag does not exclude");
    assert!(o.warnings.contains(&Warning::AbnormallyLow { bidder: "a".into(), check: "alt".into(), excluded: false }));
    // Excluded: a keeps its rank, the award walks past it to b.
    let t = low_tender("kind = \"share-of-estimate\", estimate = 100, share = 0.8", "exclude", "winners = 1");
    let o = low_order(&t, &[("a", 90, "79"), ("b", 80, "80")]);
    assert_eq!(awards(&o), vec![("a", BidStatus::Excluded, Awarded::No), ("b", BidStatus::Selected, Awarded::Yes)]);
    assert_eq!(o.standing("a").unwrap().rank, Some(1));
    // 80% of the mean of the others: c at 50 against (100 + 100) / 2 → 80; b at 100
    // against (50 + 100) / 2 = 75 → 60.
    let t = low_tender("kind = \"share-of-mean\", share = 0.8", "flag", "winners = 1");
    let o = low_order(&t, &[("a", 90, "100"), ("b", 80, "100"), ("c", 70, "50")]);
    assert_eq!(lows(&o), vec![("a", false), ("b", false), ("c", true)]);
    assert_eq!(o.standing("c").unwrap().low[0].threshold.as_ref().map(bidscore::Rat::to_exact_string), Some("80".into()));
    // A disqualified bid is not checked and counts in no mean.
    let t = low_tender("kind = \"share-of-mean\", share = 0.8", "flag", "winners = 1");
    let mut bids: Vec<String> = [("a", 90, "100"), ("c", 70, "50")].iter().map(|(id, q, p)| priced(id, *q, 1, p)).collect();
    bids.push("ok = false\nq = 1\nc = 0\nunits = 1\nprice = 1000\n[bidder]\nid = \"z\"\nname = \"z\"\n".into());
    let o = evaluate(&load_ok(&t, &bids));
    assert!(o.standing("z").unwrap().low.is_empty());
    assert_eq!(o.standing("c").unwrap().low[0].threshold.as_ref().map(bidscore::Rat::to_exact_string), Some("80".into()));
}

/// Italy's wing-trimmed threshold, worked by hand: base 100 and ten prices, discounts 0.10,
/// 0.12, 0.15, 0.16, 0.20, 0.22, 0.25, 0.30, 0.40, 0.60. One (10%, rounded up) set aside at
/// each end leaves eight with mean M = 1.80 / 8 = 0.225; those above it exceed it by 0.025,
/// 0.075 and 0.175, so S = 0.275 / 3; M + S = 0.31666…, a price of at most 68.333… is
/// abnormally low: 60 and 40, not 70. With fewer bids than `min_bids` it does not apply.
#[test]
fn the_wing_trimmed_threshold_as_in_italy() {
    let prices = ["90", "88", "85", "84", "80", "78", "75", "70", "60", "40"];
    let bids: Vec<(String, u32, &str)> = prices.iter().enumerate().map(|(k, p)| (format!("b{k}"), 90 - k as u32, *p)).collect();
    let refs: Vec<(&str, u32, &str)> = bids.iter().map(|(id, q, p)| (id.as_str(), *q, *p)).collect();
    let t = low_tender("kind = \"wing-trimmed\", base = 100", "exclude", "winners = \"all\"");
    let o = low_order(&t, &refs);
    let low: Vec<&str> = o.standings.iter().filter(|s| s.status == BidStatus::Excluded).map(|s| s.bidder.as_str()).collect();
    assert_eq!(low, ["b8", "b9"]);
    let v = &o.standing("b7").unwrap().low[0];
    assert_eq!(v.threshold.as_ref().map(|x| x.display(4)), Some("68.3333".into()));
    assert!(!v.low && v.at_or_below);
    // Nine bids and `min_bids = 10`: no threshold, nobody excluded.
    let t = low_tender("kind = \"wing-trimmed\", base = 100, min_bids = 10", "exclude", "winners = \"all\"");
    let o = low_order(&t, &refs[..9]);
    assert!(o.standings.iter().all(|s| s.status == BidStatus::Selected));
    assert!(o.standings[0].low[0].threshold.is_none());
    // The check survives writing the tender back.
    let text = load_ok(&t, &[priced("a", 1, 1, "1")]).tender.to_toml();
    assert!(text.contains("rule = { kind = \"wing-trimmed\", base = 100, wings = 0.1, min_bids = 10 }"), "{text}");
}

/// Issue 12, lots: each lot is ranked among the bids that bid for it, on its criteria, and
/// awarded in the order written; with `max_lots_per_bidder = 1`, a bidder that already won a
/// lot is passed over and the next-ranked bid moves up.
#[test]
fn lots_with_a_limit_per_bidder() {
    let lots = "[[lot]]\nid = \"north\"\ntitle = \"North\"\nquantity = 6\n\
                [[lot]]\nid = \"south\"\ntitle = \"South\"\nquantity = 4\ncriteria = [\"quality\"]\n";
    let bid = |id: &str, q: u32, c: u32, lots: &str| {
        format!("ok = true\nq = {q}\nc = {c}\nunits = 5\n[bidder]\nid = \"{id}\"\nname = \"{id}\"\n{lots}")
    };
    // Cost scores 20 at 0 and nothing at 100.
    let bids = [bid("a", 90, 100, ""), bid("b", 80, 0, "lots = [\"north\", \"south\"]\n"), bid("c", 70, 0, "lots = [\"south\"]\n")];
    let run = |limit: &str| {
        let t = tender("", &format!("winners = 1\nquantity = {{ field = \"units\", total = 10 }}\n{limit}")) + lots;
        evaluate(&load_ok(&t, &bids))
    };
    // North on everything: a 72 + 0 = 72 against b 64 + 20 = 84, so b takes 5 of its 6;
    // south on quality alone: a 72, b 64, c 56, so a takes 4 of 4.
    let o = run("");
    let north = &o.lots[0].outcome;
    let south = &o.lots[1].outcome;
    assert_eq!(north.winners(), ["b"], "north: b 84 beats a 72");
    assert_eq!(south.winners(), ["a"]);
    assert_eq!(o.lots[1].criteria, ["quality"]);
    assert_eq!(o.lots[1].max_points, rust_decimal::Decimal::from(80));
    assert_eq!(south.standings.len(), 3);
    assert_eq!(north.standings.len(), 2, "c bids only for south");
    assert_eq!(north.standing("b").unwrap().award, Awarded::Quantity(5));
    assert_eq!(south.standing("a").unwrap().award, Awarded::Quantity(4));
    // The tender's standings (every bid on every criterion: b 84, c 76, a 72) carry what
    // each won over the lots.
    let whole: Vec<(&str, BidStatus, Awarded)> = awards(&o);
    assert_eq!(
        whole,
        vec![
            ("b", BidStatus::Selected, Awarded::Quantity(5)),
            ("c", BidStatus::Qualified, Awarded::No),
            ("a", BidStatus::Selected, Awarded::Quantity(4))
        ]
    );
    // b won north; with one lot per bidder, a still wins south (it had won nothing).
    let o = run("max_lots_per_bidder = 1");
    assert_eq!(o.lots[1].outcome.winners(), ["a"]);
    assert!(o.lots[1].passed_over.is_empty());
    // Give b the best quality (95): it wins north first and ranks first in south too (76 to
    // a's 72), where it is passed over and a moves up.
    let bids = [bid("a", 90, 100, ""), bid("b", 95, 0, "lots = [\"north\", \"south\"]\n"), bid("c", 70, 0, "lots = [\"south\"]\n")];
    let t = tender("", "winners = 1\nquantity = { field = \"units\", total = 10 }\nmax_lots_per_bidder = 1") + lots;
    let o = evaluate(&load_ok(&t, &bids));
    assert_eq!(o.lots[0].outcome.winners(), ["b"]);
    assert_eq!(o.lots[1].outcome.winners(), ["a"]);
    assert_eq!(o.lots[1].passed_over, ["b"]);
    assert_eq!(o.lots[1].outcome.standing("b").unwrap().status, BidStatus::Qualified);
    // Lots survive writing the tender and the bids back.
    let inputs = load_ok(&t, &bids);
    let text = inputs.tender.to_toml();
    assert!(text.contains("[[lot]]") && text.contains("max_lots_per_bidder = 1") && text.contains("criteria = [\"quality\"]"), "{text}");
    assert!(inputs.bids[1].to_toml().contains("lots = [\"north\", \"south\"]"));
}

/// docs/criteria-format.md §5.4's negotiated example: had the flagship's record agreed 8,000
/// for NHN Cloud, the award gives it 8,000, Naver Cloud 3,056 and Kakao only the 2,080 left,
/// and reports the total exceeded.
#[test]
fn the_flagship_record_over_the_total_is_cut_and_reported() {
    let mut sources = vec![bidscore::SourceFile::new("criteria.toml", std::fs::read_to_string("criteria/msit-2025-gpu.toml").unwrap())];
    for f in ["coupang", "kakao", "naver-cloud", "nhn-cloud", "panel", "negotiation"] {
        let mut text = std::fs::read_to_string(format!("bids/msit-2025/{f}.toml")).unwrap();
        if f == "negotiation" {
            text = text.replacen("quantity = 7656", "quantity = 8000", 1);
        }
        sources.push(bidscore::SourceFile::new(format!("{f}.toml"), text));
    }
    let inputs = bidscore::load_sources(sources).unwrap();
    let o = evaluate(&inputs);
    let given: Vec<(&str, Awarded)> = o.standings.iter().map(|s| (s.bidder.as_str(), s.award)).collect();
    assert_eq!(
        given,
        vec![
            ("nhn-cloud", Awarded::Quantity(8000)),
            ("naver-cloud", Awarded::Quantity(3056)),
            ("kakao", Awarded::Quantity(2080)),
            ("coupang", Awarded::No)
        ]
    );
    let codes: Vec<&str> = o.negotiation.as_ref().unwrap().departures.iter().map(bidscore::Departure::code).collect();
    assert_eq!(codes, ["negotiated-over-total"]);
}
