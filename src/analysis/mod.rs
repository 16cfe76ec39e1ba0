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
