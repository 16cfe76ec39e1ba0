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
