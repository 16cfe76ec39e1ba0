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
    use bidscore::analysis::{Change, PathToWinOptions, explain, panel, path_to_win, stability, whatif};
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

    let s = stability(&inputs, &outcome);
    insta::assert_snapshot!("stability_table", show(&StabilityReport(&s), Format::Table));
    insta::assert_snapshot!("stability_json", show(&StabilityReport(&s), Format::Json));
}
