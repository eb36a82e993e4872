//! The emulator's data: buckets, versions, uploads, LiveChannels, access points and
//! configuration, with OSS's rules (versioning, null versions, delete markers,
//! `BucketNotEmpty`). Synchronous and free of HTTP; `ops` maps requests onto it.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::oss::model::Versioning;

/// Version id 0 is the `null` version; others render as `CAEQ` + 16 hex digits.
pub type VersionId = u64;

pub fn render_version_id(id: VersionId) -> String {
    if id == 0 {
        "null".into()
    } else {
        format!("CAEQ{id:016X}")
    }
}

/// An upload id as OSS shows them: 32 upper-case hex digits that differ from
/// the first (the store's counter, scrambled so ids do not share a prefix).
pub fn render_upload_id(n: u64) -> String {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!("{:016X}{:016X}", mix(n), mix(!n))
}

/// `None` when the text names no version this store could have made.
pub fn parse_version_id(s: &str) -> Option<VersionId> {
    if s == "null" || s.is_empty() {
        return Some(0);
    }
    s.strip_prefix("CAEQ")
        .filter(|h| h.len() == 16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StorageClass {
    #[default]
    Standard,
    IA,
    Archive,
    ColdArchive,
    DeepColdArchive,
}

impl StorageClass {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Standard" | "STANDARD" => StorageClass::Standard,
            "IA" => StorageClass::IA,
            "Archive" => StorageClass::Archive,
            "ColdArchive" => StorageClass::ColdArchive,
            "DeepColdArchive" => StorageClass::DeepColdArchive,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::Standard => "Standard",
            StorageClass::IA => "IA",
            StorageClass::Archive => "Archive",
            StorageClass::ColdArchive => "ColdArchive",
            StorageClass::DeepColdArchive => "DeepColdArchive",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub id: VersionId,
    pub delete_marker: bool,
    pub size: u64,
    /// MD5 of the content (hex upper-case on the wire).
    pub etag: u128,
    pub class: StorageClass,
    pub multipart: bool,
    pub modified: i64,
    /// Content, kept only for small objects written through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub size: u64,
    pub etag: u128,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub initiated: i64,
    pub class: StorageClass,
    pub parts: BTreeMap<u32, Part>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveChannel {
    pub description: String,
    pub enabled: bool,
    pub modified: i64,
    pub playlist: String,
    /// A client is pushing a stream to it (RTMP): it is `Live`, and
    /// DeleteLiveChannel answers `ChannelStillLive` until it is disabled.
    #[serde(default)]
    pub pushing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPoint {
    pub network_origin: String,
    pub vpc_id: Option<String>,
    pub created: i64,
    /// Milliseconds (emulator clock) when it stops being `creating`.
    pub ready_at_ms: u64,
    /// Set by DeleteAccessPoint: it is `deleting` until then, and gone after.
    pub gone_at_ms: Option<u64>,
    pub policy: Option<String>,
}

impl AccessPoint {
    pub fn status(&self, now_ms: u64) -> &'static str {
        match self.gone_at_ms {
            Some(_) => "deleting",
            None if now_ms < self.ready_at_ms => "creating",
            None => "enable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRule {
    pub id: String,
    pub prefixes: Vec<String>,
    pub action: String,
    pub dest_bucket: String,
    pub dest_location: String,
    pub historical: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worm {
    pub id: String,
    pub locked: bool,
    pub days: u64,
    pub created: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accelerator {
    pub zone: String,
    pub quota_gb: u64,
    pub created: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BucketConfig {
    pub replication: Vec<ReplicationRule>,
    pub worm: Option<Worm>,
    pub website_xml: Option<String>,
    pub cnames: Vec<(String, i64)>,
    pub policy: Option<String>,
    pub lifecycle_xml: Option<String>,
    pub accelerators: Vec<Accelerator>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub region: String,
    pub created: i64,
    pub class: StorageClass,
    pub versioning: Versioning,
    /// Versions of each key, newest first.
    pub objects: BTreeMap<String, Vec<Version>>,
    /// Keyed by (object key, upload id).
    #[serde(with = "pair_keys")]
    pub uploads: BTreeMap<(String, String), Upload>,
    pub live_channels: BTreeMap<String, LiveChannel>,
    pub access_points: BTreeMap<String, AccessPoint>,
    pub config: BucketConfig,
}

/// JSON maps need string keys; uploads are saved as a list of pairs.
mod pair_keys {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Upload;

    type Map = BTreeMap<(String, String), Upload>;

    pub fn serialize<S: Serializer>(m: &Map, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        Ok(Vec::<((String, String), Upload)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

/// What keeps a bucket from being deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contents {
    pub versions: u64,
    pub delete_markers: u64,
    pub uploads: u64,
    pub live_channels: u64,
    pub access_points: u64,
    pub accelerators: u64,
}

impl Contents {
    pub fn is_empty(&self) -> bool {
        *self == Contents::default()
    }
}

impl Bucket {
    pub fn new(region: &str, created: i64, class: StorageClass) -> Self {
        Bucket {
            region: region.to_string(),
            created,
            class,
            versioning: Versioning::Off,
            objects: BTreeMap::new(),
            uploads: BTreeMap::new(),
            live_channels: BTreeMap::new(),
            access_points: BTreeMap::new(),
            config: BucketConfig::default(),
        }
    }

    pub fn contents(&self) -> Contents {
        let mut c = Contents::default();
        for versions in self.objects.values() {
            for v in versions {
                if v.delete_marker {
                    c.delete_markers += 1;
                } else {
                    c.versions += 1;
                }
            }
        }
        c.uploads = self.uploads.len() as u64;
        c.live_channels = self.live_channels.len() as u64;
        c.access_points = self.access_points.len() as u64;
        c.accelerators = self.config.accelerators.len() as u64;
        c
    }

    /// Removes access points whose asynchronous deletion has finished.
    pub fn settle(&mut self, now_ms: u64) {
        self.access_points
            .retain(|_, ap| ap.gone_at_ms.is_none_or(|t| now_ms < t));
    }

    /// Writes an object as OSS would for the bucket's versioning state; returns its version id.
    pub fn put(&mut self, key: &str, mut v: Version, next_id: &mut u64) -> VersionId {
        let versions = self
            .objects
            .entry(key.to_string())
            .or_insert_with(|| Vec::with_capacity(1));
        match self.versioning {
            Versioning::Off => {
                v.id = 0;
                versions.clear();
            }
            Versioning::Enabled => {
                *next_id += 1;
                v.id = *next_id;
            }
            Versioning::Suspended => {
                v.id = 0;
                versions.retain(|x| x.id != 0);
            }
        }
        let id = v.id;
        versions.insert(0, v);
        id
    }

    /// DeleteObject semantics. Returns (delete marker involved, version id to report).
    pub fn delete(
        &mut self,
        key: &str,
        version: Option<VersionId>,
        now: i64,
        next_id: &mut u64,
    ) -> (bool, Option<VersionId>) {
        match version {
            Some(id) => {
                let Some(versions) = self.objects.get_mut(key) else {
                    return (false, Some(id));
                };
                let mut was_marker = false;
                if let Some(pos) = versions.iter().position(|v| v.id == id) {
                    was_marker = versions.remove(pos).delete_marker;
                }
                if versions.is_empty() {
                    self.objects.remove(key);
                }
                (was_marker, Some(id))
            }
            None => match self.versioning {
                Versioning::Off => {
                    self.objects.remove(key);
                    (false, None)
                }
                Versioning::Enabled => {
                    *next_id += 1;
                    let marker = Version {
                        id: *next_id,
                        delete_marker: true,
                        size: 0,
                        etag: 0,
                        class: StorageClass::Standard,
                        multipart: false,
                        modified: now,
                        data: None,
                    };
                    self.objects
                        .entry(key.to_string())
                        .or_default()
                        .insert(0, marker);
                    (true, Some(*next_id))
                }
                Versioning::Suspended => {
                    let versions = self.objects.entry(key.to_string()).or_default();
                    versions.retain(|x| x.id != 0);
                    let marker = Version {
                        id: 0,
                        delete_marker: true,
                        size: 0,
                        etag: 0,
                        class: StorageClass::Standard,
                        multipart: false,
                        modified: now,
                        data: None,
                    };
                    versions.insert(0, marker);
                    (true, Some(0))
                }
            },
        }
    }

    /// Whether WORM protects this version at `now` (a locked policy, retention not over).
    pub fn worm_protects(&self, v: &Version, now: i64) -> bool {
        match &self.config.worm {
            Some(w) => {
                !v.delete_marker
                    && v.modified + (w.days as i64) * 86_400 > now
                    && (w.locked || now < w.created + 86_400)
            }
            None => false,
        }
    }

    /// Keys (and CommonPrefixes) of the current, non-marker objects after `after`.
    pub fn list_current(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        after: Option<&str>,
        max: usize,
    ) -> Listing<'_, (&str, &Version)> {
        let mut out = Listing::default();
        let start = match after {
            Some(a) => Bound::Excluded(a.to_string()),
            None => Bound::Included(prefix.to_string()),
        };
        let mut last_prefix: Option<String> = None;
        for (key, versions) in self.objects.range((start, Bound::Unbounded)) {
            if !key.starts_with(prefix) {
                if key.as_str() > prefix {
                    break;
                }
                continue;
            }
            let Some(cur) = versions.first().filter(|v| !v.delete_marker) else {
                continue;
            };
            if let Some(cp) = common_prefix(key, prefix, delimiter) {
                if last_prefix.as_deref() == Some(cp) || after.is_some_and(|a| a.starts_with(cp)) {
                    continue;
                }
                if out.len() == max {
                    out.truncated = true;
                    break;
                }
                last_prefix = Some(cp.to_string());
                out.prefixes.push(cp.to_string());
                out.last = Some(cp.to_string());
                continue;
            }
            if out.len() == max {
                out.truncated = true;
                break;
            }
            out.items.push((key.as_str(), cur));
            out.last = Some(key.clone());
        }
        out
    }

    /// Versions and delete markers in ListObjectVersions order, resuming after
    /// (`key_marker`, `version_marker`).
    pub fn list_versions(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        key_marker: Option<&str>,
        version_marker: Option<VersionId>,
        max: usize,
        marker: MarkerMode,
    ) -> Listing<'_, (&str, &Version, bool)> {
        let mut out = Listing::default();
        let start = match (key_marker, version_marker) {
            (Some(k), Some(_)) => Bound::Included(k.to_string()),
            (Some(k), None) => Bound::Excluded(k.to_string()),
            (None, _) => Bound::Included(prefix.to_string()),
        };
        let mut last_prefix: Option<String> = None;
        'keys: for (key, versions) in self.objects.range((start, Bound::Unbounded)) {
            if !key.starts_with(prefix) {
                if key.as_str() > prefix {
                    break;
                }
                continue;
            }
            if let Some(cp) = common_prefix(key, prefix, delimiter) {
                if last_prefix.as_deref() == Some(cp)
                    || key_marker.is_some_and(|a| a.starts_with(cp) && a != key)
                {
                    continue;
                }
                if out.len() == max {
                    out.truncated = true;
                    break;
                }
                last_prefix = Some(cp.to_string());
                out.prefixes.push(cp.to_string());
                out.last = Some(cp.to_string());
                out.last_version = None;
                continue;
            }
            let skip_until = match (key_marker, version_marker) {
                (Some(k), Some(vm)) if k == key => resume_position(versions, vm, marker),
                _ => 0,
            };
            for (i, v) in versions.iter().enumerate().skip(skip_until) {
                if out.len() == max {
                    out.truncated = true;
                    break 'keys;
                }
                out.items.push((key.as_str(), v, i == 0));
                out.last = Some(key.clone());
                out.last_version = Some(v.id);
            }
        }
        out
    }
}

/// How a version-id-marker is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MarkerMode {
    /// As OSS does: a version id marks a position in the key's version order
    /// (ids grow with time), so the listing resumes after it even when that
    /// version has since been deleted.
    #[default]
    Position,
    /// A scripted fault: a marker version that no longer exists skips the rest
    /// of its key (what a naive server does), for testing clients against it.
    SkipWhenGone,
}

/// How many of a key's versions (newest first) lie at or before the marker.
fn resume_position(versions: &[Version], vm: VersionId, mode: MarkerMode) -> usize {
    if let Some(p) = versions.iter().position(|v| v.id == vm) {
        return p + 1;
    }
    match mode {
        MarkerMode::SkipWhenGone => versions.len(),
        // A deleted `null` marker has no position to compare: list the key again
        // (a repeat is harmless; a skip is not).
        MarkerMode::Position if vm == 0 => 0,
        // Newer versions have larger ids; a `null` version's place is unknown, so
        // the scan stops at the first one rather than pass over it.
        MarkerMode::Position => versions
            .iter()
            .position(|v| v.id == 0 || v.id < vm)
            .unwrap_or(versions.len()),
    }
}

fn common_prefix<'a>(key: &'a str, prefix: &str, delimiter: Option<&str>) -> Option<&'a str> {
    let d = delimiter.filter(|d| !d.is_empty())?;
    let rest = &key[prefix.len()..];
    rest.find(d).map(|i| &key[..prefix.len() + i + d.len()])
}

/// One page of a listing.
#[derive(Debug)]
pub struct Listing<'a, T> {
    pub items: Vec<T>,
    pub prefixes: Vec<String>,
    pub truncated: bool,
    /// The last key or prefix on the page (the next marker).
    pub last: Option<String>,
    pub last_version: Option<VersionId>,
    _lt: std::marker::PhantomData<&'a ()>,
}

impl<T> Default for Listing<'_, T> {
    fn default() -> Self {
        Listing {
            items: Vec::new(),
            prefixes: Vec::new(),
            truncated: false,
            last: None,
            last_version: None,
            _lt: std::marker::PhantomData,
        }
    }
}

impl<T> Listing<'_, T> {
    pub fn len(&self) -> usize {
        self.items.len() + self.prefixes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// All buckets plus the id counter; serialised whole for `--data-dir`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Store {
    pub buckets: BTreeMap<String, Bucket>,
    pub next_id: u64,
    /// OSS Vectors buckets, by region and name.
    #[serde(default)]
    pub vector_buckets: super::vectors::VectorBuckets,
    /// The last CreationDate given to each bucket name (vector buckets as
    /// `vector:<region>:<name>`), deleted buckets included.
    #[serde(default)]
    pub creations: BTreeMap<String, i64>,
}

impl Store {
    /// The bucket a custom domain is bound to (PutCname), and its region.
    pub fn cname_owner(&self, host: &str) -> Option<(String, String)> {
        let host = host.to_ascii_lowercase();
        self.buckets.iter().find_map(|(name, b)| {
            b.config
                .cnames
                .iter()
                .any(|(domain, _)| domain.eq_ignore_ascii_case(&host))
                .then(|| (name.clone(), b.region.clone()))
        })
    }

    /// The CreationDate of a bucket created now under `name`: later than any
    /// earlier bucket of that name got, so a bucket deleted and created again
    /// (within the same second too) never looks like the one before (OSS's
    /// CreationDate has one-second resolution; its name cool-down keeps the
    /// real ones apart).
    pub fn creation_date(&mut self, name: &str, now: i64) -> i64 {
        let at = match self.creations.get(name) {
            Some(last) if *last >= now => last + 1,
            _ => now,
        };
        self.creations.insert(name.to_string(), at);
        at
    }

    /// A fresh id (version ids, upload ids).
    pub fn issue_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

#[cfg(test)]
mod tests;
