//! The parallel listing against an in-memory source with tiny pages, so that
//! folders, ladders and cuts all happen on small key sets: every key and every
//! version comes out exactly once, and nothing outside the prefix.

use super::*;
use futures::future::BoxFuture;
use futures::FutureExt;
use proptest::prelude::*;

type Entry = (String, u32);

/// A bucket in memory: keys with their number of versions, listed like
/// ListObjectVersions (resume by key and version) in pages of `page` entries.
struct Memory {
    entries: Arc<Vec<Entry>>,
    /// The entries under the prefix.
    scope: Arc<Vec<Entry>>,
    prefix: String,
    page: usize,
    requests: Arc<AtomicU64>,
}

impl Memory {
    fn new(keys: &[(String, u32)], prefix: &str, page: usize) -> Self {
        let mut entries: Vec<Entry> = keys
            .iter()
            .flat_map(|(k, n)| (0..*n).map(move |v| (k.clone(), v)))
            .collect();
        entries.sort();
        entries.dedup();
        let scope: Vec<Entry> = entries
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .cloned()
            .collect();
        Memory {
            entries: Arc::new(entries),
            scope: Arc::new(scope),
            prefix: prefix.to_string(),
            page,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    fn in_scope(&self) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|(k, _)| k.starts_with(&self.prefix))
            .cloned()
            .collect()
    }
}

impl Source for Memory {
    type Item = Entry;
    type Marker = (String, Option<String>);
    const OP: &'static str = "ListObjectVersions";

    fn key_of(item: &Entry) -> &str {
        &item.0
    }

    fn prefix(&self) -> &str {
        &self.prefix
    }

    fn page(
        &self,
        from: &From<Self::Marker>,
        max: u32,
    ) -> super::super::PageFuture<Entry, Self::Marker> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let scope = &self.scope;
        let start = match from {
            From::Start => 0,
            From::After(k) => scope.partition_point(|(key, _)| key.as_str() <= k.as_str()),
            From::Resume((k, v)) => {
                let v: u32 = v.as_deref().unwrap().parse().unwrap();
                scope.partition_point(|(key, ver)| (key.as_str(), *ver) <= (k.as_str(), v))
            }
        };
        let n = (max as usize).min(self.page);
        let items: Vec<Entry> = scope[start.min(scope.len())..]
            .iter()
            .take(n)
            .cloned()
            .collect();
        let more = start + items.len() < scope.len();
        let next = more.then(|| {
            let (k, v) = items.last().unwrap();
            (k.clone(), Some(v.to_string()))
        });
        async move {
            tokio::task::yield_now().await;
            Ok(super::super::Page { items, next })
        }
        .boxed()
    }

    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut out: Vec<String> = self
            .entries
            .iter()
            .filter_map(|(k, _)| {
                let rest = k.strip_prefix(under)?;
                let i = rest.find('/')?;
                Some(format!("{under}{}", &rest[..=i]))
            })
            .collect();
        out.sort();
        out.dedup();
        out.truncate(1000);
        async move { Ok(out) }.boxed()
    }
}

fn list_all(source: Memory, streams: usize) -> (Vec<Entry>, Vec<Entry>, ListingTally) {
    let (got, want, tally, _) = list_seeded(source, streams, Vec::new());
    (got, want, tally)
}

/// Lists `source` from `seeds`; also returns the map the listing recorded.
fn list_seeded(
    source: Memory,
    streams: usize,
    seeds: Vec<String>,
) -> (Vec<Entry>, Vec<Entry>, ListingTally, KeyLayout) {
    let want = source.in_scope();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (got, tally, map) = rt.block_on(async move {
        let (mut pages, stats) = list_ranges(Arc::new(source), streams, Start::seeded(&seeds));
        let mut got = Vec::new();
        while let Some(p) = pages.next().await {
            got.extend(p.unwrap());
        }
        (got, stats.tally(), stats.key_map())
    });
    let mut got = got;
    got.sort();
    (got, want, tally, map)
}

fn key_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        // Unicode and slashes.
        proptest::collection::vec(
            prop_oneof![
                Just("a"),
                Just("b"),
                Just("é"),
                Just("日"),
                Just("/"),
                Just("0"),
                Just("9"),
                Just("-"),
                Just("~"),
                Just("z")
            ],
            1..12
        )
        .prop_map(|v| v.concat()),
        // A '/'-heavy hierarchy.
        (0u32..4, 0u32..6, 0u32..30).prop_map(|(a, b, c)| format!("d{a}/e{b}/f{c:02}")),
        // Flat numbers.
        (0u32..100_000).prop_map(|n| format!("{n:06}")),
    ]
}

fn keyset() -> impl Strategy<Value = Vec<(String, u32)>> {
    prop_oneof![
        // Mixed layouts, some keys with many versions.
        proptest::collection::vec((key_strategy(), 1u32..4), 0..600),
        // Skewed: most keys under one prefix.
        (
            proptest::collection::vec(0u32..50_000, 0..800),
            proptest::collection::vec(key_strategy(), 0..40)
        )
            .prop_map(|(big, rest)| {
                let mut v: Vec<(String, u32)> = big
                    .into_iter()
                    .map(|n| (format!("big/{n:05}"), 1))
                    .collect();
                v.extend(rest.into_iter().map(|k| (k, 1)));
                v
            }),
        // Versioned, many versions per key.
        proptest::collection::vec(
            ((0u32..300).prop_map(|n| format!("v/{n:03}")), 1u32..12),
            0..120
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_entry_exactly_once_and_nothing_outside_the_prefix(
        keys in keyset(),
        page in 1usize..9,
        streams in 1usize..12,
        prefix_pick in proptest::option::of(0usize..600),
        prefix_len in 0usize..6,
        seeds in proptest::collection::vec(key_strategy(), 0..20),
    ) {
        // A prefix taken from one of the keys (or none).
        let prefix = prefix_pick
            .and_then(|i| keys.get(i % keys.len().max(1)))
            .map(|(k, _)| k.chars().take(prefix_len).collect::<String>())
            .unwrap_or_default();
        // Any seeds partition the key space, in the prefix or not.
        let mut seeds = seeds;
        seeds.sort();
        seeds.dedup();
        let (got, want, tally, map) =
            list_seeded(Memory::new(&keys, &prefix, page), streams, seeds);
        prop_assert!(got.iter().all(|(k, _)| k.starts_with(&prefix)));
        prop_assert_eq!(&got, &want, "tally {:?}", tally);
        prop_assert_eq!(map.entries(), want.len() as u64);
        // The map's seeds start the next listing of the scope; still exactly once.
        let again = map.seeds(1 + streams as u64 * 2);
        let (got, _, tally, _) = list_seeded(Memory::new(&keys, &prefix, page), streams, again);
        prop_assert_eq!(&got, &want, "seeded tally {:?}", tally);
    }
}

#[test]
fn a_listing_seeded_by_its_map_starts_spread_and_sends_no_probe() {
    // A hashed layout: the first characters show up only as the listing goes.
    let keys: Vec<(String, u32)> = (0..256 * 40)
        .map(|i| (format!("{:02x}{:04}", i % 256, i / 256), 1))
        .collect();
    let (got, want, first, map) = list_seeded(Memory::new(&keys, "", 50), 16, Vec::new());
    assert_eq!(got, want);
    assert!(first.probes + first.folder_listings > 0, "{first:?}");
    let seeds = map.seeds(32);
    assert_eq!(seeds.len(), 31);
    let (got, _, again, _) = list_seeded(Memory::new(&keys, "", 50), 16, seeds);
    assert_eq!(got, want);
    assert_eq!((again.probes, again.folder_listings), (0, 0), "{again:?}");
    assert!(again.ranges >= 32, "{again:?}");
    // Full pages of 50 hold the 10,240 entries, plus one short page per
    // range at most. How many ranges work-stealing cuts depends on the
    // machine's speed, so the bound counts the ranges this run had.
    assert!(again.pages <= 205 + again.ranges, "{again:?}");
}

#[test]
fn a_skewed_bucket_spreads_over_many_ranges() {
    // 90% of the keys under one prefix: cuts spread it anyway.
    let mut keys: Vec<(String, u32)> = (0..9000).map(|i| (format!("big/{i:06}"), 1)).collect();
    keys.extend((0..1000).map(|i| (format!("s{:02}/{i:04}", i % 31), 1)));
    let (got, want, tally) = list_all(Memory::new(&keys, "", 20), 8);
    assert_eq!(got, want);
    assert!(tally.ranges >= 8, "{tally:?}");
    assert!(
        tally.probes + tally.folder_listings <= tally.pages / 10,
        "{tally:?}"
    );
}

#[test]
fn a_flat_bucket_is_cut_by_ladder_and_cuts() {
    let keys: Vec<(String, u32)> = (0..20_000).map(|i| (format!("{i:08}"), 1)).collect();
    let (got, want, tally) = list_all(Memory::new(&keys, "", 50), 16);
    assert_eq!(got, want);
    assert!(tally.ranges >= 16, "{tally:?}");
    assert!(tally.probes >= 1, "an open range was laddered: {tally:?}");
}

#[test]
fn the_ladder_reads_boundaries_and_the_top() {
    let found = vec![
        ("00001".to_string(), Some("00001000".to_string())),
        ("00001:".to_string(), Some("00001000".to_string())),
        ("0001".to_string(), Some("00010000".to_string())),
        ("001".to_string(), Some("00100000".to_string())),
        ("01".to_string(), None),
        ("1".to_string(), None),
    ];
    let (cuts, top) = read_ladder(&found);
    assert_eq!(cuts, ["00001:", "0001", "001"]);
    assert_eq!(top.as_deref(), Some("01"));
}

#[test]
fn cuts_never_move_below_what_a_range_accepted() {
    let mut b = Board::new("", &[]);
    let key_of: fn(&Entry) -> &str = |e| &e.0;
    b.next_waiting();
    let (kept, done) = b.accept(0, vec![("a".into(), 0), ("m".into(), 0)], true, key_of);
    assert_eq!((kept.len(), done), (2, false));
    // "c" is below what range 0 already accepted: dropped; "q" and "x" cut.
    assert_eq!(b.cut_at(0, &["c".into(), "q".into(), "x".into()], None), 2);
    assert_eq!(b.ranges[0].hi.as_deref(), Some("q"));
    assert_eq!(b.ranges[1].lo.as_deref(), Some("q"));
    assert_eq!(b.ranges[1].hi.as_deref(), Some("x"));
    assert_eq!(b.ranges[2].hi, None);
    // A page reaching past the new end keeps only its share, and ends the range.
    let (kept, done) = b.accept(0, vec![("p".into(), 0), ("r".into(), 0)], true, key_of);
    assert_eq!((kept, done), (vec![("p".to_string(), 0)], true));
}

#[test]
fn a_ladder_bounds_an_open_range_at_its_top() {
    let mut b = Board::new("", &[]);
    let key_of: fn(&Entry) -> &str = |e| &e.0;
    b.next_waiting();
    b.accept(
        0,
        vec![
            ("logs/2025/12/20/a".into(), 0),
            ("logs/2025/12/29/b".into(), 0),
        ],
        true,
        key_of,
    );
    let found = vec![
        (
            "logs/2025/12/2:".to_string(),
            Some("logs/2025/12/30/a".to_string()),
        ),
        (
            "logs/2025/12/3".to_string(),
            Some("logs/2025/12/30/a".to_string()),
        ),
        ("logs/2025/13".to_string(), None),
        ("m".to_string(), None),
    ];
    let (cuts, top) = read_ladder(&found);
    assert_eq!(b.cut_at(0, &cuts, top), 1);
    assert_eq!(b.ranges[0].hi.as_deref(), Some("logs/2025/12/3"));
    assert_eq!(
        b.ranges[1].hi.as_deref(),
        Some("logs/2025/13"),
        "{:?}",
        b.ranges
    );
}

#[test]
fn a_range_is_done_once_its_listing_ended_and_its_entries_are_settled() {
    let spans = Start::seeded(&["m".to_string()]).spans;
    let mut b = Board::new("", &spans);
    let key_of: fn(&Entry) -> &str = |e| &e.0;
    assert_eq!(b.open_spans(10).len(), 2, "nothing listed yet: both open");
    b.next_waiting();
    b.next_waiting();
    // The first range lists to its end; its entries are not settled yet.
    let (_, done) = b.accept(0, vec![("a".into(), 0), ("c".into(), 1)], false, key_of);
    assert!(done);
    b.accept(1, vec![("p".into(), 0)], true, key_of);
    assert_eq!(b.open_spans(10).len(), 2);
    assert_eq!(b.settle(["a", "c"]), 2);
    assert_eq!(
        b.open_spans(10),
        [Span {
            lo: Some("m".into()),
            hi: None
        }],
        "the first range is done"
    );
    // Past the cap, neighbours merge (over what is done between them).
    let seeds: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    let b = Board::new("", &Start::seeded(&seeds).spans);
    let open = b.open_spans(4);
    assert!(open.len() <= 4, "{open:?}");
    assert_eq!(
        (open[0].lo.clone(), open.last().unwrap().hi.clone()),
        (None, None)
    );
}

#[test]
fn a_lead_holds_the_listing_until_entries_are_settled() {
    let keys: Vec<(String, u32)> = (0..20_000).map(|i| (format!("{i:06}"), 1)).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let source = Memory::new(&keys, "", 1000);
        let start = Start {
            spans: Vec::new(),
            lead: Some(3000),
        };
        let (mut pages, stats) = list_ranges(Arc::new(source), 8, start);
        let mut held: Vec<Entry> = Vec::new();
        // Take pages without settling: the listing stops at the lead.
        while held.len() < 3000 {
            held.extend(pages.next().await.unwrap().unwrap());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let more = tokio::time::timeout(std::time::Duration::from_millis(100), pages.next()).await;
        assert!(
            more.is_err(),
            "no page past the lead while nothing is settled"
        );
        // Settling lets it go on, to the end.
        stats.settled(held.iter().map(|e| e.0.as_str()));
        let mut n = held.len();
        while let Some(p) = pages.next().await {
            let p = p.unwrap();
            n += p.len();
            stats.settled(p.iter().map(|e| e.0.as_str()));
        }
        assert_eq!(n, 20_000);
        assert!(stats.open_spans().is_empty(), "{:?}", stats.open_spans());
    });
}
