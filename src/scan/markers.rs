//! What comes up when a key's latest entries go: a versioned bucket's
//! categories shift when some of them are cleared and not all.
//! - Clearing the delete markers (with or without the current objects) makes
//!   the newest version below a latest marker current: the object is
//!   readable again. A latest marker with no version below restores nothing.
//! - Deleting the current objects alone makes the entry right below each one
//!   latest: a version is promoted to current; a marker leaves the key hidden.
//! - Deleting the current objects and the markers makes the newest version
//!   below each current one current.
//!
//! Counted key by key from the listing (pure), as its pages come: a key's
//! versions come newest first and may go on in the next page of the same
//! range, so a key that ends a page undecided waits (one key per range, at
//! most) for the page that goes on. A count is made the moment it is
//! decided, so a key whose continuation never comes counts nothing more.

use std::collections::HashMap;

use serde::Serialize;

use crate::oss::model::ObjectVersion;

/// Objects a partial clear makes current, counted from the scan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hidden {
    /// Latest markers with a version somewhere below: readable again when
    /// the markers go (the newest version's bytes).
    pub objects: u64,
    pub bytes: u64,
    /// Current objects with a version right below: promoted when the
    /// current versions alone go.
    #[serde(default)]
    pub promoted: u64,
    #[serde(default)]
    pub promoted_bytes: u64,
    /// Current objects with a version somewhere below: promoted when the
    /// current versions and the markers go.
    #[serde(default)]
    pub promoted_past_markers: u64,
    #[serde(default)]
    pub promoted_past_markers_bytes: u64,
    /// Keys whose entries ended a page undecided: the next page goes on.
    #[serde(skip)]
    pending: HashMap<String, Below>,
}

/// What is known of one key below its latest entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Below {
    latest_marker: bool,
    /// Whether the entry right below is known yet.
    next_seen: bool,
    /// Whether a version below has been seen.
    version_seen: bool,
}

impl Below {
    fn decided(&self) -> bool {
        self.next_seen && self.version_seen
    }
}

impl Hidden {
    /// Reads one page of a versioned listing (only entries in scope).
    pub fn page(&mut self, entries: &[&ObjectVersion]) {
        let mut current: Option<(String, Below)> = None;
        for v in entries {
            if v.is_latest {
                current = Some((
                    v.key.clone(),
                    Below {
                        latest_marker: v.is_delete_marker,
                        next_seen: false,
                        version_seen: false,
                    },
                ));
                continue;
            }
            match &mut current {
                Some((key, below)) if *key == v.key => self.below(below, v),
                _ => {
                    // The page before ended on this key: go on with it.
                    if let Some(mut below) = self.pending.remove(&v.key) {
                        self.below(&mut below, v);
                        current = Some((v.key.clone(), below));
                    }
                }
            }
        }
        if let Some((key, below)) = current {
            if !below.decided() {
                self.pending.insert(key, below);
            }
        }
    }

    /// An entry below a key's latest one.
    fn below(&mut self, b: &mut Below, v: &ObjectVersion) {
        let version = !v.is_delete_marker;
        if !b.next_seen {
            b.next_seen = true;
            if version && !b.latest_marker {
                self.promoted += 1;
                self.promoted_bytes += v.size;
            }
        }
        if version && !b.version_seen {
            b.version_seen = true;
            if b.latest_marker {
                self.objects += 1;
                self.bytes += v.size;
            } else {
                self.promoted_past_markers += 1;
                self.promoted_past_markers_bytes += v.size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(key: &str, latest: bool, marker: bool, size: u64) -> ObjectVersion {
        ObjectVersion {
            key: key.into(),
            version_id: format!("{key}-{latest}-{marker}"),
            is_latest: latest,
            is_delete_marker: marker,
            size,
            storage_class: "Standard".into(),
            last_modified: None,
            transition_time: None,
        }
    }

    fn read(pages: &[Vec<ObjectVersion>]) -> Hidden {
        let mut h = Hidden::default();
        for p in pages {
            h.page(&p.iter().collect::<Vec<_>>());
        }
        h
    }

    #[test]
    fn only_a_latest_marker_over_a_version_hides_an_object() {
        let h = read(&[vec![
            // Hidden: marker on top of a version.
            v("a", true, true, 0),
            v("a", false, false, 10),
            v("a", false, false, 5),
            // A marker over a marker: all markers go, the version comes up.
            v("b", true, true, 0),
            v("b", false, true, 0),
            v("b", false, false, 7),
            // A lone marker restores nothing.
            v("c", true, true, 0),
            // A live object with an old marker below: nothing hidden.
            v("d", true, false, 3),
            v("d", false, true, 0),
            v("d", false, false, 4),
        ]]);
        assert_eq!((h.objects, h.bytes), (2, 17));
        assert_eq!(
            (h.promoted, h.promoted_past_markers),
            (0, 1),
            "d: a marker right below"
        );
    }

    #[test]
    fn a_marker_that_ends_a_page_is_decided_by_the_page_that_goes_on() {
        let h = read(&[
            vec![v("a", false, false, 1), v("k", true, true, 0)],
            vec![v("k", false, false, 42), v("z", true, true, 0)],
            vec![v("zz", true, false, 1)],
        ]);
        assert_eq!(
            (h.objects, h.bytes),
            (1, 42),
            "k is hidden; z has nothing below"
        );
        // A page of another range in between changes nothing.
        let h = read(&[
            vec![v("k", true, true, 0)],
            vec![v("m", true, false, 1)],
            vec![v("k", false, true, 0), v("k", false, false, 9)],
        ]);
        assert_eq!(
            (h.objects, h.bytes),
            (1, 9),
            "markers below the latest one go too: the version comes up"
        );
    }

    #[test]
    fn a_current_object_over_a_version_would_have_it_promoted() {
        let h = read(&[
            vec![
                // Promoted: a version right below the current one.
                v("a", true, false, 3),
                v("a", false, false, 10),
                // A marker right below: the key ends hidden, nothing current.
                v("b", true, false, 3),
                v("b", false, true, 0),
                v("b", false, false, 7),
                // A lone current version: gone.
                v("c", true, false, 1),
                v("k", true, false, 2),
            ],
            vec![v("k", false, false, 40)],
        ]);
        assert_eq!((h.promoted, h.promoted_bytes), (2, 50));
        // Past b's marker, its version 7 comes up when the markers go too.
        assert_eq!(
            (h.promoted_past_markers, h.promoted_past_markers_bytes),
            (3, 57)
        );
        assert_eq!(h.objects, 0);
    }
}
