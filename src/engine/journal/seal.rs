//! The journal's seal: an HMAC-SHA256 under a key of 32 random bytes kept
//! beside the journals (mode 0600), over each file's exact bytes and its
//! name. A journal copied from another machine or user, renamed, damaged, or
//! edited by hand or by another tool fails it and is never resumed.
//!
//! Threat model: the key sits in the same private directory as the journals,
//! so the seal stops copied, corrupted and other-tool-edited journals, not the
//! user themself, who could run `ossweep delete` anyway.

use std::io::{self, Read};
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key's file, in the runs directory.
pub const KEY_FILE: &str = "journal.key";

#[derive(Clone)]
pub struct Seal {
    key: [u8; 32],
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(..)")
    }
}

impl Seal {
    /// The key of `dir` (the runs directory), made on first use.
    pub fn load_or_create(dir: &Path) -> io::Result<Seal> {
        let path = dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Seal::parse(&text).ok_or_else(|| {
                io::Error::other(format!(
                    "the journal key {} is damaged; remove it (the journals it sealed can then only be discarded)",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::getrandom(&mut key).map_err(|e| io::Error::other(e.to_string()))?;
                let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
                match crate::private::create_new(&path) {
                    Ok(mut f) => {
                        io::Write::write_all(&mut f, hex.as_bytes())?;
                        Ok(Seal { key })
                    }
                    // Another process made it first: use theirs.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        let mut text = String::new();
                        std::fs::File::open(&path)?.read_to_string(&mut text)?;
                        Seal::parse(&text).ok_or_else(|| io::Error::other("the journal key is damaged"))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    fn parse(text: &str) -> Option<Seal> {
        let text = text.trim();
        if text.len() != 64 {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Seal { key })
    }

    #[cfg(test)]
    pub fn fixed(key: [u8; 32]) -> Seal {
        Seal { key }
    }

    /// The seal of `body`, written as the file `name` of kind `what`.
    pub fn sign(&self, what: &str, name: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(format!("ossweep {what}\n{name}\n").as_bytes());
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `mac` is the seal of `body` as the file `name` (compared in
    /// constant time).
    pub fn verify(&self, what: &str, name: &str, body: &[u8], mac: &str) -> bool {
        let Some(expected) = (0..mac.len() / 2)
            .map(|i| u8::from_str_radix(mac.get(2 * i..2 * i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()
        else {
            return false;
        };
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        m.update(format!("ossweep {what}\n{name}\n").as_bytes());
        m.update(body);
        m.verify_slice(&expected).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_binds_the_bytes_the_name_and_the_key() {
        let seal = Seal::fixed([7; 32]);
        let mac = seal.sign("journal", "20261206-000000-0001", b"{\"a\":1}");
        assert!(seal.verify("journal", "20261206-000000-0001", b"{\"a\":1}", &mac));
        assert!(!seal.verify("journal", "20261206-000000-0001", b"{\"a\":2}", &mac));
        assert!(!seal.verify("journal", "20261206-000000-0002", b"{\"a\":1}", &mac));
        assert!(!seal.verify("batch", "20261206-000000-0001", b"{\"a\":1}", &mac));
        assert!(!Seal::fixed([8; 32]).verify(
            "journal",
            "20261206-000000-0001",
            b"{\"a\":1}",
            &mac
        ));
        assert!(!seal.verify("journal", "20261206-000000-0001", b"{\"a\":1}", "zz"));
        assert!(!seal.verify("journal", "20261206-000000-0001", b"{\"a\":1}", ""));
    }

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = Seal::load_or_create(dir.path()).unwrap();
        let b = Seal::load_or_create(dir.path()).unwrap();
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, [0; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(KEY_FILE), "short").unwrap();
        assert!(Seal::load_or_create(dir.path())
            .unwrap_err()
            .to_string()
            .contains("damaged"));
    }
}
