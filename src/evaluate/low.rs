//! Abnormally low tenders (issue 12): each `[[abnormally_low]]` check's threshold over the
//! bids that passed every gate, exactly, and its verdict on each of them. The tally reads
//! the verdicts (an `exclude` check makes a ranked bid `excluded`, which the award walks
//! past); the report shows them. One implementation, used by every tally and the sampler.

use rust_decimal::Decimal;

use crate::exact::Rat;
use crate::model::{LowAction, LowRule, Tender};
use crate::value::Str;

/// One check's verdict on one bid that passed the gates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowVerdict {
    /// The check's id.
    pub id: Str,
    /// What the check does to a bid below its threshold.
    pub action: LowAction,
    /// The price the check read (`None`: the bid lacks it, and nothing is checked).
    pub value: Option<Decimal>,
    /// The price at or below which (`at_or_below`) or below which a bid is abnormally low
    /// (`None`: the check does not apply — too few bids, or no other bid to average).
    pub threshold: Option<Rat>,
    /// The threshold includes itself (the wing-trimmed rule: a discount of at least `M + S`).
    pub at_or_below: bool,
    /// The bid is abnormally low.
    pub low: bool,
}

/// Per bid (the tally's order), per check: the verdict, for bids that passed every gate
/// (`passed`); other bids get none. `values[bid][check]` is the price the check reads.
pub(crate) fn verdicts(tender: &Tender, passed: &[bool], values: &[impl AsRef<[Option<Decimal>]>]) -> Vec<Vec<LowVerdict>> {
    let n = passed.len();
    let mut out: Vec<Vec<LowVerdict>> = vec![Vec::new(); n];
    if tender.abnormally_low.is_empty() {
        return out;
    }
    let value = |i: usize, k: usize| values.get(i).and_then(|v| v.as_ref().get(k)).copied().flatten();
    for (k, check) in tender.abnormally_low.iter().enumerate() {
        let priced: Vec<(usize, Rat)> = (0..n)
            .filter(|&i| passed.get(i).copied().unwrap_or(false))
            .filter_map(|i| value(i, k).map(|v| (i, Rat::from_decimal(v))))
            .collect();
        // Per bid: (threshold, at or below).
        let thresholds: Vec<Option<(Rat, bool)>> = match &check.rule {
            LowRule::ShareOfEstimate { estimate, share } => {
                let t = Rat::from_decimal(*share).mul(&Rat::from_decimal(*estimate));
                (0..n).map(|_| Some((t.clone(), false))).collect()
            }
            LowRule::ShareOfMean { share } => {
                let sum = priced.iter().fold(Rat::zero(), |acc, (_, p)| acc.add(p));
                let count = priced.len();
                (0..n)
                    .map(|i| {
                        let mine = priced.iter().find(|(j, _)| *j == i).map(|(_, p)| p.clone())?;
                        let others = count.checked_sub(1).filter(|c| *c > 0)?;
                        let mean = sum.sub(&mine).div(&Rat::from_int(i128::try_from(others).unwrap_or(i128::MAX)));
                        Some((Rat::from_decimal(*share).mul(&mean), false))
                    })
                    .collect()
            }
            LowRule::WingTrimmed { base, wings, min_bids } => {
                let t = wing_trimmed(Rat::from_decimal(*base), Rat::from_decimal(*wings), *min_bids, &priced);
                (0..n).map(|_| t.clone().map(|x| (x, true))).collect()
            }
        };
        for (i, slot) in out.iter_mut().enumerate() {
            if !passed.get(i).copied().unwrap_or(false) {
                continue;
            }
            let v = value(i, k);
            let t = thresholds.get(i).cloned().flatten();
            let low = match (&v, &t) {
                (Some(v), Some((t, incl))) => {
                    let v = Rat::from_decimal(*v);
                    if *incl { v <= *t } else { v < *t }
                }
                _ => false,
            };
            slot.push(LowVerdict {
                id: check.id.clone(),
                action: check.action,
                value: v,
                at_or_below: t.as_ref().is_some_and(|(_, incl)| *incl),
                threshold: t.map(|(x, _)| x),
                low,
            });
        }
    }
    out
}

/// The wing-trimmed threshold as a price: with the discounts `d = (base − price) / base`,
/// `ceil(wings × n)` set aside at each end, `M` the mean of the rest and `S` the mean of their
/// excesses over `M`, a discount of at least `M + S` — a price of at most `base × (1 − M − S)`
/// — is abnormally low. `None` with fewer than `min_bids` bids or nothing left after trimming.
fn wing_trimmed(base: Rat, wings: Rat, min_bids: u64, priced: &[(usize, Rat)]) -> Option<Rat> {
    let n = priced.len();
    if u64::try_from(n).unwrap_or(u64::MAX) < min_bids || n == 0 {
        return None;
    }
    let mut discounts: Vec<Rat> = priced.iter().map(|(_, p)| base.sub(p).div(&base)).collect();
    discounts.sort();
    let cut = ceil_count(&wings.mul(&Rat::from_int(i128::try_from(n).unwrap_or(i128::MAX))));
    let kept = discounts.get(cut..n.checked_sub(cut)?)?;
    if kept.is_empty() {
        return None;
    }
    let count = |k: usize| Rat::from_int(i128::try_from(k).unwrap_or(i128::MAX));
    let m = kept.iter().fold(Rat::zero(), |a, d| a.add(d)).div(&count(kept.len()));
    let above: Vec<Rat> = kept.iter().filter(|d| **d > m).map(|d| d.sub(&m)).collect();
    let s = if above.is_empty() { Rat::zero() } else { above.iter().fold(Rat::zero(), |a, d| a.add(d)).div(&count(above.len())) };
    Some(base.mul(&Rat::one().sub(&m.add(&s))))
}

/// `ceil(x)` of a non-negative rational, as a count.
fn ceil_count(x: &Rat) -> usize {
    let mut k = 0usize;
    // The share is below 0.5 and the count bounded by the bids: a short walk.
    while Rat::from_int(i128::try_from(k).unwrap_or(i128::MAX)) < *x {
        k = k.saturating_add(1);
    }
    k
}

/// Per bid: whether any `exclude` check finds it abnormally low (empty without checks).
pub(crate) fn excluded(tender: &Tender, passed: &[bool], values: &[impl AsRef<[Option<Decimal>]>]) -> Vec<bool> {
    if tender.abnormally_low.is_empty() {
        return Vec::new();
    }
    verdicts(tender, passed, values).iter().map(|v| v.iter().any(|x| x.low && x.action == LowAction::Exclude)).collect()
}
