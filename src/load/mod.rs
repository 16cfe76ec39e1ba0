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
                Span::new(id, at, at + 1),
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
pub(crate) fn read_paths(criteria: &Path, others: &[PathBuf]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    read_file(criteria, &mut files, &mut diags, &mut seen);
    for p in others {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = match fs::read_dir(p) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "toml"))
                    .collect(),
                Err(e) => {
                    diags.push(Diagnostic::at_path("unreadable-path", display(p), format!("cannot read directory: {e}")));
                    continue;
                }
            };
            entries.sort();
            if entries.is_empty() {
                diags.push(
                    Diagnostic::at_path("empty-directory", display(p), "directory has no `.toml` files")
                        .with_help("give the directory that holds the bid files, or the files themselves"),
                );
            }
            for f in entries {
                read_file(&f, &mut files, &mut diags, &mut seen);
            }
        } else {
            read_file(p, &mut files, &mut diags, &mut seen);
        }
    }
    (files, diags)
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_file(p: &Path, files: &mut Vec<SourceFile>, diags: &mut Vec<Diagnostic>, seen: &mut HashSet<PathBuf>) {
    // The same file named twice (a directory and a file in it) is read once.
    let canonical = fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if !seen.insert(canonical) {
        return;
    }
    let path = display(p);
    let meta = match fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            diags
                .push(Diagnostic::at_path("unreadable-path", path, format!("cannot read: {}", io_message(&e))).with_help("check the path"));
            return;
        }
    };
    if meta.len() > MAX_FILE_BYTES {
        diags.push(
            Diagnostic::at_path(
                "file-too-large",
                path,
                format!("file is {} bytes, over the limit of {MAX_FILE_BYTES} bytes (16 MiB)", meta.len()),
            )
            .with_help("criteria, bid and panel files are small; check that this is the right file"),
        );
        return;
    }
    let mut bytes = Vec::new();
    // Read at most one byte past the limit in case the file grew since `metadata`.
    let read = fs::File::open(p).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        diags.push(Diagnostic::at_path("unreadable-path", path, format!("cannot read: {}", io_message(&e))));
        return;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        diags.push(Diagnostic::at_path("file-too-large", path, format!("file is over the limit of {MAX_FILE_BYTES} bytes (16 MiB)")));
        return;
    }
    let (file, diag) = source_from_bytes(files.len(), path, &bytes);
    files.push(file);
    diags.extend(diag);
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => String::from("no such file or directory"),
        std::io::ErrorKind::PermissionDenied => String::from("permission denied"),
        _ => e.to_string().to_lowercase(),
    }
}
