//! The engine against the deliberately naive reference scorer (`reference.rs`, written
//! independently of `src/` with big rationals): same statuses, ranks, points and awards
//! on random valid tenders.

use bidscore::{Awarded, evaluate};
use proptest::prelude::*;

use crate::generate::case;
use crate::reference::reference_score;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference_scorer(c in case(6)) {
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
            let points: Vec<(String, String)> = got.criteria.iter().map(|c| (c.id.to_string(), c.points.to_string())).collect();
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
    }
}
