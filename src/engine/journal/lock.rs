//! One run at a time per journal and per bucket: an exclusive lock on a small
//! file (`runs/locks/`) for the run's id and for each of its buckets, taken
//! before anything is sent and held until the run ends. The operating system
//! releases it when the process dies, a SIGKILL included. A second run on a
//! locked bucket is refused, and told which run holds it.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::vocab::BucketKind;

/// The locks a run holds; dropping it releases them.
#[derive(Debug)]
pub struct RunLock {
    _files: Vec<File>,
    run_file: PathBuf,
}

impl RunLock {
    /// Adds the locks of `buckets` (in `dir`, the runs directory) to a run's.
    pub fn extend(
        &mut self,
        dir: &Path,
        buckets: &[(BucketKind, String)],
    ) -> Result<(), LockError> {
        let run = self
            .run_file
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("run-"))
            .unwrap_or_default()
            .to_string();
        let more = take(dir, &run, buckets, false)?;
        self._files.extend(more);
        Ok(())
    }

    /// Releases the locks and removes the run's own lock file (its journal is
    /// gone: a run that locks it next finds no journal to resume).
    pub fn release_finished(self) {
        let path = self.run_file.clone();
        drop(self);
        let _ = std::fs::remove_file(path);
    }
}

/// Why a run could not take its locks.
#[derive(Debug)]
pub enum LockError {
    /// Another ossweep process holds one: what it locks and who holds it.
    Busy {
        what: String,
        holder: String,
    },
    Io(io::Error),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy { what, holder } => write!(
                f,
                "{what} is in use by another ossweep run ({holder}); wait for it to end, or stop it"
            ),
            LockError::Io(e) => write!(f, "cannot take the run's lock: {e}"),
        }
    }
}

/// The lock file of a bucket: its name when it is a plain bucket name (it
/// always is, once validated), else a digest of it.
fn bucket_file(kind: BucketKind, bucket: &str) -> String {
    let plain = !bucket.is_empty()
        && bucket.len() <= 63
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let name = if plain {
        bucket.to_string()
    } else {
        crate::oss::budget::memory::digest("bucket", bucket)
    };
    let kind = match kind {
        BucketKind::Object => "bucket",
        BucketKind::Vector => "vector-bucket",
    };
    format!("{kind}-{name}.lock")
}

/// Takes the locks of run `run_id` (a validated id) and of its `buckets`, in
/// `dir` (the runs directory).
pub fn acquire(
    dir: &Path,
    run_id: &str,
    buckets: &[(BucketKind, String)],
) -> Result<RunLock, LockError> {
    Ok(RunLock {
        _files: take(dir, run_id, buckets, true)?,
        run_file: dir.join("locks").join(format!("run-{run_id}.lock")),
    })
}

/// Locks the files of `buckets` (and of the run, with `run_too`).
fn take(
    dir: &Path,
    run_id: &str,
    buckets: &[(BucketKind, String)],
    run_too: bool,
) -> Result<Vec<File>, LockError> {
    let locks = dir.join("locks");
    crate::private::dir(&locks).map_err(LockError::Io)?;
    let holder = format!(
        "run {run_id}, process {}, since {}",
        std::process::id(),
        crate::oss::time::iso8601(crate::oss::time::unix_secs(std::time::SystemTime::now()))
    );
    let mut files = Vec::with_capacity(buckets.len() + 1);
    let mut wanted = Vec::new();
    if run_too {
        wanted.push((
            format!("run {run_id}"),
            locks.join(format!("run-{run_id}.lock")),
        ));
    }
    for (kind, bucket) in buckets {
        wanted.push((
            format!("{} {bucket}", kind.noun()),
            locks.join(bucket_file(*kind, bucket)),
        ));
    }
    for (what, path) in wanted {
        let mut f = crate::private::open_rw(&path).map_err(LockError::Io)?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = f.read_to_string(&mut text);
                let holder = crate::text::visible(text.trim()).into_owned();
                return Err(LockError::Busy {
                    what: crate::text::visible(&what).into_owned(),
                    holder: if holder.is_empty() {
                        "starting".into()
                    } else {
                        holder
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        let _ = f.set_len(0);
        let _ = f.rewind();
        let _ = f.write_all(holder.as_bytes());
        files.push(f);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(b: &str) -> (BucketKind, String) {
        (BucketKind::Object, b.to_string())
    }

    #[test]
    fn a_bucket_or_a_run_is_locked_once_and_the_holder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "20261206-000000-0001", &[object("victim")]).unwrap();
        // Another run on the same bucket is refused, naming the first.
        let busy = acquire(dir.path(), "20261206-000000-0002", &[object("victim")]).unwrap_err();
        let text = busy.to_string();
        assert!(
            text.contains(
                "bucket victim is in use by another ossweep run (run 20261206-000000-0001, process"
            ),
            "{text}"
        );
        // The same run twice is refused too, whatever its buckets.
        let again = acquire(dir.path(), "20261206-000000-0001", &[]).unwrap_err();
        assert!(
            again
                .to_string()
                .starts_with("run 20261206-000000-0001 is in use"),
            "{again}"
        );
        // Other buckets are free; a vector bucket of the same name is another bucket.
        let other = acquire(
            dir.path(),
            "20261206-000000-0003",
            &[object("bystander"), (BucketKind::Vector, "victim".into())],
        )
        .unwrap();
        drop(first);
        // Released: the bucket can be locked again.
        let next = acquire(dir.path(), "20261206-000000-0004", &[object("victim")]).unwrap();
        next.release_finished();
        assert!(!dir
            .path()
            .join("locks/run-20261206-000000-0004.lock")
            .exists());
        drop(other);
    }

    #[test]
    fn lock_files_are_named_by_the_bucket_or_a_digest() {
        assert_eq!(
            bucket_file(BucketKind::Object, "a-b-1"),
            "bucket-a-b-1.lock"
        );
        let odd = bucket_file(BucketKind::Object, "../x");
        assert!(!odd.contains('/') && !odd.contains(".."), "{odd}");
    }
}
