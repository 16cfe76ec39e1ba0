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

/// A value written as its text (`Display`), without keeping the text: a report of many bids
/// never holds them all.
struct Text<T>(T);

impl<T: std::fmt::Display> serde::Serialize for Text<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

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

/// Pretty JSON streamed to `w`, ending in a newline: `body` writes the value (the bytes of
/// [`json_text`]).
fn stream_json(w: &mut dyn std::io::Write, body: impl FnOnce(&mut Out<'_>) -> std::io::Result<()>) -> std::io::Result<()> {
    // Buffered here, where the writer's type is known, so that each token's copy is inlined:
    // through `&mut dyn Write` every token would be a call of its own.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    body(&mut out)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// What a streamed report is written into.
type Out<'a> = std::io::BufWriter<&'a mut dyn std::io::Write>;

/// `value` in [`Pretty`]'s layout, as the value of a field or an item at nesting `depth`.
fn write_value(w: &mut impl std::io::Write, depth: usize, value: &(impl serde::Serialize + ?Sized)) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty { depth, has_value: false });
    value.serialize(&mut ser).map_err(std::io::Error::from)
}

/// A JSON object written field by field in [`Pretty`]'s layout, its braces at nesting `depth`:
/// for a report with a part too large to be serialised in one go (see [`write_array`]).
struct ObjectOut<'w, W: std::io::Write> {
    w: &'w mut W,
    depth: usize,
    empty: bool,
}

impl<'w, W: std::io::Write> ObjectOut<'w, W> {
    fn begin(w: &'w mut W, depth: usize) -> std::io::Result<ObjectOut<'w, W>> {
        w.write_all(b"{")?;
        Ok(ObjectOut { w, depth, empty: true })
    }

    /// A key, ready for its value (at nesting `depth + 1`).
    fn key(&mut self, key: &str) -> std::io::Result<&mut W> {
        self.w.write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        indent(self.w, self.depth.saturating_add(1))?;
        write_value(self.w, 0, key)?;
        self.w.write_all(b": ")?;
        Ok(self.w)
    }

    fn field(&mut self, key: &str, value: &(impl serde::Serialize + ?Sized)) -> std::io::Result<()> {
        let depth = self.depth.saturating_add(1);
        write_value(self.key(key)?, depth, value)
    }

    fn end(self) -> std::io::Result<()> {
        if !self.empty {
            self.w.write_all(b"\n")?;
            indent(self.w, self.depth)?;
        }
        self.w.write_all(b"}")
    }
}

/// Items serialised into one buffer, and buffers made at a time: what is held at once.
const BLOCK: usize = 16;
const BLOCKS: usize = 8;

/// `items` as a JSON array whose brackets are at nesting `depth`, each item written by `json`
/// (into a buffer, at the nesting it is given, with [`write_value`]): the bytes serde_json
/// writes for the same sequence, but the items are serialised on every core, a window of
/// them at a time, and written in order.
fn write_array<T: Sync>(
    w: &mut impl std::io::Write,
    depth: usize,
    items: &[T],
    json: impl Fn(&mut Vec<u8>, usize, &T) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    if items.is_empty() {
        return w.write_all(b"[]");
    }
    w.write_all(b"[")?;
    let inner = depth.saturating_add(1);
    // The items of a block, in one buffer; `first` when the block starts the array.
    let block = |first: bool, block: &[T]| -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(block.len().saturating_mul(4096));
        for (k, item) in block.iter().enumerate() {
            buf.extend_from_slice(if first && k == 0 { b"\n" } else { b",\n" });
            indent(&mut buf, inner)?;
            json(&mut buf, inner, item)?;
        }
        Ok(buf)
    };
    let parallel = items.len() >= crate::par::FROM;
    for (n, window) in items.chunks(BLOCK.saturating_mul(BLOCKS)).enumerate() {
        let blocks: Vec<&[T]> = window.chunks(BLOCK).collect();
        for buf in crate::par::map_when(parallel, &blocks, |b, items| block(n == 0 && b == 0, items)) {
            w.write_all(&buf?)?;
        }
    }
    w.write_all(b"\n")?;
    indent(w, depth)?;
    w.write_all(b"]")
}

/// The indentation of a line at nesting `depth`, written at once.
fn indent(w: &mut (impl std::io::Write + ?Sized), depth: usize) -> std::io::Result<()> {
    const SPACES: &[u8; 64] = b"                                                                ";
    let mut n = depth.saturating_mul(2);
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(SPACES.get(..k).unwrap_or_default())?;
        n = n.saturating_sub(k);
    }
    Ok(())
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
            indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    /// An array value or an object key begins a line.
    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.depth)
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
