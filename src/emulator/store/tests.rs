use super::*;

fn obj(size: u64) -> Version {
    Version {
        id: 0,
        delete_marker: false,
        size,
        etag: 1,
        class: StorageClass::Standard,
        multipart: false,
        modified: 100,
        data: None,
    }
}

#[test]
fn version_ids_round_trip() {
    for id in [0u64, 1, 0xFFFF_FFFF_FFFF] {
        assert_eq!(parse_version_id(&render_version_id(id)), Some(id));
    }
    assert_eq!(parse_version_id("bogus"), None);
}

#[test]
fn unversioned_put_overwrites_and_delete_removes() {
    let (mut b, mut n) = (Bucket::new("cn-hangzhou", 0, StorageClass::Standard), 0);
    b.put("k", obj(1), &mut n);
    b.put("k", obj(2), &mut n);
    assert_eq!(b.contents().versions, 1);
    b.delete("k", None, 0, &mut n);
    assert!(b.contents().is_empty());
}

#[test]
fn enabled_versioning_keeps_versions_and_plain_delete_adds_a_marker() {
    let (mut b, mut n) = (Bucket::new("r", 0, StorageClass::Standard), 0);
    b.versioning = Versioning::Enabled;
    let v1 = b.put("k", obj(1), &mut n);
    b.put("k", obj(2), &mut n);
    let (marker, id) = b.delete("k", None, 0, &mut n);
    assert!(marker);
    assert_eq!(
        b.contents(),
        Contents {
            versions: 2,
            delete_markers: 1,
            ..Default::default()
        }
    );
    b.delete("k", None, 0, &mut n);
    assert_eq!(
        b.contents().delete_markers,
        2,
        "a plain delete on a marker stacks another marker"
    );
    b.delete("k", id, 0, &mut n);
    b.delete("k", Some(v1), 0, &mut n);
    assert_eq!(
        b.contents(),
        Contents {
            versions: 1,
            delete_markers: 1,
            ..Default::default()
        }
    );
}

#[test]
fn suspended_versioning_replaces_the_null_version() {
    let (mut b, mut n) = (Bucket::new("r", 0, StorageClass::Standard), 0);
    b.versioning = Versioning::Enabled;
    b.put("k", obj(1), &mut n);
    b.versioning = Versioning::Suspended;
    b.put("k", obj(2), &mut n);
    b.put("k", obj(3), &mut n);
    assert_eq!(
        b.objects["k"]
            .iter()
            .map(|v| v.id)
            .filter(|id| *id == 0)
            .count(),
        1
    );
    let (marker, id) = b.delete("k", None, 0, &mut n);
    assert!(marker && id == Some(0));
    assert_eq!(
        b.contents(),
        Contents {
            versions: 1,
            delete_markers: 1,
            ..Default::default()
        }
    );
}

#[test]
fn listings_page_with_prefix_delimiter_and_markers() {
    let (mut b, mut n) = (Bucket::new("r", 0, StorageClass::Standard), 0);
    for k in ["a/1", "a/2", "b", "c/x/1", "d"] {
        b.put(k, obj(1), &mut n);
    }
    let page = b.list_current("", Some("/"), None, 2);
    assert_eq!(
        (page.prefixes.clone(), page.items.len(), page.truncated),
        (vec!["a/".to_string()], 1, true)
    );
    assert_eq!(page.last.as_deref(), Some("b"));
    let page = b.list_current("", Some("/"), Some("b"), 10);
    assert_eq!(page.prefixes, vec!["c/".to_string()]);
    assert_eq!(
        page.items.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        ["d"]
    );
    let page = b.list_current("a/", None, Some("a/1"), 10);
    assert_eq!(
        page.items.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        ["a/2"]
    );
}

/// A versioned bucket: key `k` with versions 1, 2, 3, then `z` (version 4).
fn three_versions_of_k_then_z() -> (Bucket, u64) {
    let (mut b, mut n) = (Bucket::new("r", 0, StorageClass::Standard), 0);
    b.versioning = Versioning::Enabled;
    for _ in 0..3 {
        b.put("k", obj(1), &mut n);
    }
    b.put("z", obj(1), &mut n);
    (b, n)
}

#[test]
fn version_listing_resumes_inside_a_key() {
    let (b, _) = three_versions_of_k_then_z();
    let p1 = b.list_versions("", None, None, None, 2, MarkerMode::Position);
    assert!(p1.truncated);
    let (km, vm) = (p1.last.clone(), p1.last_version);
    let p2 = b.list_versions("", None, km.as_deref(), vm, 10, MarkerMode::Position);
    let got: Vec<(String, u64)> = p2
        .items
        .iter()
        .map(|(k, v, _)| (k.to_string(), v.id))
        .collect();
    assert_eq!(got, vec![("k".to_string(), 1), ("z".to_string(), 4)]);
}

#[test]
fn a_deleted_marker_version_still_marks_a_position() {
    let (mut b, mut n) = three_versions_of_k_then_z();
    // Page 1 ends at (k, 2); version 2 is then deleted, as a deleting client does.
    let p1 = b.list_versions("", None, None, None, 2, MarkerMode::Position);
    let (km, vm) = (p1.last.clone(), p1.last_version);
    assert_eq!(vm, Some(2));
    b.delete("k", Some(2), 0, &mut n);
    let ids = |mode| -> Vec<(String, u64)> {
        b.list_versions("", None, km.as_deref(), vm, 10, mode)
            .items
            .iter()
            .map(|(k, v, _)| (k.to_string(), v.id))
            .collect()
    };
    assert_eq!(
        ids(MarkerMode::Position),
        [("k".to_string(), 1), ("z".to_string(), 4)],
        "version 1 comes after the deleted marker version 2"
    );
    assert_eq!(
        ids(MarkerMode::SkipWhenGone),
        [("z".to_string(), 4)],
        "the scripted fault skips it"
    );
}

#[test]
fn access_points_move_through_their_states() {
    let ap = AccessPoint {
        network_origin: "internet".into(),
        vpc_id: None,
        created: 0,
        ready_at_ms: 100,
        gone_at_ms: None,
        policy: None,
    };
    assert_eq!(ap.status(50), "creating");
    assert_eq!(ap.status(150), "enable");
    let mut b = Bucket::new("r", 0, StorageClass::Standard);
    b.access_points.insert(
        "ap".into(),
        AccessPoint {
            gone_at_ms: Some(200),
            ..ap
        },
    );
    b.settle(150);
    assert_eq!(b.access_points["ap"].status(150), "deleting");
    assert_eq!(
        b.contents().access_points,
        1,
        "a deleting access point still blocks"
    );
    b.settle(250);
    assert!(b.contents().is_empty());
}
