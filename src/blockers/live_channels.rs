//! LiveChannels (RTMP ingest URLs): listed with whether a client is pushing
//! a stream to each now (GetLiveChannelStat), deleted one by one (disabled
//! first when live, as OSS requires). Bound by name.

use futures::StreamExt;

use super::{Blocker, Category, Facts, Phase, Role};
use crate::delete::context::{until_empty, Ctx, Kept, PassCount};
use crate::oss::{Client, OssError};
use crate::scan::report::ScanReport;
use crate::scan::risk::{Risk, Severity};
use crate::scan::{blocks_if, found, Scanning};
use crate::vocab::{BucketKind, Target};

pub const FACTS: Facts = Facts {
    slug: "live-channels",
    label: "LiveChannels (RTMP ingest URLs)",
    noun: "LiveChannels",
    noun_one: "LiveChannel",
    short: "LiveChannel",
    role: Role::Attachment,
    requests_each: 1,
    named_items: true,
    sized_by_item: false,
    consequence: ("RTMP pushes to it stop", "RTMP pushes to them stop"),
    never_cleared: "",
    refused_by_delete_bucket: true,
    manual_step: super::no_manual_step,
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[Category::LiveChannels],
    kind: BucketKind::Object,
    phase: Phase::Attachments,
    scan: |s| Box::pin(scan_channels(s)),
    clear: |ctx| Box::pin(delete_live_channels(ctx)),
    risks: |r| live_streams(r, None).into_iter().collect(),
};

async fn scan_channels(shared: &Scanning) {
    let (client, bucket) = (&shared.client, shared.bucket.as_str());
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

async fn delete_live_channels(ctx: &Ctx) {
    ctx.category_started(Category::LiveChannels).await;
    until_empty(ctx, Category::LiveChannels, |_| live_channels_pass(ctx)).await;
    ctx.category_done(Category::LiveChannels).await;
}

/// Lists the LiveChannels and deletes them; returns how many were listed.
async fn live_channels_pass(ctx: &Ctx) -> PassCount {
    let bucket = ctx.bucket().to_string();
    let mut channels = ctx.client.list_live_channels(&bucket);
    let mut names = Vec::new();
    let mut kept = Kept::default();
    while let Some(ch) = channels.next().await {
        match ch {
            Ok(ch) if !ctx.plan.takes(&Target::named(&ch.name)) => {}
            Ok(ch) if !ctx.plan.confirmed_name(Category::LiveChannels, &ch.name) => {
                kept.add(&ch.name)
            }
            Ok(ch) => names.push(ch.name),
            Err(e) => {
                ctx.fail_oss(Category::LiveChannels, "(listing)", None, &e);
                break;
            }
        }
    }
    let found = names.len() as u64;
    // Each reply says how many requests it took (a live channel is disabled first).
    let results: Vec<(String, Result<u64, crate::oss::OssError>)> = futures::stream::iter(names)
        .map(|name| async move {
            if ctx.stopped() || ctx.plan.dry_run {
                return (name, Ok(0));
            }
            let r = ctx.client.delete_live_channel(ctx.bucket(), &name).await;
            ctx.add_requests(*r.as_ref().unwrap_or(&1));
            (name, r)
        })
        .buffer_unordered(ctx.client.budget().max())
        .collect()
        .await;
    for (name, r) in results {
        match r {
            Ok(sent) if !ctx.stopped() => ctx.booked_one(Category::LiveChannels, &name, sent).await,
            Ok(_) => {}
            Err(e) => ctx.fail_oss(Category::LiveChannels, &name, None, &e),
        }
    }
    PassCount { found, kept }
}

/// LiveChannels a client is pushing a stream to now (of `items`, when the
/// action names some): deleting them cuts the broadcast.
pub fn live_streams(
    report: &ScanReport,
    items: Option<&std::collections::BTreeSet<Target>>,
) -> Option<Risk> {
    let live: Vec<String> = report
        .found
        .get(&Category::LiveChannels)
        .into_iter()
        .flat_map(|l| &l.items)
        .filter(|f| f.is_live())
        .filter(|f| items.is_none_or(|items| f.target().is_some_and(|t| items.contains(&t))))
        .map(|f| crate::text::visible(f.name()).into_owned())
        .collect();
    let one = live.len() == 1;
    (!live.is_empty()).then(|| Risk {
        severity: Severity::Danger,
        kind: "live-stream",
        text: format!(
            "{} ({}) {} receiving a stream right now: deleting {} cuts the broadcast (ossweep disables {} first, as OSS requires).",
            Category::LiveChannels.counted(live.len() as u64),
            live.join(", "),
            if one { "is" } else { "are" },
            if one { "it" } else { "them" },
            if one { "it" } else { "them" },
        ),
    })
}
