//! Analysis on top of an evaluation: questions a committee, a bidder or an auditor asks
//! of a result. Library functions that take the inputs and their outcome and return data;
//! the command line only renders them.
//!
//! Every variation an analysis evaluates — `explain`'s points taken from another bid,
//! `path-to-win`'s candidate values, the panel's evaluators left out, `stability`'s moving
//! weights — is a [`Scenario`] evaluated by the evaluation's own tally; `whatif` alone goes
//! through the files, because it must show the changed TOML. No analysis has scoring,
//! ranking or award rules of its own.

mod error;
mod explain;
mod panel;
mod path_to_win;
mod robustness;
mod scenario;
mod stability;
mod whatif;

pub use error::{Error, PointsProblem};
pub use explain::{Comparison, DecidedBy, Delta, Explanation, Failed, ThresholdLine, Why, explain};
pub use panel::{
    DropOne, DropOneReason, PanelAnalysis, PanelBid, PanelCriterion, PanelNote, drop_one_winners_full, kendall_w, median, panel,
};
pub use path_to_win::{Candidates, FieldChange, NoPath, PathToWin, PathToWinOptions, WinPath, path_to_win, path_to_win_with};
pub use robustness::{
    BLOCK, Flip, Influence, InputMode, Level, LevelAt, MAX_SAMPLES, MarkMode, Method, Odds, PAIRWISE_UP_TO, Reversal, ReversalTest,
    Robustness, RobustnessOptions, Unknown, WeightMode, WinnerSet, Witness, robustness, robustness_with, sample_weights, sampled_ranking,
};
pub use scenario::{Published, Ranked, Ranking, Scenario};
pub use stability::{
    CriterionStability, End, OfficialEnd, RESOLUTION, Stability, StabilityNote, StabilityOptions, stability, stability_with,
};
pub use whatif::{Applied, Change, ChangeKind, Move, WhatIf, whatif};

/// Told how far a long analysis has got: `done` of `total` units of work (the command line
/// draws it as a bar on a terminal). Called often; keep it cheap.
pub trait Progress {
    /// `done` of `total` (`done` never exceeds `total`).
    fn step(&self, done: usize, total: usize);
}

/// No progress reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn step(&self, _: usize, _: usize) {}
}

/// Every k-subset of 0..n in lexicographic order (smallest indices first): the search
/// order of `explain`'s decisive sets and of `path-to-win`'s field combinations. Lazy, so
/// a search's limit is checked before anything is built.
pub(crate) fn subsets(n: usize, k: usize) -> Subsets {
    Subsets { n, current: (k <= n).then(|| (0..k).collect()) }
}

/// See [`subsets`].
pub(crate) struct Subsets {
    n: usize,
    current: Option<Vec<usize>>,
}

impl Iterator for Subsets {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let out = self.current.clone()?;
        // Advance: the rightmost index that can still move, then its followers after it.
        let k = out.len();
        let mut next = out.clone();
        let movable = (0..k).rev().find(|&i| next.get(i).is_some_and(|&v| v < self.n.saturating_sub(k.saturating_sub(i))));
        self.current = movable.map(|i| {
            let start = next.get(i).map_or(0, |v| v.saturating_add(1));
            for (offset, slot) in next.iter_mut().skip(i).enumerate() {
                *slot = start.saturating_add(offset);
            }
            next
        });
        Some(out)
    }
}

/// Every tuple with element i in 0..sizes\[i\], the first position varying slowest. Lazy.
pub(crate) fn product(sizes: &[usize]) -> Product {
    Product { sizes: sizes.to_vec(), current: (!sizes.contains(&0)).then(|| vec![0; sizes.len()]) }
}

/// See [`product`].
pub(crate) struct Product {
    sizes: Vec<usize>,
    current: Option<Vec<usize>>,
}

impl Iterator for Product {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let out = self.current.clone()?;
        let mut next = out.clone();
        let mut carried = true;
        for (slot, size) in next.iter_mut().zip(&self.sizes).rev() {
            if slot.saturating_add(1) < *size {
                *slot = slot.saturating_add(1);
                carried = false;
                break;
            }
            *slot = 0;
        }
        self.current = (!carried).then_some(next);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{product, subsets};

    #[test]
    fn subsets_and_products_are_lazy_and_complete() {
        let all: Vec<Vec<usize>> = subsets(4, 2).collect();
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]].map(|x| x.to_vec()));
        assert_eq!(subsets(3, 0).collect::<Vec<_>>(), [Vec::<usize>::new()]);
        assert_eq!(subsets(2, 3).count(), 0);
        assert_eq!(subsets(20, 10).count(), 184_756);
        let p: Vec<Vec<usize>> = product(&[2, 3]).collect();
        assert_eq!(p, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]].map(|x| x.to_vec()));
        assert_eq!(product(&[2, 0]).count(), 0);
        assert_eq!(product(&[]).count(), 1);
        // 10^8 combinations: the first is there at once, nothing is built up front.
        assert_eq!(product(&[10_000, 10_000]).nth(3), Some(vec![0, 3]));
        assert_eq!(subsets(100_000, 3).next(), Some(vec![0, 1, 2]));
    }
}
