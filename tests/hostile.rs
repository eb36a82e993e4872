//! Bad servers and bad input through the binary: escape sequences, garbage
//! and silent replies, host injection, signals, a reader that goes away.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use ossweep::emulator::seed::Seed;
use ossweep::emulator::{EmulatorHandle, FaultKind, FaultRule};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(emu: &EmulatorHandle, home: &std::path::Path, args: &[&str]) -> Output {
    common::cli(emu, home).args(args).output().unwrap()
}

fn signal(child: &Child, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}

/// An OSS error reply whose code and message carry terminal escape sequences.
fn hostile_error() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied\u{1b}]0;pwned\u{7}</Code>\
<Message>no\u{1b}[2J\u{1b}]52;c;aGk=\u{7} way</Message><RequestId>ID\u{1b}[31m</RequestId></Error>"
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_from_the_server_are_shown_not_obeyed() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    emu.faults().push(FaultRule::new(FaultKind::Raw {
        status: 403,
        body: hostile_error(),
    }));
    for args in [
        &["scan", "acme-web-assets"][..],
        &["buckets"],
        &["delete", "acme-web-assets", "--confirm", "acme-web-assets"],
    ] {
        let out = run(&emu, home.path(), args);
        let all = [out.stdout.clone(), out.stderr.clone()].concat();
        assert!(
            !all.iter().any(|b| *b == 0x1b || *b == 0x07),
            "{args:?}: raw escape bytes reached the terminal: {:?}",
            text(&all)
        );
        let err = text(&out.stderr);
        assert!(
            err.contains("AccessDenied\\x1b]0;pwned\\x07"),
            "{args:?}: shown escaped: {err}"
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_that_could_not_list_says_so_and_exits_3() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    for body in [
        "<html><body>502 Bad Gateway</body></html>",
        "\u{0}garbage{{",
    ] {
        emu.faults().clear();
        emu.faults().push(
            FaultRule::new(FaultKind::Raw {
                status: 200,
                body: body.into(),
            })
            .op("ListObjectsV2"),
        );
        let out = run(&emu, home.path(), &["scan", "acme-web-assets", "--json"]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["complete"], false);
        assert_eq!(v["finished"], true);
        let objects = &v["categories"][0];
        assert_eq!(objects["state"], "unknown", "{objects}");
        assert!(objects["note"].as_str().unwrap().contains("listing failed"));
        let out = run(&emu, home.path(), &["scan", "acme-web-assets"]);
        let t = text(&out.stdout);
        assert!(t.contains("scan incomplete"), "{t}");
        assert!(
            t.lines()
                .any(|l| l.starts_with("Current objects") && l.contains(" ? ")),
            "{t}"
        );
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_fails_within_the_deadline_and_says_it_waits() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    emu.faults()
        .push(FaultRule::new(FaultKind::Hang).op("GetBucketInfo"));
    let started = Instant::now();
    let out = run(
        &emu,
        home.path(),
        &["--timeout", "8", "scan", "acme-web-assets"],
    );
    let took = started.elapsed();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(14), "took {took:?}");
    assert!(
        err.contains("waiting for OSS (GetBucketInfo, attempt"),
        "feedback while waiting: {err}"
    );
    assert!(err.contains("no reply within 8 s"), "{err}");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_cannot_redirect_requests_to_another_host() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let region = format!("x@127.0.0.1:{}/", emu.addr.port());
    let creds = emu.credentials();
    // No --endpoint: the region would become part of the host name.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ossweep"))
        .env_clear()
        .env("HOME", home.path())
        .env("OSS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("OSS_ACCESS_KEY_SECRET", creds.access_key_secret.expose())
        .args(["--region", &region, "buckets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not an OSS region id"),
        "{}",
        text(&out.stderr)
    );
    assert!(emu.faults().log().is_empty(), "no request reached any host");
    emu.shutdown().await.unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn an_ossutil_config_others_can_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".ossutilconfig");
    std::fs::write(
        &path,
        "[Credentials]\nlanguage=EN\nendpoint=oss-cn-hangzhou.aliyuncs.com\naccessKeyID=LTAIfake\naccessKeySecret=fake-secret\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&emu, home.path(), &["buckets"]);
    let err = text(&out.stderr);
    assert!(
        err.contains(".ossutilconfig holds an AccessKey secret and is readable by other users"),
        "{err}"
    );
    assert!(!err.contains("fake-secret"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&emu, home.path(), &["buckets"]);
    assert!(!text(&out.stderr).contains("readable by other users"));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_does_not_stop_the_run_or_its_report() {
    let emu = common::emulator(Seed::Empty).await;
    let home = tempfile::tempdir().unwrap();
    let c = common::client(&emu);
    c.put_bucket("piped", None).await.unwrap();
    common::versioned_with_markers(&emu, "piped", 2000);
    let report = home.path().join("report.jsonl");
    let mut child = common::cli(&emu, home.path())
        .args([
            "delete",
            "piped",
            "--confirm",
            "piped",
            "--json",
            "--report",
        ])
        .arg(&report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -c 600`: read a little, then close the pipe.
    let mut first = [0u8; 600];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!emu.store().buckets.contains_key("piped"));
    let deleted = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .filter(|l| l.contains(r#""action":"deleted""#))
        .count();
    assert_eq!(deleted, 4400, "every deleted entry is in the report");
    emu.shutdown().await.unwrap();
}

/// Starts a command against a slow emulator, signals it once the given
/// line shows on stderr (or after `after`), and returns its output.
fn signalled(
    emu: &EmulatorHandle,
    home: &std::path::Path,
    args: &[&str],
    after: Duration,
    signals: &[&str],
) -> (Option<i32>, String) {
    let mut child = common::cli(emu, home)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    for s in signals {
        signal(&child, s);
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut err = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .for_each(|l| {
            err.push_str(&l);
            err.push('\n');
        });
    (child.wait().unwrap().code(), err)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_stops_on_a_signal_with_exit_3() {
    let emu = common::emulator(Seed::Demo).await;
    emu.faults()
        .set_latency(Duration::from_millis(1500), Duration::ZERO);
    let home = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["buckets"], "INT"),
        (&["scan", "acme-web-assets"], "TERM"),
        (&["empty", "acme-web-assets", "--yes"], "HUP"),
        (
            &["delete", "acme-web-assets", "--confirm", "acme-web-assets"],
            "INT",
        ),
        (&["expire", "acme-web-assets", "--yes"], "TERM"),
    ];
    for (args, sig) in cases {
        let (code, err) = signalled(&emu, home.path(), args, Duration::from_millis(700), &[sig]);
        assert_eq!(code, Some(3), "{args:?} after SIG{sig}: {err}");
        assert!(
            err.contains("stopping after the requests in flight"),
            "{args:?}: {err}"
        );
    }
    // Nothing was deleted or changed by any of them.
    let writes: Vec<String> = emu
        .faults()
        .log()
        .into_iter()
        .filter(|e| e.method != "GET" && e.method != "HEAD")
        .map(|e| e.op)
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    emu.shutdown().await.unwrap();
}

/// A listing page with more entries than max-keys asked for is a malformed
/// reply, never data: no phantom key is booked or sent for deletion.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_larger_than_asked_for_is_refused_not_booked() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult><Name>acme-web-assets</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><KeyCount>1001</KeyCount>",
    );
    for i in 0..1001 {
        body.push_str(&format!(
            "<Contents><Key>phantom/{i:05}</Key><LastModified>2025-01-01T00:00:00.000Z</LastModified><ETag>\"0\"</ETag><Size>1</Size><StorageClass>Standard</StorageClass></Contents>"
        ));
    }
    body.push_str("</ListBucketResult>");
    emu.faults().push(
        FaultRule::new(FaultKind::Raw { status: 200, body })
            .op("ListObjectsV2")
            .bucket("acme-web-assets"),
    );
    let out = run(
        &emu,
        home.path(),
        &["empty", "acme-web-assets", "--only", "objects", "--yes"],
    );
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("more than the 1000 entries asked for"),
        "{err}"
    );
    assert_eq!(emu.faults().count("DeleteMultipleObjects"), 0, "{err}");
    assert_eq!(emu.store().buckets["acme-web-assets"].objects.len(), 304);
    emu.shutdown().await.unwrap();
}

/// Runs the binary, killing it (and failing the test) if it outlives `bound`.
fn run_within(
    emu: &EmulatorHandle,
    home: &std::path::Path,
    args: &[&str],
    bound: Duration,
) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = common::cli(emu, home)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > bound {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after {bound:?}: {}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

/// A server's `x-oss-qos-delay-time` is honoured up to 5 s, never more: a 503
/// asking for 11.5 days and 200s asking for the largest number there is each
/// cost at most the cap. (The bound is generous for a busy machine; without
/// the cap these runs do not end.)
#[tokio::test(flavor = "multi_thread")]
async fn a_servers_delay_header_is_honoured_up_to_a_cap() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle {
            delay_ms: 999_999_999,
        })
        .op("DeleteMultipleObjects")
        .times(1),
    );
    let (out, _) = run_within(
        &emu,
        home.path(),
        &["delete", "acme-web-assets", "--confirm", "acme-web-assets"],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!emu.store().buckets.contains_key("acme-web-assets"));
    // On a 200 (bandwidth throttling), every time.
    emu.faults().push(
        FaultRule::new(FaultKind::SlowDown { delay_ms: u64::MAX }).op("ListMultipartUploads"),
    );
    let (out, _) = run_within(
        &emu,
        home.path(),
        &["scan", "acme-media-ingest"],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Incomplete multipart uploads     3"));
    emu.shutdown().await.unwrap();
}

/// OSS throttles every delete and asks for days: the first Ctrl-C still stops
/// the run within the cap, with its summary.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_ctrl_c_stops_a_run_that_oss_keeps_throttling() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle {
            delay_ms: 999_999_999,
        })
        .op("DeleteMultipleObjects"),
    );
    let mut child = common::cli(&emu, home.path())
        .args(["delete", "acme-web-assets", "--confirm", "acme-web-assets"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while emu.faults().count("DeleteMultipleObjects") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    signal(&child, "INT");
    let stopped = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if stopped.elapsed() > Duration::from_secs(40) {
            let _ = child.kill();
            panic!("the first Ctrl-C did not stop the run");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("acme-web-assets: deleted 0 items"));
    emu.shutdown().await.unwrap();
}

/// A loopback server that answers every request with `head` and then, while
/// the client reads, `body_chunk` over and over (an endless body).
async fn endless_server(head: &'static str) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunked = head.contains("chunked");
                let data = vec![b'<'; 64 * 1024];
                loop {
                    let wrote = if chunked {
                        let mut c = format!("{:x}\r\n", data.len()).into_bytes();
                        c.extend_from_slice(&data);
                        c.extend_from_slice(b"\r\n");
                        sock.write_all(&c).await
                    } else {
                        sock.write_all(&data).await
                    };
                    if wrote.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// Reply bodies are bounded: an endless chunked listing, or one announcing a
/// terabyte, is read no further than a listing page may be, asked for again,
/// then a clear error naming the operation and the limit.
#[tokio::test(flavor = "multi_thread")]
async fn an_endless_or_enormous_reply_is_cut_at_the_operations_limit() {
    use futures::StreamExt;
    use ossweep::oss::client::{Client, ClientConfig};
    use ossweep::oss::endpoint::{Addressing, Endpoint};
    for head in [
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000000000000\r\n\r\n",
    ] {
        let addr = endless_server(head).await;
        let mut cfg = ClientConfig::new(
            ossweep::oss::Credentials::new("LTAI5tHostile", "hostile-secret"),
            "cn-hangzhou",
        );
        cfg.endpoint = Some(Endpoint::parse(&format!("http://{addr}")).unwrap());
        cfg.addressing = Addressing::Path;
        cfg.retry.max_attempts = 2;
        cfg.retry.base = Duration::from_millis(1);
        cfg.retry.cap = Duration::from_millis(5);
        let c = Client::new(cfg);
        let first = tokio::time::timeout(
            Duration::from_secs(60),
            c.list_objects("endless", None).next(),
        )
        .await
        .expect("bounded");
        let e = first.unwrap().unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains("ListObjectsV2") && shown.contains("larger than 16.0 MiB"),
            "{shown}"
        );
        assert_eq!(
            c.stats()
                .requests
                .load(std::sync::atomic::Ordering::Relaxed),
            2,
            "asked again once"
        );
    }
}

/// Keys holding every kind of control a terminal obeys or that disguises
/// text: C0, C1 (U+0085, U+009B: an 8-bit CSI), DEL, bidi overrides, ESC
/// sequences.
const HOSTILE_KEYS: [&str; 6] = [
    "bidi/\u{202e}txt.exe",
    "c1/next\u{85}line\u{9b}31m",
    "del/x\u{7f}y",
    "esc/\u{1b}]0;pwned\u{7}\u{1b}[2J",
    "c0/\u{1}\u{2}\u{8}",
    "isolate/\u{2066}a\u{2069}",
];

/// Whether `s` holds a raw control character (line breaks and tabs aside).
fn raw_control(s: &str) -> Option<char> {
    s.chars()
        .find(|c| ossweep::text::is_hostile(*c) && !matches!(c, '\n' | '\t'))
}

/// Every command, in text and JSON, over keys full of controls: no raw
/// control character in any output or in the report, and the report keeps
/// each key exact.
#[tokio::test(flavor = "multi_thread")]
async fn no_command_prints_a_raw_control_character_from_a_key() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("acme-empty-staging").unwrap();
        for k in HOSTILE_KEYS {
            b.objects
                .insert(k.to_string(), vec![common::stored_version(1)]);
        }
    }
    let bucket = "acme-empty-staging";
    let report = home.path().join("report.ndjson");
    let report_arg = report.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["buckets"],
        vec!["buckets", "--json"],
        vec!["scan", bucket],
        vec!["scan", bucket, "--json"],
        vec!["empty", bucket, "--dry-run"],
        vec!["empty", bucket, "--dry-run", "--json"],
        vec!["empty", "oss://acme-empty-staging/bidi/", "--dry-run"],
        vec!["delete", bucket, "--confirm", bucket, "--dry-run"],
        vec![
            "delete",
            bucket,
            "--confirm",
            bucket,
            "--json",
            "--report",
            report_arg,
        ],
    ];
    for args in &runs {
        let (out, _) = run_within(&emu, home.path(), args, Duration::from_secs(60));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let s = text(bytes);
            assert_eq!(raw_control(&s), None, "{args:?} {name}: {s}");
        }
    }
    assert!(
        !emu.store().buckets.contains_key(bucket),
        "deleted in the end"
    );
    let trail = std::fs::read_to_string(&report).unwrap();
    assert_eq!(raw_control(&trail), None, "{trail}");
    let keys: std::collections::BTreeSet<String> = trail
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["action"] == "deleted")
        .filter_map(|v| v["key"].as_str().map(str::to_string))
        .collect();
    let want: std::collections::BTreeSet<String> =
        HOSTILE_KEYS.iter().map(|k| k.to_string()).collect();
    assert_eq!(keys, want, "the report keeps every key exact");
    emu.shutdown().await.unwrap();
}
