//! Analysis on top of an evaluation: questions a committee, a bidder or an auditor asks
//! of a result. Library functions that return data; the CLI only renders them.

mod explain;
mod panel;
mod path_to_win;
mod stability;
mod whatif;

pub use explain::{Comparison, CriterionLine, Delta, Explanation, ThresholdLine, explain};
pub use panel::{DropOne, PanelAnalysis, PanelBid, PanelCriterion, drop_one_winners_full, kendall_w, median, panel};
pub use path_to_win::{Candidates, FieldChange, PathToWin, WinPath, path_to_win};
pub use stability::{CriterionStability, End, Stability, stability};
pub use whatif::{Applied, Change, Move, WhatIf, WhatIfError, whatif};

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
