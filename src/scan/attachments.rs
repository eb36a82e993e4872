//! The scan of what is attached to a bucket besides its objects: incomplete
//! uploads, LiveChannels (and whether a stream is pushed to them), access
//! points, accelerators. Each keeps what is behind its count (`found`).

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{blocks_if, first_line, found, Category, Shared, State, Tally};
use crate::oss::endpoint::accelerator_zones;
use crate::oss::{Client, OssError};
use crate::vocab::LISTING_STREAMS;

pub(super) async fn scan_parts(
    client: &Client,
    bucket: &str,
    prefix: Option<&str>,
    shared: &Shared,
    cancel: &CancellationToken,
) {
    let (mut pages, stats) = crate::oss::listing::parallel(
        client.uploads_source(bucket, prefix),
        LISTING_STREAMS,
        Default::default(),
    );
    let _tally = Tally(shared, stats);
    while let Some(page) = pages.next().await {
        match page {
            Ok(uploads) => {
                {
                    let mut r = shared.report.lock().unwrap();
                    r.category_mut(Category::Parts).count += uploads.len() as u64;
                    if let Some(newer) = &mut r.newer {
                        for u in &uploads {
                            newer.count(Category::Parts, &u.key, u.initiated);
                        }
                    }
                    let listed = r.found.entry(Category::Parts).or_default();
                    for u in uploads {
                        listed.push(found::Found::Upload {
                            key: u.key,
                            upload_id: u.upload_id,
                            initiated: u.initiated,
                        });
                    }
                }
                shared.counted(Category::Parts).await;
            }
            Err(e) => {
                shared.listing_failed(Category::Parts, "incomplete multipart uploads", &e);
                return;
            }
        }
        if cancel.is_cancelled() {
            return;
        }
    }
    let n = {
        let mut r = shared.report.lock().unwrap();
        // Part sizes are not listed; OSS's statistics hold the total.
        let part_bytes = r
            .estimate
            .as_ref()
            .map(|s| s.multipart_part_storage)
            .unwrap_or(0);
        let c = r.category_mut(Category::Parts);
        c.bytes = if c.count > 0 { part_bytes } else { 0 };
        c.count
    };
    shared.set(Category::Parts, blocks_if(n), None);
}

pub(super) async fn scan_live_channels(client: &Client, bucket: &str, shared: &Shared) {
    let mut channels = client.list_live_channels(bucket);
    let mut found = Vec::new();
    let mut more = 0u64;
    while let Some(ch) = channels.next().await {
        match ch {
            Ok(ch) if found.len() < found::KEPT => found.push(ch),
            Ok(_) => more += 1,
            Err(e) => {
                shared.listing_failed(Category::LiveChannels, "LiveChannels", &e);
                return;
            }
        }
    }
    let n = found.len() as u64 + more;
    // Whether a client is pushing to each one now: deleting it cuts the stream.
    let stats = live_stats(
        client,
        bucket,
        found.iter().map(|ch| ch.name.clone()).collect(),
    )
    .await;
    let mut listed = found::Listed {
        more,
        ..Default::default()
    };
    let mut unreadable = None;
    for (ch, stat) in found.into_iter().zip(stats) {
        let now = match stat {
            Ok(s) => Some(s.status),
            Err(e) => {
                unreadable.get_or_insert(e);
                None
            }
        };
        listed.items.push(found::Found::LiveChannel {
            name: ch.name,
            status: ch.status,
            now,
            modified: ch.last_modified,
        });
    }
    if let Some(e) = unreadable {
        shared.unreadable("LiveChannels' stream status (GetLiveChannelStat)", &e);
    }
    let live = listed
        .items
        .iter()
        .filter(|f| matches!(f, found::Found::LiveChannel { now: Some(s), .. } if s == "Live"))
        .count();
    shared.found(Category::LiveChannels, listed);
    shared.count(Category::LiveChannels, n).await;
    let note = (live > 0).then(|| format!("{live} receiving a stream now"));
    shared.set(Category::LiveChannels, blocks_if(n), note);
}

/// GetLiveChannelStat for each channel, a few at a time, in order.
async fn live_stats(
    client: &Client,
    bucket: &str,
    names: Vec<String>,
) -> Vec<Result<crate::oss::model::LiveChannelStat, OssError>> {
    let mut stats = Vec::with_capacity(names.len());
    for chunk in names.chunks(8) {
        let asked = chunk
            .iter()
            .map(|name| client.get_live_channel_stat(bucket, name));
        stats.extend(futures::future::join_all(asked).await);
    }
    stats
}

pub(super) async fn scan_access_points(client: &Client, bucket: &str, shared: &Shared) {
    let mut aps = client.list_access_points(bucket);
    let (mut n, mut creating, mut with_policy) = (0u64, 0u64, 0u64);
    let mut listed = found::Listed::default();
    while let Some(ap) = aps.next().await {
        match ap {
            Ok(ap) => {
                n += 1;
                if ap.status == "creating" {
                    creating += 1;
                }
                if let Ok(Some(_)) = client.get_access_point_policy(bucket, &ap.name).await {
                    with_policy += 1;
                }
                listed.push(found::Found::AccessPoint {
                    name: ap.name,
                    status: ap.status,
                    network: ap.network_origin,
                    alias: ap.alias,
                });
            }
            Err(e) => {
                shared.listing_failed(Category::AccessPoints, "access points", &e);
                return;
            }
        }
    }
    shared.found(Category::AccessPoints, listed);
    shared.count(Category::AccessPoints, n).await;
    let mut notes = Vec::new();
    if with_policy > 0 {
        notes.push(format!("{with_policy} with an access point policy"));
    }
    if creating > 0 {
        notes.push(format!(
            "{creating} still being created: deletable once ready"
        ));
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    shared.set(
        Category::AccessPoints,
        if creating > 0 && creating == n {
            State::NotYet
        } else {
            blocks_if(n)
        },
        note,
    );
}

pub(super) async fn scan_accelerators(
    client: &Client,
    bucket: &str,
    region: &str,
    shared: &Shared,
) {
    let zones = accelerator_zones(region);
    let mut n = 0u64;
    let mut listed = found::Listed::default();
    for zone in zones {
        match client.get_bucket_data_accelerator(bucket, zone).await {
            Ok(found) => {
                n += found.len() as u64;
                if !found.is_empty() {
                    listed.push(found::Found::Accelerator {
                        zone: zone.to_string(),
                    });
                }
            }
            Err(e @ OssError::AcceleratorUnreachable { .. }) => {
                shared.set(
                    Category::Accelerators,
                    State::ManualStep,
                    Some(format!(
                        "can only be listed from inside {region} (an ECS instance or VPC there); check Bucket > OSS Accelerator in the console ({})",
                        first_line(&e).split(':').next().unwrap_or_default()
                    )),
                );
                return;
            }
            Err(e) => {
                shared.listing_failed(Category::Accelerators, "OSS accelerators", &e);
                return;
            }
        }
    }
    shared.found(Category::Accelerators, listed);
    shared.count(Category::Accelerators, n).await;
    let note = zones
        .is_empty()
        .then(|| format!("no accelerator zones are known in {region}"));
    shared.set(Category::Accelerators, blocks_if(n), note);
}
