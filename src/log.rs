//! `--debug`: a log file under the platform state directory, never the screen.
//! Lines carry no secrets (operations, codes, request ids).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

static LOG: OnceLock<Mutex<std::fs::File>> = OnceLock::new();

/// The platform state directory for ossweep (logs, reports, backups).
pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ossweep")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

pub fn init(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let _ = LOG.set(Mutex::new(f));
    Ok(())
}

/// Appends a line when logging is on.
pub fn line(text: impl AsRef<str>) {
    if let Some(f) = LOG.get() {
        let now =
            crate::oss::time::iso8601(crate::oss::time::unix_secs(std::time::SystemTime::now()));
        let _ = writeln!(f.lock().unwrap(), "{now} {}", text.as_ref());
    }
}
