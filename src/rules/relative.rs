//! `relative`: `x / max` (higher is better) or `min / x` (lower is better), where the
//! extreme runs over the bids that pass every gate. The only rule, with `kr-price`, whose
//! score depends on other bids.

use rust_decimal::Decimal;

use super::{Among, Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, current_number, number};
use crate::diag::{Diagnostic, did_you_mean};
use crate::exact::{Grid, Points, Rat, RoundingMode, pow10};
use crate::load::reader::{Fields, Sink};
use crate::value::{Given, Scalar};

/// Which direction is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Higher values are better.
    Higher,
    /// Lower values are better.
    Lower,
}

impl Better {
    /// The better of two values (the first when they are equal).
    pub fn best(self, a: Decimal, b: Decimal) -> Decimal {
        match self {
            Better::Higher if b > a => b,
            Better::Lower if b < a => b,
            _ => a,
        }
    }
}

/// Relative to the best eligible bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relative {
    /// Direction.
    pub better: Better,
    /// Which bids set the best value.
    pub among: Among,
}

impl RuleKind for Relative {
    const NAME: &'static str = "relative";
    const KEYS: &'static [&'static str] = &["kind", "better", "among"];
    const INPUT: InputKind = InputKind::Number;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Relative> {
        let among = Among::parse(f, sink);
        let (b, sp) = f.req_str("better", sink)?;
        let better = match b.as_str() {
            "higher" => Better::Higher,
            "lower" => Better::Lower,
            other => {
                let mut d = Diagnostic::error("bad-better", sp, format!("`better` must be `higher` or `lower`, found `{other}`"));
                if let Some(s) = did_you_mean(other, ["higher", "lower"]) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else {
                    d = d.with_help("write `better = \"higher\"` or `better = \"lower\"`");
                }
                sink.push(d);
                return None;
            }
        };
        Some(Relative { better, among: among? })
    }

    fn check_value(&self, value: &Scalar, at: &ValueAt<'_>, sink: &mut Sink) {
        let Scalar::Number(x) = value else { return };
        let bad = match self.better {
            Better::Higher => *x < Decimal::ZERO,
            Better::Lower => *x <= Decimal::ZERO,
        };
        if bad {
            let need = if self.better == Better::Higher { "at least 0" } else { "greater than 0" };
            sink.push(
                Diagnostic::error(
                    "value-out-of-range",
                    at.span,
                    format!("`{}` is `{x}`, but criterion `{}` needs a value {need}", at.field, at.criterion),
                )
                .with_help(if self.better == Better::Higher {
                    "relative scores divide by the highest value: values must be 0 or more"
                } else {
                    "relative scores divide the lowest value by this one: values must be above 0"
                }),
            );
        }
    }

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        Some(Reference { better: self.better, among: self.among })
    }

    fn score(&self, given: &Given, _: &Rat, reference: Option<&Rat>) -> Scored {
        let Some(x) = number(given) else { return Scored::wrong_input() };
        let xr = Rat::from_decimal(x);
        let score = match (self.better, reference) {
            (_, None) => Rat::zero(),
            (Better::Higher, Some(max)) if max.is_zero() => Rat::zero(),
            (Better::Higher, Some(max)) => xr.div(max).clamp01(),
            (Better::Lower, Some(_)) if xr.is_zero() => Rat::zero(),
            (Better::Lower, Some(min)) => min.div(&xr).clamp01(),
        };
        Scored { score, reason: Reason::Relative { better: self.better, among: self.among, reference: reference.cloned() } }
    }

    fn grid(&self, given: &Given, grid: &Grid, reference: Option<&Rat>) -> Option<Points> {
        let x = number(given)?;
        let Some(reference) = reference else { return grid.zero() };
        let (rn, rd) = reference.small_parts()?;
        let (xn, xd) = (x.mantissa(), pow10(x.scale())?);
        match self.better {
            Better::Higher if rn == 0 => grid.zero(),
            // x / r
            Better::Higher => grid.ratio01(xn.checked_mul(rd)?, xd.checked_mul(rn)?),
            Better::Lower if xn == 0 => grid.zero(),
            // r / x
            Better::Lower => grid.ratio01(rn.checked_mul(xd)?, rd.checked_mul(xn)?),
        }
    }

    fn params_toml(&self) -> String {
        format!(", better = \"{}\"{}", if self.better == Better::Higher { "higher" } else { "lower" }, self.among.to_toml())
    }

    /// The best value in force (matching it gives full points), then the values beyond it.
    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        let mut out: Vec<Scalar> = at.reference.map(Scalar::Number).into_iter().collect();
        out.extend(self.beyond_best(at));
        out
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::Relative { higher: self.better == Better::Higher }
    }
}

impl Relative {
    /// Going past the best value lowers every rival's points on the criterion, which
    /// matching the best never does. For each rival ranked ahead, the value beyond which this
    /// bid's total passes the rival's (other points unchanged; exact on the points as
    /// scored), stepped to the precision the bid's value is written with.
    fn beyond_best(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        let Some(x0) = current_number(at) else { return Vec::new() };
        let p = at.points;
        if p.is_zero() {
            return Vec::new();
        }
        let unit = Decimal::new(1, x0.scale());
        let mut out = Vec::new();
        for rival in at.rivals {
            let margin = &rival.margin;
            if *margin <= Rat::zero() {
                continue;
            }
            let v = Rat::from_decimal(rival.value);
            let bound = match self.better {
                // p + O_me > p·v/x + O_r  ⇔  x > p·v / margin
                Better::Higher => p.mul(&v).div(margin),
                // p + O_me > p·x/v + O_r  ⇔  x < margin·v / p
                Better::Lower => margin.mul(&v).div(p),
            };
            let Some(b) = bound.round(x0.scale(), RoundingMode::Down) else {
                continue;
            };
            let candidate = match self.better {
                Better::Higher => b.saturating_add(unit),
                Better::Lower if Rat::from_decimal(b) < bound => b,
                Better::Lower => b.saturating_sub(unit),
            };
            let improves = match self.better {
                Better::Higher => candidate > x0,
                Better::Lower => candidate < x0 && candidate > Decimal::ZERO,
            };
            if improves {
                out.push(Scalar::Number(candidate));
            }
        }
        out
    }
}
