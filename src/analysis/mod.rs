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
mod scenario;
mod stability;
mod whatif;

pub use error::{Error, PointsProblem};
pub use explain::{Comparison, DecidedBy, Delta, Explanation, Failed, ThresholdLine, Why, explain};
pub use panel::{
    DropOne, DropOneReason, PanelAnalysis, PanelBid, PanelCriterion, PanelNote, drop_one_winners_full, kendall_w, median, panel,
};
pub use path_to_win::{Candidates, FieldChange, NoPath, PathToWin, PathToWinOptions, WinPath, path_to_win};
pub use scenario::{Published, Ranked, Ranking, Scenario};
pub use stability::{CriterionStability, End, Stability, StabilityNote, stability};
pub use whatif::{Applied, Change, ChangeKind, Move, WhatIf, whatif};

/// Every k-subset of 0..n in lexicographic order (smallest indices first): the search
/// order of `explain`'s decisive sets and of `path-to-win`'s field combinations.
pub(crate) fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(0, n, k, &mut Vec::with_capacity(k), &mut out);
    out
}
