//! What is behind a count: the items a scan found in each category (access
//! points, LiveChannels, uploads, accelerators, the biggest prefixes, objects a
//! retention policy keeps), kept up to a bound so memory never grows with the
//! bucket. The wizard's drill-down shows them; a per-item delete names them.

use std::collections::HashMap;

use serde::Serialize;

pub use crate::vocab::Target;

/// Items kept per category; beyond it they are only counted (`Listed::more`).
pub const KEPT: usize = 1000;
/// Distinct top-level prefixes counted per category; keys under any further
/// prefix are counted together as "other prefixes".
pub const PREFIXES_COUNTED: usize = 4096;

/// One item the scan found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Found {
    AccessPoint {
        name: String,
        /// `creating`, `enable` or `deleting`.
        status: String,
        /// `internet` or `vpc`.
        network: String,
        alias: String,
    },
    LiveChannel {
        name: String,
        /// `enabled` or `disabled`.
        status: String,
        /// GetLiveChannelStat: `Live` (a client is pushing a stream now),
        /// `Idle` or `Disabled`; `None` when it could not be read.
        now: Option<String>,
        modified: Option<i64>,
    },
    Upload {
        key: String,
        upload_id: String,
        initiated: Option<i64>,
    },
    Accelerator {
        zone: String,
    },
    /// Keys under one top-level prefix (`""`: keys with no `/`).
    Prefix {
        prefix: String,
        count: u64,
        bytes: u64,
    },
    /// An object (or version) a retention policy (WORM) keeps until `release`.
    Locked {
        key: String,
        version_id: String,
        bytes: u64,
        release: i64,
    },
}

impl Found {
    /// A LiveChannel a client is pushing a stream to right now.
    pub fn is_live(&self) -> bool {
        matches!(self, Found::LiveChannel { now: Some(s), .. } if s == "Live")
    }

    /// What a filter matches and a list shows first.
    pub fn name(&self) -> &str {
        match self {
            Found::AccessPoint { name, .. } | Found::LiveChannel { name, .. } => name,
            Found::Upload { key, .. } | Found::Locked { key, .. } => key,
            Found::Accelerator { zone } => zone,
            Found::Prefix { prefix, .. } => prefix,
        }
    }

    /// Whether this is the item `t` names.
    pub fn is(&self, t: &Target) -> bool {
        self.target().as_ref() == Some(t)
    }

    /// What a per-item delete names, for the items OSS deletes one at a time
    /// (an access point, a LiveChannel, an upload); `None` for the others.
    pub fn target(&self) -> Option<Target> {
        match self {
            Found::AccessPoint { name, .. } | Found::LiveChannel { name, .. } => {
                Some(Target::named(name))
            }
            Found::Upload { key, upload_id, .. } => Some(Target {
                name: key.clone(),
                upload_id: Some(upload_id.clone()),
            }),
            _ => None,
        }
    }
}

/// The items kept for one category, and how many more were found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub items: Vec<Found>,
    /// Found but not kept (beyond `KEPT`).
    pub more: u64,
}

impl Listed {
    pub fn push(&mut self, f: Found) {
        if self.items.len() < KEPT {
            self.items.push(f);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.more == 0
    }
}

/// The top-level prefix of a key: up to and including its first `/` (`""`
/// when it has none).
pub fn top_prefix(key: &str) -> &str {
    key.find('/').map_or("", |i| &key[..=i])
}

/// Keys and bytes per top-level prefix, for at most `PREFIXES_COUNTED` prefixes.
#[derive(Clone, Debug, Default)]
pub struct Prefixes {
    counts: HashMap<String, (u64, u64)>,
    other: (u64, u64),
}

/// The name the drill-down shows for the keys of prefixes not counted apart.
pub const OTHER_PREFIXES: &str = "(other prefixes)";

impl Prefixes {
    pub fn add(&mut self, key: &str, size: u64) {
        let p = top_prefix(key);
        let add = |slot: &mut (u64, u64)| {
            slot.0 += 1;
            slot.1 += size;
        };
        if let Some(slot) = self.counts.get_mut(p) {
            add(slot);
        } else if self.counts.len() < PREFIXES_COUNTED {
            add(self.counts.entry(p.to_string()).or_default());
        } else {
            add(&mut self.other);
        }
    }

    /// The biggest prefixes first (by bytes, then keys, then name), at most
    /// `KEPT`; the rest and the prefixes not counted apart in one last row.
    pub fn biggest(self) -> Listed {
        let mut all: Vec<(String, (u64, u64))> = self.counts.into_iter().collect();
        all.sort_by(|a, b| {
            (b.1 .1, b.1 .0)
                .cmp(&(a.1 .1, a.1 .0))
                .then_with(|| a.0.cmp(&b.0))
        });
        let mut other = self.other;
        let mut listed = Listed::default();
        for (i, (prefix, (count, bytes))) in all.into_iter().enumerate() {
            if i + 1 < KEPT {
                listed.items.push(Found::Prefix {
                    prefix,
                    count,
                    bytes,
                });
            } else {
                other.0 += count;
                other.1 += bytes;
            }
        }
        if other.0 > 0 {
            listed.items.push(Found::Prefix {
                prefix: OTHER_PREFIXES.into(),
                count: other.0,
                bytes: other.1,
            });
        }
        listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_prefix_is_up_to_the_first_slash() {
        assert_eq!(top_prefix("logs/2024/a.gz"), "logs/");
        assert_eq!(top_prefix("/lead"), "/");
        assert_eq!(top_prefix("flat.txt"), "");
    }

    #[test]
    fn prefixes_are_ranked_by_bytes_and_bounded() {
        let mut p = Prefixes::default();
        p.add("small/a", 1);
        p.add("small/b", 1);
        p.add("big/a", 100);
        p.add("flat", 5);
        let l = p.clone().biggest();
        let names: Vec<&str> = l.items.iter().map(Found::name).collect();
        assert_eq!(names, ["big/", "", "small/"]);
        assert_eq!(
            l.items[2],
            Found::Prefix {
                prefix: "small/".into(),
                count: 2,
                bytes: 2
            }
        );
        // Past the bound, new prefixes are counted together, never dropped.
        for i in 0..PREFIXES_COUNTED + 10 {
            p.add(&format!("p{i}/k"), 1);
        }
        let l = p.biggest();
        let total: u64 = l
            .items
            .iter()
            .map(|f| match f {
                Found::Prefix { count, .. } => *count,
                _ => 0,
            })
            .sum();
        assert_eq!(total, 4 + PREFIXES_COUNTED as u64 + 10);
        assert_eq!(l.items.len(), KEPT);
        assert_eq!(l.items.last().unwrap().name(), OTHER_PREFIXES);
    }

    #[test]
    fn past_the_bound_items_are_counted_not_kept() {
        let mut l = Listed::default();
        for i in 0..KEPT + 3 {
            l.push(Found::Accelerator {
                zone: i.to_string(),
            });
        }
        assert_eq!((l.items.len(), l.more), (KEPT, 3));
    }

    #[test]
    fn only_items_deleted_one_at_a_time_are_targets() {
        let up = Found::Upload {
            key: "a/b".into(),
            upload_id: "U1".into(),
            initiated: None,
        };
        let t = up.target().unwrap();
        assert!(up.is(&t));
        assert_eq!(t.describe(), "a/b (upload U1)");
        assert!(!up.is(&Target::named("a/b")));
        assert_eq!(
            Found::Prefix {
                prefix: "x/".into(),
                count: 1,
                bytes: 1
            }
            .target(),
            None
        );
    }
}
