//! `--report FILE`: every key and version deleted (or that would be, or failed),
//! one JSON object per line, for an audit trail. The trail is part of the run:
//! a report that cannot be opened, or whose first line (an `opened` record)
//! cannot be written, refuses the run before anything is sent, and a write that
//! fails later stops the run before anything else is sent (the engine checks
//! [`Audit::failure`] wherever it checks for a stop).

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::blockers::Category;

#[derive(Serialize)]
pub struct AuditRecord<'a> {
    pub bucket: &'a str,
    pub category: Category,
    /// `deleted`, `would-delete`, `failed`, `skipped`.
    pub action: &'a str,
    pub key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<&'a str>,
    /// Of an incomplete multipart upload (category `parts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
}

impl<'a> AuditRecord<'a> {
    /// A record of `key`; `id` is its version id, or its upload id for parts.
    pub fn new(
        bucket: &'a str,
        category: Category,
        action: &'a str,
        key: &'a str,
        id: Option<&'a str>,
        detail: Option<&'a str>,
    ) -> Self {
        let parts = category == Category::Parts;
        AuditRecord {
            bucket,
            category,
            action,
            key,
            version_id: id.filter(|_| !parts),
            upload_id: id.filter(|_| parts),
            detail,
        }
    }
}

#[derive(Clone, Default)]
pub struct Audit {
    sink: Option<Arc<Mutex<Box<dyn Write + Send>>>>,
    /// The first write that failed, if one did.
    failure: Arc<Mutex<Option<String>>>,
}

impl Audit {
    pub fn none() -> Self {
        Audit::default()
    }

    pub fn to_writer(w: impl Write + Send + 'static) -> Self {
        Audit {
            sink: Some(Arc::new(Mutex::new(Box::new(w)))),
            failure: Default::default(),
        }
    }

    /// Why the trail could not be written, once a write failed: the run must
    /// send nothing more.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap().clone()
    }

    /// The audit trail of a run: the report at `path` (appended to), or none.
    /// A report that cannot be opened refuses the run before anything is
    /// sent: the error says so.
    pub fn open(path: Option<&std::path::Path>) -> Result<Self, String> {
        match path {
            Some(p) => Audit::to_file(p).map_err(|e| {
                format!(
                    "cannot write the audit report {}: {e}; nothing was sent",
                    crate::text::visible(&p.display().to_string())
                )
            }),
            None => Ok(Audit::none()),
        }
    }

    /// Appends to the report at `path` (created 0600). A report whose last
    /// line was cut (a disk that filled up, an older ossweep killed mid-write)
    /// gets a line break first, so every record after it is a line of its own.
    pub fn to_file(path: &std::path::Path) -> std::io::Result<Self> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = crate::private::append(path)?;
        let len = f.metadata()?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            let mut r = std::fs::File::open(path)?;
            r.seek(SeekFrom::Start(len - 1))?;
            r.read_exact(&mut last)?;
            if last[0] != b'\n' {
                f.write_all(b"\n")?;
            }
        }
        // A first line, written now: a sink that cannot take it (a full disk,
        // /dev/full) refuses the run before anything is sent.
        let opened = serde_json::json!({
            "action": "opened",
            "at": crate::oss::time::iso8601(crate::oss::time::unix_secs(std::time::SystemTime::now())),
            "by": concat!("ossweep ", env!("CARGO_PKG_VERSION")),
        });
        f.write_all(format!("{opened}\n").as_bytes())?;
        f.flush()?;
        Ok(Self::to_writer(f))
    }

    pub fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    /// Writes a batch of records under one lock and flushes them to the file at
    /// once (one write per batch), so they survive the process being killed
    /// right after: the engine books a batch only after its records are written.
    pub fn write<'a>(&self, records: impl IntoIterator<Item = AuditRecord<'a>>) {
        if let Some(sink) = &self.sink {
            // One write of whole lines: a process killed around it leaves all
            // of the batch's records or none, never half a line.
            let mut text = String::new();
            for r in records {
                if let Ok(line) = serde_json::to_string(&r) {
                    // Keys exact, and no raw control character in the file.
                    text.push_str(&crate::text::escaped_for_output(&line));
                    text.push('\n');
                }
            }
            let mut w = sink.lock().unwrap();
            if let Err(e) = w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
                self.failure.lock().unwrap().get_or_insert(e.to_string());
            }
        }
    }

    pub fn flush(&self) {
        if let Some(sink) = &self.sink {
            let _ = sink.lock().unwrap().flush();
        }
    }
}

/// Keys (and version ids) of `bucket` that the audit report at `path` records
/// as deleted among its last lines: enough lines for `entries` records (a
/// resumed run reads only the tail its interrupted batches could be in).
pub fn booked_in_tail(
    path: &std::path::Path,
    bucket: &str,
    entries: usize,
) -> std::collections::HashSet<(String, Option<String>)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut out = std::collections::HashSet::new();
    let Ok(mut f) = std::fs::File::open(path) else {
        return out;
    };
    // A record is a few hundred bytes; keys up to 1 KiB, escaped.
    let want = (entries as u64 + 64) * 2048;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let from = len.saturating_sub(want);
    if f.seek(SeekFrom::Start(from)).is_err() {
        return out;
    }
    let mut tail = Vec::new();
    if f.read_to_end(&mut tail).is_err() {
        return out;
    }
    let text = String::from_utf8_lossy(&tail);
    // The first line may be cut where the tail starts.
    let lines = text.lines().skip(usize::from(from > 0));
    #[derive(serde::Deserialize)]
    struct Booked {
        bucket: String,
        action: String,
        key: String,
        version_id: Option<String>,
    }
    for line in lines {
        if let Ok(r) = serde_json::from_str::<Booked>(line) {
            if r.bucket == bucket && r.action == "deleted" {
                out.insert((r.key, r.version_id));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockers::Category;

    #[test]
    fn the_tail_says_which_keys_are_booked_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.ndjson");
        let audit = Audit::to_file(&path).unwrap();
        for i in 0..5000 {
            let key = format!("k/{i:05}");
            audit.write([AuditRecord::new(
                if i % 2 == 0 { "a" } else { "b" },
                Category::Objects,
                if i == 4998 { "failed" } else { "deleted" },
                &key,
                (i % 3 == 0).then_some("v1"),
                None,
            )]);
        }
        let booked = booked_in_tail(&path, "a", 10);
        assert!(booked.contains(&("k/04996".to_string(), None)));
        assert!(booked.contains(&("k/04992".to_string(), Some("v1".to_string()))));
        assert!(
            !booked.contains(&("k/04998".to_string(), None)),
            "failed, not deleted"
        );
        assert!(
            !booked.contains(&("k/04997".to_string(), None)),
            "another bucket"
        );
        assert!(
            !booked.contains(&("k/00000".to_string(), Some("v1".to_string()))),
            "only the tail is read"
        );
        assert!(booked_in_tail(&dir.path().join("none"), "a", 10).is_empty());
    }

    #[test]
    fn a_cut_last_line_stays_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.ndjson");
        std::fs::write(&path, "{\"bucket\":\"a\",\"cat").unwrap();
        let audit = Audit::to_file(&path).unwrap();
        audit.write([AuditRecord::new(
            "a",
            Category::Objects,
            "deleted",
            "k",
            None,
            None,
        )]);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        for l in &lines[1..] {
            assert!(
                serde_json::from_str::<serde_json::Value>(l).is_ok(),
                "{text}"
            );
        }
        assert!(lines[1].contains("\"action\":\"opened\""), "{text}");
        assert!(audit.failure().is_none());
    }

    #[test]
    fn a_sink_that_cannot_be_written_refuses_the_run_or_stops_it() {
        // /dev/full takes the open, and refuses the first line.
        if std::path::Path::new("/dev/full").exists() {
            let e = Audit::to_file(std::path::Path::new("/dev/full"))
                .err()
                .unwrap();
            assert!(e.to_string().contains("No space left"), "{e}");
        }
        // A write that fails later is remembered: the run stops.
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let audit = Audit::to_writer(Full);
        assert!(audit.failure().is_none());
        audit.write([AuditRecord::new(
            "a",
            Category::Objects,
            "deleted",
            "k",
            None,
            None,
        )]);
        assert_eq!(audit.failure().as_deref(), Some("disk full"));
        let copy = audit.clone();
        assert!(
            copy.failure().is_some(),
            "every copy of the run's audit knows"
        );
    }
}
