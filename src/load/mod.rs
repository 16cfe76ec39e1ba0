//! Loading: paths → files (I/O lives here and in the binary, nowhere else) → raw trees.
//!
//! Reads files and directories, refuses oversized or non-UTF-8 files with a located
//! diagnostic, strips a byte-order mark and hashes the bytes. What a document *is* (criteria,
//! bid or panel) and everything after is decided in `model`: nothing here knows tenders.

pub(crate) mod node;
pub(crate) mod reader;
pub(crate) mod toml_out;

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, FileId, SourceFile, Span};

/// Files larger than this are refused without being read in full.
pub(crate) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// All files together may hold at most this much, unless raised (`--max-input-bytes`).
pub(crate) const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// How much may be read: each file, and all of them together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most one file may hold (16 MiB unless changed).
    pub max_file_bytes: u64,
    /// The most all files together may hold (256 MiB unless changed).
    pub max_total_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits { max_file_bytes: MAX_FILE_BYTES, max_total_bytes: MAX_TOTAL_BYTES }
    }
}

/// A source from bytes: checks UTF-8, strips a BOM, hashes. Non-UTF-8 input yields a
/// diagnostic at the first bad byte (the returned file then holds the lossy text).
pub fn source_from_bytes(id: FileId, path: String, bytes: &[u8]) -> (SourceFile, Option<Diagnostic>) {
    let sha256 = hex(&Sha256::digest(bytes));
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_owned();
            (SourceFile { path, text, sha256 }, None)
        }
        Err(e) => {
            let at = e.valid_up_to();
            let byte = bytes.get(at).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(bytes).into_owned();
            let d = Diagnostic::error(
                "not-utf8",
                Span::new(id, at, at.saturating_add(1)),
                format!("file is not UTF-8: byte `0x{byte:02x}` at offset {at} is invalid"),
            )
            .with_label("invalid byte here")
            .with_help("save the file as UTF-8");
            (SourceFile { path, text, sha256 }, Some(d))
        }
    }
}

impl SourceFile {
    /// A source from text (for the library API and tests): the hash is of the text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let (mut f, _) = source_from_bytes(0, path.into(), text.as_bytes());
        f.text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
        f
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Read the criteria file and every bid/panel path (files, or directories whose `*.toml`
/// files are read in name order). Returns the files read (criteria first) and problems.
///
/// Nothing is skipped in silence: in a directory, an entry that is not a `.toml` file, a
/// subdirectory or a link to one is a warning; a dangling link, a link loop, a FIFO, a
/// device or an unreadable file is an error. Nothing blocks: a FIFO is opened without
/// waiting for a writer and refused.
pub(crate) fn read_paths(criteria: &Path, others: &[PathBuf], limits: ReadLimits) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut r = Reader { files: Vec::new(), diags: Vec::new(), seen: HashSet::new(), total: 0, limits, stopped: None };
    r.read_file(criteria);
    for p in others {
        if fs::metadata(p).is_ok_and(|m| m.is_dir()) {
            r.read_dir(p);
        } else {
            r.read_file(p);
        }
    }
    if let Some((at, skipped)) = r.stopped.take() {
        r.diags.push(
            Diagnostic::at_path(
                "input-too-large",
                at,
                match skipped {
                    0 => format!("the input files together are over the limit of {} bytes; this file was not read", limits.max_total_bytes),
                    n => format!(
                        "the input files together are over the limit of {} bytes; this file and {} after it were not read",
                        limits.max_total_bytes,
                        crate::diag::plural(n, "other file")
                    ),
                },
            )
            .with_help("check that these are the right files, or raise the limit with `--max-input-bytes`"),
        );
    }
    (r.files, r.diags)
}

struct Reader {
    files: Vec<SourceFile>,
    diags: Vec<Diagnostic>,
    /// Files already read, by identity: the same file named twice, or through a link or a
    /// hard link, is read once.
    seen: HashSet<FileKey>,
    total: u64,
    limits: ReadLimits,
    /// The file at which the total limit was reached, and how many were not read after it.
    stopped: Option<(String, usize)>,
}

#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

#[cfg(unix)]
fn file_key(_: &Path, m: &fs::Metadata) -> FileKey {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_key(p: &Path, _: &fs::Metadata) -> FileKey {
    fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Open for reading without blocking on a FIFO (which then is refused by its type).
fn open(p: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(p)
}

/// What a path that is not a regular file is, in words.
pub(crate) fn kind_of(t: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a directory" } else { "not a regular file" }
}

impl Reader {
    fn read_dir(&mut self, dir: &Path) {
        let mut entries: Vec<(PathBuf, Option<fs::FileType>)> = match fs::read_dir(dir) {
            Ok(rd) => {
                let mut v = Vec::new();
                for e in rd {
                    match e {
                        Ok(e) => v.push((e.path(), e.file_type().ok())),
                        Err(e) => self.diags.push(Diagnostic::at_path(
                            "unreadable-path",
                            display(dir),
                            format!("cannot list the directory: {}", io_message(&e)),
                        )),
                    }
                }
                v
            }
            Err(e) => {
                self.diags.push(Diagnostic::at_path("unreadable-path", display(dir), format!("cannot read directory: {}", io_message(&e))));
                return;
            }
        };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut tomls = 0usize;
        for (path, kind) in entries {
            let is_toml = path.extension().is_some_and(|x| x.eq_ignore_ascii_case("toml"));
            let is_link = kind.is_some_and(|k| k.is_symlink());
            // A link is judged by what it points to; a broken one is an error, whatever its name.
            let target =
                if is_link { fs::metadata(&path).map(|m| m.file_type()) } else { kind.ok_or_else(|| std::io::Error::other("unknown")) };
            match target {
                Err(e) if is_link => {
                    let why = if e.raw_os_error() == Some(40) || e.to_string().contains("symbolic links") {
                        String::from("is a symbolic link loop")
                    } else if e.kind() == std::io::ErrorKind::NotFound {
                        String::from("is a symbolic link to nothing (dangling)")
                    } else {
                        format!("is a symbolic link that cannot be followed: {}", io_message(&e))
                    };
                    self.diags.push(
                        Diagnostic::at_path("unreadable-path", display(&path), format!("cannot read: {why}"))
                            .with_help("remove the link from the bids directory, or point it at the bid file"),
                    );
                }
                Ok(t) if t.is_dir() => self.diags.push(
                    warning_at_path("skipped-entry", display(&path), "not read: a directory inside a bids directory is not searched")
                        .with_help("give the subdirectory as its own argument to read the files in it"),
                ),
                _ if is_toml => {
                    tomls = tomls.saturating_add(1);
                    self.read_file(&path);
                }
                _ => self.diags.push(
                    warning_at_path("skipped-entry", display(&path), "not read: only `.toml` files in a directory are read")
                        .with_help("name bid and panel files `*.toml`, and keep other files out of the bids directory"),
                ),
            }
        }
        if tomls == 0 {
            self.diags.push(
                Diagnostic::at_path("empty-directory", display(dir), "directory has no `.toml` files")
                    .with_help("give the directory that holds the bid files, or the files themselves"),
            );
        }
    }

    fn read_file(&mut self, p: &Path) {
        if let Some((_, skipped)) = &mut self.stopped {
            *skipped = skipped.saturating_add(1);
            return;
        }
        let path = display(p);
        let unreadable = |e: &std::io::Error| {
            Diagnostic::at_path("unreadable-path", path.clone(), format!("cannot read: {}", io_message(e))).with_help("check the path")
        };
        let file = match open(p) {
            Ok(f) => f,
            Err(e) => {
                // A socket cannot be opened at all (ENXIO): say what it is.
                match fs::metadata(p) {
                    Ok(m) if !m.is_file() && !m.is_dir() => self.diags.push(not_a_file(path, m.file_type())),
                    _ => self.diags.push(unreadable(&e)),
                }
                return;
            }
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => {
                self.diags.push(unreadable(&e));
                return;
            }
        };
        if !meta.is_file() {
            self.diags.push(not_a_file(path, meta.file_type()));
            return;
        }
        if !self.seen.insert(file_key(p, &meta)) {
            return;
        }
        let max = self.limits.max_file_bytes;
        if meta.len() > max {
            self.diags.push(
                Diagnostic::at_path(
                    "file-too-large",
                    path,
                    format!("file is {} bytes, over the limit of {max} bytes ({})", meta.len(), mib(max)),
                )
                .with_help("criteria, bid and panel files are small; check that this is the right file"),
            );
            return;
        }
        if self.total.saturating_add(meta.len()) > self.limits.max_total_bytes {
            self.stopped = Some((path, 0));
            return;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        // Read at most one byte past either limit, in case the file grew since `metadata` (or
        // says it is empty, as some file systems do).
        let room = self.limits.max_total_bytes.saturating_sub(self.total);
        if let Err(e) = file.take(max.min(room).saturating_add(1)).read_to_end(&mut bytes) {
            self.diags.push(unreadable(&e));
            return;
        }
        let len = bytes.len() as u64;
        if len > max {
            self.diags.push(Diagnostic::at_path("file-too-large", path, format!("file is over the limit of {max} bytes ({})", mib(max))));
            return;
        }
        if len > room {
            self.stopped = Some((path, 0));
            return;
        }
        self.total = self.total.saturating_add(len);
        let (file, diag) = source_from_bytes(self.files.len(), path, &bytes);
        self.files.push(file);
        self.diags.extend(diag);
    }
}

/// A path that is not a regular file.
fn not_a_file(path: String, t: fs::FileType) -> Diagnostic {
    Diagnostic::at_path("not-a-file", path, format!("cannot read: this is {}, not a file", kind_of(t)))
        .with_help("give criteria, bid and panel files (or a directory of them); pipes and devices are not read")
}

/// A warning about a path (there is no text to point into).
fn warning_at_path(code: &'static str, path: String, message: &str) -> Diagnostic {
    Diagnostic { severity: crate::diag::Severity::Warning, ..Diagnostic::at_path(code, path, message) }
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => String::from("no such file or directory"),
        std::io::ErrorKind::PermissionDenied => String::from("permission denied"),
        _ => e.to_string().to_lowercase(),
    }
}
