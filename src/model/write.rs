//! Models → TOML text that loads back to equal models (SPEC §6 invariant 11). Used by the
//! round-trip property tests and by analyses that rewrite a bid.

use std::fmt::Write as _;

use super::{Award, Bid, CriterionMissing, GateMissing, Minimum, Negotiation, Panel, Reported, Require, Tender};
use crate::load::node::{Table, Value};
use crate::load::toml_out::{scalar, toml_key, toml_string, value};

fn opt(out: &mut String, key: &str, v: Option<&String>) {
    if let Some(v) = v {
        let _ = writeln!(out, "{key} = {}", toml_string(v));
    }
}

impl Tender {
    /// The tender as a criteria file.
    pub fn to_toml(&self) -> String {
        let mut o = String::new();
        o.push_str("[tender]\n");
        let _ = writeln!(o, "id = {}", toml_string(&self.id));
        let _ = writeln!(o, "title = {}", toml_string(&self.title));
        opt(&mut o, "authority", self.authority.as_ref());
        opt(&mut o, "currency", self.currency.as_ref());
        opt(&mut o, "source", self.source.as_ref());
        opt(&mut o, "note", self.note.as_ref());
        o.push_str("\n[evaluation]\n");
        let _ = writeln!(o, "max_points = {}", self.max_points);
        let _ = writeln!(o, "rounding = {{ places = {}, mode = \"{}\" }}", self.rounding.places, self.rounding.mode.as_str());
        let q: Vec<String> = self
            .qualify
            .iter()
            .map(|t| {
                let sec = t.section.as_ref().map(|s| format!("section = {}, ", toml_string(s))).unwrap_or_default();
                match t.min {
                    Minimum::Share(s) => format!("{{ {sec}min_share = {s} }}"),
                    Minimum::Points(p) => format!("{{ {sec}min_points = {p} }}"),
                }
            })
            .collect();
        let _ = writeln!(o, "qualify = [{}]", q.join(", "));
        let tb: Vec<String> = self.tie_break.iter().map(|t| toml_string(&t.to_string())).collect();
        let _ = writeln!(o, "tie_break = [{}]", tb.join(", "));
        if let Some(d) = &self.differential {
            let _ = writeln!(o, "differential = {{ section = {}, step = {} }}", toml_string(&d.section), d.step);
        }
        if !self.weight_order.is_empty() {
            let ids: Vec<String> = self.weight_order.iter().map(|c| toml_string(c)).collect();
            let _ = writeln!(o, "weight_order = [{}]", ids.join(", "));
        }
        o.push_str("\n[award]\n");
        let Award { winners, quantity, allocation, max_share, max_quantity, budget, departures, max_lots } = &self.award;
        match winners {
            Some(w) => {
                let _ = writeln!(o, "winners = {w}");
            }
            None => o.push_str("winners = \"all\"\n"),
        }
        if let Some(q) = quantity {
            let _ = writeln!(o, "quantity = {{ field = {}, total = {} }}", toml_string(&q.field.to_string()), q.total);
        }
        if *allocation != crate::model::Allocation::RankOrder {
            let _ = writeln!(o, "allocation = \"{}\"", allocation.as_str());
        }
        if let Some(s) = max_share {
            let _ = writeln!(o, "max_share = {s}");
        }
        if let Some(q) = max_quantity {
            let _ = writeln!(o, "max_quantity = {q}");
        }
        if let Some(b) = budget {
            let _ = writeln!(o, "budget = {{ total = {}, unit_price = {} }}", b.total, toml_string(&b.unit_price.to_string()));
        }
        if let Some(m) = max_lots {
            let _ = writeln!(o, "max_lots_per_bidder = {m}");
        }
        if *departures != crate::model::Departures::Error {
            let _ = writeln!(o, "departures = \"{}\"", departures.as_str());
        }
        for s in &self.sections {
            o.push_str("\n[[section]]\n");
            let _ = writeln!(o, "id = {}", toml_string(&s.id));
            let _ = writeln!(o, "title = {}", toml_string(&s.title));
            opt(&mut o, "note", s.note.as_ref());
        }
        for g in &self.gates {
            o.push_str("\n[[gate]]\n");
            let _ = writeln!(o, "id = {}", toml_string(&g.id));
            let _ = writeln!(o, "title = {}", toml_string(&g.title));
            let _ = writeln!(o, "field = {}", toml_string(&g.field.to_string()));
            let req = match &g.require {
                Require::Equals(s) => format!("equals = {}", scalar(s)),
                Require::OneOf(v) => format!("one_of = [{}]", v.iter().map(scalar).collect::<Vec<_>>().join(", ")),
                Require::AtLeast(d) => format!("at_least = {d}"),
                Require::AtMost(d) => format!("at_most = {d}"),
                Require::NotAfter(d) => format!("not_after = {d}"),
            };
            let _ = writeln!(o, "require = {{ {req} }}");
            if g.missing == GateMissing::Fail {
                o.push_str("missing = \"fail\"\n");
            }
            opt(&mut o, "source", g.source.as_ref());
            opt(&mut o, "note", g.note.as_ref());
        }
        for l in &self.lots {
            o.push_str("\n[[lot]]\n");
            let _ = writeln!(o, "id = {}", toml_string(&l.id));
            let _ = writeln!(o, "title = {}", toml_string(&l.title));
            if let Some(q) = l.quantity {
                let _ = writeln!(o, "quantity = {q}");
            }
            match l.winners {
                Some(Some(w)) => {
                    let _ = writeln!(o, "winners = {w}");
                }
                Some(None) => o.push_str("winners = \"all\"\n"),
                None => {}
            }
            if let Some(c) = &l.criteria {
                let ids: Vec<String> = c.iter().map(|x| toml_string(x)).collect();
                let _ = writeln!(o, "criteria = [{}]", ids.join(", "));
            }
        }
        for c in &self.abnormally_low {
            o.push_str("\n[[abnormally_low]]\n");
            let _ = writeln!(o, "id = {}", toml_string(&c.id));
            let _ = writeln!(o, "title = {}", toml_string(&c.title));
            let _ = writeln!(o, "field = {}", toml_string(&c.field.to_string()));
            let rule = match &c.rule {
                crate::model::LowRule::ShareOfEstimate { estimate, share } => format!("estimate = {estimate}, share = {share}"),
                crate::model::LowRule::ShareOfMean { share } => format!("share = {share}"),
                crate::model::LowRule::WingTrimmed { base, wings, min_bids } => {
                    format!("base = {base}, wings = {wings}, min_bids = {min_bids}")
                }
            };
            let _ = writeln!(o, "rule = {{ kind = {}, {rule} }}", toml_string(c.rule.kind()));
            let _ = writeln!(o, "action = {}", toml_string(c.action.as_str()));
            opt(&mut o, "source", c.source.as_ref());
            opt(&mut o, "note", c.note.as_ref());
        }
        for c in &self.criteria {
            o.push_str("\n[[criterion]]\n");
            let _ = writeln!(o, "id = {}", toml_string(&c.id));
            let _ = writeln!(o, "section = {}", toml_string(&c.section));
            let _ = writeln!(o, "title = {}", toml_string(&c.title));
            let _ = writeln!(o, "points = {}", c.points);
            if let Some((lo, hi)) = c.points_range {
                let _ = writeln!(o, "points_range = [{lo}, {hi}]");
            }
            if let Some(f) = &c.field {
                let _ = writeln!(o, "field = {}", toml_string(&f.to_string()));
            }
            let _ = writeln!(o, "rule = {}", c.rule.to_toml());
            if c.missing == CriterionMissing::Zero {
                o.push_str("missing = \"zero\"\n");
            }
            opt(&mut o, "source", c.source.as_ref());
            opt(&mut o, "note", c.note.as_ref());
        }
        o
    }
}

/// Write a table's plain entries, then each sub-table under its own header.
fn write_table(o: &mut String, path: &str, t: &Table) {
    for e in &t.entries {
        if !matches!(e.node.value, Value::Table(_)) {
            let _ = writeln!(o, "{} = {}", toml_key(&e.key), value(&e.node));
        }
    }
    for e in &t.entries {
        if let Value::Table(inner) = &e.node.value {
            let p = if path.is_empty() { toml_key(&e.key) } else { format!("{path}.{}", toml_key(&e.key)) };
            let _ = writeln!(o, "\n[{p}]");
            write_table(o, &p, inner);
        }
    }
}

impl Bid {
    /// The bid as a bid file.
    pub fn to_toml(&self) -> String {
        self.to_toml_with(&self.fields())
    }

    /// The bid as a bid file, with `fields` for its fields (a what-if's changed ones).
    pub(crate) fn to_toml_with(&self, fields: &Table) -> String {
        let mut o = String::new();
        // Top-level plain values must come before any table header.
        let plain = Table { entries: fields.entries.iter().filter(|e| !matches!(e.node.value, Value::Table(_))).cloned().collect() };
        write_table(&mut o, "", &plain);
        o.push_str("\n[bidder]\n");
        let _ = writeln!(o, "id = {}", toml_string(&self.id));
        let _ = writeln!(o, "name = {}", toml_string(&self.name));
        opt(&mut o, "note", self.note.as_ref());
        if !self.informational.is_empty() {
            let paths: Vec<String> = self.informational.iter().map(|(p, _)| toml_string(&p.to_string())).collect();
            let _ = writeln!(o, "informational = [{}]", paths.join(", "));
        }
        if let Some(lots) = &self.lots {
            let ids: Vec<String> = lots.iter().map(|x| toml_string(x)).collect();
            let _ = writeln!(o, "lots = [{}]", ids.join(", "));
        }
        let tables = Table { entries: fields.entries.iter().filter(|e| matches!(e.node.value, Value::Table(_))).cloned().collect() };
        write_table(&mut o, "", &tables);
        for (path, p) in &self.provenance {
            let _ = writeln!(o, "\n[provenance.{}]", toml_string(path));
            let _ = writeln!(o, "status = \"{}\"", p.status.as_str());
            opt(&mut o, "source", p.source.as_ref());
            opt(&mut o, "note", p.note.as_ref());
            if let Some((lo, hi)) = &p.range {
                let _ = writeln!(o, "range = [{}, {}]", scalar(lo), scalar(hi));
            }
            if let Some(alternatives) = &p.alternatives {
                let items: Vec<String> = alternatives.iter().map(scalar).collect();
                let _ = writeln!(o, "alternatives = [{}]", items.join(", "));
            }
        }
        o
    }
}

impl Panel {
    /// The panel as a panel file.
    pub fn to_toml(&self) -> String {
        let mut o = String::from("[panel]\n");
        opt(&mut o, "source", self.source.as_ref());
        opt(&mut o, "note", self.note.as_ref());
        if let Some(e) = &self.evaluators {
            let names: Vec<String> = e.iter().map(|x| toml_string(x)).collect();
            let _ = writeln!(o, "evaluators = [{}]", names.join(", "));
        }
        if self.outlier_k != Panel::DEFAULT_OUTLIER_K {
            let _ = writeln!(o, "outlier_k = {}", self.outlier_k);
        }
        for (c, by_bidder) in &self.marks {
            let _ = writeln!(o, "\n[panel.marks.{}]", toml_key(c));
            for (b, marks) in by_bidder {
                let m: Vec<String> = marks.iter().map(ToString::to_string).collect();
                let _ = writeln!(o, "{} = [{}]", toml_key(b), m.join(", "));
            }
        }
        o
    }
}

impl Negotiation {
    /// The record as a negotiation record file.
    pub fn to_toml(&self) -> String {
        let mut o = String::from("[negotiation]\n");
        opt(&mut o, "source", self.source.as_ref());
        opt(&mut o, "note", self.note.as_ref());
        for (b, e) in &self.bids {
            let _ = writeln!(o, "\n[negotiation.bids.{}]", toml_key(b));
            let _ = writeln!(o, "outcome = {}", toml_string(e.outcome.as_str()));
            if let Some(q) = e.quantity {
                let _ = writeln!(o, "quantity = {q}");
            }
            if let Some(d) = e.date {
                let _ = writeln!(o, "date = {d}");
            }
            opt(&mut o, "source", e.source.as_ref());
            opt(&mut o, "note", e.note.as_ref());
        }
        o
    }
}

impl Reported {
    /// The reported outcome as a file.
    pub fn to_toml(&self) -> String {
        let mut o = String::from("[reported]\n");
        opt(&mut o, "source", self.source.as_ref());
        opt(&mut o, "note", self.note.as_ref());
        for (b, e) in &self.bids {
            let _ = writeln!(o, "\n[reported.bids.{}]", toml_key(b));
            let _ = writeln!(o, "status = {}", toml_string(e.status.as_str()));
            if let Some(q) = e.quantity {
                let _ = writeln!(o, "quantity = {q}");
            }
            opt(&mut o, "source", e.source.as_ref());
            opt(&mut o, "note", e.note.as_ref());
        }
        o
    }
}
