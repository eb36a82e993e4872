//! Access keys. Secrets never print: `Debug` redacts them and there is no `Display`.

use std::fmt;

/// A string that must never reach a log, an error or a screen.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The only way to read the value: for signing, nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey ID is an identifier, not a secret (OSS echoes it in errors).
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// STS SecurityToken for temporary credentials.
    pub security_token: Option<Secret>,
}

impl Credentials {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: id.into(),
            access_key_secret: Secret::new(secret),
            security_token: None,
        }
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }
}

/// `LTAI****1234`: enough to tell two keys apart, not to use one.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Temporary credentials and when they expire (Unix seconds; `None`: never).
#[derive(Clone, Debug)]
pub struct Lease {
    pub credentials: Credentials,
    pub expires: Option<i64>,
}

impl Lease {
    /// Temporary credentials from the JSON object STS and the ECS metadata
    /// service both send (`AccessKeyId`, `AccessKeySecret`, `SecurityToken`,
    /// `Expiration`); `who` names the sender in errors.
    pub fn from_json(o: &serde_json::Value, who: &str) -> Result<Lease, String> {
        let field = |k: &str| o.get(k).and_then(|x| x.as_str()).unwrap_or_default();
        let (id, secret, token) = (
            field("AccessKeyId"),
            field("AccessKeySecret"),
            field("SecurityToken"),
        );
        if id.is_empty() || secret.is_empty() || token.is_empty() {
            return Err(format!("{who} sent incomplete credentials"));
        }
        let expires = super::time::parse_iso8601(field("Expiration"))
            .ok_or_else(|| format!("{who} sent no valid Expiration"))?;
        Ok(Lease {
            credentials: Credentials::new(id, secret).with_token(token),
            expires: Some(expires),
        })
    }
}

/// Where temporary credentials come from (an ECS instance's RAM role, say):
/// asked again before the ones held expire.
pub trait Source: Send + Sync + fmt::Debug {
    fn fetch(&self) -> futures::future::BoxFuture<'_, Result<Lease, String>>;
    /// What it is, in a few words for a header (`role ossweep-runner`).
    fn label(&self) -> String;
}

/// What the credentials held now are, to show: the AccessKey ID masked and
/// when they expire (Unix seconds). Never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub key: String,
    pub expires: Option<i64>,
}

/// The credentials a client signs with, renewed from their source before they
/// expire: when less than a twentieth of their life is left (3 minutes of an
/// hour) or, for short-lived ones, 2 seconds. One renewal at a time; while a
/// renewal fails, what is held serves as long as it is valid.
#[derive(Debug)]
pub struct Renewing {
    source: std::sync::Arc<dyn Source>,
    held: tokio::sync::Mutex<Option<(Lease, i64)>>,
    /// What is held, for whoever shows it (the wizard's header).
    shown: tokio::sync::watch::Sender<Option<Held>>,
}

impl Renewing {
    pub fn new(source: std::sync::Arc<dyn Source>) -> Self {
        Renewing {
            source,
            held: Default::default(),
            shown: tokio::sync::watch::channel(None).0,
        }
    }

    /// What the credentials come from, in a few words.
    pub fn label(&self) -> String {
        self.source.label()
    }

    /// What is held, now and after each renewal.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<Option<Held>> {
        self.shown.subscribe()
    }

    /// Forgets what is held (OSS said it expired): the next request renews.
    pub async fn expire(&self) {
        *self.held.lock().await = None;
    }

    /// The credentials to sign with at `now` (Unix seconds).
    pub async fn current(&self, now: i64) -> Result<Credentials, String> {
        let mut held = self.held.lock().await;
        if let Some((lease, fetched)) = held.as_ref() {
            if !renewal_due(lease.expires, *fetched, now) {
                return Ok(lease.credentials.clone());
            }
        }
        match self.source.fetch().await {
            Ok(lease) => {
                let c = lease.credentials.clone();
                tracing::info!(
                    key = %mask(&c.access_key_id),
                    expires = %lease.expires.map_or("-".into(), super::time::iso8601_seconds),
                    "temporary credentials renewed"
                );
                self.shown.send_replace(Some(Held {
                    key: mask(&c.access_key_id),
                    expires: lease.expires,
                }));
                *held = Some((lease, now));
                Ok(c)
            }
            Err(e) => match held.as_ref() {
                Some((lease, _)) if lease.expires.is_none_or(|x| now < x) => {
                    Ok(lease.credentials.clone())
                }
                _ => Err(e),
            },
        }
    }
}

/// Whether credentials fetched at `fetched` that expire at `expires` are due
/// for renewal at `now`.
fn renewal_due(expires: Option<i64>, fetched: i64, now: i64) -> bool {
    let Some(expires) = expires else {
        return false;
    };
    let life = (expires - fetched).max(0);
    let margin = (life / 20).max(2.min(life / 2));
    now >= expires - margin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_renewed_with_a_share_of_their_life_left() {
        // An hour: three minutes before.
        assert!(!renewal_due(Some(3_600), 0, 3_419));
        assert!(renewal_due(Some(3_600), 0, 3_420));
        // Five seconds: two before, not on every request.
        assert!(!renewal_due(Some(105), 100, 102));
        assert!(renewal_due(Some(105), 100, 103));
        assert!(!renewal_due(None, 0, i64::MAX));
    }

    #[derive(Debug)]
    struct OneLease;

    impl Source for OneLease {
        fn fetch(&self) -> futures::future::BoxFuture<'_, Result<Lease, String>> {
            Box::pin(async {
                Ok(Lease {
                    credentials: Credentials::new("STS.NewLeaseKey1", "secret-never-shown")
                        .with_token("t"),
                    expires: Some(5_000),
                })
            })
        }

        fn label(&self) -> String {
            "role runner".into()
        }
    }

    /// Whoever shows the credentials learns of each renewal: the key masked
    /// and when it expires, never the secret.
    #[tokio::test]
    async fn a_renewal_is_shown_masked_with_its_expiry() {
        let r = Renewing::new(std::sync::Arc::new(OneLease));
        let watch = r.watch();
        assert_eq!(
            (r.label(), watch.borrow().clone()),
            ("role runner".into(), None)
        );
        r.current(1_000).await.unwrap();
        assert_eq!(
            watch.borrow().clone(),
            Some(Held {
                key: "STS.****Key1".into(),
                expires: Some(5_000)
            })
        );
    }

    #[test]
    fn debug_output_never_shows_the_secret_or_token() {
        let c = Credentials::new("LTAIexample", "topsecretvalue").with_token("tokenvalue123");
        let shown = format!("{c:?} {c:#?}");
        assert!(shown.contains("LTAIexample"));
        assert!(!shown.contains("topsecretvalue"));
        assert!(!shown.contains("tokenvalue123"));
    }
}
