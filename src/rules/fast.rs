//! Each rule's formula in `f64`, for the sampling analysis (`robustness`, SPEC §2 allows
//! `f64` inside a sampling analysis). A kind states its formula as one of these shapes, with
//! its parameters converted once; the shapes' arithmetic is here and nowhere else. Nothing
//! official is ever computed from it: what a sampling analysis certifies is re-scored
//! exactly.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// A decimal parameter as `f64` (validated parameters are within the limit on numbers).
pub(crate) fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A rule's formula with its parameters in `f64`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fast {
    /// `clamp((x − zero) × per, 0, 1)` of a number, or of a date's day number, with
    /// `per = 1 / (full − zero)` (a multiplication per draw, not a division).
    Linear {
        /// The value scoring 0.
        zero: f64,
        /// One over the distance to the value scoring 1.
        per: f64,
    },
    /// The score of the most demanding threshold met, else `otherwise`.
    Steps {
        /// `at_least` (else `at_most`).
        at_least: bool,
        /// `(threshold, score)`, least demanding first.
        steps: Vec<(f64, f64)>,
        /// The score when no step is met.
        otherwise: f64,
    },
    /// `x / max` (higher) or `min / x` (lower), clamped to [0, 1]; 0 without a reference.
    Relative {
        /// Higher is better.
        higher: bool,
    },
    /// The Korean price score (see `kr_price.rs`), in points.
    KrPrice {
        /// 0.8 × the estimated price.
        e80: f64,
        /// 0.6 × the estimated price.
        e60: f64,
        /// Capped at the criterion's points.
        cap: bool,
    },
    /// Trimmed mean of the marks over the scale.
    Panel {
        /// Marks dropped at each end.
        trim: usize,
        /// The top mark.
        scale: f64,
    },
    /// A string or a boolean: few values, each scored exactly before sampling.
    Exact,
}

impl Fast {
    /// The linear shape from the value scoring 0 to the value scoring 1 (which differ).
    pub(crate) fn linear(zero: f64, full: f64) -> Fast {
        Fast::Linear { zero, per: 1.0 / (full - zero) }
    }
}

/// What a cell holds while sampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Input {
    /// No value: scores 0.
    Missing,
    /// A score already known (it depends neither on the weight nor on other bids).
    Score(f64),
    /// A number for a rule with a reference or a weight-dependent formula.
    Number(f64),
    /// Points affine in the weight, `min(weight, a × weight + c)` (or uncapped): a `kr-price`
    /// cell whose lowest price cannot move, its divisions done once.
    Affine {
        /// Points per point of weight.
        a: f64,
        /// Points added (the band bonus).
        c: f64,
        /// Capped at the weight.
        cap: bool,
    },
    /// Marks `start..start + len` of the sample's marks.
    Marks {
        /// First mark.
        start: u32,
        /// How many.
        len: u32,
    },
}

impl Fast {
    /// Whether the score of a number (or a day) is known without the weight and the other
    /// bids, so it can be computed once per drawn value.
    pub(crate) fn independent(&self) -> bool {
        matches!(self, Fast::Linear { .. } | Fast::Steps { .. } | Fast::Exact)
    }

    /// The score of a number or a day number, for an independent rule (`None` otherwise).
    pub(crate) fn score_of(&self, x: f64) -> Option<f64> {
        match self {
            Fast::Linear { zero, per } => Some(((x - zero) * per).clamp(0.0, 1.0)),
            Fast::Steps { at_least, steps, otherwise } => {
                let met = steps.iter().rev().find(|(t, _)| if *at_least { x >= *t } else { x <= *t });
                Some(met.map_or(*otherwise, |(_, s)| *s))
            }
            _ => None,
        }
    }

    /// A `kr-price` number's cell when its lowest price is fixed at `reference` for good: affine
    /// in the weight (`None` for other shapes).
    pub(crate) fn fixed(&self, x: f64, reference: Option<f64>) -> Option<Input> {
        match (self, reference) {
            (Fast::KrPrice { .. }, None) => Some(Input::Score(0.0)),
            (Fast::KrPrice { e80, e60, cap }, Some(l)) => Some(if x >= *e80 {
                Input::Affine { a: l / x, c: 0.0, cap: *cap }
            } else {
                Input::Affine { a: l / e80, c: 2.0 * (e80 - x.max(*e60)) / (e80 - e60), cap: *cap }
            }),
            _ => None,
        }
    }

    /// The cell's points (unrounded) on a criterion worth `points`, against `reference` (the
    /// best value in force); `marks` is the sample's marks (sorted in place when trimmed).
    pub(crate) fn points(&self, input: Input, points: f64, reference: Option<f64>, marks: &mut [f64]) -> f64 {
        match (self, input) {
            (_, Input::Missing) => 0.0,
            (_, Input::Score(s)) => points * s,
            (_, Input::Affine { .. }) if points == 0.0 => 0.0,
            (_, Input::Affine { a, c, cap }) => {
                let raw = a * points + c;
                if cap { raw.min(points) } else { raw }
            }
            (Fast::Relative { higher }, Input::Number(x)) => {
                let s = match reference {
                    None => 0.0,
                    Some(best) if *higher => {
                        if best == 0.0 {
                            0.0
                        } else {
                            (x / best).clamp(0.0, 1.0)
                        }
                    }
                    Some(best) => {
                        if x == 0.0 {
                            0.0
                        } else {
                            (best / x).clamp(0.0, 1.0)
                        }
                    }
                };
                points * s
            }
            (Fast::KrPrice { e80, e60, cap }, Input::Number(b)) => {
                let Some(l) = reference else { return 0.0 };
                if points == 0.0 {
                    return 0.0;
                }
                let raw = if b >= *e80 { points * l / b } else { points * l / e80 + 2.0 * (e80 - b.max(*e60)) / (e80 - e60) };
                if *cap { raw.min(points) } else { raw }
            }
            (Fast::Panel { trim, scale }, Input::Marks { start, len }) => {
                let (start, len) = (start as usize, len as usize);
                let Some(m) = marks.get_mut(start..start.saturating_add(len)) else { return 0.0 };
                if m.len() < trim.saturating_mul(2).saturating_add(1) {
                    return 0.0;
                }
                if *trim > 0 {
                    m.sort_unstable_by(f64::total_cmp);
                }
                let kept = m.get(*trim..m.len().saturating_sub(*trim)).unwrap_or_default();
                let mean = kept.iter().sum::<f64>() / kept.len() as f64;
                points * mean / scale
            }
            (_, Input::Number(x)) => points * self.score_of(x).unwrap_or(0.0),
            (_, Input::Marks { .. }) => 0.0,
        }
    }
}
