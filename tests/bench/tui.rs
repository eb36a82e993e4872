//! The wizard's speed. Run: `cargo bench --bench tui`.
//!
//! 1. Rendering: every screen drawn into a 200x60 buffer, mean time per frame.
//! 2. Responsiveness: the real event loop (`tui::drive`, drawing to a 200x60
//!    `TestBackend`) while the engine deletes 1,000,000 versions at full speed
//!    from an emulator process; a key press is injected every 50 ms and timed from
//!    injection until the state machine has handled it.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ossweep::oss::endpoint::{Addressing, Endpoint};
use ossweep::oss::{Client, ClientConfig, Credentials};
use ossweep::tui::{self, driver::Driver, msg::Msg, theme::Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;
use tokio::sync::mpsc;

const AK: &str = "LTAI5tTuiBench";
const SK: &str = "tui-bench-secret";

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Walks a fresh app through every screen, timing its render at each.
fn render_times() -> Vec<(&'static str, f64)> {
    use ossweep::oss::model::{BucketStat, BucketSummary, Versioning};
    use ossweep::scan::{Category, ScanEvent, ScanReport};
    use ossweep::tui::app::App;
    let theme = Theme::colour();
    let area = Rect::new(0, 0, 200, 60);
    let time = |app: &App| {
        let mut buf = Buffer::empty(area);
        let rounds = 500;
        let t = Instant::now();
        for _ in 0..rounds {
            buf.reset();
            app.render(area, &mut buf, &theme);
        }
        t.elapsed().as_secs_f64() * 1000.0 / rounds as f64
    };
    let mut out = Vec::new();
    let (mut app, _) = App::new(Default::default());
    let buckets: Vec<BucketSummary> = (0..2000)
        .map(|i| BucketSummary {
            name: format!("bucket-{i:05}"),
            region: "cn-hangzhou".into(),
            creation_date: Some(1_700_000_000 + i),
            storage_class: "Standard".into(),
            extranet_endpoint: None,
            intranet_endpoint: None,
            resource_group_id: None,
        })
        .collect();
    app.update(Msg::BucketsLoaded(Ok(buckets)));
    for i in 0..2000 {
        app.update(Msg::DetailsLoaded {
            bucket: format!("bucket-{i:05}"),
            result: Ok((
                Some(BucketStat {
                    object_count: i as u64 * 1000,
                    storage: (i as u64) << 20,
                    ..Default::default()
                }),
                Versioning::Off,
            )),
        });
    }
    out.push(("bucket list (2,000 buckets)", time(&app)));
    app.update(key(KeyCode::Enter));
    let mut report = ScanReport::new("bucket-00000");
    report.category_mut(Category::Objects).count = 1_000_000;
    for c in &mut report.categories {
        c.state = ossweep::scan::State::Clear;
    }
    report.complete = true;
    app.update(Msg::Scanned {
        bucket: "bucket-00000".into(),
        event: ScanEvent::Finished(Box::new(report)),
    });
    out.push(("scan pane", time(&app)));
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('D'),
        KeyModifiers::NONE,
    )));
    out.push(("confirm pane", time(&app)));
    for c in "bucket-00000".chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    app.update(key(KeyCode::Enter));
    for s in 1..=120 {
        app.update(Msg::Tick(Duration::from_secs(s)));
    }
    out.push(("progress pane", time(&app)));
    app.update(Msg::RunEnded(Ok(vec![ossweep::delete::Summary {
        bucket: "bucket-00000".into(),
        ..Default::default()
    }])));
    out.push(("report pane", time(&app)));
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "ossweep TUI benchmark ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for (screen, ms) in render_times() {
        println!("render {screen} at 200x60: {ms:.3} ms per frame");
    }

    // An emulator process with 1,000,000 versions, no injected latency: full speed.
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("tui-bench.toml");
    std::fs::write(&seed, "clock = 1761955200\n[[bucket]]\nname = \"big\"\nversioning = \"Enabled\"\npattern = [{ prefix = \"data/obj-\", count = 500000, size = 512, versions = 2 }]\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossweep"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(&seed)
        .args(["--access-key-id", AK, "--access-key-secret", SK])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let mut cfg = ClientConfig::new(Credentials::new(AK, SK), "cn-hangzhou");
    cfg.endpoint = Some(Endpoint::parse(&url).unwrap());
    cfg.addressing = Addressing::Path;
    let client = Client::new(cfg);

    // Script: wait for the list, open the scan, D, type the name, Enter; then keys
    // every 50 ms while the deletion runs; `q`, `y` at the end.
    let (input_tx, input_rx) = mpsc::channel::<Msg>(64);
    let (tx, rx) = mpsc::channel::<Msg>(1024);
    let driver = Driver::new(client, tx, None);
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let phase: Arc<Mutex<&'static str>> = Arc::new(Mutex::new("loading"));
    let (s2, p2) = (sent.clone(), phase.clone());
    let script = tokio::spawn(async move {
        let send = |m: Msg| {
            let tx = input_tx.clone();
            async move { tx.send(m).await.unwrap() }
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        send(key(KeyCode::Enter)).await;
        while *p2.lock().unwrap() != "scanned" {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        send(Msg::Key(KeyEvent::new(
            KeyCode::Char('D'),
            KeyModifiers::NONE,
        )))
        .await;
        for c in "big".chars() {
            send(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )))
            .await;
        }
        send(key(KeyCode::Enter)).await;
        while *p2.lock().unwrap() != "running" {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        while *p2.lock().unwrap() == "running" {
            tokio::time::sleep(Duration::from_millis(50)).await;
            s2.lock().unwrap().push(Instant::now());
            send(key(KeyCode::Down)).await;
        }
        send(Msg::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        )))
        .await;
    });
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let started = Instant::now();
    let mut run_started: Option<Instant> = None;
    let mut run_secs = 0.0;
    let mut keys_seen = 0usize;
    let (sent_c, lat_c, phase_c) = (sent.clone(), latencies.clone(), phase.clone());
    tui::drive(
        &mut terminal,
        ossweep::tui::app::App::new(Default::default()),
        driver,
        rx,
        Box::pin(tokio_stream_from(input_rx)),
        &Theme::colour(),
        |m| match m {
            Msg::Scanned {
                event: ossweep::scan::ScanEvent::Finished(_),
                ..
            } => *phase_c.lock().unwrap() = "scanned",
            Msg::Engine(ossweep::delete::Event::Started { .. }) => {
                run_started = Some(Instant::now());
                *phase_c.lock().unwrap() = "running";
            }
            Msg::RunEnded(_) => {
                run_secs = run_started
                    .map(|t| t.elapsed().as_secs_f64())
                    .unwrap_or(0.0);
                *phase_c.lock().unwrap() = "done";
            }
            Msg::Key(k) if k.code == KeyCode::Down && *phase_c.lock().unwrap() == "running" => {
                if let Some(at) = sent_c.lock().unwrap().get(keys_seen) {
                    lat_c.lock().unwrap().push(at.elapsed());
                }
                keys_seen += 1;
            }
            _ => {}
        },
    )
    .await
    .unwrap();
    script.await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "deleting 1,000,000 versions took {run_secs:.1} s ({:.0} keys/s) in the event loop; {} key presses during it: median {:.1} ms, p99 {:.1} ms, max {:.1} ms to handle",
        1_000_000.0 / run_secs,
        l.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}

/// A receiver as a stream, without another dependency.
fn tokio_stream_from(mut rx: mpsc::Receiver<Msg>) -> impl futures::Stream<Item = Msg> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
