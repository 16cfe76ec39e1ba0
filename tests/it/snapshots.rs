//! Snapshots of what people read: the flagship report as a table and as JSON, and a
//! rendered diagnostic. Review changes with `cargo insta review`.

use bidscore::report::{TableOptions, json, table};
use bidscore::{evaluate, load_paths};

#[test]
fn flagship_table() {
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    insta::assert_snapshot!(table(&inputs, &evaluate(&inputs), TableOptions::default()));
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
        insta::assert_snapshot!(format!("{name}_table"), table(&inputs, &outcome, TableOptions::default()));
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
        insta::assert_snapshot!(format!("{name}_panel"), bidscore::report::panel_table(&p, TableOptions::default()));
    }
}
