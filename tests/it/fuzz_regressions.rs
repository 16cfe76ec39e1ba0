//! The fuzzers' regression corpus, replayed as tests: every input in
//! `fuzz/regressions/<target>/` goes through the same code as the fuzz target
//! (`fuzz/fuzz_targets/common.rs`), so CI checks them without running the fuzzer. The
//! replay also renders every report and diagnostic (`render = true`), which the fuzz
//! binaries skip for speed.

#[path = "../../fuzz/fuzz_targets/common.rs"]
mod common;

fn replay(target: &str, run: impl Fn(&[u8])) -> usize {
    let dir = std::path::Path::new("fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        run(&data);
    }
    files.len()
}

#[test]
fn fuzz_regressions_never_panic() {
    let mut n = replay("criteria", |d| common::criteria(d, true));
    n += replay("bid", |d| common::bid(d, true));
    n += replay("panel", |d| common::panel(d, true));
    let dir = std::env::temp_dir().join(format!("bidscore-fuzz-regression-{}", std::process::id()));
    n += replay("directory", |d| common::directory(d, &dir, true));
    let _ = std::fs::remove_dir_all(&dir);
    n += replay("analyses", |d| common::analyses(d, true));
    assert!(n > 0, "no regression inputs found under fuzz/regressions");
}
