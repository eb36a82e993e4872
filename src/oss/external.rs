//! An external credential process (the aliyun CLI's `External` mode,
//! `process_command`): a command the user configured, run without a shell,
//! that prints credentials as JSON (`mode`, `access_key_id`,
//! `access_key_secret`, `sts_token`, `expiration`), as Alibaba's credential
//! libraries read it (`credentials-go` `external.go`). Its output is bounded,
//! its run timed out after 60 s; with an `expiration` it is run again before
//! the credentials expire.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;

use super::credentials::{Lease, Source};
use super::{time, Credentials};

/// The most a credential process may print.
const MAX_OUTPUT: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct ExternalProcess {
    argv: Vec<String>,
}

impl ExternalProcess {
    /// `command` split as a POSIX shell would (quotes kept together), never run
    /// through one.
    pub fn new(command: &str) -> Result<Self, String> {
        let argv = shlex::split(command)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| "process_command is empty or its quotes do not close".to_string())?;
        Ok(ExternalProcess { argv })
    }

    /// The program it runs (for messages).
    pub fn program(&self) -> &str {
        &self.argv[0]
    }

    async fn lease(&self) -> Result<Lease, String> {
        let run = tokio::process::Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(TIMEOUT, run)
            .await
            .map_err(|_| {
                format!(
                    "the credential process {} timed out after 60 s",
                    self.program()
                )
            })?
            .map_err(|e| {
                format!(
                    "the credential process {} could not run: {e}",
                    self.program()
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "the credential process {} failed ({})",
                self.program(),
                out.status
            ));
        }
        if out.stdout.len() > MAX_OUTPUT {
            return Err(format!(
                "the credential process {} printed too much",
                self.program()
            ));
        }
        parse_output(&String::from_utf8_lossy(&out.stdout))
    }
}

impl Source for ExternalProcess {
    fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
        self.lease().boxed()
    }

    fn label(&self) -> String {
        "credential process".into()
    }
}

/// The credentials a credential process printed.
pub fn parse_output(text: &str) -> Result<Lease, String> {
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|_| "the credential process printed no JSON".to_string())?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
    let (id, secret) = (field("access_key_id"), field("access_key_secret"));
    if id.is_empty() || secret.is_empty() {
        return Err("the credential process printed no access_key_id or access_key_secret".into());
    }
    let credentials = match field("mode") {
        "StsToken" if field("sts_token").is_empty() => {
            return Err("the credential process printed mode StsToken without sts_token".into())
        }
        "StsToken" => Credentials::new(id, secret).with_token(field("sts_token")),
        _ => Credentials::new(id, secret),
    };
    let expires = match field("expiration") {
        "" => None,
        e => Some(time::parse_iso8601(e).ok_or_else(|| {
            "the credential process printed an expiration that is not a date".to_string()
        })?),
    };
    Ok(Lease {
        credentials,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_output_is_read_as_the_libraries_read_it() {
        let sts = r#"{"mode":"StsToken","access_key_id":"STS.x","access_key_secret":"s","sts_token":"t","expiration":"2026-12-07T16:00:00Z"}"#;
        let lease = parse_output(sts).unwrap();
        assert_eq!(lease.credentials.security_token.unwrap().expose(), "t");
        assert!(lease.expires.is_some());
        let ak = parse_output(r#"{"mode":"AK","access_key_id":"LTAI5tX","access_key_secret":"s"}"#)
            .unwrap();
        assert!(ak.credentials.security_token.is_none() && ak.expires.is_none());
        assert!(
            parse_output(r#"{"mode":"StsToken","access_key_id":"a","access_key_secret":"s"}"#)
                .is_err()
        );
        assert!(parse_output("oops").is_err());
        assert_eq!(
            ExternalProcess::new("'/opt/my tools/creds' --profile \"team a\"")
                .unwrap()
                .argv,
            ["/opt/my tools/creds", "--profile", "team a"]
        );
        assert!(ExternalProcess::new("  ").is_err());
    }
}
