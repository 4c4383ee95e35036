//! The config file a [`Config`](crate::Config) was read from: reading it
//! (within the size limit), recognising its syntax, and what a watch
//! compares to notice a change.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::{self, Syntax};
use crate::error::Error;
use crate::model::Model;

/// What `stat` says of the file behind a path (symlinks followed): a save
/// by rename or a ConfigMap symlink swap changes the identity, an edit in
/// place the time or size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    /// Device and inode (Unix).
    identity: (u64, u64),
}

impl Stamp {
    /// The stamp of the file at `path`, or `None` if it cannot be read now
    /// (mid-rename, removed).
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt as _;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let identity = (0, 0);
        Some(Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            identity,
        })
    }
}

/// A hash of a config's bytes: a reload is only attempted when it differs.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// A config file and the version of it last read.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    /// The path made absolute against the working directory when first
    /// read (symlinks kept, so a watch sees them swapped), so a later
    /// `chdir` does not make a reload read another file.
    pub(crate) path: PathBuf,
    /// The path as given, for messages.
    pub(crate) shown: String,
    /// The file's stamp taken just before it was read.
    pub(crate) stamp: Option<Stamp>,
    /// The hash of the bytes read.
    pub(crate) hash: u64,
}

/// A config file's bytes, read now.
#[derive(Debug)]
pub(crate) struct Read {
    /// The file.
    pub(crate) source: Source,
    /// What it holds.
    pub(crate) bytes: Vec<u8>,
}

/// Reads the config file at `path`, at most one byte past the size limit
/// (so `/dev/zero` is "too large", not the end of the memory).
pub(crate) fn read(
    path: &Path,
    unreadable: impl FnOnce(std::io::Error) -> Error,
) -> Result<Read, Error> {
    read_with(path, path.display().to_string(), unreadable)
}

/// [`read`], naming the file `shown` in messages.
pub(crate) fn read_as(path: &Path, shown: String) -> Result<Read, Error> {
    read_with(path, shown, Error::io("read logging config", path))
}

/// [`read_as`], with `unreadable` making the error of a file that cannot
/// be read.
fn read_with(
    path: &Path,
    shown: String,
    unreadable: impl FnOnce(std::io::Error) -> Error,
) -> Result<Read, Error> {
    let stamp = Stamp::of(path);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(config::MAX_CONFIG_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(unreadable)?;
    Ok(Read {
        source: Source {
            path: crate::handler::file::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            shown,
            stamp,
            hash: hash(&bytes),
        },
        bytes,
    })
}

impl Read {
    /// Parses and checks the bytes: JSON if the name ends in `.json`, YAML
    /// otherwise; `${VAR}` from the process's environment.
    pub(crate) fn load(&self) -> Result<Model, Error> {
        let syntax = match self.source.path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Yaml,
        };
        config::load(&self.bytes, &self.source.shown, syntax)
    }
}
