//! `flag`: a score for `true` and one for `false`.

use rust_decimal::Decimal;

use super::{Reason, Scored, num, unit_score};
use crate::exact::Rat;
use crate::load::reader::{Fields, Sink};

pub(super) const KEYS: &[&str] = &["kind", "if_true", "if_false"];

/// Scores by a boolean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Score when true (default 1).
    pub if_true: Decimal,
    /// Score when false (default 0).
    pub if_false: Decimal,
}

impl Flag {
    pub(super) fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Flag> {
        let t = unit_score(f, "if_true", sink);
        let fl = unit_score(f, "if_false", sink);
        if (f.get("if_true").is_some() && t.is_none()) || (f.get("if_false").is_some() && fl.is_none()) {
            return None;
        }
        Some(Flag { if_true: t.map_or(Decimal::ONE, |x| x.0), if_false: fl.map_or(Decimal::ZERO, |x| x.0) })
    }

    pub(super) fn score(&self, x: bool) -> Scored {
        let s = if x { self.if_true } else { self.if_false };
        Scored { score: Rat::from_decimal(s), reason: Reason::Flag { score: s } }
    }

    pub(super) fn to_toml(&self) -> String {
        format!(", if_true = {}, if_false = {}", num(self.if_true), num(self.if_false))
    }
}
