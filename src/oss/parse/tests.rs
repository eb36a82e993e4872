//! Parsers against the recorded bodies of oss-api.md Appendix A.

use super::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/xml/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn list_buckets_plain_and_truncated() {
    let page = list_buckets(&fixture("F1.xml")).unwrap();
    assert_eq!(page.buckets.len(), 2);
    assert_eq!(page.buckets[0].name, "app-base-oss");
    assert_eq!(page.buckets[0].region, "cn-shanghai");
    assert_eq!(page.buckets[1].storage_class, "IA");
    assert_eq!(page.buckets[1].creation_date, Some(1393327264));
    assert_eq!(page.next_marker, None);
    assert_eq!(page.owner_id.as_deref(), Some("51264"));

    let page = list_buckets(&fixture("F2.xml")).unwrap();
    assert_eq!(page.next_marker.as_deref(), Some("mybucket10"));
    let page = list_buckets(&fixture("O1.xml")).unwrap();
    assert_eq!(
        page.buckets[0].resource_group_id.as_deref(),
        Some("rg-acfmxmt3***")
    );
}

#[test]
fn region_falls_back_to_location() {
    let body = "<ListAllMyBucketsResult><Buckets><Bucket><Name>b</Name><Location>oss-ap-southeast-1</Location></Bucket></Buckets></ListAllMyBucketsResult>";
    assert_eq!(
        list_buckets(body).unwrap().buckets[0].region,
        "ap-southeast-1"
    );
    assert_eq!(bucket_location(&fixture("F8.xml")).unwrap(), "cn-hangzhou");
}

#[test]
fn list_objects_v1_decodes_url_encoded_keys_in_a_namespaced_root() {
    let page = list_objects_v1(&fixture("F3.xml")).unwrap();
    let keys: Vec<&str> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["fun/movie/001.avi", "fun/movie/007.avi", "oss.jpg"]);
    assert_eq!(page.objects[0].etag, "5B3C1A2E053D763E1B002CC607C5A0FE");
    assert_eq!(page.next_continuation_token, None);
}

#[test]
fn list_objects_v2_truncated_page() {
    let page = list_objects_v2(&fixture("F4.xml")).unwrap();
    assert_eq!(page.objects.len(), 4);
    assert_eq!(page.objects[0].key, "b/c");
    assert_eq!(page.objects[3].storage_class, "ColdArchive");
    assert_eq!(page.objects[3].transition_time, Some(1730334257));
    assert_eq!(page.objects[0].size, 25);
    assert_eq!(page.next_continuation_token.as_deref(), Some("CgJiYw--"));
}

#[test]
fn bucket_info_stat_and_versioning() {
    let info = bucket_info(&fixture("F5.xml")).unwrap();
    assert_eq!(
        (info.name.as_str(), info.region.as_str()),
        ("oss-example", "cn-hangzhou")
    );
    assert_eq!(info.versioning, Versioning::Off);
    assert!(!info.cross_region_replication);
    assert_eq!(info.acl.as_deref(), Some("private"));
    assert!(bucket_info(&fixture("F6.xml")).is_ok());

    let stat = bucket_stat(&fixture("F7.xml")).unwrap();
    assert_eq!(stat.object_count, 230);
    assert_eq!(stat.delete_marker_count, 6276);
    assert_eq!(
        stat.multipart_part_storage, 0,
        "missing optional fields are zero"
    );
    assert_eq!(stat.cold_archive.object_count, 36);
    assert_eq!(stat.last_modified_time, Some(1643341269));

    assert_eq!(
        bucket_versioning(&fixture("F9.xml")).unwrap(),
        Versioning::Off
    );
    assert_eq!(
        bucket_versioning(&fixture("F10.xml")).unwrap(),
        Versioning::Enabled
    );
    assert_eq!(
        bucket_versioning(
            "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"
        )
        .unwrap(),
        Versioning::Suspended
    );
}

#[test]
fn versions_with_empty_and_null_version_ids() {
    let page = list_object_versions(&fixture("F11.xml")).unwrap();
    assert_eq!(page.entries.len(), 4);
    assert!(
        page.entries.iter().all(|e| e.version_id == "null"),
        "empty VersionId maps to null"
    );
    assert_eq!(page.entries[3].storage_class, "ColdArchive");
    assert_eq!(page.next_key_marker, None);
}

#[test]
fn versions_with_control_characters_in_keys() {
    let page = list_object_versions(&fixture("F12.xml")).unwrap();
    assert_eq!(page.entries.len(), 3);
    assert!(page.entries.iter().all(|e| e.key == "demo/gp-\u{c}\n\u{b}"));
    assert!(page.entries[0].is_latest && !page.entries[1].is_latest);
}

#[test]
fn interleaved_versions_and_delete_markers_keep_document_order() {
    let page = list_object_versions(&fixture("F13.xml")).unwrap();
    let kinds: String = page
        .entries
        .iter()
        .map(|e| if e.is_delete_marker { 'D' } else { 'V' })
        .collect();
    assert_eq!(kinds, "DVDVDVDVDVDVDVDVDV");
    assert_eq!(page.entries[0].key, "demo/");
    assert_eq!(page.entries[17].key, "demo/README-CN.md");
    assert_eq!(
        (page.entries[11].key.as_str(), page.entries[11].size),
        ("demo/.travis.yml", 4046)
    );
    assert_eq!(page.next_key_marker.as_deref(), Some("demo/README-CN.md"));
    assert_eq!(
        page.next_version_id_marker.as_deref(),
        Some("CAEQEhiBgICDzK6NnBgiIGRlZWJhYmNlMGUxZDQ4YTZhNTU2MzM4Mzk5NDBl****")
    );
}

#[test]
fn truncated_pages_without_their_marker_are_errors() {
    let body = "<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>";
    assert!(list_object_versions(body).is_err());
    let body = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
    assert!(list_objects_v2(body).is_err());
}

#[test]
fn delete_results_and_per_key_matching() {
    let markers = delete_result(&fixture("F14.xml")).unwrap();
    assert!(markers
        .iter()
        .all(|d| d.delete_marker && d.delete_marker_version_id.is_some()));
    let versions = delete_result(&fixture("F15.xml")).unwrap();
    assert_eq!(
        versions[1].version_id.as_deref(),
        Some("CAEQFxiBgIDztZ2IuRgiIDMyNzg1MTY1NWI5NjQyOGJiZWIwOTA0NTI0MmY1****")
    );
    let control = delete_result(&fixture("F16.xml")).unwrap();
    let expected_key: String = "go-sdk-v1"
        .chars()
        .chain((1u8..=0x1f).map(char::from))
        .collect();
    assert_eq!(control[0].key, expected_key);
    let plain = delete_result(&fixture("O2.xml")).unwrap();
    assert_eq!(
        plain.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(),
        ["hello", "world"]
    );
    assert!(delete_result("").unwrap().is_empty());

    let requested = vec![
        ObjectIdentifier::version(
            "key1.txt",
            "CAEQFxiBgIDztZ2IuRgiIDMyNzg1MTY1NWI5NjQyOGJiZWIwOTA0NTI0MmYx****",
        ),
        ObjectIdentifier::version("key2.txt", "some-other-version"),
        ObjectIdentifier::version("key3.txt", "x"),
    ];
    let outcomes = match_deleted(&requested, &versions);
    assert!(matches!(outcomes[0], KeyOutcome::Deleted(_)));
    assert!(
        matches!(&outcomes[1], KeyOutcome::NotDeleted { key, .. } if key == "key2.txt"),
        "same key, other version is not deleted"
    );
    assert!(matches!(outcomes[2], KeyOutcome::NotDeleted { .. }));
    let plain_requested = vec![
        ObjectIdentifier::key("hello"),
        ObjectIdentifier::key("world"),
        ObjectIdentifier::key("gone"),
    ];
    let outcomes = match_deleted(&plain_requested, &plain);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, KeyOutcome::Deleted(_)))
            .count(),
        2
    );
}

#[test]
fn multipart_uploads_plain_and_encoded() {
    let page = list_multipart_uploads(&fixture("F18.xml")).unwrap();
    assert_eq!(page.uploads.len(), 3);
    assert_eq!(
        page.uploads[2].upload_id,
        "0004B99B8E707874FC2D692FA5D7****"
    );
    assert_eq!(page.next_key_marker, None, "not truncated");
    let page = list_multipart_uploads(&fixture("F19.xml")).unwrap();
    assert_eq!(page.uploads.len(), 10);
    assert_eq!(page.uploads[0].key, "demo/gp-\u{c}\n\u{b}");
    assert_eq!(page.uploads[0].storage_class.as_deref(), Some("Standard"));
}

#[test]
fn live_channels_truncated() {
    let page = list_live_channels(&fixture("O4.xml")).unwrap();
    assert_eq!(page.channels.len(), 2);
    assert_eq!(page.channels[1].status, "disabled");
    assert_eq!(
        page.channels[0].publish_urls,
        ["rtmp://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/live/test1"]
    );
    assert_eq!(page.next_marker.as_deref(), Some("test3"));
}

#[test]
fn access_points_list_and_get() {
    let page = list_access_points(&fixture("F22.xml")).unwrap();
    assert_eq!(page.access_points.len(), 3);
    assert_eq!(page.access_points[2].vpc_id, None);
    assert_eq!(page.access_points[0].status, "enable");
    assert_eq!(page.next_continuation_token.as_deref(), Some("abc"));
    let ap = get_access_point(&fixture("F21.xml")).unwrap();
    assert_eq!(ap.access_point.name, "ap-01");
    assert_eq!(ap.creation_date.as_deref(), Some("1626769503"));
    // Another date format must not break reading the status.
    let iso = fixture("F21.xml").replace("1626769503", "2021-07-20T08:25:03.000Z");
    let ap = get_access_point(&iso).unwrap();
    assert_eq!(
        (ap.access_point.status.as_str(), ap.creation_date.as_deref()),
        ("enable", Some("2021-07-20T08:25:03.000Z"))
    );
    assert_eq!(
        ap.internal_endpoint.as_deref(),
        Some("ap-01.oss-cn-hangzhou-internal.oss-accesspoint.aliyuncs.com")
    );
}

#[test]
fn replication_worm_cname() {
    let rules = bucket_replication(&fixture("F23.xml")).unwrap();
    assert_eq!(rules[0].prefixes, ["source1", "video"]);
    assert_eq!(rules[0].destination_bucket, "destbucket");
    assert!(!rules[0].replicates_deletes(), "Action PUT only writes");
    let all = bucket_replication("<ReplicationConfiguration><Rule><ID>r</ID><Destination><Bucket>d</Bucket></Destination></Rule></ReplicationConfiguration>").unwrap();
    assert!(all[0].replicates_deletes(), "a missing Action means ALL");

    let worm = bucket_worm(&fixture("F25.xml")).unwrap();
    assert_eq!(
        (worm.state.as_str(), worm.retention_period_days),
        ("Locked", 1)
    );
    assert_eq!(worm.creation_date, Some(1602777032));

    let cnames = list_cname(&fixture("F26.xml")).unwrap();
    assert_eq!(
        cnames.iter().map(|c| c.domain.as_str()).collect::<Vec<_>>(),
        ["example.com", "example.org", "example.edu"]
    );
    assert!(cnames[0].has_certificate && !cnames[1].has_certificate);
}

#[test]
fn lifecycle_rules_keep_the_raw_body() {
    let x5 = fixture("X5.xml");
    let second = x5.lines().filter(|l| !l.trim().is_empty()).nth(1).unwrap();
    let cfg = bucket_lifecycle(second).unwrap();
    assert_eq!(cfg.raw_xml, second);
    let r = &cfg.rules[0];
    assert!(r.enabled && r.expired_object_delete_marker);
    assert_eq!(r.noncurrent_days, Some(5));
    let body = "<LifecycleConfiguration><Rule><ID>x</ID><Prefix></Prefix><Status>Disabled</Status><Filter><Not><Prefix>.dlsdata/</Prefix></Not></Filter><AbortMultipartUpload><Days>3</Days></AbortMultipartUpload></Rule></LifecycleConfiguration>";
    let r = &bucket_lifecycle(body).unwrap().rules[0];
    assert_eq!(
        (
            r.enabled,
            r.abort_multipart_days,
            r.excluded_prefixes.clone()
        ),
        (false, Some(3), vec![".dlsdata/".to_string()])
    );
}

#[test]
fn extra_elements_are_ignored_and_optional_ones_tolerated() {
    let body = "<ListBucketResult><Unknown><Deep>1</Deep></Unknown><Contents><Key>k</Key><Extra/></Contents><IsTruncated>false</IsTruncated></ListBucketResult>";
    let page = list_objects_v2(body).unwrap();
    assert_eq!(page.objects[0].key, "k");
    assert_eq!(page.objects[0].size, 0);
    assert_eq!(page.objects[0].last_modified, None);
}

#[test]
fn wrong_roots_and_bad_numbers_are_errors_not_panics() {
    assert!(list_buckets("<html><body>Service Unavailable</body></html>").is_err());
    assert!(list_buckets("").is_err());
    assert!(bucket_stat("<BucketStat><Storage>lots</Storage></BucketStat>").is_err());
    assert!(list_object_versions("<ListVersionsResult><Version><Key>a</Key>").is_err());
}

#[test]
fn data_accelerators_parse_leniently() {
    let body = "<DataAccelerator><Name>n</Name><BasicInfomation><Quota>100</Quota><AvailableZone>cn-hangzhou-j</AvailableZone></BasicInfomation></DataAccelerator>";
    let acc = data_accelerators(body).unwrap();
    assert_eq!(acc[0].available_zone, "cn-hangzhou-j");
    assert_eq!(acc[0].quota_gb, Some(100));
}

#[test]
fn keys_keep_their_spaces_when_not_url_encoded() {
    let body = "<ListBucketResult>\n  <Contents>\n    <Key>  padded key </Key>\n    <Size> 7 </Size>\n  </Contents>\n  <IsTruncated>false</IsTruncated>\n</ListBucketResult>";
    let page = list_objects_v2(body).unwrap();
    assert_eq!(page.objects[0].key, "  padded key ");
    assert_eq!(page.objects[0].size, 7);
    let deleted =
        delete_result("<DeleteResult><Deleted><Key> x</Key></Deleted></DeleteResult>").unwrap();
    assert_eq!(deleted[0].key, " x");
}

#[test]
fn peeked_markers_match_the_full_parse() {
    let f13 = fixture("F13.xml");
    let page = list_object_versions(&f13).unwrap();
    assert_eq!(
        peek_versions_marker(&f13).unwrap(),
        Some((page.next_key_marker.unwrap(), page.next_version_id_marker))
    );
    assert_eq!(peek_versions_marker(&fixture("F11.xml")).unwrap(), None);
    let f4 = fixture("F4.xml");
    assert_eq!(
        peek_objects_token(&f4).unwrap().as_deref(),
        Some("CgJiYw--")
    );
    // Markers placed after the entries are still found.
    let late = "<ListVersionsResult><Version><Key>a%2Fb</Key><VersionId>v</VersionId></Version><IsTruncated>true</IsTruncated><NextKeyMarker>a%2Fb</NextKeyMarker><NextVersionIdMarker>v</NextVersionIdMarker><EncodingType>url</EncodingType></ListVersionsResult>";
    assert_eq!(
        peek_versions_marker(late).unwrap(),
        Some(("a/b".to_string(), Some("v".to_string())))
    );
}

#[test]
fn list_parts_pages_and_a_truncated_page_needs_its_marker() {
    let page = list_parts(
        r#"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>U</UploadId>
<NextPartNumberMarker>2</NextPartNumberMarker><IsTruncated>true</IsTruncated>
<Part><PartNumber>1</PartNumber><Size>100</Size></Part>
<Part><PartNumber>2</PartNumber><Size>200</Size></Part></ListPartsResult>"#,
    )
    .unwrap();
    assert_eq!(page.parts, [(1, 100), (2, 200)]);
    assert_eq!(page.next_marker, Some(2));
    let last = list_parts(
        "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>3</PartNumber><Size>7</Size></Part></ListPartsResult>",
    )
    .unwrap();
    assert_eq!((last.parts, last.next_marker), (vec![(3, 7)], None));
    assert!(
        list_parts("<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>").is_err()
    );
    assert!(list_parts(
        "<ListPartsResult><Part><PartNumber>x</PartNumber></Part></ListPartsResult>"
    )
    .is_err());
}

#[test]
fn live_channel_stat_says_whether_a_stream_is_pushed() {
    let live = live_channel_stat(
        "<LiveChannelStat><Status>Live</Status><ConnectedTime>2016-08-25T06:25:15.000Z</ConnectedTime>\
         <RemoteAddr>10.1.2.3:47745</RemoteAddr><Video><Width>1280</Width></Video></LiveChannelStat>",
    )
    .unwrap();
    assert!(live.is_live());
    assert_eq!(live.remote_addr.as_deref(), Some("10.1.2.3:47745"));
    assert!(live.connected.is_some());
    let idle =
        live_channel_stat("<LiveChannelStat><Status>Idle</Status></LiveChannelStat>").unwrap();
    assert!(!idle.is_live() && idle.connected.is_none());
    assert!(live_channel_stat("<LiveChannelStat></LiveChannelStat>").is_err());
}
