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

/// A source from bytes: checks UTF-8, strips a byte-order mark, hashes. Non-UTF-8 input yields a
/// diagnostic at the first bad byte (the returned file then holds the lossy text).
pub fn source_from_bytes(id: FileId, path: String, bytes: &[u8]) -> (SourceFile, Option<Diagnostic>) {
    source_from_vec(id, path, bytes.to_vec())
}

/// [`source_from_bytes`] taking the bytes, which become the text (copied once, into the
/// shared text every bid of the file keeps).
fn source_from_vec(id: FileId, path: String, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    let sha256 = hex(&Sha256::digest(&bytes));
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            (SourceFile { path, text: text.into(), sha256 }, None)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let byte = bytes.get(at).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let d = Diagnostic::error(
                "not-utf8",
                Span::new(id, at, at.saturating_add(1)),
                format!("file is not UTF-8: byte `0x{byte:02x}` at offset {at} is invalid"),
            )
            .with_label("invalid byte here")
            .with_help("save the file as UTF-8");
            (SourceFile { path, text: text.into(), sha256 }, Some(d))
        }
    }
}

impl SourceFile {
    /// A source from text (for the library API and tests): the hash is of the text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        // Text is UTF-8: the bytes become the file's text as they are (less a byte-order mark).
        source_from_vec(0, path.into(), text.into().into_bytes()).0
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut o = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            o.push(char::from(DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0')));
        }
    }
    o
}

/// Read the criteria file and every bid/panel path (files, or directories whose `*.toml`
/// files are read in name order). Returns the files read (criteria first) and problems.
///
/// Nothing is skipped in silence: in a directory, an entry that is not a `.toml` file, a
/// subdirectory or a link to one is a warning; a dangling link, a link loop, a FIFO, a
/// device or an unreadable file is an error. Nothing blocks: a FIFO is opened without
/// waiting for a writer and refused.
pub(crate) fn read_paths(criteria: &Path, others: &[PathBuf], limits: ReadLimits) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut r = Reader { read: Vec::new(), diags: Vec::new(), seen: HashSet::new(), total: 0, limits, stopped: None };
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
    // Checking and hashing what was read is the files' own work: on every core when there are many.
    let sources = crate::par::map_owned(r.read, |id, (path, bytes)| source_from_vec(id, path, bytes));
    let mut files = Vec::with_capacity(sources.len());
    for (file, diag) in sources {
        files.push(file);
        r.diags.extend(diag);
    }
    (files, r.diags)
}

struct Reader {
    /// Each file read, by path: its bytes, not yet checked or hashed.
    read: Vec<(String, Vec<u8>)>,
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
        let mut tomls: Vec<PathBuf> = Vec::new();
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
                _ if is_toml => tomls.push(path),
                _ => self.diags.push(
                    warning_at_path("skipped-entry", display(&path), "not read: only `.toml` files in a directory are read")
                        .with_help("name bid and panel files `*.toml`, and keep other files out of the bids directory"),
                ),
            }
        }
        if tomls.is_empty() {
            self.diags.push(
                Diagnostic::at_path("empty-directory", display(dir), "directory has no `.toml` files")
                    .with_help("give the directory that holds the bid files, or the files themselves"),
            );
        }
        self.read_files(&tomls);
    }

    /// Read `paths` in order, as [`Reader::read_file`] does one by one. Many are opened and
    /// read on every core, a window at a time: what is accepted (the same file twice, a
    /// file over its limit, the total over its limit) is still decided in order, from each
    /// file's size before it is read, so a window never reads past the total limit.
    fn read_files(&mut self, paths: &[PathBuf]) {
        use rayon::prelude::*;
        if paths.len() < crate::par::FROM {
            for p in paths {
                self.read_file(p);
            }
            return;
        }
        for window in paths.chunks(READ_WINDOW) {
            if let Some((_, skipped)) = &mut self.stopped {
                *skipped = skipped.saturating_add(window.len());
                continue;
            }
            let opened: Vec<Result<(fs::File, fs::Metadata), Option<Diagnostic>>> = window.par_iter().map(|p| open_file(p)).collect();
            // Admitted in order, by size; `over` is where the total limit is reached.
            let mut admitted: Vec<(String, fs::File, u64, u64)> = Vec::new();
            let mut total = self.total;
            let mut over: Option<(String, usize)> = None;
            for (k, (p, o)) in window.iter().zip(opened).enumerate() {
                match o.and_then(|(file, meta)| self.admit(p, &meta, total).map(|room| (file, meta, room))) {
                    Err(Some(d)) => self.diags.push(d),
                    Err(None) => {}
                    Ok((_, _, Admit::Over)) => {
                        over = Some((display(p), window.len().saturating_sub(k).saturating_sub(1)));
                        break;
                    }
                    Ok((file, meta, Admit::Room(room))) => {
                        total = total.saturating_add(meta.len());
                        admitted.push((display(p), file, meta.len(), room));
                    }
                }
            }
            let read: Vec<std::io::Result<Vec<u8>>> =
                admitted.par_iter_mut().map(|(_, file, size, room)| read_bytes(file, *size, self.limits.max_file_bytes, *room)).collect();
            for ((path, ..), bytes) in admitted.into_iter().zip(read) {
                if let Some((_, skipped)) = &mut self.stopped {
                    *skipped = skipped.saturating_add(1);
                    continue;
                }
                match bytes {
                    Ok(bytes) => self.accept(path, bytes),
                    Err(e) => self.diags.push(unreadable(path, &e)),
                }
            }
            match (&mut self.stopped, over) {
                (Some((_, skipped)), Some((_, after))) => *skipped = skipped.saturating_add(after).saturating_add(1),
                (None, Some(over)) => self.stopped = Some(over),
                (_, None) => {}
            }
        }
    }

    fn read_file(&mut self, p: &Path) {
        if let Some((_, skipped)) = &mut self.stopped {
            *skipped = skipped.saturating_add(1);
            return;
        }
        let admitted = open_file(p).and_then(|(file, meta)| self.admit(p, &meta, self.total).map(|room| (file, meta.len(), room)));
        match admitted {
            Err(d) => self.diags.extend(d),
            Ok((_, _, Admit::Over)) => self.stopped = Some((display(p), 0)),
            Ok((mut file, size, Admit::Room(room))) => match read_bytes(&mut file, size, self.limits.max_file_bytes, room) {
                Ok(bytes) => self.accept(display(p), bytes),
                Err(e) => self.diags.push(unreadable(display(p), &e)),
            },
        }
    }

    /// Whether an open file is to be read, with `total` bytes read before it: `Err` with
    /// why not (nothing for a file already read), or how much room the total leaves.
    fn admit(&mut self, p: &Path, meta: &fs::Metadata, total: u64) -> Result<Admit, Option<Diagnostic>> {
        if !self.seen.insert(file_key(p, meta)) {
            return Err(None);
        }
        let max = self.limits.max_file_bytes;
        if meta.len() > max {
            return Err(Some(
                Diagnostic::at_path(
                    "file-too-large",
                    display(p),
                    format!("file is {} bytes, over the limit of {max} bytes ({})", meta.len(), mib(max)),
                )
                .with_help("criteria, bid and panel files are small; check that this is the right file"),
            ));
        }
        if total.saturating_add(meta.len()) > self.limits.max_total_bytes {
            return Ok(Admit::Over);
        }
        Ok(Admit::Room(self.limits.max_total_bytes.saturating_sub(total)))
    }

    /// A file's bytes as read, checked against the limits again (it may have grown since its
    /// size was taken, or a file system may say it is empty).
    fn accept(&mut self, path: String, bytes: Vec<u8>) {
        let max = self.limits.max_file_bytes;
        let len = bytes.len() as u64;
        if len > max {
            self.diags.push(Diagnostic::at_path("file-too-large", path, format!("file is over the limit of {max} bytes ({})", mib(max))));
            return;
        }
        if len > self.limits.max_total_bytes.saturating_sub(self.total) {
            self.stopped = Some((path, 0));
            return;
        }
        self.total = self.total.saturating_add(len);
        self.read.push((path, bytes));
    }
}

/// Whether a file fits in what the total limit leaves.
enum Admit {
    /// Read it; so much room is left.
    Room(u64),
    /// It would take the total over its limit.
    Over,
}

/// Files opened and read on every core at a time, in a directory of many.
const READ_WINDOW: usize = 256;

/// Open a path that must be a regular file, with its metadata.
fn open_file(p: &Path) -> Result<(fs::File, fs::Metadata), Option<Diagnostic>> {
    let path = display(p);
    let file = match open(p) {
        Ok(f) => f,
        Err(e) => {
            // A socket cannot be opened at all (ENXIO): say what it is.
            return Err(Some(match fs::metadata(p) {
                Ok(m) if !m.is_file() && !m.is_dir() => not_a_file(path, m.file_type()),
                _ => unreadable(path, &e),
            }));
        }
    };
    let meta = file.metadata().map_err(|e| Some(unreadable(path.clone(), &e)))?;
    if !meta.is_file() {
        return Err(Some(not_a_file(path, meta.file_type())));
    }
    Ok((file, meta))
}

/// At most one byte past either limit (`room` is what the total limit leaves), so that a
/// file over one is known to be without being read in full; `size` is what its metadata says.
fn read_bytes(file: &mut fs::File, size: u64, max: u64, room: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(max)).unwrap_or(0));
    file.take(max.min(room).saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A file that could not be read.
fn unreadable(path: String, e: &std::io::Error) -> Diagnostic {
    Diagnostic::at_path("unreadable-path", path, format!("cannot read: {}", io_message(e))).with_help("check the path")
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
