//! What the user asks a run to do: delete a bucket, clear categories, or clear
//! some of a vector bucket's indexes; and what each clears in a bucket of a kind.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::blockers::Category;
use crate::vocab::{BucketKind, Target};

/// What the user asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Empty the bucket completely, then delete it.
    DeleteBucket,
    /// Clear these categories; the bucket stays.
    Clear { categories: BTreeSet<Category> },
    /// Delete these items of one category, one at a time: access points,
    /// LiveChannels, uploads, a vector bucket's indexes (with their vectors).
    /// The bucket and the category's other items stay.
    ClearItems {
        category: Category,
        items: BTreeSet<Target>,
    },
}

impl Action {
    /// Empty what a bucket stores (objects, versions, markers, uploads) and keep
    /// the bucket with its attachments: the alternative when it cannot be deleted.
    pub fn empty_only() -> Action {
        Action::clear(Category::DATA)
    }

    /// Every category ossweep can clear in a bucket of this kind, attachments
    /// included; the bucket stays.
    pub fn clear_all(kind: BucketKind) -> Action {
        Action::clear(kind.clearable())
    }

    /// These indexes of a vector bucket.
    pub fn clear_indexes(names: impl IntoIterator<Item = impl AsRef<str>>) -> Action {
        Action::clear_items(
            Category::VectorIndexes,
            names.into_iter().map(|n| Target::named(n.as_ref())),
        )
    }

    /// These items of one category.
    pub fn clear_items(category: Category, items: impl IntoIterator<Item = Target>) -> Action {
        Action::ClearItems {
            category,
            items: items.into_iter().collect(),
        }
    }

    pub fn clear(categories: impl IntoIterator<Item = Category>) -> Action {
        Action::Clear {
            categories: categories.into_iter().collect(),
        }
    }

    /// The categories the action clears in a bucket of this kind.
    pub fn scope(&self, kind: BucketKind) -> BTreeSet<Category> {
        match self {
            Action::DeleteBucket => kind.clearable().collect(),
            Action::Clear { categories } => categories.clone(),
            Action::ClearItems { category, .. } => [*category].into(),
        }
    }

    /// The items the action names, when it names some (`None`: all in scope).
    pub fn items(&self) -> Option<&BTreeSet<Target>> {
        match self {
            Action::ClearItems { items, .. } => Some(items),
            _ => None,
        }
    }

    pub fn deletes_bucket(&self) -> bool {
        matches!(self, Action::DeleteBucket)
    }

    /// The run's title, naming what was confirmed: `Deleting B`, `Emptying
    /// B (the bucket stays)`, `Clearing delete markers of B (the bucket
    /// stays)`, `Deleting index faq of B`.
    pub fn title(&self, bucket: &str, kind: BucketKind) -> String {
        let stays = format!("(the {} stays)", kind.noun());
        match self {
            Action::DeleteBucket => format!("Deleting {bucket}"),
            Action::Clear { categories } if Self::empties(categories) => {
                format!("Emptying {bucket} {stays}")
            }
            Action::Clear { .. } => format!("Clearing {} of {bucket} {stays}", self.what()),
            Action::ClearItems { .. } => format!("Deleting {} of {bucket}", self.what()),
        }
    }

    /// What was asked, for a report: `delete the bucket`, `empty it; the
    /// bucket stays`, `clear delete markers; the bucket stays`, `delete index faq`.
    pub fn asked(&self, kind: BucketKind) -> String {
        let stays = format!("the {} stays", kind.noun());
        match self {
            Action::DeleteBucket => format!("delete the {}", kind.noun()),
            Action::Clear { categories } if Self::empties(categories) => {
                format!("empty it; {stays}")
            }
            Action::Clear { .. } => format!("clear {}; {stays}", self.what()),
            Action::ClearItems { .. } => format!("delete {}", self.what()),
        }
    }

    fn empties(categories: &BTreeSet<Category>) -> bool {
        Category::DATA.iter().all(|c| categories.contains(c))
    }

    /// The categories cleared, or the items deleted, in words.
    fn what(&self) -> String {
        match self {
            Action::DeleteBucket => String::new(),
            Action::Clear { categories } => categories
                .iter()
                .map(|c| c.noun())
                .collect::<Vec<_>>()
                .join(", "),
            Action::ClearItems { category, items } => match items.iter().next() {
                Some(one) if items.len() == 1 => {
                    format!(
                        "{} {}",
                        category.facts().short,
                        crate::text::visible(&one.name)
                    )
                }
                _ => category.counted(items.len() as u64),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_action_confirmed() {
        let object = BucketKind::Object;
        assert_eq!(Action::DeleteBucket.title("b", object), "Deleting b");
        assert_eq!(
            Action::empty_only().title("b", object),
            "Emptying b (the bucket stays)"
        );
        assert_eq!(
            Action::clear([Category::DeleteMarkers]).title("b", object),
            "Clearing delete markers of b (the bucket stays)"
        );
        assert_eq!(
            Action::clear_indexes(["faq"]).title("v", BucketKind::Vector),
            "Deleting index faq of v"
        );
        assert_eq!(
            Action::clear_items(
                Category::AccessPoints,
                [Target::named("ap-1"), Target::named("ap-2")]
            )
            .asked(object),
            "delete 2 access points"
        );
        assert_eq!(
            Action::empty_only().asked(object),
            "empty it; the bucket stays"
        );
        assert_eq!(Action::DeleteBucket.asked(object), "delete the bucket");
    }
}
