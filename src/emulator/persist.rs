//! `--data-dir`: the store saved as one JSON file, written atomically after
//! changes (debounced) and on shutdown; loaded on start instead of the seed.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{EmulatorError, State, Store};

fn file(dir: &Path) -> PathBuf {
    dir.join("ossweep-emulator.json")
}

/// `Ok(None)` for a new (or empty) directory: the seed applies.
pub fn load(dir: &Path) -> Result<Option<Store>, EmulatorError> {
    let err = |detail: String| EmulatorError::DataDir {
        path: dir.to_path_buf(),
        detail,
    };
    std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    let path = file(dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            err(format!(
                "{} is not a saved emulator store: {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(err(e.to_string())),
    }
}

pub fn save(dir: &Path, state: &State) -> std::io::Result<()> {
    state.dirty.store(false, Ordering::Relaxed);
    let bytes = {
        let store = state.store.lock().unwrap();
        serde_json::to_vec(&*store).map_err(std::io::Error::other)?
    };
    let tmp = dir.join("ossweep-emulator.json.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, file(dir))
}

pub async fn autosave(dir: PathBuf, state: Arc<State>, cancel: CancellationToken) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
        if state.dirty.load(Ordering::Relaxed) {
            let (dir, state) = (dir.clone(), state.clone());
            let _ = tokio::task::spawn_blocking(move || save(&dir, &state)).await;
        }
    }
}
