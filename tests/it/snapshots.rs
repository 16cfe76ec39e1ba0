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

/// The four analyses on the flagship tender, as people and programs read them.
#[test]
fn flagship_analyses() {
    use bidscore::analysis::{Change, explain, path_to_win, stability, whatif};
    use bidscore::report;
    let inputs = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let outcome = evaluate(&inputs);
    let opts = TableOptions::default();

    let e = explain(&inputs, &outcome, "coupang", None).unwrap();
    insta::assert_snapshot!("explain_coupang_table", report::explain_table(&e, opts));
    insta::assert_snapshot!("explain_coupang_json", report::explain_json(&e));
    let e = explain(&inputs, &outcome, "coupang", Some("kakao")).unwrap();
    insta::assert_snapshot!("explain_coupang_against_kakao_table", report::explain_table(&e, opts));

    let changes = [
        Change::Set { field: "datacenter.tenure".into(), literal: "\"owned\"".into() },
        Change::Set { field: "security.csap_certified".into(), literal: "true".into() },
        Change::Points { criterion: "dc-tenure".into(), points: rust_decimal::Decimal::from(12) },
    ];
    let w = whatif(&inputs, "coupang", &changes).unwrap();
    insta::assert_snapshot!("whatif_coupang_table", report::whatif_table(&w, opts));
    insta::assert_snapshot!("whatif_coupang_json", report::whatif_json(&w));

    let words = [String::from("criteria/msit-2025-gpu.toml"), String::from("bids/msit-2025")];
    for k in [3, 4] {
        let p = path_to_win(&inputs, "coupang", k).unwrap();
        insta::assert_snapshot!(format!("path_to_win_coupang_{k}_table"), report::path_to_win_table(&p, &words));
        insta::assert_snapshot!(format!("path_to_win_coupang_{k}_json"), report::path_to_win_json(&p, &words));
    }

    let s = stability(&inputs);
    insta::assert_snapshot!("stability_table", report::stability_table(&s, opts));
    insta::assert_snapshot!("stability_json", report::stability_json(&s));
}
