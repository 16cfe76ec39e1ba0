//! Hostile input, file systems and output (issue 10): each test is a finding that once
//! crashed, hung, misled or overwrote, kept so that it never comes back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bidscore::analysis::{Change, Error, whatif};
use bidscore::{Decimal, Published, Scalar, Scenario, evaluate, load_paths};

fn bidscore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bidscore")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bidscore-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---- numbers: one limit wherever a number enters ----

#[test]
fn points_beyond_the_number_limit_are_refused_not_rounded_or_overflowed() {
    let inputs = load_paths("criteria/eu-meat.toml", &["bids/eu-meat"]).unwrap();
    let outcome = evaluate(&inputs);
    // Used to panic ("Addition overflowed") before the range check.
    let huge = Change::Points { criterion: "price".into(), points: Decimal::MAX };
    let small = Change::Points { criterion: "after-sales".into(), points: Decimal::ONE };
    let e = whatif(&inputs, &outcome, "boreal", &[huge, small]).unwrap_err();
    assert!(e.to_string().contains("below 10^18"), "{e}");
    // Used to use 40 in silence.
    let out = bidscore(&[
        "whatif",
        "criteria/eu-meat.toml",
        "bids/eu-meat",
        "--bid",
        "boreal",
        "--points",
        "price=40.00000000000000000000000000001",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("more than 10 digits after the decimal point"), "{}", stderr(&out));
    // The same limit in the library's scenarios.
    let published = Published::new(&inputs);
    let e = Scenario::new().set("boreal", "offer.price", Scalar::Number(Decimal::MAX)).evaluate(&published).unwrap_err();
    assert!(matches!(e, Error::BeyondLimit { .. }), "{e}");
    let e = Scenario::new().with_points("price", Decimal::MAX).evaluate(&published).unwrap_err();
    assert!(e.to_string().contains("below 10^18"), "{e}");
}

#[test]
fn analyses_at_the_edge_of_the_number_limit_do_not_overflow() {
    // The largest and the smallest values the limit admits, on a relative price rule and
    // its reference: every analysis answers (or refuses) without a panic.
    let dir = tmp("edge");
    let bids = dir.join("bids");
    copy_dir(Path::new("bids/eu-meat"), &bids);
    edit(&bids.join("aurora.toml"), "price = 125000", "price = 999999999999999999.9999999999");
    edit(&bids.join("aurora.toml"), "range = [118750, 131250]", "range = [1, 999999999999999999.9999999999]");
    edit(&bids.join("cirrus.toml"), "price = 48000", "price = 0.0000000001");
    edit(&bids.join("cirrus.toml"), "range = [45600, 50400]", "range = [0.0000000001, 50400]");
    let (c, b) = ("criteria/eu-meat.toml", bids.to_str().unwrap());
    for args in [
        vec!["score", c, b],
        vec!["stability", c, b],
        vec!["explain", c, b, "--bid", "boreal"],
        vec!["path-to-win", c, b, "--bid", "boreal"],
        vec!["path-to-win", c, b, "--bid", "aurora"],
        vec!["path-to-win", c, b, "--bid", "cirrus", "--max-changes", "3"],
        vec!["whatif", c, b, "--bid", "cirrus", "--set", "offer.price=999999999999999999.9999999999"],
    ] {
        let out = bidscore(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} lacks {from}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}
