//! Hostile text in what people read: control characters in names, titles, values, paths and
//! source lines never reach a terminal raw (they are written `\u{1b}`), in every human format
//! and in the rendered diagnostics; JSON keeps the exact text. And six hundred errors do not
//! flood the terminal: the human format shows the first 20 and counts the rest by code.

use std::path::PathBuf;
use std::process::{Command, Output};

use bidscore::report::{CheckReport, ExplainReport, Format, ScoreReport};
use bidscore::{SourceFile, evaluate, load_sources};

use crate::show;

/// Clear the screen, home, carriage return, bell, a C1 CSI, a right-to-left override, a
/// left-to-right isolate, DEL: each can clear the screen, fake a line or reorder text.
const HOSTILE: &str = "Evil\u{1b}[2J\u{1b}[H\r\u{7}\u{9b}31m\u{202e}\u{2066}Corp\u{7f}";

/// The same, as a TOML basic string (escapes, so the file itself stays valid TOML).
const HOSTILE_TOML: &str = r#""Evil\u001b[2J\u001b[H\r\u0007\u009b31m\u202e\u2066Corp\u007f""#;

/// Every byte sequence a terminal must not receive raw: C0 controls but the line feed, DEL,
/// C1 controls (UTF-8 `C2 80`–`C2 9F`), and the bidirectional controls.
fn assert_clean(what: &str, s: &str) {
    let b = s.as_bytes();
    let at = |i: usize| s.get(i.saturating_sub(40)..(i + 40).min(s.len())).map_or_else(String::new, |x| format!("{x:?}"));
    for (i, &x) in b.iter().enumerate() {
        assert!(x >= 0x20 || x == b'\n', "{what}: raw control byte {x:#04x} at {i}: {}", at(i));
        assert_ne!(x, 0x7f, "{what}: raw DEL at {i}");
    }
    for (i, w) in b.windows(2).enumerate() {
        assert!(!(w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])), "{what}: raw C1 control at {i}");
    }
    for (i, c) in s.char_indices() {
        let bidi = matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!bidi, "{what}: raw bidirectional control {c:?} at {i}: {}", at(i));
    }
}

fn criteria() -> String {
    format!(
        r#"[tender]
id = "t"
title = {h}
authority = {h}
[evaluation]
max_points = 20
[[section]]
id = "tech"
title = {h}
[[gate]]
id = "licence"
title = {h}
field = "offer.licence"
require = {{ equals = "yes" }}
[[criterion]]
id = "speed"
section = "tech"
title = {h}
points = 10
field = "offer.speed"
rule = {{ kind = "linear", zero_at = 0, full_at = 100 }}
[[criterion]]
id = "grade"
section = "tech"
title = {h}
points = 10
field = "offer.grade"
rule = {{ kind = "choice", scores = {{ {h} = 1, plain = 0.5 }} }}
"#,
        h = HOSTILE_TOML
    )
}

fn bid(id: &str, name: &str, grade: &str, licence: &str) -> String {
    format!(
        "[bidder]\nid = \"{id}\"\nname = {name}\nnote = {h}\n[offer]\nspeed = 50\ngrade = {grade}\nlicence = {licence}\n\
         [provenance.\"offer.speed\"]\nstatus = \"reported\"\nsource = {h}\n[provenance.\"offer.grade\"]\nstatus = \"reported\"\nsource = \"s\"\n\
         [provenance.\"offer.licence\"]\nstatus = \"reported\"\nsource = \"s\"\n",
        h = HOSTILE_TOML
    )
}

fn hostile_tender() -> Vec<SourceFile> {
    vec![
        SourceFile::new("criteria.toml", criteria()),
        SourceFile::new("bids/evil.toml", bid("evil", HOSTILE_TOML, HOSTILE_TOML, "\"yes\"")),
        // A name with a line break and a carriage return that would overwrite the line.
        SourceFile::new("bids/plain.toml", bid("plain", r#""Plain\nrank 1: Plain\rOK""#, "\"plain\"", HOSTILE_TOML)),
    ]
}

#[test]
fn the_hostile_tender_loads_with_its_text_exact() {
    let inputs = load_sources(hostile_tender()).unwrap();
    assert_eq!(inputs.tender.title, HOSTILE);
    assert_eq!(inputs.bids[0].name, HOSTILE);
}

#[test]
fn human_formats_carry_no_raw_control_character() {
    let inputs = load_sources(hostile_tender()).unwrap();
    let outcome = evaluate(&inputs);
    let explanation = bidscore::analysis::explain(&inputs, &outcome, "evil", Some("plain")).unwrap();
    for format in [Format::Table, Format::Markdown] {
        let score = show(&ScoreReport::new(&inputs, &outcome, None), format);
        assert_clean(&format!("score {format:?}"), &score);
        assert!(score.contains("Evil\\u{1b}[2J"), "the escape is visible:\n{score}");
        assert_clean(&format!("check {format:?}"), &show(&CheckReport { inputs: &inputs, outcome: &outcome }, format));
        assert_clean(&format!("explain {format:?}"), &show(&ExplainReport { explanation: &explanation, inputs: &inputs }, format));
    }
    let table = show(&ScoreReport::new(&inputs, &outcome, None), Format::Table);
    // Every escape of the name is shown, in order.
    assert!(table.contains("\\u{1b}[H\\u{d}\\u{7}\\u{9b}31m\\u{202e}\\u{2066}Corp\\u{7f}"), "{table}");
}

#[test]
fn json_keeps_the_exact_text() {
    let inputs = load_sources(hostile_tender()).unwrap();
    let outcome = evaluate(&inputs);
    let json = show(&ScoreReport::new(&inputs, &outcome, None), Format::Json);
    // C0 controls are JSON escapes, never raw.
    assert!(json.contains(r"\u001b[2J"), "{json}");
    assert!(!json.bytes().any(|b| b < 0x20 && b != b'\n'), "raw C0 control in JSON");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The exact string comes back wherever a person's text is carried.
    let mut found = 0;
    fn walk(v: &serde_json::Value, found: &mut usize) {
        match v {
            serde_json::Value::String(s) if s.contains(HOSTILE) => *found += 1,
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, found)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    walk(&v, &mut found);
    assert!(found >= 2, "the title and the bidder's name round-trip exactly ({found} found)");
}

/// Invalid inputs whose messages, labels, paths and source lines carry control characters.
fn hostile_invalid() -> Vec<SourceFile> {
    let mut files = hostile_tender();
    // A value the choice does not list: the message quotes it.
    files.push(SourceFile::new("bids/other.toml", bid("other", "\"O\"", r#""Evil\u001b[2J\u009bnot listed""#, "\"yes\"")));
    // A path with an escape in it, and a raw control character in the text (a syntax error
    // whose source line is shown).
    files.push(SourceFile::new("bids/\u{1b}[2Jcrash\r.toml", "[bidder]\nid = \"x\"\nname = \"X\u{1b}[31m\u{9b}\u{202e}\"\n"));
    // A raw right-to-left override in a string (valid TOML) on the line of an error.
    files.push(SourceFile::new("bids/rlo.toml", "[bidder]\nid = \"Bad\u{202e}Id\"\nname = \"A\\u0007\"\n"));
    files
}

#[test]
fn rendered_diagnostics_carry_no_raw_control_character() {
    let d = load_sources(hostile_invalid()).unwrap_err();
    let codes = crate::codes(&d);
    assert!(codes.contains(&"unknown-choice") && codes.contains(&"toml-syntax") && codes.contains(&"bad-id"), "{codes:?}");
    let human = d.render_human(false);
    assert_clean("render_human", &human);
    assert_clean("render_human_limited", &d.render_human_limited(false, 20, 10));
    assert_clean("render_short", &d.render_short());
    assert_clean("summary", &d.summary());
    // The path, the message and the source line are all escaped, visibly.
    assert!(human.contains("bids/\\u{1b}[2Jcrash\\u{d}.toml"), "{human}");
    assert!(human.contains("Evil\\u{1b}[2J"), "{human}");
    assert!(human.contains("Bad\\u{202e}Id"), "{human}");
    // The source line of the syntax error (miette's snippet) is escaped too.
    assert!(human.contains("name = \"X\\u{1b}[31m\\u{9b}\\u{202e}\""), "{human}");
}

#[test]
fn escaped_source_lines_keep_their_place() {
    // The caret and `line:col` refer to the file as read, before any escape was added.
    let files = vec![
        SourceFile::new("criteria.toml", criteria()),
        SourceFile::new("bids/a.toml", "[bidder]\nid = \"a\"\nname = \"A\"\nnote = \"\u{202e}\u{202e}\" x = 1\n"),
    ];
    let d = load_sources(files).unwrap_err();
    let x = d.items.iter().find(|x| x.code == "toml-syntax").unwrap();
    let location = d.location(x);
    let human = d.render_human(false);
    assert_clean("render_human", &human);
    let (_, line_col) = location.rsplit_once("a.toml:").unwrap();
    assert!(human.contains(&format!("[bids/a.toml:{line_col}]")), "header as `location` ({location}):\n{human}");
    // The caret sits under the `x`, after the two escapes (each 8 columns wide).
    let line = human.lines().find(|l| l.contains("note = ")).unwrap();
    assert!(line.contains("note = \"\\u{202e}\\u{202e}\" x = 1"), "{line}");
    let caret = human.lines().skip_while(|l| !l.contains("note = ")).nth(1).unwrap();
    let x_col = line.get(..line.find(" x = 1").unwrap()).unwrap().chars().count() + 1;
    assert_eq!(caret.chars().position(|c| c != ' ' && c != '·'), Some(x_col), "caret under `x`:\n{line}\n{caret}");
}

#[test]
fn diagnostics_json_keeps_the_exact_text() {
    let d = load_sources(hostile_invalid()).unwrap_err();
    let json = d.render_json();
    assert!(!json.bytes().any(|b| b < 0x20 && b != b'\n'), "raw C0 control in JSON");
    let v: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let choice = v.iter().find(|x| x["code"] == "unknown-choice").unwrap();
    assert!(choice["message"].as_str().unwrap().contains("Evil\u{1b}[2J\u{9b}not listed"), "{choice}");
    assert!(v.iter().any(|x| x["file"] == "bids/\u{1b}[2Jcrash\r.toml"), "the path round-trips");
}

#[test]
fn a_backslash_before_an_escape_is_doubled_so_escapes_are_unambiguous() {
    // `\u{1b}` written literally in a name, and a backslash before a real ESC, read apart.
    let files = vec![
        SourceFile::new("criteria.toml", criteria()),
        SourceFile::new("bids/a.toml", bid("a", r#""lit \\u{1b} real \\\u001b""#, "\"plain\"", "\"yes\"")),
    ];
    let inputs = load_sources(files).unwrap();
    assert_eq!(inputs.bids[0].name, "lit \\u{1b} real \\\u{1b}");
    let table = show(&ScoreReport::new(&inputs, &inputs_outcome(&inputs), None), Format::Table);
    assert!(table.contains("lit \\\\u{1b} real \\\\\\u{1b}"), "{table}");
}

fn inputs_outcome(inputs: &bidscore::Inputs) -> bidscore::Outcome {
    evaluate(inputs)
}

// ---- many errors: the terminal shows some, JSON all ----

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bidscore-hostile-output-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("bids")).unwrap();
    d
}

fn bidscore(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bidscore")).args(args).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn six_hundred_errors_show_twenty_and_count_the_rest_by_code() {
    let dir = tmp("many-errors");
    let criteria = "[tender]\nid = \"t\"\ntitle = \"T\"\n[evaluation]\nmax_points = 10\n[[section]]\nid = \"tech\"\ntitle = \"T\"\n\
                    [[criterion]]\nid = \"plan\"\nsection = \"tech\"\ntitle = \"P\"\npoints = 10\nrule = { kind = \"panel\", scale = 10 }\n";
    std::fs::write(dir.join("criteria.toml"), criteria).unwrap();
    std::fs::write(dir.join("bids/a.toml"), "[bidder]\nid = \"a\"\nname = \"A\"\n").unwrap();
    let mut panel = String::from("[panel]\nsource = \"s\"\n[panel.marks.plan]\na = [5, 6, 7]\n");
    for i in 0..590 {
        panel.push_str(&format!("ghost-{i} = [5, 6, 7]\n"));
    }
    // Ten of another kind, to see the count by code.
    panel.push_str("[panel.marks.none]\na = [1, 2, 3]\n");
    std::fs::write(dir.join("bids/panel.toml"), &panel).unwrap();
    let (c, b) = (dir.join("criteria.toml"), dir.join("bids"));
    let out = bidscore(&["check".as_ref(), c.as_os_str(), b.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let shown = stderr.lines().filter(|l| l.trim_start().starts_with('×')).count();
    assert_eq!(shown, 20, "{stderr}");
    assert!(stderr.contains("… and 571 more errors not shown: 571 × `unknown-reference`\n"), "{stderr}");
    assert!(stderr.trim_end().ends_with("591 errors in 1 file"), "{stderr}");
    // JSON: every one.
    let json = bidscore(&["check".as_ref(), "--error-format".as_ref(), "json".as_ref(), c.as_os_str(), b.as_os_str()]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(v.len(), 591);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hidden_errors_are_counted_by_code_most_frequent_first() {
    use bidscore::{Diagnostic, Diagnostics, Span};
    let sources = vec![SourceFile::new("a.toml", "x = 1\n")];
    let at = Span::new(0, 0, 1);
    let items = vec![
        Diagnostic::error("b-code", at, "one"),
        Diagnostic::error("b-code", at, "two"),
        Diagnostic::error("a-code", at, "three"),
        Diagnostic::error("a-code", at, "four"),
        Diagnostic::error("a-code", at, "five"),
        Diagnostic::warning("w-code", at, "six"),
    ];
    let d = Diagnostics::new(sources, items);
    let text = d.render_human_limited(false, 0, 0);
    assert!(
        text.ends_with("… and 5 more errors not shown: 3 × `a-code`, 2 × `b-code`\n\n… and 1 more warning not shown: 1 × `w-code`\n\n"),
        "{text}"
    );
    assert!(!text.contains('×') || !text.contains("  × "), "nothing shown in full:\n{text}");
    // With room for all, nothing is counted.
    assert!(!d.render_human_limited(false, 20, 10).contains("not shown"));
}

// ---- a file that cannot be read blames no other file ----

#[test]
fn a_bid_path_that_cannot_be_read_gives_one_note_not_an_unknown_bid_per_criterion() {
    let case = "tests/fixtures/invalid/syntax-error-in-bid-named-by-panel";
    let bids = [format!("{case}/bids/acme.toml"), format!("{case}/bids/panel.toml"), format!("{case}/bids/missing.toml")];
    let d = bidscore::load_paths(format!("{case}/criteria.toml"), &bids).unwrap_err();
    let mut codes = crate::codes(&d);
    codes.sort_unstable();
    assert_eq!(codes, ["check-skipped", "unreadable-path"], "{}", d.render_short());
    assert_eq!(d.error_count(), 1);
    assert_eq!(d.summary(), "1 error in 1 file");
}
