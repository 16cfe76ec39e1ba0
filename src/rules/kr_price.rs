//! `kr-price`: the Korean negotiated-contract price score (협상에 의한 계약).
//!
//! With P the criterion's points, E the estimated price, L the lowest eligible price and
//! B this bid's price: `P × L / B` when `B ≥ 0.8E`, else
//! `P × L / (0.8E) + 2 × (0.8E − max(B, 0.6E)) / (0.2E)`; capped at P unless `cap = false`.

use rust_decimal::Decimal;

use super::{
    Among, Better, Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, current_number, num, number,
};
use crate::diag::Diagnostic;
use crate::exact::{Grid, Points, Rat, pow10};
use crate::load::node::Value;
use crate::load::reader::{Fields, Sink};
use crate::value::{Given, Scalar};

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
    /// 0.8E and 0.6E, the band's ends.
    fn band(&self) -> (Rat, Rat) {
        let e = Rat::from_decimal(self.estimated);
        (e.mul(&Rat::ratio(4, 5)), e.mul(&Rat::ratio(3, 5)))
    }

    /// The band bonus of a price below 0.8E: `2 × (0.8E − max(B, 0.6E)) / (0.2E)`, and whether
    /// the price was counted at 0.6E; `None` at or above 0.8E.
    fn bonus(&self, price: &Rat) -> Option<(Rat, bool)> {
        let (e80, e60) = self.band();
        if *price >= e80 {
            return None;
        }
        let floored = *price < e60;
        let counted = price.clone().max(e60.clone());
        Some((Rat::from_int(2).mul(&e80.sub(&counted)).div(&e80.sub(&e60)), floored))
    }
}

impl RuleKind for KrPrice {
    const NAME: &'static str = "kr-price";
    const KEYS: &'static [&'static str] = &["kind", "estimated", "cap", "among"];
    const INPUT: InputKind = InputKind::Number;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<KrPrice> {
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

    fn check_value(&self, value: &Scalar, at: &ValueAt<'_>, sink: &mut Sink) {
        let Scalar::Number(x) = value else { return };
        if *x <= Decimal::ZERO {
            sink.push(
                Diagnostic::error(
                    "value-out-of-range",
                    at.span,
                    format!("`{}` is `{x}`, but criterion `{}` needs a price above 0", at.field, at.criterion),
                )
                .with_help("a bid price must be a positive amount"),
            );
        }
    }

    fn check_criterion(&self, at: &CriterionAt<'_>, sink: &mut Sink) {
        if at.points <= Decimal::ZERO {
            sink.push(
                Diagnostic::error(
                    "bad-points",
                    at.points_span,
                    format!("{} is a `kr-price` criterion worth `{}` points", at.name, at.points),
                )
                .with_help("a price criterion needs points above 0"),
            );
        }
    }

    fn reference(&self) -> Option<Reference> {
        Some(Reference { better: Better::Lower, among: self.among })
    }

    fn score(&self, given: &Given, points: &Rat, lowest: Option<&Rat>) -> Scored {
        let Some(b) = number(given) else { return Scored::wrong_input() };
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
        let br = Rat::from_decimal(b);
        let (e80, _) = self.band();
        let (result, band, floored) = match self.bonus(&br) {
            None => (points.mul(l).div(&br), None, false),
            Some((bonus, floored)) => (points.mul(l).div(&e80).add(&bonus), Some(bonus), floored),
        };
        let capped = self.cap && result > *points;
        let result = if capped { points.clone() } else { result };
        Scored { score: result.div(points), reason: reason(Some(l), band, floored, capped) }
    }

    /// The points themselves are the formula's value (the weight is P): with L = ln/ld,
    /// B = bn/bd, E = en/ed, `w·L/B` at or above 0.8E; below it, with C = max(B, 0.6E) =
    /// cn/cd, `w·5L/(4E) + 8 − 10C/E` over one denominator. Capped at `w`.
    fn grid(&self, given: &Given, grid: &Grid, lowest: Option<&Rat>) -> Option<Points> {
        let b = number(given)?;
        let Some(lowest) = lowest else { return grid.zero() };
        let (wn, wd) = grid.weight();
        if wn == 0 {
            return grid.zero();
        }
        let (ln, ld) = lowest.small_parts()?;
        let (bn, bd) = (b.mantissa(), pow10(b.scale())?);
        let (en, ed) = (self.estimated.mantissa(), pow10(self.estimated.scale())?);
        let m = |a: i128, b: i128| a.checked_mul(b);
        // B ≥ 0.8E ⇔ 5·bn·ed ≥ 4·en·bd.
        if m(m(5, bn)?, ed)? >= m(m(4, en)?, bd)? {
            // Capped when L > B.
            if self.cap && m(ln, bd)? > m(bn, ld)? {
                return grid.ratio(1, 1);
            }
            return grid.ratio(m(ln, bd)?, m(ld, bn)?);
        }
        // C = 0.6E = 3en/(5ed) when B < 0.6E ⇔ 5·bn·ed < 3·en·bd, else B.
        let (cn, cd) = if m(m(5, bn)?, ed)? < m(m(3, en)?, bd)? { (m(3, en)?, m(5, ed)?) } else { (bn, bd) };
        // w·5L/(4E) + 8 − 10C/E = (wn·5·ln·ed·cd + 8·D − 40·cn·ed·wd·ld) / D, D = 4·wd·ld·en·cd.
        let d = m(m(m(m(4, wd)?, ld)?, en)?, cd)?;
        let first = m(m(m(m(5, wn)?, ln)?, ed)?, cd)?;
        let third = m(m(m(m(40, cn)?, ed)?, wd)?, ld)?;
        let n = first.checked_add(m(8, d)?)?.checked_sub(third)?;
        if self.cap && m(n, wd)? > m(wn, d)? {
            return grid.ratio(1, 1);
        }
        grid.value(n, d)
    }

    fn params_toml(&self) -> String {
        format!(", estimated = {}, cap = {}{}", num(self.estimated), self.cap, self.among.to_toml())
    }

    /// The lowest price in force, then the band's ends 0.8E and 0.6E: each below the bid's
    /// own price.
    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        let x = current_number(at);
        let mut v: Vec<Decimal> = at.reference.into_iter().collect();
        v.extend([Decimal::new(8, 1), Decimal::new(6, 1)].map(|share| self.estimated.saturating_mul(share)));
        v.into_iter().filter(|c| x.is_some_and(|x| *c < x)).map(Scalar::Number).collect()
    }

    /// Below 0.8E the result is `w × a + bonus` with `a = L / 0.8E`: it meets the cap `w` at
    /// `w = bonus / (1 − a)` when `a < 1`. Above that weight the points are capped.
    fn weight_kink(&self, given: &Given, lowest: Option<&Rat>) -> Option<Rat> {
        if !self.cap {
            return None;
        }
        let (e80, _) = self.band();
        let a = lowest?.div(&e80);
        if a >= Rat::one() {
            return None;
        }
        let (bonus, _) = self.bonus(&Rat::from_decimal(number(given)?))?;
        Some(bonus.div(&Rat::one().sub(&a)))
    }

    fn fast(&self) -> super::fast::Fast {
        let e = super::fast::f64_of(self.estimated);
        super::fast::Fast::KrPrice { e80: e * 0.8, e60: e * 0.6, cap: self.cap }
    }
}
