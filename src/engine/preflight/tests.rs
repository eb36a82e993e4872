use super::*;
use crate::delete::CategoryTotals;
use crate::oss::model::{ReplicationRule, WormConfiguration};
use crate::vocab::Target;

/// A finished scan with these (category, count, bytes), everything else clear.
fn report(counts: &[(Category, u64, u64)]) -> ScanReport {
    let mut r = ScanReport::new("shop");
    r.region = "cn-hangzhou".into();
    for c in &mut r.categories {
        c.state = State::Clear;
    }
    for (cat, n, b) in counts {
        let c = r.category_mut(*cat);
        c.count = *n;
        c.bytes = *b;
        c.state = State::Blocks;
    }
    r.finished = true;
    r.complete = true;
    r.risks = risk::risks(&r);
    r
}

fn kinds(p: &Preflight) -> Vec<&'static str> {
    p.risks.iter().map(|r| r.kind).collect()
}

#[test]
fn an_incomplete_scan_has_no_preflight() {
    let mut r = report(&[(Category::Objects, 5, 50)]);
    r.finished = false;
    r.complete = false;
    assert_eq!(
        preflight(&r, Action::DeleteBucket),
        Err(NotReady("shop".into()))
    );
}

#[test]
fn deleting_lists_what_goes_with_the_scans_numbers_and_every_risk_most_severe_first() {
    let mut r = report(&[
        (Category::Objects, 500, 4 << 30),
        (Category::Parts, 3, 300),
        (Category::AccessPoints, 2, 0),
    ]);
    r.website = true;
    r.replication = vec![ReplicationRule {
        id: "r".into(),
        prefixes: vec![],
        action: "ALL".into(),
        destination_bucket: "dr".into(),
        destination_location: "oss-cn-beijing".into(),
        status: "doing".into(),
        historical_object_replication: true,
    }];
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    assert_eq!(
        p.verdict,
        Verdict::Deletable {
            settled_by_oss: vec![]
        }
    );
    assert_eq!(p.refusal(), None);
    assert_eq!((p.entries(), p.bytes()), (505, (4 << 30) + 300));
    let k = kinds(&p);
    for kind in ["irreversible", "website", "replication", "name-cooldown"] {
        assert!(k.contains(&kind), "{kind} missing from {k:?}");
    }
    assert!(p.risks.windows(2).all(|w| w[0].severity <= w[1].severity));
    // One estimate: 500 entries (a listing page and a batch), 3 uploads
    // (ListParts and abort), 2 access points (delete and check), the bucket.
    assert_eq!(p.requests, 2 + 3 * 2 + 2 * 2 + 1);
    let cost = &p
        .risks
        .iter()
        .find(|r| r.kind == "cost-and-time")
        .unwrap()
        .text;
    assert!(cost.contains("about 13 requests"), "{cost}");
    // A narrower action says its own cost, with the same number.
    let one = preflight(&r, Action::clear([Category::Objects])).unwrap();
    let cost = &one
        .risks
        .iter()
        .find(|r| r.kind == "cost-and-time")
        .unwrap()
        .text;
    assert_eq!(one.requests, 2);
    assert!(cost.contains("about 2 requests"), "{cost}");
    let irreversible = &p
        .risks
        .iter()
        .find(|r| r.kind == "irreversible")
        .unwrap()
        .text;
    assert!(
        irreversible.contains("these 505 items (4.0 GiB)"),
        "{irreversible}"
    );
    assert_eq!(
        phrase(&p.goes),
        "500 current objects (4.0 GiB), 3 incomplete multipart uploads (300 B), 2 access points"
    );
    // The plan carries the scan's numbers as its estimates and deletes the bucket.
    let plan = p.plan(Audit::none(), false);
    assert!(plan.delete_bucket && plan.validate().is_ok());
    assert_eq!(plan.estimates[&Category::Objects], 500);
    assert_eq!(plan.estimates[&Category::LiveChannels], 0);
}

#[test]
fn oss_hdfs_data_makes_a_bucket_empty_only_and_delete_is_refused() {
    let r = report(&[
        (Category::Objects, 500, 1),
        (Category::OssHdfs, 40, 2),
        (Category::AccessPoints, 2, 0),
    ]);
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let Verdict::EmptyOnly {
        reasons,
        manual_steps,
    } = &p.verdict
    else {
        panic!("{:?}", p.verdict)
    };
    assert!(
        reasons[0].starts_with("40 OSS-HDFS objects (2 B) under .dlsdata/"),
        "{reasons:?}"
    );
    assert!(manual_steps[0].contains("Bucket > OSS-HDFS"));
    let refusal = p.refusal().unwrap();
    assert!(refusal.can_empty);
    assert_eq!(refusals(std::slice::from_ref(&p)), vec![refusal]);
    // The alternative empties the data and keeps the access points.
    let alt = preflight(&r, Action::empty_only()).unwrap();
    assert_eq!(alt.refusal(), None);
    assert_eq!(
        alt.goes.iter().map(|i| i.category).collect::<Vec<_>>(),
        [Category::Objects]
    );
    let kept: Vec<Category> = alt.stays.iter().map(|i| i.category).collect();
    assert_eq!(kept, [Category::AccessPoints, Category::OssHdfs]);
    assert!(!kinds(&alt).contains(&"name-cooldown"));
    assert!(!alt.plan(Audit::none(), false).delete_bucket);
}

#[test]
fn worm_protected_objects_make_a_bucket_empty_only_with_their_release_date() {
    let mut r = report(&[(Category::Objects, 320, 3200)]);
    {
        let c = r.category_mut(Category::Objects);
        c.protected = 120;
        c.protected_bytes = 1200;
    }
    r.worm = Some(WormConfiguration {
        worm_id: "w".into(),
        state: "Locked".into(),
        retention_period_days: 3650,
        creation_date: None,
    });
    r.worm_protected = 120;
    r.worm_earliest_release = Some(1_767_225_600);
    r.worm_latest_release = Some(2_082_758_400);
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let refusal = p.refusal().unwrap();
    assert!(refusal.reasons[0].contains("2036-01-01"), "{refusal:?}");
    assert!(refusal.manual_steps[0].starts_with("Wait until 2036-01-01"));
    let alt = preflight(&r, Action::empty_only()).unwrap();
    assert_eq!((alt.entries(), alt.bytes()), (200, 2000));
    assert_eq!(alt.stays[0].count, 120);
    assert!(alt.stays[0].note.as_deref().unwrap().contains("2036-01-01"));
}

#[test]
fn an_unlisted_blocker_oss_guards_is_left_to_delete_bucket_and_one_it_does_not_blocks() {
    let mut r = report(&[(Category::Objects, 3, 30)]);
    for k in [Category::AccessPoints, Category::LiveChannels] {
        let c = r.category_mut(k);
        c.state = State::Unknown;
        c.unsupported = true;
        c.note = Some("not supported by this endpoint".into());
    }
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let Verdict::Deletable { settled_by_oss } = &p.verdict else {
        panic!("{:?}", p.verdict)
    };
    assert_eq!(settled_by_oss.len(), 2);
    assert!(
        settled_by_oss[0].contains("deleting the bucket settles it: OSS refuses (BucketNotEmpty)")
    );
    assert!(p
        .verdict_text()
        .starts_with("deletable; the LiveChannels could not be listed"));
    // Said once, as what OSS settles; the run leaves them to OSS.
    assert!(p.stays.is_empty(), "{:?}", p.stays);
    let plan = p.plan(crate::delete::Audit::none(), false);
    assert_eq!(plan.validate(), Ok(()));
    assert!(!plan.cleared().contains(&Category::AccessPoints));
    assert!(plan.cleared().contains(&Category::Objects));
    // Clearing them alone (the bucket stays): nothing is left to OSS, and
    // what stays is said to be unknown, never 0.
    let clear = preflight(&r, Action::clear([Category::AccessPoints])).unwrap();
    assert!(clear
        .plan(crate::delete::Audit::none(), false)
        .left_to_oss
        .is_empty());
    assert!(
        clear
            .stays
            .iter()
            .any(|i| i.unknown && i.phrase() == "an unknown number of access points"),
        "{:?}",
        clear.stays
    );
    // Accelerators: OSS documents no such guard, so they still block, and
    // the step says why they are unknown.
    let c = r.category_mut(Category::Accelerators);
    c.state = State::Unknown;
    c.unsupported = true;
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let refusal = p.refusal().unwrap();
    assert!(refusal.reasons[0].contains("OSS accelerators could not be listed"));
    assert!(refusal.manual_steps[0].starts_with("Check the OSS accelerators in the console"));
    r.category_mut(Category::Accelerators).unsupported = false;
    let refusal = preflight(&r, Action::DeleteBucket)
        .unwrap()
        .refusal()
        .unwrap();
    assert!(refusal.manual_steps[0].starts_with("Grant the permission to list OSS accelerators"));
}

#[test]
fn a_listing_that_failed_blocks_everything_that_needs_it() {
    let mut r = report(&[(Category::Parts, 2, 0)]);
    for k in [Category::Objects, Category::PreviousVersions] {
        let c = r.category_mut(k);
        c.state = State::Unknown;
        c.note = Some("listing failed: AccessDenied".into());
    }
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    assert_eq!(p.verdict.word(), "blocked");
    assert!(!p.refusal().unwrap().can_empty);
    assert!(preflight(&r, Action::empty_only())
        .unwrap()
        .refusal()
        .is_some());
    // Uploads were listed, so they can still be cleared on their own.
    let parts = preflight(&r, Action::clear([Category::Parts])).unwrap();
    assert_eq!(parts.refusal(), None);
    let failed = Preflight::unavailable(
        BucketKind::Object,
        "gone",
        Action::clear([Category::Parts]),
        "NoSuchBucket",
    );
    assert!(failed.refusal().unwrap().reasons[0].contains("NoSuchBucket"));
}

#[test]
fn an_accelerator_only_reachable_in_region_is_a_manual_step() {
    let mut r = report(&[(Category::Objects, 1, 1)]);
    r.category_mut(Category::Accelerators).state = State::ManualStep;
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let Verdict::EmptyOnly { manual_steps, .. } = &p.verdict else {
        panic!("{:?}", p.verdict)
    };
    assert!(manual_steps[0].contains("OSS Accelerator"));
}

#[test]
fn clearing_one_category_keeps_only_its_risks_and_says_what_remains() {
    let mut r = report(&[
        (Category::Objects, 385, 100),
        (Category::PreviousVersions, 489, 200),
        (Category::DeleteMarkers, 49, 0),
    ]);
    r.website = true;
    let p = preflight(&r, Action::clear([Category::DeleteMarkers])).unwrap();
    let k = kinds(&p);
    assert!(
        !k.contains(&"name-cooldown") && !k.contains(&"website"),
        "{k:?}"
    );
    assert_eq!(p.entries(), 49);
    let mut s = Summary {
        bucket: "shop".into(),
        ..Default::default()
    };
    s.categories.insert(
        Category::DeleteMarkers,
        CategoryTotals {
            deleted: 49,
            ..Default::default()
        },
    );
    assert_eq!(
        p.outcome(&s),
        "49 delete markers cleared; 385 current objects, 489 previous versions remain."
    );
    s.bucket_deleted = true;
    assert!(p.outcome(&s).ends_with("the bucket is deleted."));
}

#[test]
fn an_empty_bucket_loses_nothing_but_itself() {
    let r = report(&[]);
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    assert!(p.goes.is_empty() && !kinds(&p).contains(&"irreversible"));
    assert_eq!(p.requests, 1, "only DeleteBucket");
}

/// A finished scan of a vector bucket with these (index, vectors).
fn vector_report(indexes: &[(&str, u64)]) -> ScanReport {
    use crate::oss::vectors::VectorIndex;
    use crate::scan::report::IndexReport;
    let mut r = ScanReport::of(BucketKind::Vector, "vec");
    r.region = "cn-hangzhou".into();
    r.indexes = indexes
        .iter()
        .map(|(name, n)| IndexReport {
            index: VectorIndex {
                name: name.to_string(),
                data_type: "float32".into(),
                dimension: 8,
                distance_metric: "cosine".into(),
                status: "running".into(),
                created: None,
            },
            vectors: Some(*n),
            more_vectors: false,
        })
        .collect();
    let c = r.category_mut(Category::VectorIndexes);
    c.count = indexes.len() as u64;
    c.state = if indexes.is_empty() {
        State::Clear
    } else {
        State::Blocks
    };
    r.finished = true;
    r.complete = true;
    r
}

#[test]
fn a_vector_bucket_goes_index_by_index_and_names_what_it_loses() {
    let r = vector_report(&[("docs", 1800), ("faq", 120)]);
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    assert_eq!(
        (p.kind, p.verdict.word()),
        (BucketKind::Vector, "deletable")
    );
    assert_eq!(p.goes[0].phrase(), "2 vector indexes");
    assert_eq!(p.requests, 2 * 2 + 1);
    let irreversible = p.risks.iter().find(|r| r.kind == "irreversible").unwrap();
    assert!(irreversible.text.contains("(docs, faq) with 1,920 vectors"));
    assert!(p.risks.iter().all(|r| r.kind != "name-cooldown"));
    let plan = p.plan(Audit::none(), false);
    assert_eq!((plan.kind, plan.items.clone()), (BucketKind::Vector, None));
    assert!(plan.validate().is_ok());

    let p = preflight(&r, Action::clear_indexes(["faq"])).unwrap();
    assert_eq!(p.goes[0].count, 1);
    assert_eq!(p.stays[0].phrase(), "1 vector index");
    assert!(p.refusal().is_none());
    let plan = p.plan(Audit::none(), false);
    assert_eq!(plan.items, Some([Target::named("faq")].into()));

    let p = preflight(&r, Action::clear_indexes(["faq", "nope"])).unwrap();
    let refusal = p.refusal().expect("an index that is not there is refused");
    assert_eq!(refusal.reasons, ["vec has no vector index named nope"]);
}

#[test]
fn items_of_a_category_go_one_by_one_and_only_those_the_scan_found() {
    use crate::scan::found::{Found, Listed};
    let mut r = report(&[(Category::AccessPoints, 3, 0)]);
    let mut listed = Listed::default();
    for name in ["ap-a", "ap-b", "ap-c"] {
        listed.push(Found::AccessPoint {
            name: name.into(),
            status: "enable".into(),
            network: "internet".into(),
            alias: format!("{name}-alias"),
        });
    }
    r.found.insert(Category::AccessPoints, listed);
    let action = Action::clear_items(Category::AccessPoints, [Target::named("ap-b")]);
    let p = preflight(&r, action).unwrap();
    assert_eq!(p.goes.len(), 1);
    assert_eq!(p.goes[0].phrase(), "1 access point");
    assert_eq!(p.named, ["ap-b"]);
    // In JSON the action's items and the names found sit side by side.
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["action"], "clear-items");
    assert_eq!(json["items"], serde_json::json!([{ "name": "ap-b" }]));
    assert_eq!(json["named"], serde_json::json!(["ap-b"]));
    let stays = p
        .stays
        .iter()
        .find(|i| i.category == Category::AccessPoints)
        .unwrap();
    assert_eq!(
        (stays.count, stays.note.as_deref()),
        (2, Some("not asked for"))
    );
    let irreversible = p.risks.iter().find(|r| r.kind == "irreversible").unwrap();
    assert!(
        irreversible.text.contains("1 access point (ap-b)"),
        "{}",
        irreversible.text
    );
    assert!(p.risks.iter().all(|r| r.kind != "name-cooldown"));
    assert!(p.refusal().is_none());
    let plan = p.plan(Audit::none(), false);
    assert!(plan.validate().is_ok());
    assert!(plan.takes(&Target::named("ap-b")) && !plan.takes(&Target::named("ap-a")));
    assert!(!plan.delete_bucket);

    // An item the scan did not find is refused, nothing is sent.
    let action = Action::clear_items(Category::AccessPoints, [Target::named("ap-z")]);
    let refusal = preflight(&r, action).unwrap().refusal().unwrap();
    assert_eq!(refusal.reasons, ["shop has no access point named ap-z"]);
    // An upload is named by key and upload id, never by key alone.
    let action = Action::clear_items(Category::Parts, [Target::named("ap-b")]);
    assert!(preflight(&r, action).unwrap().refusal().is_some());
}

#[test]
fn a_scan_whose_object_listing_failed_never_says_no_data_is_lost() {
    let mut r = report(&[]);
    for c in &mut r.categories {
        if c.category.is_object_kind() {
            c.state = State::Unknown;
            c.note = Some("listing failed: PublicEndpointForbidden".into());
        }
    }
    r.risks = risk::risks(&r);
    let texts: Vec<&str> = r.risks.iter().map(|r| r.text.as_str()).collect();
    assert!(
        !texts.iter().any(|t| t.contains("no data is lost")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("could not be listed: what would be lost is not known")),
        "{texts:?}"
    );
    // And a scan that listed an empty bucket says so.
    let empty = report(&[]);
    assert!(risk::risks(&empty)
        .iter()
        .any(|r| r.text.contains("no data is lost")));
}

#[test]
fn an_action_says_what_it_costs_once_and_what_it_stops_a_month() {
    let mut r = report(&[
        (Category::Objects, 2_000, 20 << 30),
        (Category::DeleteMarkers, 10, 0),
    ]);
    r.prices = Some(crate::money::PriceTable::builtin().for_bucket("china", "cn-hangzhou", None));
    r.storage_classes.insert("IA".into(), (2_000, 20 << 30));
    r.early_deletion.insert(
        "IA".into(),
        crate::scan::report::EarlyDeletion {
            objects: 2_000,
            bytes: 20 << 30,
            // 20 GiB with 360 hours to go.
            billable_byte_hours: (20u128 << 30) * 360,
            fee_free_from: Some(1_767_225_600),
        },
    );
    let p = preflight(&r, Action::DeleteBucket).unwrap();
    let money = p.money.as_ref().unwrap();
    // 20 GB × 0.08 CNY ÷ 720 × 360 hours = 0.80 CNY.
    let fee = money.early_deletion.as_ref().unwrap();
    assert!((fee.amount - 0.8).abs() < 1e-9, "{fee:?}");
    assert!(money.stops_monthly.is_some());
    // The requests the preflight counts are the ones priced.
    let low = money.requests.api_low.amount;
    assert!((low - p.requests as f64 * 0.01 / 1e4).abs() < 1e-12);
    let said = p.risks.iter().find(|r| r.kind == "money").unwrap();
    assert!(
        said.text.contains("0.80 CNY in early-deletion fees"),
        "{}",
        said.text
    );
    // Clearing the markers alone: no fee, nothing stops, the requests only.
    let markers = preflight(&r, Action::clear([Category::DeleteMarkers])).unwrap();
    let m = markers.money.unwrap();
    assert!(m.early_deletion.is_none() && m.stops_monthly.is_none());
    // No prices: nothing is said in money.
    r.prices = None;
    assert!(preflight(&r, Action::DeleteBucket).unwrap().money.is_none());
}
