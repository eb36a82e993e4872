//! `ossweep buckets [--json]`: every bucket of the account, all regions.

use futures::TryStreamExt;
use serde::Serialize;

use crate::oss::time;

use super::{exit, settings, table, Cli};

#[derive(Serialize)]
struct BucketRow<'a> {
    name: &'a str,
    region: &'a str,
    creation_date: Option<String>,
    storage_class: &'a str,
    /// From GetBucketVersioning (`null`: it could not be read).
    versioning: Option<&'static str>,
    /// From GetBucketStat, OSS's own figures (lag up to an hour; `null`: not
    /// available). In a versioned bucket `objects` counts every version.
    objects: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    objects_include_versions: bool,
    bytes: Option<u64>,
    /// What its storage costs a month at list prices, from the statistics
    /// (`null`: no statistics); redundancy LRS assumed.
    monthly_cost: Option<crate::money::Estimate>,
    #[serde(skip)]
    object_cells: Option<[String; 2]>,
}

/// Requests for each bucket's statistics and versioning in flight at most.
const DETAILS_AT_ONCE: usize = 8;

pub async fn run(cli: &Cli, json: bool) -> Result<u8, String> {
    let s = settings(cli)?;
    let client = super::client(&s);
    let stop = super::stop::Stop::on_signals();
    let buckets: Vec<_> = tokio::select! {
        b = client.list_buckets().try_collect() => b.map_err(|e: crate::oss::OssError| e.to_string())?,
        _ = stop.soft.cancelled() => {
            eprintln!("cancelled before the listing finished");
            return Ok(exit::PARTIAL);
        }
    };
    // Each bucket's statistics and versioning, a few buckets at once; what
    // cannot be read (no permission, a server without ?stat) shows as `-`.
    use futures::StreamExt;
    type Details = (
        Option<crate::oss::model::BucketStat>,
        Option<crate::oss::model::Versioning>,
    );
    let details: Vec<Details> = futures::stream::iter(&buckets)
        .map(|b| {
            let client = client.clone();
            async move {
                let (stat, versioning) = tokio::join!(
                    client.get_bucket_stat(&b.name),
                    client.get_bucket_versioning(&b.name)
                );
                (stat.ok(), versioning.ok())
            }
        })
        .buffered(DETAILS_AT_ONCE)
        .collect()
        .await;
    let book = &s.prices;
    let rows: Vec<BucketRow> = buckets
        .iter()
        .zip(details)
        .map(|(b, (stat, versioning))| BucketRow {
            monthly_cost: stat.as_ref().map(|s| {
                let p = book.for_bucket(&b.region, None);
                crate::money::cost::monthly(&p, &crate::money::cost::stat_classes(s))
            }),
            name: &b.name,
            region: &b.region,
            creation_date: b.creation_date.map(time::iso8601),
            storage_class: &b.storage_class,
            versioning: versioning.map(|v| v.as_str()),
            objects: stat.as_ref().map(|s| s.object_count),
            objects_include_versions: versioning.is_some_and(|v| v.is_versioned()),
            bytes: stat.as_ref().map(|s| s.storage),
            // Versioning unknown: the count may include versions.
            object_cells: stat.as_ref().map(|s| {
                let v = versioning.unwrap_or(crate::oss::model::Versioning::Enabled);
                crate::scan::report::object_cells(s, v)
            }),
        })
        .collect();
    if json {
        super::out::text(&serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?);
    } else if rows.is_empty() {
        super::out::text("No buckets in this account.");
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.name.to_string(),
                    r.region.to_string(),
                    r.creation_date
                        .as_deref()
                        .map(|d| d[..10].to_string())
                        .unwrap_or_default(),
                    r.storage_class.to_string(),
                    r.versioning.unwrap_or("-").to_string(),
                    r.object_cells.as_ref().map_or("-".into(), |c| c[0].clone()),
                    r.object_cells.as_ref().map_or("-".into(), |c| c[1].clone()),
                    r.bytes.map_or("-".into(), table::bytes),
                    r.monthly_cost.as_ref().map_or("-".into(), |m| m.cell()),
                ]
            })
            .collect();
        super::out::raw(&table::render(
            &[
                "NAME",
                "REGION",
                "CREATED",
                "STORAGE CLASS",
                "VERSIONING",
                "OBJECTS",
                "VERSIONS",
                "SIZE",
                "A MONTH",
            ],
            &cells,
        ));
        let total = rows
            .iter()
            .filter_map(|r| r.monthly_cost.as_ref())
            .fold(None, |t: Option<crate::money::Estimate>, m| {
                Some(t.map_or_else(|| m.clone(), |t| t.plus(m)))
            });
        if let Some(total) = total {
            let p = book.reference();
            super::out::text(&format!(
                "Storage of the buckets above: {} a month ({} site, {}; list prices as of {}; LRS assumed; traffic, requests and other items not included).",
                total.about(),
                p.site,
                p.currency,
                total.prices_as_of
            ));
        }
    }
    Ok(exit::DONE)
}

#[derive(Serialize)]
struct VectorBucketRow {
    name: String,
    region: String,
    creation_date: Option<String>,
    /// `None` when the indexes could not be listed.
    indexes: Option<u64>,
    /// What OSS documents a vector bucket costs a month (`null`: the price
    /// table does not say).
    monthly_cost: Option<crate::money::Estimate>,
}

/// `ossweep buckets --vector`: every OSS Vectors bucket (they are not in
/// ListBuckets), with how many indexes each holds.
pub async fn run_vector(cli: &Cli, json: bool) -> Result<u8, String> {
    use futures::StreamExt;
    let s = settings(cli)?;
    let client = super::client(&s);
    let stop = super::stop::Stop::on_signals();
    let listed = async {
        let buckets: Vec<_> = client.list_vector_buckets().try_collect().await?;
        let counts: Vec<Option<u64>> = futures::stream::iter(&buckets)
            .map(|b| {
                let client = client.clone();
                async move {
                    // A listing that fails part-way leaves the count unknown.
                    let mut indexes = client.list_vector_indexes(&b.name);
                    let mut n = 0;
                    while let Some(i) = indexes.next().await {
                        i.ok()?;
                        n += 1;
                    }
                    Some(n)
                }
            })
            .buffered(8)
            .collect()
            .await;
        Ok::<_, crate::oss::OssError>((buckets, counts))
    };
    let (buckets, counts) = tokio::select! {
        r = listed => r.map_err(|e| e.to_string())?,
        _ = stop.soft.cancelled() => {
            eprintln!("cancelled before the listing finished");
            return Ok(exit::PARTIAL);
        }
    };
    let rows: Vec<VectorBucketRow> = buckets
        .iter()
        .zip(counts)
        .map(|(b, indexes)| VectorBucketRow {
            name: b.name.clone(),
            region: b.region.clone(),
            creation_date: b.creation_date.map(time::iso8601),
            indexes,
            monthly_cost: s.prices.vector_monthly(),
        })
        .collect();
    let incomplete = rows.iter().any(|r| r.indexes.is_none());
    if json {
        super::out::text(&serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?);
    } else if rows.is_empty() {
        super::out::text("No vector buckets in this account.");
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.region.clone(),
                    r.creation_date
                        .as_deref()
                        .map(|d| d[..10].to_string())
                        .unwrap_or_default(),
                    r.indexes.map_or("?".into(), crate::units::count),
                    r.monthly_cost.as_ref().map_or("?".into(), |m| m.cell()),
                ]
            })
            .collect();
        super::out::raw(&table::render(
            &["NAME", "REGION", "CREATED", "INDEXES", "A MONTH"],
            &cells,
        ));
        if let Some(v) = s.prices.table.vector_buckets() {
            super::out::text(&format!(
                "A month: {} ({}, as of {}).",
                v.note, v.source, v.as_of
            ));
        }
    }
    Ok(if incomplete {
        exit::PARTIAL
    } else {
        exit::DONE
    })
}
