use super::*;
use crate::engine::{Action, Item};
use crate::oss::model::BucketIdentity;
use crate::vocab::BucketKind;

const ID: &str = "20261206-000000-0001";

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
            unknown: false,
        }],
        identity: BucketIdentity {
            created: Some(1_700_000_000),
            region: "cn-hangzhou".into(),
            owner: Some("1234567890123456".into()),
        },
        scanned_at: 1_796_000_000,
        names: BTreeMap::new(),
        facts: Default::default(),
        verdict: "deletable".into(),
        freeze_writes: false,
        risks: BTreeSet::new(),
        left_to_oss: BTreeSet::new(),
    }
}

fn runs() -> (tempfile::TempDir, Runs) {
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::at(&dir.path().join("runs")).unwrap();
    (dir, runs)
}

fn journal(id: &str, report: Option<PathBuf>) -> Journal {
    Journal::new(id, 10, "acct", report, vec![confirmed("a", 5)])
}

#[test]
fn ids_sort_by_time_and_say_when() {
    let a = new_id(1_796_592_904, 0x1234_5678_9abc);
    assert!(a.starts_with("20261206-"), "{a}");
    assert_eq!(a.len(), "20261206-213504-abcd".len(), "{a}");
    assert!(new_id(1_796_592_905, 1).as_str() > &a[..15]);
    assert!(valid_id(&a));
}

#[test]
fn only_run_ids_name_journals() {
    assert!(valid_id(ID));
    for bad in [
        "",
        "../../outside",
        "/some/dir",
        "20261206-000000-000g",
        "20261206-000000-0001/..",
        "20261206_000000-0001",
        "20261206-000000-00011",
        "2026120a-000000-0001",
        "20261206-000000-\u{1b}[31",
    ] {
        assert!(!valid_id(bad), "{bad:?}");
    }
    assert!(!shown_id("a\u{1b}[2Jb").contains('\u{1b}'));
    assert_eq!(shown_id(ID), ID);
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
    assert_eq!(j.buckets[0].left(), 230);
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

#[test]
fn a_resumed_bucket_is_bound_by_the_time_and_names_it_was_confirmed_with() {
    let mut c = confirmed("a", 5);
    c.names.insert(
        Category::AccessPoints,
        ["ap-1".to_string()].into_iter().collect(),
    );
    let j = Journal::new(ID, 10, "acct", None, vec![c]);
    let plan = j.buckets[0].plan(Audit::none());
    let bounds = plan.bounds.as_ref().unwrap();
    assert_eq!(bounds.written_before, 1_796_000_000);
    assert!(plan.confirmed_time(Some(1_795_999_999)));
    assert!(
        !plan.confirmed_time(Some(1_796_000_000)),
        "the second it began: unknown"
    );
    assert!(!plan.confirmed_time(None));
    assert!(plan.confirmed_name(Category::AccessPoints, "ap-1"));
    assert!(!plan.confirmed_name(Category::AccessPoints, "ap-2"));
    assert!(
        !plan.confirmed_name(Category::LiveChannels, "ch"),
        "none confirmed"
    );
    assert_eq!(plan.identity.as_ref().unwrap().created, Some(1_700_000_000));
}

#[tokio::test]
async fn the_journal_is_written_sealed_private_and_read_back() {
    let (_home, runs) = runs();
    let j = Journaler::create(&runs, journal(ID, None)).unwrap();
    j.bucket(0, |b| {
        b.stage = Stage::Running;
        b.open_spans = Some(vec![Span {
            lo: Some("k/0100".into()),
            hi: None,
        }]);
        b.in_flight.insert(3, 1);
    });
    let entries = vec![BatchEntry {
        again: false,
        key: "k/0101".into(),
        version_id: Some("v1".into()),
        category: Category::Objects,
        size: 10,
        run: 7,
    }];
    j.write_batch(3, 1, &entries).unwrap();
    j.commit().await;
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(runs.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("tmp")), "{names:?}");
    let back = runs.open(ID).unwrap();
    assert_eq!(back.snapshot().buckets, j.snapshot().buckets);
    assert_eq!(back.read_batch(3, 1).unwrap(), entries);
    let listing = runs.list();
    assert_eq!((listing.runs.len(), listing.unreadable.len()), (1, 0));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(runs.dir()), 0o700);
        assert_eq!(mode(&j.path()), 0o600);
        assert_eq!(mode(&runs.dir().join(ID)), 0o700);
        assert_eq!(mode(&runs.dir().join(ID).join("b3.1.json")), 0o600);
    }
    // A temporary file a killed session left goes with the run.
    std::fs::write(runs.dir().join(format!("{ID}.tmp4242")), "half").unwrap();
    j.finish();
    assert!(!j.path().exists());
    assert!(!runs.dir().join(format!("{ID}.tmp4242")).exists());
    assert!(!runs.dir().join(ID).exists());
}

/// Rewrites the journal of `id` in `runs` with `edit` applied to its JSON,
/// keeping the seal it had: what another tool or a person would do.
fn tamper(runs: &Runs, id: &str, edit: impl Fn(&mut serde_json::Value)) {
    let path = runs.dir().join(format!("{id}.json"));
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v["body"]);
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[tokio::test]
async fn an_edited_journal_is_reported_and_never_resumed() {
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("id", Box::new(|b| b["id"] = "/some/dir".into())),
        ("report", Box::new(|b| b["report"] = "/etc/passwd".into())),
        (
            "prefix",
            Box::new(|b| b["buckets"][0]["confirmed"]["prefix"] = "b/".into()),
        ),
        (
            "bucket",
            Box::new(|b| b["buckets"][0]["confirmed"]["bucket"] = "bystander".into()),
        ),
        (
            "action",
            Box::new(|b| b["buckets"][0]["confirmed"]["action"] = "clear".into()),
        ),
        (
            "bounds",
            Box::new(|b| b["buckets"][0]["written_before"] = 4_000_000_000i64.into()),
        ),
        (
            "account",
            Box::new(|b| b["account"] = "someone-else".into()),
        ),
        (
            // The policy a freeze would put back: never installed from a forgery.
            "freeze",
            Box::new(|b| {
                b["buckets"][0]["freeze"] = serde_json::json!({
                    "previous": "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"oss:*\"],\"Principal\":[\"*\"],\"Resource\":[\"acs:oss:*:*:*\"]}]}",
                    "until": 0,
                    "lifted": false
                })
            }),
        ),
    ];
    for (what, edit) in edits {
        let (_home, runs) = runs();
        let j = Journaler::create(&runs, journal(ID, Some("/tmp/r.ndjson".into()))).unwrap();
        tamper(&runs, ID, edit);
        let err = runs.open(ID).unwrap_err();
        assert!(err.contains("fails its seal"), "{what}: {err}");
        let listing = runs.list();
        assert!(listing.runs.is_empty(), "{what}");
        assert_eq!(listing.unreadable.len(), 1, "{what}");
        assert!(
            listing.unreadable[0].why.contains("fails its seal"),
            "{what}"
        );
        // Discarding it removes what ossweep derives from the id, nothing else.
        runs.discard(ID).unwrap();
        assert!(!j.path().exists());
    }
}

#[test]
fn a_journal_copied_renamed_damaged_or_of_another_format_is_not_resumed() {
    let (_home, runs) = runs();
    let j = Journaler::create(&runs, journal(ID, None)).unwrap();
    let sealed = std::fs::read(j.path()).unwrap();
    // Renamed: its seal names the file it was written as.
    let other = "20261206-000000-0002";
    std::fs::write(runs.dir().join(format!("{other}.json")), &sealed).unwrap();
    assert!(runs.open(other).unwrap_err().contains("fails its seal"));
    // Copied from another machine or user: another key.
    let (_elsewhere, theirs) = super::tests::runs();
    std::fs::write(theirs.dir().join(format!("{ID}.json")), &sealed).unwrap();
    assert!(theirs.open(ID).unwrap_err().contains("fails its seal"));
    // Damaged, older formats, and files named otherwise are reported.
    std::fs::write(runs.dir().join("20261206-000000-0003.json"), "{ nope").unwrap();
    std::fs::write(
        runs.dir().join("20261206-000000-0004.json"),
        r#"{"format": 1}"#,
    )
    .unwrap();
    std::fs::write(runs.dir().join("notes.json"), "{}").unwrap();
    let listing = runs.list();
    assert_eq!(listing.runs.len(), 1);
    let whys: Vec<String> = listing
        .unreadable
        .iter()
        .map(|u| format!("{}: {}", u.file, u.why))
        .collect();
    assert_eq!(whys.len(), 4, "{whys:?}");
    assert!(whys.iter().any(|w| w.contains("format 1")), "{whys:?}");
    assert!(
        whys.iter()
            .any(|w| w.contains("notes.json: is not named by a run id")),
        "{whys:?}"
    );
    // Ids that are not run ids are refused before any file is touched.
    for bad in ["../../outside", "/etc", "notes"] {
        assert!(
            runs.open(bad).unwrap_err().contains("not a run id"),
            "{bad}"
        );
        assert!(
            runs.discard(bad).unwrap_err().contains("not a run id"),
            "{bad}"
        );
    }
}

#[test]
fn a_batch_file_is_sealed_too() {
    let (_home, runs) = runs();
    let j = Journaler::create(&runs, journal(ID, None)).unwrap();
    let entries = vec![BatchEntry {
        again: false,
        key: "k".into(),
        version_id: None,
        category: Category::Objects,
        size: 1,
        run: 0,
    }];
    j.write_batch(1, 1, &entries).unwrap();
    let path = runs.dir().join(ID).join("b1.1.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"k\"", "\"other\"");
    std::fs::write(&path, text).unwrap();
    assert!(j.read_batch(1, 1).is_err());
    // Moved to another run's directory: refused as well.
    j.write_batch(2, 1, &entries).unwrap();
    let k = Journaler::create(&runs, journal("20261206-000000-0002", None)).unwrap();
    k.write_batch(9, 1, &entries).unwrap();
    std::fs::copy(
        runs.dir().join(ID).join("b2.1.json"),
        runs.dir().join("20261206-000000-0002").join("b2.1.json"),
    )
    .unwrap();
    assert!(k.read_batch(2, 1).is_err());
    assert_eq!(j.read_batch(2, 1).unwrap(), entries);
}

#[tokio::test]
async fn a_run_holds_its_buckets_until_it_ends() {
    let (_home, runs) = runs();
    let first = runs.lock(ID, &[(BucketKind::Object, "a".into())]).unwrap();
    // Discarding a run another process is running is refused.
    Journaler::create(&runs, journal(ID, None)).unwrap();
    assert!(runs
        .discard(ID)
        .unwrap_err()
        .contains("in use by another ossweep run"));
    drop(first);
    runs.discard(ID).unwrap();
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
