//! Bad input: every problem at once, each with a stable code and a `path:line:col`; and no
//! input, however broken, panics (SPEC §6 invariant 10).

use bidscore::{SourceFile, load_sources};
use proptest::prelude::*;

use crate::load_texts;

const CRITERIA: &str = r#"[tender]
id = "t"
title = "T"

[evaluation]
max_points = 10

[[section]]
id = "tech"
title = "Technical"

[[gate]]
id = "korea"
title = "Korean office"
field = "eligibility.korea"
require = { equals = true }

[[criterion]]
id = "speed"
section = "tech"
title = "Speed"
points = 6
field = "offer.speed"
rule = { kind = "linear", zero_at = 0, full_at = 100 }

[[criterion]]
id = "tenure"
section = "tech"
title = "Tenure"
points = 4
field = "dc.tenure"
rule = { kind = "choice", scores = { owned = 1, leased = 0.5 } }
"#;

const BID: &str = r#"[bidder]
id = "acme"
name = "Acme"

[eligibility]
korea = true

[offer]
speed = 50

[dc]
tenure = "owned"
"#;

/// (code, "path:line:col") of every diagnostic.
fn problems(criteria: &str, others: &[&str]) -> Vec<(String, String)> {
    let others: Vec<String> = others.iter().map(|s| (*s).to_owned()).collect();
    match load_texts(criteria, &others) {
        Ok(_) => Vec::new(),
        Err(d) => d.items.iter().map(|x| (x.code.to_owned(), d.location(x))).collect(),
    }
}

fn p(code: &str, at: &str) -> (String, String) {
    (code.to_owned(), at.to_owned())
}

#[test]
fn the_fixture_is_valid() {
    assert_eq!(problems(CRITERIA, &[BID]), vec![]);
}

#[test]
fn reports_every_problem_across_every_file_at_once() {
    let criteria = CRITERIA.replace("max_points = 10", "max_points = 12").replace("zero_at = 0, full_at = 100", "zero_at = 5, full_at = 5");
    let bid = BID.replace("speed = 50", "speed = \"fast\"").replace("tenure = \"owned\"", "tenure = \"ownd\"");
    let got = problems(&criteria, &[&bid, "[bidder]\nid = \"Bad_Id\"\nname = \"x\"\n"]);
    let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
    assert!(codes.contains(&"linear-equal-ends"), "{got:?}");
    assert!(codes.contains(&"bad-id"), "{got:?}");
    assert!(got.len() >= 2, "{got:?}");
}

/// From 64 files on, they are parsed and checked on every core: each problem is still found,
/// in its own file, as when the file is read beside a single valid bid.
#[test]
fn many_files_report_every_problem_as_few_files_do() {
    let bid = |n: usize| (format!("b{n:03}.toml"), BID.replace("id = \"acme\"", &format!("id = \"b{n:03}\"")));
    let broken = [
        (10, bid(10).1.replace("speed = 50", "speed = 50 50")),
        (50, bid(50).1.replace("speed = 50", "speed = \"50\"")),
        (77, bid(77).1.replace("tenure = \"owned\"", "tenure = \"ownd\"")),
        (90, bid(90).1.replace("id = \"b090\"", "id = \"B_90\"")),
    ];
    let problems = |files: Vec<(String, String)>| -> Vec<(String, String, String)> {
        let mut sources = vec![SourceFile::new("criteria.toml", CRITERIA)];
        sources.extend(files.into_iter().map(|(name, text)| SourceFile::new(name, text)));
        match load_sources(sources) {
            Ok(_) => Vec::new(),
            Err(d) => d.items.iter().map(|x| (x.code.to_owned(), d.location(x), x.message.clone())).collect(),
        }
    };
    let mut many: Vec<(String, String)> = (0..100).map(bid).collect();
    let mut expected = Vec::new();
    for (k, text) in &broken {
        many[*k].1.clone_from(text);
        expected.extend(problems(vec![bid(0), (bid(*k).0, text.clone())]));
    }
    let got = problems(many);
    assert_eq!(got, expected);
    let paths: Vec<&str> = got.iter().map(|(_, at, _)| at.split(':').next().unwrap_or("")).collect();
    for k in ["b010.toml", "b050.toml", "b077.toml", "b090.toml"] {
        assert!(paths.contains(&k), "{k} not reported: {got:?}");
    }
}

/// A directory of many files is opened and read on every core, a window at a time: the same
/// file under two names is read once, a file over its limit is refused, and the total limit
/// stops the reading at the file that reaches it, counting every file after it.
#[test]
fn many_files_in_a_directory_are_read_within_the_limits_in_order() {
    use bidscore::{ReadLimits, load_paths_with};
    let dir = std::env::temp_dir().join(format!("bidscore-many-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bids = dir.join("bids");
    std::fs::create_dir_all(&bids).unwrap();
    std::fs::write(dir.join("criteria.toml"), CRITERIA).unwrap();
    let n = 600;
    let mut sizes = Vec::new();
    for k in 0..n {
        let text = BID.replace("id = \"acme\"", &format!("id = \"b{k:03}\""));
        sizes.push(text.len() as u64);
        std::fs::write(bids.join(format!("b{k:03}.toml")), text).unwrap();
    }
    // The same file again under another name, and a file over the limit of one file.
    std::fs::hard_link(bids.join("b007.toml"), bids.join("b007-again.toml")).unwrap();
    std::fs::write(bids.join("b300-big.toml"), format!("# {}\n", "x".repeat(5000))).unwrap();
    let criteria = dir.join("criteria.toml");
    let codes = |limits: ReadLimits| match load_paths_with(&criteria, &[&bids], limits) {
        Ok(i) => (i.bids.len(), Vec::new()),
        Err(d) => (0, d.items.iter().map(|x| (x.code.to_owned(), x.path.clone().unwrap_or_default(), x.message.clone())).collect()),
    };
    let big = display(&bids.join("b300-big.toml"));
    let (_, got) = codes(ReadLimits { max_file_bytes: 4096, ..ReadLimits::default() });
    assert_eq!(
        got,
        vec![(String::from("file-too-large"), big.clone(), String::from("file is 5003 bytes, over the limit of 4096 bytes (0 MiB)"))]
    );
    // The total runs out at bid 450: it and the 149 after it are not read.
    let stop = 450;
    let total = CRITERIA.len() as u64 + sizes.iter().take(stop).sum::<u64>();
    let (_, got) = codes(ReadLimits { max_file_bytes: 4096, max_total_bytes: total });
    let over = got.iter().find(|(c, _, _)| c == "input-too-large").expect("the total limit is reached");
    assert_eq!(over.1, display(&bids.join(format!("b{stop:03}.toml"))));
    assert!(over.2.ends_with(&format!("this file and {} other files after it were not read", n - stop - 1)), "{over:?}");
    // With room for all, every bid is read once.
    let mut all = ReadLimits::default();
    std::fs::remove_file(bids.join("b300-big.toml")).unwrap();
    all.max_file_bytes = 4096;
    assert_eq!(codes(all).0, n);
    let _ = std::fs::remove_dir_all(&dir);
}

fn display(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn points_that_do_not_add_up_show_the_sum_and_difference() {
    let d = load_texts(&CRITERIA.replace("max_points = 10", "max_points = 12"), &[BID.to_owned()]).unwrap_err();
    let x = d.items.iter().find(|x| x.code == "points-mismatch").unwrap();
    assert_eq!(x.message, "the criteria's points add up to `10`, not `12` (short by `2`)");
    assert_eq!(d.location(x), "criteria.toml:6:14");
}

#[test]
fn unknown_keys_suggest_the_closest_valid_key() {
    let d = load_texts(&CRITERIA.replace("title = \"Speed\"", "titel = \"Speed\""), &[BID.to_owned()]).unwrap_err();
    let codes: Vec<_> = d.items.iter().map(|x| (x.code, d.location(x))).collect();
    assert!(codes.contains(&("unknown-key", String::from("criteria.toml:21:1"))), "{codes:?}");
    let x = d.items.iter().find(|x| x.code == "unknown-key").unwrap();
    assert!(x.help.as_deref().unwrap().starts_with("did you mean `title`?"), "{:?}", x.help);
}

#[test]
fn duplicate_ids_point_at_both_places() {
    let dup = CRITERIA.replace("id = \"tenure\"", "id = \"speed\"");
    let d = load_texts(&dup, &[BID.to_owned()]).unwrap_err();
    let x = d.items.iter().find(|x| x.code == "duplicate-id").unwrap();
    assert_eq!(d.location(x), "criteria.toml:27:6");
    assert_eq!(x.labels.len(), 2);
}

#[test]
fn wrong_value_types_are_located_in_the_bid() {
    let bid = BID.replace("speed = 50", "speed = \"50\"");
    assert_eq!(problems(CRITERIA, &[&bid]), vec![p("wrong-type", "f0.toml:9:9")]);
    let d = load_texts(CRITERIA, &[bid]).unwrap_err();
    assert_eq!(d.items[0].help.as_deref(), Some("write the number without quotes: `offer.speed = 50`"));
}

#[test]
fn a_quoted_date_is_refused_with_the_fix() {
    let criteria = CRITERIA.replace(
        "rule = { kind = \"linear\", zero_at = 0, full_at = 100 }",
        "rule = { kind = \"date\", full_by = \"2025-12-31\", zero_from = 2026-01-31 }",
    );
    let got = problems(&criteria, &[BID]);
    assert_eq!(got, vec![p("wrong-type", "criteria.toml:24:35")]);
}

#[test]
fn missing_bid_fields_name_the_bid_the_field_and_the_rule() {
    let bid = BID.replace("speed = 50\n", "");
    let d = load_texts(CRITERIA, &[bid]).unwrap_err();
    assert_eq!(d.items.len(), 1);
    assert_eq!(d.items[0].code, "missing-field");
    assert_eq!(d.items[0].message, "bid `acme` has no `offer.speed`, which criterion `speed` reads");
    assert_eq!(d.location(&d.items[0]), "f0.toml:2:6");
}

#[test]
fn a_choice_value_not_listed_suggests_one_that_is() {
    let d = load_texts(CRITERIA, &[BID.replace("\"owned\"", "\"ownd\"")]).unwrap_err();
    assert_eq!(d.items[0].code, "unknown-choice");
    assert!(d.items[0].help.as_deref().unwrap().starts_with("did you mean `owned`?"));
}

#[test]
fn impossible_rule_parameters_are_refused() {
    let cases = [
        ("zero_at = 0, full_at = 100", "zero_at = 3, full_at = 3", "linear-equal-ends"),
        (
            "{ kind = \"choice\", scores = { owned = 1, leased = 0.5 } }",
            "{ kind = \"choice\", scores = { owned = 1.5, leased = 0.5 } }",
            "score-out-of-range",
        ),
        (
            "{ kind = \"choice\", scores = { owned = 1, leased = 0.5 } }",
            "{ kind = \"steps\", steps = [{ at_least = 1, score = 1 }, { at_least = 3, score = 0.5 }] }",
            "steps-not-monotone",
        ),
        (
            "{ kind = \"linear\", zero_at = 0, full_at = 100 }",
            "{ kind = \"date\", full_by = 2026-01-01, zero_from = 2025-01-01 }",
            "date-backwards",
        ),
        ("{ kind = \"linear\", zero_at = 0, full_at = 100 }", "{ kind = \"liner\", zero_at = 0, full_at = 100 }", "unknown-rule-kind"),
    ];
    for (from, to, code) in cases {
        let d = load_texts(&CRITERIA.replace(from, to), &[BID.to_owned()]).unwrap_err();
        assert!(d.items.iter().any(|x| x.code == code), "{code}: {}", d.render_short());
    }
}

#[test]
fn panel_problems_are_each_reported() {
    let criteria = CRITERIA.replace(
        "field = \"dc.tenure\"\nrule = { kind = \"choice\", scores = { owned = 1, leased = 0.5 } }",
        "rule = { kind = \"panel\", scale = 10 }",
    );
    let bid2 = BID.replace("acme", "bolt");
    let panel = "[panel]\n[panel.marks.tenure]\nacme = [5, 6]\nbolt = [5, 6, 11]\nzeta = [1, 2, 3]\n";
    let got = problems(&criteria, &[BID, &bid2, panel]);
    let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
    for want in ["too-few-marks", "mark-out-of-range", "unknown-reference", "unequal-marks"] {
        assert!(codes.contains(&want), "{want} not in {got:?}");
    }
}

#[test]
fn files_that_are_neither_or_both_are_refused() {
    // The file's own problem is reported; "no bids" would only repeat it.
    assert_eq!(problems(CRITERIA, &["[offer]\nspeed = 1\n"]), vec![p("unknown-file-kind", "f0.toml:1:2")]);
    assert_eq!(problems(CRITERIA, &[]), vec![p("no-bids", "criteria.toml")]);
    let got = problems(CRITERIA, &["[bidder]\nid = \"a\"\nname = \"A\"\n[panel]\n"]);
    assert_eq!(got[0].0, "ambiguous-file-kind");
    assert_eq!(problems(CRITERIA, &[""]).first().map(|x| x.0.as_str()), Some("empty-file"));
}

#[test]
fn a_byte_order_mark_and_crlf_line_endings_are_accepted() {
    let crlf = format!("\u{feff}{}", BID.replace('\n', "\r\n"));
    assert_eq!(problems(&CRITERIA.replace('\n', "\r\n"), &[&crlf]), vec![]);
}

#[test]
fn syntax_errors_are_located() {
    let got = problems(CRITERIA, &["[bidder]\nid = \"a\nname = \"A\"\n"]);
    assert_eq!(got.first().map(|x| x.0.as_str()), Some("toml-syntax"));
    assert!(got[0].1.starts_with("f0.toml:2:"), "{got:?}");
}

#[test]
fn tie_break_and_threshold_references_are_checked() {
    let c = CRITERIA.replace(
        "max_points = 10",
        "max_points = 10\ntie_break = [\"section:tec\", \"criterion:sped\"]\nqualify = [{ section = \"tech\", min_points = 11 }]",
    );
    let d = load_texts(&c, &[BID.to_owned()]).unwrap_err();
    let codes: Vec<&str> = d.items.iter().map(|x| x.code).collect();
    assert_eq!(codes, vec!["unknown-reference", "unknown-reference", "bad-threshold"], "{}", d.render_short());
    assert!(d.items[0].help.as_deref().unwrap().starts_with("did you mean `tech`?"));
}

#[test]
fn non_utf8_files_name_the_byte() {
    let dir = std::env::temp_dir().join(format!("bidscore-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("c.toml");
    let b = dir.join("b.toml");
    std::fs::write(&c, CRITERIA).unwrap();
    std::fs::write(&b, b"[bidder]\nid = \"a\xff\"\n").unwrap();
    let d = bidscore::load_paths(&c, &[&b]).unwrap_err();
    assert_eq!(d.items[0].code, "not-utf8");
    assert_eq!(d.items[0].message, "file is not UTF-8: byte `0xff` at offset 16 is invalid");
    assert!(d.location(&d.items[0]).ends_with("b.toml:2:8"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_without_bids_is_refused() {
    let dir = std::env::temp_dir().join(format!("bidscore-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = std::env::temp_dir().join(format!("bidscore-c-{}.toml", std::process::id()));
    std::fs::write(&c, CRITERIA).unwrap();
    let d = bidscore::load_paths(&c, &[&dir]).unwrap_err();
    // The empty directory says it all; "no bids" would repeat it.
    let codes: Vec<&str> = d.items.iter().map(|x| x.code).collect();
    assert_eq!(codes, vec!["empty-directory"]);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&c).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes never panic, and every error has a location.
    #[test]
    fn arbitrary_text_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for (c, b) in [(text.clone(), BID.to_owned()), (CRITERIA.to_owned(), text.clone())] {
            if let Err(d) = load_sources(vec![SourceFile::new("c.toml", c), SourceFile::new("b.toml", b)]) {
                prop_assert!(d.has_errors());
                for x in &d.items {
                    prop_assert!(!x.labels.is_empty() || x.path.is_some(), "{:?}", x);
                }
                let _ = d.render_human(false);
            }
        }
    }

    /// Valid files with one byte changed never panic.
    #[test]
    fn mutated_valid_files_never_panic(pos in any::<proptest::sample::Index>(), byte in any::<u8>(), which in any::<bool>()) {
        let target = if which { CRITERIA } else { BID };
        let mut bytes = target.as_bytes().to_vec();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (c, b) = if which { (text, BID.to_owned()) } else { (CRITERIA.to_owned(), text) };
        if let Err(d) = load_sources(vec![SourceFile::new("c.toml", c), SourceFile::new("b.toml", b)]) {
            for x in &d.items {
                prop_assert!(!x.labels.is_empty() || x.path.is_some());
            }
            let _ = d.render_human(false);
        }
    }
}

#[test]
fn a_field_written_after_the_bidder_header_is_explained() {
    let bid = "[bidder]\nid = \"a\"\nname = \"A\"\nspeed = 5\n";
    let d = load_texts(CRITERIA, &[bid.to_owned()]).unwrap_err();
    let x = d.items.iter().find(|x| x.code == "unknown-key").unwrap();
    assert!(x.help.as_deref().unwrap().contains("a key written after `[bidder]` belongs to it"), "{:?}", x.help);
}

#[test]
fn a_panel_criterion_that_may_be_missing_needs_no_panel_file() {
    let criteria = CRITERIA.replace(
        "field = \"dc.tenure\"\nrule = { kind = \"choice\", scores = { owned = 1, leased = 0.5 } }",
        "rule = { kind = \"panel\", scale = 10 }\nmissing = \"zero\"",
    );
    let inputs = load_texts(&criteria, &[BID.to_owned()]).unwrap();
    let o = bidscore::evaluate(&inputs);
    let c = o.criterion(&inputs, o.standing("acme").unwrap(), o.criterion_index("tenure").unwrap()).unwrap();
    assert_eq!(c.points.to_string(), "0.0000");
    assert_eq!(bidscore::report::prose::reason(&c), "no panel marks; `missing = \"zero\"` scores 0");
}

/// Split a file into tokens: runs of word characters, runs of spaces, and single others.
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in s.chars() {
        let word = c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
        match out.last_mut() {
            Some(last) if word && last.chars().all(|x| x.is_alphanumeric() || x == '_' || x == '-' || x == '.') => last.push(c),
            Some(last) if c == ' ' && last.chars().all(|x| x == ' ') => last.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Valid files with a token deleted, duplicated, swapped with its neighbour or replaced
    /// by another token never panic, and every problem is located.
    #[test]
    fn token_mutated_valid_files_never_panic(which in any::<bool>(), pos in any::<proptest::sample::Index>(), other in any::<proptest::sample::Index>(), op in 0u8..4) {
        let target = if which { CRITERIA } else { BID };
        let mut t = tokens(target);
        let i = pos.index(t.len());
        let j = other.index(t.len());
        match op {
            0 => { t.remove(i); }
            1 => { let x = t[i].clone(); t.insert(i, x); }
            2 => { if i + 1 < t.len() { t.swap(i, i + 1); } }
            _ => { t[i] = t[j].clone(); }
        }
        let text: String = t.concat();
        let (c, b) = if which { (text, BID.to_owned()) } else { (CRITERIA.to_owned(), text) };
        if let Err(d) = load_sources(vec![SourceFile::new("c.toml", c), SourceFile::new("b.toml", b)]) {
            for x in &d.items {
                prop_assert!(!x.labels.is_empty() || x.path.is_some());
            }
            let _ = d.render_human(false);
        }
    }
}

#[test]
fn files_over_the_size_limit_are_refused_unread() {
    let dir = std::env::temp_dir().join(format!("bidscore-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("c.toml");
    std::fs::write(&c, CRITERIA).unwrap();
    let big = dir.join("big.toml");
    // Sparse: 17 MiB of nothing on disk, and never read.
    std::fs::File::create(&big).unwrap().set_len(17 * 1024 * 1024).unwrap();
    let d = bidscore::load_paths(&c, &[&big]).unwrap_err();
    assert_eq!(d.items[0].code, "file-too-large");
    assert_eq!(d.items[0].message, "file is 17825792 bytes, over the limit of 16777216 bytes (16 MiB)");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `{:?}` of diagnostics (or of inputs) names the files, never prints their whole text.
#[test]
fn debug_output_does_not_print_whole_input_files() {
    let criteria = std::fs::read_to_string("criteria/msit-2025-gpu.toml").unwrap().replace("max_points = 100", "max_points = 90");
    let d = load_texts(&criteria, &[]).unwrap_err();
    let shown = format!("{d:?}");
    assert!(shown.contains("criteria.toml") && shown.contains("sha256"), "{shown}");
    assert!(!shown.contains("[[criterion]]"), "the file's text is in the debug output");
    let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    assert!(!format!("{inputs:?}").contains("[[criterion]]"));
}

/// A bid keeps its file's text, not a tree of it: two files that say the same, however they
/// are written (order, inline tables, dotted keys, comments), give equal bids with the same
/// fields; one changed value makes them differ, and `to_toml` reads back as the same bid.
#[test]
fn bids_written_differently_with_the_same_values_are_equal() {
    let other = "# the same bid, laid out otherwise\ndc.tenure = \"owned\"\noffer = { speed = 50 }\n\n[eligibility]\nkorea = true\n\n[bidder]\nname = \"Acme\"\nid = \"acme\"\n";
    let a = load_texts(CRITERIA, &[BID.to_owned()]).unwrap();
    let b = load_texts(CRITERIA, &[other.to_owned()]).unwrap();
    assert_eq!(a.bids[0], b.bids[0]);
    assert_eq!(a.bids[0].field_values(), b.bids[0].field_values());
    assert_eq!(
        a.bids[0].field_values(),
        [("dc.tenure", "\"owned\""), ("eligibility.korea", "true"), ("offer.speed", "50")].map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    let changed = load_texts(CRITERIA, &[BID.replace("speed = 50", "speed = 51")]).unwrap();
    assert_ne!(a.bids[0], changed.bids[0]);
    let again = load_texts(CRITERIA, &[a.bids[0].to_toml()]).unwrap();
    assert_eq!(again.bids[0], a.bids[0]);
}

/// No files at all is a usage error that says so, not an empty list of problems.
#[test]
fn no_files_at_all_says_there_are_no_bids() {
    let Err(d) = bidscore::load_sources(Vec::new()) else { panic!("nothing loaded as inputs") };
    assert_eq!(d.items.iter().map(|d| d.code).collect::<Vec<_>>(), ["no-bids"]);
}
