//! Rendering only: an [`Outcome`](crate::Outcome) and its [`Inputs`](crate::Inputs) as a
//! table for people or the JSON report for programs (SPEC §8). No scoring happens here,
//! and nothing here prints: renderers return strings.

mod explain;
mod json;
mod panel;
mod path_to_win;
mod stability;
mod table;
mod whatif;

pub use explain::{explain_json, explain_table};
pub use json::{json, json_value, whatif_json};
pub use panel::{panel_json, panel_table};
pub use path_to_win::{path_to_win_json, path_to_win_table, whatif_command};
pub use stability::{stability_json, stability_table};
pub use table::{TableOptions, table};
pub use whatif::whatif_table;
