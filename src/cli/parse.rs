//! Reading the command line: clap's parser, with two additions. The commands
//! that run their own emulator (`emulator`, `demo`) list only their own flags
//! in their help, and a wrong argument under `--json` is also a JSON error
//! event on stdout, as every other error of a JSON command is.

use clap::{CommandFactory, FromArgMatches};

use super::{exit, out, Cli};

/// The command line. `emulator` and `demo` run their own emulator and
/// refuse the client flags, so their help is their own flags only (the flags
/// still parse, to be refused by name).
pub fn command() -> clap::Command {
    use super::emulator::{DemoArgs, EmulatorArgs};
    Cli::command()
        .mut_subcommand("emulator", |c| own_help::<EmulatorArgs>(c, "emulator"))
        .mut_subcommand("demo", |c| own_help::<DemoArgs>(c, "demo"))
}

/// `sub`'s help drawn from its own arguments `A`, without the global flags.
fn own_help<A: clap::Args>(sub: clap::Command, name: &'static str) -> clap::Command {
    let mut alone = A::augment_args(clap::Command::new(name).bin_name(format!("ossweep {name}")));
    if let Some(about) = sub.get_about() {
        alone = alone.about(about.clone());
    }
    if let Some(after) = sub.get_after_help() {
        alone = alone.after_help(after.clone());
    }
    let help = alone.render_help();
    sub.override_help(help)
}

/// Parses `args`; help and version are printed here. `Err` is the exit
/// code, the error already said (on stderr, and on stdout as JSON when the
/// line asked for `--json`).
pub fn parse_from(args: Vec<std::ffi::OsString>) -> Result<Cli, u8> {
    let error = match command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => return Ok(cli),
        Err(e) => e,
    };
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return Err(if error.use_stderr() {
            exit::USAGE
        } else {
            exit::DONE
        });
    }
    let _ = error.print();
    // The error is on stderr already; a script reading stdout gets it too.
    if asked_for_json(&args) {
        out::line(&serde_json::json!({
            "event": "error",
            "message": crate::text::visible_lines(&message_of(&error)),
            "exit_code": exit::USAGE,
        }));
    }
    Err(exit::USAGE)
}

/// `--json` among the flags (not after `--`, where it would be a value).
fn asked_for_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// clap's error without its `error: ` lead, usage and help pointer: what
/// went wrong and its tip.
fn message_of(error: &clap::Error) -> String {
    let text = error.render().to_string();
    text.lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(|l| l.trim_start_matches("error: ").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<std::ffi::OsString> {
        line.split_whitespace().map(Into::into).collect()
    }

    /// The help a command line prints.
    fn help_of(line: &[&str]) -> String {
        let e = command().try_get_matches_from(line).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        e.render().to_string()
    }

    #[test]
    fn the_emulators_help_lists_its_own_flags_only() {
        let help = help_of(&["ossweep", "emulator", "--help"]);
        assert!(
            help.contains("--listen") && help.contains("--seed"),
            "{help}"
        );
        for flag in [
            "--profile ",
            "--endpoint ",
            "--qps ",
            "--concurrency ",
            "--path-style",
        ] {
            assert!(!help.contains(flag), "{flag} in: {help}");
        }
        let demo = help_of(&["ossweep", "demo", "--help"]);
        assert!(
            !demo.contains("--qps ") && !demo.contains("--region"),
            "{demo}"
        );
        // Other commands still list them.
        let scan = help_of(&["ossweep", "scan", "--help"]);
        assert!(
            scan.contains("--qps") && scan.contains("Global options"),
            "{scan}"
        );
    }

    #[test]
    fn hidden_flags_still_parse_so_the_emulator_can_refuse_them_by_name() {
        let cli = parse_from(args("ossweep demo --qps 5")).unwrap();
        assert_eq!(cli.qps, Some(5));
        assert!(super::super::client_flag_ignored_by(&cli)
            .unwrap()
            .contains("--qps"));
        let cli = parse_from(args("ossweep emulator --region cn-beijing")).unwrap();
        assert!(super::super::client_flag_ignored_by(&cli).is_none());
    }

    #[test]
    fn json_is_asked_by_the_flag_itself_only() {
        assert!(asked_for_json(&args("ossweep scan b --json --jsn")));
        assert!(!asked_for_json(&args("ossweep scan --jsn b")));
        assert!(!asked_for_json(&args("ossweep scan b -- --json")));
    }

    #[test]
    fn a_parser_error_is_said_in_one_line_with_its_tip() {
        let e = command()
            .try_get_matches_from(args("ossweep scan b --json --jsn"))
            .unwrap_err();
        let m = message_of(&e);
        assert!(m.starts_with("unexpected argument '--jsn' found"), "{m}");
        assert!(!m.contains("Usage") && !m.contains('\n'), "{m}");
    }
}
