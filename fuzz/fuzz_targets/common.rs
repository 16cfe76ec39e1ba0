//! Shared by the fuzz targets: the fixed valid files each target combines with the fuzzed
//! bytes, and the full pipeline run on whatever loads. `tests/it/fuzz_regressions.rs` replays
//! the committed corpus through the same code.
#![allow(dead_code, clippy::unwrap_used, clippy::panic, reason = "a fuzz harness fails loudly")]

use bidscore::SourceFile;

pub const CRITERIA: &str = include_str!("../../tests/fixtures/fuzz/criteria.toml");
pub const BID: &str = include_str!("../../tests/fixtures/fuzz/bid.toml");
pub const PANEL: &str = include_str!("../../tests/fixtures/fuzz/panel.toml");

/// Load the files (criteria first); on success evaluate and render everything, on failure
/// render the diagnostics. Nothing may panic, and every diagnostic must be located.
pub fn run(files: Vec<bidscore::SourceFile>) {
    match bidscore::load_sources(files) {
        Ok(inputs) => exercise(&inputs),
        Err(d) => check(&d),
    }
}

pub fn check(d: &bidscore::Diagnostics) {
    assert!(d.has_errors());
    for x in &d.items {
        assert!(!x.labels.is_empty() || x.path.is_some(), "unlocated diagnostic {x:?}");
    }
    let _ = d.render_human(false);
    let _ = d.render_json();
}

/// The `criteria` target: the bytes as the criteria file, with a valid bid and panel.
pub fn criteria(data: &[u8]) {
    let (file, bad) = bidscore::source_from_bytes(0, String::from("criteria.toml"), data);
    if bad.is_some() {
        return; // not UTF-8: reported by the reader, covered by tests
    }
    run(vec![file, SourceFile::new("bid.toml", BID), SourceFile::new("panel.toml", PANEL)]);
}

/// The `bid` target: the bytes as a second bid file.
pub fn bid(data: &[u8]) {
    let (file, bad) = bidscore::source_from_bytes(2, String::from("fuzzed.toml"), data);
    if bad.is_some() {
        return;
    }
    run(vec![SourceFile::new("criteria.toml", CRITERIA), SourceFile::new("bid.toml", BID), file, SourceFile::new("panel.toml", PANEL)]);
}

/// The `panel` target: the bytes as the panel file.
pub fn panel(data: &[u8]) {
    let (file, bad) = bidscore::source_from_bytes(2, String::from("panel.toml"), data);
    if bad.is_some() {
        return;
    }
    run(vec![SourceFile::new("criteria.toml", CRITERIA), SourceFile::new("bid.toml", BID), file]);
}

/// The `directory` target: the bytes split at NUL into files in a directory, loaded through
/// the file system; the first chunk is the criteria file, the rest (at most 8) the bids.
pub fn directory(data: &[u8], dir: &std::path::Path) {
    let bids = dir.join("bids");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(&bids).unwrap();
    let mut chunks = data.split(|b| *b == 0);
    std::fs::write(dir.join("criteria.toml"), chunks.next().unwrap_or_default()).unwrap();
    for (i, c) in chunks.take(8).enumerate() {
        std::fs::write(bids.join(format!("f{i}.toml")), c).unwrap();
    }
    match bidscore::load_paths(dir.join("criteria.toml"), &[&bids]) {
        Ok(inputs) => exercise(&inputs),
        Err(d) => {
            for x in &d.items {
                assert!(!x.labels.is_empty() || x.path.is_some(), "unlocated diagnostic {x:?}");
            }
            let _ = d.render_human(false);
        }
    }
}

pub fn exercise(inputs: &bidscore::Inputs) {
    let outcome = bidscore::evaluate(inputs);
    let panel = bidscore::analysis::panel(inputs, &outcome).ok();
    let report = bidscore::report::ScoreReport::new(inputs, &outcome, panel.as_ref());
    for format in
        [bidscore::report::Format::Table, bidscore::report::Format::Json, bidscore::report::Format::Csv, bidscore::report::Format::Markdown]
    {
        let _ = bidscore::report::render(&report, format, bidscore::report::Options::new());
    }
    let _ = inputs.tender.to_toml();
}
