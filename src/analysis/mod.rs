//! Analysis on top of an evaluation: questions a committee, a bidder or an auditor asks
//! of a result. Library functions that return data; the CLI only renders them.

mod panel;

pub use panel::{DropOne, PanelAnalysis, PanelBid, PanelCriterion, kendall_w, median, panel};
