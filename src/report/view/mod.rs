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

/// A gate's verdict in JSON: id, passed, and the reason in words (written as it is
/// serialised, never held).
#[derive(serde::Serialize)]
struct GateJson<'a> {
    id: &'a str,
    passed: bool,
    reason: Text<super::prose::GateText<'a>>,
}

/// Every gate's verdict on one bid, in the tender's order, each made as it is written.
struct Gates<'a> {
    gates: &'a [crate::model::Gate],
    verdicts: &'a [crate::evaluate::GateVerdict],
}

impl<'a> Gates<'a> {
    fn iter(&self) -> impl Iterator<Item = GateJson<'a>> + '_ {
        self.gates.iter().zip(self.verdicts).map(|(g, v)| GateJson {
            id: &v.id,
            passed: v.passed,
            reason: Text(super::prose::GateText(g, v)),
        })
    }
}

impl serde::Serialize for Gates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A bid's section points as a JSON object, its keys in order (as a `BTreeMap` writes them),
/// without making a map for each bid.
struct Sections<'a>(&'a [(crate::value::Str, crate::exact::Points)]);

impl serde::Serialize for Sections<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let pairs = self.0.iter().map(|(k, v)| (k.as_str(), v));
        // Section ids are unique; a tender's are usually in order already.
        if self.0.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
            return serializer.collect_map(pairs);
        }
        let mut sorted: Vec<_> = pairs.collect();
        sorted.sort_by_key(|(k, _)| *k);
        serializer.collect_map(sorted)
    }
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
        json_str(self.w, key)?;
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
    let windows: Vec<&[T]> = items.chunks(BLOCK.saturating_mul(BLOCKS)).collect();
    let made = |n: usize| -> Vec<std::io::Result<Vec<u8>>> {
        let blocks: Vec<&[T]> = windows.get(n).map(|w| w.chunks(BLOCK).collect()).unwrap_or_default();
        crate::par::map_when(parallel, &blocks, |b, items| block(n == 0 && b == 0, items))
    };
    let write = |w: &mut _, bufs: Vec<std::io::Result<Vec<u8>>>| -> std::io::Result<()> {
        for buf in bufs {
            std::io::Write::write_all(w, &buf?)?;
        }
        Ok(())
    };
    if !parallel {
        for n in 0..windows.len() {
            write(w, made(n))?;
        }
    } else {
        // A window is written here while the next is serialised on the cores: the writer
        // (standard output, a file) stays on this thread, and its copies into the kernel
        // no longer leave the cores idle.
        let mut ready = made(0);
        for n in 1..=windows.len() {
            let mut next = Vec::new();
            let written = rayon::in_place_scope(|s| {
                if n < windows.len() {
                    s.spawn(|_| next = made(n));
                }
                write(w, std::mem::take(&mut ready))
            });
            written?;
            ready = next;
        }
    }
    w.write_all(b"\n")?;
    indent(w, depth)?;
    w.write_all(b"]")
}

/// A JSON array whose brackets are at nesting `depth`, each item written by `each` at the
/// nesting it is given: [`Pretty`]'s layout, for the parts of a report written by hand.
fn array_of<W: std::io::Write, T>(
    w: &mut W,
    depth: usize,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, usize, T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let inner = depth.saturating_add(1);
    let mut empty = true;
    for item in items {
        w.write_all(if empty { b"[\n" } else { b",\n" })?;
        empty = false;
        indent(w, inner)?;
        each(w, inner, item)?;
    }
    if empty {
        return w.write_all(b"[]");
    }
    w.write_all(b"\n")?;
    indent(w, depth)?;
    w.write_all(b"]")
}

/// `s` as a JSON string, escaped as serde_json escapes it.
fn json_str<W: std::io::Write + ?Sized>(w: &mut W, s: &str) -> std::io::Result<()> {
    w.write_all(b"\"")?;
    escape_into(w, s.as_bytes())?;
    w.write_all(b"\"")
}

/// `v`'s text as a JSON string: written in place, and escaped only from the first byte that
/// needs it (report texts seldom hold one), with no text made first.
fn json_display(buf: &mut Vec<u8>, v: impl std::fmt::Display) -> std::io::Result<()> {
    json_with(buf, |o| std::fmt::write(o, format_args!("{v}")))
}

/// The bytes of a report's text, as `std::fmt::Write` writes them.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// [`json_display`] of the text `text` writes, straight into the buffer: a text with a
/// writer of its own (a reason, an exact score) skips a formatter's layer.
fn json_with(buf: &mut Vec<u8>, text: impl FnOnce(&mut Bytes<'_>) -> std::fmt::Result) -> std::io::Result<()> {
    buf.push(b'"');
    let start = buf.len();
    text(&mut Bytes(buf)).map_err(|_| std::io::Error::other("a report text failed to format"))?;
    if let Some(k) = buf.get(start..).and_then(first_escape) {
        let tail = buf.split_off(start.saturating_add(k));
        escape_into(buf, &tail)?;
    }
    buf.push(b'"');
    Ok(())
}

/// A byte a JSON string escapes: a control character, `"` or `\`.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Where the first byte of `s` that JSON escapes is, eight bytes at a time.
fn first_escape(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte of `v` is zero / below `n` (n ≤ 128): exact as a yes or no for the word.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below = |v: u64, n: u64| v.wrapping_sub(ONES.wrapping_mul(n)) & !v & HIGH;
    let mut at = 0usize;
    for chunk in s.chunks_exact(8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if below(x, 0x20) | zero(x ^ ONES.wrapping_mul(u64::from(b'"'))) | zero(x ^ ONES.wrapping_mul(u64::from(b'\\'))) != 0 {
            break;
        }
        at = at.saturating_add(8);
    }
    let rest = s.get(at..)?;
    rest.iter().position(|&b| needs_escape(b)).map(|k| at.saturating_add(k))
}

/// `s` escaped for a JSON string, byte for byte as serde_json writes it: `\"`, `\\`, the
/// short escapes of backspace, tab, newline, form feed and return, `\u00xx` for the other
/// control characters; every other byte (UTF-8 included) as it is.
fn escape_into<W: std::io::Write + ?Sized>(w: &mut W, s: &[u8]) -> std::io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = s;
    while let Some(k) = first_escape(rest) {
        let (clean, tail) = rest.split_at(k);
        w.write_all(clean)?;
        let Some((&b, after)) = tail.split_first() else { break };
        match b {
            b'"' => w.write_all(b"\\\"")?,
            b'\\' => w.write_all(b"\\\\")?,
            0x08 => w.write_all(b"\\b")?,
            0x09 => w.write_all(b"\\t")?,
            0x0a => w.write_all(b"\\n")?,
            0x0c => w.write_all(b"\\f")?,
            0x0d => w.write_all(b"\\r")?,
            _ => {
                let hex = |i: u8| HEX.get(usize::from(i & 0xf)).copied().unwrap_or(b'0');
                w.write_all(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)])?;
            }
        }
        rest = after;
    }
    w.write_all(rest)
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

#[cfg(test)]
mod tests {
    use super::{first_escape, json_display, json_str, needs_escape};
    use proptest::prelude::*;

    /// Every byte a string can hold next to the ones JSON escapes, at every offset around the
    /// eight-byte words `first_escape` reads.
    fn tricky() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            (0u32..0x80).prop_map(|b| char::from_u32(b).unwrap_or('a')),
            Just('"'),
            Just('\\'),
            Just('\u{7f}'),
            Just('é'),
            Just('가'),
            Just('\u{2028}'),
            Just('😀'),
            any::<char>(),
        ];
        proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(s in tricky()) {
            let mut ours = Vec::new();
            json_str(&mut ours, &s).unwrap();
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&s).unwrap());
            let mut shown = b"[".to_vec();
            json_display(&mut shown, &s).unwrap();
            prop_assert_eq!(String::from_utf8(shown).unwrap(), format!("[{}", serde_json::to_string(&s).unwrap()));
        }

        #[test]
        fn the_first_escape_is_found_at_every_offset(s in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(first_escape(&s), s.iter().position(|&b| needs_escape(b)));
        }
    }

    #[test]
    fn every_control_character_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..0x80 {
            let s = format!("ab{}cdefghij", char::from(b));
            let mut ours = Vec::new();
            json_str(&mut ours, &s).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&s).unwrap(), "byte {b:#04x}");
        }
    }
}
