//! Files ossweep keeps for the user alone: journals, batch files, audit
//! reports, lifecycle backups, the throttling memory, the log and the run
//! locks name every key deleted or the account's limits. Directories are made
//! 0700 and files 0600 (on Unix; elsewhere the platform's defaults apply).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Makes `path` (and its missing parents) a directory only the user can
/// open; an existing one is narrowed to 0700.
pub fn dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// Options that create a file only the user can read (0600).
fn options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    o.mode(0o600);
    o
}

/// Opens `path` for appending, creating it 0600 (an existing file keeps its mode).
pub fn append(path: &Path) -> io::Result<File> {
    options().create(true).append(true).open(path)
}

/// Creates `path`, which must not exist yet, 0600.
pub fn create_new(path: &Path) -> io::Result<File> {
    options().write(true).create_new(true).open(path)
}

/// Opens (or creates, 0600) `path` for reading and writing, leaving its content.
pub fn open_rw(path: &Path) -> io::Result<File> {
    options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Writes `path` so that a reader (or a crash) sees the old or the new
/// content, never a mix: a 0600 temporary file beside it, then a rename.
pub fn write_atomically(path: &Path, text: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text));
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_the_users_alone() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state/ossweep");
        dir(&state).unwrap();
        assert_eq!(mode(&state), 0o700);
        // An existing, wider directory is narrowed.
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
        dir(&state).unwrap();
        assert_eq!(mode(&state), 0o700);
        let journal = state.join("j.json");
        write_atomically(&journal, b"{}").unwrap();
        assert_eq!(mode(&journal), 0o600);
        write_atomically(&journal, b"{\"a\":1}").unwrap();
        assert_eq!(std::fs::read(&journal).unwrap(), b"{\"a\":1}");
        let report = state.join("r.ndjson");
        append(&report).unwrap().write_all(b"x\n").unwrap();
        assert_eq!(mode(&report), 0o600);
        let lock = state.join("l.lock");
        open_rw(&lock).unwrap();
        assert_eq!(mode(&lock), 0o600);
        assert!(create_new(&lock).is_err(), "create_new never overwrites");
        let leftovers: Vec<_> = std::fs::read_dir(&state)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
