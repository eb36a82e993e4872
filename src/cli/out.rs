//! Standard output for headless commands. A reader may go away early
//! (`ossweep delete ... --json | head`): the run must still finish and write
//! its report, so a closed stdout only stops the printing.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);
/// The command was asked for `--json`: errors go to stdout as JSON too.
static JSON: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress, no waiting notices, no preflight the command
/// line already confirmed; errors, refusals and each bucket's outcome stay.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(on: bool) {
    QUIET.store(on, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Errors of this command are also printed as JSON on stdout.
pub fn json_errors(on: bool) {
    JSON.store(on, Ordering::Relaxed);
}

/// An error that ends the command with exit code `code`: `error: ...` on
/// stderr and, under `--json`, `{"event":"error","message":...,"exit_code":...}`
/// on stdout, so a script reading stdout sees it.
pub fn error(message: &str, code: u8) {
    let message = crate::text::visible_lines(message);
    eprintln!("error: {message}");
    if JSON.load(Ordering::Relaxed) {
        line(&serde_json::json!({ "event": "error", "message": message, "exit_code": code }));
    }
}

/// A refusal: nothing was sent because something was not confirmed.
/// `refused: ...` on stderr and, under `--json`,
/// `{"event":"refused","message":...,"exit_code":...}` on stdout.
pub fn refused(message: &str, code: u8) {
    let message = crate::text::visible_lines(message);
    eprintln!("refused: {message}");
    if JSON.load(Ordering::Relaxed) {
        line(&serde_json::json!({ "event": "refused", "message": message, "exit_code": code }));
    }
}

/// Prints one line; after the first failed write (EPIPE), prints nothing more.
/// No raw control character reaches standard output, whatever the line holds
/// (`escaped_for_output`: lossless inside JSON, visible in text).
pub fn text(s: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let s = crate::text::escaped_for_output(s);
    let mut o = std::io::stdout().lock();
    if writeln!(o, "{s}").and_then(|()| o.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Prints a value as one JSON line (NDJSON).
pub fn line(v: &impl serde::Serialize) {
    if let Ok(s) = serde_json::to_string(v) {
        text(&s);
    }
}

/// Prints text as is (no newline added).
pub fn raw(s: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let s = crate::text::escaped_for_output(s);
    let mut o = std::io::stdout().lock();
    if o.write_all(s.as_bytes()).and_then(|()| o.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}
