//! Parsers of what is attached to a bucket and how it is configured:
//! LiveChannels, access points, replication, WORM, website, CNAMEs,
//! lifecycle, accelerators (pure).

use super::super::model::*;
use super::super::xml::{self, Element, XmlError};
use super::{date, truncated};

pub fn live_channel_stat(body: &str) -> Result<LiveChannelStat, XmlError> {
    let root = xml::parse_root(body, "LiveChannelStat")?;
    let status = root
        .nonempty("Status")
        .ok_or_else(|| XmlError("LiveChannelStat without a Status".into()))?;
    Ok(LiveChannelStat {
        status,
        connected: date(&root, "ConnectedTime"),
        remote_addr: root.nonempty("RemoteAddr"),
    })
}

pub fn list_live_channels(body: &str) -> Result<ListLiveChannelsPage, XmlError> {
    let root = xml::parse_root(body, "ListLiveChannelResult")?;
    let urls = |c: &Element, name: &str| -> Vec<String> {
        c.child(name)
            .map(|u| {
                u.children_named("Url")
                    .map(|u| u.text.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let channels: Vec<LiveChannel> = root
        .children_named("LiveChannel")
        .map(|c| LiveChannel {
            name: c.string("Name"),
            description: c.string("Description"),
            status: c.string("Status"),
            last_modified: date(c, "LastModified"),
            publish_urls: urls(c, "PublishUrls"),
            play_urls: urls(c, "PlayUrls"),
        })
        .collect();
    let next_marker = if truncated(&root) {
        root.nonempty("NextMarker")
            .or_else(|| channels.last().map(|c| c.name.clone()))
    } else {
        None
    };
    Ok(ListLiveChannelsPage {
        channels,
        next_marker,
    })
}

fn access_point(a: &Element) -> AccessPoint {
    AccessPoint {
        name: a.string("AccessPointName"),
        bucket: a.string("Bucket"),
        alias: a.string("Alias"),
        network_origin: a.string("NetworkOrigin"),
        vpc_id: a
            .child("VpcConfiguration")
            .and_then(|v| v.nonempty("VpcId")),
        status: a.string("Status"),
    }
}

pub fn list_access_points(body: &str) -> Result<ListAccessPointsPage, XmlError> {
    let root = xml::parse_root(body, "ListAccessPointsResult")?;
    let access_points = root
        .child("AccessPoints")
        .map(|aps| {
            aps.children_named("AccessPoint")
                .map(access_point)
                .collect()
        })
        .unwrap_or_default();
    let next_continuation_token = if truncated(&root) {
        Some(root.nonempty("NextContinuationToken").ok_or_else(|| {
            XmlError("truncated ListAccessPoints page without NextContinuationToken".into())
        })?)
    } else {
        None
    };
    Ok(ListAccessPointsPage {
        access_points,
        account_id: root.nonempty("AccountId"),
        next_continuation_token,
    })
}

pub fn get_access_point(body: &str) -> Result<AccessPointDetail, XmlError> {
    let root = xml::parse_root(body, "GetAccessPointResult")?;
    let endpoints = root.child("Endpoints");
    Ok(AccessPointDetail {
        access_point: access_point(&root),
        account_id: root.nonempty("AccountId"),
        arn: root.nonempty("AccessPointArn"),
        // Unix seconds today; both SDKs type it as a string, so a format change
        // must not break the wait loops that read this reply.
        creation_date: root.nonempty("CreationDate"),
        public_endpoint: endpoints.and_then(|e| e.nonempty("PublicEndpoint")),
        internal_endpoint: endpoints.and_then(|e| e.nonempty("InternalEndpoint")),
    })
}

pub fn bucket_replication(body: &str) -> Result<Vec<ReplicationRule>, XmlError> {
    let root = xml::parse_root(body, "ReplicationConfiguration")?;
    Ok(root
        .children_named("Rule")
        .map(|r| {
            let dest = r.child("Destination");
            ReplicationRule {
                id: r.string("ID"),
                prefixes: r
                    .child("PrefixSet")
                    .map(|p| {
                        p.children_named("Prefix")
                            .map(|p| p.text.trim().to_string())
                            .filter(|p| !p.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                // `ALL` is the default when the element is missing.
                action: r.nonempty("Action").unwrap_or_else(|| "ALL".into()),
                destination_bucket: dest.map(|d| d.string("Bucket")).unwrap_or_default(),
                destination_location: dest.map(|d| d.string("Location")).unwrap_or_default(),
                status: r.string("Status"),
                historical_object_replication: r.text_of("HistoricalObjectReplication")
                    == Some("enabled"),
            }
        })
        .collect())
}

pub fn bucket_worm(body: &str) -> Result<WormConfiguration, XmlError> {
    let root = xml::parse_root(body, "WormConfiguration")?;
    Ok(WormConfiguration {
        worm_id: root.string("WormId"),
        state: root.string("State"),
        retention_period_days: root.number_or_zero("RetentionPeriodInDays")?,
        creation_date: date(&root, "CreationDate"),
    })
}

pub fn bucket_website(body: &str) -> Result<WebsiteConfiguration, XmlError> {
    let root = xml::parse_root(body, "WebsiteConfiguration")?;
    Ok(WebsiteConfiguration {
        index_document: root
            .child("IndexDocument")
            .and_then(|i| i.nonempty("Suffix")),
        error_document: root.child("ErrorDocument").and_then(|e| e.nonempty("Key")),
    })
}

pub fn list_cname(body: &str) -> Result<Vec<CnameBinding>, XmlError> {
    let root = xml::parse_root(body, "ListCnameResult")?;
    Ok(root
        .children_named("Cname")
        .map(|c| CnameBinding {
            domain: c.string("Domain"),
            status: c.string("Status"),
            last_modified: date(c, "LastModified"),
            has_certificate: c.child("Certificate").is_some(),
        })
        .collect())
}

pub fn bucket_lifecycle(body: &str) -> Result<LifecycleConfiguration, XmlError> {
    let root = xml::parse_root(body, "LifecycleConfiguration")?;
    let rules = root
        .children_named("Rule")
        .map(|r| {
            let exp = r.child("Expiration");
            Ok(LifecycleRule {
                id: r.string("ID"),
                prefix: r.string("Prefix"),
                enabled: r.text_of("Status") == Some("Enabled"),
                excluded_prefixes: r
                    .child("Filter")
                    .map(|f| {
                        f.children_named("Not")
                            .filter_map(|n| n.nonempty("Prefix"))
                            .collect()
                    })
                    .unwrap_or_default(),
                expiration_days: match exp {
                    Some(e) => e.number("Days")?,
                    None => None,
                },
                expiration_date: exp.and_then(|e| e.nonempty("CreatedBeforeDate")),
                expired_object_delete_marker: exp
                    .is_some_and(|e| e.flag("ExpiredObjectDeleteMarker")),
                noncurrent_days: match r.child("NoncurrentVersionExpiration") {
                    Some(n) => n.number("NoncurrentDays")?,
                    None => None,
                },
                abort_multipart_days: match r.child("AbortMultipartUpload") {
                    Some(a) => a.number("Days")?,
                    None => None,
                },
                transitions: r
                    .children_named("Transition")
                    .map(|t| t.string("StorageClass"))
                    .collect(),
            })
        })
        .collect::<Result<_, XmlError>>()?;
    Ok(LifecycleConfiguration {
        rules,
        raw_xml: body.to_string(),
    })
}

/// GetBucketDataAccelerator: lenient about the container (oss-api.md §10).
pub fn data_accelerators(body: &str) -> Result<Vec<DataAccelerator>, XmlError> {
    let root = xml::parse(body)?;
    fn collect(el: &Element, out: &mut Vec<DataAccelerator>) {
        if el.name == "BasicInfomation" || el.name == "BasicInformation" {
            if let Some(zone) = el.nonempty("AvailableZone") {
                out.push(DataAccelerator {
                    available_zone: zone,
                    quota_gb: el.number("Quota").ok().flatten(),
                    creation_date: el.nonempty("CreationDate"),
                });
            }
        }
        for c in &el.children {
            collect(c, out);
        }
    }
    let mut out = Vec::new();
    collect(&root, &mut out);
    Ok(out)
}
