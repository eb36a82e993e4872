use super::*;
use crate::engine::{Action, Item};
use crate::vocab::BucketKind;

fn confirmed(bucket: &str, objects: u64) -> Confirmed {
    Confirmed {
        kind: BucketKind::Object,
        bucket: bucket.into(),
        region: "cn-hangzhou".into(),
        action: Action::DeleteBucket,
        prefix: None,
        goes: vec![Item {
            category: Category::Objects,
            count: objects,
            bytes: objects * 10,
            note: None,
        }],
    }
}

#[test]
fn ids_sort_by_time_and_say_when() {
    let a = new_id(1_796_592_904, 0x1234_5678_9abc);
    assert!(a.starts_with("20261206-"), "{a}");
    assert_eq!(a.len(), "20261206-213504-abcd".len(), "{a}");
    assert!(new_id(1_796_592_905, 1).as_str() > &a[..15]);
}

#[test]
fn progress_counts_what_was_deleted_of_what_was_confirmed() {
    let mut j = Journal::new(
        "r",
        10,
        "acct",
        None,
        vec![confirmed("a", 600), confirmed("b", 400)],
    );
    assert_eq!((j.progress(), j.percent()), ((0, 1000), 0));
    j.buckets[0].deleted.insert(
        Category::Objects,
        Deleted {
            entries: 370,
            bytes: 3700,
        },
    );
    assert_eq!(j.percent(), 37);
    assert_eq!(j.bucket_names(), "a, b");
    assert!(
        j.status()
            .starts_with("37% done: 370 of 1,000 entries deleted; 0 of 2 buckets"),
        "{}",
        j.status()
    );
    for b in &mut j.buckets {
        b.stage = Stage::Done;
    }
    assert!(j.finished());
    assert_eq!(j.percent(), 100);
    assert!(!j.is_stale(10 + STALE_SECS) && j.is_stale(11 + STALE_SECS));
}

#[tokio::test]
async fn the_journal_is_written_atomically_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let j = Journaler::create(
        &runs,
        Journal::new(
            "20261206-000000-0001",
            10,
            "acct",
            None,
            vec![confirmed("a", 5)],
        ),
    )
    .unwrap();
    j.bucket(0, |b| {
        b.stage = Stage::Running;
        b.open_spans = Some(vec![Span {
            lo: Some("k/0100".into()),
            hi: None,
        }]);
        b.in_flight.insert(3, 1);
    });
    let entries = vec![BatchEntry {
        key: "k/0101".into(),
        version_id: Some("v1".into()),
        category: Category::Objects,
        size: 10,
        run: 7,
    }];
    j.write_batch(3, 1, &entries).unwrap();
    j.commit().await;
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("tmp")), "{names:?}");
    let back = Journaler::open(&runs, "20261206-000000-0001").unwrap();
    assert_eq!(back.snapshot().buckets, j.snapshot().buckets);
    assert_eq!(back.read_batch(3, 1).unwrap(), entries);
    let (all, broken) = list(&runs);
    assert_eq!((all.len(), broken.len()), (1, 0));
    // A damaged or foreign-format journal is reported, not resumed.
    std::fs::write(runs.join("bad.json"), "{ nope").unwrap();
    std::fs::write(runs.join("old.json"), r#"{"format": 0}"#).unwrap();
    let (all, broken) = list(&runs);
    assert_eq!(all.len(), 1);
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(Journaler::open(&runs, "old")
        .unwrap_err()
        .contains("format 0"));
    // A temporary file a killed session left goes with the run.
    std::fs::write(runs.join("20261206-000000-0001.tmp4242"), "half").unwrap();
    j.finish();
    assert!(!j.path().exists());
    assert!(!runs.join("20261206-000000-0001.tmp4242").exists());
    assert!(!runs.join("20261206-000000-0001").exists());
}

#[test]
fn the_journal_holds_no_key_lists_and_stays_small() {
    // However many entries went, the journal keeps counts and spans only.
    let mut j = Journal::new("r", 10, "acct", None, vec![confirmed("a", 1_000_000)]);
    j.buckets[0].deleted.insert(
        Category::Objects,
        Deleted {
            entries: 999_000,
            bytes: 9_990_000,
        },
    );
    j.buckets[0].open_spans = Some(
        (0..64)
            .map(|i| Span {
                lo: Some(format!("logs/2025/{i:02}/part-000000")),
                hi: Some(format!("logs/2025/{i:02}/part-999999")),
            })
            .collect(),
    );
    let text = serde_json::to_string_pretty(&j).unwrap();
    assert!(text.len() < 16 * 1024, "{} bytes", text.len());
}
