//! `relative`: `x / max` (higher is better) or `min / x` (lower is better), where the
//! extreme runs over the bids that pass every gate. The only rule, with `kr-price`, whose
//! score depends on other bids.

use rust_decimal::Decimal;

use super::{Among, Reason, Scored};
use crate::diag::{Diagnostic, Span, did_you_mean};
use crate::exact::Rat;
use crate::load::reader::{Fields, Sink};

pub(super) const KEYS: &[&str] = &["kind", "better", "among"];

/// Which direction is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Higher values are better.
    Higher,
    /// Lower values are better.
    Lower,
}

/// Relative to the best eligible bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relative {
    /// Direction.
    pub better: Better,
    /// Which bids set the best value.
    pub among: Among,
}

impl Relative {
    pub(super) fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Relative> {
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

    pub(super) fn check(&self, x: Decimal, span: Span, field: &str, criterion: &str, sink: &mut Sink) {
        let bad = match self.better {
            Better::Higher => x < Decimal::ZERO,
            Better::Lower => x <= Decimal::ZERO,
        };
        if bad {
            let need = if self.better == Better::Higher { "at least 0" } else { "greater than 0" };
            sink.push(
                Diagnostic::error(
                    "value-out-of-range",
                    span,
                    format!("`{field}` is `{x}`, but criterion `{criterion}` needs a value {need}"),
                )
                .with_help(if self.better == Better::Higher {
                    "relative scores divide by the highest value: values must be 0 or more"
                } else {
                    "relative scores divide the lowest value by this one: values must be above 0"
                }),
            );
        }
    }

    pub(super) fn score(&self, x: Decimal, reference: Option<&Rat>) -> Scored {
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

    pub(super) fn to_toml(&self) -> String {
        format!(", better = \"{}\"{}", if self.better == Better::Higher { "higher" } else { "lower" }, self.among.to_toml())
    }
}
