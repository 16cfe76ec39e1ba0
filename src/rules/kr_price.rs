//! `kr-price`: the Korean negotiated-contract price score (협상에 의한 계약).
//!
//! With P the criterion's points, E the estimated price, L the lowest eligible price and
//! B this bid's price: `P × L / B` when `B ≥ 0.8E`, else
//! `P × L / (0.8E) + 2 × (0.8E − max(B, 0.6E)) / (0.2E)`; capped at P unless `cap = false`.

use rust_decimal::Decimal;

use super::{Among, Reason, Scored, num};
use crate::diag::{Diagnostic, Span};
use crate::exact::Rat;
use crate::load::node::Value;
use crate::load::reader::{Fields, Sink};

pub(super) const KEYS: &[&str] = &["kind", "estimated", "cap", "among"];

/// Price score against the estimated price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KrPrice {
    /// E, the estimated price.
    pub estimated: Decimal,
    /// Whether the result is capped at the criterion's points (default true).
    pub cap: bool,
    /// Which bids set the lowest price L.
    pub among: Among,
}

impl KrPrice {
    pub(super) fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<KrPrice> {
        let among = Among::parse(f, sink);
        let est = f.req_number("estimated", sink);
        let cap = match f.get("cap") {
            Some(n) => match &n.value {
                Value::Bool(b) => Some(*b),
                _ => crate::load::reader::as_bool(n, "cap", sink),
            },
            None => Some(true),
        };
        let (estimated, sp) = est?;
        if estimated <= Decimal::ZERO {
            sink.push(
                Diagnostic::error("bad-estimated-price", sp, format!("`estimated` is `{estimated}`; it must be above 0"))
                    .with_help("`estimated` is the estimated contract price (추정가격)"),
            );
            return None;
        }
        Some(KrPrice { estimated, cap: cap?, among: among? })
    }

    pub(super) fn check(&self, x: Decimal, span: Span, field: &str, criterion: &str, sink: &mut Sink) {
        if x <= Decimal::ZERO {
            sink.push(
                Diagnostic::error(
                    "value-out-of-range",
                    span,
                    format!("`{field}` is `{x}`, but criterion `{criterion}` needs a price above 0"),
                )
                .with_help("a bid price must be a positive amount"),
            );
        }
    }

    pub(super) fn score(&self, b: Decimal, points: &Rat, lowest: Option<&Rat>) -> Scored {
        let reason = |lowest: Option<&Rat>, band: Option<Rat>, floored: bool, capped: bool| Reason::KrPrice {
            estimated: self.estimated,
            among: self.among,
            lowest: lowest.cloned(),
            band,
            floored,
            capped,
        };
        let Some(l) = lowest else {
            return Scored { score: Rat::zero(), reason: reason(None, None, false, false) };
        };
        if points.is_zero() {
            return Scored { score: Rat::zero(), reason: Reason::ZeroPoints };
        }
        let e = Rat::from_decimal(self.estimated);
        let br = Rat::from_decimal(b);
        let e80 = e.mul(&Rat::ratio(4, 5));
        let e60 = e.mul(&Rat::ratio(3, 5));
        let (result, band, floored) = if br >= e80 {
            (points.mul(l).div(&br), None, false)
        } else {
            let floored = br < e60;
            let counted = br.max(e60.clone());
            let bonus = Rat::from_int(2).mul(&e80.sub(&counted)).div(&e80.sub(&e60));
            (points.mul(l).div(&e80).add(&bonus), Some(bonus), floored)
        };
        let capped = self.cap && result > *points;
        let result = if capped { points.clone() } else { result };
        Scored { score: result.div(points), reason: reason(Some(l), band, floored, capped) }
    }

    pub(super) fn to_toml(&self) -> String {
        format!(", estimated = {}, cap = {}{}", num(self.estimated), self.cap, self.among.to_toml())
    }
}
