//! A batch whose reply was lost (cut, garbled, or the connection dropped after
//! the server acted) may have been carried out. Before any of its keys is
//! reported failed, a listing of the batch's key range says which are gone.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Ctx;
use crate::oss::OssError;

/// Pages a re-check of one run of keys may read before it gives up (normally
/// one: a run is at most one listing page).
const MAX_PAGES: usize = 20;

/// The greatest string ossweep can name that sorts before `key`: listing after
/// it includes `key` itself.
fn before(key: &str) -> String {
    let mut chars = key.chars();
    chars.next_back();
    chars.as_str().to_string()
}

/// Splits `ids` (key, version, run) into (gone, still there), by listing each
/// run of keys (the keys of one listing page: contiguous in key order) from
/// its first key to its last.
pub async fn split_gone(
    ctx: &Ctx,
    ids: &[(String, Option<String>, u64)],
) -> Result<(Vec<usize>, Vec<usize>), OssError> {
    let mut runs: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        runs.entry(id.2).or_default().push(i);
    }
    let mut present: HashSet<usize> = HashSet::new();
    for members in runs.values() {
        present.extend(present_in_run(ctx, ids, members).await?);
    }
    let (still, gone): (Vec<usize>, Vec<usize>) = (0..ids.len()).partition(|i| present.contains(i));
    Ok((gone, still))
}

/// Which of `members` (indexes into `ids`, one run of keys) a listing shows.
async fn present_in_run(
    ctx: &Ctx,
    ids: &[(String, Option<String>, u64)],
    members: &[usize],
) -> Result<Vec<usize>, OssError> {
    let (Some(first), Some(last)) = (
        members.iter().map(|i| &ids[*i].0).min(),
        members.iter().map(|i| &ids[*i].0).max(),
    ) else {
        return Ok(Vec::new());
    };
    let versioned = ctx.versioning.is_versioned();
    let wanted: HashMap<(&str, Option<&str>), usize> = members
        .iter()
        .map(|i| ((ids[*i].0.as_str(), ids[*i].1.as_deref()), *i))
        .collect();
    let mut present = Vec::new();
    let mut marker = (before(first), None);
    for _ in 0..MAX_PAGES {
        let (entries, next) = ctx
            .client
            .entries_after(ctx.bucket(), ctx.plan.prefix.as_deref(), &marker, versioned)
            .await?;
        let mut past = false;
        for e in entries {
            if e.key > *last {
                past = true;
                break;
            }
            let version = versioned.then_some(e.version_id.as_str());
            if let Some(i) = wanted.get(&(e.key.as_str(), version)) {
                present.push(*i);
            }
        }
        match next {
            Some(n) if !past => marker = n,
            _ => return Ok(present),
        }
    }
    Err(OssError::InvalidInput(format!(
        "re-checking a batch whose reply was lost took more than {MAX_PAGES} listing pages"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_after_the_predecessor_includes_the_key() {
        assert_eq!(before("a/001"), "a/00");
        assert!(before("a/001").as_str() < "a/001");
        assert_eq!(before("z"), "");
        assert_eq!(before("日本"), "日");
    }
}
