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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret_or_token() {
        let c = Credentials::new("LTAIexample", "topsecretvalue").with_token("tokenvalue123");
        let shown = format!("{c:?} {c:#?}");
        assert!(shown.contains("LTAIexample"));
        assert!(!shown.contains("topsecretvalue"));
        assert!(!shown.contains("tokenvalue123"));
    }
}
