//! Seeds: the data an emulator starts with. `assets/demo.toml` is the demo
//! account; `--seed FILE` takes the same format. Deterministic: fixed times,
//! ids from a counter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use md5::{Digest, Md5};
use serde::Deserialize;

use crate::oss::model::Versioning;

use super::store::*;

pub const DEMO_TOML: &str = include_str!("../../assets/demo.toml");

#[derive(Clone, Debug, Default)]
pub enum Seed {
    #[default]
    Empty,
    Demo,
    File(PathBuf),
    Inline(String),
}

impl Seed {
    /// `demo`, `empty`, or a path.
    pub fn parse(s: &str) -> Seed {
        match s {
            "demo" => Seed::Demo,
            "empty" => Seed::Empty,
            path => Seed::File(PathBuf::from(path)),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// Unix time the data is dated relative to; absent: today, 00:00 UTC (so ages,
    /// retention and fees look the same whenever the demo runs).
    #[serde(default)]
    pub clock: Option<i64>,
    #[serde(default, rename = "bucket")]
    pub buckets: Vec<BucketSeed>,
    #[serde(default, rename = "vector_bucket")]
    pub vector_buckets: Vec<VectorBucketSeed>,
}

/// An OSS Vectors bucket with its indexes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorBucketSeed {
    pub name: String,
    pub region: Option<String>,
    #[serde(default)]
    pub age_days: i64,
    #[serde(default, rename = "index")]
    pub indexes: Vec<VectorIndexSeed>,
}

/// An index of `vectors` vectors `v0000000`, `v0000001`, ... (deterministic data).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorIndexSeed {
    pub name: String,
    pub dimension: u64,
    #[serde(default = "cosine")]
    pub distance_metric: String,
    #[serde(default)]
    pub vectors: u64,
}

fn cosine() -> String {
    "cosine".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSeed {
    pub name: String,
    pub region: Option<String>,
    #[serde(default)]
    pub storage_class: Option<String>,
    /// `Off`, `Enabled` or `Suspended`.
    #[serde(default)]
    pub versioning: Option<String>,
    /// Days before `clock` the bucket was created.
    #[serde(default)]
    pub age_days: i64,
    #[serde(default)]
    pub objects: Vec<ObjectSeed>,
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<PatternSeed>,
    #[serde(default)]
    pub uploads: Vec<UploadSeed>,
    #[serde(default)]
    pub live_channels: Vec<String>,
    /// Of those, the ones a client is pushing a stream to right now.
    #[serde(default)]
    pub live_now: Vec<String>,
    #[serde(default)]
    pub access_points: Vec<AccessPointSeed>,
    #[serde(default)]
    pub replication: Vec<ReplicationSeed>,
    #[serde(default)]
    pub website: bool,
    #[serde(default)]
    pub cnames: Vec<String>,
    /// A locked retention policy of this many days.
    pub worm_days: Option<u64>,
    #[serde(default)]
    pub lifecycle: Option<String>,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub accelerator_zones: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectSeed {
    pub key: String,
    #[serde(default = "default_size")]
    pub size: u64,
    #[serde(default)]
    pub class: Option<String>,
    /// Versions written (the last is current); needs versioning.
    #[serde(default = "one")]
    pub versions: u32,
    /// Ends with a delete marker on top (versioned buckets).
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub age_days: i64,
}

/// `count` keys `prefix` + zero-padded index + `suffix`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternSeed {
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    pub count: u64,
    #[serde(default = "default_size")]
    pub size: u64,
    #[serde(default)]
    pub class: Option<String>,
    #[serde(default = "one")]
    pub versions: u32,
    /// Every n-th key gets a delete marker on top (0 = none).
    #[serde(default)]
    pub delete_marker_every: u64,
    #[serde(default)]
    pub age_days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSeed {
    pub key: String,
    #[serde(default = "one")]
    pub parts: u32,
    #[serde(default = "default_part")]
    pub part_size: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPointSeed {
    pub name: String,
    #[serde(default = "internet")]
    pub network_origin: String,
    pub vpc_id: Option<String>,
    pub policy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationSeed {
    pub id: String,
    pub destination_bucket: String,
    pub destination_region: String,
    #[serde(default = "all")]
    pub action: String,
    #[serde(default)]
    pub prefixes: Vec<String>,
}

fn default_size() -> u64 {
    1024
}
fn default_part() -> u64 {
    5 * 1024 * 1024
}
fn one() -> u32 {
    1
}
fn internet() -> String {
    "internet".into()
}
fn all() -> String {
    "ALL".into()
}

fn class(s: &Option<String>) -> Result<StorageClass, String> {
    match s {
        None => Ok(StorageClass::Standard),
        Some(c) => StorageClass::parse(c).ok_or_else(|| format!("unknown storage class {c:?}")),
    }
}

fn etag_of(key: &str, n: u32) -> u128 {
    let mut h = Md5::new();
    h.update(key.as_bytes());
    h.update(n.to_be_bytes());
    u128::from_be_bytes(h.finalize().into())
}

/// How a seeded key is written: its size and class, how many versions, whether
/// a delete marker ends up on top, and when it was first written.
struct Shape {
    size: u64,
    class: StorageClass,
    versions: u32,
    deleted: bool,
    modified: i64,
}

/// Writes `shape.versions` versions of `key`, then an optional delete marker.
fn write_object(b: &mut Bucket, next: &mut u64, key: &str, shape: Shape) {
    let Shape {
        size,
        class,
        versions,
        deleted,
        modified,
    } = shape;
    for n in 0..versions.max(1) {
        let v = Version {
            id: 0,
            delete_marker: false,
            size,
            etag: etag_of(key, n),
            class,
            multipart: false,
            modified: modified + n as i64 * 3600,
            data: None,
        };
        b.put(key, v, next);
    }
    if deleted && b.versioning != Versioning::Off {
        let at = modified + versions as i64 * 3600;
        b.delete(key, None, at, next);
        if let Some(m) = b.objects.get_mut(key).and_then(|vs| vs.first_mut()) {
            m.modified = at;
        }
    }
}

/// Builds the store a seed describes.
pub fn build(seed: &Seed, default_region: &str) -> Result<Store, String> {
    let text = match seed {
        Seed::Empty => return Ok(Store::default()),
        Seed::Demo => DEMO_TOML.to_string(),
        Seed::Inline(t) => t.clone(),
        Seed::File(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("seed file {}: {e}", p.display()))?
        }
    };
    let file: SeedFile = toml::from_str(&text).map_err(|e| format!("seed: {e}"))?;
    let today =
        crate::oss::time::unix_secs(std::time::SystemTime::now()).div_euclid(86_400) * 86_400;
    build_from(&file, default_region, today)
}

/// Builds the store; `today` dates a seed that names no clock.
pub fn build_from(file: &SeedFile, default_region: &str, today: i64) -> Result<Store, String> {
    let clock = file.clock.unwrap_or(today);
    let mut store = Store::default();
    let day = 86_400;
    for bs in &file.buckets {
        if !super::ops::valid_bucket_name(&bs.name) {
            return Err(format!("seed: {:?} is not a valid bucket name", bs.name));
        }
        let created = clock - bs.age_days * day;
        let mut b = Bucket::new(
            bs.region.as_deref().unwrap_or(default_region),
            created,
            class(&bs.storage_class)?,
        );
        let mut next = store.next_id;
        let target = Versioning::from_status(bs.versioning.as_deref());
        // Write as Enabled so versions stack, then settle on the target state.
        b.versioning = if target == Versioning::Off {
            Versioning::Off
        } else {
            Versioning::Enabled
        };
        for o in &bs.objects {
            let shape = Shape {
                size: o.size,
                class: class(&o.class)?,
                versions: o.versions,
                deleted: o.deleted,
                modified: clock - o.age_days.max(1) * day,
            };
            write_object(&mut b, &mut next, &o.key, shape);
        }
        for p in &bs.patterns {
            let width = p.count.saturating_sub(1).max(1).to_string().len();
            let cls = class(&p.class)?;
            for i in 0..p.count {
                let key = format!("{}{:0width$}{}", p.prefix, i, p.suffix);
                let deleted = p.delete_marker_every > 0 && i % p.delete_marker_every == 0;
                let modified = clock - p.age_days.max(1) * day + (i % 86_400) as i64;
                let shape = Shape {
                    size: p.size,
                    class: cls,
                    versions: p.versions,
                    deleted,
                    modified,
                };
                write_object(&mut b, &mut next, &key, shape);
            }
        }
        b.versioning = target;
        for u in &bs.uploads {
            next += 1;
            let id = super::store::render_upload_id(next);
            let parts = (1..=u.parts)
                .map(|n| {
                    (
                        n,
                        Part {
                            size: u.part_size,
                            etag: etag_of(&u.key, n),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>();
            b.uploads.insert(
                (u.key.clone(), id),
                Upload {
                    initiated: clock - 3 * day,
                    class: StorageClass::Standard,
                    parts,
                },
            );
        }
        for name in &bs.live_channels {
            b.live_channels.insert(
                name.clone(),
                LiveChannel {
                    description: format!("RTMP ingest {name}"),
                    enabled: true,
                    modified: clock - 10 * day,
                    playlist: "playlist.m3u8".into(),
                    pushing: bs.live_now.contains(name),
                },
            );
        }
        for ap in &bs.access_points {
            b.access_points.insert(
                ap.name.clone(),
                AccessPoint {
                    network_origin: ap.network_origin.clone(),
                    vpc_id: ap.vpc_id.clone(),
                    created: clock - 20 * day,
                    ready_at_ms: 0,
                    gone_at_ms: None,
                    policy: ap.policy.clone(),
                },
            );
        }
        for r in &bs.replication {
            b.config.replication.push(ReplicationRule {
                id: r.id.clone(),
                prefixes: r.prefixes.clone(),
                action: r.action.clone(),
                dest_bucket: r.destination_bucket.clone(),
                dest_location: format!("oss-{}", r.destination_region),
                historical: true,
            });
        }
        if bs.website {
            b.config.website_xml = Some("<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>404.html</Key></ErrorDocument></WebsiteConfiguration>".into());
        }
        b.config.cnames = bs
            .cnames
            .iter()
            .map(|d| (d.clone(), clock - 30 * day))
            .collect();
        if let Some(days) = bs.worm_days {
            b.config.worm = Some(Worm {
                id: format!("{:016X}", next + 1),
                locked: true,
                days,
                created: created + day,
            });
            next += 1;
        }
        b.config.lifecycle_xml = bs.lifecycle.clone();
        b.config.policy = bs.policy.clone();
        b.config.accelerators = bs
            .accelerator_zones
            .iter()
            .map(|z| Accelerator {
                zone: z.clone(),
                quota_gb: 100,
                created: clock - 5 * day,
            })
            .collect();
        store.next_id = next;
        if store.buckets.insert(bs.name.clone(), b).is_some() {
            return Err(format!("seed: bucket {:?} appears twice", bs.name));
        }
    }
    for vs in &file.vector_buckets {
        seed_vector_bucket(&mut store, vs, default_region, clock)?;
    }
    Ok(store)
}

fn seed_vector_bucket(
    store: &mut Store,
    vs: &VectorBucketSeed,
    default_region: &str,
    clock: i64,
) -> Result<(), String> {
    use super::vectors::{StoredVector, VectorBucket, VectorIndex};
    if crate::oss::vectors::validate_bucket_name(&vs.name).is_err() {
        return Err(format!(
            "seed: {:?} is not a valid vector bucket name",
            vs.name
        ));
    }
    let region = vs.region.as_deref().unwrap_or(default_region);
    let mut b = VectorBucket::new(clock - vs.age_days * 86_400);
    for is in &vs.indexes {
        if crate::oss::vectors::validate_index_name(&is.name).is_err() || is.dimension == 0 {
            return Err(format!("seed: vector index {:?} is not valid", is.name));
        }
        let mut index = VectorIndex::new(is.dimension, &is.distance_metric, b.created + 86_400);
        for n in 0..is.vectors {
            let data = (0..is.dimension)
                .map(|d| ((n * 31 + d * 7) % 97) as f32 / 97.0)
                .collect();
            index.vectors.insert(
                format!("v{n:07}"),
                StoredVector {
                    data,
                    metadata: None,
                },
            );
        }
        b.indexes.insert(is.name.clone(), index);
    }
    let names = store.vector_buckets.entry(region.to_string()).or_default();
    if names.insert(vs.name.clone(), b).is_some() {
        return Err(format!(
            "seed: vector bucket {:?} appears twice in {region}",
            vs.name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_shows_every_case() {
        let started = std::time::Instant::now();
        let store = build(&Seed::Demo, "cn-hangzhou").unwrap();
        let took = started.elapsed();
        assert!(store.buckets.len() >= 8);
        let regions: std::collections::BTreeSet<&str> =
            store.buckets.values().map(|b| b.region.as_str()).collect();
        assert!(regions.len() >= 2);
        let any = |f: &dyn Fn(&Bucket) -> bool| store.buckets.values().any(f);
        assert!(
            any(&|b| b.objects.keys().any(|k| k.matches('/').count() >= 2)),
            "nested folders"
        );
        assert!(
            any(&|b| b.versioning == Versioning::Enabled
                && b.contents().delete_markers > 0
                && b.objects.values().any(|v| v.len() > 1)),
            "versions and markers"
        );
        assert!(any(&|b| !b.uploads.is_empty()), "multipart uploads");
        assert!(any(&|b| !b.live_channels.is_empty()), "LiveChannels");
        assert!(
            any(&|b| b.access_points.values().any(|a| a.policy.is_some())),
            "an access point with a policy"
        );
        assert!(any(&|b| !b.config.replication.is_empty()), "replication");
        assert!(
            any(&|b| b.config.website_xml.is_some() && !b.config.cnames.is_empty()),
            "website with a CNAME"
        );
        assert!(
            any(&|b| b.config.worm.as_ref().is_some_and(|w| w.locked)),
            "WORM"
        );
        assert!(
            any(&|b| b.objects.keys().any(|k| k.starts_with(".dlsdata/"))),
            "OSS-HDFS"
        );
        assert!(any(&|b| b.contents().is_empty()), "an empty bucket");
        assert!(any(&|b| b.objects.len() >= 200_000), "a big bucket");
        // Generated in well under a few seconds (debug build included).
        assert!(took.as_secs_f64() < 5.0, "{took:?}");
        // Vector buckets in two regions, one with several indexes holding vectors.
        let vb = &store.vector_buckets;
        assert_eq!(vb["cn-hangzhou"]["acme-embeddings"].indexes.len(), 3);
        assert_eq!(
            vb["cn-hangzhou"]["acme-embeddings"].indexes["product-docs"]
                .vectors
                .len(),
            1800
        );
        assert!(vb["cn-shanghai"].contains_key("acme-rag-staging"));
        let again = build(&Seed::Demo, "cn-hangzhou").unwrap();
        assert_eq!(
            serde_json::to_string(&again).unwrap().len(),
            serde_json::to_string(&store).unwrap().len(),
            "deterministic"
        );
    }

    #[test]
    fn bad_seeds_are_clear_errors() {
        let err = build(&Seed::Inline("[[bucket]]\nname = \"Bad_Name\"".into()), "r").unwrap_err();
        assert!(err.contains("not a valid bucket name"), "{err}");
        let err = build(&Seed::Inline("[[bucket]]\nnam = \"x\"".into()), "r").unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }
}
