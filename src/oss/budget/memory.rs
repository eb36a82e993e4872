//! The rate at which OSS last throttled an account, kept between commands in a
//! small JSON file under the state directory: `ossweep scan` then `ossweep
//! delete`, or a script's loop over buckets, start under what OSS refused a few
//! minutes ago instead of finding the limit again by being throttled. The file
//! names accounts by a SHA-256 of endpoint and AccessKey ID (no credential in
//! it); entries older than [`KEEP_SECS`] are forgotten.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a refusal is remembered.
pub const KEEP_SECS: i64 = 15 * 60;
/// Accounts kept in the file at most (the most recent).
const MAX_ACCOUNTS: usize = 64;

/// Names an account by `endpoint` (a host or URL) and `access_key_id`
/// without saying either.
pub fn digest(endpoint: &str, access_key_id: &str) -> String {
    let digest = Sha256::digest(format!("{endpoint}\n{access_key_id}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Refusal {
    /// Requests per second OSS refused.
    rate: f64,
    /// When (Unix seconds).
    at: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    accounts: BTreeMap<String, Refusal>,
}

/// Where one account's refusals are kept.
#[derive(Clone, Debug)]
pub struct Memory {
    path: PathBuf,
    account: String,
}

impl Memory {
    /// The memory of the account named by `account` (its [`digest`]), in
    /// the file at `path`.
    pub fn new(path: PathBuf, account: String) -> Self {
        Memory { path, account }
    }

    /// The rate OSS refused for this account within [`KEEP_SECS`] of `now`.
    pub fn recall(&self, now: i64) -> Option<f64> {
        let file = self.read();
        file.accounts
            .get(&self.account)
            .filter(|r| now - r.at < KEEP_SECS && now >= r.at && r.rate >= 1.0)
            .map(|r| r.rate)
    }

    /// OSS refused `rate` requests per second at `now`. Written atomically
    /// (write, then rename); a failure to write only loses the memory.
    pub fn remember(&self, rate: f64, now: i64) {
        let mut file = self.read();
        file.version = 1;
        file.accounts
            .insert(self.account.clone(), Refusal { rate, at: now });
        file.accounts.retain(|_, r| now - r.at < KEEP_SECS);
        while file.accounts.len() > MAX_ACCOUNTS {
            let oldest = file
                .accounts
                .iter()
                .min_by_key(|(_, r)| r.at)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                file.accounts.remove(&k);
            }
        }
        let Ok(text) = serde_json::to_string_pretty(&file) else {
            return;
        };
        if let Some(dir) = self.path.parent() {
            let _ = crate::private::dir(dir);
        }
        let _ = crate::private::write_atomically(&self.path, text.as_bytes());
    }

    fn read(&self) -> File {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_recalled_for_its_account_only_and_for_a_while() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/throttling.json");
        let a = Memory::new(
            path.clone(),
            digest("https://oss-cn-hangzhou.aliyuncs.com", "LTAI5tA"),
        );
        let b = Memory::new(
            path.clone(),
            digest("https://oss-cn-hangzhou.aliyuncs.com", "LTAI5tB"),
        );
        assert_eq!(a.recall(1000), None);
        a.remember(48.0, 1000);
        assert_eq!(a.recall(1000 + 60), Some(48.0));
        assert_eq!(b.recall(1000 + 60), None, "another account");
        assert_eq!(a.recall(1000 + KEEP_SECS), None, "forgotten");
        b.remember(900.0, 1100);
        assert_eq!((a.recall(1200), b.recall(1200)), (Some(48.0), Some(900.0)));
        // No credential in the file, only digests.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("LTAI5t") && !text.contains("aliyuncs"),
            "{text}"
        );
    }

    #[test]
    fn a_damaged_file_is_only_a_lost_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("throttling.json");
        std::fs::write(&path, "{ not json").unwrap();
        let m = Memory::new(path.clone(), digest("e", "k"));
        assert_eq!(m.recall(10), None);
        m.remember(20.0, 10);
        assert_eq!(m.recall(11), Some(20.0));
    }
}
