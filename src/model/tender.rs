//! Criteria file → [`Tender`], reporting every problem in the file.

use rust_decimal::Decimal;

use super::{
    Award, Budget, Criterion, CriterionMissing, Departures, Differential, FieldPath, Gate, GateMissing, Lot, LowAction, LowCheck, LowRule,
    Minimum, Quantity, Require, Rounding, Scalar, Section, Tender, Threshold, TieBreak, ValueOrder,
};
use crate::diag::{Diagnostic, Span, all_of_list, did_you_mean, one_of_list};
use crate::exact::RoundingMode;
use crate::load::node::{Node, Table, Value};
use crate::load::reader::{
    Fields, Sink, as_array, as_count, as_date, as_number, as_str, as_table, bad_enum, check_id, duplicate, unknown_ref,
};
use crate::model::Allocation;
use crate::rules::{CriterionAt, InputKind, Rule};

const TOP: &[&str] = &["tender", "evaluation", "award", "section", "gate", "criterion", "abnormally_low", "lot"];
const LOT: &[&str] = &["id", "title", "quantity", "winners", "criteria", "note"];
const LOW: &[&str] = &["id", "title", "field", "rule", "action", "source", "note"];
const LOW_RULE: &[&str] = &["kind", "estimate", "share", "base", "wings", "min_bids"];
const TENDER: &[&str] = &["id", "title", "authority", "currency", "source", "note"];
const EVALUATION: &[&str] = &["max_points", "rounding", "qualify", "tie_break", "differential", "weight_order"];
const DIFFERENTIAL: &[&str] = &["section", "step"];
const ROUNDING: &[&str] = &["places", "mode"];
const QUALIFY: &[&str] = &["section", "min_share", "min_points"];
const AWARD: &[&str] = &["winners", "quantity", "allocation", "max_share", "max_quantity", "budget", "departures", "max_lots_per_bidder"];
const BUDGET: &[&str] = &["total", "unit_price"];
const QUANTITY: &[&str] = &["field", "total"];
const SECTION: &[&str] = &["id", "title", "note"];
const GATE: &[&str] = &["id", "title", "field", "require", "missing", "source", "note"];
const REQUIRE: &[&str] = &["equals", "one_of", "at_least", "at_most", "not_after"];
const CRITERION: &[&str] = &["id", "section", "title", "points", "points_range", "field", "rule", "missing", "source", "note"];

/// Points above this are refused, so that sums of points can never overflow a decimal.
pub(crate) const MAX_POINTS_LIMIT: i64 = 1_000_000_000;

/// Parse a criteria document.
pub(super) fn parse(doc: &Table, file: usize, sink: &mut Sink) -> Option<Tender> {
    let root = Fields::new(doc, Span::new(file, 0, 0), "the criteria file", TOP, sink);

    let (tt, tspan) = root.req_table("tender", sink)?;
    let tspan = root.key_span("tender").unwrap_or(tspan);
    let tf = Fields::new(tt, tspan, "`[tender]`", TENDER, sink);
    let id = tf.req_str("id", sink);
    if let Some((id, sp)) = &id {
        check_id(id, *sp, "tender", sink);
    }
    let title = tf.req_str("title", sink);
    let authority = tf.opt_text("authority", sink);
    let currency = tf.opt_text("currency", sink);
    let source = tf.opt_text("source", sink);
    let note = tf.opt_text("note", sink);

    let sections = parse_sections(&root, sink);
    let mut declared = Vec::new();
    let criteria = parse_criteria(&root, &sections, &mut declared, sink);
    let gates = parse_gates(&root, sink);
    let abnormally_low = parse_low(&root, sink);
    let lots = parse_lots(&root, &criteria, sink);

    let (max_points, rounding, qualify, tie_break, differential, weight_order) = match root.req_table("evaluation", sink) {
        Some((et, esp)) => {
            let esp = root.key_span("evaluation").unwrap_or(esp);
            parse_evaluation(et, esp, &root, &sections, &criteria, sink)
        }
        None => (None, Some(Rounding::default()), Some(Vec::new()), Some(vec![TieBreak::Bidder]), Some(None), Some(Vec::new())),
    };
    if let Some(q) = &qualify {
        check_qualified_references(&criteria, q, sink);
    }
    let award = match root.get("award") {
        Some(n) => as_table(n, "award", sink).and_then(|(t, sp)| parse_award(t, root.key_span("award").unwrap_or(sp), sink)),
        None => Some(Award::default()),
    };
    if let (Some(a), Some(n)) = (&award, root.get("award"))
        && a.max_lots.is_some()
        && lots.is_empty()
        && let Value::Table(at) = &n.value
        && let Some(e) = at.get("max_lots_per_bidder")
    {
        sink.push(
            Diagnostic::error("bad-lot", e.key_span, "`max_lots_per_bidder` limits lots, but the tender has no `[[lot]]`")
                .with_help("divide the tender into lots with `[[lot]]`, or remove `max_lots_per_bidder`"),
        );
    }
    if criteria.is_empty() && root.get("criterion").is_none() {
        sink.push(
            Diagnostic::error("no-criteria", tspan, "the tender has no `[[criterion]]`")
                .with_help("add at least one `[[criterion]]` table"),
        );
    }
    // A tender whose parts all parsed is returned even if something else is wrong with it
    // (points that do not add up, say), so the bids can still be checked against it: every
    // problem at once. The caller fails the run on any error in the sink.

    Some(Tender {
        id: id?.0,
        title: title?.0,
        authority,
        currency,
        source,
        note,
        max_points: max_points?,
        rounding: rounding?,
        qualify: qualify?,
        tie_break: tie_break?,
        differential: differential?,
        weight_order: weight_order?,
        award: award?,
        sections,
        gates,
        criteria,
        abnormally_low,
        lots,
        span: tspan,
        declared_criteria: declared,
    })
}

/// Tables of an array-of-tables key (`[[criterion]]`), each with its span.
fn array_tables<'a>(root: &Fields<'a>, key: &str, sink: &mut Sink) -> Vec<(&'a Table, Span)> {
    let Some(n) = root.get(key) else {
        return Vec::new();
    };
    let Some(items) = as_array(n, key, sink) else {
        return Vec::new();
    };
    items.iter().filter_map(|i| as_table(i, key, sink)).collect()
}

fn parse_sections(root: &Fields<'_>, sink: &mut Sink) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (t, sp) in array_tables(root, "section", sink) {
        let f = Fields::new(t, sp, "a `[[section]]`", SECTION, sink);
        let id = f.req_str("id", sink);
        let title = f.req_str("title", sink);
        let note = f.opt_text("note", sink);
        let (Some((id, isp)), Some((title, _))) = (id, title) else {
            continue;
        };
        // A bad id is reported but the section kept, so its criteria do not also fail.
        check_id(&id, isp, "section", sink);
        if let Some(prev) = out.iter().find(|s| s.id == id) {
            sink.push(duplicate("section", &id, isp, prev.span));
            continue;
        }
        out.push(Section { id: id.into(), title, note, span: isp });
    }
    out
}

fn parse_field(f: &Fields<'_>, sink: &mut Sink) -> Option<FieldPath> {
    let (s, sp) = f.req_str("field", sink)?;
    match FieldPath::parse(&s) {
        Some(p) => Some(p),
        None => {
            sink.push(
                Diagnostic::error("bad-field-path", sp, format!("`{s}` is not a field path"))
                    .with_help("write a dotted path into the bid file such as `offer.gpus` (no empty parts, no `=`)"),
            );
            None
        }
    }
}

fn parse_criteria(root: &Fields<'_>, sections: &[Section], declared: &mut Vec<String>, sink: &mut Sink) -> Vec<Criterion> {
    let mut out: Vec<Criterion> = Vec::new();
    for (t, sp) in array_tables(root, "criterion", sink) {
        let f = Fields::new(t, sp, "a `[[criterion]]`", CRITERION, sink);
        let mut duplicated = false;
        let id = f.req_str("id", sink);
        let owner = id.as_ref().map_or("?", |(s, _)| s.as_str()).to_owned();
        let name = format!("criterion `{owner}`");
        if let Some((id, isp)) = &id {
            check_id(id, *isp, "criterion", sink);
            if let Some(prev) = out.iter().find(|c| &c.id == id) {
                sink.push(duplicate("criterion", id, *isp, prev.span));
                duplicated = true;
            }
            declared.push(id.clone());
        }
        let section = f.req_str("section", sink);
        if let Some((s, ssp)) = &section
            && !sections.iter().any(|x| &x.id == s)
        {
            sink.push(unknown_ref("section", s, *ssp, sections.iter().map(|x| x.id.as_str())));
        }
        let title = f.req_str("title", sink);
        let points = f.req_number("points", sink);
        if let Some((p, psp)) = points {
            check_points(p, psp, &name, sink);
        }
        let points_range = match (f.get("points_range"), points) {
            (None, _) => Some(None),
            (Some(n), p) => parse_points_range(n, p.map(|x| x.0), &name, sink).map(Some),
        };
        let rule = f.req_table("rule", sink).and_then(|(rt, rsp)| Rule::parse(rt, rsp, &owner, sink));
        // Whether the rule *says* panel, even if its parameters are wrong: then no `field`.
        let says_panel = rule.as_ref().is_some_and(|r| r.input() == InputKind::Marks)
            || t.get("rule")
                .and_then(|e| if let Value::Table(rt) = &e.node.value { rt.get("kind") } else { None })
                .is_some_and(|k| matches!(&k.node.value, Value::String(s) if Rule::input_of(s) == Some(InputKind::Marks)));
        let field = match (says_panel, f.get("field")) {
            (true, Some(_)) => {
                let fsp = f.key_span("field").unwrap_or(sp);
                sink.push(
                    Diagnostic::error("panel-with-field", fsp, format!("{name} is scored by the panel and reads no bid field"))
                        .with_help("remove `field`; the marks come from the panel file"),
                );
                None
            }
            (true, None) => None,
            (false, _) => parse_field(&f, sink),
        };
        if let (Some(r), Some((points, points_span))) = (&rule, points) {
            r.check_criterion(&CriterionAt { name: &name, points, points_span }, sink);
        }
        let missing = match f.opt_str("missing", sink) {
            None => Some(CriterionMissing::Error),
            Some((m, _)) if m == "error" => Some(CriterionMissing::Error),
            Some((m, _)) if m == "zero" => Some(CriterionMissing::Zero),
            Some((m, msp)) => {
                sink.push(bad_enum("missing", &m, msp, &["error", "zero"]));
                None
            }
        };
        let source = f.opt_text("source", sink);
        let note = f.opt_text("note", sink);
        // A criterion whose parts all parsed is kept even if something about it is wrong
        // (an unknown section, a bad id), so the bids are still checked against it; the run
        // fails on the error anyway. A duplicate is dropped.
        let (Some((id, isp)), Some((section, _)), Some((title, _)), Some((points, _)), Some(rule), Some(missing), false) =
            (id, section, title, points, rule, missing, duplicated)
        else {
            continue;
        };
        out.push(Criterion {
            id,
            section,
            title,
            points,
            points_range: points_range.flatten(),
            field,
            rule,
            missing,
            source,
            note,
            span: isp,
        });
    }
    out
}

fn check_points(p: Decimal, sp: Span, name: &str, sink: &mut Sink) {
    if p < Decimal::ZERO || p > Decimal::from(MAX_POINTS_LIMIT) {
        sink.push(
            Diagnostic::error("bad-points", sp, format!("{name} has `{p}` points"))
                .with_help(format!("points must be from 0 to {MAX_POINTS_LIMIT}")),
        );
    }
}

fn parse_lots(root: &Fields<'_>, criteria: &[Criterion], sink: &mut Sink) -> Vec<Lot> {
    let mut out: Vec<Lot> = Vec::new();
    for (t, sp) in array_tables(root, "lot", sink) {
        let f = Fields::new(t, sp, "a `[[lot]]`", LOT, sink);
        let before = sink.len();
        let id = f.req_str("id", sink);
        if let Some((id, isp)) = &id {
            check_id(id, *isp, "lot", sink);
            if let Some(prev) = out.iter().find(|l| &l.id == id) {
                sink.push(duplicate("lot", id, *isp, prev.span));
            }
        }
        let title = f.req_str("title", sink);
        let quantity = f.get("quantity").and_then(|n| as_count(n, "quantity", sink)).map(|q| q.0);
        let winners = match f.get("winners") {
            None => Some(None),
            Some(n) => parse_winners(n, sink).map(Some),
        };
        let subset = match f.get("criteria") {
            None => Some(None),
            Some(n) => as_array(n, "criteria", sink).map(|items| {
                let mut ids = Vec::new();
                for i in items {
                    let Some((c, csp)) = as_str(i, "criteria", sink) else { continue };
                    if criteria.iter().any(|x| x.id == c) {
                        ids.push(c.to_owned());
                    } else {
                        sink.push(unknown_ref("criterion", c, csp, criteria.iter().map(|x| x.id.as_str())));
                    }
                }
                if ids.is_empty() && items.is_empty() {
                    sink.push(
                        Diagnostic::error("bad-lot", n.span, "the lot is evaluated on no criterion")
                            .with_help("list the lot's criteria, or remove `criteria` to evaluate it on every criterion"),
                    );
                }
                // In the tender's order, whatever the order written.
                let ordered: Vec<String> = criteria.iter().filter(|c| ids.contains(&c.id)).map(|c| c.id.clone()).collect();
                Some(ordered)
            }),
        };
        let _ = f.opt_text("note", sink);
        if sink.len() > before {
            continue;
        }
        let (Some((id, isp)), Some((title, _)), Some(winners), Some(criteria)) = (id, title, winners, subset) else { continue };
        out.push(Lot { id, title, quantity, winners, criteria, span: isp });
    }
    out
}

fn parse_low(root: &Fields<'_>, sink: &mut Sink) -> Vec<LowCheck> {
    let mut out: Vec<LowCheck> = Vec::new();
    for (t, sp) in array_tables(root, "abnormally_low", sink) {
        let f = Fields::new(t, sp, "an `[[abnormally_low]]`", LOW, sink);
        let before = sink.len();
        let id = f.req_str("id", sink);
        if let Some((id, isp)) = &id {
            check_id(id, *isp, "abnormally-low check", sink);
            if let Some(prev) = out.iter().find(|g| &g.id == id) {
                sink.push(duplicate("abnormally-low check", id, *isp, prev.span));
            }
        }
        let title = f.req_str("title", sink);
        let field = parse_field(&f, sink);
        let rule = f.req_table("rule", sink).and_then(|(rt, rsp)| parse_low_rule(rt, rsp, sink));
        let action = match f.req_str("action", sink) {
            None => None,
            Some((a, _)) if a == "flag" => Some(LowAction::Flag),
            Some((a, _)) if a == "exclude" => Some(LowAction::Exclude),
            Some((a, asp)) => {
                sink.push(bad_enum("action", &a, asp, &["flag", "exclude"]));
                None
            }
        };
        let source = f.opt_text("source", sink);
        let note = f.opt_text("note", sink);
        if sink.len() > before {
            continue;
        }
        let (Some((id, isp)), Some((title, _)), Some(field), Some(rule), Some(action)) = (id, title, field, rule, action) else {
            continue;
        };
        out.push(LowCheck { id: id.into(), title, field, rule, action, source, note, span: isp });
    }
    out
}

fn parse_low_rule(t: &Table, sp: Span, sink: &mut Sink) -> Option<LowRule> {
    let f = Fields::new(t, sp, "an abnormally-low `rule`", LOW_RULE, sink);
    let (kind, ksp) = f.req_str("kind", sink)?;
    let share = |sink: &mut Sink| {
        f.req_number("share", sink).and_then(|(s, ssp)| {
            if s > Decimal::ZERO && s <= Decimal::ONE {
                Some(s)
            } else {
                sink.push(
                    Diagnostic::error("bad-low-rule", ssp, format!("`share` is `{s}`, outside (0, 1]"))
                        .with_help("write the share below which a price is abnormally low, above 0 and at most 1 (0.8 for 80%)"),
                );
                None
            }
        })
    };
    let positive = |key: &str, sink: &mut Sink| {
        f.req_number(key, sink).and_then(|(v, vsp)| {
            if v > Decimal::ZERO {
                Some(v)
            } else {
                sink.push(
                    Diagnostic::error("bad-low-rule", vsp, format!("`{key}` is `{v}`, not above 0"))
                        .with_help(format!("`{key}` is a price: above 0")),
                );
                None
            }
        })
    };
    let used: &[&str] = match kind.as_str() {
        "share-of-estimate" => &["kind", "estimate", "share"],
        "share-of-mean" => &["kind", "share"],
        "wing-trimmed" => &["kind", "base", "wings", "min_bids"],
        _ => {
            sink.push(bad_enum("kind", &kind, ksp, &["share-of-estimate", "share-of-mean", "wing-trimmed"]));
            return None;
        }
    };
    for e in &t.entries {
        if LOW_RULE.contains(&&*e.key) && !used.contains(&&*e.key) {
            sink.push(
                Diagnostic::error("bad-low-rule", e.key_span, format!("`{}` does not belong to a `{kind}` rule", e.key))
                    .with_help(format!("a `{kind}` rule takes {}", all_of_list(used.iter().skip(1).copied()))),
            );
        }
    }
    match kind.as_str() {
        "share-of-estimate" => {
            let estimate = positive("estimate", sink);
            let share = share(sink);
            Some(LowRule::ShareOfEstimate { estimate: estimate?, share: share? })
        }
        "share-of-mean" => Some(LowRule::ShareOfMean { share: share(sink)? }),
        _ => {
            let base = positive("base", sink);
            let wings = match f.get("wings") {
                None => Some(Decimal::new(1, 1)),
                Some(n) => as_number(n, "wings", sink).and_then(|(w, wsp)| {
                    if w >= Decimal::ZERO && w < Decimal::new(5, 1) {
                        Some(w)
                    } else {
                        sink.push(
                            Diagnostic::error("bad-low-rule", wsp, format!("`wings` is `{w}`, outside [0, 0.5)"))
                                .with_help("write the share set aside at each end, from 0 to below 0.5 (0.1 for 10%)"),
                        );
                        None
                    }
                }),
            };
            let min_bids = match f.get("min_bids") {
                None => Some(5),
                Some(n) => as_count(n, "min_bids", sink).and_then(|(m, msp)| {
                    if m >= 1 {
                        Some(m)
                    } else {
                        sink.push(
                            Diagnostic::error("bad-low-rule", msp, "`min_bids` is `0`, below 1")
                                .with_help("write the fewest bids the threshold is taken over (5 is usual)"),
                        );
                        None
                    }
                }),
            };
            Some(LowRule::WingTrimmed { base: base?, wings: wings?, min_bids: min_bids? })
        }
    }
}

fn parse_gates(root: &Fields<'_>, sink: &mut Sink) -> Vec<Gate> {
    let mut out: Vec<Gate> = Vec::new();
    for (t, sp) in array_tables(root, "gate", sink) {
        let f = Fields::new(t, sp, "a `[[gate]]`", GATE, sink);
        let before = sink.len();
        let id = f.req_str("id", sink);
        if let Some((id, isp)) = &id {
            check_id(id, *isp, "gate", sink);
            if let Some(prev) = out.iter().find(|g| &g.id == id) {
                sink.push(duplicate("gate", id, *isp, prev.span));
            }
        }
        let title = f.req_str("title", sink);
        let field = parse_field(&f, sink);
        let require = f.req_table("require", sink).and_then(|(rt, rsp)| parse_require(rt, rsp, sink));
        let missing = match f.opt_str("missing", sink) {
            None => Some(GateMissing::Error),
            Some((m, _)) if m == "error" => Some(GateMissing::Error),
            Some((m, _)) if m == "fail" => Some(GateMissing::Fail),
            Some((m, msp)) => {
                sink.push(bad_enum("missing", &m, msp, &["error", "fail"]));
                None
            }
        };
        let source = f.opt_text("source", sink);
        let note = f.opt_text("note", sink);
        if sink.len() > before {
            continue;
        }
        let (Some((id, isp)), Some((title, _)), Some(field), Some(require), Some(missing)) = (id, title, field, require, missing) else {
            continue;
        };
        out.push(Gate { id: id.into(), title, field, require, missing, source, note, span: isp });
    }
    out
}

/// `points_range = [low, high]`: where a criterion's weight may lie (a weighting published
/// as a range, EU Directive 2014/24 Art. 67(5)), for `robustness --weights declared`.
fn parse_points_range(n: &Node, points: Option<Decimal>, name: &str, sink: &mut Sink) -> Option<(Decimal, Decimal)> {
    let items = as_array(n, "points_range", sink)?;
    let [lo, hi] = items else {
        sink.push(
            Diagnostic::error(
                "bad-points-range",
                n.span,
                format!("`points_range` of {name} has {}; it needs two, low and high", crate::diag::plural(items.len(), "value")),
            )
            .with_help("write `points_range = [low, high]`"),
        );
        return None;
    };
    let (lo, hi) = (as_number(lo, "points_range", sink)?.0, as_number(hi, "points_range", sink)?.0);
    let problem = if lo < Decimal::ZERO {
        Some(format!("`points_range` of {name} starts below 0 (`{lo}`)"))
    } else if lo > hi {
        Some(format!("`points_range` of {name} runs backwards: `{lo}` is above `{hi}`"))
    } else {
        points.filter(|p| *p < lo || *p > hi).map(|p| format!("{name} is worth `{p}` points, outside its `points_range` [`{lo}`, `{hi}`]"))
    };
    if let Some(message) = problem {
        sink.push(
            Diagnostic::error("bad-points-range", n.span, message)
                .with_help("write `points_range = [low, high]`, from 0 up, holding the criterion's `points`"),
        );
        return None;
    }
    Some((lo, hi))
}

/// `weight_order = [...]`: criteria by importance, most important first, for `robustness
/// --weights declared` (weights that never rise along the list). The published points must
/// keep the order.
fn parse_weight_order(n: &Node, criteria: &[Criterion], sink: &mut Sink) -> Option<Vec<String>> {
    let items = as_array(n, "weight_order", sink)?;
    let mut out: Vec<(String, Span)> = Vec::new();
    let mut ok = true;
    for i in items {
        let Some((id, sp)) = as_str(i, "weight_order", sink) else {
            ok = false;
            continue;
        };
        if !criteria.iter().any(|c| c.id == id) {
            sink.push(unknown_ref("criterion", id, sp, criteria.iter().map(|c| c.id.as_str())));
            ok = false;
        } else if let Some((_, prev)) = out.iter().find(|(x, _)| *x == id) {
            sink.push(duplicate("criterion in `weight_order`", id, sp, *prev));
            ok = false;
        } else {
            out.push((id.to_owned(), sp));
        }
    }
    let points = |id: &str| criteria.iter().find(|c| c.id == id).map(|c| c.points);
    for pair in out.windows(2) {
        let [(a, _), (b, sb)] = pair else { continue };
        if let (Some(pa), Some(pb)) = (points(a), points(b))
            && pb > pa
        {
            sink.push(
                Diagnostic::error(
                    "weight-order-broken",
                    *sb,
                    format!("`{b}` ({pb} points) is listed after `{a}` ({pa} points) in `weight_order`"),
                )
                .with_help("list the criteria most important first: the published points must not rise along the list"),
            );
            ok = false;
        }
    }
    ok.then(|| out.into_iter().map(|(id, _)| id).collect())
}

/// A scalar for `equals` / `one_of`.
fn scalar(n: &Node, key: &str, sink: &mut Sink) -> Option<Scalar> {
    match &n.value {
        Value::String(s) => Some(Scalar::Text(s.clone())),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Integer { .. } | Value::Float(_) => as_number(n, key, sink).map(|(d, _)| Scalar::Number(d)),
        Value::Datetime(_) => as_date(n, key, sink).map(|(d, _)| Scalar::Date(d)),
        _ => {
            sink.push(
                Diagnostic::error(
                    "wrong-type",
                    n.span,
                    format!("expected a string, boolean, number or date for `{key}`, found {}", n.value.type_name()),
                )
                .with_help("a gate compares one plain value"),
            );
            None
        }
    }
}

fn parse_require(t: &Table, sp: Span, sink: &mut Sink) -> Option<Require> {
    let f = Fields::new(t, sp, "`require`", REQUIRE, sink);
    let present: Vec<&str> = REQUIRE.iter().copied().filter(|k| f.get(k).is_some()).collect();
    match present.as_slice() {
        [key] => {
            let n = f.get(key)?;
            match *key {
                "equals" => scalar(n, key, sink).map(Require::Equals),
                "one_of" => {
                    let items = as_array(n, key, sink)?;
                    if items.is_empty() {
                        sink.push(
                            Diagnostic::error("empty-one-of", n.span, "`one_of` lists no values")
                                .with_help("list the accepted values: `one_of = [\"a\", \"b\"]`"),
                        );
                        return None;
                    }
                    let vals: Vec<Option<Scalar>> = items.iter().map(|i| scalar(i, key, sink)).collect();
                    let vals: Option<Vec<Scalar>> = vals.into_iter().collect();
                    let vals = vals?;
                    if let Some(first) = vals.first()
                        && vals.iter().any(|v| std::mem::discriminant(v) != std::mem::discriminant(first))
                    {
                        sink.push(
                            Diagnostic::error("mixed-types", n.span, "`one_of` mixes values of different types")
                                .with_help("list values of one type"),
                        );
                        return None;
                    }
                    Some(Require::OneOf(vals))
                }
                "at_least" => as_number(n, key, sink).map(|(d, _)| Require::AtLeast(d)),
                "at_most" => as_number(n, key, sink).map(|(d, _)| Require::AtMost(d)),
                _ => as_date(n, key, sink).map(|(d, _)| Require::NotAfter(d)),
            }
        }
        [] => {
            sink.push(
                Diagnostic::error("gate-form", sp, "`require` has no condition")
                    .with_help(format!("write one of {}", one_of_list(REQUIRE.iter().copied()))),
            );
            None
        }
        _ => {
            sink.push(
                Diagnostic::error(
                    "gate-form",
                    sp,
                    format!("`require` has {} conditions: {}", present.len(), all_of_list(present.iter().copied())),
                )
                .with_help("a gate checks one condition; write a second gate for another"),
            );
            None
        }
    }
}

type EvalParts =
    (Option<Decimal>, Option<Rounding>, Option<Vec<Threshold>>, Option<Vec<TieBreak>>, Option<Option<Differential>>, Option<Vec<String>>);

fn parse_evaluation(t: &Table, sp: Span, t_root: &Fields<'_>, sections: &[Section], criteria: &[Criterion], sink: &mut Sink) -> EvalParts {
    let f = Fields::new(t, sp, "`[evaluation]`", EVALUATION, sink);
    let max_points = f.req_number("max_points", sink).and_then(|(m, msp)| {
        if m <= Decimal::ZERO || m > Decimal::from(MAX_POINTS_LIMIT) {
            sink.push(
                Diagnostic::error("bad-points", msp, format!("`max_points` is `{m}`"))
                    .with_help(format!("`max_points` must be above 0 and at most {MAX_POINTS_LIMIT}")),
            );
            return None;
        }
        // Only when every criterion's points could be read: a criterion that failed for
        // another reason must not also make the sum look wrong.
        let sum = points_sum(t_root);
        if let Some(sum) = sum.filter(|s| *s != m) {
            // Both are bounded (each criterion's points and `max_points` at most
            // MAX_POINTS_LIMIT); a difference that did not fit would only lose its amount.
            let (word, by) = if sum > m { ("over", sum.checked_sub(m)) } else { ("short", m.checked_sub(sum)) };
            let by = by.unwrap_or(Decimal::MAX);
            sink.push(
                Diagnostic::error("points-mismatch", msp, format!("the criteria's points add up to `{sum}`, not `{m}` ({word} by `{by}`)"))
                    .with_label(format!("the criteria add up to {sum}"))
                    .with_help("make the `points` of the criteria add up to `max_points`, or change `max_points`"),
            );
        }
        Some(m)
    });
    let rounding = match f.get("rounding") {
        None => Some(Rounding::default()),
        Some(n) => as_table(n, "rounding", sink).and_then(|(rt, rsp)| parse_rounding(rt, rsp, sink)),
    };
    // Points finer than the rounding could round above themselves (19.5 at 0 places → 20).
    if let Some(r) = rounding {
        for c in criteria {
            let range_fine = c.points_range.is_some_and(|(lo, hi)| lo.normalize().scale() > r.places || hi.normalize().scale() > r.places);
            if range_fine {
                sink.push(
                    Diagnostic::error(
                        "points-finer-than-rounding",
                        c.span,
                        format!("the `points_range` of criterion `{}` is finer than the {} decimal places kept", c.id, r.places),
                    )
                    .with_help(format!("round the range to {} places", r.places)),
                );
            }
            if c.points.normalize().scale() > r.places {
                sink.push(
                    Diagnostic::error(
                        "points-finer-than-rounding",
                        c.span,
                        format!("criterion `{}` is worth `{}` points, finer than the {} decimal places kept", c.id, c.points, r.places),
                    )
                    .with_help(format!("round the points to {} places, or keep more places in `rounding`", r.places)),
                );
            }
        }
    }
    let qualify = match f.get("qualify") {
        None => Some(Vec::new()),
        Some(n) => as_array(n, "qualify", sink).and_then(|items| {
            let parsed: Vec<Option<Threshold>> = items
                .iter()
                .map(|i| {
                    as_table(i, "qualify", sink)
                        .and_then(|(qt, qsp)| parse_threshold(qt, qsp, sections, criteria, max_points_hint(t), sink))
                })
                .collect();
            parsed.into_iter().collect()
        }),
    };
    let tie_break = match f.get("tie_break") {
        None => Some(vec![TieBreak::Bidder]),
        Some(n) => as_array(n, "tie_break", sink).and_then(|items| {
            let parsed: Vec<Option<TieBreak>> = items.iter().map(|i| parse_tie_break(i, sections, criteria, sink)).collect();
            // Nothing after a lottery can be reached: it leaves no tie.
            if let Some(k) = parsed.iter().position(|t| matches!(t, Some(TieBreak::Lottery { .. })))
                && let Some(after) = items.get(k.saturating_add(1))
            {
                sink.push(
                    Diagnostic::error("bad-tie-break", after.span, "a tie-break after the lottery is never reached")
                        .with_help("make `lottery:<seed>` the last tie-break"),
                );
            }
            parsed.into_iter().collect()
        }),
    };
    let differential = match f.get("differential") {
        None => Some(None),
        Some(n) => as_table(n, "differential", sink)
            .and_then(|(dt, dsp)| parse_differential(dt, f.key_span("differential").unwrap_or(dsp), sections, rounding, sink))
            .map(Some),
    };
    let weight_order = match f.get("weight_order") {
        None => Some(Vec::new()),
        Some(n) => parse_weight_order(n, criteria, sink),
    };
    (max_points, rounding, qualify, tie_break, differential, weight_order)
}

fn parse_differential(t: &Table, sp: Span, sections: &[Section], rounding: Option<Rounding>, sink: &mut Sink) -> Option<Differential> {
    let f = Fields::new(t, sp, "`differential`", DIFFERENTIAL, sink);
    let section = f.req_str("section", sink);
    let step = f.req_number("step", sink);
    let (section, ssp) = section?;
    let mut ok = true;
    if !sections.iter().any(|x| x.id == section) {
        sink.push(unknown_ref("section", &section, ssp, sections.iter().map(|x| x.id.as_str())));
        ok = false;
    }
    let (step, stsp) = step?;
    if step <= Decimal::ZERO || step > Decimal::from(3) {
        sink.push(
            Diagnostic::error("bad-differential-step", stsp, format!("`step` is `{step}`, outside (0, 3]"))
                .with_help("차등점수제 takes away at most 3 points per rank: write a step such as `1.5`"),
        );
        ok = false;
    } else if let Some(r) = rounding
        && step.normalize().scale() > r.places
    {
        sink.push(
            Diagnostic::error(
                "bad-differential-step",
                stsp,
                format!("`step` is `{step}`, finer than the {} decimal places kept", r.places),
            )
            .with_help(format!("round the step to {} places, or keep more places in `rounding`", r.places)),
        );
        ok = false;
    }
    ok.then_some(Differential { section, step, span: sp })
}

/// A `relative` or `kr-price` rule with `among = "qualified"` takes its reference from the
/// qualified bids, so qualification must not depend on it: every threshold must be on a
/// section that holds no such criterion.
fn check_qualified_references(criteria: &[Criterion], qualify: &[Threshold], sink: &mut Sink) {
    for c in criteria.iter().filter(|c| c.rule.among() == Some(crate::rules::Among::Qualified)) {
        let blocking: Vec<&Threshold> = qualify.iter().filter(|q| q.section.as_ref().is_none_or(|s| *s == c.section)).collect();
        for q in blocking {
            let scope = q.section.as_ref().map_or_else(|| String::from("the total"), |s| format!("section `{s}`"));
            sink.push(
                Diagnostic::error(
                    "qualified-reference-cycle",
                    q.span,
                    format!(
                        "criterion `{}` compares against the qualified bids, but this threshold on {scope} depends on its points",
                        c.id
                    ),
                )
                .with_secondary(c.span, "the criterion is here")
                .with_help(
                    "put the threshold on a section without that criterion (such as the technical section), or use `among = \"eligible\"`",
                ),
            );
        }
    }
}

fn max_points_hint(t: &Table) -> Option<Decimal> {
    let n = &t.get("max_points")?.node;
    let mut scratch = Vec::new();
    as_number(n, "max_points", &mut scratch).map(|(d, _)| d)
}

fn parse_rounding(t: &Table, sp: Span, sink: &mut Sink) -> Option<Rounding> {
    let f = Fields::new(t, sp, "`rounding`", ROUNDING, sink);
    let places = match f.get("places") {
        None => Some(4),
        Some(n) => as_count(n, "places", sink).and_then(|(p, psp)| {
            if p > 6 {
                sink.push(
                    Diagnostic::error("bad-places", psp, format!("`places` is `{p}`; at most 6 decimal places are supported"))
                        .with_help("write a whole number from 0 to 6"),
                );
                None
            } else {
                u32::try_from(p).ok()
            }
        }),
    };
    let mode = match f.opt_str("mode", sink) {
        None => Some(RoundingMode::HalfUp),
        Some((m, msp)) => match m.as_str() {
            "half-up" => Some(RoundingMode::HalfUp),
            "half-even" => Some(RoundingMode::HalfEven),
            "down" => Some(RoundingMode::Down),
            other => {
                sink.push(bad_enum("mode", other, msp, &["half-up", "half-even", "down"]));
                None
            }
        },
    };
    Some(Rounding { places: places?, mode: mode? })
}

fn parse_threshold(
    t: &Table,
    sp: Span,
    sections: &[Section],
    criteria: &[Criterion],
    max_points: Option<Decimal>,
    sink: &mut Sink,
) -> Option<Threshold> {
    let f = Fields::new(t, sp, "a `qualify` threshold", QUALIFY, sink);
    let section = f.opt_str("section", sink);
    if let Some((s, ssp)) = &section
        && !sections.iter().any(|x| &x.id == s)
    {
        sink.push(unknown_ref("section", s, *ssp, sections.iter().map(|x| x.id.as_str())));
        return None;
    }
    let scope_max = match &section {
        Some((s, _)) => Some(criteria.iter().filter(|c| &c.section == s).map(|c| c.points).sum()),
        None => max_points,
    };
    let min = match (f.opt_number("min_share", sink), f.opt_number("min_points", sink)) {
        (Some((s, ssp)), None) => {
            if s <= Decimal::ZERO || s > Decimal::ONE {
                sink.push(
                    Diagnostic::error("bad-threshold", ssp, format!("`min_share` is `{s}`, outside (0, 1]"))
                        .with_help("write a share such as `0.85` for 85%"),
                );
                return None;
            }
            Minimum::Share(s)
        }
        (None, Some((p, psp))) => {
            if p < Decimal::ZERO {
                sink.push(
                    Diagnostic::error("bad-threshold", psp, format!("`min_points` is `{p}`, below 0"))
                        .with_help("a threshold is the least number of points a bid needs: write 0 or more"),
                );
                return None;
            }
            if let Some(m) = scope_max.filter(|m| p > *m) {
                sink.push(
                    Diagnostic::error("bad-threshold", psp, format!("`min_points` is `{p}`, but at most `{m}` points can be scored there"))
                        .with_help("no bid could qualify; lower the threshold"),
                );
                return None;
            }
            Minimum::Points(p)
        }
        (None, None) if f.get("min_share").is_none() && f.get("min_points").is_none() => {
            sink.push(
                Diagnostic::error("bad-threshold", sp, "a threshold needs `min_share` or `min_points`")
                    .with_help("write `{ section = \"technical\", min_share = 0.85 }`"),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            sink.push(
                Diagnostic::error("bad-threshold", sp, "a threshold has both `min_share` and `min_points`")
                    .with_help("keep one; write a second threshold for the other"),
            );
            return None;
        }
        _ => return None,
    };
    Some(Threshold { section: section.map(|s| crate::value::Str::from(s.0)), min, span: sp })
}

const TIE_BREAKS: &str = "write `section:<id>`, `criterion:<id>`, `lower:<field>`, `higher:<field>`, `earlier:<field>`, `later:<field>`, `bidder` or `lottery:<seed>`";

fn parse_tie_break(n: &Node, sections: &[Section], criteria: &[Criterion], sink: &mut Sink) -> Option<TieBreak> {
    let (s, sp) = as_str(n, "tie_break", sink)?;
    if s == "bidder" {
        return Some(TieBreak::Bidder);
    }
    if let Some(id) = s.strip_prefix("section:") {
        if sections.iter().any(|x| x.id == id) {
            return Some(TieBreak::Section(id.to_owned()));
        }
        sink.push(unknown_ref("section", id, sp, sections.iter().map(|x| x.id.as_str())));
        return None;
    }
    if let Some(id) = s.strip_prefix("criterion:") {
        if criteria.iter().any(|x| x.id == id) {
            return Some(TieBreak::Criterion(id.to_owned()));
        }
        sink.push(unknown_ref("criterion", id, sp, criteria.iter().map(|x| x.id.as_str())));
        return None;
    }
    if let Some(seed) = s.strip_prefix("lottery:") {
        if seed.is_empty() {
            sink.push(
                Diagnostic::error("bad-tie-break", sp, "the lottery has no seed")
                    .with_help("write `lottery:<seed>`: the seed, recorded in the criteria, lets anyone replay the draw"),
            );
            return None;
        }
        return match seed.parse::<u64>() {
            Ok(seed) => Some(TieBreak::Lottery { seed }),
            Err(_) => {
                sink.push(
                    Diagnostic::error("bad-tie-break", sp, format!("`{seed}` is not a lottery seed")).with_help(
                        "write `lottery:<seed>` with a whole number from 0 to 18446744073709551615, drawn and recorded in public",
                    ),
                );
                None
            }
        };
    }
    if s == "lottery" {
        sink.push(
            Diagnostic::error("bad-tie-break", sp, "the lottery has no seed")
                .with_help("write `lottery:<seed>`: the seed, recorded in the criteria, lets anyone replay the draw"),
        );
        return None;
    }
    if let Some((prefix, path)) = s.split_once(':')
        && let Some(order) = ValueOrder::ALL.iter().copied().find(|o| o.as_str() == prefix)
    {
        return match FieldPath::parse(path) {
            Some(field) => Some(TieBreak::Value { field, order }),
            None if path.is_empty() => {
                sink.push(
                    Diagnostic::error("bad-tie-break", sp, format!("`{prefix}:` names no field"))
                        .with_help(format!("write `{prefix}:<field>`, the bid field that decides, such as `{prefix}:offer.price`")),
                );
                None
            }
            None => {
                sink.push(
                    Diagnostic::error("bad-field-path", sp, format!("`{path}` is not a field path"))
                        .with_help("write a dotted path into the bid file such as `offer.price` (no empty parts, no `=`)"),
                );
                None
            }
        };
    }
    let mut valid: Vec<String> = vec![String::from("bidder")];
    valid.extend(sections.iter().map(|x| format!("section:{}", x.id)));
    valid.extend(criteria.iter().map(|x| format!("criterion:{}", x.id)));
    let mut d = Diagnostic::error("bad-tie-break", sp, format!("`{s}` is not a tie-break"));
    // A misspelt prefix (`lotery:5`, `lowest:offer.price`) keeps what follows it.
    let by_prefix = s.split_once(':').and_then(|(p, rest)| {
        did_you_mean(p, ["section", "criterion", "lower", "higher", "earlier", "later", "lottery"]).map(|x| format!("{x}:{rest}"))
    });
    d = match by_prefix.or_else(|| did_you_mean(s, valid.iter().map(String::as_str)).map(str::to_owned)).as_deref() {
        Some(x) => d.with_help(format!("did you mean `{x}`? {TIE_BREAKS}")),
        None => d.with_help(TIE_BREAKS),
    };
    sink.push(d);
    None
}

/// `winners = N` (at least 1) or `"all"` (`None`: no limit), for the award and for a lot.
fn parse_winners(n: &Node, sink: &mut Sink) -> Option<Option<u32>> {
    let help = "write a whole number of at least 1, or `\"all\"`";
    match &n.value {
        Value::String(s) if s == "all" => Some(None),
        Value::String(s) => {
            sink.push(Diagnostic::error("bad-winners", n.span, format!("`winners` cannot be `{s}`")).with_help(help));
            None
        }
        _ => as_count(n, "winners", sink).and_then(|(w, wsp)| match u32::try_from(w) {
            Ok(w) if w >= 1 => Some(Some(w)),
            _ => {
                sink.push(Diagnostic::error("bad-winners", wsp, format!("`winners` is `{w}`")).with_help(help));
                None
            }
        }),
    }
}

fn parse_award(t: &Table, sp: Span, sink: &mut Sink) -> Option<Award> {
    let f = Fields::new(t, sp, "`[award]`", AWARD, sink);
    let winners = match f.get("winners") {
        None => Some(Some(1)),
        Some(n) => parse_winners(n, sink),
    };
    let quantity = match f.get("quantity") {
        None => Some(None),
        Some(n) => as_table(n, "quantity", sink).and_then(|(qt, qsp)| {
            let qf = Fields::new(qt, qsp, "`quantity`", QUANTITY, sink);
            let field = parse_field(&qf, sink);
            let total = qf.required("total", sink).and_then(|tn| as_count(tn, "total", sink));
            Some(Some(Quantity { field: field?, total: total?.0 }))
        }),
    };
    let max_share = match f.get("max_share") {
        None => Some(None),
        Some(n) => as_number(n, "max_share", sink).and_then(|(d, dsp)| {
            if d > Decimal::ZERO && d <= Decimal::ONE {
                Some(Some(d))
            } else {
                sink.push(
                    Diagnostic::error("bad-cap", dsp, format!("`max_share` is `{d}`"))
                        .with_help("write the largest share of the quantity one bid may get, above 0 and at most 1"),
                );
                None
            }
        }),
    };
    let max_quantity = match f.get("max_quantity") {
        None => Some(None),
        Some(n) => as_count(n, "max_quantity", sink).and_then(|(q, qsp)| {
            if q >= 1 {
                Some(Some(q))
            } else {
                sink.push(
                    Diagnostic::error("bad-cap", qsp, "`max_quantity` is `0`")
                        .with_help("write the most of the quantity one bid may get, at least 1"),
                );
                None
            }
        }),
    };
    let allocation = match f.get("allocation") {
        None => Some(Allocation::RankOrder),
        Some(n) => crate::load::reader::as_one_of(n, "allocation", &Allocation::ALL, Allocation::as_str, sink),
    };
    let max_lots = match f.get("max_lots_per_bidder") {
        None => Some(None),
        Some(n) => as_count(n, "max_lots_per_bidder", sink).and_then(|(m, msp)| match u32::try_from(m) {
            Ok(m) if m >= 1 => Some(Some(m)),
            _ => {
                sink.push(
                    Diagnostic::error("bad-lot", msp, format!("`max_lots_per_bidder` is `{m}`"))
                        .with_help("write the most lots one bidder may win, at least 1"),
                );
                None
            }
        }),
    };
    let departures = match f.opt_str("departures", sink) {
        None => Some(Departures::Error),
        Some((d, _)) if d == "error" => Some(Departures::Error),
        Some((d, _)) if d == "warning" => Some(Departures::Warning),
        Some((d, dsp)) => {
            sink.push(crate::load::reader::bad_enum("departures", &d, dsp, &["error", "warning"]));
            None
        }
    };
    let budget = match f.get("budget") {
        None => Some(None),
        Some(n) => as_table(n, "budget", sink).and_then(|(bt, bsp)| {
            let bf = Fields::new(bt, bsp, "`budget`", BUDGET, sink);
            let total = bf.req_number("total", sink).and_then(|(d, dsp)| {
                if d > Decimal::ZERO {
                    Some(d)
                } else {
                    sink.push(
                        Diagnostic::error("bad-budget", dsp, format!("the budget's `total` is `{d}`"))
                            .with_help("write the money the award may spend, above 0"),
                    );
                    None
                }
            });
            let unit_price = bf.required("unit_price", sink).and_then(|un| {
                let (s, sp) = crate::load::reader::as_str(un, "unit_price", sink)?;
                let p = FieldPath::parse(s);
                if p.is_none() {
                    sink.push(
                        Diagnostic::error("bad-field-path", sp, format!("`{s}` is not a field path"))
                            .with_help("write the bid field with the price of one unit, such as `offer.unit_price`"),
                    );
                }
                p
            });
            Some(Some(Budget { total: total?, unit_price: unit_price? }))
        }),
    };
    if allocation == Some(Allocation::Proportional)
        && matches!(quantity, Some(None))
        && let Some(n) = f.get("allocation")
    {
        sink.push(
            Diagnostic::error(
                "bad-allocation",
                n.span,
                "`allocation = \"proportional\"` shares a quantity, but the award has no `quantity`",
            )
            .with_help("add `quantity = { field = \"…\", total = … }`, or remove `allocation`"),
        );
        return None;
    }
    // A cap or a budget limits a quantity: without one it means nothing. Every such key is
    // reported.
    if matches!(quantity, Some(None)) {
        let mut any = false;
        for key in ["max_share", "max_quantity", "budget"] {
            if let Some(n) = f.get(key) {
                any = true;
                let d = if key == "budget" {
                    Diagnostic::error("bad-budget", n.span, "`budget` buys units of the quantity, but the award has no `quantity`")
                        .with_help("add `quantity = { field = \"…\", total = … }`, or remove the budget")
                } else {
                    Diagnostic::error("bad-cap", n.span, format!("`{key}` caps the quantity, but the award has no `quantity`"))
                        .with_help("add `quantity = { field = \"…\", total = … }`, or remove the cap")
                };
                sink.push(d);
            }
        }
        if any {
            return None;
        }
    }
    Some(Award {
        winners: winners?,
        quantity: quantity?,
        allocation: allocation?,
        max_share: max_share?,
        max_quantity: max_quantity?,
        budget: budget?,
        departures: departures?,
        max_lots: max_lots?,
    })
}

/// The sum of every `[[criterion]]`'s points as written, or `None` if any cannot be read.
fn points_sum(root: &Fields<'_>) -> Option<Decimal> {
    let mut scratch = Vec::new();
    let tables = array_tables(root, "criterion", &mut scratch);
    if tables.is_empty() {
        return None;
    }
    let mut sum = Decimal::ZERO;
    for (t, _) in tables {
        let n = &t.get("points")?.node;
        let p = as_number(n, "points", &mut scratch)?.0;
        // Points out of range have their own error; a sum over them would only repeat it.
        if p < Decimal::ZERO || p > Decimal::from(MAX_POINTS_LIMIT) {
            return None;
        }
        sum = sum.checked_add(p)?;
    }
    Some(sum)
}
