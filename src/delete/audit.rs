//! `--report FILE`: every key and version deleted (or that would be, or failed),
//! one JSON object per line, for an audit trail.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::vocab::Category;

#[derive(Serialize)]
pub struct AuditRecord<'a> {
    pub bucket: &'a str,
    pub category: Category,
    /// `deleted`, `would-delete`, `failed`, `skipped`.
    pub action: &'a str,
    pub key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
}

#[derive(Clone, Default)]
pub struct Audit {
    sink: Option<Arc<Mutex<Box<dyn Write + Send>>>>,
}

impl Audit {
    pub fn none() -> Self {
        Audit { sink: None }
    }

    pub fn to_writer(w: impl Write + Send + 'static) -> Self {
        Audit {
            sink: Some(Arc::new(Mutex::new(Box::new(w)))),
        }
    }

    pub fn to_file(path: &std::path::Path) -> std::io::Result<Self> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Self::to_writer(std::io::BufWriter::new(f)))
    }

    pub fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    /// Writes a batch of records under one lock and flushes them to the file at
    /// once (one write per batch), so they survive the process being killed
    /// right after: the engine books a batch only after its records are written.
    pub fn write<'a>(&self, records: impl IntoIterator<Item = AuditRecord<'a>>) {
        if let Some(sink) = &self.sink {
            let mut w = sink.lock().unwrap();
            for r in records {
                if let Ok(line) = serde_json::to_string(&r) {
                    let _ = writeln!(w, "{line}");
                }
            }
            let _ = w.flush();
        }
    }

    pub fn flush(&self) {
        if let Some(sink) = &self.sink {
            let _ = sink.lock().unwrap().flush();
        }
    }
}
