//! Why a criterion scored what it did, as data. Evaluation builds these without allocating;
//! reports render them to text only when a person or a program asks.

use std::fmt;

use rust_decimal::Decimal;

use super::{Among, Better};
use crate::exact::{DecimalText, Rat};
use crate::value::{Date, Given, Scalar};

/// The facts behind one criterion's score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The bid had no value and the criterion says `missing = "zero"`.
    Missing {
        /// The field (none for a panel criterion).
        field: Option<String>,
    },
    /// `linear`: where the value lies between the two ends (`raw` is unclamped).
    Linear {
        /// Scores 0.
        zero_at: Decimal,
        /// Scores 1.
        full_at: Decimal,
        /// `(x − zero_at) / (full_at − zero_at)` before clamping.
        raw: Rat,
    },
    /// `steps`: the step met, if any.
    Step {
        /// The threshold of the most demanding step met (`None`: no step met).
        threshold: Option<Decimal>,
        /// `at_least` steps (else `at_most`).
        at_least: bool,
        /// The score given.
        score: Decimal,
    },
    /// `choice`: the value's score.
    Choice {
        /// The score given.
        score: Decimal,
    },
    /// `flag`: the boolean's score.
    Flag {
        /// The score given.
        score: Decimal,
    },
    /// `date`: days left before `zero_from`.
    Date {
        /// Last date with full points.
        full_by: Date,
        /// First date with zero points.
        zero_from: Date,
        /// Days from the value to `zero_from`.
        left: i64,
        /// Days from `full_by` to `zero_from`.
        span: i64,
    },
    /// `relative`: the best value among the bids that pass every gate.
    Relative {
        /// Direction.
        better: Better,
        /// Which bids set it.
        among: Among,
        /// The best eligible value (`None`: no eligible bid has one).
        reference: Option<Rat>,
    },
    /// `panel`: the trimmed mean.
    Panel {
        /// Marks dropped at each end.
        trim: u32,
        /// Mean of the kept marks (`None`: none left).
        mean: Option<Rat>,
        /// Top mark.
        scale: Decimal,
    },
    /// `kr-price`: which branch, with the lowest eligible price.
    KrPrice {
        /// E.
        estimated: Decimal,
        /// Which bids set L.
        among: Among,
        /// L (`None`: no eligible bid has a price).
        lowest: Option<Rat>,
        /// The band bonus when the price is below 80% of E.
        band: Option<Rat>,
        /// The price was below 60% of E and counted at 60%.
        floored: bool,
        /// The result was capped at the criterion's points.
        capped: bool,
    },
    /// The criterion is worth 0 points.
    ZeroPoints,
}

impl Reason {
    /// The reason as one line of text, given the value that was scored.
    pub fn render(&self, value: Option<&Given>, score: &Rat) -> String {
        let mut o = String::new();
        let _ = self.render_into(&mut o, value, score);
        o
    }

    /// [`Reason::render`] written into `o` (a report of many cells writes each straight into
    /// its output).
    ///
    /// # Errors
    /// What writing to `o` returns.
    pub fn render_into<W: fmt::Write + ?Sized>(&self, o: &mut W, value: Option<&Given>, score: &Rat) -> fmt::Result {
        let v = Shown(value);
        match self {
            Reason::Missing { field: Some(f) } => write!(o, "no `{f}` given; `missing = \"zero\"` scores 0"),
            Reason::Missing { field: None } => write!(o, "no panel marks; `missing = \"zero\"` scores 0"),
            // The kinds every large tender has are written piece by piece, without the
            // formatter's reading of a template (a report writes one for every cell).
            Reason::Linear { zero_at, full_at, raw } => {
                let (zero_at, full_at) = (DecimalText::new(*zero_at), DecimalText::new(*full_at));
                v.quoted(o)?;
                if raw.is_negative() || raw.is_zero() {
                    o.write_str(" is at or short of zero at `")?;
                    o.write_str(zero_at.as_str())?;
                } else if *raw >= Rat::one() {
                    o.write_str(" reaches full at `")?;
                    o.write_str(full_at.as_str())?;
                } else {
                    o.write_str(" is ")?;
                    score.write_exact(&mut &mut *o)?;
                    o.write_str(" of the way from zero at `")?;
                    o.write_str(zero_at.as_str())?;
                    o.write_str("` to full at `")?;
                    o.write_str(full_at.as_str())?;
                }
                o.write_str("`")
            }
            Reason::Step { threshold: Some(t), at_least, score } => {
                v.quoted(o)?;
                o.write_str(if *at_least { " meets the step at least `" } else { " meets the step at most `" })?;
                o.write_str(DecimalText::new(*t).as_str())?;
                o.write_str("`, scoring ")?;
                o.write_str(DecimalText::new(score.normalize()).as_str())
            }
            Reason::Step { threshold: None, score, .. } => {
                v.quoted(o)?;
                o.write_str(" meets no step; otherwise ")?;
                o.write_str(DecimalText::new(score.normalize()).as_str())
            }
            Reason::Choice { score } | Reason::Flag { score } => {
                v.quoted(o)?;
                o.write_str(" scores ")?;
                o.write_str(DecimalText::new(score.normalize()).as_str())
            }
            Reason::Date { full_by, zero_from, left, span } => {
                v.quoted(o)?;
                if *left >= *span {
                    o.write_str(" is on or before full by `")?;
                    full_by.write_to(o)?;
                } else if *left <= 0 {
                    o.write_str(" is on or after zero from `")?;
                    zero_from.write_to(o)?;
                } else {
                    write!(o, " is {left} of {span} days before zero from `")?;
                    zero_from.write_to(o)?;
                }
                o.write_str("`")
            }
            Reason::Relative { reference: None, among, .. } => write!(o, "no {} has a value to compare with", who(*among)),
            Reason::Relative { better: Better::Higher, reference: Some(r), among } if r.is_zero() => {
                write!(o, "the best {} value is 0", among.as_str())
            }
            Reason::Relative { better: Better::Higher, reference: Some(r), among } => {
                v.quoted(o)?;
                o.write_str(" against the highest ")?;
                o.write_str(among.as_str())?;
                o.write_str(" `")?;
                r.write_exact(&mut &mut *o)?;
                o.write_str("`")?;
                if *score == Rat::one() && !matches!(value, Some(Given::Value(Scalar::Number(x))) if Rat::from_decimal(*x) == *r) {
                    o.write_str(" (above it: full points, capped)")?;
                }
                Ok(())
            }
            Reason::Relative { better: Better::Lower, reference: Some(r), among } => {
                o.write_str("the lowest ")?;
                o.write_str(among.as_str())?;
                o.write_str(" `")?;
                r.write_exact(&mut &mut *o)?;
                o.write_str("` against ")?;
                v.quoted(o)?;
                if *score == Rat::one() && !matches!(value, Some(Given::Value(Scalar::Number(x))) if Rat::from_decimal(*x) == *r) {
                    o.write_str(" (below it: full points, capped)")?;
                }
                Ok(())
            }
            Reason::Panel { mean: None, .. } => write!(o, "no marks left after trimming"),
            Reason::Panel { trim, mean: Some(m), scale } => {
                write!(o, "marks {v}; {trim} dropped each end; mean {} of {}", m.display(4), DecimalText::new(scale.normalize()))
            }
            Reason::KrPrice { lowest: None, among, .. } => write!(o, "no {} has a price", who(*among)),
            Reason::KrPrice { estimated, lowest: Some(l), band, floored, capped, among } => {
                let who = match among {
                    Among::Eligible => "lowest",
                    Among::Qualified => "lowest qualified",
                };
                match band {
                    None => write!(o, "price `{v}` is at least 80% of estimated `{estimated}`: P × {who} `{l}` / `{v}`")?,
                    Some(b) => {
                        let note = if *floored { " (counted at 60%)" } else { "" };
                        write!(
                            o,
                            "price `{v}` is below 80% of estimated `{estimated}`{note}: P × {who} `{l}` / 80% + {} for the band",
                            b.display(4)
                        )?;
                    }
                }
                if *capped {
                    o.write_str(", capped at the criterion's points")?;
                }
                Ok(())
            }
            Reason::ZeroPoints => write!(o, "the criterion is worth 0 points"),
        }
    }
}

/// The scored value as the reason shows it (nothing when there is none).
struct Shown<'a>(Option<&'a Given>);

impl Shown<'_> {
    /// The value in backticks, written straight into `o`.
    fn quoted<W: fmt::Write + ?Sized>(&self, o: &mut W) -> fmt::Result {
        o.write_str("`")?;
        self.0.map_or(Ok(()), |g| g.write_to(o))?;
        o.write_str("`")
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.map_or(Ok(()), |g| g.write_to(f))
    }
}

/// The bids a reference runs over, for "no … bid has a value".
fn who(among: Among) -> &'static str {
    match among {
        Among::Eligible => "bid that passes every gate",
        Among::Qualified => "qualified bid",
    }
}
