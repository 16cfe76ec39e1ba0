//! Snapshots of what people read: the flagship report as a table and as JSON, and a
//! rendered diagnostic. Review changes with `cargo insta review`.

use bidscore::report::{ExplainReport, Format, PanelReport, PathToWinReport, StabilityReport, WhatIfReport};
use bidscore::{evaluate, load_paths};

use crate::{json, show, table};

#[test]
fn flagship_table() {
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    insta::assert_snapshot!(table(&inputs, &evaluate(&inputs)));
}

#[test]
fn flagship_json() {
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    insta::assert_snapshot!(json(&inputs, &evaluate(&inputs)));
}

/// The flagship without its negotiation record: the rank-order model of the award, beside
/// the reported outcome with its gap (NHN +344, Naver +2,080, Kakao −2,424, Coupang not
/// shown as declining), in the table and in JSON.
#[test]
fn flagship_without_the_negotiation_record() {
    let files: Vec<String> =
        ["coupang", "kakao", "naver-cloud", "nhn-cloud", "panel", "reported"].iter().map(|f| format!("bids/msit-2025/{f}.toml")).collect();
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &files).unwrap();
    let outcome = evaluate(&inputs);
    assert!(outcome.reported.as_ref().is_some_and(|r| !r.reproduces));
    assert!(outcome.warnings.contains(&bidscore::Warning::Unnegotiated { set_aside: false }));
    insta::assert_snapshot!(table(&inputs, &outcome));
    insta::assert_snapshot!(json(&inputs, &outcome));
}

/// With the record, the award is the record's and the reconstruction reproduces the
/// reported decision; the record follows the rules.
#[test]
fn flagship_with_the_negotiation_record() {
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let o = evaluate(&inputs);
    let award = |id: &str| o.standing(id).map(|s| (s.status, s.award));
    use bidscore::{Awarded, BidStatus};
    assert_eq!(award("nhn-cloud"), Some((BidStatus::Selected, Awarded::Quantity(7656))));
    assert_eq!(award("naver-cloud"), Some((BidStatus::Selected, Awarded::Quantity(3056))));
    assert_eq!(award("kakao"), Some((BidStatus::Selected, Awarded::Quantity(2424))));
    assert_eq!(award("coupang"), Some((BidStatus::Declined, Awarded::No)));
    let check = o.negotiation.as_ref().unwrap();
    assert!(check.departures.is_empty() && check.agrees_with_model);
    assert!(o.reported.as_ref().unwrap().reproduces);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    assert!(inputs.warnings.is_empty(), "{:?}", inputs.warnings);
}

#[test]
fn rendered_diagnostics() {
    let criteria = std::fs::read_to_string("criteria/msit-2025-gpu.toml").unwrap().replace("max_points = 100", "max_points = 90");
    let bid = std::fs::read_to_string("bids/msit-2025/coupang.toml").unwrap().replace("tenure = \"leased\"", "tenure = \"lease\"");
    let sources = vec![
        bidscore::SourceFile::new("criteria/msit-2025-gpu.toml", criteria),
        bidscore::SourceFile::new("bids/msit-2025/coupang.toml", bid),
    ];
    let d = bidscore::load_sources(sources).unwrap_err();
    insta::assert_snapshot!(format!("{}{}", d.render_human(false), d.summary()));
}

/// Every shipped tender: (name, criteria file, bid directory).
const SHIPPED: &[(&str, &str, &str)] = &[
    ("kr_negotiated_sw", "criteria/kr-negotiated-sw.toml", "bids/kr-negotiated-sw"),
    ("kr_negotiated_sw_differential", "criteria/kr-negotiated-sw-differential.toml", "bids/kr-negotiated-sw"),
    ("worldbank_qcbs", "criteria/worldbank-qcbs.toml", "bids/worldbank-qcbs"),
    ("eu_meat", "criteria/eu-meat.toml", "bids/eu-meat"),
    ("msit_2026_gpu", "criteria/msit-2026-gpu.toml", "bids/msit-2026"),
];

#[test]
fn every_shipped_tender_report() {
    for (name, criteria, bids) in SHIPPED {
        let inputs = load_paths(criteria, &[bids]).unwrap();
        let outcome = evaluate(&inputs);
        insta::assert_snapshot!(format!("{name}_table"), table(&inputs, &outcome));
        insta::assert_snapshot!(format!("{name}_json"), json(&inputs, &outcome));
    }
}

#[test]
fn panel_reports() {
    for (name, criteria, bids) in
        [("msit_2025", "criteria/msit-2025-gpu.toml", "bids/msit-2025"), ("kr_negotiated_sw", SHIPPED[0].1, SHIPPED[0].2)]
    {
        let inputs = load_paths(criteria, &[bids]).unwrap();
        let p = bidscore::analysis::panel(&inputs, &evaluate(&inputs)).unwrap();
        insta::assert_snapshot!(format!("{name}_panel"), show(&PanelReport(&p), Format::Table));
    }
}

/// The four analyses on the flagship tender, as people and programs read them.
#[test]
fn flagship_analyses() {
    use bidscore::analysis::{Change, PathToWinOptions, StabilityOptions, explain, panel, path_to_win, stability, whatif};
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let outcome = evaluate(&inputs);

    let e = explain(&inputs, &outcome, "coupang", None).unwrap();
    let view = ExplainReport { explanation: &e, inputs: &inputs };
    insta::assert_snapshot!("explain_coupang_table", show(&view, Format::Table));
    insta::assert_snapshot!("explain_coupang_json", show(&view, Format::Json));
    let e = explain(&inputs, &outcome, "coupang", Some("kakao")).unwrap();
    insta::assert_snapshot!(
        "explain_coupang_against_kakao_table",
        show(&ExplainReport { explanation: &e, inputs: &inputs }, Format::Table)
    );

    let changes = [
        Change::Set { field: "datacenter.tenure".into(), literal: "\"owned\"".into() },
        Change::Set { field: "security.csap_certified".into(), literal: "true".into() },
        Change::Points { criterion: "dc-tenure".into(), points: rust_decimal::Decimal::from(12) },
    ];
    let w = whatif(&inputs, &outcome, "coupang", &changes).unwrap();
    let changed_panel = panel(&w.inputs, &w.outcome).ok();
    let view = WhatIfReport { whatif: &w, panel: changed_panel.as_ref() };
    insta::assert_snapshot!("whatif_coupang_table", show(&view, Format::Table));
    insta::assert_snapshot!("whatif_coupang_json", show(&view, Format::Json));

    let words = [String::from("criteria/msit-2025-gpu.toml"), String::from("bids/msit-2025")];
    for k in [3, 4] {
        let p = path_to_win(&inputs, &outcome, "coupang", PathToWinOptions::new().with_max_changes(k)).unwrap();
        let view = PathToWinReport { result: &p, arguments: &words };
        insta::assert_snapshot!(format!("path_to_win_coupang_{k}_table"), show(&view, Format::Table));
        insta::assert_snapshot!(format!("path_to_win_coupang_{k}_json"), show(&view, Format::Json));
    }

    let s = stability(&inputs, &outcome, StabilityOptions::new());
    insta::assert_snapshot!("stability_table", show(&StabilityReport(&s), Format::Table));
    insta::assert_snapshot!("stability_json", show(&StabilityReport(&s), Format::Json));

    let r = flagship_robustness(&inputs, &outcome);
    let view = bidscore::report::RobustnessReport { result: &r, inputs: &inputs, arguments: &words };
    insta::assert_snapshot!("robustness_table", show(&view, Format::Table));
    insta::assert_snapshot!("robustness_json", show(&view, Format::Json));
}

/// Every subject on the flagship, computed as the CLI computes it.
struct Flagship {
    inputs: bidscore::Inputs,
    outcome: bidscore::Outcome,
    panel: bidscore::analysis::PanelAnalysis,
    whatif: bidscore::analysis::WhatIf,
    whatif_panel: Option<bidscore::analysis::PanelAnalysis>,
    path: bidscore::analysis::PathToWin,
    stability: bidscore::analysis::Stability,
    robustness: bidscore::analysis::Robustness,
}

/// The robustness run every snapshot shows: uniform weights (so central weights, confidence
/// factors and flips appear), assumed values and the committee varying.
fn flagship_robustness(inputs: &bidscore::Inputs, outcome: &bidscore::Outcome) -> bidscore::analysis::Robustness {
    use bidscore::analysis::{MarkMode, RobustnessOptions, WeightMode, robustness};
    let options = RobustnessOptions {
        samples: 20_000,
        seed: 7,
        weights: WeightMode::Uniform,
        marks: MarkMode::Bootstrap,
        ..RobustnessOptions::new()
    };
    robustness(inputs, outcome, &options).unwrap()
}

const SUBJECTS: [&str; 8] = ["score", "check", "panel", "explain", "whatif", "path_to_win", "stability", "robustness"];

impl Flagship {
    fn new() -> Flagship {
        use bidscore::analysis::{Change, PathToWinOptions, StabilityOptions, panel, path_to_win, stability, whatif};
        let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
        let outcome = evaluate(&inputs);
        let changes = [Change::Set { field: "security.csap_certified".into(), literal: "true".into() }];
        let w = whatif(&inputs, &outcome, "coupang", &changes).unwrap();
        Flagship {
            panel: panel(&inputs, &outcome).unwrap(),
            whatif_panel: panel(&w.inputs, &w.outcome).ok(),
            whatif: w,
            path: path_to_win(&inputs, &outcome, "coupang", PathToWinOptions::new().with_max_changes(4)).unwrap(),
            stability: stability(&inputs, &outcome, StabilityOptions::new()),
            robustness: flagship_robustness(&inputs, &outcome),
            inputs,
            outcome,
        }
    }

    fn render(&self, subject: &str, format: Format) -> String {
        use bidscore::report::{CheckReport, ScoreReport};
        let (inputs, outcome) = (&self.inputs, &self.outcome);
        let words = [String::from("criteria/msit-2025-gpu.toml"), String::from("bids/msit-2025")];
        match subject {
            "score" => show(&ScoreReport::new(inputs, outcome, Some(&self.panel)), format),
            "check" => show(&CheckReport { inputs, outcome }, format),
            "panel" => show(&PanelReport(&self.panel), format),
            "explain" => {
                let e = bidscore::analysis::explain(inputs, outcome, "coupang", None).unwrap();
                show(&ExplainReport { explanation: &e, inputs }, format)
            }
            "whatif" => show(&WhatIfReport { whatif: &self.whatif, panel: self.whatif_panel.as_ref() }, format),
            "path_to_win" => show(&PathToWinReport { result: &self.path, arguments: &words }, format),
            "stability" => show(&StabilityReport(&self.stability), format),
            "robustness" => show(&bidscore::report::RobustnessReport { result: &self.robustness, inputs, arguments: &words }, format),
            other => panic!("no subject {other}"),
        }
    }
}

/// Markdown and CSV of every subject on the flagship.
#[test]
fn flagship_in_markdown_and_csv() {
    let flagship = Flagship::new();
    for name in SUBJECTS {
        insta::assert_snapshot!(format!("{name}_markdown"), flagship.render(name, Format::Markdown));
        insta::assert_snapshot!(format!("{name}_csv"), flagship.render(name, Format::Csv));
    }
}

/// A CSV report read back with the `csv` crate: table name → rows of column → value.
fn read_csv(text: &str) -> std::collections::BTreeMap<String, Vec<std::collections::BTreeMap<String, String>>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out: std::collections::BTreeMap<String, Vec<_>> = std::collections::BTreeMap::new();
    let mut header: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        if record.get(0) == Some("table") {
            header = record.iter().map(str::to_owned).collect();
            continue;
        }
        assert_eq!(record.len(), header.len(), "a row as long as its header: {record:?}");
        let row = header.iter().skip(1).cloned().zip(record.iter().skip(1).map(str::to_owned)).collect();
        out.entry(record.get(0).unwrap().to_owned()).or_default().push(row);
    }
    out
}

/// The CSV of every subject carries the same numbers as its JSON.
#[test]
fn csv_reads_back_into_the_json_numbers() {
    let flagship = Flagship::new();
    let get = |name: &str, f: Format| flagship.render(name, f);
    let j = |name: &str| serde_json::from_str::<serde_json::Value>(&get(name, Format::Json)).unwrap();

    // Score: the ranking, every section, total and award; every criterion's points and score.
    let csv = read_csv(&get("score", Format::Csv));
    let json = j("score");
    let bids = json["bids"].as_array().unwrap();
    let ranking = &csv["ranking"];
    assert_eq!(ranking.len(), bids.len());
    for (row, bid) in ranking.iter().zip(bids) {
        assert_eq!(row["bidder"], bid["bidder"].as_str().unwrap());
        assert_eq!(row["total"], bid["total"].as_str().unwrap());
        assert_eq!(row["rank"], bid["rank"].as_u64().map(|r| r.to_string()).unwrap_or_default());
        assert_eq!(row["award"], bid["award"].as_u64().map(|a| a.to_string()).unwrap_or_default());
        for (section, points) in bid["sections"].as_object().unwrap() {
            assert_eq!(row[section], points.as_str().unwrap());
        }
    }
    let criteria = &csv["criteria"];
    let all: Vec<(&str, &serde_json::Value)> =
        bids.iter().flat_map(|b| b["criteria"].as_array().unwrap().iter().map(move |c| (b["bidder"].as_str().unwrap(), c))).collect();
    assert_eq!(criteria.len(), all.len());
    for (row, (bidder, c)) in criteria.iter().zip(all) {
        assert_eq!((row["bidder"].as_str(), row["criterion"].as_str()), (bidder, c["id"].as_str().unwrap()));
        assert_eq!(row["points"], c["points"].as_str().unwrap());
        assert_eq!(row["score"], c["score"].as_str().unwrap());
        assert_eq!(row["max"], c["max"].as_str().unwrap());
    }

    // Explain: every difference, and the decisive set.
    let csv = read_csv(&get("explain", Format::Csv));
    let json = j("explain");
    let deltas = json["against"]["deltas"].as_array().unwrap();
    let decisive: Vec<&str> = json["against"]["decisive"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    for (row, d) in csv["comparison"].iter().zip(deltas) {
        assert_eq!(row["criterion"], d["criterion"].as_str().unwrap());
        assert_eq!((row["mine"].as_str(), row["theirs"].as_str()), (d["mine"].as_str().unwrap(), d["theirs"].as_str().unwrap()));
        assert_eq!(row["difference"], d["delta"].as_str().unwrap());
        assert_eq!(row["decisive"] == "true", decisive.contains(&d["criterion"].as_str().unwrap()));
    }

    // Stability: the exact ends.
    let csv = read_csv(&get("stability", Format::Csv));
    for (row, c) in csv["stability"].iter().zip(j("stability")["criteria"].as_array().unwrap()) {
        assert_eq!(row["criterion"], c["id"].as_str().unwrap());
        assert_eq!(row["points"], c["points"].as_str().unwrap());
        assert_eq!(row["from exact"], c["lower"]["at"].as_str().unwrap());
        assert_eq!(row["to exact"], c["upper"]["at"].as_str().unwrap());
        assert_eq!(
            (row["from"].as_str(), row["to"].as_str()),
            (c["lower"]["shown"].as_str().unwrap(), c["upper"]["shown"].as_str().unwrap())
        );
    }

    // Robustness: every probability of every bid, and the winner sets.
    let csv = read_csv(&get("robustness", Format::Csv));
    let json = j("robustness");
    let bids = json["robustness"]["bids"].as_array().unwrap();
    assert_eq!(csv["odds"].len(), bids.len());
    for (row, b) in csv["odds"].iter().zip(bids) {
        assert_eq!(row["bidder"], b["bidder"].as_str().unwrap());
        assert_eq!(row["selected"], b["selected_probability"].as_str().unwrap());
        assert_eq!(row["unranked"], b["unranked_probability"].as_str().unwrap());
        for (k, p) in b["rank_probability"].as_array().unwrap().iter().enumerate() {
            assert_eq!(row[&format!("rank_{}", k + 1)], p.as_str().unwrap());
        }
        assert_eq!(row["confidence"], b["confidence"].as_str().unwrap_or_default());
    }
    for (row, s) in csv["winner_sets"].iter().zip(json["robustness"]["winner_sets"].as_array().unwrap()) {
        assert_eq!(row["share"], s["probability"].as_str().unwrap());
        assert_eq!(row["samples"], s["samples"].as_u64().unwrap().to_string());
    }

    // Panel: every mark and every statistic, exactly.
    let csv = read_csv(&get("panel", Format::Csv));
    let json = j("panel");
    let rows = &csv["marks"];
    let mut k = 0;
    for c in json["criteria"].as_array().unwrap() {
        for b in c["bids"].as_array().unwrap() {
            let row = &rows[k];
            k += 1;
            assert_eq!((row["criterion"].as_str(), row["bidder"].as_str()), (c["id"].as_str().unwrap(), b["bidder"].as_str().unwrap()));
            for (e, m) in json["evaluators"].as_array().unwrap().iter().zip(b["marks"].as_array().unwrap()) {
                assert_eq!(row[&format!("mark {}", e.as_str().unwrap())], m.as_str().unwrap());
            }
            assert_eq!(row["trimmed mean"], b["trimmed_mean"].as_str().unwrap());
            assert_eq!(row["median"], b["median"].as_str().unwrap());
            assert_eq!(row["mad"], b["mad"].as_str().unwrap());
        }
    }
    assert_eq!(k, rows.len());

    // Path to win: every path's total, rank and command.
    let csv = read_csv(&get("path_to_win", Format::Csv));
    for (row, p) in csv["paths"].iter().zip(j("path_to_win")["paths"].as_array().unwrap()) {
        assert_eq!(row["total"], p["total"].as_str().unwrap());
        assert_eq!(row["rank"], p["rank"].as_u64().unwrap().to_string());
        assert_eq!(row["command"], p["command"].as_str().unwrap());
    }

    // What-if: the totals after are those of the changed tender's report.
    let csv = read_csv(&get("whatif", Format::Csv));
    let json = j("whatif");
    for row in &csv["moves"] {
        let bid = json["bids"].as_array().unwrap().iter().find(|b| b["bidder"] == row["bidder"].as_str()).unwrap();
        assert_eq!(row["total after"], bid["total"].as_str().unwrap());
        assert_eq!(row["status after"], bid["status"].as_str().unwrap());
    }

    // Check: the count of bids.
    let csv = read_csv(&get("check", Format::Csv));
    assert_eq!(csv["check"][0]["bids"], j("check")["bids"].as_u64().unwrap().to_string());
}

/// The award as it really happens, in what a person reads: two lots with one per bidder, an
/// abnormally low price excluded, a field tie-break and a lottery, in the table and JSON.
#[test]
fn lots_exclusions_and_ties_in_every_format() {
    let criteria = r#"[tender]
id = "lots-demo"
title = "Two lots, an abnormally low price and a lottery"
source = "illustrative"
[evaluation]
max_points = 100
rounding = { places = 2, mode = "half-up" }
tie_break = ["earlier:offer.ready", "lottery:20250728"]
[award]
winners = 1
quantity = { field = "offer.units", total = 10 }
max_lots_per_bidder = 1
[[section]]
id = "tech"
title = "Technical"
[[section]]
id = "price"
title = "Price"
[[criterion]]
id = "quality"
section = "tech"
title = "Quality"
points = 70
field = "offer.quality"
rule = { kind = "linear", zero_at = 0, full_at = 100 }
[[criterion]]
id = "cost"
section = "price"
title = "Cost"
points = 30
field = "offer.price"
rule = { kind = "relative", better = "lower" }
[[abnormally_low]]
id = "below-mean"
title = "Below 80% of the mean of the others"
field = "offer.price"
rule = { kind = "share-of-mean", share = 0.8 }
action = "exclude"
source = "EU Directive 2014/24 Art. 69"
[[lot]]
id = "north"
title = "North"
quantity = 6
[[lot]]
id = "south"
title = "South"
quantity = 4
criteria = ["quality"]
"#;
    let bid = |id: &str, quality: u32, price: u32, ready: &str, lots: &str| {
        format!(
            "[offer]\nquality = {quality}\nprice = {price}\nunits = 5\nready = {ready}\n[bidder]\nid = \"{id}\"\nname = \"Bidder {id}\"\n{lots}"
        )
    };
    let sources = vec![
        bidscore::SourceFile::new("criteria.toml", criteria),
        bidscore::SourceFile::new("a.toml", bid("a", 90, 100, "2026-01-10", "")),
        bidscore::SourceFile::new("b.toml", bid("b", 80, 100, "2026-01-10", "")),
        bidscore::SourceFile::new("c.toml", bid("c", 80, 100, "2026-01-10", "lots = [\"south\"]\n")),
        bidscore::SourceFile::new("d.toml", bid("d", 95, 40, "2026-01-01", "lots = [\"north\"]\n")),
    ];
    let inputs = bidscore::load_sources(sources).unwrap();
    let outcome = evaluate(&inputs);
    assert_eq!(outcome.lots[0].outcome.standing("d").unwrap().status, bidscore::BidStatus::Excluded);
    insta::assert_snapshot!(table(&inputs, &outcome));
    insta::assert_snapshot!(json(&inputs, &outcome));
}

/// Streamed output is the rendered text, byte for byte, in every format (issue 13: the JSON
/// report is written as it is serialised, never held whole).
#[test]
fn streamed_reports_are_the_rendered_bytes() {
    use bidscore::report::{Format, Options, ScoreReport, View, render, render_to};
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let outcome = evaluate(&inputs);
    let panel = bidscore::analysis::panel(&inputs, &outcome).ok();
    let score = ScoreReport::new(&inputs, &outcome, panel.as_ref());
    let set = bidscore::analysis::Change::Set { field: "datacenter.tenure".into(), literal: "\"owned\"".into() };
    let w = bidscore::analysis::whatif(&inputs, &outcome, "coupang", &[set]).unwrap();
    let whatif = bidscore::report::WhatIfReport { whatif: &w, panel: None };
    let views: [&dyn View; 2] = [&score, &whatif];
    for view in views {
        for format in [Format::Table, Format::Json, Format::Csv, Format::Markdown] {
            let mut streamed = Vec::new();
            render_to(view, format, Options::new(), &mut streamed).unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), render(view, format, Options::new()), "{format:?}");
        }
    }
}
