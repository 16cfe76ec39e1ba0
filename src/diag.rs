//! Diagnostics: every problem found in the inputs, located in its file, with a stable code.
//!
//! Loading and validation push [`Diagnostic`]s into a list and never stop at the first;
//! [`Diagnostics`] carries them with the sources they point into, sorted in a stable
//! order, and renders them for people (miette) or programs (JSON). Nothing here prints.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use serde::Serialize;

/// Index of a file in [`Diagnostics::sources`] / [`crate::Inputs::sources`].
pub type FileId = usize;

/// A byte range in one input file.
///
/// Spans are where a value came from, not part of what it is: two spans always compare
/// equal, so models loaded from different text with the same values are equal.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    // 32 bits each: a bid's tree holds two spans a value, and no file the loader reads
    // reaches 4 GiB (a longer text is refused: `file-too-large`).
    file: u32,
    start: u32,
    end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Span {
    /// A span in `file` from `start` to `end` (each held to 4 GiB).
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let narrow = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span { file: narrow(file), start: narrow(start), end: narrow(end) }
    }

    /// The file.
    pub fn file(&self) -> FileId {
        widen(self.file)
    }

    /// First byte.
    pub fn start(&self) -> usize {
        widen(self.start)
    }

    /// One past the last byte.
    pub fn end(&self) -> usize {
        widen(self.end)
    }
}

/// A 32-bit offset as an index (lossless on every target this builds for).
fn widen(x: u32) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// One input file as read: its path as given and its text (BOM removed).
#[derive(Clone)]
pub struct SourceFile {
    /// The path as the user gave it (directory entries joined to it).
    pub path: String,
    /// The UTF-8 text, without a leading byte-order mark (shared: each bid keeps its file's
    /// text, not a tree of it).
    pub text: std::sync::Arc<str>,
    /// SHA-256 of the raw bytes, lowercase hex.
    pub sha256: String,
}

// Debug shows which file, not its whole text: a `Diagnostics` or `Inputs` printed with `{:?}`
// stays readable.
impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile").field("path", &self.path).field("bytes", &self.text.len()).field("sha256", &self.sha256).finish()
    }
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        // Counts and offsets within one string: far below `usize::MAX`. Counted as bytes (a
        // newline is one byte in UTF-8), which the compiler does many at a time.
        let line = before.bytes().filter(|&b| b == b'\n').count().saturating_add(1);
        let line_start = before.bytes().rposition(|b| b == b'\n').map_or(0, |i| i.saturating_add(1));
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()).saturating_add(1);
        (line, col)
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the run: exit code 1.
    Error,
    /// Reported, but scoring goes on.
    Warning,
    /// Not a problem itself: says why a check was not made (another error stood in its way).
    Note,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A labelled place in a file.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub text: String,
}

/// One problem.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code, documented in docs/diagnostics.md.
    pub code: &'static str,
    /// One lowercase line; user values in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Places; the first is the primary one. Empty for problems with no place (a path
    /// that does not exist).
    pub labels: Vec<Label>,
    /// For problems with no label: the path concerned, if any.
    pub path: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            help: None,
            labels: vec![Label { span, text: String::new() }],
            path: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    /// A note at `span`: why a check was not made.
    pub fn note(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(code, span, message) }
    }

    /// An error about a path that has no text to point into.
    pub fn at_path(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, message: message.into(), help: None, labels: Vec::new(), path: Some(path.into()) }
    }

    /// Add a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Label the primary place.
    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(l) = self.labels.first_mut() {
            l.text = text.into();
        }
        self
    }

    /// Add a secondary place (the first definition of a duplicate, say).
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, text: text.into() });
        self
    }

    fn primary(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// Every problem found, with the files they point into.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    /// The files the labels point into.
    pub sources: Vec<SourceFile>,
    /// The problems, sorted by file path, position and code.
    pub items: Vec<Diagnostic>,
}

/// A diagnostic as JSON for programs (`--error-format json`).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    span: Option<[usize; 2]>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    span: [usize; 2],
    text: &'a str,
}

impl Diagnostics {
    /// Gather diagnostics, sorting them into a stable order.
    pub fn new(sources: Vec<SourceFile>, mut items: Vec<Diagnostic>) -> Diagnostics {
        sort(&sources, &mut items);
        Diagnostics { sources, items }
    }

    /// Number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Whether any item is an error.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// `path:line:col` of a diagnostic's primary place.
    pub fn location(&self, d: &Diagnostic) -> String {
        locate(&self.sources, d)
    }

    /// One line per problem: `path:line:col: error[code]: message`. Control characters in
    /// user text are escaped for a terminal, as `\u{1b}` (docs/diagnostics.md).
    pub fn render_short(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let (at, message) = (self.location(d), &d.message);
            out.push_str(&format!("{}: {}[{}]: {}\n", escape_line(&at), d.severity.word(), d.code, escape_line(message)));
        }
        out
    }

    /// The closing count, e.g. "3 errors in 2 files". Notes are not counted.
    pub fn summary(&self) -> String {
        let errors = self.error_count();
        let warnings = self.items.iter().filter(|d| d.severity == Severity::Warning).count();
        let mut files: Vec<String> = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| match d.primary() {
                Some(s) => self.sources.get(s.file()).map_or(String::new(), |f| f.path.clone()),
                None => d.path.clone().unwrap_or_default(),
            })
            .collect();
        files.sort();
        files.dedup();
        if errors == 0 {
            return plural(warnings, "warning");
        }
        let mut s = format!("{} in {}", plural(errors, "error"), plural(files.len(), "file"));
        if warnings > 0 {
            s.push_str(&format!(" ({})", plural(warnings, "warning")));
        }
        s
    }

    /// Rendered for a person, at most `max_errors` errors and `max_warnings` warnings in
    /// full (notes are always shown); the rest are counted by code, so six hundred errors of
    /// one kind, or ten thousand bids without provenance, stay readable, ending with
    /// ``… and 580 more errors not shown: 580 × `unknown-reference` `` (most frequent first).
    pub fn render_human_limited(&self, color: bool, max_errors: usize, max_warnings: usize) -> String {
        let (mut errors, mut warnings) = (0usize, 0usize);
        let mut hidden: Vec<&Diagnostic> = Vec::new();
        let mut shown: Vec<&Diagnostic> = Vec::new();
        for d in &self.items {
            let (seen, limit) = match d.severity {
                Severity::Error => (&mut errors, max_errors),
                Severity::Warning => (&mut warnings, max_warnings),
                Severity::Note => {
                    shown.push(d);
                    continue;
                }
            };
            *seen = seen.saturating_add(1);
            if *seen <= limit { shown.push(d) } else { hidden.push(d) }
        }
        let mut out = self.render_items(shown, color);
        for (severity, noun) in [(Severity::Error, "more error"), (Severity::Warning, "more warning")] {
            if let Some(line) = not_shown(hidden.iter().copied().filter(|d| d.severity == severity), noun) {
                out.push_str(&line);
            }
        }
        out
    }

    /// Rendered for a person: path:line:col, the source line, a caret, the code and help.
    /// Control characters in user text, paths and the source line are escaped, as `\u{1b}`
    /// (docs/diagnostics.md), with the caret and `line:col` still those of the file.
    pub fn render_human(&self, color: bool) -> String {
        self.render_items(self.items.iter(), color)
    }

    fn render_items<'a>(&self, items: impl IntoIterator<Item = &'a Diagnostic>, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
        // Each file escaped once, however many diagnostics point into it.
        let mut safe: Vec<Option<Arc<SafeSource<'_>>>> = vec![None; self.sources.len()];
        let mut out = String::new();
        for d in items {
            let report = Rendered::new(self, d, &mut safe);
            let mut s = String::new();
            if handler.render_report(&mut s, &report).is_err() {
                s = format!("{}: {}\n", escape_line(&self.location(d)), escape_line(&d.message));
            }
            out.push_str(&s);
            out.push('\n');
        }
        out
    }

    /// As a JSON array for programs.
    pub fn render_json(&self) -> String {
        let items: Vec<JsonDiagnostic<'_>> = self
            .items
            .iter()
            .map(|d| {
                let primary = d.primary().and_then(|s| self.sources.get(s.file()).map(|f| (f, s)));
                let (file, line, column, span) = match primary {
                    Some((f, s)) => {
                        let (l, c) = f.line_col(s.start());
                        (Some(f.path.as_str()), Some(l), Some(c), Some([s.start(), s.end()]))
                    }
                    None => (d.path.as_deref(), None, None, None),
                };
                let labels = d
                    .labels
                    .iter()
                    .filter_map(|l| {
                        let f = self.sources.get(l.span.file())?;
                        let (line, column) = f.line_col(l.span.start());
                        Some(JsonLabel { file: &f.path, line, column, span: [l.span.start(), l.span.end()], text: &l.text })
                    })
                    .collect();
                JsonDiagnostic {
                    severity: d.severity,
                    code: d.code,
                    message: &d.message,
                    help: d.help.as_deref(),
                    file,
                    line,
                    column,
                    span,
                    labels,
                }
            })
            .collect();
        serde_json::to_string_pretty(&items).unwrap_or_else(|_| String::from("[]"))
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_short())?;
        f.write_str(&self.summary())
    }
}

impl std::error::Error for Diagnostics {}

/// Sort into a stable order (file path, position, severity, code, message) and drop exact
/// repeats.
pub(crate) fn sort(sources: &[SourceFile], items: &mut Vec<Diagnostic>) {
    // Borrowed, so comparing makes nothing: a large tender has a warning for every bid, and
    // its list is sorted where it is made and again where it is printed (then it is in
    // order already, and checking that is one pass).
    fn key<'d>(sources: &'d [SourceFile], d: &'d Diagnostic) -> (&'d str, u32, Severity, &'static str, &'d str) {
        let (path, start) = match d.primary() {
            Some(s) => (sources.get(s.file()).map_or("", |f| f.path.as_str()), s.start),
            None => (d.path.as_deref().unwrap_or_default(), 0),
        };
        (path, start, d.severity, d.code, d.message.as_str())
    }
    if !items.is_sorted_by(|a, b| key(sources, a) <= key(sources, b)) {
        items.sort_by(|a, b| key(sources, a).cmp(&key(sources, b)));
    }
    items.dedup_by(|a, b| {
        a.code == b.code && a.message == b.message && a.primary().map(|s| (s.file, s.start)) == b.primary().map(|s| (s.file, s.start))
    });
}

/// `path:line:col` of a diagnostic's primary place among `sources`.
pub(crate) fn locate(sources: &[SourceFile], d: &Diagnostic) -> String {
    match d.primary() {
        Some(s) => match sources.get(s.file()) {
            Some(f) => {
                let (l, c) = f.line_col(s.start());
                format!("{}:{l}:{c}", f.path)
            }
            None => String::from("<unknown>"),
        },
        None => d.path.clone().unwrap_or_default(),
    }
}

/// "1 error", "2 errors".
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// ``… and 3 more errors not shown: 2 × `a`, 1 × `b` `` (most frequent code first), or
/// nothing when none is hidden.
fn not_shown<'a>(hidden: impl Iterator<Item = &'a Diagnostic>, noun: &str) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut total = 0usize;
    for d in hidden {
        total = total.saturating_add(1);
        match counts.iter_mut().find(|(c, _)| *c == d.code) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => counts.push((d.code, 1)),
        }
    }
    if total == 0 {
        return None;
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = counts.iter().map(|(c, n)| format!("{n} × `{c}`")).collect();
    Some(format!("… and {} not shown: {}\n\n", plural(total, noun), list.join(", ")))
}

/// A diagnostic adapted to miette: the primary file is the source; labels in other files
/// become related notes with their own source. Every text is escaped for a terminal, and
/// every span is moved to where it falls in the escaped source.
#[derive(Debug)]
struct Rendered<'a> {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Arc<SafeSource<'a>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered<'a>>,
}

impl<'a> Rendered<'a> {
    fn new(all: &'a Diagnostics, d: &Diagnostic, cache: &mut [Option<Arc<SafeSource<'a>>>]) -> Rendered<'a> {
        let mut safe = |id: FileId| -> Option<Arc<SafeSource<'a>>> {
            let slot = cache.get_mut(id)?;
            if slot.is_none() {
                *slot = all.sources.get(id).map(|f| Arc::new(SafeSource::new(f)));
            }
            slot.clone()
        };
        let primary_file = d.primary().map(|s| s.file());
        let source = primary_file.and_then(&mut safe);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for (i, l) in d.labels.iter().enumerate() {
            let text = if l.text.is_empty() { None } else { Some(escape_line(&l.text).into_owned()) };
            if Some(l.span.file()) == primary_file {
                let range = source.as_ref().map_or(0..0, |s| s.range(l.span));
                labels.push(if i == 0 { LabeledSpan::new_primary_with_span(text, range) } else { LabeledSpan::new_with_span(text, range) });
            } else if let Some(other) = safe(l.span.file()) {
                let range = other.range(l.span);
                related.push(Rendered {
                    message: escape_line(&l.text).into_owned(),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    labels: vec![LabeledSpan::new_with_span(text, range)],
                    source: Some(other),
                    related: Vec::new(),
                });
            }
        }
        let message = match (&source, &d.path) {
            (None, Some(p)) => format!("{}: {}", escape_line(p), escape_line(&d.message)),
            _ => escape_line(&d.message).into_owned(),
        };
        Rendered {
            message,
            code: d.code.to_owned(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            help: d.help.as_deref().map(|h| escape_line(h).into_owned()),
            source,
            labels,
            related,
        }
    }
}

/// A file as miette shows it: path and text with control characters escaped (line breaks
/// and tabs kept: miette lays those out itself), spans moved to match, and the header's
/// `line:col` those of the file as read (columns in characters, as everywhere else).
struct SafeSource<'a> {
    name: String,
    original: &'a SourceFile,
    escaped: Escaped<'a>,
}

impl fmt::Debug for SafeSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SafeSource").field("name", &self.name).finish_non_exhaustive()
    }
}

impl<'a> SafeSource<'a> {
    fn new(f: &'a SourceFile) -> SafeSource<'a> {
        SafeSource { name: escape_line(&f.path).into_owned(), escaped: escape(&f.text, Keep::Layout), original: f }
    }

    /// Where `span` falls in the escaped text.
    fn range(&self, span: Span) -> std::ops::Range<usize> {
        let start = self.escaped.forward(span.start());
        start..self.escaped.forward(span.end().max(span.start())).max(start)
    }
}

impl SourceCode for SafeSource<'_> {
    fn read_span<'s>(&'s self, span: &SourceSpan, before: usize, after: usize) -> Result<Box<dyn SpanContents<'s> + 's>, MietteError> {
        let inner = self.escaped.text.as_ref().read_span(span, before, after)?;
        let start = inner.span().offset();
        // The same line and (with no context lines, as for the header) column as `line_col`
        // gives for the original text.
        let (line, column) = self.original.line_col(self.escaped.backward(start));
        let column = if before == 0 { column.saturating_sub(1) } else { inner.column() };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line.saturating_sub(1),
            column,
            inner.line_count(),
        )))
    }
}

/// Whether `c` must never reach a terminal raw: the C0 controls (line feed and tab
/// included), DEL, the C1 controls (U+0080–U+009F, `\u{9b}` is a CSI) and the Unicode
/// bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which
/// reorder what is shown.
pub(crate) fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Which control characters a text may keep, because they are its layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// None: the text is one line (a message, a name, a path, a title).
    Nothing,
    /// Line feeds: a table cell, whose lines the table draws.
    LineFeeds,
    /// Line feeds, a carriage return before a line feed, tabs: a source file shown by
    /// miette, which breaks lines and expands tabs itself.
    Layout,
}

/// `s` with every control character (see [`is_control`]) a terminal must not receive written
/// as `\u{…}` (its code point in hexadecimal, as in Rust: ESC is `\u{1b}`), except those
/// `keep` allows. So that `\u{` in the output always starts an escape, backslashes right
/// before an escape or before `u{` are doubled. Text with nothing to escape is returned as
/// it is.
pub(crate) fn escape_controls(s: &str, keep: Keep) -> Cow<'_, str> {
    escape(s, keep).text
}

/// `s` safe for a terminal: every control character a terminal must not receive (C0 but
/// line feeds, DEL, C1, bidi controls) written as `\u{…}`, as in every human report and
/// diagnostic. For messages a program prints itself (the command line's `error: …`).
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    escape_controls(s, Keep::LineFeeds)
}

/// [`escape_controls`] for a one-line text.
pub(crate) fn escape_line(s: &str) -> Cow<'_, str> {
    escape_controls(s, Keep::Nothing)
}

/// Escaped text, and where it differs from the original (to move spans).
#[derive(Debug, Default)]
struct Escaped<'a> {
    text: Cow<'a, str>,
    /// Each changed character, in order: its offset and length in the original, and the
    /// length of what replaced it (always longer).
    changes: Vec<(usize, usize, usize)>,
}

impl Escaped<'_> {
    /// The offset in the escaped text of `offset` in the original.
    fn forward(&self, offset: usize) -> usize {
        let mut moved = offset;
        for &(_, from, to) in self.changes.iter().take_while(|c| c.0 < offset) {
            // Offsets stay within the escaped text's length: no overflow.
            moved = moved.saturating_add(to.saturating_sub(from));
        }
        moved
    }

    /// The offset in the original of `offset` in the escaped text (the start of the
    /// character, when it falls inside an escape).
    fn backward(&self, offset: usize) -> usize {
        let mut delta = 0usize;
        for &(at, from, to) in &self.changes {
            let new_at = at.saturating_add(delta);
            if new_at >= offset {
                break;
            }
            if offset < new_at.saturating_add(to) {
                return at;
            }
            delta = delta.saturating_add(to.saturating_sub(from));
        }
        offset.saturating_sub(delta)
    }
}

fn escape(s: &str, keep: Keep) -> Escaped<'_> {
    // Whether the character at byte `at` is written as an escape.
    let escaped_at = |at: usize| {
        let mut rest = s.get(at..).unwrap_or("").chars();
        rest.next().is_some_and(|c| {
            is_control(c)
                && match keep {
                    Keep::Nothing => true,
                    Keep::LineFeeds => c != '\n',
                    Keep::Layout => !(c == '\n' || c == '\t' || (c == '\r' && rest.next() == Some('\n'))),
                }
        })
    };
    // Most text has nothing to escape: no copy.
    let plain = |c: char| !is_control(c) || matches!((keep, c), (Keep::LineFeeds | Keep::Layout, '\n') | (Keep::Layout, '\t'));
    if s.chars().all(plain) && !s.contains("\\u{") {
        return Escaped { text: Cow::Borrowed(s), changes: Vec::new() };
    }
    let mut text = String::with_capacity(s.len());
    let mut changes = Vec::new();
    // For the run of backslashes being copied: where it ends, and whether each is doubled.
    let mut run: Option<(usize, bool)> = None;
    for (at, c) in s.char_indices() {
        if escaped_at(at) {
            let e = format!("\\u{{{:x}}}", u32::from(c));
            changes.push((at, c.len_utf8(), e.len()));
            text.push_str(&e);
        } else if c == '\\' {
            let double = match run {
                Some((end, double)) if at < end => double,
                _ => {
                    let run_len = s.get(at..).map_or(0, |r| r.bytes().take_while(|b| *b == b'\\').count());
                    let end = at.saturating_add(run_len);
                    let double = escaped_at(end) || s.get(end..).is_some_and(|r| r.starts_with("u{"));
                    run = Some((end, double));
                    double
                }
            };
            if double {
                changes.push((at, 1, 2));
                text.push('\\');
            }
            text.push('\\');
        } else {
            text.push(c);
        }
    }
    Escaped { text: Cow::Owned(text), changes }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() { None } else { Some(Box::new(&self.code)) }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_deref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() { None } else { Some(Box::new(self.labels.iter().cloned())) }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() { None } else { Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic))) }
    }
}

/// The closest valid name to `given`, if one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(given: &str, valid: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let cutoff = (given.chars().count() / 3).max(1);
    valid
        .into_iter()
        .map(|v| (strsim::damerau_levenshtein(given, v), v))
        .filter(|(d, v)| *d <= cutoff && *v != given)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, v)| v)
}

/// "`a`, `b` or `c`".
pub(crate) fn one_of_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_list(items, "or")
}

/// "`a`, `b` and `c`".
pub(crate) fn all_of_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_list(items, "and")
}

fn join_list<'a>(items: impl IntoIterator<Item = &'a str>, word: &str) -> String {
    let items: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {word} {last}", rest.join(", ")),
    }
}
