//! `--debug`: a log file under the platform state directory, never the screen.
//! Lines carry no secrets (operations, codes, request ids).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

static LOG: OnceLock<Mutex<std::fs::File>> = OnceLock::new();

/// The platform state directory for ossweep (journals, reports, backups,
/// the log): the user's alone, so one made wider by an older ossweep is
/// narrowed to 0700 here (its files are made 0600 as they are written).
pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ossweep")?;
    let dir = dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .to_path_buf();
    if dir.is_dir() {
        let _ = crate::private::dir(&dir);
    }
    Some(dir)
}

/// Sends `tracing` events (ossweep's own, at debug level and up) to `path`.
/// The subscriber is global: later calls keep the first file.
pub fn init(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::private::dir(dir)?;
    }
    let f = crate::private::append(path)?;
    let file = LOG.get_or_init(|| Mutex::new(f));
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || LogWriter(file))
        .finish()
        // ossweep's own events only: the HTTP libraries' chatter is not ours.
        .with(tracing_subscriber::filter::filter_fn(|m| {
            m.target().starts_with("ossweep")
        }));
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

struct LogWriter(&'static Mutex<std::fs::File>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

/// Logs a line when logging is on.
pub fn line(text: impl AsRef<str>) {
    tracing::info!("{}", text.as_ref());
}
