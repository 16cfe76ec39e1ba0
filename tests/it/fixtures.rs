//! The invalid-input corpus: `tests/fixtures/invalid/<case>/` holds `criteria.toml`, a `bids/`
//! directory and `expected.txt` (one `code path:line:col` per diagnostic, paths relative to
//! the case). Each case must fail to load with exactly those diagnostics, every one located,
//! and its rendered diagnostics are snapshotted.

use std::path::{Path, PathBuf};

use bidscore::load_paths;

const ROOT: &str = "tests/fixtures/invalid";

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(ROOT).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn relative(case: &Path, located: &str) -> String {
    let prefix = format!("{}/", case.display());
    located.strip_prefix(&prefix).unwrap_or(located).to_owned()
}

#[test]
fn every_invalid_fixture_reports_exactly_its_expected_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let expected: Vec<&str> = expected.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        let result = load_paths(case.join("criteria.toml"), &[case.join("bids")]);
        let Err(d) = result else {
            failures.push(format!("{name}: loaded without errors"));
            continue;
        };
        for x in &d.items {
            assert!(!x.labels.is_empty() || x.path.is_some(), "{name}: `{}` has no location", x.code);
        }
        let got: Vec<String> = d.items.iter().map(|x| format!("{} {}", x.code, relative(case, &d.location(x)))).collect();
        if got != expected {
            failures.push(format!("{name}:\n  expected {expected:#?}\n  got      {got:#?}"));
        }
        insta::assert_snapshot!(format!("invalid__{name}"), format!("{}{}", d.render_human(false), d.summary()));
    }
    assert!(failures.is_empty(), "{} of {} fixtures differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Every code the loader can emit has its own `### code` entry in docs/diagnostics.md.
#[test]
fn every_diagnostic_code_is_documented() {
    let docs = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    let mut missing = Vec::new();
    let mut stack = vec![PathBuf::from("src")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for marker in ["Diagnostic::error(\"", "Diagnostic::warning(\"", "Diagnostic::at_path(\"", "warning_at_path(\""] {
                for part in text.split(marker).skip(1) {
                    let code = part.split('"').next().unwrap_or_default();
                    seen += 1;
                    if !docs.contains(&format!("### `{code}`")) {
                        missing.push(format!("{code} ({})", p.display()));
                    }
                }
            }
        }
    }
    assert!(seen > 50, "found only {seen} diagnostics in src/");
    assert!(missing.is_empty(), "undocumented codes: {missing:?}");
}
