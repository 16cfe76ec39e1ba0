//! Generators of *valid* tenders, written as TOML text, for the property and differential
//! tests. Every generated case must pass validation; a case that does not is a generator
//! bug and fails loudly.

use proptest::prelude::*;
use proptest::sample::select;

/// One criterion's rule and how bids are valued on it.
#[derive(Clone, Debug)]
pub enum Kind {
    Linear { zero_at: i64, full_at: i64 },
    Steps { thresholds: Vec<i64>, scores: Vec<&'static str>, otherwise: &'static str },
    Choice { scores: Vec<(&'static str, &'static str)> },
    Flag { if_true: &'static str, if_false: &'static str },
    Date { full_by: u32, zero_from: u32 },
    Relative { higher: bool },
    Panel { trim: u32, evaluators: usize },
    KrPrice { estimated: i64, cap: bool },
}

#[derive(Clone, Debug)]
pub struct CriterionSpec {
    pub id: String,
    pub section: usize,
    pub points: String,
    pub kind: Kind,
    pub missing_zero: bool,
    /// `among = "qualified"` on a relative / kr-price rule.
    pub among_qualified: bool,
}

/// A bid's value on one criterion.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Missing,
    Num(String),
    Text(&'static str),
    Bool(bool),
    Day(u32),
    Marks(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct GateSpec {
    pub at_least: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct BidSpec {
    pub id: String,
    pub values: Vec<Val>,
    pub gates: Vec<i64>,
    pub offered: u64,
    /// The unit price, with a budget (SPEC §10.1).
    pub price: u32,
    /// In the negotiation record, if there is one: 0 not mentioned, 1 agreed, 2 declined,
    /// 3 withdrawn, 4 not invited (SPEC §10.2); and the quantity agreed.
    pub said: u8,
    pub agreed: u64,
    /// With lots: which it bids for (1 the first, 2 the second, 3 both, 0 not said: every lot).
    pub in_lots: u8,
}

/// The award's budget and negotiation (SPEC §10.1–10.2).
#[derive(Clone, Copy, Debug, Default)]
pub struct Terms {
    /// `budget = { total, unit_price = "offer.price" }`, with a quantity.
    pub budget: Option<u64>,
    /// `allocation = "negotiated"` (unless proportional was drawn).
    pub negotiated: bool,
    /// A negotiation record among the files.
    pub record: bool,
    /// An abnormally low tender check on `offer.price`: the rule (0 estimate, 1 mean,
    /// 2 wing-trimmed) and whether it excludes.
    pub low: Option<(u8, bool)>,
    /// Two lots, `l0` on every criterion and `l1` on `c0` alone: whether the tender has them,
    /// and `max_lots_per_bidder`.
    pub lots: Option<Option<u32>>,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub sections: usize,
    pub criteria: Vec<CriterionSpec>,
    pub gates: Vec<GateSpec>,
    pub places: u32,
    pub mode: &'static str,
    pub qualify: Option<(usize, &'static str)>,
    /// A `min_points` threshold: on a section, or on the total (`None`). The generator leaves
    /// it out, so every other property sees the cases it always saw; tests that want one set it.
    pub qualify_points: Option<(Option<usize>, String)>,
    pub tie_break: Vec<String>,
    pub winners: Option<u32>,
    pub quantity: Option<u64>,
    /// With a quantity: `max_share`, `max_quantity` and the allocation (SPEC §10.1).
    pub caps: (Option<&'static str>, Option<u64>, bool),
    pub terms: Terms,
    /// 차등점수제: (section, step).
    pub differential: Option<(usize, &'static str)>,
    pub bids: Vec<BidSpec>,
}

/// Day number → a date in 2025–2026.
pub fn date(day: u32) -> String {
    let mut d = day;
    for year in [2025u32, 2026, 2027] {
        for (m, len) in [31u32, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31].iter().enumerate() {
            if d < *len {
                return format!("{year}-{:02}-{:02}", m + 1, d + 1);
            }
            d -= len;
        }
    }
    String::from("2028-01-01")
}

fn num() -> impl Strategy<Value = String> {
    prop_oneof![(0i64..40).prop_map(|x| x.to_string()), (0i64..400).prop_map(|x| format!("{}.{}", x / 10, x % 10)),]
}

fn kind() -> impl Strategy<Value = Kind> {
    let score = || select(vec!["0", "0.25", "0.5", "0.75", "1", "0.3", "0.6"]);
    prop_oneof![
        (0i64..20, 0i64..20).prop_filter("distinct", |(a, b)| a != b).prop_map(|(zero_at, full_at)| Kind::Linear { zero_at, full_at }),
        (proptest::collection::btree_set(0i64..30, 1..4), proptest::collection::vec(score(), 3)).prop_map(|(t, mut s)| {
            let thresholds: Vec<i64> = t.into_iter().collect();
            s.truncate(thresholds.len());
            s.sort_by(|a, b| a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0)));
            // `otherwise` may equal the easiest step's score, never exceed it.
            let otherwise = if thresholds.first().is_some_and(|t| t % 2 == 1) { s.first().copied().unwrap_or("0") } else { "0" };
            Kind::Steps { thresholds, scores: s, otherwise }
        }),
        (score(), score(), score()).prop_map(|(a, b, c)| Kind::Choice { scores: vec![("alpha", a), ("beta", b), ("gamma", c)] }),
        (score(), score()).prop_map(|(if_true, if_false)| Kind::Flag { if_true, if_false }),
        (0u32..300, 1u32..200).prop_map(|(a, len)| Kind::Date { full_by: a, zero_from: a + len }),
        any::<bool>().prop_map(|higher| Kind::Relative { higher }),
        (0u32..2, 0usize..3).prop_map(|(trim, extra)| Kind::Panel { trim, evaluators: 2 * trim as usize + 1 + extra }),
        (100i64..1000, any::<bool>()).prop_map(|(estimated, cap)| Kind::KrPrice { estimated, cap }),
    ]
}

pub fn value_for(kind: &Kind) -> BoxedStrategy<Val> {
    match kind.clone() {
        Kind::Linear { .. } | Kind::Steps { .. } => num().prop_map(Val::Num).boxed(),
        Kind::Choice { .. } => select(vec!["alpha", "beta", "gamma"]).prop_map(Val::Text).boxed(),
        Kind::Flag { .. } => any::<bool>().prop_map(Val::Bool).boxed(),
        Kind::Date { full_by, zero_from } => (full_by.saturating_sub(30)..zero_from + 30).prop_map(Val::Day).boxed(),
        Kind::Relative { higher } => {
            if higher {
                num().prop_map(Val::Num).boxed()
            } else {
                num().prop_filter("positive", |s| s.parse::<f64>().unwrap_or(0.0) > 0.0).prop_map(Val::Num).boxed()
            }
        }
        Kind::Panel { evaluators, .. } => proptest::collection::vec(
            (0u32..21).prop_map(|h| if h % 2 == 0 { (h / 2).to_string() } else { format!("{}.5", h / 2) }),
            evaluators,
        )
        .prop_map(Val::Marks)
        .boxed(),
        Kind::KrPrice { estimated, .. } => {
            (estimated * 4 / 10..estimated * 13 / 10).prop_filter("positive", |x| *x > 0).prop_map(|x| Val::Num(x.to_string())).boxed()
        }
    }
}

fn criterion(i: usize, sections: usize) -> impl Strategy<Value = CriterionSpec> {
    (kind(), 0..sections, 0u32..25, any::<bool>(), 0u8..8, any::<bool>()).prop_map(move |(kind, section, p, half, missing, among)| {
        // kr-price needs points above 0.
        let p = if matches!(kind, Kind::KrPrice { .. }) { p.max(1) } else { p };
        let points = if half && p > 0 { format!("{p}.5") } else { p.to_string() };
        let among_qualified = among && matches!(kind, Kind::Relative { .. } | Kind::KrPrice { .. });
        CriterionSpec { id: format!("c{i}"), section, points, kind, missing_zero: missing == 0, among_qualified }
    })
}

/// A random valid case with up to `max_bids` bids.
pub fn case(max_bids: usize) -> impl Strategy<Value = Case> {
    (1usize..4, 1usize..6, 0usize..3)
        .prop_flat_map(move |(sections, n_criteria, n_gates)| {
            let criteria = (0..n_criteria).map(|i| criterion(i, sections)).collect::<Vec<_>>();
            let gates = proptest::collection::vec(proptest::option::of(0i64..6).prop_map(|at_least| GateSpec { at_least }), n_gates);
            (
                criteria,
                gates,
                0u32..5,
                select(vec!["half-up", "half-even", "down"]),
                proptest::option::of((0..sections, select(vec!["0.3", "0.5", "0.85"]))),
                proptest::collection::vec(
                    select(vec!["section:s0", "criterion:c0", "bidder", "lower:offer.price", "higher:offer.price", "lottery:7"]),
                    0..3,
                ),
                proptest::option::of(1u32..4),
                proptest::option::of(0u64..40),
                1usize..=max_bids,
                proptest::option::weighted(0.3, (0..sections, select(vec!["0.5", "1", "1.5", "2", "3"]))),
                (
                    proptest::option::weighted(0.3, select(vec!["0.25", "0.5", "1"])),
                    proptest::option::weighted(0.3, 1u64..15),
                    proptest::bool::weighted(0.3),
                    (
                        proptest::option::weighted(0.25, 1u64..80),
                        proptest::bool::weighted(0.25),
                        proptest::bool::weighted(0.3),
                        proptest::option::weighted(0.25, (0u8..3, proptest::bool::ANY)),
                    )
                        .prop_map(|(budget, negotiated, record, low)| Terms {
                            budget,
                            negotiated,
                            record,
                            low,
                            lots: None,
                        }),
                ),
            )
                .prop_flat_map(
                    move |(mut criteria, gates, places, mode, qualify, tie_break, winners, quantity, n_bids, differential, caps)| {
                        let (share, most, proportional, mut terms) = caps;
                        let caps = if quantity.is_some() { (share, most, proportional) } else { (None, None, false) };
                        if quantity.is_none() {
                            terms.budget = None;
                        }
                        terms.negotiated &= !caps.2;
                        // Points may not be finer than the rounding keeps.
                        if places == 0 {
                            for c in &mut criteria {
                                c.points = c.points.trim_end_matches(".5").to_owned();
                            }
                        }
                        // Neither may the differential step.
                        let differential = differential.map(|(s, step)| (s, if places == 0 && step.ends_with(".5") { "1" } else { step }));
                        // A reference among the qualified bids must not feed the qualification.
                        for c in &mut criteria {
                            if qualify.is_some_and(|(s, _)| s == c.section) {
                                c.among_qualified = false;
                            }
                        }
                        let n_gates = gates.len();
                        let bid = |i: usize, criteria: &[CriterionSpec]| {
                            let values: Vec<BoxedStrategy<Val>> = criteria
                                .iter()
                                .map(|c| {
                                    let v = value_for(&c.kind);
                                    if c.missing_zero { prop_oneof![1 => Just(Val::Missing), 4 => v].boxed() } else { v }
                                })
                                .collect();
                            (values, proptest::collection::vec(0i64..8, n_gates), 0u64..20, (1u32..6, 0u8..5, 0u64..20, 0u8..4)).prop_map(
                                move |(values, gates, offered, (price, said, agreed, in_lots))| BidSpec {
                                    id: format!("b{i}"),
                                    values,
                                    gates,
                                    offered,
                                    price,
                                    said,
                                    agreed,
                                    in_lots,
                                },
                            )
                        };
                        let bids: Vec<_> = (0..n_bids).map(|i| bid(i, &criteria)).collect();
                        let mut tie_break: Vec<String> = tie_break.into_iter().map(String::from).collect();
                        tie_break.dedup();
                        // A lottery is the last step.
                        if let Some(k) = tie_break.iter().position(|t| t.starts_with("lottery:")) {
                            tie_break.truncate(k.saturating_add(1));
                        }
                        (
                            Just(criteria),
                            Just(gates),
                            Just(places),
                            Just(mode),
                            Just(qualify),
                            Just(tie_break),
                            Just(winners),
                            Just(quantity),
                            bids,
                            Just(differential),
                            Just((caps, terms)),
                        )
                            .prop_map(
                                move |(
                                    criteria,
                                    gates,
                                    places,
                                    mode,
                                    qualify,
                                    tie_break,
                                    winners,
                                    quantity,
                                    bids,
                                    differential,
                                    (caps, terms),
                                )| {
                                    Case {
                                        sections,
                                        criteria,
                                        gates,
                                        places,
                                        mode,
                                        qualify,
                                        qualify_points: None,
                                        tie_break,
                                        winners,
                                        quantity,
                                        caps,
                                        terms,
                                        differential,
                                        bids,
                                    }
                                },
                            )
                    },
                )
        })
        .prop_filter("max_points above 0", |c| c.criteria.iter().any(|x| x.points.parse::<f64>().unwrap_or(0.0) > 0.0))
}

/// [`case`], and in a share of them the tender divided into two lots (every analysis but the
/// ones that do not vary lots yet takes these).
pub fn case_with_lots(max_bids: usize) -> impl Strategy<Value = Case> {
    (case(max_bids), proptest::option::weighted(0.3, proptest::option::of(1u32..3))).prop_map(|(mut c, lots)| {
        c.terms.lots = lots;
        // A negotiation record and a budget are for a tender without lots.
        c.terms.record &= lots.is_none();
        if lots.is_some() {
            c.terms.budget = None;
        }
        c
    })
}

fn sum_points(c: &Case) -> String {
    let mut halves = 0u64;
    for x in &c.criteria {
        let (w, h) = x.points.split_once('.').map_or((x.points.as_str(), false), |(w, _)| (w, true));
        halves += w.parse::<u64>().unwrap_or(0) * 2 + u64::from(h);
    }
    if halves.is_multiple_of(2) { (halves / 2).to_string() } else { format!("{}.5", halves / 2) }
}

impl Case {
    /// The criteria file. `order` permutes the criteria as written.
    pub fn criteria_toml_ordered(&self, order: &[usize], scale: Option<u32>) -> String {
        let mut o = String::from("[tender]\nid = \"generated\"\ntitle = \"Generated\"\n\n[evaluation]\n");
        let scaled = |p: &str| match scale {
            None => p.to_owned(),
            Some(k) => scale_decimal(p, k),
        };
        o += &format!("max_points = {}\n", scaled(&sum_points(self)));
        let places = match scale {
            Some(k) => self.places.saturating_sub(k),
            None => self.places,
        };
        o += &format!("rounding = {{ places = {places}, mode = \"{}\" }}\n", self.mode);
        let mut thresholds = Vec::new();
        if let Some((s, share)) = self.qualify {
            thresholds.push(format!("{{ section = \"s{s}\", min_share = {share} }}"));
        }
        match &self.qualify_points {
            Some((Some(s), p)) => thresholds.push(format!("{{ section = \"s{s}\", min_points = {} }}", scaled(p))),
            Some((None, p)) => thresholds.push(format!("{{ min_points = {} }}", scaled(p))),
            None => {}
        }
        if !thresholds.is_empty() {
            o += &format!("qualify = [{}]\n", thresholds.join(", "));
        }
        if !self.tie_break.is_empty() {
            let tb: Vec<String> = self.tie_break.iter().map(|t| format!("\"{t}\"")).collect();
            o += &format!("tie_break = [{}]\n", tb.join(", "));
        }
        if let Some((s, step)) = self.differential {
            o += &format!("differential = {{ section = \"s{s}\", step = {step} }}\n");
        }
        o += "\n[award]\n";
        match self.winners {
            Some(w) => o += &format!("winners = {w}\n"),
            None => o += "winners = \"all\"\n",
        }
        if let Some(q) = self.quantity {
            o += &format!("quantity = {{ field = \"offer.qty\", total = {q} }}\n");
            if let Some(s) = self.caps.0 {
                o += &format!("max_share = {s}\n");
            }
            if let Some(m) = self.caps.1 {
                o += &format!("max_quantity = {m}\n");
            }
            if self.caps.2 {
                o += "allocation = \"proportional\"\n";
            }
            if let Some(b) = self.terms.budget {
                o += &format!("budget = {{ total = {b}, unit_price = \"offer.price\" }}\n");
            }
        }
        if self.terms.negotiated {
            o += "allocation = \"negotiated\"\n";
        }
        if let Some(Some(m)) = self.terms.lots {
            o += &format!("max_lots_per_bidder = {m}\n");
        }
        if self.terms.lots.is_some() {
            o += "\n[[lot]]\nid = \"l0\"\ntitle = \"Lot 0\"\n";
            o += "\n[[lot]]\nid = \"l1\"\ntitle = \"Lot 1\"\ncriteria = [\"c0\"]\nwinners = 1\n";
            if let Some(q) = self.quantity {
                o += &format!("quantity = {}\n", q / 2);
            }
        }
        for s in 0..self.sections {
            o += &format!("\n[[section]]\nid = \"s{s}\"\ntitle = \"Section {s}\"\n");
        }
        if let Some((kind, exclude)) = self.terms.low {
            let rule = match kind {
                0 => "kind = \"share-of-estimate\", estimate = 5, share = 0.6",
                1 => "kind = \"share-of-mean\", share = 0.8",
                _ => "kind = \"wing-trimmed\", base = 6, wings = 0.2, min_bids = 3",
            };
            let action = if exclude { "exclude" } else { "flag" };
            o += &format!(
                "\n[[abnormally_low]]\nid = \"alt\"\ntitle = \"ALT\"\nfield = \"offer.price\"\nrule = {{ {rule} }}\naction = \"{action}\"\n"
            );
        }
        for (i, g) in self.gates.iter().enumerate() {
            o += &format!("\n[[gate]]\nid = \"g{i}\"\ntitle = \"Gate {i}\"\nfield = \"gates.g{i}\"\n");
            match g.at_least {
                Some(a) => o += &format!("require = {{ at_least = {a} }}\n"),
                None => o += "require = { one_of = [1, 2, 3, 4, 5, 6, 7] }\n",
            }
        }
        for &i in order {
            let c = &self.criteria[i];
            o += &format!(
                "\n[[criterion]]\nid = \"{}\"\nsection = \"s{}\"\ntitle = \"Criterion {i}\"\npoints = {}\n",
                c.id,
                c.section,
                scaled(&c.points)
            );
            if !matches!(c.kind, Kind::Panel { .. }) {
                o += &format!("field = \"v.{}\"\n", c.id);
            }
            if c.missing_zero {
                o += "missing = \"zero\"\n";
            }
            let mut rule = rule_toml(&c.kind);
            if c.among_qualified {
                rule.insert_str(rule.len() - 2, ", among = \"qualified\"");
            }
            o += &format!("rule = {rule}\n");
        }
        o
    }

    /// The criteria file in generated order.
    pub fn criteria_toml(&self) -> String {
        self.criteria_toml_ordered(&(0..self.criteria.len()).collect::<Vec<_>>(), None)
    }

    /// One bid file. `extra` adds a field no rule reads.
    pub fn bid_toml(&self, b: &BidSpec, extra: Option<&str>) -> String {
        let mut o = format!("[bidder]\nid = \"{}\"\nname = \"Bidder {}\"\n", b.id, b.id);
        if self.terms.lots.is_some() {
            match b.in_lots {
                1 => o += "lots = [\"l0\"]\n",
                2 => o += "lots = [\"l1\"]\n",
                3 => o += "lots = [\"l0\", \"l1\"]\n",
                _ => {}
            }
        }
        o += "\n[v]\n";
        for (c, v) in self.criteria.iter().zip(&b.values) {
            let lit = match v {
                Val::Missing | Val::Marks(_) => continue,
                Val::Num(n) => n.clone(),
                Val::Text(t) => format!("\"{t}\""),
                Val::Bool(x) => x.to_string(),
                Val::Day(d) => date(*d),
            };
            o += &format!("{} = {lit}\n", c.id);
        }
        if !self.gates.is_empty() {
            o += "\n[gates]\n";
            for (i, g) in b.gates.iter().enumerate() {
                o += &format!("g{i} = {g}\n");
            }
        }
        o += &format!("\n[offer]\nqty = {}\nprice = {}\n", b.offered, b.price);
        if let Some(x) = extra {
            o += &format!("\n[unread]\nnote = \"{x}\"\n");
        }
        o
    }

    /// The panel file, if any criterion needs one.
    pub fn panel_toml(&self) -> Option<String> {
        let mut o = String::from("[panel]\nsource = \"generated\"\n");
        let mut any = false;
        for (j, c) in self.criteria.iter().enumerate() {
            if !matches!(c.kind, Kind::Panel { .. }) {
                continue;
            }
            any = true;
            o += &format!("\n[panel.marks.{}]\n", c.id);
            for b in &self.bids {
                if let Some(Val::Marks(m)) = b.values.get(j) {
                    o += &format!("{} = [{}]\n", b.id, m.join(", "));
                }
            }
        }
        any.then_some(o)
    }

    /// Bid files then the panel file, in the given bid order.
    pub fn other_files(&self, order: &[usize]) -> Vec<String> {
        let mut v: Vec<String> = order.iter().map(|&i| self.bid_toml(&self.bids[i], None)).collect();
        v.extend(self.panel_toml());
        v.extend(self.negotiation_toml());
        v
    }

    /// The negotiation record, if the case has one (SPEC §10.2).
    pub fn negotiation_toml(&self) -> Option<String> {
        if !self.terms.record || self.bids.iter().all(|b| b.said == 0) {
            return None;
        }
        let mut o = String::from("[negotiation]\nsource = \"generated\"\n");
        for b in &self.bids {
            let outcome = match b.said {
                1 => "agreed",
                2 => "declined",
                3 => "withdrawn",
                4 => "not-invited",
                _ => continue,
            };
            o += &format!("\n[negotiation.bids.{}]\noutcome = \"{outcome}\"\nsource = \"generated\"\n", b.id);
            if b.said == 1 && self.quantity.is_some() {
                o += &format!("quantity = {}\n", b.agreed);
            }
        }
        Some(o)
    }
}

fn scale_decimal(p: &str, k: u32) -> String {
    // Multiply by 10^k exactly on the text.
    let (w, f) = p.split_once('.').unwrap_or((p, ""));
    let mut digits = format!("{w}{f}");
    let mut frac = f.len() as i64 - i64::from(k);
    while frac < 0 {
        digits.push('0');
        frac += 1;
    }
    let frac = frac as usize;
    let (a, b) = digits.split_at(digits.len() - frac);
    let a = a.trim_start_matches('0');
    let a = if a.is_empty() { "0" } else { a };
    if b.is_empty() { a.to_owned() } else { format!("{a}.{b}") }
}

pub fn rule_toml(k: &Kind) -> String {
    match k {
        Kind::Linear { zero_at, full_at } => {
            format!("{{ kind = \"linear\", zero_at = {zero_at}, full_at = {full_at} }}")
        }
        Kind::Steps { thresholds, scores, otherwise } => {
            let steps: Vec<String> = thresholds.iter().zip(scores).map(|(t, s)| format!("{{ at_least = {t}, score = {s} }}")).collect();
            format!("{{ kind = \"steps\", steps = [{}], otherwise = {otherwise} }}", steps.join(", "))
        }
        Kind::Choice { scores } => {
            let s: Vec<String> = scores.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{{ kind = \"choice\", scores = {{ {} }} }}", s.join(", "))
        }
        Kind::Flag { if_true, if_false } => {
            format!("{{ kind = \"flag\", if_true = {if_true}, if_false = {if_false} }}")
        }
        Kind::Date { full_by, zero_from } => {
            format!("{{ kind = \"date\", full_by = {}, zero_from = {} }}", date(*full_by), date(*zero_from))
        }
        Kind::Relative { higher } => format!("{{ kind = \"relative\", better = \"{}\" }}", if *higher { "higher" } else { "lower" }),
        Kind::Panel { trim, .. } => format!("{{ kind = \"panel\", scale = 10, trim = {trim} }}"),
        Kind::KrPrice { estimated, cap } => {
            format!("{{ kind = \"kr-price\", estimated = {estimated}, cap = {cap} }}")
        }
    }
}

#[test]
fn scale_decimal_shifts_exactly() {
    assert_eq!(scale_decimal("2.5", 1), "25");
    assert_eq!(scale_decimal("3", 2), "300");
    assert_eq!(scale_decimal("0", 1), "0");
}
