//! The command line: global flags, subcommands, exit codes. Each subcommand is a
//! thin front end in its own module.

mod account;
mod bucket_arg;
mod buckets;
mod check;
pub mod confirm;
mod delete;
mod empty;
mod emulator;
pub mod exit;
mod expire;
pub mod out;
mod parse;
mod preflight;
mod resume;
pub mod runner;
pub mod scan;
pub mod stop;
mod suggest;
pub mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, Overrides, Settings};

/// The heading of the flags every subcommand takes.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "ossweep",
    version,
    about = "Empty and delete Alibaba Cloud OSS buckets, safely.",
    long_about = None,
    after_help = "A bare `ossweep` on a terminal opens the wizard on your account; `ossweep demo` opens it on a built-in emulator.\n\nExit codes: 0 done, 1 error, 2 usage, 3 partial, 4 not confirmed, 5 refused by the preflight."
)]
pub struct Cli {
    /// Profile from the config file.
    #[arg(long, global = true, value_name = "NAME", help_heading = GLOBAL)]
    pub profile: Option<String>,
    /// Default region (buckets are reached in their own region regardless).
    #[arg(long, global = true, value_name = "REGION", help_heading = GLOBAL)]
    pub region: Option<String>,
    /// Send every request to this endpoint (emulators, private deployments).
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub endpoint: Option<String>,
    /// Path-style addressing (real OSS refuses it for most accounts).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub path_style: bool,
    /// Use the internal endpoints (oss-<region>-internal.aliyuncs.com), from
    /// inside the bucket's region: no traffic fees, and the way around
    /// PublicEndpointForbidden for new accounts.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub internal: bool,
    /// Config file (default: the platform config directory's ossweep/config.toml).
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Give up on a request OSS has not answered after this many seconds, every
    /// retry included (default 50).
    #[arg(long, global = true, value_name = "SECS", help_heading = GLOBAL)]
    pub timeout: Option<u64>,
    /// Requests in flight at most (listing and deleting together; the budget
    /// adapts below it). Default: the profile's `concurrency`, else 64.
    #[arg(long, global = true, value_name = "N", help_heading = GLOBAL)]
    pub concurrency: Option<usize>,
    /// Requests per second at most, for the account (listing and deleting
    /// together). Default: the profile's `qps`, else 2000 (OSS allows 10,000).
    #[arg(long, global = true, value_name = "N", help_heading = GLOBAL)]
    pub qps: Option<u32>,
    /// A price table of assets/prices.toml's shape to estimate money with
    /// (default: the profile's `prices`, else the built-in table).
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub prices: Option<PathBuf>,
    /// Write a debug log under the platform state directory (never to the screen).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub debug: bool,
    /// Print no progress and no notices: only errors, refusals, what must be
    /// confirmed, and each bucket's outcome.
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole account: every bucket and vector bucket with what it costs a
    /// month and whether it can go, and the totals (what stopping billing saves).
    Account {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List every bucket of the account, all regions (--vector: every vector bucket).
    Buckets {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// List the OSS Vectors buckets (name, region, created, indexes) instead.
        #[arg(long)]
        vector: bool,
    },
    /// Scan one bucket for everything that blocks its deletion, and the risks.
    #[command(after_help = "Examples:
  ossweep scan acme-logs
  ossweep scan oss://acme-logs --json
  ossweep scan acme-embeddings --vector")]
    Scan {
        /// The bucket: NAME or oss://NAME.
        bucket: String,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
        /// BUCKET is an OSS Vectors bucket: scan its vector indexes.
        #[arg(long)]
        vector: bool,
    },
    /// Clear categories of a bucket without deleting it.
    Empty(empty::EmptyArgs),
    /// Empty buckets and delete them (each must be named again with --confirm).
    Delete(delete::DeleteArgs),
    /// Install (or remove) lifecycle rules that empty a bucket server-side.
    Expire(expire::ExpireArgs),
    /// List interrupted runs, continue one (RUN or --last), or discard them.
    Resume(resume::ResumeArgs),
    /// Run the built-in OSS emulator until stopped.
    Emulator(emulator::EmulatorArgs),
    /// Open the wizard on the built-in emulator with a demo account.
    Demo(emulator::DemoArgs),
    /// Check what ossweep reaches: credentials, endpoint, clock, listing (reads only).
    #[command(after_help = "Examples:
  ossweep check
  ossweep check acme-logs --json")]
    Check {
        /// A bucket to try (default: the first one listed).
        bucket: Option<String>,
        /// JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = "Examples:
  ossweep completions bash > ~/.local/share/bash-completion/completions/ossweep
  ossweep completions zsh > ~/.zfunc/_ossweep")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout.
    #[command(after_help = "Example:
  ossweep man > ~/.local/share/man/man1/ossweep.1")]
    Man,
}

impl Command {
    /// Whether the command prints JSON (its errors then go to stdout as JSON too).
    pub fn json(&self) -> bool {
        match self {
            Command::Buckets { json, .. }
            | Command::Account { json }
            | Command::Scan { json, .. }
            | Command::Check { json, .. } => *json,
            Command::Empty(a) => a.json,
            Command::Delete(a) => a.json,
            Command::Resume(a) => a.json,
            Command::Expire(_)
            | Command::Emulator(_)
            | Command::Demo(_)
            | Command::Completions { .. }
            | Command::Man => false,
        }
    }
}

impl Cli {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
            path_style: self.path_style,
            internal: self.internal,
            config: self.config.clone(),
            timeout: self.timeout,
            concurrency: self.concurrency,
            qps: self.qps,
            prices: self.prices.clone(),
        }
    }
}

/// Plain `ossweep`: the wizard, for a person at a terminal.
async fn wizard(cli: &Cli) -> Result<u8, String> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("ossweep's wizard needs a terminal; without one, use the subcommands:\n");
        let _ = parse::command().print_help();
        return Ok(exit::USAGE);
    }
    if crate::tui::dumb_terminal() {
        eprintln!(
            "this terminal (TERM=dumb) cannot draw ossweep's wizard; use the subcommands instead (ossweep buckets, scan, empty, delete, resume; ossweep --help), or run it in a terminal such as xterm"
        );
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let reports = crate::log::state_dir().map(|d| d.join("reports"));
    let context = crate::tui::app::Context {
        profile: s.profile.clone(),
        target: match &s.client.endpoint {
            Some(e) => format!("endpoint {}://{}", e.scheme, e.authority(&e.host)),
            None => format!("region {}", s.client.region),
        },
        demo: false,
        credentials: s.credentials_label.clone(),
        held: None,
        prices: s.prices.clone(),
        reports: reports.clone(),
    };
    let runs = crate::engine::journal::runs_dir();
    let held = s.client.renewing.as_ref().map(|r| r.watch());
    let client = crate::oss::Client::new(s.client);
    let quitted = crate::tui::run(client, reports, runs, context, held).await?;
    Ok(runner::farewell(quitted))
}

/// The client for a headless command: a request OSS is slow to answer is
/// announced on stderr ("waiting for OSS (...)") instead of leaving silence.
pub fn client(s: &Settings) -> crate::oss::Client {
    use crate::oss::client::Notice;
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    crate::oss::Client::builder(s.client.clone())
        .observer(std::sync::Arc::new(move |n: &Notice| {
            if let (Notice::Waiting(w), false) = (n, out::quiet()) {
                let line = crate::text::visible(&w.to_string()).into_owned();
                if tty {
                    eprintln!("\r\x1b[K  {line}");
                } else {
                    eprintln!("  {line}");
                }
            }
        }))
        .build()
}

/// A client flag given to a command that runs its own emulator, which would
/// ignore it: said, rather than silently ignored.
fn client_flag_ignored_by(cli: &Cli) -> Option<String> {
    let command = match &cli.command {
        Some(Command::Demo(_)) => "demo",
        Some(Command::Emulator(_)) => "emulator",
        _ => return None,
    };
    let given = [
        ("--profile", cli.profile.is_some()),
        ("--endpoint", cli.endpoint.is_some()),
        ("--path-style", cli.path_style),
        ("--internal", cli.internal),
        ("--config", cli.config.is_some()),
        ("--timeout", cli.timeout.is_some()),
        ("--concurrency", cli.concurrency.is_some()),
        ("--qps", cli.qps.is_some()),
        // The emulator has a --region of its own.
        ("--region", command == "demo" && cli.region.is_some()),
    ];
    let flags: Vec<&str> = given
        .iter()
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect();
    (!flags.is_empty()).then(|| {
        format!(
            "ossweep {command} runs its own emulator: {} would do nothing there (see ossweep {command} --help)",
            flags.join(", ")
        )
    })
}

/// Loads settings, printing warnings to stderr.
pub fn settings(cli: &Cli) -> Result<Settings, String> {
    let env = |k: &str| std::env::var(k).ok();
    let mut s = config::load(&cli.overrides(), &env).map_err(|e| e.to_string())?;
    // What OSS refused this account is kept between commands.
    s.client.throttle_memory = crate::log::state_dir().map(|d| d.join("throttling.json"));
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    crate::log::line(format!("credentials: {}", s.credentials_source));
    crate::money::install(s.prices.clone());
    Ok(s)
}

pub fn main() -> ExitCode {
    let mut cli = match parse::parse_from(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    out::json_errors(cli.command.as_ref().is_some_and(Command::json));
    out::set_quiet(cli.quiet);
    if let Err(e) = bucket_arg::normalize(&mut cli) {
        out::error(&e, exit::USAGE);
        return ExitCode::from(exit::USAGE);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::ERROR.into();
        }
    };
    let code = runtime.block_on(run(cli));
    ExitCode::from(code)
}

async fn run(cli: Cli) -> u8 {
    if cli.debug {
        if let Some(path) = crate::log::state_dir().map(|d| d.join("ossweep.log")) {
            match crate::log::init(&path) {
                Ok(()) => {
                    crate::log::line(format!("ossweep {} started", env!("CARGO_PKG_VERSION")))
                }
                Err(e) => eprintln!("warning: cannot open the debug log {}: {e}", path.display()),
            }
        }
    }
    if let Some(flag) = client_flag_ignored_by(&cli) {
        out::error(&flag, exit::USAGE);
        return exit::USAGE;
    }
    let command = match &cli.command {
        None => "wizard",
        Some(Command::Buckets { .. }) => "buckets",
        Some(Command::Account { .. }) => "account",
        Some(Command::Scan { .. }) => "scan",
        Some(Command::Check { .. }) => "check",
        Some(Command::Empty(_)) => "empty",
        Some(Command::Delete(_)) => "delete",
        Some(Command::Expire(_)) => "expire",
        Some(Command::Resume(_)) => "resume",
        Some(Command::Emulator(_)) => "emulator",
        Some(Command::Demo(_)) => "demo",
        Some(Command::Completions { .. }) => "completions",
        Some(Command::Man) => "man",
    };
    tracing::info!(command, "command started");
    let result = match &cli.command {
        None => wizard(&cli).await,
        Some(Command::Buckets {
            json,
            vector: false,
        }) => buckets::run(&cli, *json).await,
        Some(Command::Buckets { json, vector: true }) => buckets::run_vector(&cli, *json).await,
        Some(Command::Account { json }) => account::run(&cli, *json).await,
        Some(Command::Scan {
            bucket,
            json,
            vector,
        }) => scan::run(&cli, bucket, *json, *vector).await,
        Some(Command::Check { bucket, json }) => check::run(&cli, bucket.as_deref(), *json).await,
        Some(Command::Empty(args)) => empty::run(&cli, args).await,
        Some(Command::Delete(args)) => delete::run(&cli, args).await,
        Some(Command::Expire(args)) => expire::run(&cli, args).await,
        Some(Command::Resume(args)) => resume::run(&cli, args).await,
        Some(Command::Emulator(args)) => emulator::run_emulator(args).await,
        Some(Command::Demo(args)) => emulator::run_demo(args).await,
        Some(Command::Completions { shell }) => {
            let mut command = parse::command();
            let mut text = Vec::new();
            clap_complete::generate(*shell, &mut command, "ossweep", &mut text);
            out::raw(&String::from_utf8_lossy(&text));
            Ok(exit::DONE)
        }
        Some(Command::Man) => {
            let mut text = Vec::new();
            clap_mangen::Man::new(parse::command())
                .render(&mut text)
                .map_err(|e| e.to_string())
                .map(|()| {
                    out::raw(&String::from_utf8_lossy(&text));
                    exit::DONE
                })
        }
    };
    let code = match result {
        Ok(code) => code,
        Err(message) => {
            let message = crate::text::visible_lines(&message);
            tracing::info!(command, error = %message, "command failed");
            out::error(&message, exit::ERROR);
            exit::ERROR
        }
    };
    tracing::info!(command, exit_code = code, "command ended");
    code
}
