use super::*;
use crate::money::cost::GB;

const NOW: i64 = 1_796_000_000;

fn bucket(name: &str, region: &str, objects: u64, standard_bytes: u64) -> BucketFacts {
    let mut f = BucketFacts::object(&BucketSummary {
        name: name.into(),
        region: region.into(),
        creation_date: None,
        storage_class: "Standard".into(),
        extranet_endpoint: None,
        intranet_endpoint: None,
        resource_group_id: None,
    });
    let mut s = BucketStat {
        object_count: objects,
        storage: standard_bytes,
        ..Default::default()
    };
    s.standard.storage = standard_bytes;
    f.stat = Ok(s);
    f
}

fn locked(days: u64) -> Result<Option<WormConfiguration>, String> {
    Ok(Some(WormConfiguration {
        worm_id: "w".into(),
        state: "Locked".into(),
        retention_period_days: days,
        creation_date: None,
    }))
}

#[test]
fn each_bucket_stands_where_its_statistics_and_reads_put_it() {
    let free = bucket("free", "cn-hangzhou", 10, 0);
    assert_eq!(standing(&free, NOW), Standing::CanGo { lifecycle: false });
    let huge = bucket("huge", "cn-hangzhou", LIFECYCLE_ENTRIES + 1, 0);
    assert_eq!(standing(&huge, NOW), Standing::CanGo { lifecycle: true });
    let mut worm = bucket("worm", "cn-hangzhou", 5, 0);
    worm.worm = locked(30);
    assert!(
        matches!(standing(&worm, NOW), Standing::NotBefore { latest, .. } if latest == NOW + 30 * 86_400)
    );
    // A locked policy over an empty bucket keeps nothing.
    let mut empty_worm = bucket("empty-worm", "cn-hangzhou", 0, 0);
    empty_worm.worm = locked(30);
    assert_eq!(
        standing(&empty_worm, NOW),
        Standing::CanGo { lifecycle: false }
    );
    let mut hdfs = bucket("lake", "cn-hangzhou", 5, 0);
    hdfs.hdfs = Ok(true);
    assert!(matches!(standing(&hdfs, NOW), Standing::ManualStep { .. }));
    let mut unread = bucket("unread", "cn-hangzhou", 5, 0);
    unread.stat = Err("AccessDenied".into());
    assert!(
        matches!(standing(&unread, NOW), Standing::Unknown { why } if why.contains("AccessDenied"))
    );
    let mut unprobed = bucket("new-account", "cn-hangzhou", 5, 0);
    unprobed.hdfs = Err("PublicEndpointForbidden".into());
    assert!(matches!(standing(&unprobed, NOW), Standing::Unknown { .. }));
    assert_eq!(
        standing(&BucketFacts::vector("v", "cn-hangzhou", Some(2)), NOW),
        Standing::CanGo { lifecycle: false }
    );
}

/// The totals, computed here from the table's prices, independently of the
/// view: Standard LRS in the mainland at 0.12 CNY per GB-month, requests at
/// 0.01 CNY per 10,000.
#[test]
fn the_totals_are_the_sums_of_the_buckets_by_standing() {
    let mut worm = bucket("worm", "cn-beijing", 5, 2 * GB as u64);
    worm.worm = locked(30);
    let mut lake = bucket("lake", "cn-shanghai", 5, 3 * GB as u64);
    lake.hdfs = Ok(true);
    let facts = vec![
        bucket("a", "cn-hangzhou", 2_500, 10 * GB as u64),
        bucket("b", "cn-hangzhou", 0, 0),
        worm,
        lake,
        bucket("abroad", "ap-southeast-1", 1, GB as u64),
        BucketFacts::vector("vec", "cn-hangzhou", Some(2)),
    ];
    let v = AccountView::build(&facts, &crate::money::PriceBook::default(), NOW);
    let t = &v.totals;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        close(t.monthly.amount, (10.0 + 2.0 + 3.0) * 0.12),
        "{:?}",
        t.monthly
    );
    assert_eq!(
        t.monthly.unpriced,
        ["Standard storage outside the mainland"]
    );
    assert!(v
        .vector_buckets
        .as_ref()
        .unwrap()
        .note
        .contains("invitational preview"));
    assert_eq!(v.buckets[5].monthly.as_ref().unwrap().amount, 0.0);
    // a, b, abroad and vec can go; requests: a 3 pages + 3 deletes + 1,
    // b 1, vec 2 indexes + 1; abroad's have no price.
    assert_eq!(t.can_go, 4);
    assert!(close(t.can_go_monthly.amount, 10.0 * 0.12));
    let requests = (7 + 1 + 3) as f64;
    assert!(
        close(t.can_go_requests.amount, requests * 0.01 / 1e4),
        "{:?}",
        t.can_go_requests
    );
    assert_eq!(
        t.can_go_requests.unpriced,
        ["requests outside the mainland"]
    );
    assert!(close(t.stays_monthly.amount, 2.0 * 0.12));
    assert_eq!(t.stays_until, Some(NOW + 30 * 86_400));
    assert!(close(t.blocked_monthly.amount, 3.0 * 0.12));
    // The sum of the parts is the whole.
    let parts = t.can_go_monthly.amount + t.stays_monthly.amount + t.blocked_monthly.amount;
    assert!(close(parts, t.monthly.amount));
    let said = v.summary();
    assert!(
        said.starts_with("This account's storage costs about 1.80+? CNY")
            && said.contains("deleting the 4 buckets that can go saves about 1.20+? CNY")
            && said.contains("0.24 CNY a month stays until")
            && said.ends_with("\"+?\": without what the price table has no price for (Standard storage outside the mainland, requests outside the mainland)."),
        "{said}"
    );
    assert_eq!(v.buckets[0].holds, ["2,500 objects"]);
    assert_eq!(v.buckets[5].holds, ["2 indexes"]);
}
