//! Failures grouped by kind: 923 keys refused with the same AccessDenied are
//! one line (the count, the code, the message naming the permission needed,
//! one example key), not 923. The summary and the progress display group
//! them the same way; the report file keeps every failed key.

use serde::Serialize;

use crate::blockers::Category;

/// Failures of one category with one error code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailureGroup {
    pub category: Category,
    pub code: String,
    pub count: u64,
    /// The first failure's message (an AccessDenied names the permission).
    pub message: String,
    /// The first failed key (or name), when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// Distinct groups kept: codes come from the server, so their number is
/// bounded here; failures past it still count in the totals.
pub const MAX_GROUPS: usize = 50;

/// Counts `count` failures into their group (a new one while there is room).
pub fn add(
    groups: &mut Vec<FailureGroup>,
    category: Category,
    code: &str,
    message: &str,
    example: Option<&str>,
    count: u64,
) {
    if let Some(g) = groups
        .iter_mut()
        .find(|g| g.category == category && g.code == code)
    {
        g.count += count;
        if g.example.is_none() {
            g.example = example.map(str::to_string);
        }
    } else if groups.len() < MAX_GROUPS {
        groups.push(FailureGroup {
            category,
            code: code.to_string(),
            count,
            message: message.to_string(),
            example: example.map(str::to_string),
        });
    }
}

impl FailureGroup {
    /// `923 current objects: AccessDenied: ... (needs oss:DeleteObject) (e.g. "logs/a")`,
    /// server text made printable.
    pub fn line(&self) -> String {
        let example = self
            .example
            .as_deref()
            .map(|e| format!(" (e.g. {:?})", crate::text::visible(e)))
            .unwrap_or_default();
        format!(
            "{}: {}: {}{example}",
            self.category.counted(self.count),
            crate::text::visible(&self.code),
            crate::text::visible(&self.message)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_code_in_one_category_is_one_group_with_its_first_example() {
        let mut g = Vec::new();
        for i in 0..923 {
            let key = format!("logs/{i}");
            add(
                &mut g,
                Category::Objects,
                "AccessDenied",
                "denied (needs oss:DeleteObject)",
                Some(&key),
                1,
            );
        }
        add(
            &mut g,
            Category::Objects,
            "NotDeleted",
            "not reported deleted",
            Some("a"),
            2,
        );
        add(
            &mut g,
            Category::PreviousVersions,
            "AccessDenied",
            "denied",
            None,
            5,
        );
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].count, 923);
        assert_eq!(
            g[0].line(),
            "923 current objects: AccessDenied: denied (needs oss:DeleteObject) (e.g. \"logs/0\")"
        );
        assert_eq!(g[2].line(), "5 previous versions: AccessDenied: denied");
    }

    #[test]
    fn groups_are_bounded_whatever_codes_the_server_sends() {
        let mut g = Vec::new();
        for i in 0..500 {
            add(&mut g, Category::Objects, &format!("Code{i}"), "m", None, 1);
        }
        assert_eq!(g.len(), MAX_GROUPS);
        // A known group still counts.
        add(&mut g, Category::Objects, "Code0", "m", None, 4);
        assert_eq!(g[0].count, 5);
    }
}
