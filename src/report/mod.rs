//! Rendering only: an [`Outcome`](crate::Outcome) and its [`Inputs`](crate::Inputs) as a
//! table for people or the JSON report for programs (SPEC §8). No scoring happens here,
//! and nothing here prints: renderers return strings.

mod json;
mod panel;
mod table;

pub use json::{json, json_value};
pub use panel::{panel_json, panel_table};
pub use table::{TableOptions, table};
