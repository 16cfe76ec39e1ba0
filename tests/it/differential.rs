//! The engine against the deliberately naive reference scorer (`reference.rs`, written
//! independently of `src/` with big rationals): same statuses, ranks, points and awards
//! on random valid tenders.

use bidscore::{Awarded, evaluate};
use proptest::prelude::*;

use crate::generate::case_with_lots;
use crate::reference::reference_score;

/// A lot's row: bidder, status, rank, total, award.
type LotRow<'a> = (String, &'a str, Option<u32>, String, Option<String>);

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference_scorer(c in case_with_lots(6)) {
        let criteria = c.criteria_toml();
        let others = c.other_files(&(0..c.bids.len()).collect::<Vec<_>>());
        let inputs = crate::load_ok(&criteria, &others);
        let outcome = evaluate(&inputs);
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        let expected = reference_score(&criteria, &refs).map_err(|e| TestCaseError::fail(format!("reference failed: {e}\n{criteria}")))?;
        prop_assert_eq!(outcome.standings.len(), expected.bids.len());
        for (got, want) in outcome.standings.iter().zip(&expected.bids) {
            prop_assert_eq!(&got.bidder, &want.bidder, "report order\n{}", criteria);
            prop_assert_eq!(got.status.as_str(), want.status.as_str(), "status of {}\n{}", got.bidder, criteria);
            prop_assert_eq!(got.rank, want.rank, "rank of {}", got.bidder);
            prop_assert_eq!(got.total.to_string(), want.total.clone(), "total of {}\n{}", got.bidder, criteria);
            let points: Vec<(String, String)> = outcome.criteria.iter().zip(&got.points).map(|(c, p)| (c.clone(), p.to_string())).collect();
            prop_assert_eq!(&points, &want.criteria, "criteria of {}\n{}", got.bidder, criteria);
            let award = match got.award {
                Awarded::No => None,
                Awarded::Yes => Some(String::from("true")),
                Awarded::Quantity(q) => Some(q.to_string()),
            };
            prop_assert_eq!(award, want.award.clone(), "award of {}", got.bidder);
            let original = got.original.as_ref().map(|o| o.total.to_string());
            prop_assert_eq!(original, want.original_total.clone(), "original total of {}", got.bidder);
        }
        // Lots: each lot's ranking and award.
        prop_assert_eq!(outcome.lots.len(), expected.lots.len());
        for (lot, (id, want)) in outcome.lots.iter().zip(&expected.lots) {
            prop_assert_eq!(&lot.id, id);
            let got: Vec<LotRow<'_>> = lot
                .outcome
                .standings
                .iter()
                .map(|s| {
                    let award = match s.award {
                        Awarded::No => None,
                        Awarded::Yes => Some(String::from("true")),
                        Awarded::Quantity(q) => Some(q.to_string()),
                    };
                    (s.bidder.to_string(), s.status.as_str(), s.rank, s.total.to_string(), award)
                })
                .collect();
            let wanted: Vec<LotRow<'_>> =
                want.bids.iter().map(|b| (b.bidder.clone(), b.status.as_str(), b.rank, b.total.clone(), b.award.clone())).collect();
            prop_assert_eq!(got, wanted, "lot {}\n{}", id, criteria);
        }
    }
}
