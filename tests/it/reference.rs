//! Deliberately naive, independent reference scorer for differential tests.
//!
//! It follows /work/shared/SPEC.md literally, with exact rationals (`BigRational`)
//! everywhere and one explicit rounding step per criterion. It is written for
//! obviousness, not speed, and was written without looking at the real engine.
//! Inputs are assumed valid; anything it cannot handle is an `Err(String)`.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use toml::{Table, Value};

pub type Q = BigRational;

/// One bid in the reference outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefBid {
    pub bidder: String,
    /// "selected" | "qualified" | "not-qualified" | "disqualified"
    pub status: String,
    pub rank: Option<u32>,
    /// Decimal text with exactly `places` decimals.
    pub total: String,
    /// (criterion id, points text with exactly `places` decimals), in file order.
    pub criteria: Vec<(String, String)>,
    /// None, Some("true") without quantity, or Some("<quantity>").
    pub award: Option<String>,
    /// With differential scoring: the total before the adjustment.
    pub original_total: Option<String>,
}

/// The bids in report order (SPEC §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOutcome {
    pub bids: Vec<RefBid>,
    /// Issue 12 lots: per lot, in the order written, its own outcome.
    pub lots: Vec<(String, RefOutcome)>,
}

// ---------------------------------------------------------------------------
// Numbers (SPEC §2)
// ---------------------------------------------------------------------------

fn qi(i: i64) -> Q {
    Q::from_integer(BigInt::from(i))
}

fn qr(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

fn pow10(places: u32) -> BigInt {
    let mut p = BigInt::one();
    for _ in 0..places {
        p *= 10;
    }
    p
}

/// Exact rational from decimal text such as "-12.345" or "1.5e-3".
fn parse_decimal(text: &str) -> Result<Q, String> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let e: i64 = text[i + 1..].parse().map_err(|_| format!("bad exponent in {text:?}"))?;
            (&text[..i], e)
        }
        None => (text, 0),
    };
    let (negative, digits) = if let Some(rest) = mantissa.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = mantissa.strip_prefix('+') {
        (false, rest)
    } else {
        (false, mantissa)
    };
    let (int_part, frac_part) = match digits.find('.') {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, ""),
    };
    let all_digits = format!("{int_part}{frac_part}");
    if all_digits.is_empty() || !all_digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("not a decimal number: {text:?}"));
    }
    let mut value = Q::from_integer(all_digits.parse::<BigInt>().map_err(|_| format!("not a decimal number: {text:?}"))?);
    // Shift by the exponent minus the number of fraction digits.
    let shift = exponent - frac_part.len() as i64;
    if shift >= 0 {
        value *= Q::from_integer(pow10(shift as u32));
    } else {
        value /= Q::from_integer(pow10((-shift) as u32));
    }
    if negative {
        value = -value;
    }
    Ok(value)
}

/// A TOML number as an exact rational. SPEC §2: integers exact, floats through their
/// shortest round-trip decimal text.
fn number(v: &Value, what: &str) -> Result<Q, String> {
    match v {
        Value::Integer(i) => Ok(qi(*i)),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!("{what}: non-finite number"));
            }
            parse_decimal(&format!("{f}"))
        }
        _ => Err(format!("{what}: expected a number, found {}", v.type_str())),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    HalfUp,
    HalfEven,
    Down,
}

/// Round `v` to `places` decimals (SPEC §2). Explicit integer arithmetic on |v|·10^places;
/// half-up rounds halves away from zero, down truncates toward zero.
fn round_q(v: &Q, places: u32, mode: Mode) -> Q {
    let scale = pow10(places);
    let scaled = v * Q::from_integer(scale.clone());
    let negative = scaled.is_negative();
    let a = scaled.abs();
    let (mut q, r) = a.numer().div_rem(a.denom());
    let twice_r: BigInt = &r * 2;
    let d = a.denom();
    let up = match mode {
        Mode::Down => false,
        Mode::HalfUp => &twice_r >= d,
        Mode::HalfEven => &twice_r > d || (&twice_r == d && q.is_odd()),
    };
    if up {
        q += 1;
    }
    if negative {
        q = -q;
    }
    Q::new(q, scale)
}

/// Official values with the tender's places; unrounded ones as an exact fraction.
fn fmt_any(t: &Tender, v: &Q) -> Result<String, String> {
    if t.unrounded { Ok(v.to_string()) } else { fmt_fixed(v, t.places) }
}

/// Format a value that is already a multiple of 10^-places with exactly `places` decimals.
fn fmt_fixed(v: &Q, places: u32) -> Result<String, String> {
    let scaled = v * Q::from_integer(pow10(places));
    if !scaled.is_integer() {
        return Err(format!("{v} has more than {places} decimals"));
    }
    let n = scaled.to_integer();
    let negative = n.is_negative();
    let mut digits = n.abs().to_string();
    let p = places as usize;
    while digits.len() < p + 1 {
        digits.insert(0, '0');
    }
    let split = digits.len() - p;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&digits[..split]);
    if p > 0 {
        out.push('.');
        out.push_str(&digits[split..]);
    }
    Ok(out)
}

fn clamp01(v: Q) -> Q {
    if v < Q::zero() {
        Q::zero()
    } else if v > Q::one() {
        Q::one()
    } else {
        v
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// A TOML local date as a day number. SPEC §3.1: `date` reads a TOML date.
fn date_days(v: &Value, what: &str) -> Result<i64, String> {
    match v {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Ok(days_from_civil(i64::from(d.year), i64::from(d.month), i64::from(d.day))),
            _ => Err(format!("{what}: expected a local date, found {dt}")),
        },
        _ => Err(format!("{what}: expected a date, found {}", v.type_str())),
    }
}

// ---------------------------------------------------------------------------
// Table helpers
// ---------------------------------------------------------------------------

/// Follow a dotted path (SPEC §3: `field` is a dotted path into the bid file).
fn lookup<'a>(t: &'a Table, path: &str) -> Option<&'a Value> {
    let mut current = t;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let v = current.get(*part)?;
        if i + 1 == parts.len() {
            return Some(v);
        }
        match v {
            Value::Table(inner) => current = inner,
            _ => return None,
        }
    }
    None
}

fn get_str(t: &Table, key: &str, what: &str) -> Result<String, String> {
    match t.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("{what}.{key}: expected a string, found {}", other.type_str())),
        None => Err(format!("{what}: missing {key}")),
    }
}

fn get_table<'a>(v: &'a Value, what: &str) -> Result<&'a Table, String> {
    match v {
        Value::Table(t) => Ok(t),
        _ => Err(format!("{what}: expected a table")),
    }
}

fn get_array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(format!("{what}: expected an array")),
    }
}

fn opt_number(t: &Table, key: &str, default: Q, what: &str) -> Result<Q, String> {
    match t.get(key) {
        Some(v) => number(v, &format!("{what}.{key}")),
        None => Ok(default),
    }
}

// ---------------------------------------------------------------------------
// The criteria file (SPEC §3)
// ---------------------------------------------------------------------------

#[derive(Clone)]
enum Rule {
    Linear {
        zero_at: Q,
        full_at: Q,
    },
    /// `at_least = true` for at_least steps, false for at_most steps.
    Steps {
        at_least: bool,
        steps: Vec<(Q, Q)>,
        otherwise: Q,
    },
    Choice {
        scores: Table,
    },
    Flag {
        if_true: Q,
        if_false: Q,
    },
    Date {
        full_by: i64,
        zero_from: i64,
    },
    Relative {
        higher: bool,
        /// `among = "qualified"`: the reference runs over qualified bids only.
        among_qualified: bool,
    },
    Panel {
        scale: Q,
        trim: usize,
    },
    KrPrice {
        estimated: Q,
        cap: bool,
        among_qualified: bool,
    },
}

#[derive(Clone)]
struct Criterion {
    id: String,
    section: String,
    points: Q,
    field: Option<String>,
    rule: Rule,
    /// `missing = "zero"`: a bid lacking the field gets s = 0 (SPEC §3.2).
    missing_zero: bool,
}

#[derive(Clone)]
enum Require {
    Equals(Value),
    OneOf(Vec<Value>),
    AtLeast(Q),
    AtMost(Q),
    NotAfter(i64),
}

#[derive(Clone)]
struct Gate {
    field: String,
    require: Require,
    /// `missing = "fail"`: a bid lacking the field fails the gate (SPEC §3.2).
    missing_fail: bool,
}

#[derive(Clone)]
struct Qualify {
    section: Option<String>,
    min_share: Option<Q>,
    min_points: Option<Q>,
}

#[derive(Clone)]
struct Quantity {
    field: String,
    total: i128,
    /// SPEC §10.1: the most one bid may get (floor of max_share × total, and max_quantity).
    cap: Option<i128>,
    /// The `max_share` and `max_quantity` the cap comes from (a lot's total gives its own).
    share: Option<Q>,
    most: Option<i128>,
    /// SPEC §10.1: "proportional" instead of the rank-order fill.
    proportional: bool,
    /// SPEC §10.1: `budget = { total, unit_price }`: (money, price field).
    budget: Option<(Q, String)>,
}

#[derive(Clone)]
struct Tender {
    max_points: Q,
    places: u32,
    mode: Mode,
    qualify: Vec<Qualify>,
    tie_break: Vec<String>,
    /// None = no limit ("all").
    winners: Option<u64>,
    quantity: Option<Quantity>,
    sections: Vec<String>,
    gates: Vec<Gate>,
    criteria: Vec<Criterion>,
    /// 차등점수제: (section, step).
    differential: Option<(String, Q)>,
    /// Keep criterion points exact (for weight-stability checks): no rounding step.
    unrounded: bool,
    /// SPEC §10.1 `allocation = "negotiated"`: the quantities come from the record.
    negotiated: bool,
    /// Issue 12 abnormally low tender checks: (price field, rule, exclude?).
    low: Vec<(String, LowRule, bool)>,
    /// Issue 12 lots: (id, quantity, winners (None: the award's), criteria (None: all)).
    lots: Vec<RefLot>,
    /// `max_lots_per_bidder`.
    max_lots: Option<u64>,
}

/// A lot: id, quantity, winners (None: the award's), criteria (None: all).
type RefLot = (String, Option<i128>, Option<Option<u64>>, Option<Vec<String>>);

#[derive(Clone)]
enum LowRule {
    /// Below share × estimate.
    Estimate(Q),
    /// Below share × the mean of the other gated bids.
    Mean(Q),
    /// Italy: discounts from base; trim ceil(wings·n) each end; M + S; at or above is low.
    Wings { base: Q, wings: Q, min_bids: usize },
}

fn among_qualified(rt: &Table, what: &str) -> Result<bool, String> {
    match rt.get("among") {
        None => Ok(false),
        Some(Value::String(s)) if s == "eligible" => Ok(false),
        Some(Value::String(s)) if s == "qualified" => Ok(true),
        Some(_) => Err(format!("{what}: bad among")),
    }
}

fn parse_rule(rt: &Table, what: &str) -> Result<Rule, String> {
    let kind = get_str(rt, "kind", what)?;
    let rule = match kind.as_str() {
        "linear" => Rule::Linear {
            zero_at: number(rt.get("zero_at").ok_or("linear: missing zero_at")?, what)?,
            full_at: number(rt.get("full_at").ok_or("linear: missing full_at")?, what)?,
        },
        "steps" => {
            let arr = get_array(rt.get("steps").ok_or("steps: missing steps")?, what)?;
            let mut steps = Vec::new();
            let mut n_least = 0;
            let mut n_most = 0;
            for s in arr {
                let st = get_table(s, what)?;
                let score = number(st.get("score").ok_or("step without score")?, what)?;
                if let Some(a) = st.get("at_least") {
                    n_least += 1;
                    steps.push((number(a, what)?, score));
                } else if let Some(a) = st.get("at_most") {
                    n_most += 1;
                    steps.push((number(a, what)?, score));
                } else {
                    return Err(format!("{what}: step without at_least/at_most"));
                }
            }
            if n_least > 0 && n_most > 0 {
                return Err(format!("{what}: mixed at_least and at_most steps"));
            }
            Rule::Steps { at_least: n_most == 0, steps, otherwise: opt_number(rt, "otherwise", Q::zero(), what)? }
        }
        "choice" => Rule::Choice { scores: get_table(rt.get("scores").ok_or("choice: missing scores")?, what)?.clone() },
        "flag" => {
            Rule::Flag { if_true: opt_number(rt, "if_true", Q::one(), what)?, if_false: opt_number(rt, "if_false", Q::zero(), what)? }
        }
        "date" => Rule::Date {
            full_by: date_days(rt.get("full_by").ok_or("date: missing full_by")?, what)?,
            zero_from: date_days(rt.get("zero_from").ok_or("date: missing zero_from")?, what)?,
        },
        "relative" => {
            let better = get_str(rt, "better", what)?;
            Rule::Relative {
                higher: match better.as_str() {
                    "higher" => true,
                    "lower" => false,
                    _ => return Err(format!("{what}: better = {better:?}")),
                },
                among_qualified: among_qualified(rt, what)?,
            }
        }
        "panel" => {
            let trim = match rt.get("trim") {
                None => 1,
                Some(Value::Integer(i)) if *i >= 0 => *i as usize,
                Some(_) => return Err(format!("{what}: bad trim")),
            };
            Rule::Panel { scale: number(rt.get("scale").ok_or("panel: missing scale")?, what)?, trim }
        }
        "kr-price" => Rule::KrPrice {
            estimated: number(rt.get("estimated").ok_or("kr-price: missing estimated")?, what)?,
            cap: match rt.get("cap") {
                None => true,
                Some(Value::Boolean(b)) => *b,
                Some(_) => return Err(format!("{what}: bad cap")),
            },
            among_qualified: among_qualified(rt, what)?,
        },
        other => return Err(format!("{what}: unknown rule kind {other:?}")),
    };
    Ok(rule)
}

fn parse_tender(text: &str) -> Result<Tender, String> {
    let root: Table = text.parse().map_err(|e| format!("criteria: {e}"))?;
    if !root.contains_key("tender") {
        return Err("criteria: no [tender] table".into());
    }
    let empty = Table::new();
    let eval = match root.get("evaluation") {
        Some(v) => get_table(v, "evaluation")?,
        None => return Err("criteria: no [evaluation] table".into()),
    };
    let max_points = number(eval.get("max_points").ok_or("missing max_points")?, "max_points")?;

    // SPEC §2: rounding places default 4, mode default half-up.
    let rounding = match eval.get("rounding") {
        Some(v) => get_table(v, "rounding")?,
        None => &empty,
    };
    let places = match rounding.get("places") {
        None => 4,
        Some(Value::Integer(i)) if (0..=6).contains(i) => *i as u32,
        Some(_) => return Err("rounding.places must be 0..6".into()),
    };
    let mode = match rounding.get("mode") {
        None => Mode::HalfUp,
        Some(Value::String(s)) if s == "half-up" => Mode::HalfUp,
        Some(Value::String(s)) if s == "half-even" => Mode::HalfEven,
        Some(Value::String(s)) if s == "down" => Mode::Down,
        Some(_) => return Err("rounding.mode".into()),
    };

    let mut qualify = Vec::new();
    if let Some(v) = eval.get("qualify") {
        for q in get_array(v, "qualify")? {
            let qt = get_table(q, "qualify")?;
            qualify.push(Qualify {
                section: match qt.get("section") {
                    Some(Value::String(s)) => Some(s.clone()),
                    None => None,
                    Some(_) => return Err("qualify.section".into()),
                },
                min_share: qt.get("min_share").map(|v| number(v, "min_share")).transpose()?,
                min_points: qt.get("min_points").map(|v| number(v, "min_points")).transpose()?,
            });
        }
    }

    // SPEC §5.3: tie_break default ["bidder"].
    let tie_break = match eval.get("tie_break") {
        None => vec!["bidder".to_string()],
        Some(v) => {
            let mut out = Vec::new();
            for item in get_array(v, "tie_break")? {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    _ => return Err("tie_break entries must be strings".into()),
                }
            }
            out
        }
    };

    // SPEC §3 [award]: winners default 1, "all" = no limit; quantity optional.
    let award = match root.get("award") {
        Some(v) => get_table(v, "award")?,
        None => &empty,
    };
    let winners = match award.get("winners") {
        None => Some(1),
        Some(Value::Integer(i)) if *i >= 0 => Some(*i as u64),
        Some(Value::String(s)) if s == "all" => None,
        Some(_) => return Err("award.winners".into()),
    };
    let quantity = match award.get("quantity") {
        None => None,
        Some(v) => {
            let qt = get_table(v, "award.quantity")?;
            let total = match qt.get("total") {
                Some(Value::Integer(i)) if *i >= 0 => i128::from(*i),
                _ => return Err("award.quantity.total must be a non-negative integer".into()),
            };
            // A share's floor of the total, exactly; and a plain maximum.
            let by_share = match award.get("max_share") {
                Some(v) => {
                    let share = number(v, "award.max_share")?;
                    let x = share * qi(total as i64);
                    Some(x.floor().to_integer().to_string().parse::<i128>().map_err(|e| e.to_string())?)
                }
                None => None,
            };
            let by_max = match award.get("max_quantity") {
                Some(Value::Integer(i)) if *i >= 1 => Some(i128::from(*i)),
                Some(_) => return Err("award.max_quantity".into()),
                None => None,
            };
            let cap = match (by_share, by_max) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let proportional = matches!(award.get("allocation"), Some(Value::String(a)) if a == "proportional");
            let budget = match award.get("budget") {
                None => None,
                Some(b) => {
                    let bt = get_table(b, "award.budget")?;
                    let money = number(bt.get("total").ok_or("award.budget.total")?, "award.budget.total")?;
                    Some((money, get_str(bt, "unit_price", "award.budget")?))
                }
            };
            let share = match award.get("max_share") {
                Some(v) => Some(number(v, "award.max_share")?),
                None => None,
            };
            Some(Quantity { field: get_str(qt, "field", "award.quantity")?, total, cap, share, most: by_max, proportional, budget })
        }
    };

    let mut sections = Vec::new();
    if let Some(v) = root.get("section") {
        for s in get_array(v, "section")? {
            sections.push(get_str(get_table(s, "section")?, "id", "section")?);
        }
    }

    let mut gates = Vec::new();
    if let Some(v) = root.get("gate") {
        for g in get_array(v, "gate")? {
            let gt = get_table(g, "gate")?;
            let id = get_str(gt, "id", "gate")?;
            let what = format!("gate {id}");
            let rq = get_table(gt.get("require").ok_or("gate without require")?, &what)?;
            if rq.len() != 1 {
                return Err(format!("{what}: require needs exactly one form"));
            }
            let (form, val) = rq.iter().next().unwrap();
            let require = match form.as_str() {
                "equals" => Require::Equals(val.clone()),
                "one_of" => Require::OneOf(get_array(val, &what)?.clone()),
                "at_least" => Require::AtLeast(number(val, &what)?),
                "at_most" => Require::AtMost(number(val, &what)?),
                "not_after" => Require::NotAfter(date_days(val, &what)?),
                other => return Err(format!("{what}: unknown require form {other:?}")),
            };
            let missing_fail = match gt.get("missing") {
                None => false,
                Some(Value::String(s)) if s == "error" => false,
                Some(Value::String(s)) if s == "fail" => true,
                Some(_) => return Err(format!("{what}: bad missing")),
            };
            gates.push(Gate { field: get_str(gt, "field", &what)?, require, missing_fail });
        }
    }

    let mut criteria = Vec::new();
    if let Some(v) = root.get("criterion") {
        for c in get_array(v, "criterion")? {
            let ct = get_table(c, "criterion")?;
            let id = get_str(ct, "id", "criterion")?;
            let what = format!("criterion {id}");
            let rule = parse_rule(get_table(ct.get("rule").ok_or("criterion without rule")?, &what)?, &what)?;
            let field = match ct.get("field") {
                Some(Value::String(s)) => Some(s.clone()),
                None => None,
                Some(_) => return Err(format!("{what}: bad field")),
            };
            if field.is_none() && !matches!(rule, Rule::Panel { .. }) {
                return Err(format!("{what}: needs a field"));
            }
            let missing_zero = match ct.get("missing") {
                None => false,
                Some(Value::String(s)) if s == "error" => false,
                Some(Value::String(s)) if s == "zero" => true,
                Some(_) => return Err(format!("{what}: bad missing")),
            };
            let section = get_str(ct, "section", &what)?;
            if !sections.contains(&section) {
                return Err(format!("{what}: unknown section {section:?}"));
            }
            criteria.push(Criterion {
                points: number(ct.get("points").ok_or("criterion without points")?, &what)?,
                section,
                field,
                rule,
                missing_zero,
                id,
            });
        }
    }

    for tb in &tie_break {
        let ok = tb == "bidder"
            || tb.strip_prefix("section:").is_some_and(|s| sections.iter().any(|x| x == s))
            || tb.strip_prefix("criterion:").is_some_and(|c| criteria.iter().any(|x| x.id == c))
            || tb.strip_prefix("lottery:").is_some_and(|n| n.parse::<u64>().is_ok())
            || ["lower:", "higher:", "earlier:", "later:"].iter().any(|p| tb.starts_with(p));
        if !ok {
            return Err(format!("unknown tie_break entry {tb:?}"));
        }
    }

    let differential = match eval.get("differential") {
        None => None,
        Some(v) => {
            let dt = get_table(v, "differential")?;
            Some((get_str(dt, "section", "differential")?, number(dt.get("step").ok_or("differential: missing step")?, "step")?))
        }
    };
    Ok(Tender {
        max_points,
        places,
        mode,
        qualify,
        tie_break,
        winners,
        quantity,
        sections,
        gates,
        criteria,
        differential,
        unrounded: false,
        negotiated: matches!(award.get("allocation"), Some(Value::String(a)) if a == "negotiated"),
        lots: {
            let mut lots = Vec::new();
            if let Some(v) = root.get("lot") {
                for l in get_array(v, "lot")? {
                    let lt = get_table(l, "lot")?;
                    let quantity = match lt.get("quantity") {
                        Some(Value::Integer(i)) => Some(i128::from(*i)),
                        _ => None,
                    };
                    let winners = match lt.get("winners") {
                        None => None,
                        Some(Value::String(s)) if s == "all" => Some(None),
                        Some(Value::Integer(i)) => Some(Some(*i as u64)),
                        Some(_) => return Err("lot.winners".into()),
                    };
                    let criteria = match lt.get("criteria") {
                        None => None,
                        Some(v) => Some(get_array(v, "lot.criteria")?.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()),
                    };
                    lots.push((get_str(lt, "id", "lot")?, quantity, winners, criteria));
                }
            }
            lots
        },
        max_lots: match award.get("max_lots_per_bidder") {
            Some(Value::Integer(i)) => Some(*i as u64),
            _ => None,
        },
        low: {
            let mut low = Vec::new();
            if let Some(v) = root.get("abnormally_low") {
                for c in get_array(v, "abnormally_low")? {
                    let ct = get_table(c, "abnormally_low")?;
                    let rt = get_table(ct.get("rule").ok_or("abnormally_low.rule")?, "abnormally_low.rule")?;
                    let num = |k: &str| -> Result<Q, String> { number(rt.get(k).ok_or(format!("abnormally_low.rule.{k}"))?, k) };
                    let rule = match get_str(rt, "kind", "abnormally_low.rule")?.as_str() {
                        "share-of-estimate" => LowRule::Estimate(num("share")? * num("estimate")?),
                        "share-of-mean" => LowRule::Mean(num("share")?),
                        "wing-trimmed" => LowRule::Wings {
                            base: num("base")?,
                            wings: if rt.contains_key("wings") { num("wings")? } else { qr(1, 10) },
                            min_bids: match rt.get("min_bids") {
                                Some(Value::Integer(i)) => (*i).max(1) as usize,
                                _ => 5,
                            },
                        },
                        k => return Err(format!("abnormally_low kind {k}")),
                    };
                    low.push((get_str(ct, "field", "abnormally_low")?, rule, get_str(ct, "action", "abnormally_low")? == "exclude"));
                }
            }
            low
        },
    })
}

// ---------------------------------------------------------------------------
// Gates (SPEC §3.2 require forms, §5.1)
// ---------------------------------------------------------------------------

/// Equality "compared by type": numbers exactly, strings, booleans, dates.
/// Returns None when the two values are of different types.
fn same_type_equal(required: &Value, actual: &Value) -> Result<Option<bool>, String> {
    let is_num = |v: &Value| matches!(v, Value::Integer(_) | Value::Float(_));
    if is_num(required) && is_num(actual) {
        return Ok(Some(number(required, "gate")? == number(actual, "bid")?));
    }
    Ok(match (required, actual) {
        (Value::String(a), Value::String(b)) => Some(a == b),
        (Value::Boolean(a), Value::Boolean(b)) => Some(a == b),
        (Value::Datetime(a), Value::Datetime(b)) => Some(a == b),
        _ => None,
    })
}

fn gate_passes(g: &Gate, bid: &Table) -> Result<bool, String> {
    let Some(v) = lookup(bid, &g.field) else {
        if g.missing_fail {
            return Ok(false);
        }
        return Err(format!("bid lacks gate field {}", g.field));
    };
    match &g.require {
        Require::Equals(r) => match same_type_equal(r, v)? {
            Some(b) => Ok(b),
            None => Err(format!("gate field {}: wrong type", g.field)),
        },
        Require::OneOf(list) => {
            let mut any_same_type = false;
            for r in list {
                if let Some(b) = same_type_equal(r, v)? {
                    any_same_type = true;
                    if b {
                        return Ok(true);
                    }
                }
            }
            if any_same_type { Ok(false) } else { Err(format!("gate field {}: wrong type", g.field)) }
        }
        Require::AtLeast(a) => Ok(number(v, &g.field)? >= *a),
        Require::AtMost(a) => Ok(number(v, &g.field)? <= *a),
        Require::NotAfter(d) => Ok(date_days(v, &g.field)? <= *d),
    }
}

// ---------------------------------------------------------------------------
// Criterion scoring (SPEC §3.1)
// ---------------------------------------------------------------------------

/// Exact (unrounded) points of criterion `c` for one bid.
/// `reference` is the list of numeric values of the bids that pass every gate and have
/// a value (used only by `relative` and `kr-price`).
fn exact_points(c: &Criterion, bidder: &str, bid: &Table, reference: &[Q], panel: Option<&Table>) -> Result<Q, String> {
    let what = format!("criterion {} for bid {bidder}", c.id);
    let p = &c.points;

    // Panel criteria read the panel file, not the bid (SPEC §4).
    if let Rule::Panel { scale, trim } = &c.rule {
        let marks = panel.and_then(|t| t.get("marks")).and_then(|m| m.get(&c.id)).and_then(|m| m.get(bidder));
        let Some(marks) = marks else {
            if c.missing_zero {
                return Ok(Q::zero());
            }
            return Err(format!("{what}: no panel marks"));
        };
        let mut values = Vec::new();
        for m in get_array(marks, &what)? {
            values.push(number(m, &what)?);
        }
        values.sort();
        if values.len() < 2 * trim + 1 {
            return Err(format!("{what}: too few marks"));
        }
        // Drop `trim` lowest and `trim` highest, mean of the rest, s = mean / scale.
        let kept = &values[*trim..values.len() - *trim];
        let mut sum = Q::zero();
        for v in kept {
            sum += v;
        }
        let mean = sum / qi(kept.len() as i64);
        return Ok(p * mean / scale);
    }

    let field = c.field.as_ref().ok_or(format!("{what}: no field"))?;
    let Some(v) = lookup(bid, field) else {
        // SPEC §3.2: missing = "zero" gives s = 0, otherwise an error.
        if c.missing_zero {
            return Ok(Q::zero());
        }
        return Err(format!("{what}: bid lacks field {field}"));
    };

    let s = match &c.rule {
        Rule::Linear { zero_at, full_at } => {
            let x = number(v, &what)?;
            clamp01((x - zero_at) / (full_at - zero_at))
        }
        Rule::Steps { at_least, steps, otherwise } => {
            let x = number(v, &what)?;
            // The most demanding step met: largest at_least <= x, or smallest at_most >= x.
            let mut best: Option<&(Q, Q)> = None;
            for step in steps {
                let met = if *at_least { step.0 <= x } else { step.0 >= x };
                if !met {
                    continue;
                }
                let more_demanding = match best {
                    None => true,
                    Some(b) => {
                        if *at_least {
                            step.0 > b.0
                        } else {
                            step.0 < b.0
                        }
                    }
                };
                if more_demanding {
                    best = Some(step);
                }
            }
            match best {
                Some(b) => b.1.clone(),
                None => otherwise.clone(),
            }
        }
        Rule::Choice { scores } => {
            let key = match v {
                Value::String(s) => s,
                _ => return Err(format!("{what}: expected a string")),
            };
            match scores.get(key) {
                Some(sv) => number(sv, &what)?,
                None => return Err(format!("{what}: value {key:?} not in scores")),
            }
        }
        Rule::Flag { if_true, if_false } => match v {
            Value::Boolean(true) => if_true.clone(),
            Value::Boolean(false) => if_false.clone(),
            _ => return Err(format!("{what}: expected a boolean")),
        },
        Rule::Date { full_by, zero_from } => {
            let d = date_days(v, &what)?;
            if d <= *full_by {
                Q::one()
            } else if d >= *zero_from {
                Q::zero()
            } else {
                qr(zero_from - d, zero_from - full_by)
            }
        }
        Rule::Relative { higher, .. } => {
            let x = number(v, &what)?;
            if reference.is_empty() {
                Q::zero()
            } else if *higher {
                let mut max = reference[0].clone();
                for r in reference {
                    if *r > max {
                        max = r.clone();
                    }
                }
                if max.is_zero() { Q::zero() } else { clamp01(x / max) }
            } else {
                let mut min = reference[0].clone();
                for r in reference {
                    if *r < min {
                        min = r.clone();
                    }
                }
                if !x.is_positive() {
                    return Err(format!("{what}: a lower-is-better value must be > 0"));
                }
                clamp01(min / x)
            }
        }
        Rule::KrPrice { estimated, cap, .. } => {
            let b = number(v, &what)?;
            if reference.is_empty() {
                return Ok(Q::zero());
            }
            if !b.is_positive() {
                return Err(format!("{what}: price must be > 0"));
            }
            let mut l = reference[0].clone();
            for r in reference {
                if *r < l {
                    l = r.clone();
                }
            }
            let e8 = estimated * qr(8, 10);
            let e6 = estimated * qr(6, 10);
            // SPEC §3.1 kr-price: two branches; B' = max(B, 0.6E).
            let mut result = if b >= e8 {
                p * &l / &b
            } else {
                let b_floor = if b > e6 { b.clone() } else { e6.clone() };
                p * &l / &e8 + qi(2) * (&e8 - &b_floor) / (&e8 - &e6)
            };
            if *cap && result > *p {
                result = p.clone();
            }
            // points = result (s = result / P, points = P × s).
            return Ok(result);
        }
        Rule::Panel { .. } => unreachable!("handled above"),
    };
    Ok(p * s)
}

// ---------------------------------------------------------------------------
// The whole pipeline (SPEC §5)
// ---------------------------------------------------------------------------

struct Scored {
    bidder: String,
    passed_gates: bool,
    qualified: bool,
    /// Rounded points, one per criterion in file order.
    points: Vec<Q>,
    /// Exact sums of rounded points per section (same order as Tender::sections).
    section_sums: Vec<Q>,
    total: Q,
    /// With differential scoring: the total before the adjustment.
    original_total: Option<Q>,
    /// Section sums before any differential adjustment.
    orig_section_sums: Vec<Q>,
    offered: Option<i128>,
    /// SPEC §10.1: the price of one unit, with a budget.
    price: Option<Q>,
    /// Field tie-breaks: the step as written → the bid's value (a date as its day number).
    ties: std::collections::BTreeMap<String, Option<Q>>,
}

/// Exact section sums (in section order) and the total of rounded criterion points.
fn sums(t: &Tender, points: &[Q]) -> (Vec<Q>, Q) {
    let mut section_sums = Vec::new();
    for s in &t.sections {
        let mut sum = Q::zero();
        for (k, c) in t.criteria.iter().enumerate() {
            if c.section == *s {
                sum += &points[k];
            }
        }
        section_sums.push(sum);
    }
    let mut total = Q::zero();
    for p in points {
        total += p;
    }
    (section_sums, total)
}

/// One criterion's rounded points for every bid; references for relative / kr-price run
/// over the bids in `mask` that have a value.
fn criterion_points(t: &Tender, c: &Criterion, bids: &[(String, Table)], mask: &[bool], panel: Option<&Table>) -> Result<Vec<Q>, String> {
    let mut reference = Vec::new();
    if matches!(c.rule, Rule::Relative { .. } | Rule::KrPrice { .. }) {
        let field = c.field.as_ref().ok_or("relative/kr-price needs a field")?;
        for (i, (_, bid)) in bids.iter().enumerate() {
            if !mask[i] {
                continue;
            }
            if let Some(v) = lookup(bid, field) {
                reference.push(number(v, &c.id)?);
            }
        }
    }
    let mut out = Vec::new();
    for (bidder, bid) in bids {
        let exact = exact_points(c, bidder, bid, &reference, panel)?;
        out.push(if t.unrounded { exact } else { round_q(&exact, t.places, t.mode) });
    }
    Ok(out)
}

/// Ranking order between two qualified bids (SPEC §5.3): `Less` means `a` ranks better.
/// Total descending, then each tie_break entry in order.
fn compare(t: &Tender, a: &Scored, b: &Scored) -> Ordering {
    let o = b.total.cmp(&a.total);
    if o != Ordering::Equal {
        return o;
    }
    for tb in &t.tie_break {
        let o = if tb == "bidder" {
            a.bidder.cmp(&b.bidder)
        } else if let Some(s) = tb.strip_prefix("section:") {
            let k = t.sections.iter().position(|x| x == s).unwrap();
            // Under differential scoring the adjusted sums, then the sums as scored.
            b.section_sums[k].cmp(&a.section_sums[k]).then_with(|| b.orig_section_sums[k].cmp(&a.orig_section_sums[k]))
        } else if let Some(c) = tb.strip_prefix("criterion:") {
            let k = t.criteria.iter().position(|x| x.id == c).unwrap();
            b.points[k].cmp(&a.points[k])
        } else if let Some(seed) = tb.strip_prefix("lottery:") {
            // SPEC (issue 12): SHA-256 of "<seed>:<bidder>", first 8 bytes big-endian; lower first.
            let key = |id: &str| {
                use sha2::Digest;
                let d = sha2::Sha256::digest(format!("{seed}:{id}").as_bytes());
                u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
            };
            key(&a.bidder).cmp(&key(&b.bidder))
        } else if let Some((dir, _)) = tb.split_once(':') {
            // `lower:`/`earlier:` the smaller value first; `higher:`/`later:` the larger.
            let va = a.ties.get(tb).cloned().flatten();
            let vb = b.ties.get(tb).cloned().flatten();
            match dir {
                "lower" | "earlier" => va.cmp(&vb),
                _ => vb.cmp(&va),
            }
        } else {
            Ordering::Equal
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Score the bids. `other_files` holds bid files and at most one panel file,
/// classified by their top-level table (SPEC §4).
pub fn reference_score(criteria_toml: &str, other_files: &[&str]) -> Result<RefOutcome, String> {
    let tender = parse_tender(criteria_toml)?;
    if tender.lots.is_empty() {
        return score_tender(tender, other_files, &[]);
    }
    // Issue 12 lots: each lot scored on its own — its criteria (their points its maximum),
    // its bids, its quantity and winners — in the order written, a bidder that already won
    // `max_lots_per_bidder` lots passed over; the whole tender on every criterion, each bid's
    // award the sum of what it won.
    let mut won: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut lots = Vec::new();
    for (id, quantity, winners, criteria) in &tender.lots {
        let mut sub = tender.clone();
        sub.lots.clear();
        if let Some(ids) = criteria {
            sub.criteria.retain(|c| ids.contains(&c.id));
            sub.tie_break.retain(|t| t.strip_prefix("criterion:").is_none_or(|c| ids.iter().any(|x| x == c)));
        }
        sub.max_points = sub.criteria.iter().fold(Q::zero(), |a, c| a + &c.points);
        if let Some(w) = winners {
            sub.winners = *w;
        }
        if let (Some(q), Some(t)) = (sub.quantity.as_mut(), quantity) {
            q.total = *t;
            // The cap is a share of the lot's own total.
            let by_share = q.share.as_ref().map(|sh| (sh * qi(*t as i64)).floor().to_integer().to_string().parse::<i128>().unwrap_or(0));
            q.cap = match (by_share, q.most) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        let mut files: Vec<&str> = Vec::new();
        let mut capped: Vec<String> = Vec::new();
        for text in other_files {
            let root: Table = text.parse().map_err(|e| format!("input file: {e}"))?;
            if let Some(b) = root.get("bidder") {
                let bt = get_table(b, "bidder")?;
                let bids_here = match bt.get("lots") {
                    None => true,
                    Some(v) => get_array(v, "bidder.lots")?.iter().any(|x| x.as_str() == Some(id)),
                };
                if !bids_here {
                    continue;
                }
                let who = get_str(bt, "id", "bidder")?;
                if tender.max_lots.is_some_and(|m| won.get(&who).copied().unwrap_or(0) >= m) {
                    capped.push(who);
                }
            }
            files.push(text);
        }
        let o = score_tender(sub, &files, &capped)?;
        for b in o.bids.iter().filter(|b| b.status == "selected") {
            *won.entry(b.bidder.clone()).or_insert(0) += 1;
        }
        lots.push((id.clone(), o));
    }
    let mut whole = tender.clone();
    whole.lots.clear();
    let mut out = score_tender(whole, other_files, &[])?;
    for b in &mut out.bids {
        let got: Vec<String> =
            lots.iter().filter_map(|(_, o)| o.bids.iter().find(|x| x.bidder == b.bidder)).filter_map(|x| x.award.clone()).collect();
        b.award = if got.is_empty() {
            None
        } else if tender.quantity.is_some() {
            Some(got.iter().map(|g| g.parse::<i128>().unwrap_or(0)).sum::<i128>().to_string())
        } else {
            Some("true".to_string())
        };
        if b.award.is_some() {
            b.status = "selected".to_string();
        } else if b.status == "selected" {
            b.status = "qualified".to_string();
        }
    }
    out.lots = lots;
    Ok(out)
}

/// The selected bids (sorted by id) when each criterion is worth the given exact weight,
/// with no rounding: the oracle for the stability analysis.
pub fn reference_winners_weighted(criteria_toml: &str, other_files: &[&str], weights: &[Q]) -> Result<Vec<String>, String> {
    let mut tender = parse_tender(criteria_toml)?;
    if weights.len() != tender.criteria.len() {
        return Err("one weight per criterion".into());
    }
    for (c, w) in tender.criteria.iter_mut().zip(weights) {
        c.points = w.clone();
    }
    tender.unrounded = true;
    let o = score_tender(tender, other_files, &[])?;
    let mut w: Vec<String> = o.bids.into_iter().filter(|b| b.status == "selected").map(|b| b.bidder).collect();
    w.sort();
    Ok(w)
}

/// `capped`: bidders the award passes over (they already won as many lots as one may).
fn score_tender(tender: Tender, other_files: &[&str], capped: &[String]) -> Result<RefOutcome, String> {
    // --- classify and load the other files (SPEC §4)
    let mut bids: Vec<(String, Table)> = Vec::new();
    let mut panel: Option<Table> = None;
    // SPEC §10.2: bidder → (outcome, agreed quantity).
    let mut record: Option<std::collections::BTreeMap<String, (String, Option<i128>)>> = None;
    for text in other_files {
        let root: Table = text.parse().map_err(|e| format!("input file: {e}"))?;
        if let Some(n) = root.get("negotiation") {
            let mut m = std::collections::BTreeMap::new();
            if let Some(b) = get_table(n, "negotiation")?.get("bids") {
                for (who, e) in get_table(b, "negotiation.bids")? {
                    let et = get_table(e, "negotiation entry")?;
                    let q = match et.get("quantity") {
                        Some(Value::Integer(i)) => Some(i128::from(*i)),
                        _ => None,
                    };
                    m.insert(who.clone(), (get_str(et, "outcome", "negotiation entry")?, q));
                }
            }
            record = Some(m);
            continue;
        }
        if root.contains_key("reported") {
            continue;
        }
        let is_bid = root.contains_key("bidder");
        let is_panel = root.contains_key("panel");
        let is_tender = root.contains_key("tender");
        if is_bid && !is_panel && !is_tender {
            let id = get_str(get_table(&root["bidder"], "bidder")?, "id", "bidder")?;
            if bids.iter().any(|(b, _)| *b == id) {
                return Err(format!("duplicate bidder id {id}"));
            }
            bids.push((id, root));
        } else if is_panel && !is_bid && !is_tender {
            if panel.is_some() {
                return Err("more than one panel file".into());
            }
            panel = Some(get_table(&root["panel"], "panel")?.clone());
        } else {
            return Err("a file is neither a single bid nor a panel file".into());
        }
    }
    // Work in bidder-id order so that file order cannot matter (SPEC §6.3).
    bids.sort_by(|a, b| a.0.cmp(&b.0));

    // --- gates (SPEC §5.1)
    let mut passed = Vec::new();
    for (_, bid) in &bids {
        let mut ok = true;
        for g in &tender.gates {
            if !gate_passes(g, bid)? {
                ok = false;
            }
        }
        passed.push(ok);
    }

    // --- criteria: exact points, then rounded once (SPEC §2, §3.1). First pass: every
    // reference over the bids that pass every gate.
    let mut points: Vec<Vec<Q>> = vec![Vec::new(); bids.len()];
    for c in &tender.criteria {
        let column = criterion_points(&tender, c, &bids, &passed, panel.as_ref())?;
        for (i, p) in column.into_iter().enumerate() {
            points[i].push(p);
        }
    }

    // --- sums, qualification (SPEC §2, §5.2)
    let mut qualified_mask = Vec::new();
    for (i, _) in bids.iter().enumerate() {
        let (section_sums, total) = sums(&tender, &points[i]);
        let mut qualified = passed[i];
        if passed[i] {
            for q in &tender.qualify {
                // The value measured and its maximum: a section, or the total.
                let (value, max) = match &q.section {
                    Some(s) => {
                        let k = tender.sections.iter().position(|x| x == s).ok_or(format!("qualify: unknown section {s}"))?;
                        let mut max = Q::zero();
                        for c in &tender.criteria {
                            if c.section == *s {
                                max += &c.points;
                            }
                        }
                        (section_sums[k].clone(), max)
                    }
                    None => (total.clone(), tender.max_points.clone()),
                };
                if let Some(share) = &q.min_share
                    && value < share * &max
                {
                    qualified = false;
                }
                if let Some(min) = &q.min_points
                    && value < *min
                {
                    qualified = false;
                }
            }
        }
        qualified_mask.push(qualified);
    }

    // --- second pass: `among = "qualified"` references run over the qualified bids only.
    // (Validation guarantees no threshold depends on such a criterion.)
    for (k, c) in tender.criteria.iter().enumerate() {
        let late = matches!(c.rule, Rule::Relative { among_qualified: true, .. } | Rule::KrPrice { among_qualified: true, .. });
        if late {
            let column = criterion_points(&tender, c, &bids, &qualified_mask, panel.as_ref())?;
            for (i, p) in column.into_iter().enumerate() {
                points[i][k] = p;
            }
        }
    }

    let mut scored = Vec::new();
    for (i, (bidder, bid)) in bids.iter().enumerate() {
        let (section_sums, total) = sums(&tender, &points[i]);
        let qualified = qualified_mask[i];
        let offered = match &tender.quantity {
            Some(qty) if qualified => match lookup(bid, &qty.field) {
                Some(Value::Integer(n)) if *n >= 0 => Some(i128::from(*n)),
                Some(_) => {
                    return Err(format!("bid {bidder}: {} must be a non-negative integer", qty.field));
                }
                None => return Err(format!("bid {bidder}: lacks {}", qty.field)),
            },
            _ => None,
        };
        let price = match tender.quantity.as_ref().and_then(|q| q.budget.as_ref()) {
            Some((_, field)) if qualified => Some(number(lookup(bid, field).ok_or("bid lacks the unit price")?, field)?),
            _ => None,
        };

        let mut ties = std::collections::BTreeMap::new();
        for tb in &tender.tie_break {
            let Some((dir, path)) = tb.split_once(':') else { continue };
            let v = match (dir, lookup(bid, path)) {
                ("lower" | "higher", Some(v)) => Some(number(v, path)?),
                ("earlier" | "later", Some(v)) => Some(qi(date_days(v, path)?)),
                ("lower" | "higher" | "earlier" | "later", None) => return Err(format!("bid {bidder} lacks tie-break field {path}")),
                _ => continue,
            };
            ties.insert(tb.clone(), v);
        }

        scored.push(Scored {
            bidder: bidder.clone(),
            passed_gates: passed[i],
            qualified,
            points: points[i].clone(),
            orig_section_sums: section_sums.clone(),
            section_sums,
            original_total: None,
            total,
            offered,
            price,
            ties,
        });
    }

    // --- differential scoring (차등점수제): qualified bids ranked by the section's sum;
    // the section then counts max − (rank − 1) × step, not below 0.
    if let Some((section, step)) = &tender.differential {
        let k = tender.sections.iter().position(|x| x == section).ok_or("differential: unknown section")?;
        let mut max = Q::zero();
        for c in &tender.criteria {
            if c.section == *section {
                max += &c.points;
            }
        }
        let sums_now: Vec<Option<Q>> = scored.iter().map(|s| s.qualified.then(|| s.section_sums[k].clone())).collect();
        for s in scored.iter_mut() {
            s.original_total = Some(s.total.clone());
            if !s.qualified {
                continue;
            }
            let mine = s.section_sums[k].clone();
            let ahead = sums_now.iter().flatten().filter(|x| **x > mine).count() as i64;
            let mut adjusted = &max - step * qi(ahead);
            if adjusted.is_negative() {
                adjusted = Q::zero();
            }
            s.total = &s.total - &mine + &adjusted;
            s.section_sums[k] = adjusted;
        }
    }

    // --- ranking (SPEC §5.3)
    let mut qualified: Vec<&Scored> = scored.iter().filter(|s| s.qualified).collect();
    qualified.sort_by(|a, b| compare(&tender, a, b).then_with(|| a.bidder.cmp(&b.bidder)));
    let mut not_qualified: Vec<&Scored> = scored.iter().filter(|s| s.passed_gates && !s.qualified).collect();
    not_qualified.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.bidder.cmp(&b.bidder)));
    let mut disqualified: Vec<&Scored> = scored.iter().filter(|s| !s.passed_gates).collect();
    disqualified.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.bidder.cmp(&b.bidder)));

    // Competition rank: 1 + the number of qualified bids that rank strictly better.
    let mut ranks = Vec::new();
    for a in &qualified {
        let mut better = 0u32;
        for b in &qualified {
            if compare(&tender, b, a) == Ordering::Less {
                better += 1;
            }
        }
        ranks.push(better + 1);
    }

    // --- award (SPEC §5.4, §10.1, §10.2)
    // A bid the record says declined or withdrew keeps its rank and gets nothing; the award
    // walks the others in rank order.
    let said = |bidder: &str| record.as_ref().and_then(|m| m.get(bidder)).cloned();
    let mut statuses: Vec<&str> = vec!["qualified"; qualified.len()];
    let mut running: Vec<usize> = Vec::new();
    // Abnormally low tenders, over the bids that passed every gate: an `exclude` check that
    // finds a qualified bid low makes it `excluded`.
    let mut excluded_ids: Vec<String> = Vec::new();
    for (field, rule, exclude) in &tender.low {
        let gated: Vec<(String, Q)> = bids
            .iter()
            .zip(&passed)
            .filter(|(_, p)| **p)
            .map(|((id, b), _)| Ok((id.clone(), number(lookup(b, field).ok_or("bid lacks the price an ALT check reads")?, field)?)))
            .collect::<Result<_, String>>()?;
        let n = gated.len();
        for (id, p) in &gated {
            let low = match rule {
                LowRule::Estimate(t) => p < t,
                LowRule::Mean(share) => {
                    if n < 2 {
                        false
                    } else {
                        let others: Q = gated.iter().filter(|(j, _)| j != id).map(|(_, q)| q.clone()).sum();
                        *p < share * others / qi(n as i64 - 1)
                    }
                }
                LowRule::Wings { base, wings, min_bids } => {
                    let mut d: Vec<Q> = gated.iter().map(|(_, q)| (base - q) / base).collect();
                    d.sort();
                    let cut = (wings * qi(n as i64)).ceil().to_integer().to_string().parse::<usize>().unwrap_or(0);
                    if n < *min_bids || 2 * cut >= n {
                        false
                    } else {
                        let kept = &d[cut..n - cut];
                        let m: Q = kept.iter().cloned().sum::<Q>() / qi(kept.len() as i64);
                        let ex: Vec<Q> = kept.iter().filter(|x| **x > m).map(|x| x - &m).collect();
                        let sdev = if ex.is_empty() { Q::zero() } else { ex.iter().cloned().sum::<Q>() / qi(ex.len() as i64) };
                        (base - p) / base >= m + sdev
                    }
                }
            };
            if low && *exclude {
                excluded_ids.push(id.clone());
            }
        }
    }
    for (k, s) in qualified.iter().enumerate() {
        if excluded_ids.contains(&s.bidder) {
            statuses[k] = "excluded";
            continue;
        }
        if capped.contains(&s.bidder) {
            continue;
        }
        match said(&s.bidder) {
            Some((o, _)) if o == "declined" => statuses[k] = "declined",
            Some((o, _)) if o == "withdrawn" => statuses[k] = "withdrawn",
            _ => running.push(k),
        }
    }
    // What each bid brings: its offer; under `negotiated` with a record, what it agreed.
    let from_record = tender.negotiated && record.is_some();
    let brings = |k: usize| -> i128 {
        let s = qualified[k];
        if from_record {
            return match said(&s.bidder) {
                Some((o, q)) if o == "agreed" => {
                    if tender.quantity.is_some() {
                        q.unwrap_or(0)
                    } else {
                        1
                    }
                }
                _ => 0,
            };
        }
        if tender.quantity.is_some() { s.offered.unwrap_or(0) } else { 1 }
    };
    // How many units `money` buys at bid k's price (no budget: no limit).
    let buys = |money: &Option<Q>, k: usize| -> i128 {
        match (money, &qualified[k].price) {
            (Some(m), Some(p)) => {
                let units = (m / p).floor();
                units.to_integer().to_string().parse::<i128>().unwrap_or(0).max(0)
            }
            _ => i128::MAX,
        }
    };
    let mut money: Option<Q> = tender.quantity.as_ref().and_then(|q| q.budget.as_ref()).map(|(m, _)| m.clone());
    let mut awards: Vec<Option<String>> = vec![None; qualified.len()];
    let mut awarded_count: u64 = 0;
    let mut remaining = tender.quantity.as_ref().map(|q| q.total).unwrap_or(0);
    if let Some(q) = tender.quantity.as_ref().filter(|q| q.proportional) {
        // SPEC §10.1 proportional: the first `winners` offering bids, by exact shares.
        let mut members: Vec<usize> = Vec::new();
        for &k in &running {
            if tender.winners.is_some_and(|w| members.len() as u64 >= w) {
                break;
            }
            if brings(k) > 0 {
                members.push(k);
            }
        }
        let offer = |k: usize| brings(k);
        let sum: i128 = members.iter().map(|&k| offer(k)).sum();
        let mut got: Vec<i128> = vec![0; qualified.len()];
        if sum <= q.total {
            for &k in &members {
                got[k] = offer(k);
            }
        } else {
            // floor(total × offer / sum) each; the rest by largest remainder, ties to rank.
            let mut left = q.total;
            let mut rems: Vec<(i128, usize)> = Vec::new();
            for &k in &members {
                got[k] = q.total * offer(k) / sum;
                left -= got[k];
                rems.push((q.total * offer(k) % sum, k));
            }
            rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, k) in rems.iter().take(left as usize) {
                got[k] += 1;
            }
        }
        if let Some(cap) = q.cap {
            let mut freed = 0;
            for g in got.iter_mut() {
                if *g > cap {
                    freed += *g - cap;
                    *g = cap;
                }
            }
            for &k in &members {
                let room = offer(k).min(cap) - got[k];
                let add = room.min(freed).max(0);
                got[k] += add;
                freed -= add;
            }
        }
        // The budget last, in rank order.
        for &k in &members {
            if got[k] > 0 {
                got[k] = got[k].min(buys(&money, k));
                if let (Some(m), Some(p)) = (money.as_mut(), &qualified[k].price) {
                    *m = &*m - p * qi(got[k] as i64);
                }
            }
        }
        for (k, g) in got.iter().enumerate() {
            if *g > 0 {
                awards[k] = Some(g.to_string());
            }
        }
        remaining = 0;
    }
    for &k in &running {
        if tender.quantity.as_ref().is_some_and(|q| q.proportional) {
            break;
        }
        if let Some(w) = tender.winners
            && awarded_count >= w
        {
            break;
        }
        let wants = brings(k);
        match &tender.quantity {
            None => {
                if wants == 0 {
                    continue;
                }
                awards[k] = Some("true".to_string());
                awarded_count += 1;
            }
            Some(q) => {
                let mut give = wants.min(remaining);
                if let Some(cap) = q.cap {
                    give = give.min(cap);
                }
                give = give.min(buys(&money, k));
                if give <= 0 {
                    // Gets nothing: not awarded, does not use up a winner's place.
                    continue;
                }
                remaining -= give;
                if let (Some(m), Some(p)) = (money.as_mut(), &qualified[k].price) {
                    *m = &*m - p * qi(give as i64);
                }
                awards[k] = Some(give.to_string());
                awarded_count += 1;
            }
        }
    }

    // --- report order: qualified (ranked), not-qualified, disqualified
    let mut out = Vec::new();
    let make = |s: &Scored, status: &str, rank: Option<u32>, award: Option<String>| -> Result<RefBid, String> {
        let mut criteria = Vec::new();
        for (k, c) in tender.criteria.iter().enumerate() {
            criteria.push((c.id.clone(), fmt_any(&tender, &s.points[k])?));
        }
        Ok(RefBid {
            bidder: s.bidder.clone(),
            status: status.to_string(),
            rank,
            total: fmt_any(&tender, &s.total)?,
            criteria,
            award,
            original_total: match &s.original_total {
                Some(t) => Some(fmt_any(&tender, t)?),
                None => None,
            },
        })
    };
    for (k, s) in qualified.iter().enumerate() {
        let status = if awards[k].is_some() { "selected" } else { statuses[k] };
        out.push(make(s, status, Some(ranks[k]), awards[k].clone())?);
    }
    for s in &not_qualified {
        out.push(make(s, "not-qualified", None, None)?);
    }
    for s in &disqualified {
        out.push(make(s, "disqualified", None, None)?);
    }
    Ok(RefOutcome { bids: out, lots: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A criteria file with one section "s", the given extra header lines, and criteria.
    fn tender(header: &str, body: &str) -> String {
        format!(
            "[tender]\nid = \"t\"\ntitle = \"T\"\nsource = \"test\"\n\n\
             [evaluation]\nmax_points = 100\n{header}\n\n\
             [[section]]\nid = \"s\"\ntitle = \"S\"\n\n{body}"
        )
    }

    fn bid(id: &str, body: &str) -> String {
        format!("bidder = {{ id = \"{id}\", name = \"{id}\" }}\n{body}")
    }

    fn run(criteria: &str, files: &[String]) -> RefOutcome {
        let refs: Vec<&str> = files.iter().map(|s| s.as_str()).collect();
        reference_score(criteria, &refs).expect("reference_score failed")
    }

    fn find<'a>(o: &'a RefOutcome, id: &str) -> &'a RefBid {
        o.bids.iter().find(|b| b.bidder == id).expect("bidder")
    }

    /// Points of criterion `cid` for bidder `id`.
    fn pts(o: &RefOutcome, id: &str, cid: &str) -> String {
        find(o, id).criteria.iter().find(|(c, _)| c == cid).expect("criterion").1.clone()
    }

    fn order(o: &RefOutcome) -> Vec<&str> {
        o.bids.iter().map(|b| b.bidder.as_str()).collect()
    }

    fn crit(id: &str, points: &str, field: &str, rule: &str) -> String {
        format!(
            "[[criterion]]\nid = \"{id}\"\nsection = \"s\"\ntitle = \"{id}\"\npoints = {points}\n\
             field = \"{field}\"\nrule = {rule}\n\n"
        )
    }

    #[test]
    fn decimal_parsing_and_rounding_helpers() {
        assert_eq!(parse_decimal("0.1").unwrap(), qr(1, 10));
        assert_eq!(parse_decimal("-1.5e-3").unwrap(), qr(-15, 10000));
        assert_eq!(number(&Value::Float(0.1), "x").unwrap(), qr(1, 10));
        assert_eq!(number(&Value::Float(1e21), "x").unwrap(), Q::from_integer(pow10(21)));
        assert_eq!(fmt_fixed(&qr(845, 10), 4).unwrap(), "84.5000");
        assert_eq!(fmt_fixed(&qi(85), 0).unwrap(), "85");
        assert_eq!(fmt_fixed(&qr(5, 100), 2).unwrap(), "0.05");
        assert_eq!(round_q(&qr(5, 2), 0, Mode::HalfUp), qi(3));
        assert_eq!(round_q(&qr(5, 2), 0, Mode::HalfEven), qi(2));
        assert_eq!(round_q(&qr(7, 2), 0, Mode::HalfEven), qi(4));
        assert_eq!(round_q(&qr(29, 10), 0, Mode::Down), qi(2));
        assert_eq!(round_q(&qr(2, 3), 4, Mode::HalfUp), qr(6667, 10000));
        assert_eq!(round_q(&qr(2, 3), 4, Mode::Down), qr(6666, 10000));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
    }

    #[test]
    fn linear_rule() {
        let c = tender(
            "",
            &(crit("up", "10", "x", "{ kind = \"linear\", zero_at = 0, full_at = 10 }")
                + &crit("down", "10", "y", "{ kind = \"linear\", zero_at = 10, full_at = 0 }")),
        );
        let o = run(&c, &[bid("a", "x = 7.5\ny = 2"), bid("b", "x = 12\ny = -3"), bid("c", "x = -1\ny = 11.0")]);
        assert_eq!(pts(&o, "a", "up"), "7.5000");
        assert_eq!(pts(&o, "a", "down"), "8.0000");
        assert_eq!(pts(&o, "b", "up"), "10.0000");
        assert_eq!(pts(&o, "b", "down"), "10.0000");
        assert_eq!(pts(&o, "c", "up"), "0.0000");
        assert_eq!(pts(&o, "c", "down"), "0.0000");
        assert_eq!(find(&o, "a").total, "15.5000");
    }

    #[test]
    fn steps_rule() {
        let c = tender(
            "",
            &(crit(
                "least",
                "10",
                "x",
                "{ kind = \"steps\", steps = [{ at_least = 200, score = 1 }, { at_least = 100, score = 0.5 }], otherwise = 0.1 }",
            ) + &crit("most", "10", "x", "{ kind = \"steps\", steps = [{ at_most = 100, score = 1 }, { at_most = 200, score = 0.4 }] }")),
        );
        let o = run(&c, &[bid("a", "x = 50"), bid("b", "x = 150"), bid("c", "x = 200"), bid("d", "x = 250")]);
        assert_eq!(pts(&o, "a", "least"), "1.0000");
        assert_eq!(pts(&o, "b", "least"), "5.0000");
        assert_eq!(pts(&o, "c", "least"), "10.0000");
        assert_eq!(pts(&o, "d", "least"), "10.0000");
        assert_eq!(pts(&o, "a", "most"), "10.0000");
        assert_eq!(pts(&o, "b", "most"), "4.0000");
        assert_eq!(pts(&o, "c", "most"), "4.0000");
        assert_eq!(pts(&o, "d", "most"), "0.0000");
    }

    #[test]
    fn choice_rule() {
        let c = tender(
            "rounding = { places = 6 }",
            &crit("tenure", "3", "dc.tenure", "{ kind = \"choice\", scores = { owned = 1, affiliate = 0.9, leased = 0.1 } }"),
        );
        let o = run(
            &c,
            &[bid("a", "[dc]\ntenure = \"owned\""), bid("b", "[dc]\ntenure = \"affiliate\""), bid("c", "[dc]\ntenure = \"leased\"")],
        );
        assert_eq!(pts(&o, "a", "tenure"), "3.000000");
        assert_eq!(pts(&o, "b", "tenure"), "2.700000");
        // 3 × 0.1 is exactly 0.3: the float goes through its shortest decimal text.
        assert_eq!(pts(&o, "c", "tenure"), "0.300000");
        // A value not listed is an error.
        let bad = bid("d", "[dc]\ntenure = \"rented\"");
        assert!(reference_score(&c, &[bad.as_str()]).is_err());
    }

    #[test]
    fn flag_rule() {
        let c = tender("", &(crit("f", "8", "ok", "{ kind = \"flag\", if_false = 0.25 }") + &crit("g", "2", "ok", "{ kind = \"flag\" }")));
        let o = run(&c, &[bid("a", "ok = true"), bid("b", "ok = false")]);
        assert_eq!(pts(&o, "a", "f"), "8.0000");
        assert_eq!(pts(&o, "b", "f"), "2.0000");
        assert_eq!(pts(&o, "a", "g"), "2.0000");
        assert_eq!(pts(&o, "b", "g"), "0.0000");
    }

    #[test]
    fn date_rule() {
        let c = tender(
            "",
            &(crit("d", "12", "start", "{ kind = \"date\", full_by = 2025-12-31, zero_from = 2026-01-10 }")
                + &crit("leap", "10", "start2", "{ kind = \"date\", full_by = 2024-02-28, zero_from = 2024-03-01 }")),
        );
        let o = run(
            &c,
            &[
                bid("a", "start = 2025-12-01\nstart2 = 2024-02-29"),
                bid("b", "start = 2026-01-05\nstart2 = 2024-02-28"),
                bid("c", "start = 2026-01-10\nstart2 = 2024-03-01"),
                bid("d", "start = 2026-01-01\nstart2 = 2025-01-01"),
            ],
        );
        assert_eq!(pts(&o, "a", "d"), "12.0000");
        assert_eq!(pts(&o, "b", "d"), "6.0000"); // 5 of 10 days left
        assert_eq!(pts(&o, "c", "d"), "0.0000");
        assert_eq!(pts(&o, "d", "d"), "10.8000"); // 9/10
        assert_eq!(pts(&o, "a", "leap"), "5.0000"); // 2024 is a leap year
        assert_eq!(pts(&o, "b", "leap"), "10.0000");
        assert_eq!(pts(&o, "c", "leap"), "0.0000");
        // A quoted date is a type error.
        let bad = bid("e", "start = \"2025-12-01\"\nstart2 = 2024-02-29");
        assert!(reference_score(&c, &[bad.as_str()]).is_err());
    }

    #[test]
    fn relative_rule_uses_only_gate_passing_bids_with_values() {
        let c = tender(
            "",
            &("[[gate]]\nid = \"g\"\ntitle = \"G\"\nfield = \"ok\"\nrequire = { equals = true }\n\n".to_string()
                + &crit("hi", "10", "x", "{ kind = \"relative\", better = \"higher\" }")
                + "missing = \"zero\"\n\n"
                + &crit("lo", "10", "y", "{ kind = \"relative\", better = \"lower\" }")),
        );
        let o = run(
            &c,
            &[
                bid("a", "ok = true\nx = 50\ny = 4"),
                bid("b", "ok = true\nx = 100\ny = 8"),
                // Disqualified: sets no reference, but is still scored (clamped).
                bid("z", "ok = false\nx = 200\ny = 1"),
                // No x: s = 0 and excluded from the reference.
                bid("m", "ok = true\ny = 16"),
            ],
        );
        assert_eq!(pts(&o, "a", "hi"), "5.0000");
        assert_eq!(pts(&o, "b", "hi"), "10.0000");
        assert_eq!(pts(&o, "z", "hi"), "10.0000");
        assert_eq!(pts(&o, "m", "hi"), "0.0000");
        assert_eq!(pts(&o, "a", "lo"), "10.0000");
        assert_eq!(pts(&o, "b", "lo"), "5.0000");
        assert_eq!(pts(&o, "m", "lo"), "2.5000");
        assert_eq!(pts(&o, "z", "lo"), "10.0000");
        assert_eq!(find(&o, "z").status, "disqualified");

        // Every bid disqualified: the reference set is empty, s = 0.
        let o = run(&c, &[bid("z", "ok = false\nx = 200\ny = 1")]);
        assert_eq!(pts(&o, "z", "hi"), "0.0000");
        assert_eq!(pts(&o, "z", "lo"), "0.0000");
        // Max 0 gives s = 0.
        let o = run(&c, &[bid("a", "ok = true\nx = 0\ny = 1")]);
        assert_eq!(pts(&o, "a", "hi"), "0.0000");
    }

    #[test]
    fn panel_rule_trimmed_mean() {
        let c = tender(
            "",
            "[[criterion]]\nid = \"maturity\"\nsection = \"s\"\ntitle = \"M\"\npoints = 10\n\
             rule = { kind = \"panel\", scale = 10 }\n\n\
             [[criterion]]\nid = \"plan\"\nsection = \"s\"\ntitle = \"P\"\npoints = 20\n\
             rule = { kind = \"panel\", scale = 5, trim = 0 }\n",
        );
        let panel = "[panel]\nsource = \"x\"\n\
                     [panel.marks.maturity]\na = [8, 8.5, 7, 9, 8]\nb = [6, 5.5, 7, 6, 5]\n\
                     [panel.marks.plan]\na = [5, 4]\nb = [1, 2, 3]\n"
            .to_string();
        let o = run(&c, &[bid("a", ""), panel, bid("b", "")]);
        // a: sorted 7, 8, 8, 8.5, 9 → mean(8, 8, 8.5) = 24.5/3 → ×10/10 = 8.1667
        assert_eq!(pts(&o, "a", "maturity"), "8.1667");
        // b: sorted 5, 5.5, 6, 6, 7 → mean(5.5, 6, 6) = 17.5/3 = 5.8333
        assert_eq!(pts(&o, "b", "maturity"), "5.8333");
        // trim 0: a mean 4.5 / 5 × 20 = 18; b mean 2 / 5 × 20 = 8
        assert_eq!(pts(&o, "a", "plan"), "18.0000");
        assert_eq!(pts(&o, "b", "plan"), "8.0000");
    }

    fn kr_tender(cap: &str, points: &str) -> String {
        tender(
            "",
            &("[[gate]]\nid = \"g\"\ntitle = \"G\"\nfield = \"ok\"\nrequire = { equals = true }\n\n".to_string()
                + &crit("price", points, "price", &format!("{{ kind = \"kr-price\", estimated = 100{cap} }}"))),
        )
    }

    #[test]
    fn kr_price_branches_floor_and_cap() {
        let c = kr_tender("", "20");
        // B ≥ 0.8E: P × L / B = 20 × 80 / 90 = 17.7777…
        let o = run(&c, &[bid("a", "ok = true\nprice = 80"), bid("b", "ok = true\nprice = 90")]);
        assert_eq!(pts(&o, "b", "price"), "17.7778");
        assert_eq!(pts(&o, "a", "price"), "20.0000");
        // B < 0.8E: 20 × 70/80 + 2 × (80 − 70)/20 = 17.5 + 1 = 18.5
        let o = run(&c, &[bid("a", "ok = true\nprice = 70")]);
        assert_eq!(pts(&o, "a", "price"), "18.5000");
        // B = 50 floored to 0.6E = 60: 20 × 50/80 + 2 × (80 − 60)/20 = 12.5 + 2 = 14.5
        let o = run(&c, &[bid("a", "ok = true\nprice = 50")]);
        assert_eq!(pts(&o, "a", "price"), "14.5000");
        // A float price, exact: 20 × 70/87.5 = 16
        let o = run(&c, &[bid("a", "ok = true\nprice = 70"), bid("b", "ok = true\nprice = 87.5")]);
        assert_eq!(pts(&o, "b", "price"), "16.0000");

        // Cap: P = 5, B = L = 70: 5 × 70/80 + 1 = 5.375 → capped at 5, or 5.375 uncapped.
        let capped = kr_tender("", "5");
        let o = run(&capped, &[bid("a", "ok = true\nprice = 70")]);
        assert_eq!(pts(&o, "a", "price"), "5.0000");
        let explicit = kr_tender(", cap = true", "5");
        let o = run(&explicit, &[bid("a", "ok = true\nprice = 70")]);
        assert_eq!(pts(&o, "a", "price"), "5.0000");
        let uncapped = kr_tender(", cap = false", "5");
        let o = run(&uncapped, &[bid("a", "ok = true\nprice = 70")]);
        assert_eq!(pts(&o, "a", "price"), "5.3750");
        assert_eq!(find(&o, "a").total, "5.3750");

        // A disqualified bid below L: 20 × 90 / 85 > 20 → capped at 20; it sets no L.
        let o = run(&c, &[bid("a", "ok = true\nprice = 90"), bid("z", "ok = false\nprice = 85")]);
        assert_eq!(pts(&o, "a", "price"), "20.0000");
        assert_eq!(pts(&o, "z", "price"), "20.0000");
        let o = run(&uncapped, &[bid("a", "ok = true\nprice = 90"), bid("z", "ok = false\nprice = 85")]);
        // 5 × 90 / 85 = 5.29411…
        assert_eq!(pts(&o, "z", "price"), "5.2941");
        // No bid passes the gates: s = 0.
        let o = run(&c, &[bid("z", "ok = false\nprice = 85")]);
        assert_eq!(pts(&o, "z", "price"), "0.0000");
    }

    #[test]
    fn rounding_modes_at_a_half() {
        // 3 × 5/6 = 2.5 exactly, at 0 places.
        for (mode, want) in [("half-up", "3"), ("half-even", "2"), ("down", "2")] {
            let c = tender(
                &format!("rounding = {{ places = 0, mode = \"{mode}\" }}"),
                &crit("l", "3", "x", "{ kind = \"linear\", zero_at = 0, full_at = 6 }"),
            );
            let o = run(&c, &[bid("a", "x = 5")]);
            assert_eq!(pts(&o, "a", "l"), want, "mode {mode}");
            assert_eq!(find(&o, "a").total, want, "mode {mode}");
        }
        // Default mode is half-up; default places 4.
        let c = tender("rounding = { places = 0 }", &crit("l", "3", "x", "{ kind = \"linear\", zero_at = 0, full_at = 6 }"));
        assert_eq!(pts(&run(&c, &[bid("a", "x = 5")]), "a", "l"), "3");
        // Totals are exact sums of rounded points: 3 × (1/3 → 0.33) = 0.99, not 1.00.
        let c = tender(
            "rounding = { places = 2 }",
            &(crit("p", "1", "x", "{ kind = \"linear\", zero_at = 0, full_at = 3 }")
                + &crit("q", "1", "x", "{ kind = \"linear\", zero_at = 0, full_at = 3 }")
                + &crit("r", "1", "x", "{ kind = \"linear\", zero_at = 0, full_at = 3 }")),
        );
        let o = run(&c, &[bid("a", "x = 1")]);
        assert_eq!(pts(&o, "a", "p"), "0.33");
        assert_eq!(find(&o, "a").total, "0.99");
    }

    #[test]
    fn gates_disqualify() {
        let gates = "[[gate]]\nid = \"biz\"\ntitle = \"B\"\nfield = \"e.biz\"\nrequire = { equals = true }\n\n\
                     [[gate]]\nid = \"size\"\ntitle = \"S\"\nfield = \"gpus\"\nrequire = { at_least = 100 }\n\n\
                     [[gate]]\nid = \"model\"\ntitle = \"M\"\nfield = \"model\"\nrequire = { one_of = [\"B200\", \"GB300\"] }\n\n\
                     [[gate]]\nid = \"when\"\ntitle = \"W\"\nfield = \"start\"\nrequire = { not_after = 2025-12-31 }\n\n\
                     [[gate]]\nid = \"years\"\ntitle = \"Y\"\nfield = \"years\"\nrequire = { at_most = 3.5 }\nmissing = \"fail\"\n\n";
        let c = tender("", &(gates.to_string() + &crit("g", "10", "gpus", "{ kind = \"linear\", zero_at = 0, full_at = 1000 }")));
        let good = "gpus = 500\nmodel = \"B200\"\nstart = 2025-12-31\nyears = 3.5\n[e]\nbiz = true";
        let o = run(
            &c,
            &[
                bid("ok", good),
                bid("nobiz", &good.replace("biz = true", "biz = false")),
                bid("small", &good.replace("gpus = 500", "gpus = 99")),
                bid("model", &good.replace("B200", "H100")),
                bid("late", &good.replace("2025-12-31", "2026-01-01")),
                bid("old", &good.replace("years = 3.5", "years = 4")),
                bid("noyears", &good.replace("years = 3.5\n", "")),
            ],
        );
        assert_eq!(find(&o, "ok").status, "selected");
        assert_eq!(find(&o, "ok").rank, Some(1));
        for id in ["nobiz", "small", "model", "late", "old", "noyears"] {
            assert_eq!(find(&o, id).status, "disqualified", "{id}");
            assert_eq!(find(&o, id).rank, None);
            assert_eq!(find(&o, id).award, None);
        }
        // Disqualified bids are still scored, listed after, by total desc then id.
        assert_eq!(order(&o), ["ok", "late", "model", "nobiz", "noyears", "old", "small"]);
        assert_eq!(find(&o, "small").total, "0.9900");
        // A missing gate field without missing = "fail" is an error.
        let missing = bid("x", &good.replace("gpus = 500\n", ""));
        assert!(reference_score(&c, &[missing.as_str()]).is_err());
        // A wrong type for equals is an error.
        let wrong = bid("x", &good.replace("biz = true", "biz = \"yes\""));
        assert!(reference_score(&c, &[wrong.as_str()]).is_err());
    }

    #[test]
    fn qualification_thresholds() {
        let body = "[[section]]\nid = \"price\"\ntitle = \"P\"\n\n".to_string()
            + &crit("t", "80", "t", "{ kind = \"linear\", zero_at = 0, full_at = 100 }")
            + "[[criterion]]\nid = \"p\"\nsection = \"price\"\ntitle = \"p\"\npoints = 20\nfield = \"p\"\n\
               rule = { kind = \"linear\", zero_at = 0, full_at = 100 }\n";
        let c = tender("qualify = [ { section = \"s\", min_share = 0.85 }, { min_points = 70 } ]", &body);
        let o = run(
            &c,
            &[
                bid("exact", "t = 85\np = 0"),   // s = 68 = 0.85 × 80 → ok, but total 68 < 70
                bid("both", "t = 85\np = 10"),   // s = 68, total 70 → qualified
                bid("low", "t = 84\np = 100"),   // s = 67.2 < 68 → not qualified
                bid("high", "t = 100\np = 100"), // 100
            ],
        );
        assert_eq!(order(&o), ["high", "both", "low", "exact"]);
        assert_eq!(find(&o, "high").status, "selected");
        assert_eq!(find(&o, "both").status, "qualified");
        assert_eq!(find(&o, "both").rank, Some(2));
        assert_eq!(find(&o, "low").status, "not-qualified");
        assert_eq!(find(&o, "low").rank, None);
        assert_eq!(find(&o, "exact").status, "not-qualified");
        // min_share without a section is a share of max_points.
        let c = tender("qualify = [ { min_share = 0.7 } ]", &body);
        let o = run(&c, &[bid("a", "t = 85\np = 0"), bid("b", "t = 85\np = 10")]);
        assert_eq!(find(&o, "a").status, "not-qualified");
        assert_eq!(find(&o, "b").status, "selected");
        // min_points on a section.
        let c = tender("qualify = [ { section = \"price\", min_points = 10 } ]", &body);
        let o = run(&c, &[bid("a", "t = 85\np = 49.99"), bid("b", "t = 0\np = 50")]);
        assert_eq!(find(&o, "a").status, "not-qualified");
        assert_eq!(find(&o, "b").status, "selected");
    }

    #[test]
    fn ties_share_competition_ranks() {
        let lin = "{ kind = \"linear\", zero_at = 0, full_at = 100 }";
        let body = crit("a", "50", "a", lin) + &crit("b", "50", "b", lin);
        let files = [
            bid("w", "a = 40\nb = 60"), // 50
            bid("x", "a = 80\nb = 80"), // 80
            bid("y", "a = 20\nb = 80"), // 50
            bid("v", "a = 60\nb = 40"), // 50
            bid("z", "a = 10\nb = 10"), // 10
        ];
        // No tie-break at all: shared ranks 1, 2, 2, 2, 5, tied listed by id.
        let c = tender("tie_break = []\n[award]\nwinners = \"all\"", &body);
        let o = run(&c, &files);
        assert_eq!(order(&o), ["x", "v", "w", "y", "z"]);
        let ranks: Vec<Option<u32>> = o.bids.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(2), Some(2), Some(5)]);
        assert!(o.bids.iter().all(|b| b.status == "selected" && b.award.as_deref() == Some("true")));

        // criterion:a breaks the 50s (v 30 > w 20 > y 10) → 1, 2, 3, 4, 5.
        let c = tender("tie_break = [\"criterion:a\"]", &body);
        let o = run(&c, &files);
        assert_eq!(order(&o), ["x", "v", "w", "y", "z"]);
        let ranks: Vec<Option<u32>> = o.bids.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(3), Some(4), Some(5)]);
        // criterion:b higher wins: y 40 > w 30 > v 20.
        let c = tender("tie_break = [\"criterion:b\", \"bidder\"]", &body);
        let o = run(&c, &files);
        assert_eq!(order(&o), ["x", "y", "w", "v", "z"]);
        assert_eq!(find(&o, "x").status, "selected");
        assert_eq!(find(&o, "y").status, "qualified");

        // The classic 1, 2, 2, 4 with a section tie-break that does not separate.
        let files4 = [bid("d", "a = 100\nb = 0"), bid("c", "a = 50\nb = 50"), bid("b", "a = 0\nb = 100"), bid("a", "a = 0\nb = 0")];
        let mut body2 = crit("a", "50", "a", lin);
        body2 += "[[section]]\nid = \"two\"\ntitle = \"Two\"\n\n";
        body2 += "[[criterion]]\nid = \"b\"\nsection = \"two\"\ntitle = \"b\"\npoints = 50\nfield = \"b\"\n\
                  rule = { kind = \"linear\", zero_at = 0, full_at = 100 }\n";
        let c = tender("tie_break = [\"section:s\"]", &body2);
        let files4b = [
            bid("d", "a = 100\nb = 100"), // 100
            bid("c", "a = 60\nb = 40"),   // 50, s 30
            bid("b", "a = 60\nb = 40"),   // 50, s 30
            bid("a", "a = 0\nb = 0"),     // 0
        ];
        let o = run(&c, &files4b);
        assert_eq!(order(&o), ["d", "b", "c", "a"]);
        let ranks: Vec<Option<u32>> = o.bids.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(2), Some(4)]);
        // The section tie-break separates d/b/c when their sections differ.
        let o = run(&c, &files4);
        // totals: d 50 (s 50), c 50 (s 25), b 50 (s 0), a 0
        assert_eq!(order(&o), ["d", "c", "b", "a"]);
        let ranks: Vec<Option<u32>> = o.bids.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(3), Some(4)]);
        // Default tie-break is ["bidder"]: lower id wins.
        let c = tender("", &body2);
        let o = run(&c, &files4);
        assert_eq!(order(&o), ["b", "c", "d", "a"]);
        let ranks: Vec<Option<u32>> = o.bids.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn award_with_quantity_skips_zero_grants() {
        let lin = "{ kind = \"linear\", zero_at = 0, full_at = 100 }";
        let c = tender("[award]\nwinners = 2\nquantity = { field = \"offer.gpus\", total = 100 }", &crit("q", "100", "x", lin));
        let o = run(
            &c,
            &[
                bid("a", "x = 90\n[offer]\ngpus = 60"),
                bid("b", "x = 80\n[offer]\ngpus = 0"),
                bid("c", "x = 70\n[offer]\ngpus = 50"),
                bid("d", "x = 60\n[offer]\ngpus = 30"),
            ],
        );
        assert_eq!(order(&o), ["a", "b", "c", "d"]);
        assert_eq!(find(&o, "a").award.as_deref(), Some("60"));
        assert_eq!(find(&o, "a").status, "selected");
        // b would get 0: not awarded, and it does not use up a winner's place.
        assert_eq!(find(&o, "b").award, None);
        assert_eq!(find(&o, "b").status, "qualified");
        assert_eq!(find(&o, "c").award.as_deref(), Some("40"));
        assert_eq!(find(&o, "c").status, "selected");
        // Two winners used up.
        assert_eq!(find(&o, "d").award, None);
        assert_eq!(find(&o, "d").status, "qualified");

        // winners = "all" with quantity: stops giving once the total is used.
        let c = tender("[award]\nwinners = \"all\"\nquantity = { field = \"offer.gpus\", total = 100 }", &crit("q", "100", "x", lin));
        let o = run(
            &c,
            &[bid("a", "x = 90\n[offer]\ngpus = 60"), bid("c", "x = 70\n[offer]\ngpus = 40"), bid("d", "x = 60\n[offer]\ngpus = 30")],
        );
        assert_eq!(find(&o, "a").award.as_deref(), Some("60"));
        assert_eq!(find(&o, "c").award.as_deref(), Some("40"));
        assert_eq!(find(&o, "d").award, None);
        assert_eq!(find(&o, "d").status, "qualified");

        // Default award: one winner, "true".
        let c = tender("", &crit("q", "100", "x", lin));
        let o = run(&c, &[bid("a", "x = 10"), bid("b", "x = 20")]);
        assert_eq!(order(&o), ["b", "a"]);
        assert_eq!(find(&o, "b").award.as_deref(), Some("true"));
        assert_eq!(find(&o, "a").award, None);
    }

    #[test]
    fn extensions_are_ignored_and_files_classified() {
        let c = "[tender]\nid = \"t\"\ntitle = \"T\"\nauthority = \"A\"\ncurrency = \"KRW\"\nnote = \"n\"\n\
                 [evaluation]\nmax_points = 10\n\
                 [[section]]\nid = \"s\"\ntitle = \"S\"\nnote = \"n\"\nsource = \"x\"\n\
                 [[criterion]]\nid = \"f\"\nsection = \"s\"\ntitle = \"F\"\npoints = 10\nfield = \"a.b\"\n\
                 source = \"x\"\nnote = \"y\"\nmissing = \"error\"\nrule = { kind = \"flag\" }\n";
        let b = "[bidder]\nid = \"a\"\nname = \"A\"\nnote = \"n\"\nsource = \"s\"\n[a]\nb = true\n\
                 [provenance.\"a.b\"]\nstatus = \"assumed\"\nrange = [0, 1]\n";
        let o = reference_score(c, &[b]).unwrap();
        assert_eq!(o.bids[0].total, "10.0000");
        assert_eq!(o.bids[0].criteria, [("f".to_string(), "10.0000".to_string())]);
        // A file that is neither a bid nor a panel is an error, as is a duplicate id.
        assert!(reference_score(c, &["[x]\ny = 1"]).is_err());
        assert!(reference_score(c, &[b, b]).is_err());
        // Order of bid files changes nothing.
        let b2 = "[bidder]\nid = \"b\"\nname = \"B\"\n[a]\nb = false\n";
        assert_eq!(reference_score(c, &[b, b2]).unwrap(), reference_score(c, &[b2, b]).unwrap());
    }
}
