//! Writing a report file: atomically (a temporary file in the same directory, created
//! exclusively under an unpredictable name, then a rename), never over an input (also
//! through a symbolic or hard link), never onto something that is not a regular file, and
//! never leaving a partial file behind.
//!
//! A destination that is a symbolic link is written through: the file it points to is
//! replaced, the link is kept. A FIFO, a device or a directory is refused, as is a dangling
//! link. The binary also removes the temporary file when it is interrupted
//! ([`PendingFile::temp_path`] says which file that is).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output path is one of the input files (or a link to one).
    #[error("refusing to write the report over the input file `{0}`")]
    WouldOverwriteInput(String),
    /// The output path exists and is not a regular file.
    #[error(
        "refusing to write the report to `{path}`: it is {kind}, not a regular file; give a file path (omit `--output` to print the report)"
    )]
    NotRegular {
        /// The output path.
        path: String,
        /// What it is ("a FIFO (named pipe)", "a directory", …).
        kind: &'static str,
    },
    /// The output path is a read-only file (as the shell's `>` would, it is not replaced).
    #[error("refusing to write the report to `{0}`: the file is read-only; make it writable or give another path")]
    ReadOnly(String),
    /// The directory the report would go in does not exist.
    #[error("cannot write `{path}`: the directory `{dir}` does not exist")]
    NoDirectory {
        /// The output path.
        path: String,
        /// Its directory.
        dir: String,
    },
    /// The output path is a symbolic link to nothing.
    #[error("refusing to write the report to `{0}`: it is a symbolic link to nothing; remove the link or give another path")]
    DanglingLink(String),
    /// Creating, writing or renaming failed; the old file, if any, is untouched and the
    /// temporary file is removed.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The output path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// A report being written: a temporary file beside its destination, renamed over it by
/// [`PendingFile::commit`]; dropped without a commit, it is removed.
#[derive(Debug)]
pub struct PendingFile {
    temp: tempfile::NamedTempFile,
    /// The file replaced: the path given, or what a symbolic link there points to.
    dest: PathBuf,
    /// The path as given, for messages.
    shown: String,
}

impl PendingFile {
    /// Check where `path` may be written and create the temporary file beside it.
    ///
    /// # Errors
    /// [`OutputError::WouldOverwriteInput`], [`OutputError::NotRegular`] or
    /// [`OutputError::DanglingLink`] if the report must not go there; [`OutputError::Io`] if
    /// the temporary file cannot be created.
    pub fn create(path: &Path, inputs: &[PathBuf]) -> Result<PendingFile, OutputError> {
        let shown = path.to_string_lossy().into_owned();
        let io = |source| OutputError::Io { path: shown.clone(), source };
        let (dest, existing) = match fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (path.to_path_buf(), None),
            Err(e) => return Err(io(e)),
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::canonicalize(path).map_err(|_| OutputError::DanglingLink(shown.clone()))?;
                let meta = fs::metadata(&target).map_err(io)?;
                (target, Some(meta))
            }
            Ok(m) => (path.to_path_buf(), Some(m)),
        };
        if let Some(m) = &existing {
            if !m.is_file() {
                return Err(OutputError::NotRegular { path: shown, kind: crate::load::kind_of(m.file_type()) });
            }
            if let Some(p) = inputs.iter().find(|i| fs::metadata(i).is_ok_and(|im| same_file(&im, m, i, &dest))) {
                return Err(OutputError::WouldOverwriteInput(p.to_string_lossy().into_owned()));
            }
            if m.permissions().readonly() {
                return Err(OutputError::ReadOnly(shown));
            }
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(OutputError::NoDirectory { path: shown, dir: dir.to_string_lossy().into_owned() });
        }
        let name = dest.file_name().map_or_else(|| String::from("report"), |n| n.to_string_lossy().into_owned());
        // The temporary name must fit where the destination's does (255 bytes).
        let mut cut = name.len().min(100);
        while !name.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        let stem = name.get(..cut).unwrap_or("report");
        // Exclusive creation under a random name: nothing planted there can be written
        // through. A new report gets the permissions the shell's `>` would give it (0666
        // less the umask, applied by the system as the file is created); a replaced one
        // keeps the old file's.
        let prefix = format!(".{stem}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        if existing.is_none()
            && let Some(p) = new_file_permissions()
        {
            builder.permissions(p);
        }
        let temp = builder.tempfile_in(&dir).map_err(io)?;
        if let Some(m) = &existing {
            fs::set_permissions(temp.path(), m.permissions()).map_err(io)?;
        }
        Ok(PendingFile { temp, dest, shown })
    }

    /// The temporary file, to remove if the process is interrupted before the commit.
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Append `bytes` to the report.
    ///
    /// # Errors
    /// [`OutputError::Io`] (a full disk, say).
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        self.temp.as_file_mut().write_all(bytes).map_err(|source| OutputError::Io { path: self.shown.clone(), source })
    }

    /// The report file as a writer (buffer it: each write goes to the file).
    pub fn writer(&mut self) -> PendingWriter<'_> {
        PendingWriter(self)
    }

    /// An error writing the report file, naming it.
    pub fn error(&self, source: std::io::Error) -> OutputError {
        OutputError::Io { path: self.shown.clone(), source }
    }

    /// Flush to disk and rename over the destination.
    ///
    /// # Errors
    /// [`OutputError::Io`]; the temporary file is then removed and the old file kept.
    pub fn commit(self) -> Result<(), OutputError> {
        let PendingFile { temp, dest, shown } = self;
        let io = |source| OutputError::Io { path: shown.clone(), source };
        temp.as_file().sync_all().map_err(io)?;
        temp.persist(&dest).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// A [`PendingFile`] as an [`std::io::Write`].
#[derive(Debug)]
pub struct PendingWriter<'a>(&'a mut PendingFile);

impl Write for PendingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.temp.as_file_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.temp.as_file_mut().flush()
    }
}

/// Write `contents` to `path` atomically, refusing if `path` is any of `inputs` or not a
/// regular file.
///
/// # Errors
/// As [`PendingFile::create`], [`PendingFile::write_all`] and [`PendingFile::commit`]; on
/// any error the old file is untouched and no temporary file is left.
pub fn write_atomic(path: &Path, contents: &[u8], inputs: &[PathBuf]) -> Result<(), OutputError> {
    let mut f = PendingFile::create(path, inputs)?;
    f.write_all(contents)?;
    f.commit()
}

/// The same file: the same device and inode (so hard links count), or elsewhere the same
/// canonical path.
#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata, _: &Path, _: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata, a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}
