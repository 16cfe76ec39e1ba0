//! Shared by the fuzz targets: the fixed valid files each target combines with the fuzzed
//! bytes, the pipeline run on whatever loads, and the `analyses` target's tender generator.
//! `tests/it/fuzz_regressions.rs` replays the committed corpus through the same code.
//!
//! The fuzz binaries call every target with `render = false`: the hot path loads, checks
//! that every diagnostic is located and evaluates, without rendering a report or a
//! diagnostic. The regression replay passes `render = true` and renders everything too.
#![allow(dead_code, clippy::unwrap_used, clippy::panic, reason = "a fuzz harness fails loudly")]

use std::fmt::Write as _;
use std::sync::OnceLock;

use bidscore::{Decimal, SourceFile};

pub const CRITERIA: &str = include_str!("../../tests/fixtures/fuzz/criteria.toml");
pub const BID: &str = include_str!("../../tests/fixtures/fuzz/bid.toml");
pub const PANEL: &str = include_str!("../../tests/fixtures/fuzz/panel.toml");

/// The fixed files, built (and hashed) once per process; each input gets clones. The library
/// has no way to reuse a parsed file: `load_sources` takes text, so the fixed files are still
/// parsed and validated on every input.
struct Fixed {
    criteria: SourceFile,
    bid: SourceFile,
    panel: SourceFile,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        criteria: SourceFile::new("criteria.toml", CRITERIA),
        bid: SourceFile::new("bid.toml", BID),
        panel: SourceFile::new("panel.toml", PANEL),
    })
}

/// Load the files (criteria first); on success evaluate (and with `render`, render every
/// report format), on failure check the diagnostics (and with `render`, render them).
/// Nothing may panic, and every diagnostic must be located.
pub fn run(files: Vec<SourceFile>, render: bool) {
    match bidscore::load_sources(files) {
        Ok(inputs) => exercise(&inputs, render),
        Err(d) => check(&d, render),
    }
}

/// Every diagnostic of a failed load is an error or comes with one, and is located.
pub fn check(d: &bidscore::Diagnostics, render: bool) {
    assert!(d.has_errors());
    for x in &d.items {
        assert!(!x.labels.is_empty() || x.path.is_some(), "unlocated diagnostic {x:?}");
    }
    if render {
        let _ = d.render_human(false);
        let _ = d.render_json();
    }
}

/// The `criteria` target: the bytes as the criteria file, with a valid bid and panel.
pub fn criteria(data: &[u8], render: bool) {
    let (file, bad) = bidscore::source_from_bytes(0, String::from("criteria.toml"), data);
    if bad.is_some() {
        return; // not UTF-8: reported by the reader, covered by tests
    }
    let f = fixed();
    run(vec![file, f.bid.clone(), f.panel.clone()], render);
}

/// The `bid` target: the bytes as a second bid file.
pub fn bid(data: &[u8], render: bool) {
    let (file, bad) = bidscore::source_from_bytes(2, String::from("fuzzed.toml"), data);
    if bad.is_some() {
        return;
    }
    let f = fixed();
    run(vec![f.criteria.clone(), f.bid.clone(), file, f.panel.clone()], render);
}

/// The `panel` target: the bytes as the panel file.
pub fn panel(data: &[u8], render: bool) {
    let (file, bad) = bidscore::source_from_bytes(2, String::from("panel.toml"), data);
    if bad.is_some() {
        return;
    }
    let f = fixed();
    run(vec![f.criteria.clone(), f.bid.clone(), file], render);
}

/// The most bid files the `directory` target writes.
const MAX_DIR_BIDS: usize = 8;

/// The `directory` target: the bytes split at NUL into files in a directory, loaded through
/// the file system; the first chunk is the criteria file, the rest (at most 8) the bids.
/// The directory is reused: files a shorter input does not write are removed.
pub fn directory(data: &[u8], dir: &std::path::Path, render: bool) {
    let bids = dir.join("bids");
    if !bids.is_dir() {
        std::fs::create_dir_all(&bids).unwrap();
    }
    let mut chunks = data.split(|b| *b == 0);
    std::fs::write(dir.join("criteria.toml"), chunks.next().unwrap_or_default()).unwrap();
    let mut written = 0;
    for (i, c) in chunks.take(MAX_DIR_BIDS).enumerate() {
        std::fs::write(bids.join(format!("f{i}.toml")), c).unwrap();
        written = i + 1;
    }
    for i in written..MAX_DIR_BIDS {
        let _ = std::fs::remove_file(bids.join(format!("f{i}.toml")));
    }
    match bidscore::load_paths(dir.join("criteria.toml"), &[&bids]) {
        Ok(inputs) => exercise(&inputs, render),
        Err(d) => {
            for x in &d.items {
                assert!(!x.labels.is_empty() || x.path.is_some(), "unlocated diagnostic {x:?}");
            }
            if render {
                let _ = d.render_human(false);
            }
        }
    }
}

/// Evaluate valid inputs; with `render`, also analyse the panel and render every report
/// format and the criteria file.
pub fn exercise(inputs: &bidscore::Inputs, render: bool) {
    let outcome = bidscore::evaluate(inputs);
    if !render {
        return;
    }
    let panel = bidscore::analysis::panel(inputs, &outcome).ok();
    let report = bidscore::report::ScoreReport::new(inputs, &outcome, panel.as_ref());
    for format in
        [bidscore::report::Format::Table, bidscore::report::Format::Json, bidscore::report::Format::Csv, bidscore::report::Format::Markdown]
    {
        let _ = bidscore::report::render(&report, format, bidscore::report::Options::new());
    }
    let _ = inputs.tender.to_toml();
}

// ---------------------------------------------------------------- the `analyses` target

/// Reads choices from the fuzz bytes; past the end every byte reads as 0.
struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// A number in `0..n` (`n` at least 1).
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn pick<'s>(&mut self, options: &[&'s str]) -> &'s str {
        let i = self.below(options.len());
        options.get(i).copied().unwrap_or("1")
    }

    /// A number at least 0 (above 0 with `positive`), as a TOML literal: the edge values (0,
    /// 1, one equal to an earlier value, large values near 1e15, tiny fractions down to the
    /// 10 decimals a number may have) or a value from the bytes, with up to 6 decimals.
    fn amount(&mut self, positive: bool, earlier: &[String]) -> String {
        let s = match self.below(10) {
            0 => String::from("0"),
            1 => String::from("1"),
            2 => match earlier.get(self.below(earlier.len())) {
                Some(e) => String::from(e.trim_start_matches('-')),
                None => String::from("1"),
            },
            3 => {
                String::from(self.pick(&["1e15", "999999999999999", "1000000000000001", "999999999999999.999999", "123456789012345.6789"]))
            }
            4 => String::from(self.pick(&["0.000001", "1e-10", "0.0000000001", "0.1", "0.3333333333"])),
            5 => self.byte().to_string(),
            6 => self.u32().to_string(),
            7 => {
                let n = self.u32();
                let places = self.below(7);
                decimal_text(u64::from(n), places)
            }
            8 => {
                let n = u64::from(self.u32()) * u64::from(self.u32() % 1_000_000);
                decimal_text(n, self.below(4))
            }
            _ => String::from(self.pick(&["600", "800", "799.999999", "1000", "1000.000001", "599.5", "60", "80"])),
        };
        if positive && is_zero(&s) { String::from("0.5") } else { s }
    }

    /// A number of either sign.
    fn signed(&mut self, earlier: &[String]) -> String {
        let negative = self.byte() < 48;
        let a = self.amount(false, earlier);
        if negative && !is_zero(&a) { format!("-{a}") } else { a }
    }
}

/// `n / 10^places` as decimal text.
fn decimal_text(n: u64, places: usize) -> String {
    let digits = n.to_string();
    if places == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    format!("{int}.{frac}")
}

/// A generated literal's value (plain or with an exponent).
fn dec(literal: &str) -> Option<Decimal> {
    literal.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(literal).ok())
}

fn is_zero(literal: &str) -> bool {
    dec(literal).is_some_and(|d| d.is_zero())
}

/// The bids' ids and names.
const BIDDERS: [&str; 4] = ["a", "b", "c", "d"];

/// The rules the generated tender may have. The fields the bids give: `ok` (the gate),
/// `offer.q` (linear), `offer.r` (relative), `offer.price`, `offer.price2` (kr-price),
/// `offer.years` (steps), `offer.units` (the quantity award).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    Linear,
    Relative,
    KrPrice,
    KrPrice2,
    Steps,
    Panel,
}

impl Rule {
    fn id(self) -> &'static str {
        match self {
            Rule::Linear => "lin",
            Rule::Relative => "rel",
            Rule::KrPrice => "price",
            Rule::KrPrice2 => "price2",
            Rule::Steps => "years",
            Rule::Panel => "mark",
        }
    }

    fn field(self) -> Option<&'static str> {
        match self {
            Rule::Linear => Some("q"),
            Rule::Relative => Some("r"),
            Rule::KrPrice => Some("price"),
            Rule::KrPrice2 => Some("price2"),
            Rule::Steps => Some("years"),
            Rule::Panel => None,
        }
    }
}

/// A small valid tender (criteria file, 2–4 bids and a panel file when a criterion needs
/// one) whose shape and values the bytes choose.
pub fn tender_from_bytes(data: &[u8]) -> Vec<SourceFile> {
    let mut c = Choices { data, at: 0 };
    let places = c.below(7);
    let mode = c.pick(&["half-up", "half-even", "down"]);
    let mut rules = Vec::new();
    for rule in [Rule::Linear, Rule::Relative, Rule::KrPrice, Rule::KrPrice2, Rule::Steps, Rule::Panel] {
        if c.flag() {
            rules.push(rule);
        }
    }
    if rules.is_empty() {
        rules.push(Rule::KrPrice);
    }
    // Points no finer than the rounding: whole numbers, halves from 1 place, 0.25 from 2.
    let mut point_options = vec!["0", "1", "3", "10", "20", "40", "1000000"];
    if places >= 1 {
        point_options.push("0.5");
    }
    if places >= 2 {
        point_options.push("0.25");
    }
    if places >= 6 {
        point_options.push("0.000001");
    }
    let mut points: Vec<Decimal> = Vec::new();
    for rule in &rules {
        let mut p: Decimal = c.pick(&point_options).parse().unwrap();
        if matches!(rule, Rule::KrPrice | Rule::KrPrice2) && p.is_zero() {
            p = Decimal::ONE;
        }
        points.push(p);
    }
    let mut max_points: Decimal = points.iter().sum();
    if max_points.is_zero() {
        if let Some(p) = points.first_mut() {
            *p = Decimal::TEN;
        }
        max_points = Decimal::TEN;
    }
    let among_qualified: Vec<bool> =
        rules.iter().map(|r| matches!(r, Rule::Relative | Rule::KrPrice | Rule::KrPrice2) && c.flag()).collect();
    let any_qualified = among_qualified.iter().any(|q| *q);
    // Sections: `tech` holds the linear, steps and panel rules, `price` the references;
    // a relative rule among the eligible bids may sit in `tech`.
    let relative_in_tech = c.flag();
    let section = |i: usize, r: Rule| match r {
        Rule::Linear | Rule::Steps | Rule::Panel => "tech",
        Rule::Relative if relative_in_tech && !among_qualified.get(i).copied().unwrap_or(false) => "tech",
        _ => "price",
    };
    let tech_max: Decimal =
        rules.iter().zip(&points).enumerate().filter(|(i, (r, _))| section(*i, **r) == "tech").map(|(_, (_, p))| *p).sum();
    // A `relative` rule in `tech` makes `tech` depend on a reference: then no threshold on
    // `tech` may sit with a rule `among = "qualified"` (none does: those are in `price`).
    let mut qualify = Vec::new();
    match c.below(4) {
        1 if !tech_max.is_zero() => qualify.push(format!("{{ section = \"tech\", min_share = {} }}", c.pick(&["0.1", "0.5", "0.85", "1"]))),
        2 if !any_qualified => {
            let share: Decimal = c.pick(&["0", "0.25", "0.5", "0.9", "1"]).parse().unwrap();
            qualify.push(format!("{{ min_points = {} }}", (max_points * share).normalize()));
        }
        3 if !tech_max.is_zero() => {
            qualify.push(format!("{{ section = \"tech\", min_points = {} }}", (tech_max / Decimal::TWO).normalize()))
        }
        _ => {}
    }
    let mut steps = vec!["1", "3", "2"];
    if places >= 1 {
        steps.extend(["0.5", "1.5"]);
    }
    if places >= 2 {
        steps.push("0.25");
    }
    let differential = match c.below(3) {
        1 => Some(format!("{{ section = \"tech\", step = {} }}", c.pick(&steps))),
        2 => Some(format!("{{ section = \"price\", step = {} }}", c.pick(&steps))),
        _ => None,
    };
    let tie_break = match c.below(4) {
        0 => String::from("[]"),
        1 => String::from("[\"bidder\"]"),
        2 => String::from("[\"section:tech\", \"bidder\"]"),
        _ => format!("[\"criterion:{}\"]", rules.get(c.below(rules.len())).map_or("lin", |r| r.id())),
    };
    let winners = c.pick(&["1", "1", "2", "\"all\""]);
    let quantity = c.flag().then(|| c.pick(&["0", "50", "100", "1000000"]));
    // The gate: `ok` at least (or at most) a value; with `missing = "fail"` a bid may lack it.
    let gate = match c.below(3) {
        1 => Some(("at_least", c.signed(&[]), c.flag())),
        2 => Some(("at_most", c.signed(&[]), c.flag())),
        _ => None,
    };
    let higher = c.flag();
    let (zero_at, full_at) = {
        let z = c.signed(&[]);
        let mut f = c.signed(std::slice::from_ref(&z));
        if let Some(zd) = dec(&z)
            && dec(&f) == Some(zd)
        {
            f = (zd + Decimal::ONE).normalize().to_string();
        }
        (z, f)
    };
    let (estimated, estimated2) = (c.amount(true, &[]), c.amount(true, &[]));
    let (cap, cap2) = (c.flag(), c.flag());
    let trim = c.below(2);
    let marks_each = 2 * trim + 1 + c.below(3);

    let mut t = String::new();
    let _ = writeln!(t, "[tender]\nid = \"fuzz-analyses\"\ntitle = \"Fuzz analyses\"\n[evaluation]");
    let _ = writeln!(t, "max_points = {}\nrounding = {{ places = {places}, mode = \"{mode}\" }}", max_points.normalize());
    if !qualify.is_empty() {
        let _ = writeln!(t, "qualify = [{}]", qualify.join(", "));
    }
    let _ = writeln!(t, "tie_break = {tie_break}");
    if let Some(d) = &differential {
        let _ = writeln!(t, "differential = {d}");
    }
    let _ = writeln!(t, "[award]\nwinners = {winners}");
    if let Some(q) = quantity {
        let _ = writeln!(t, "quantity = {{ field = \"offer.units\", total = {q} }}");
    }
    let _ = writeln!(t, "[[section]]\nid = \"tech\"\ntitle = \"Tech\"\n[[section]]\nid = \"price\"\ntitle = \"Price\"");
    if let Some((require, value, missing_fail)) = &gate {
        let _ = writeln!(t, "[[gate]]\nid = \"ok\"\ntitle = \"OK\"\nfield = \"ok\"\nrequire = {{ {require} = {value} }}");
        if *missing_fail {
            let _ = writeln!(t, "missing = \"fail\"");
        }
    }
    for (i, (rule, p)) in rules.iter().zip(&points).enumerate() {
        let among = if among_qualified.get(i).copied().unwrap_or(false) { ", among = \"qualified\"" } else { "" };
        let text = match rule {
            Rule::Linear => format!("{{ kind = \"linear\", zero_at = {zero_at}, full_at = {full_at} }}"),
            Rule::Relative => format!("{{ kind = \"relative\", better = \"{}\"{among} }}", if higher { "higher" } else { "lower" }),
            Rule::KrPrice => format!("{{ kind = \"kr-price\", estimated = {estimated}, cap = {cap}{among} }}"),
            Rule::KrPrice2 => format!("{{ kind = \"kr-price\", estimated = {estimated2}, cap = {cap2}{among} }}"),
            Rule::Steps => String::from("{ kind = \"steps\", steps = [{ at_least = 1, score = 0.5 }, { at_least = 3, score = 1 }] }"),
            Rule::Panel => format!("{{ kind = \"panel\", scale = 10, trim = {trim} }}"),
        };
        let _ = writeln!(
            t,
            "[[criterion]]\nid = \"{}\"\nsection = \"{}\"\ntitle = \"{}\"\npoints = {}",
            rule.id(),
            section(i, *rule),
            rule.id(),
            p
        );
        if let Some(f) = rule.field() {
            let _ = writeln!(t, "field = \"offer.{f}\"");
        }
        let _ = writeln!(t, "rule = {text}");
    }

    let n = 2 + c.below(3);
    let mut files = vec![SourceFile::new("criteria.toml", t)];
    let mut earlier: Vec<String> = Vec::new();
    let mut marks = String::new();
    for id in BIDDERS.iter().take(n) {
        let mut b = String::new();
        if let Some((_, _, missing_fail)) = &gate
            && !(*missing_fail && c.byte() < 40)
        {
            let _ = writeln!(b, "ok = {}", c.signed(&earlier));
        }
        let _ = writeln!(b, "[bidder]\nid = \"{id}\"\nname = \"Bidder {id}\"\n[offer]");
        for rule in &rules {
            let value = match rule {
                Rule::Linear | Rule::Steps => c.signed(&earlier),
                Rule::Relative => c.amount(!higher, &earlier),
                Rule::KrPrice | Rule::KrPrice2 => c.amount(true, &earlier),
                Rule::Panel => {
                    // Marks from 0 to 10 in halves.
                    let m: Vec<String> = (0..marks_each)
                        .map(|_| {
                            let v = c.byte() % 21;
                            if v.is_multiple_of(2) { (v / 2).to_string() } else { format!("{}.5", v / 2) }
                        })
                        .collect();
                    let _ = writeln!(marks, "{id} = [{}]", m.join(", "));
                    continue;
                }
            };
            if let Some(f) = rule.field() {
                let _ = writeln!(b, "{f} = {value}");
            }
            earlier.push(value);
        }
        if quantity.is_some() {
            let _ = writeln!(b, "units = {}", c.pick(&["0", "1", "30", "50", "60", "100", "4294967295"]));
        }
        files.push(SourceFile::new(format!("{id}.toml"), b));
    }
    if rules.contains(&Rule::Panel) {
        files.push(SourceFile::new("panel.toml", format!("[panel]\n[panel.marks.mark]\n{marks}")));
    }
    files
}

/// Stability's options: the default, except under differential scoring when a limit is
/// set here. On some of these small tenders the walk once crawled for ever
/// (`regressions/analyses/crash-72ba5009b22b`, found by this target: 13.7 s at 6932562);
/// since the walk stops where events crowd together it takes about 1 s, so stability is
/// fuzzed with its default limit again. Set a limit to fuzz the rest faster.
const DIFFERENTIAL_STABILITY_LIMIT: Option<usize> = None;

fn stability_options(inputs: &bidscore::Inputs) -> bidscore::analysis::StabilityOptions {
    let options = bidscore::analysis::StabilityOptions::new();
    match DIFFERENTIAL_STABILITY_LIMIT {
        Some(n) if inputs.tender.differential.is_some() => options.with_max_evaluations(n),
        _ => options,
    }
}

/// The `analyses` target: a small valid tender from the bytes, evaluated and analysed by
/// every analysis of the library (explain, path-to-win with the default options, stability,
/// panel). No panic; an analysis may refuse (an `Err`). With `render`, the criteria text
/// is also rendered back. A tender that fails to load is a generator bug in the replay
/// (`render`), and only checked in the fuzz binary.
pub fn analyses(data: &[u8], render: bool) {
    let files = tender_from_bytes(data);
    let pick = data.last().copied().unwrap_or(0);
    let inputs = match bidscore::load_sources(files) {
        Ok(inputs) => inputs,
        Err(d) => {
            check(&d, false);
            if render {
                panic!("the analyses generator made an invalid tender:\n{}", d.render_human(false));
            }
            return;
        }
    };
    let outcome = bidscore::evaluate(&inputs);
    let ids: Vec<&str> = inputs.bids.iter().map(|b| b.id.as_str()).collect();
    for (i, id) in ids.iter().enumerate() {
        if let Ok(e) = bidscore::analysis::explain(&inputs, &outcome, id, None)
            && let Some(vs) = &e.against
        {
            let sum: Decimal = vs.deltas.iter().map(|d| d.delta).sum();
            assert_eq!(sum + vs.adjustment.unwrap_or_default(), vs.gap, "explain {id}: the deltas do not add up to the gap");
        }
        let other = ids.get((i + 1 + usize::from(pick)) % ids.len()).copied().unwrap_or("a");
        let _ = bidscore::analysis::explain(&inputs, &outcome, id, Some(other));
    }
    let who = ids.get(usize::from(pick) % ids.len().max(1)).copied().unwrap_or("a");
    let _ = bidscore::analysis::path_to_win(&inputs, &outcome, who, bidscore::analysis::PathToWinOptions::new());
    let s = bidscore::analysis::stability(&inputs, &outcome, stability_options(&inputs));
    for c in &s.criteria {
        assert!(
            c.lower.at <= c.points && c.points <= c.upper.at,
            "stability of {}: {} not within [{}, {}]",
            c.id,
            c.points,
            c.lower.at,
            c.upper.at
        );
    }
    let _ = bidscore::analysis::panel(&inputs, &outcome);
    robustness(&inputs, &outcome, pick, render);
    if render {
        let _ = inputs.tender.to_toml();
    }
}

/// Robustness on a small budget: no panic; every bid's ranks account for every sample; a
/// bid that fails a gate on values that do not vary is never selected; every certified
/// flip was re-scored (or says why not).
fn robustness(inputs: &bidscore::Inputs, outcome: &bidscore::Outcome, pick: u8, render: bool) {
    use bidscore::analysis::{InputMode, MarkMode, RobustnessOptions, WeightMode};
    let options = RobustnessOptions {
        samples: 256 + u64::from(pick),
        seed: u64::from(pick),
        weights: match pick % 3 {
            0 => WeightMode::Uniform,
            1 => WeightMode::Around(Decimal::from(25)),
            _ => WeightMode::Published,
        },
        inputs: InputMode::Ranges,
        marks: if inputs.tender.criteria.iter().any(|c| c.rule.panel().is_some()) && pick.is_multiple_of(2) {
            MarkMode::Bootstrap
        } else {
            MarkMode::Fixed
        },
        certify: 3,
        audit: 4,
    };
    let r = match bidscore::analysis::robustness(inputs, outcome, &options) {
        Ok(r) => r,
        Err(e) => {
            assert!(e.to_string().contains("committee cannot be resampled"), "robustness refused: {e}");
            return;
        }
    };
    for b in &r.bids {
        assert_eq!(b.ranks.iter().sum::<u64>() + b.unranked, r.samples, "robustness: {}'s ranks do not add up", b.bidder);
    }
    for f in &r.certified {
        assert!(f.exact_winners.is_some() || f.refused.is_some(), "robustness: a flip neither re-scored nor refused");
    }
    if render {
        let words = [String::from("criteria.toml"), String::from("bids")];
        let view = bidscore::report::RobustnessReport { result: &r, inputs, arguments: &words };
        for format in [bidscore::report::Format::Table, bidscore::report::Format::Json, bidscore::report::Format::Csv] {
            let _ = bidscore::report::render(&view, format, bidscore::report::Options::new());
        }
    }
}
