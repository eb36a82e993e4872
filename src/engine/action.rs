//! What the user asks a run to do: delete a bucket, clear categories, or clear
//! some of a vector bucket's indexes; and what each clears in a bucket of a kind.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::vocab::{BucketKind, Category, Target};

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
}
