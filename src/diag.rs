//! Diagnostics: every problem found in the inputs, located in its file, with a stable code.
//!
//! Loading and validation push [`Diagnostic`]s into a list and never stop at the first;
//! [`Diagnostics`] carries them with the sources they point into, sorted in a stable
//! order, and renders them for people (miette) or programs (JSON). Nothing here prints.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

/// Index of a file in [`Diagnostics::sources`] / [`crate::Inputs::sources`].
pub type FileId = usize;

/// A byte range in one input file.
///
/// Spans are where a value came from, not part of what it is: two spans always compare
/// equal, so models loaded from different text with the same values are equal.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Span {
    /// A span in `file` from `start` to `end`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start, end }
    }
}

/// One input file as read: its path as given and its text (BOM removed).
#[derive(Clone)]
pub struct SourceFile {
    /// The path as the user gave it (directory entries joined to it).
    pub path: String,
    /// The UTF-8 text, without a leading byte-order mark.
    pub text: String,
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
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
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

    /// One line per problem: `path:line:col: error[code]: message`.
    pub fn render_short(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!("{}: {sev}[{}]: {}\n", self.location(d), d.code, d.message));
        }
        out
    }

    /// The closing count, e.g. "3 errors in 2 files".
    pub fn summary(&self) -> String {
        let errors = self.error_count();
        let warnings = self.items.len() - errors;
        let mut files: Vec<String> = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| match d.primary() {
                Some(s) => self.sources.get(s.file).map_or(String::new(), |f| f.path.clone()),
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

    /// Rendered for a person, at most `limit` warnings in full (every error is shown); the
    /// rest are counted by code, so ten thousand bids without provenance stay readable.
    pub fn render_human_limited(&self, color: bool, limit: usize) -> String {
        let mut warnings = 0;
        let (shown, rest): (Vec<&Diagnostic>, Vec<&Diagnostic>) = self.items.iter().partition(|d| {
            if d.severity == Severity::Error {
                return true;
            }
            warnings += 1;
            warnings <= limit
        });
        let mut out = self.render_items(shown, color);
        if !rest.is_empty() {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for d in rest {
                match counts.iter_mut().find(|(c, _)| *c == d.code) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((d.code, 1)),
                }
            }
            let list: Vec<String> = counts.iter().map(|(c, n)| format!("{n} × `{c}`")).collect();
            out.push_str(&format!("… and {} not shown: {}\n\n", plural(counts.iter().map(|x| x.1).sum(), "more warning"), list.join(", ")));
        }
        out
    }

    /// Rendered for a person: path:line:col, the source line, a caret, the code and help.
    pub fn render_human(&self, color: bool) -> String {
        self.render_items(self.items.iter(), color)
    }

    fn render_items<'a>(&self, items: impl IntoIterator<Item = &'a Diagnostic>, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
        let mut out = String::new();
        for d in items {
            let report = Rendered::new(self, d);
            let mut s = String::new();
            if handler.render_report(&mut s, &report).is_err() {
                s = format!("{}: {}\n", self.location(d), d.message);
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
                let primary = d.primary().and_then(|s| self.sources.get(s.file).map(|f| (f, s)));
                let (file, line, column, span) = match primary {
                    Some((f, s)) => {
                        let (l, c) = f.line_col(s.start);
                        (Some(f.path.as_str()), Some(l), Some(c), Some([s.start, s.end]))
                    }
                    None => (d.path.as_deref(), None, None, None),
                };
                let labels = d
                    .labels
                    .iter()
                    .filter_map(|l| {
                        let f = self.sources.get(l.span.file)?;
                        let (line, column) = f.line_col(l.span.start);
                        Some(JsonLabel { file: &f.path, line, column, span: [l.span.start, l.span.end], text: &l.text })
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
    let key = |d: &Diagnostic| {
        let (path, start) = match d.primary() {
            Some(s) => (sources.get(s.file).map_or("", |f| f.path.as_str()).to_owned(), s.start),
            None => (d.path.clone().unwrap_or_default(), 0),
        };
        (path, start, d.severity, d.code, d.message.clone())
    };
    items.sort_by_cached_key(key);
    items.dedup_by(|a, b| {
        a.code == b.code && a.message == b.message && a.primary().map(|s| (s.file, s.start)) == b.primary().map(|s| (s.file, s.start))
    });
}

/// `path:line:col` of a diagnostic's primary place among `sources`.
pub(crate) fn locate(sources: &[SourceFile], d: &Diagnostic) -> String {
    match d.primary() {
        Some(s) => match sources.get(s.file) {
            Some(f) => {
                let (l, c) = f.line_col(s.start);
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

/// A diagnostic adapted to miette: the primary file is the source; labels in other files
/// become related notes with their own source.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl Rendered {
    fn new(all: &Diagnostics, d: &Diagnostic) -> Rendered {
        let primary_file = d.primary().map(|s| s.file);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for (i, l) in d.labels.iter().enumerate() {
            let text = if l.text.is_empty() { None } else { Some(l.text.clone()) };
            let span = LabeledSpan::new_with_span(text.clone(), l.span.start..l.span.end.max(l.span.start));
            if Some(l.span.file) == primary_file {
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(text, l.span.start..l.span.end.max(l.span.start))
                } else {
                    span
                });
            } else if let Some(f) = all.sources.get(l.span.file) {
                related.push(Rendered {
                    message: l.text.clone(),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(NamedSource::new(f.path.clone(), f.text.clone())),
                    labels: vec![span],
                    related: Vec::new(),
                });
            }
        }
        let source = primary_file.and_then(|id| all.sources.get(id)).map(|f| NamedSource::new(f.path.clone(), f.text.clone()));
        let message = match (&source, &d.path) {
            (None, Some(p)) => format!("{p}: {}", d.message),
            _ => d.message.clone(),
        };
        Rendered {
            message,
            code: d.code.to_owned(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source,
            labels,
            related,
        }
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
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
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
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
