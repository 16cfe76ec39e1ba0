//! The command line: exit codes (0 ok, 1 invalid input, 2 usage) and `--output`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bidscore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bidscore")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bidscore-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn score_prints_the_flagship_table() {
    let out = bidscore(&["score", "criteria/msit-2025-gpu.toml", "bids/msit-2025"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Points by criterion"));
}

#[test]
fn check_reports_invalid_input_with_exit_code_1() {
    let dir = tmp("check");
    for e in std::fs::read_dir("bids/msit-2025").unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let bid = std::fs::read_to_string("bids/msit-2025/coupang.toml").unwrap().replace("gpus = 10000 ", "gpus = 10000.5 ");
    std::fs::write(dir.join("coupang.toml"), bid).unwrap();
    let out = bidscore(&["check", "criteria/msit-2025-gpu.toml", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not-a-count"), "{err}");
    assert!(err.contains("coupang.toml:"), "{err}");
    assert!(err.ends_with("1 error in 1 file\n"), "{err}");
    let out = bidscore(&["check", "criteria/msit-2025-gpu.toml", dir.to_str().unwrap(), "--error-format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v[0]["code"], "not-a-count");
    assert!(v[0]["line"].as_u64().unwrap() > 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn usage_errors_exit_with_code_2() {
    assert_eq!(bidscore(&["score"]).status.code(), Some(2));
    assert_eq!(bidscore(&["score", "criteria/msit-2025-gpu.toml", "bids/msit-2025", "--format", "xml"]).status.code(), Some(2));
}

#[test]
fn output_is_written_and_never_over_an_input() {
    let dir = tmp("output");
    let report = dir.join("report.json");
    let out =
        bidscore(&["score", "criteria/msit-2025-gpu.toml", "bids/msit-2025", "--format", "json", "--output", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["tender"]["id"], "msit-2025-gpu");
    // Over an input file: refused, the input untouched.
    let before = std::fs::read("bids/msit-2025/kakao.toml").unwrap();
    let out = bidscore(&["score", "criteria/msit-2025-gpu.toml", "bids/msit-2025", "--output", "bids/msit-2025/kakao.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to write the report over the input file"));
    assert_eq!(std::fs::read("bids/msit-2025/kakao.toml").unwrap(), before);
    // No temporary files are left behind.
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failed_write_keeps_the_old_output_file() {
    let dir = tmp("fail");
    let target = dir.join("out.json");
    std::fs::write(&target, "old").unwrap();
    // Onto a directory: refused before anything is written; into a directory that does
    // not exist: the temporary file cannot be made. The old file survives, no temp remains.
    let blocked = dir.join("sub");
    std::fs::create_dir_all(blocked.join("x")).unwrap();
    let err = bidscore::output::write_atomic(&blocked, b"new", &[]).unwrap_err();
    assert!(matches!(err, bidscore::output::OutputError::NotRegular { .. }), "{err}");
    let err = bidscore::output::write_atomic(&dir.join("missing").join("out.json"), b"new", &[]).unwrap_err();
    assert!(matches!(err, bidscore::output::OutputError::NoDirectory { .. }), "{err}");
    assert!(err.to_string().ends_with("missing` does not exist"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn panel_shows_the_committee_and_refuses_a_tender_without_one() {
    let out = bidscore(&["panel", "criteria/kr-negotiated-sw.toml", "bids/kr-negotiated-sw"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("! far from the panel: e3 gave `saebyeok-data` 3 (median 8.5, MAD 0.5)"), "{text}");
    assert!(text.contains("The winners depend on a single evaluator: e2, e3, e4, e5."), "{text}");
    let out = bidscore(&["panel", "criteria/kr-negotiated-sw.toml", "bids/kr-negotiated-sw", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["evaluators"][2], "e3");
    assert_eq!(v["criteria"][1]["id"], "methodology");
    assert_eq!(v["criteria"][1]["kendall_w"], "102/395");
    // No panel criterion: a clear error, exit 1.
    let out = bidscore(&["panel", "criteria/eu-meat.toml", "bids/eu-meat"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no criterion scored by the panel"));
}

#[test]
fn the_analysis_commands_run_and_fail_clearly() {
    let base = ["criteria/msit-2025-gpu.toml", "bids/msit-2025"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = vec![extra[0]];
        args.extend(base);
        args.extend(&extra[1..]);
        bidscore(&args)
    };
    let out = run(&["explain", "--bid", "coupang", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Against the last selected bid: Kakao, awarded in negotiation.
    assert_eq!(v["against"]["bidder"], "kakao");
    // An unknown bid is a usage error, with a suggestion.
    let out = run(&["explain", "--bid", "coupnag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `coupang`?"));

    let out = run(&["whatif", "--bid", "coupang", "--set", "security.csap_certified=true", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["whatif"][0]["target"], "security.csap_certified");
    assert_eq!(v["whatif"][0]["from"], "false");
    assert_eq!(v["tender"]["id"], "msit-2025-gpu");
    // A value the rule cannot read: the changed tender is invalid (exit 1), located.
    let out = run(&["whatif", "--bid", "coupang", "--set", "datacenter.tenure=\"rented\""]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown-choice"), "{}", String::from_utf8_lossy(&out.stderr));
    // Nothing to change, or a malformed change: usage errors.
    assert_eq!(run(&["whatif", "--bid", "coupang"]).status.code(), Some(2));
    assert_eq!(run(&["whatif", "--bid", "coupang", "--set", "nonsense"]).status.code(), Some(2));
    assert_eq!(run(&["whatif", "--bid", "coupang", "--points", "dc-tenure=101"]).status.code(), Some(2));

    let out = run(&["path-to-win", "--bid", "coupang", "--max-changes", "4", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let command = v["paths"][0]["command"].as_str().unwrap().to_owned();
    assert!(v["reason"].is_null());
    // The command it prints runs, and selects coupang.
    let words: Vec<String> = shell_words(&command);
    assert_eq!(words[0], "bidscore");
    let mut args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    args.extend(["--format", "json"]);
    let out = bidscore(&args);
    assert_eq!(out.status.code(), Some(0), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coupang = v["bids"].as_array().unwrap().iter().find(|b| b["bidder"] == "coupang").unwrap().clone();
    assert_eq!(coupang["status"], "selected");

    let out = run(&["stability", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["criteria"].as_array().unwrap().len(), 9);

    // Robustness: the same seed gives the same bytes; every certified flip's command runs
    // and selects the winners it claims; bad modes are usage errors.
    let args = ["robustness", "--samples", "5000", "--seed", "3", "--weights", "uniform", "--marks", "bootstrap", "--format", "json"];
    let a = run(&args);
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, run(&args).stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["robustness"]["samples"], 5000);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 8);
    let flips = v["robustness"]["certified"].as_array().unwrap();
    assert!(!flips.is_empty());
    for f in flips {
        let words = shell_words(f["command"].as_str().unwrap());
        let mut args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        args.extend(["--format", "json"]);
        let out = bidscore(&args);
        assert_eq!(out.status.code(), Some(0), "{:?}: {}", f["command"], String::from_utf8_lossy(&out.stderr));
        let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let winners: Vec<&str> =
            w["bids"].as_array().unwrap().iter().filter(|b| b["status"] == "selected").map(|b| b["bidder"].as_str().unwrap()).collect();
        let exact: Vec<&str> = f["exact_winners"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(winners, exact, "{:?}", f["command"]);
    }
    assert_eq!(run(&["robustness", "--weights", "around=0%"]).status.code(), Some(2));
    assert_eq!(run(&["robustness", "--weights", "declared"]).status.code(), Some(2));
    assert_eq!(run(&["robustness", "--samples", "0"]).status.code(), Some(2));
    let out = run(&["robustness", "--samples", "2000000000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give from 1 to 1000000000"), "{}", String::from_utf8_lossy(&out.stderr));
    // A bootstrap needs a panel.
    let out = bidscore(&["robustness", "criteria/worldbank-qcbs.toml", "bids/worldbank-qcbs", "--marks", "bootstrap", "--samples", "100"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Split a command line printed by path-to-win (single quotes only).
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in s.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Every command, in every format.
const COMMANDS: &[&[&str]] = &[
    &["score"],
    &["check"],
    &["panel"],
    &["explain", "--bid", "coupang"],
    &["whatif", "--bid", "coupang", "--set", "security.csap_certified=true"],
    &["path-to-win", "--bid", "coupang"],
    &["stability"],
    &["robustness", "--samples", "2048"],
];

fn command_line<'a>(cmd: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![cmd[0], "criteria/msit-2025-gpu.toml", "bids/msit-2025"];
    args.extend(&cmd[1..]);
    args.extend(extra);
    args
}

/// A reader that leaves before the report is written (`bidscore check … | head -1`) ends the
/// command quietly: exit 0 (or death by SIGPIPE, 141 in a shell), never a panic (101). Also
/// when stderr, where the warnings go, is closed.
#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    for cmd in COMMANDS {
        for format in ["table", "json", "csv", "markdown"] {
            for close_stderr in [false, true] {
                let mut child = Command::new(env!("CARGO_BIN_EXE_bidscore"))
                    .args(command_line(cmd, &["--format", format]))
                    .env("NO_COLOR", "1")
                    .stdout(Stdio::piped())
                    .stderr(if close_stderr { Stdio::piped() } else { Stdio::null() })
                    .spawn()
                    .unwrap();
                // Close the reading ends before the command has written anything.
                drop(child.stdout.take());
                drop(child.stderr.take());
                let status = child.wait().unwrap();
                let quiet = status.code() == Some(0) || status.signal() == Some(13);
                assert!(quiet, "{cmd:?} --format {format} (stderr closed: {close_stderr}): {status:?}");
            }
        }
    }
}

/// `--output` works for every command, and never writes over an input.
#[test]
fn every_command_writes_its_report_to_a_file() {
    let dir = tmp("every-output");
    for (i, cmd) in COMMANDS.iter().enumerate() {
        let path = dir.join(format!("report-{i}.json"));
        let out = bidscore(&command_line(cmd, &["--format", "json", "--output", path.to_str().unwrap()]));
        assert_eq!(out.status.code(), Some(0), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "{cmd:?} printed although it wrote a file");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{cmd:?}: {text}");
        let out = bidscore(&command_line(cmd, &["--output", "bids/msit-2025/kakao.toml"]));
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to write the report over the input file"), "{cmd:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// The old binary panicked on a closed pipe in `check`; the exit codes of the rest stand:
/// 0 ok, 1 invalid input, 2 usage.
#[test]
fn check_reports_json_for_programs() {
    let out = bidscore(&["check", "criteria/msit-2025-gpu.toml", "bids/msit-2025", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["bids"], 4);
    assert_eq!(v["tender"], "msit-2025-gpu");
    assert!(v["inputs"].as_array().unwrap().len() >= 5);
}

/// SPEC §10.2: a negotiation record that departs from the ranking stops `score` with located
/// errors (exit 1, nothing on stdout), or is shown beside the result as warnings when the
/// tender says `departures = "warning"`; the counterfactual commands set the record aside
/// and say so instead.
#[test]
fn negotiation_departures_are_errors_or_warnings_as_the_tender_declares() {
    let dir = tmp("departures");
    for e in std::fs::read_dir("bids/msit-2025").unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    // Naver Cloud (rank 2) never invited, Kakao (rank 3) agreed past it.
    let record = std::fs::read_to_string(dir.join("negotiation.toml")).unwrap();
    let skipped = record.replacen("outcome = \"agreed\"\nquantity = 3056", "outcome = \"not-invited\"", 1);
    assert_ne!(record, skipped);
    std::fs::write(dir.join("negotiation.toml"), &skipped).unwrap();
    let d = dir.to_str().unwrap();
    let out = bidscore(&["score", "criteria/msit-2025-gpu.toml", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("negotiation-out-of-order") && err.contains("`kakao` (rank 3) agreed, but `naver-cloud` (rank 2) was never invited"),
        "{err}"
    );
    assert!(err.contains("negotiation.toml:"), "located in the record: {err}");
    // As warnings: the report is written, with the departure in it.
    let criteria = std::fs::read_to_string("criteria/msit-2025-gpu.toml")
        .unwrap()
        .replace("allocation = \"negotiated\"", "allocation = \"negotiated\"\ndepartures = \"warning\"");
    let c = tmp("departures-criteria").join("criteria.toml");
    std::fs::write(&c, criteria).unwrap();
    let out = bidscore(&["score", c.to_str().unwrap(), d, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("negotiation-out-of-order"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["negotiation"]["departures"][0]["code"], "negotiation-out-of-order");
    assert_eq!(v["negotiation"]["agrees_with_model"], true);
    assert_eq!(v["reported"]["reproduces"], false);
    // A counterfactual command sets the record aside and is not stopped by it.
    let out = bidscore(&["path-to-win", "criteria/msit-2025-gpu.toml", d, "--bid", "coupang"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the negotiation record is set aside"));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(c.parent().unwrap()).unwrap();
}
