//! The records beside the bids, checked against the outcome (SPEC §10.2): the negotiation
//! record against the ranking and the award's limits, and the reported outcome against the
//! model. Both are data; `departures` turns the record's departures into located
//! diagnostics, as validation does, for the tender to treat as errors or warnings.

use rust_decimal::Decimal;

use super::{Awarded, BidStatus, Standing};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Departures, Inputs, NegotiationOutcome, ReportedStatus};

/// The negotiation record beside the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegotiationCheck {
    /// Where the record departs from the rules, in the order found.
    pub departures: Vec<Departure>,
    /// Per bid, in report order: the award beside what the record says.
    pub rows: Vec<NegotiationRow>,
    /// Every bid's award is what the record says: the same bids awarded, the same quantities.
    pub agrees_with_model: bool,
}

/// One bid's award beside its entry in the negotiation record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegotiationRow {
    /// Bidder id.
    pub bidder: String,
    /// The outcome's status and award.
    pub status: BidStatus,
    /// What the outcome awards it.
    pub award: Awarded,
    /// What the record says it did (`None`: the record does not mention it).
    pub outcome: Option<NegotiationOutcome>,
    /// The quantity it agreed.
    pub quantity: Option<u64>,
    /// The quantity it offered in its bid, when the record agrees more than that (shown,
    /// never silently allowed).
    pub above_offer: Option<u64>,
    /// The award and the record agree on this bid.
    pub agrees: bool,
}

/// A way the negotiation record departs from the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Departure {
    /// A bid agreed while a better-ranked one that did not decline or withdraw was never
    /// invited (or is not in the record).
    OutOfOrder {
        /// The bid that agreed, and its rank.
        agreed: String,
        /// Its rank.
        agreed_rank: u32,
        /// The better-ranked bid passed over, and its rank.
        passed: String,
        /// Its rank.
        passed_rank: u32,
    },
    /// The record has a bid agree that is not ranked (not qualified or disqualified).
    NotRanked {
        /// The bid.
        bidder: String,
        /// Its status.
        status: BidStatus,
    },
    /// The agreed quantities add up to more than the award's total.
    OverTotal {
        /// Their sum.
        agreed: u64,
        /// The total.
        total: u64,
    },
    /// A bid agreed more than the cap allows one bid.
    OverCap {
        /// The bid.
        bidder: String,
        /// What it agreed.
        agreed: u64,
        /// The cap.
        cap: u64,
    },
    /// The agreed quantities cost more than the budget.
    OverBudget {
        /// Their cost at the bids' unit prices.
        cost: Decimal,
        /// The budget.
        budget: Decimal,
    },
    /// More bids agreed than the award has winners.
    TooManyWinners {
        /// How many agreed.
        agreed: usize,
        /// The award's winners.
        winners: u32,
    },
    /// A ranked bid that the record does not mention.
    Unmentioned {
        /// The bid.
        bidder: String,
    },
}

impl Departure {
    /// The diagnostic code.
    pub fn code(&self) -> &'static str {
        match self {
            Departure::OutOfOrder { .. } => "negotiation-out-of-order",
            Departure::NotRanked { .. } => "negotiated-not-ranked",
            Departure::OverTotal { .. } => "negotiated-over-total",
            Departure::OverCap { .. } => "negotiated-over-cap",
            Departure::OverBudget { .. } => "negotiated-over-budget",
            Departure::TooManyWinners { .. } => "negotiated-too-many",
            Departure::Unmentioned { .. } => "negotiation-incomplete",
        }
    }

    /// What departs, in a sentence (the diagnostic's message and the report's line).
    pub fn message(&self) -> String {
        match self {
            Departure::OutOfOrder { agreed, agreed_rank, passed, passed_rank } => {
                format!("`{agreed}` (rank {agreed_rank}) agreed, but `{passed}` (rank {passed_rank}) was never invited")
            }
            Departure::NotRanked { bidder, status } => format!("the record has `{bidder}` agree, but it is {}", status.as_str()),
            Departure::OverTotal { agreed, total } => {
                format!("the agreed quantities add up to {agreed}, more than the award's total of {total}")
            }
            Departure::OverCap { bidder, agreed, cap } => format!("`{bidder}` agreed {agreed}, more than the {cap} one bid may get"),
            Departure::OverBudget { cost, budget } => format!("the agreed quantities cost {cost}, more than the budget of {budget}"),
            Departure::TooManyWinners { agreed, winners } => {
                format!("{agreed} bids agreed, but the award has {}", crate::diag::plural(usize::try_from(*winners).unwrap_or(0), "winner"))
            }
            Departure::Unmentioned { bidder } => format!("the negotiation record does not say what became of `{bidder}`, a ranked bid"),
        }
    }

    /// How to mend it.
    pub fn help(&self) -> String {
        match self {
            Departure::OutOfOrder { agreed, passed, .. } => format!(
                "negotiation proceeds in rank order: record `{passed}` as `declined` or `withdrawn` if it was, or invite it before `{agreed}`"
            ),
            Departure::NotRanked { .. } => "only ranked (qualified) bids are invited to negotiate; it is not awarded".to_owned(),
            Departure::OverTotal { .. } => {
                "the award gives the quantities in rank order up to the total; check them against the source".to_owned()
            }
            Departure::OverCap { .. } => "the award gives it the cap; check `max_share` and `max_quantity` against the source".to_owned(),
            Departure::OverBudget { .. } => {
                "the award buys in rank order what the budget pays for; check the quantities and unit prices".to_owned()
            }
            Departure::TooManyWinners { .. } => "the award takes the first in rank order; check `winners` against the source".to_owned(),
            Departure::Unmentioned { bidder } => {
                format!("add `[negotiation.bids.{bidder}]` with its `outcome` (`not-invited` if it was never invited)")
            }
        }
    }
}

/// The reported outcome beside the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconstruction {
    /// Per bid, in report order.
    pub rows: Vec<ReportedRow>,
    /// The model reproduces the reported decision: every status and quantity the same.
    pub reproduces: bool,
}

/// One bid, modelled and reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedRow {
    /// Bidder id.
    pub bidder: String,
    /// The model's status.
    pub status: BidStatus,
    /// The model's award.
    pub award: Awarded,
    /// The status reported.
    pub reported: ReportedStatus,
    /// The quantity reported.
    pub quantity: Option<u64>,
    /// Same status.
    pub same_status: bool,
    /// Same quantity (both without one counts as the same).
    pub same_quantity: bool,
}

impl ReportedRow {
    /// The model's quantity minus the reported one, when both have one and they differ.
    pub fn difference(&self) -> Option<i128> {
        let modelled = i128::from(quantity_of(self.award));
        let reported = i128::from(self.quantity.unwrap_or(0));
        (modelled != reported).then(|| modelled.saturating_sub(reported))
    }
}

/// The quantity of an award (0 for none or a plain selection).
pub(crate) fn quantity_of(a: Awarded) -> u64 {
    match a {
        Awarded::Quantity(q) => q,
        Awarded::No | Awarded::Yes => 0,
    }
}

/// Check the negotiation record against the standings (in report order).
pub(crate) fn negotiation(inputs: &Inputs, standings: &[Standing]) -> Option<NegotiationCheck> {
    let record = inputs.negotiation.as_ref()?;
    let award = &inputs.tender.award;
    let mut departures = Vec::new();
    let mut rows = Vec::with_capacity(standings.len());
    // The best-ranked bid that was never invited, so far down the ranking.
    let mut passed: Option<(&str, u32)> = None;
    let mut agreed_sum: u64 = 0;
    let mut cost = Decimal::ZERO;
    let mut agreed_count = 0usize;
    for s in standings {
        let entry = record.bids.get(s.bidder.as_str());
        let outcome = entry.map(|e| e.outcome);
        let ranked = s.rank.is_some();
        match (ranked, outcome) {
            (true, None) => departures.push(Departure::Unmentioned { bidder: s.bidder.to_string() }),
            (false, Some(NegotiationOutcome::Agreed)) => {
                departures.push(Departure::NotRanked { bidder: s.bidder.to_string(), status: s.status })
            }
            _ => {}
        }
        let quantity = entry.and_then(|e| e.quantity);
        if outcome == Some(NegotiationOutcome::Agreed) && ranked {
            agreed_count = agreed_count.saturating_add(1);
            if let (Some((p, pr)), Some(r)) = (passed, s.rank)
                && pr < r
            {
                departures.push(Departure::OutOfOrder {
                    agreed: s.bidder.to_string(),
                    agreed_rank: r,
                    passed: p.to_owned(),
                    passed_rank: pr,
                });
            }
            let q = quantity.unwrap_or(0);
            agreed_sum = agreed_sum.saturating_add(q);
            if let Some(cap) = award.cap()
                && q > cap
            {
                departures.push(Departure::OverCap { bidder: s.bidder.to_string(), agreed: q, cap });
            }
            if award.budget.is_some()
                && let Some(price) = inputs.bid_index(&s.bidder).and_then(|i| inputs.unit_price(i))
            {
                cost = price.checked_mul(Decimal::from(q)).and_then(|c| cost.checked_add(c)).unwrap_or(Decimal::MAX);
            }
        }
        // A bid the record does not mention is reported as that, not again as passed over.
        if ranked && passed.is_none() && outcome == Some(NegotiationOutcome::NotInvited) {
            passed = Some((s.bidder.as_str(), s.rank.unwrap_or(0)));
        }
        let offered = inputs.bid_index(&s.bidder).and_then(|i| inputs.offered(i));
        let above_offer = match (quantity, offered) {
            (Some(q), Some(o)) if q > o => Some(o),
            _ => None,
        };
        // What the record gives, compared as the award would show it (an agreed 0 is nothing).
        let recorded = match (outcome, quantity) {
            (Some(NegotiationOutcome::Agreed), Some(q)) if q > 0 && award.quantity.is_some() => Awarded::Quantity(q),
            (Some(NegotiationOutcome::Agreed), _) if award.quantity.is_none() => Awarded::Yes,
            _ => Awarded::No,
        };
        let awarded = if s.award == Awarded::Quantity(0) { Awarded::No } else { s.award };
        rows.push(NegotiationRow {
            bidder: s.bidder.to_string(),
            status: s.status,
            award: s.award,
            outcome,
            quantity,
            above_offer,
            agrees: awarded == recorded,
        });
    }
    if let Some(q) = &award.quantity
        && agreed_sum > q.total
    {
        departures.push(Departure::OverTotal { agreed: agreed_sum, total: q.total });
    }
    if let Some(b) = &award.budget
        && cost > b.total
    {
        departures.push(Departure::OverBudget { cost, budget: b.total });
    }
    if let Some(w) = award.winners
        && agreed_count > usize::try_from(w).unwrap_or(usize::MAX)
    {
        departures.push(Departure::TooManyWinners { agreed: agreed_count, winners: w });
    }
    let agrees_with_model = rows.iter().all(|r| r.agrees);
    Some(NegotiationCheck { departures, rows, agrees_with_model })
}

/// Compare the model with the reported outcome.
pub(crate) fn reported(inputs: &Inputs, standings: &[Standing]) -> Option<Reconstruction> {
    let record = inputs.reported.as_ref()?;
    let rows: Vec<ReportedRow> = standings
        .iter()
        .filter_map(|s| {
            let e = record.bids.get(s.bidder.as_str())?;
            let same_status = s.status.as_str() == e.status.as_str();
            let same_quantity = quantity_of(s.award) == e.quantity.unwrap_or(0);
            Some(ReportedRow {
                bidder: s.bidder.to_string(),
                status: s.status,
                award: s.award,
                reported: e.status,
                quantity: e.quantity,
                same_status,
                same_quantity,
            })
        })
        .collect();
    let reproduces = rows.iter().all(|r| r.same_status && r.same_quantity);
    Some(Reconstruction { rows, reproduces })
}

/// The negotiation record's departures as located diagnostics: errors or warnings as the
/// tender declares (`[award] departures`), pointing into the record. Empty without a
/// record or without departures, and then without the inputs' files too (every run asks,
/// and a copy of 10,000 bids' texts to locate nothing cost the main thread milliseconds).
pub fn departures(inputs: &Inputs, outcome: &super::Outcome) -> Diagnostics {
    let mut items = Vec::new();
    if let (Some(record), Some(check)) = (&inputs.negotiation, &outcome.negotiation) {
        let at = |bidder: &str| record.bids.get(bidder).map_or(record.span, |e| e.span);
        for d in &check.departures {
            let span: Span = match d {
                Departure::OutOfOrder { agreed: b, .. } | Departure::NotRanked { bidder: b, .. } => at(b),
                Departure::OverCap { bidder, .. } => record.bids.get(bidder).and_then(|e| e.quantity_span).unwrap_or_else(|| at(bidder)),
                Departure::OverTotal { .. }
                | Departure::OverBudget { .. }
                | Departure::TooManyWinners { .. }
                | Departure::Unmentioned { .. } => record.span,
            };
            let diag = match inputs.tender.award.departures {
                Departures::Error => Diagnostic::error(d.code(), span, d.message()),
                Departures::Warning => Diagnostic::warning(d.code(), span, d.message()),
            };
            items.push(diag.with_help(d.help()));
        }
    }
    if items.is_empty() {
        return Diagnostics { sources: Vec::new(), items };
    }
    Diagnostics::new(inputs.sources.clone(), items)
}
