//! Writing a report file: atomically (a temporary file in the same directory, then a
//! rename), never over an input, and never leaving a partial file behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output path is one of the input files.
    #[error("refusing to write the report over the input file `{0}`")]
    WouldOverwriteInput(String),
    /// The write or the rename failed; the old file, if any, is untouched.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The output path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Write `contents` to `path` atomically, refusing if `path` is any of `inputs`.
///
/// # Errors
/// [`OutputError::WouldOverwriteInput`] if `path` names an input file; [`OutputError::Io`]
/// if writing or renaming fails (the temporary file is removed, the old file kept).
pub fn write_atomic(path: &Path, contents: &[u8], inputs: &[PathBuf]) -> Result<(), OutputError> {
    if let Some(p) = inputs.iter().find(|i| same_file(i, path)) {
        return Err(OutputError::WouldOverwriteInput(p.to_string_lossy().into_owned()));
    }
    let io = |source| OutputError::Io { path: path.to_string_lossy().into_owned(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| String::from("report"), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}
