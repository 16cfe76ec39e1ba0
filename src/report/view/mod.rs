//! One view per subject: what its report says (a [`Doc`](super::Doc)) and its JSON mirror.

mod check;
mod explain;
mod panel;
mod path_to_win;
mod score;
mod stability;
mod whatif;

pub use check::CheckReport;
pub use explain::ExplainReport;
pub use panel::PanelReport;
pub use path_to_win::{PathToWinReport, whatif_command};
pub use score::ScoreReport;
pub use stability::StabilityReport;
pub use whatif::WhatIfReport;

/// Pretty JSON ending in a newline. Serialising plain data cannot fail; if it ever did, the
/// report would be empty rather than wrong.
fn json_text(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
