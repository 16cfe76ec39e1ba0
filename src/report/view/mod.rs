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

/// `value` as pretty JSON streamed to `w`, ending in a newline: the bytes of [`json_text`].
fn write_json_to(value: &impl serde::Serialize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Buffered here, where the writer's type is known, so that each token's copy is inlined:
    // through `&mut dyn Write` every token would be a call of its own.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    value.serialize(&mut ser).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// serde_json's pretty layout (two spaces a level), each line's indentation written at once:
/// its own formatter writes one call per level, which a report of 200,000 nested values
/// pays for on every line.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn indent(&self, w: &mut (impl std::io::Write + ?Sized)) -> std::io::Result<()> {
        const SPACES: &[u8; 64] = b"                                                                ";
        let mut n = self.depth.saturating_mul(2);
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(SPACES.get(..k).unwrap_or_default())?;
            n = n.saturating_sub(k);
        }
        Ok(())
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth = self.depth.saturating_add(1);
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own when anything was written inside.
    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// An array value or an object key begins a line.
    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Pretty JSON ending in a newline. Serialising plain data cannot fail; if it ever did, the
/// report would be empty rather than wrong.
fn json_text(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
