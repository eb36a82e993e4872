//! Delete markers that hide an object. Only a delete marker that is the latest
//! version of its key, with a version that is not a marker right below it,
//! hides an object: deleting that marker makes the version below current, and
//! the object readable again. A latest marker with nothing below it, or with
//! another marker below it, restores nothing. Counted key by key from the
//! listing (pure), as its pages come: a key's versions come newest first and
//! may go on in the next page of the same range, so a marker at the end of a
//! page waits (one key per range, at most) for the page that goes on.

use std::collections::HashSet;

use serde::Serialize;

use crate::oss::model::ObjectVersion;

/// The objects the latest delete markers hide: what clearing the markers
/// alone would make readable again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hidden {
    pub objects: u64,
    pub bytes: u64,
    /// Keys whose latest marker ended a page: the next page decides.
    #[serde(skip)]
    pending: HashSet<String>,
}

impl Hidden {
    /// Reads one page of a versioned listing (only entries in scope).
    pub fn page(&mut self, entries: &[&ObjectVersion]) {
        let mut i = 0;
        while i < entries.len() {
            let key = &entries[i].key;
            let end = entries[i..]
                .iter()
                .position(|v| v.key != *key)
                .map_or(entries.len(), |n| i + n);
            let run = &entries[i..end];
            let below = if run[0].is_latest && run[0].is_delete_marker {
                Some(run.get(1))
            } else if !run[0].is_latest && self.pending.remove(key) {
                // The page before ended on this key's latest marker.
                Some(run.first())
            } else {
                None
            };
            match below {
                Some(Some(v)) if !v.is_delete_marker => {
                    self.objects += 1;
                    self.bytes += v.size;
                }
                // Nothing below on this page: the next one may go on.
                Some(None) if end == entries.len() => {
                    self.pending.insert(key.clone());
                }
                _ => {}
            }
            i = end;
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
            // A marker over a marker restores nothing.
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
        assert_eq!((h.objects, h.bytes), (1, 10));
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
            h.objects, 0,
            "a marker below the latest one: nothing restored"
        );
    }
}
