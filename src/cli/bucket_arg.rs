//! Buckets as people type them: `NAME`, or `oss://NAME[/PREFIX]` as ossutil
//! users do. Normalised once, before any command runs (pure); the bucket
//! name is then validated as any other, so nothing typed here can change
//! which host a request goes to.

use super::{Cli, Command};

/// A bucket named on the command line, and the prefix an `oss://` URL gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketArg {
    pub bucket: String,
    pub prefix: Option<String>,
}

/// `NAME` or `oss://NAME[/PREFIX]` (the scheme in any case).
pub fn parse(s: &str) -> BucketArg {
    let rest = match s.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("oss://") => &s[6..],
        _ => {
            return BucketArg {
                bucket: s.to_string(),
                prefix: None,
            }
        }
    };
    match rest.split_once('/') {
        Some((bucket, prefix)) => BucketArg {
            bucket: bucket.to_string(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        },
        None => BucketArg {
            bucket: rest.to_string(),
            prefix: None,
        },
    }
}

/// Rewrites every bucket argument of `cli` to a plain name; an `oss://` prefix
/// goes where the command takes one (`empty --prefix`), and is refused where
/// it means nothing (`delete` removes whole buckets).
pub fn normalize(cli: &mut Cli) -> Result<(), String> {
    let plain = |s: &mut String, what: &str| -> Result<(), String> {
        let t = parse(s);
        if let Some(p) = t.prefix {
            return Err(format!(
                "{what} takes a bucket, not a prefix ({s:?} names prefix {p:?}); to clear a prefix: ossweep empty oss://{}/{p}",
                t.bucket
            ));
        }
        *s = t.bucket;
        Ok(())
    };
    match &mut cli.command {
        Some(Command::Scan { bucket, .. }) => plain(bucket, "scan")?,
        Some(Command::Expire(a)) => plain(&mut a.bucket, "expire")?,
        Some(Command::Delete(a)) => {
            for b in a.buckets.iter_mut().chain(a.confirm.iter_mut()) {
                plain(b, "delete")?;
            }
        }
        Some(Command::Resume(a)) => {
            for b in a.confirm.iter_mut() {
                plain(b, "--confirm")?;
            }
        }
        Some(Command::Empty(a)) => {
            let t = parse(&a.bucket);
            if let Some(p) = t.prefix {
                match &a.prefix {
                    Some(q) if *q != p => {
                        return Err(format!(
                            "{:?} names prefix {p:?} and --prefix says {q:?}: name one",
                            a.bucket
                        ))
                    }
                    _ => a.prefix = Some(p),
                }
            }
            a.bucket = t.bucket;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("ossweep").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn oss_urls_name_a_bucket_and_maybe_a_prefix() {
        assert_eq!(
            parse("logs"),
            BucketArg {
                bucket: "logs".into(),
                prefix: None
            }
        );
        assert_eq!(
            parse("oss://logs"),
            BucketArg {
                bucket: "logs".into(),
                prefix: None
            }
        );
        assert_eq!(
            parse("OSS://logs/"),
            BucketArg {
                bucket: "logs".into(),
                prefix: None
            }
        );
        assert_eq!(
            parse("oss://logs/2024/01/"),
            BucketArg {
                bucket: "logs".into(),
                prefix: Some("2024/01/".into())
            }
        );
        // Not a URL: left as typed, for the name check to refuse.
        assert_eq!(parse("s3://logs").bucket, "s3://logs");
        assert_eq!(parse("oss:/").bucket, "oss:/");
    }

    #[test]
    fn every_command_takes_oss_urls() {
        let mut c = cli(&["scan", "oss://acme-logs"]);
        normalize(&mut c).unwrap();
        assert!(
            matches!(c.command, Some(Command::Scan { ref bucket, .. }) if bucket == "acme-logs")
        );

        let mut c = cli(&["delete", "oss://a", "b", "--confirm", "oss://a", "b"]);
        normalize(&mut c).unwrap();
        let Some(Command::Delete(d)) = &c.command else {
            panic!()
        };
        assert_eq!(
            (d.buckets.clone(), d.confirm.clone()),
            (
                vec!["a".to_string(), "b".into()],
                vec!["a".to_string(), "b".into()]
            )
        );

        let mut c = cli(&["empty", "oss://site/img/2025/"]);
        normalize(&mut c).unwrap();
        let Some(Command::Empty(e)) = &c.command else {
            panic!()
        };
        assert_eq!(
            (e.bucket.as_str(), e.prefix.as_deref()),
            ("site", Some("img/2025/"))
        );

        // A prefix where none can apply, or two that disagree: refused.
        let mut c = cli(&["delete", "oss://a/logs/", "--confirm", "a"]);
        assert!(normalize(&mut c)
            .unwrap_err()
            .contains("ossweep empty oss://a/logs/"));
        let mut c = cli(&["empty", "oss://a/x/", "--prefix", "y/"]);
        assert!(normalize(&mut c).is_err());
        let mut c = cli(&["empty", "oss://a/x/", "--prefix", "x/"]);
        assert!(normalize(&mut c).is_ok());
    }
}
