//! Sentences: what the data of an outcome or an analysis says, in words. Every view takes
//! its prose from here, so the same fact reads the same in every report and format; a
//! program that wants the sentence for one fact calls the function here.

use rust_decimal::Decimal;

use crate::analysis::{DecidedBy, DropOneReason, Failed, NoPath, PanelNote, StabilityNote, Why};
use crate::diag::{Diagnostic, SourceFile, locate, plural};
use crate::evaluate::{Awarded, CriterionScore, GateVerdict, NoSelection, Tie, Warning};
use crate::model::{Gate, Require};
use crate::value::Scalar;

/// "`a`, `b`", or "none".
pub fn list(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { ticked(ids.iter().map(String::as_str)) }
}

/// "`a`, `b`".
pub fn ticked<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// `+2.5`, `-1`, `0`.
pub fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO { format!("+{d}") } else { d.to_string() }
}

/// `—`, `yes` or the quantity grouped.
pub fn award(a: Awarded) -> String {
    match a {
        Awarded::No => String::from("—"),
        Awarded::Yes => String::from("yes"),
        Awarded::Quantity(q) => super::doc::group(q),
    }
}

/// `✓` or `✗`.
pub fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// Why a criterion scored what it did.
pub fn reason(c: &CriterionScore<'_>) -> String {
    reason_text(c).to_string()
}

/// [`reason`] as a value that writes itself (a report of many cells writes each reason
/// straight into its output, never holding the text).
pub fn reason_text<'a>(c: &'a CriterionScore<'_>) -> impl std::fmt::Display + 'a {
    ReasonText(c)
}

struct ReasonText<'a>(&'a CriterionScore<'a>);

/// [`reason`] written into `o`.
pub(crate) fn write_reason<W: std::fmt::Write + ?Sized>(o: &mut W, c: &CriterionScore<'_>) -> std::fmt::Result {
    c.reason.render_into(o, c.value, &c.score)?;
    if c.saturated {
        o.write_str("; too large to represent, shown as the largest decimal")?;
    }
    Ok(())
}

impl std::fmt::Display for ReasonText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_reason(f, self.0)
    }
}

/// What a gate requires, in words.
fn condition(o: &mut std::fmt::Formatter<'_>, r: &Require) -> std::fmt::Result {
    match r {
        Require::Equals(want) => write!(o, "must equal `{want}`"),
        Require::OneOf(list) => {
            o.write_str("must be one of ")?;
            for (k, x) in list.iter().enumerate() {
                write!(o, "{}`{x}`", if k == 0 { "" } else { ", " })?;
            }
            Ok(())
        }
        Require::AtLeast(min) => write!(o, "must be at least `{min}`"),
        Require::AtMost(max) => write!(o, "must be at most `{max}`"),
        Require::NotAfter(d) => write!(o, "must be on or before `{d}`"),
    }
}

/// Why a gate passed or failed.
pub fn gate(g: &Gate, v: &GateVerdict) -> String {
    GateText(g, v).to_string()
}

/// [`gate`] as a value that writes itself, never holding the text.
pub(crate) struct GateText<'a>(pub(crate) &'a Gate, pub(crate) &'a GateVerdict);

impl std::fmt::Display for GateText<'_> {
    fn fmt(&self, o: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let GateText(g, v) = *self;
        let Some(value) = &v.value else {
            return write!(o, "no `{}` given; the gate fails when it is missing", g.field);
        };
        let fits = matches!(
            (&g.require, value),
            (Require::Equals(_) | Require::OneOf(_), _)
                | (Require::AtLeast(_) | Require::AtMost(_), Scalar::Number(_))
                | (Require::NotAfter(_), Scalar::Date(_))
        );
        let verdict = if v.passed { "passes" } else { "fails" };
        write!(o, "`{}` = `{value}` {verdict}: ", g.field)?;
        if fits { condition(o, &g.require) } else { o.write_str("has a value of the wrong type") }
    }
}

/// How a tie on the total was settled.
pub fn tie(t: &Tie) -> String {
    let mut names: Vec<String> = t.with.iter().take(5).map(|o| format!("`{o}`")).collect();
    if t.with.len() > 5 {
        names.push(format!("{} more", t.with.len().saturating_sub(5)));
    }
    let how = match &t.settled_by {
        Some(step) => format!("settled by `{step}`"),
        None => String::from("unresolved: the rank is shared"),
    };
    format!("tied on total with {}; {how}", names.join(", "))
}

/// A warning about the outcome.
pub fn warning(w: &Warning) -> String {
    match w {
        Warning::Unresolved { bidders, rank } => {
            format!("{} are tied after every tie-break and share rank {rank}", ticked(bidders.iter().map(String::as_str)))
        }
        Warning::AwardSplitsTie { awarded, passed_over, rank } => format!(
            "the award separates `{awarded}` and `{passed_over}`, which are tied at rank {rank}: report order (bidder id) decided it"
        ),
        Warning::Flat { criterion, points } => {
            format!("every bid scores {points} on criterion `{criterion}`: it does not separate the bids")
        }
        Warning::NoneSelected { why } => format!("no bid was selected: {}", no_selection(*why)),
        Warning::AbnormallyLow { bidder, check, excluded: false } => format!(
            "`{bidder}` is abnormally low by `{check}`: flagged for explanation (the authority must ask for one before rejecting it)"
        ),
        Warning::AbnormallyLow { bidder, check, excluded: true } => {
            format!("`{bidder}` is abnormally low by `{check}` and excluded: the award walks past it")
        }
        Warning::Unnegotiated { set_aside: false } => String::from(
            "the award is negotiated, but no negotiation record was given: the quantities shown are a rank-order fill of the offers",
        ),
        Warning::Unnegotiated { set_aside: true } => String::from(
            "the negotiation record is set aside (it was agreed on the published ranking, and another ranking would have been negotiated differently): the quantities shown are a rank-order fill of the offers",
        ),
    }
}

/// Why a tender selected no bid, in words.
pub fn no_selection(why: NoSelection) -> &'static str {
    match why {
        NoSelection::AllDisqualified => "every bid failed a gate",
        NoSelection::NoneQualified => "no bid that passed the gates met every qualification threshold",
        NoSelection::AllDeclined => "every ranked bid declined or withdrew in negotiation",
        NoSelection::AllExcluded => "every ranked bid was excluded as abnormally low, declined or withdrew",
        NoSelection::NothingToAward => {
            "bids qualified, but the award had nothing to give (a quantity of 0, every qualified bid offering 0 of it, or no winner's place)"
        }
    }
}

/// A warning about the inputs, located: `path:line:col: message [code]`.
pub fn input_warning(sources: &[SourceFile], d: &Diagnostic) -> String {
    format!("{}: {} [{}]", locate(sources, d), d.message, d.code)
}

/// Why `explain` compares with the bid it does.
pub fn why(w: Why) -> &'static str {
    match w {
        Why::Asked => "as asked",
        Why::LastSelected => "the last selected bid",
        Why::BestNotSelected => "the best bid that was not selected",
    }
}

/// Why the status orders two bids, not the points.
pub fn decided_by(d: &DecidedBy) -> String {
    let failed: Vec<String> = d
        .failed
        .iter()
        .map(|f| match f {
            Failed::Gate(id) => format!("gate `{id}`"),
            Failed::Threshold { scope, short_by } => format!("{scope} short by {}", short_by.display(4)),
        })
        .collect();
    let why = if failed.is_empty() { String::from("see its gates and thresholds") } else { failed.join("; ") };
    format!(
        "`{}` is {} and `{}` is {}: the status orders the two, not the points ({why})",
        d.worse,
        d.worse_status.as_str(),
        d.better,
        d.better_status.as_str()
    )
}

/// Why `path-to-win` shows no path.
pub fn no_path(bidder: &str, p: &NoPath) -> String {
    let closest = |c: &Option<(u32, crate::exact::Points)>| {
        c.map(|(r, t)| format!("; the closest it came was rank {r} with {t} points")).unwrap_or_default()
    };
    match p {
        NoPath::AlreadySelected => format!("`{bidder}` is already selected"),
        NoPath::ImpossibleGate { gate, field } => {
            format!("gate `{gate}` fails, and no value of `{field}` passes it together with every other gate on that field")
        }
        NoPath::NothingToImprove => {
            format!("no field of `{bidder}` can improve its score: every rule and gate it faces is already at its best")
        }
        NoPath::Stopped { evaluations, closest: c } => {
            format!("the search stopped after {evaluations} combinations without a path{}", closest(c))
        }
        NoPath::Unverified { found } => format!(
            "{} selected `{bidder}` on the published evaluation, but re-scoring the changed files confirmed none (please report this)",
            crate::diag::plural(*found, "combination")
        ),
        NoPath::NotFound { max_changes, values, fields, closest: c } => format!(
            "no combination of at most {max_changes} changes among {values} candidate values of {fields} fields makes `{bidder}` selected{}",
            closest(c)
        ),
    }
}

/// What qualifies a stability interval.
pub fn stability_note(n: &StabilityNote) -> String {
    match n {
        StabilityNote::NothingToRescale => String::from("the other criteria carry no points to rescale"),
        StabilityNote::Unrounded { unrounded, official } => format!(
            "on unrounded points the winners are {} here, not the official {}; the interval is for them",
            list(unrounded),
            list(official)
        ),
    }
}

/// What the panel analysis leaves out.
pub fn panel_note(n: &PanelNote) -> String {
    match n {
        PanelNote::NoMarks => String::from("the panel gave no marks, so there is no agreement to measure and no evaluator to leave out"),
        PanelNote::Unmatched { counts } => {
            let shown: Vec<String> = counts.iter().map(|(id, n)| format!("`{id}` {n}")).collect();
            format!(
                "the criteria have different numbers of marks ({}), so mark i is not the same evaluator on every criterion: \
                 no overall agreement and no drop-one check; name the evaluators (`evaluators = [...]`) to match them",
                shown.join(", ")
            )
        }
        PanelNote::LeftOut { bidders } => {
            format!("{} left out of the overall agreement: no marks on every panel criterion", ticked(bidders.iter().map(String::as_str)))
        }
    }
}

/// Why the winners without an evaluator could not be computed.
pub fn drop_one_reason(r: &DropOneReason) -> String {
    match r {
        DropOneReason::TooFewMarks { criterion, kept, trim } => format!(
            "without them `{criterion}` keeps {} and `trim = {trim}` needs at least {}",
            plural(*kept, "mark"),
            (*trim as usize).saturating_mul(2).saturating_add(1)
        ),
    }
}

/// Where the official (rounded) scoring puts a stability end that rounding moved.
pub fn official_end(o: crate::analysis::OfficialEnd) -> String {
    match o {
        crate::analysis::OfficialEnd::Inside(x) => format!("official scoring: winners already differ at {x} and up to the end"),
        crate::analysis::OfficialEnd::At(x) => format!("official scoring: winners change at {x}"),
        crate::analysis::OfficialEnd::Beyond(x) => format!("official scoring: same winners at least to {x}"),
    }
}

/// Why some stability ends carry an official end.
pub const OFFICIAL_ENDS: &str = "Where rounding moves an end, \"official scoring\" gives it as `bidscore whatif --points` scores it \
(points rounded to the tender's places, the others rescaled by largest remainder).";

/// The stability walk ran out of evaluations.
pub fn stability_stopped(limit: usize) -> String {
    format!(
        "The search stopped after {limit} evaluations (raise the limit with --max-evaluations); the intervals shown are exact so far: \
an end marked as stopped reaches at least that far, and what lies beyond it is not established."
    )
}

/// The award rule in a phrase: how the quantity is shared, capped and paid for.
pub fn award_rule(a: &crate::model::Award, q: &crate::model::Quantity) -> String {
    use crate::model::Allocation;
    let (verb, how) = match a.allocation {
        Allocation::RankOrder => ("fills", "in rank order"),
        Allocation::Proportional => ("shares", "in proportion to the offers"),
        Allocation::Negotiated => ("shares", "as agreed in negotiation"),
    };
    let mut s = format!("award {verb} {} of `{}` {how}", crate::report::doc::group(q.total), q.field);
    if let Some(cap) = a.cap() {
        s.push_str(&format!(", at most {} a bid", crate::report::doc::group(cap)));
    }
    if let Some(b) = &a.budget {
        s.push_str(&format!(", within a budget of {} at `{}` a unit", b.total, b.unit_price));
    }
    s
}

/// Whether the award agrees with the negotiation record, in one line.
pub fn negotiation_verdict(check: &crate::evaluate::NegotiationCheck, from_record: bool) -> String {
    let differ = check.rows.iter().filter(|r| !r.agrees).count();
    let departs = match check.departures.len() {
        0 => String::from("it follows the rules (rank order, the total, the caps and the budget)"),
        n => format!("it departs from the rules in {}", crate::diag::plural(n, "way")),
    };
    let above = match check.rows.iter().filter(|r| r.above_offer.is_some()).count() {
        0 => String::new(),
        1 => String::from("; 1 bid agreed more than it offered"),
        n => format!("; {n} bids agreed more than they offered"),
    };
    let departs = format!("{departs}{above}");
    match (from_record, differ) {
        (true, 0) if check.rows.iter().any(|r| matches!(r.award, crate::evaluate::Awarded::Quantity(_))) => {
            format!("The quantities are the negotiation record's, not computed; the record {}.", departs.trim_start_matches("it "))
        }
        (true, 0) => {
            format!("The award is the negotiation record's: the bids that agreed; the record {}.", departs.trim_start_matches("it "))
        }
        (true, n) => {
            format!("The award follows the record as far as the rules allow: {} differ; {departs}.", crate::diag::plural(n, "bid"))
        }
        (false, 0) => format!("The modelled award agrees with the negotiation record; {departs}."),
        (false, n) => {
            format!("The modelled award does not agree with the negotiation record: {} differ; {departs}.", crate::diag::plural(n, "bid"))
        }
    }
}

/// Whether the model reproduces the reported decision, in one line.
pub fn reported_verdict(rec: &crate::evaluate::Reconstruction) -> String {
    let differ: Vec<&str> = rec.rows.iter().filter(|r| !(r.same_status && r.same_quantity)).map(|r| r.bidder.as_str()).collect();
    if differ.is_empty() {
        String::from("The reconstruction reproduces the reported decision: every bid's status and quantity are as reported.")
    } else {
        format!(
            "The reconstruction does not reproduce the reported decision: {} of {} bids differ ({}).",
            differ.len(),
            rec.rows.len(),
            ticked(differ.iter().copied())
        )
    }
}

/// An abnormally low tender check's verdict on a bid, in words.
pub fn low_verdict(v: &crate::evaluate::LowVerdict) -> String {
    let value = v.value.map_or_else(|| String::from("—"), |x| format!("`{x}`"));
    match (&v.threshold, v.low) {
        (None, _) => format!("{value}: the check does not apply (too few bids to set its threshold)"),
        (Some(t), false) => format!("{value} is not below the threshold `{}`", t.display(4)),
        (Some(t), true) => {
            let how = if v.at_or_below { "at or below" } else { "below" };
            let then = match v.action {
                crate::model::LowAction::Flag => "flagged for explanation: the authority must ask before rejecting it",
                crate::model::LowAction::Exclude => "excluded: the award walks past it",
            };
            format!("{value} is {how} the threshold `{}`: {then}", t.display(4))
        }
    }
}
