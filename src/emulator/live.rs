//! LiveChannels (RTMP ingest): create, status, info, list, delete.

use crate::oss::time;
use crate::oss::xml::{self, Writer};

use super::op::Op;
use super::protocol::{bucket, max_keys, Ctx, EmuError, Reply, Request};
use super::store::LiveChannel;

fn no_such_channel() -> EmuError {
    EmuError::new(
        404,
        "NoSuchLiveChannel",
        "The specified live channel does not exist.",
    )
}

fn urls(w: &mut Writer, bucket: &str, host: &str, name: &str, playlist: &str) {
    w.open("PublishUrls")
        .leaf("Url", &format!("rtmp://{bucket}.{host}/live/{name}"))
        .close("PublishUrls");
    w.open("PlayUrls")
        .leaf("Url", &format!("http://{bucket}.{host}/{name}/{playlist}"))
        .close("PlayUrls");
}

/// PutLiveChannel.
pub fn put_live_channel(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let name = r.key.clone().unwrap_or_default();
    let now = ctx.now;
    let host = r.host.clone();
    if name.contains('/') || name.is_empty() {
        return Err(EmuError::new(
            400,
            "InvalidArgument",
            "The live channel name must not contain '/'.",
        ));
    }
    let text = String::from_utf8_lossy(&r.body).to_string();
    let cfg = xml::parse_root(&text, "LiveChannelConfiguration")
        .map_err(|e| EmuError::malformed(&e.0))?;
    let target = cfg.child("Target");
    if target
        .and_then(|t| t.text_of("Type"))
        .is_some_and(|t| t != "HLS")
    {
        return Err(EmuError::new(
            400,
            "InvalidArgument",
            "Target type must be HLS.",
        ));
    }
    let playlist = target
        .and_then(|t| t.nonempty("PlaylistName"))
        .unwrap_or_else(|| "playlist.m3u8".into());
    if !playlist.ends_with(".m3u8") {
        return Err(EmuError::new(
            400,
            "InvalidArgument",
            "The playlist name must end with .m3u8.",
        ));
    }
    let enabled = cfg.text_of("Status") != Some("disabled");
    let b = bucket(ctx, r, Op::PutLiveChannel)?;
    b.live_channels.insert(
        name.clone(),
        LiveChannel {
            description: cfg.string("Description"),
            enabled,
            modified: now,
            playlist: playlist.clone(),
            pushing: false,
        },
    );
    let mut w = Writer::new();
    w.open("CreateLiveChannelResult");
    urls(&mut w, &bucket_name, &host, &name, &playlist);
    w.close("CreateLiveChannelResult");
    Ok(Reply::xml(w.finish()))
}

/// PutLiveChannelStatus.
pub fn put_live_channel_status(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.key.clone().unwrap_or_default();
    let now = ctx.now;
    let enabled = match r.param("status") {
        Some("enabled") => true,
        Some("disabled") => false,
        _ => {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "status must be enabled or disabled.",
            ))
        }
    };
    let b = bucket(ctx, r, Op::PutLiveChannelStatus)?;
    let ch = b.live_channels.get_mut(&name).ok_or_else(no_such_channel)?;
    ch.enabled = enabled;
    ch.modified = now;
    // Disabling a channel disconnects the client pushing to it.
    ch.pushing &= enabled;
    Ok(Reply {
        status: 200,
        ..Default::default()
    })
}

/// GetLiveChannelInfo.
pub fn get_live_channel_info(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.key.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::GetLiveChannelInfo)?;
    let ch = b.live_channels.get(&name).ok_or_else(no_such_channel)?;
    let mut w = Writer::new();
    w.open("LiveChannelConfiguration")
        .leaf("Description", &ch.description)
        .leaf("Status", if ch.enabled { "enabled" } else { "disabled" });
    w.open("Target")
        .leaf("Type", "HLS")
        .leaf("FragDuration", "5")
        .leaf("FragCount", "3")
        .leaf("PlaylistName", &ch.playlist)
        .close("Target");
    w.close("LiveChannelConfiguration");
    Ok(Reply::xml(w.finish()))
}

/// GetLiveChannelStat.
pub fn get_live_channel_stat(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.key.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::GetLiveChannelStat)?;
    let ch = b.live_channels.get(&name).ok_or_else(no_such_channel)?;
    let mut w = Writer::new();
    w.open("LiveChannelStat");
    match (ch.enabled, ch.pushing) {
        (false, _) => {
            w.leaf("Status", "Disabled");
        }
        (true, false) => {
            w.leaf("Status", "Idle");
        }
        (true, true) => {
            w.leaf("Status", "Live")
                .leaf("ConnectedTime", &time::iso8601(ch.modified))
                .leaf("RemoteAddr", "203.0.113.7:1935");
            w.open("Video")
                .leaf("Width", "1280")
                .leaf("Height", "720")
                .leaf("FrameRate", "30")
                .leaf("Bandwidth", "2000000")
                .leaf("Codec", "H264")
                .close("Video");
        }
    }
    w.close("LiveChannelStat");
    Ok(Reply::xml(w.finish()))
}

/// DeleteLiveChannel.
pub fn delete_live_channel(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.key.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::DeleteLiveChannel)?;
    let ch = b.live_channels.get(&name).ok_or_else(no_such_channel)?;
    // As OSS: a channel a client is pushing to cannot be deleted.
    if ch.enabled && ch.pushing {
        return Err(EmuError::new(
            409,
            "ChannelStillLive",
            "The live channel is still live.",
        ));
    }
    b.live_channels.remove(&name);
    Ok(Reply {
        status: 204,
        ..Default::default()
    })
}

/// ListLiveChannel.
pub fn list_live_channel(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let host = r.host.clone();
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let prefix = r.param("prefix").unwrap_or_default().to_string();
    let marker = r.param("marker").unwrap_or_default().to_string();
    let b = bucket(ctx, r, Op::ListLiveChannel)?;
    let all: Vec<(&String, &LiveChannel)> = b
        .live_channels
        .iter()
        .filter(|(n, _)| {
            n.starts_with(&prefix) && (marker.is_empty() || n.as_str() > marker.as_str())
        })
        .take(max + 1)
        .collect();
    let truncated = all.len() > max;
    let mut w = Writer::new();
    w.open("ListLiveChannelResult")
        .leaf("Prefix", &prefix)
        .leaf("Marker", &marker)
        .leaf("MaxKeys", &max.to_string())
        .leaf("IsTruncated", if truncated { "true" } else { "false" });
    w.leaf("NextMarker", if truncated { all[max - 1].0 } else { "" });
    for (n, ch) in all.iter().take(max) {
        w.open("LiveChannel")
            .leaf("Name", n)
            .leaf("Description", &ch.description)
            .leaf("Status", if ch.enabled { "enabled" } else { "disabled" })
            .leaf("LastModified", &time::iso8601(ch.modified));
        urls(&mut w, &bucket_name, &host, n, &ch.playlist);
        w.close("LiveChannel");
    }
    w.close("ListLiveChannelResult");
    Ok(Reply::xml(w.finish()))
}
