//! `ossweep emulator` (serve until stopped) and `ossweep demo`.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use futures::TryStreamExt;

use crate::emulator::{self, seed::Seed, EmulatorConfig, EmulatorHandle};
use crate::oss::{Client, ClientConfig, Credentials};

use super::{exit, table};

#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// `demo`, `empty`, or a seed file (the format of assets/demo.toml).
    #[arg(long, default_value = "empty", value_name = "demo|empty|FILE")]
    pub seed: String,
    #[arg(long, value_name = "ID", default_value = emulator::DEMO_ACCESS_KEY_ID)]
    pub access_key_id: String,
    #[arg(long, value_name = "SECRET", default_value = emulator::DEMO_ACCESS_KEY_SECRET)]
    pub access_key_secret: String,
    /// Region of buckets created through a host that names none.
    #[arg(long, default_value = "cn-hangzhou")]
    pub region: String,
    /// Added to every reply.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_ms: u64,
    /// Answer requests beyond N per second (all operations, one-second sliding
    /// window) as OSS answers an account over its QPS limit: 503
    /// `TotalQpsLimitExceeded` with `x-oss-qos-delay-time`.
    #[arg(long, value_name = "N")]
    pub qps_limit: Option<u32>,
    /// Share of requests answered with 503 throttling, 500 or a dropped connection.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fault_rate: f64,
    /// Keep the data here across restarts (the seed applies only to a new directory).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Answer AccessDenied to an operation, optionally only for keys under a
    /// prefix: `GetBucketStat`, `DeleteMultipleObjects:logs/`, `*:secret/`.
    /// Repeatable.
    #[arg(long, value_name = "OP[:PREFIX]")]
    pub deny: Vec<String>,
    /// Scripted faults (TOML: `[[fault]]` tables with op, bucket, key_prefix,
    /// kind, times; see tests/README.md).
    #[arg(long, value_name = "FILE")]
    pub fault_script: Option<PathBuf>,
    /// On stop, write the requests served (by operation and status, and how
    /// many were throttled) to FILE as JSON: for benchmarks.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Play an account that activated OSS after 2025-03-20: data calls (listing,
    /// deleting objects, aborting uploads) to buckets in the Chinese mainland
    /// through public host names answer 400 PublicEndpointForbidden (EC
    /// 0048-00000401); internal host names (`oss-<region>-internal.aliyuncs.com`)
    /// and management calls work.
    #[arg(long)]
    pub public_endpoint_forbidden: bool,
    /// Play an OSS-compatible endpoint that ignores list-type=2: ListObjectsV2 is
    /// answered with ListObjects V1 pages (paged by marker), and OSS's own bucket
    /// sub-resources (worm, replication, cname, live, accessPoint, accelerator,
    /// stat) with the bucket's listing.
    #[arg(long)]
    pub list_v1_only: bool,
    /// Play the ECS instance metadata service (under /latest/) with this RAM role,
    /// and STS AssumeRole (GET /?Action=AssumeRole, any role): each fetch hands out
    /// new temporary credentials, accepted until they expire.
    #[arg(long, value_name = "NAME")]
    pub ecs_role: Option<String>,
    /// How long the role's credentials live.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub credential_lifetime: u64,
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub async fn run_emulator(a: &EmulatorArgs) -> Result<u8, String> {
    if !(0.0..=1.0).contains(&a.fault_rate) {
        return Err(format!(
            "--fault-rate must be between 0 and 1, not {}",
            a.fault_rate
        ));
    }
    let cfg = EmulatorConfig {
        listen: a.listen,
        credentials: Credentials::new(a.access_key_id.clone(), a.access_key_secret.clone()),
        region: a.region.clone(),
        latency: Duration::from_millis(a.latency_ms),
        fault_rate: a.fault_rate,
        data_dir: a.data_dir.clone(),
        seed: Seed::parse(&a.seed),
        public_endpoint_forbidden: a.public_endpoint_forbidden,
        list_v1_only: a.list_v1_only,
        ecs_role: a.ecs_role.clone().map(|name| emulator::metadata::EcsRole {
            name,
            lifetime: Duration::from_secs(a.credential_lifetime),
        }),
        ..Default::default()
    };
    let mut rules = Vec::new();
    for spec in &a.deny {
        rules.push(emulator::faults::parse_deny(spec)?);
    }
    let script = match &a.fault_script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Some(
                emulator::faults::FaultScript::parse(&text)
                    .map_err(|e| format!("fault script {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    if a.qps_limit == Some(0) {
        return Err("--qps-limit must be at least 1".into());
    }
    let emu = emulator::start(cfg).await.map_err(|e| e.to_string())?;
    emu.faults().set_qps_cap(a.qps_limit);
    if let Some(script) = &script {
        emu.faults().apply(script);
    }
    for r in rules {
        emu.faults().push(r);
    }
    let buckets = emu.store().buckets.len();
    // The banner goes to stdout; a closed stdout (a caller that read only the first
    // line) must not stop the server, so write errors are ignored.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ossweep emulator listening on {}", emu.url());
    let _ = writeln!(out, "  region             {}", a.region);
    let _ = writeln!(out, "  access key id      {}", a.access_key_id);
    let _ = writeln!(
        out,
        "  access key secret  {}   (the emulator's own key, not an Alibaba Cloud one)",
        a.access_key_secret
    );
    let _ = writeln!(
        out,
        "  data               {} bucket(s){}",
        buckets,
        a.data_dir
            .as_ref()
            .map(|d| format!(", kept in {}", d.display()))
            .unwrap_or_else(|| ", in memory".into())
    );
    if let Some(n) = a.qps_limit {
        let _ = writeln!(out, "  qps limit          {n} requests per second");
    }
    if !a.deny.is_empty() || script.is_some() {
        let _ = writeln!(
            out,
            "  faults             {} deny rule(s){}",
            a.deny.len(),
            script
                .as_ref()
                .map(|s| format!(", {} scripted fault(s)", s.rules.len()))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out,);
    let _ = writeln!(out, "Try it:");
    let _ = writeln!(
        out,
        "  export OSS_ACCESS_KEY_ID={} OSS_ACCESS_KEY_SECRET={}",
        a.access_key_id, a.access_key_secret
    );
    let _ = writeln!(
        out,
        "  ossweep --endpoint {} --path-style buckets",
        emu.url()
    );
    let _ = writeln!(out, "Stop with Ctrl-C.");
    wait_for_stop().await;
    if let Some(path) = &a.stats {
        let tally = serde_json::to_string_pretty(&emu.faults().tally()).unwrap_or_default();
        std::fs::write(path, tally)
            .map_err(|e| format!("cannot write the stats to {}: {e}", path.display()))?;
    }
    emu.shutdown()
        .await
        .map_err(|e| format!("saving the emulator data: {e}"))?;
    Ok(exit::DONE)
}

/// A client that talks to an in-process emulator the way it talks to OSS:
/// virtual-hosted, region host names, connected to loopback.
pub fn demo_client(emu: &EmulatorHandle) -> Client {
    let mut cfg = ClientConfig::new(emu.credentials().clone(), "cn-hangzhou");
    cfg.scheme = "http".into();
    cfg.port = Some(emu.addr.port());
    cfg.connect_to = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    Client::new(cfg)
}

/// `ossweep demo`'s options.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Added to every reply of the demo's emulator, so deletions and their
    /// progress can be seen as against real OSS (0 for instant replies).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub latency_ms: u64,
}

pub async fn run_demo(a: &DemoArgs) -> Result<u8, String> {
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Demo,
        latency: Duration::from_millis(a.latency_ms),
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let client = demo_client(&emu);
    use std::io::IsTerminal;
    if crate::tui::dumb_terminal() {
        eprintln!("this terminal (TERM=dumb) cannot draw the wizard: the demo serves its emulator for the subcommands instead");
    }
    if std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal()
        && !crate::tui::dumb_terminal()
    {
        // The wizard, on the demo account; reports go to a temporary directory.
        let reports = std::env::temp_dir().join("ossweep-demo-reports");
        let context = crate::tui::app::Context {
            profile: "demo".into(),
            target: format!("emulator {}", emu.url()),
            demo: true,
            credentials: String::new(),
            held: None,
            prices: crate::money::book().clone(),
            reports: Some(reports.clone()),
        };
        // The demo's emulator lives as long as the demo: so do its journals.
        let runs = std::env::temp_dir().join(format!("ossweep-demo-runs-{}", std::process::id()));
        let result =
            crate::tui::run(client, Some(reports), Some(runs.clone()), context, None).await;
        let _ = std::fs::remove_dir_all(&runs);
        emu.shutdown().await.map_err(|e| e.to_string())?;
        return Ok(super::runner::farewell(result?));
    }
    // Without a terminal: a summary, and the emulator keeps serving.
    println!(
        "ossweep demo: a built-in OSS emulator with a demo account is running on {}.\n",
        emu.url()
    );
    let buckets: Vec<_> = client
        .list_buckets()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for b in &buckets {
        let stat = client
            .get_bucket_stat(&b.name)
            .await
            .map_err(|e| e.to_string())?;
        let versioning = client
            .get_bucket_versioning(&b.name)
            .await
            .map_err(|e| e.to_string())?;
        rows.push(vec![
            b.name.clone(),
            b.region.clone(),
            versioning.as_str().to_string(),
            table::count(stat.object_count),
            table::bytes(stat.storage),
            table::count(stat.delete_marker_count),
            table::count(stat.multipart_upload_count),
            table::count(stat.live_channel_count),
        ]);
    }
    print!(
        "{}",
        table::render(
            &[
                "BUCKET",
                "REGION",
                "VERSIONING",
                "OBJECTS",
                "SIZE",
                "DELETE MARKERS",
                "UPLOADS",
                "LIVECHANNELS"
            ],
            &rows
        )
    );
    let vector_buckets: Vec<_> = client
        .list_vector_buckets()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = vector_buckets
        .iter()
        .map(|b| format!("{} ({})", b.name, b.region))
        .collect();
    println!("\nVector buckets (OSS Vectors): {}", names.join(", "));
    println!(
        "\nThe emulator keeps running so you can try ossweep against it from another terminal:"
    );
    println!(
        "  export OSS_ACCESS_KEY_ID={} OSS_ACCESS_KEY_SECRET={}",
        emulator::DEMO_ACCESS_KEY_ID,
        emulator::DEMO_ACCESS_KEY_SECRET
    );
    println!("  ossweep --endpoint {} --path-style buckets", emu.url());
    println!(
        "  ossweep --endpoint {} --path-style buckets --vector",
        emu.url()
    );
    println!("Stop with Ctrl-C.");
    wait_for_stop().await;
    emu.shutdown().await.map_err(|e| e.to_string())?;
    Ok(exit::DONE)
}
