//! A batch whose reply was lost (cut, garbled, or the connection dropped after
//! the server acted) may have been carried out. Before any of its keys is
//! reported failed, a listing of the batch's key range says which are gone.

use std::collections::HashSet;

use super::Ctx;
use crate::oss::OssError;

/// Pages a re-check may read before it gives up (the range of one batch is
/// normally one or two pages).
const MAX_PAGES: usize = 20;

/// The greatest string ossweep can name that sorts before `key`: listing after
/// it includes `key` itself.
fn before(key: &str) -> String {
    let mut chars = key.chars();
    chars.next_back();
    chars.as_str().to_string()
}

/// Splits `ids` (key, version) into (gone, still there), by listing the range
/// from the first key to the last. `ids` come from one batch, in listing order.
pub async fn split_gone(
    ctx: &Ctx,
    ids: &[(String, Option<String>)],
) -> Result<(Vec<usize>, Vec<usize>), OssError> {
    let (Some(first), Some(last)) = (
        ids.iter().map(|i| &i.0).min(),
        ids.iter().map(|i| &i.0).max(),
    ) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let versioned = ctx.versioning.is_versioned();
    let mut present: HashSet<(String, Option<String>)> = HashSet::new();
    let wanted: HashSet<&(String, Option<String>)> = ids.iter().collect();
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
            let id = (e.key, versioned.then_some(e.version_id));
            if wanted.contains(&id) {
                present.insert(id);
            }
        }
        match next {
            Some(n) if !past => marker = n,
            _ => {
                let (still, gone): (Vec<usize>, Vec<usize>) =
                    (0..ids.len()).partition(|i| present.contains(&ids[*i]));
                return Ok((gone, still));
            }
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
