//! The vector buckets tab, driven by messages, and its screens at 80x24 and 120x30.

use crossterm::event::KeyCode;

use super::super::tests::{code, context, key, snapshot_at, typed};
use super::*;
use crate::blockers::Category;
use crate::oss::vectors::{VectorBucketSummary, VectorIndex};
use crate::scan::report::IndexReport;
use crate::scan::{ScanEvent, ScanReport, State};
use crate::vocab::BucketKind;

const T0: i64 = 1_735_689_600; // 2025-01-01

fn vb(name: &str, region: &str) -> VectorBucketSummary {
    VectorBucketSummary {
        name: name.into(),
        region: region.into(),
        creation_date: Some(T0 - 90 * 86_400),
    }
}

fn index(name: &str, dimension: u64, vectors: u64, status: &str) -> IndexReport {
    IndexReport {
        index: VectorIndex {
            name: name.into(),
            data_type: "float32".into(),
            dimension,
            distance_metric: "cosine".into(),
            status: status.into(),
            created: Some(T0),
        },
        vectors: Some(vectors),
        more_vectors: false,
    }
}

fn vector_report(bucket: &str) -> ScanReport {
    let mut r = ScanReport::of(BucketKind::Vector, bucket);
    r.region = "cn-hangzhou".into();
    r.indexes = vec![
        index("faq", 16, 120, "running"),
        index("product-docs", 64, 1_800, "running"),
        index("support-tickets", 32, 640, "deleting"),
    ];
    let c = r.category_mut(Category::VectorIndexes);
    c.count = 3;
    c.state = State::Blocks;
    c.note = Some("1 already being deleted".into());
    r.finished = true;
    r.complete = true;
    r.risks = crate::scan::risk::risks(&r);
    r
}

/// The vector tab, listed, with the index counts in.
fn vector_tab() -> App {
    let (mut app, effects) = App::new(context());
    // The vector buckets load with the bucket list, before their tab opens.
    assert!(effects.contains(&Effect::LoadVectorBuckets), "{effects:?}");
    assert_eq!(app.update(code(KeyCode::Tab)), vec![]);
    let effects = app.update(Msg::VectorBucketsLoaded(Ok(vec![
        vb("acme-rag-staging", "cn-shanghai"),
        vb("acme-embeddings", "cn-hangzhou"),
    ])));
    assert_eq!(
        effects,
        [
            Effect::LoadVectorDetails("acme-embeddings".into()),
            Effect::LoadVectorDetails("acme-rag-staging".into())
        ]
    );
    app.update(Msg::VectorDetailsLoaded {
        bucket: "acme-embeddings".into(),
        result: Ok(3),
    });
    app
}

fn scanned_vector() -> App {
    let mut app = vector_tab();
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Effect::StartVectorScan("acme-embeddings".into())]
    );
    app.update(Msg::Scanned {
        bucket: "acme-embeddings".into(),
        event: ScanEvent::Finished(Box::new(vector_report("acme-embeddings"))),
    });
    app
}

#[test]
fn tab_switches_lists_and_loads_the_vector_buckets_once() {
    let mut app = vector_tab();
    assert_eq!(app.keys(), keymap::LIST);
    assert!(app.update(code(KeyCode::Tab)).is_empty());
    assert_eq!(app.tab, Tab::Buckets);
    assert!(
        app.update(code(KeyCode::Tab)).is_empty(),
        "listed already: no second listing"
    );
    assert_eq!(app.vectors.rows[0].summary.name, "acme-embeddings");
}

#[test]
fn one_index_is_deleted_like_a_category_after_typing_the_name() {
    let mut app = scanned_vector();
    assert_eq!(app.keys(), keymap::VECTOR_SCAN);
    app.update(key('j'));
    app.update(key('c'));
    let Screen::Confirm(c, _) = &app.screen else {
        panic!("confirm pane expected: {:?}", app.screen)
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        panic!()
    };
    assert_eq!(
        preflights[0].action,
        engine::Action::clear_indexes(["product-docs"])
    );
    assert_eq!(preflights[0].kind, BucketKind::Vector);
    app.update(code(KeyCode::Enter));
    assert!(matches!(app.screen, Screen::Confirm(..)), "the name first");
    typed(&mut app, "acme-embeddings");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if p[0].indexes.len() == 1)
    );
}

#[test]
fn deleting_a_vector_bucket_needs_its_exact_name() {
    let mut app = scanned_vector();
    app.update(key('D'));
    let Screen::Confirm(c, _) = &app.screen else {
        panic!()
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        panic!()
    };
    assert!(preflights[0].action.deletes_bucket());
    assert_eq!(preflights[0].indexes.len(), 3);
    typed(&mut app, "acme-embedding");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    typed(&mut app, "s");
    assert!(matches!(
        &app.update(code(KeyCode::Enter))[..],
        [Effect::CancelScan, Effect::StartRun(_)]
    ));
}

#[test]
fn snapshot_vector_tab_and_scan() {
    let app = vector_tab();
    insta::assert_snapshot!("vector_list_80x24", snapshot_at(&app, 80, 24));
    insta::assert_snapshot!("vector_list_120x40", snapshot_at(&app, 120, 40));
    let mut app = scanned_vector();
    insta::assert_snapshot!("vector_scan_80x24", snapshot_at(&app, 80, 24));
    insta::assert_snapshot!("vector_scan_120x40", snapshot_at(&app, 120, 40));
    app.update(key('D'));
    insta::assert_snapshot!("vector_confirm_80x24", snapshot_at(&app, 80, 24));
    insta::assert_snapshot!("vector_confirm_120x40", snapshot_at(&app, 120, 40));
}

#[test]
fn a_vector_listing_that_fails_in_the_background_stays_on_its_tab() {
    let (mut app, _) = App::new(context());
    let e = ErrorInfo::text("Could not list vector buckets:", "AccessDenied");
    app.update(Msg::VectorBucketsLoaded(Err(e)));
    assert!(app.banner.is_none(), "not over the buckets");
    // Opening the tab asks again, and then says why.
    assert_eq!(
        app.update(code(KeyCode::Tab)),
        vec![Effect::LoadVectorBuckets]
    );
    let e = ErrorInfo::text("Could not list vector buckets:", "AccessDenied");
    app.update(Msg::VectorBucketsLoaded(Err(e)));
    assert!(app.banner.is_some());
}

#[test]
fn the_vector_tab_filters_sorts_and_keeps_its_selection() {
    let mut app = vector_tab();
    app.update(key('j')); // acme-rag-staging
    app.update(key('s')); // by indexes: embeddings (3), rag-staging (loading)
    assert_eq!(
        app.vectors.selected_row().unwrap().summary.name,
        "acme-rag-staging"
    );
    app.update(key('/'));
    typed(&mut app, "shanghai");
    app.update(code(KeyCode::Enter));
    assert_eq!(app.vectors.visible().len(), 1);
    let text = snapshot_at(&app, 80, 24);
    assert!(
        text.contains("Vector buckets (1 of 2)") && text.contains("sorted by indexes"),
        "{text}"
    );
    // Esc clears it; the selection stays on its bucket.
    app.update(code(KeyCode::Esc));
    assert_eq!(app.vectors.visible().len(), 2);
    assert_eq!(
        app.vectors.selected_row().unwrap().summary.name,
        "acme-rag-staging"
    );
}

#[test]
fn marked_vector_buckets_are_scanned_then_confirmed_together() {
    let mut app = vector_tab();
    app.update(key(' '));
    app.update(key(' '));
    let text = snapshot_at(&app, 80, 24);
    let hints = text.lines().last().unwrap_or_default();
    assert!(
        hints.starts_with("\"D delete marked"),
        "the main action first: {hints}"
    );
    assert_eq!(
        app.update(key('D')),
        [Effect::ScanBatch(
            BucketKind::Vector,
            vec!["acme-embeddings".into(), "acme-rag-staging".into()]
        )]
    );
    assert!(snapshot_at(&app, 80, 24).contains("Delete marked vector buckets"));
    for b in ["acme-embeddings", "acme-rag-staging"] {
        app.update(Msg::Scanned {
            bucket: b.into(),
            event: ScanEvent::Finished(Box::new(vector_report(b))),
        });
    }
    let Screen::Confirm(c, None) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(c.expected(), "delete 2 buckets");
    typed(&mut app, "delete 2 buckets");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(p
        .iter()
        .all(|p| p.kind == BucketKind::Vector && p.action.deletes_bucket()));
    assert_eq!(p.len(), 2);
}

#[test]
fn a_vector_scan_never_writes_counts_into_an_object_bucket_of_the_same_name() {
    let mut app = vector_tab();
    app.update(Msg::BucketsLoaded(Ok(vec![
        crate::oss::model::BucketSummary {
            name: "acme-embeddings".into(),
            region: "cn-hangzhou".into(),
            creation_date: None,
            storage_class: "Standard".into(),
            extranet_endpoint: None,
            intranet_endpoint: None,
            resource_group_id: None,
        },
    ])));
    let before = app.list.clone();
    app.update(Msg::Scanned {
        bucket: "acme-embeddings".into(),
        event: ScanEvent::Finished(Box::new(vector_report("acme-embeddings"))),
    });
    assert_eq!(app.list, before);
}
