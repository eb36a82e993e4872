//! Stopping a headless command by signal. The first SIGINT (Ctrl-C), SIGTERM
//! or SIGHUP stops after the requests in flight; a second one stops at once.
//! Either way the command prints what it did and exits 3.

use tokio_util::sync::CancellationToken;

/// What the signals so far ask for.
#[derive(Clone, Default)]
pub struct Stop {
    /// Stop after the requests in flight (the first signal).
    pub soft: CancellationToken,
    /// Stop now, without waiting for them (the second).
    pub hard: CancellationToken,
}

impl Stop {
    /// Listens for SIGINT, SIGTERM and SIGHUP from now on.
    pub fn on_signals() -> Stop {
        let stop = Stop::default();
        let s = stop.clone();
        tokio::spawn(async move {
            if next_signal().await.is_none() {
                return;
            }
            eprintln!(
                "\nstopping after the requests in flight (press Ctrl-C again to stop at once)..."
            );
            s.soft.cancel();
            if next_signal().await.is_some() {
                eprintln!("\nstopping now; requests in flight are abandoned (their keys may or may not be gone)...");
                s.hard.cancel();
            }
        });
        stop
    }
}

/// The next stopping signal's name; `None` when none can be listened for.
async fn next_signal() -> Option<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return tokio::signal::ctrl_c().await.ok().map(|()| "SIGINT");
        };
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.ok().map(|()| "SIGINT"),
            _ = term.recv() => Some("SIGTERM"),
            _ = hup.recv() => Some("SIGHUP"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok().map(|()| "SIGINT")
    }
}
