//! `bidscore check`: the inputs are valid; what the scoring would warn about.

use serde::Serialize;

use super::json_text;
use super::score::{Engine, InputFile, input_files};
use crate::evaluate::Outcome;
use crate::model::Inputs;
use crate::report::doc::{Cell, Column, Doc, Table};
use crate::report::{View, prose};

/// A successful check as a report: the tender, how many bids, and every warning (from
/// validation and from scoring).
#[derive(Clone, Copy, Debug)]
pub struct CheckReport<'a> {
    /// The inputs checked.
    pub inputs: &'a Inputs,
    /// Their outcome (scoring reveals what validation alone cannot, such as ties).
    pub outcome: &'a Outcome,
}

impl CheckReport<'_> {
    fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.inputs.warnings.iter().map(|d| prose::input_warning(&self.inputs.sources, d)).collect();
        out.extend(self.outcome.warnings.iter().map(prose::warning));
        out
    }
}

impl View for CheckReport<'_> {
    fn doc(&self) -> Doc {
        let n = self.inputs.bids.len();
        let mut d = Doc::new();
        d.text(format!("ok: tender `{}` with {} bid{}", self.inputs.tender.id, n, if n == 1 { "" } else { "s" }));
        let mut t = Table::new("check", vec![Column::data("tender"), Column::data("bids"), Column::data("warnings")]);
        let warnings = self.warnings();
        t.rows.push(vec![Cell::text(&self.inputs.tender.id), Cell::text(n.to_string()), Cell::text(warnings.len().to_string())]);
        d.table(t);
        let mut w = Table::new("warnings", vec![Column::data("warning")]);
        w.rows.extend(warnings.into_iter().map(|x| vec![Cell::text(x)]));
        d.table(w);
        d
    }

    fn json(&self) -> String {
        json_text(&Json {
            ok: true,
            tender: &self.inputs.tender.id,
            engine: Engine::this(),
            inputs: input_files(self.inputs),
            bids: self.inputs.bids.len(),
            warnings: self.warnings(),
        })
    }
}

#[derive(Serialize)]
struct Json<'a> {
    ok: bool,
    tender: &'a str,
    engine: Engine,
    inputs: Vec<InputFile<'a>>,
    bids: usize,
    warnings: Vec<String>,
}
