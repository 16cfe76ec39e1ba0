//! One view per subject: what its report says (a [`Doc`](super::Doc)) and its JSON mirror.

mod check;
mod explain;
mod panel;
mod path_to_win;
mod robustness;
mod score;
mod stability;
mod whatif;

pub use check::CheckReport;
pub use explain::ExplainReport;
pub use panel::PanelReport;
pub use path_to_win::{PathToWinReport, whatif_command};
pub use robustness::{RobustnessReport, witness_command};
pub use score::ScoreReport;
pub use stability::StabilityReport;
pub use whatif::WhatIfReport;

/// A gate's verdict in JSON: id, passed, and the reason in words.
#[derive(serde::Serialize)]
struct GateJson<'a> {
    id: &'a str,
    passed: bool,
    reason: String,
}

/// Every gate's verdict on one bid, in the tender's order.
fn gates_json<'a>(inputs: &crate::model::Inputs, verdicts: &'a [crate::evaluate::GateVerdict]) -> Vec<GateJson<'a>> {
    inputs
        .tender
        .gates
        .iter()
        .zip(verdicts)
        .map(|(g, v)| GateJson { id: &v.id, passed: v.passed, reason: super::prose::gate(g, v) })
        .collect()
}

/// Pretty JSON ending in a newline. Serialising plain data cannot fail; if it ever did, the
/// report would be empty rather than wrong.
/// `value` as pretty JSON streamed to `w`, ending in a newline: the bytes of [`json_text`].
fn write_json_to(value: &impl serde::Serialize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
}

fn json_text(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
