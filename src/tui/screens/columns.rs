//! Table columns sized to their content (pure): each column as wide as its
//! widest cell, and when the table is wider than the screen, the columns
//! that can give way shrink (in a given order, down to a minimum), their
//! cells cut with `…`.

/// One column: its widest cell, the least it may shrink to, and whether it
/// gives way when space runs out (in the order of `fit`'s `order`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub natural: u16,
    pub min: u16,
}

/// Widths for `columns` in `total` cells, with `gap` cells between columns:
/// natural widths when they fit; otherwise the columns named in `order`
/// shrink, one after another, each down to its minimum.
pub fn fit(columns: &[Column], total: u16, gap: u16, order: &[usize]) -> Vec<u16> {
    let mut widths: Vec<u16> = columns.iter().map(|c| c.natural.max(c.min)).collect();
    let gaps = gap * columns.len().saturating_sub(1) as u16;
    let mut over = (widths.iter().sum::<u16>() + gaps).saturating_sub(total);
    for &i in order {
        if over == 0 {
            break;
        }
        let give = widths[i].saturating_sub(columns[i].min).min(over);
        widths[i] -= give;
        over -= give;
    }
    widths
}

/// How a column gives way when the table is too wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Give {
    /// Down to its minimum (its cells cut with `…`).
    Shrink(usize),
    /// Left out (width 0: `draw_list` leaves it and its gap out).
    Drop(usize),
}

/// Like `fit`, with columns that shrink or go, in the order of `steps`,
/// until the table fits: a name keeps its room before a column of detail.
pub fn fit_giving(columns: &[Column], total: u16, gap: u16, steps: &[Give]) -> Vec<u16> {
    let mut widths: Vec<u16> = columns.iter().map(|c| c.natural.max(c.min)).collect();
    let used = |w: &[u16]| {
        let shown = w.iter().filter(|w| **w > 0).count() as u16;
        w.iter().sum::<u16>() + gap * shown.saturating_sub(1)
    };
    for step in steps {
        let over = used(&widths).saturating_sub(total);
        if over == 0 {
            break;
        }
        match *step {
            Give::Shrink(i) => widths[i] -= widths[i].saturating_sub(columns[i].min).min(over),
            Give::Drop(i) => widths[i] = 0,
        }
    }
    widths
}

/// `text` in at most `width` cells: cut with `…` when longer.
pub fn ellipsize(text: &str, width: u16) -> String {
    let width = usize::from(width);
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `text` in `width` characters, cut in the middle with `…`: names that share
/// a start (`acme-logs-2024-eu`, `acme-logs-2024-us`) keep the end that
/// tells them apart.
pub fn ellipsize_middle(text: &str, width: u16) -> String {
    let width = usize::from(width);
    let n = text.chars().count();
    if n <= width {
        return text.to_string();
    }
    if width < 3 {
        return ellipsize(text, width as u16);
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut out: String = text.chars().take(head).collect();
    out.push('…');
    out.extend(text.chars().skip(n - tail));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_cut_in_the_middle_and_keeps_its_end() {
        assert_eq!(ellipsize_middle("acme-logs-2024-eu", 9), "acme…4-eu");
        assert_eq!(ellipsize_middle("acme-logs-2024-us", 9), "acme…4-us");
        assert_eq!(ellipsize_middle("short", 9), "short");
        assert_eq!(ellipsize_middle("abcdef", 2), "a…");
    }

    #[test]
    fn columns_keep_their_content_width_when_it_fits() {
        let cols = [
            Column {
                natural: 24,
                min: 10,
            },
            Column {
                natural: 14,
                min: 6,
            },
            Column {
                natural: 10,
                min: 10,
            },
        ];
        assert_eq!(fit(&cols, 100, 1, &[0, 1]), [24, 14, 10]);
    }

    #[test]
    fn the_columns_that_can_give_way_shrink_in_order() {
        let cols = [
            Column {
                natural: 24,
                min: 10,
            },
            Column {
                natural: 14,
                min: 6,
            },
            Column {
                natural: 10,
                min: 10,
            },
        ];
        // 50 needed (48 + 2 gaps), 40 there: the first gives 10.
        assert_eq!(fit(&cols, 40, 1, &[0, 1]), [14, 14, 10]);
        // 30 there: the first down to its minimum, then the second.
        assert_eq!(fit(&cols, 30, 1, &[0, 1]), [10, 8, 10]);
        // Never below the minimums.
        assert_eq!(fit(&cols, 5, 1, &[0, 1]), [10, 6, 10]);
    }

    #[test]
    fn detail_columns_go_before_the_name_is_cut() {
        let col = |natural, min| Column { natural, min };
        // name 30, class 8, versioning 9: 49 with gaps.
        let cols = [col(30, 12), col(8, 5), col(9, 5)];
        let steps = [
            Give::Shrink(2),
            Give::Drop(1),
            Give::Drop(2),
            Give::Shrink(0),
        ];
        assert_eq!(fit_giving(&cols, 60, 1, &steps), [30, 8, 9]);
        // 45 there: shrinking versioning is enough.
        assert_eq!(fit_giving(&cols, 45, 1, &steps), [30, 8, 5]);
        // 38: class goes (and its gap), the name stays whole.
        assert_eq!(fit_giving(&cols, 38, 1, &steps), [30, 0, 5]);
        // 31: both go; 25: then the name is cut.
        assert_eq!(fit_giving(&cols, 31, 1, &steps), [30, 0, 0]);
        assert_eq!(fit_giving(&cols, 25, 1, &steps), [25, 0, 0]);
    }

    #[test]
    fn long_cells_are_cut_with_an_ellipsis() {
        assert_eq!(ellipsize("acme-compliance-archive", 12), "acme-compli…");
        assert_eq!(ellipsize("cn-hangzhou", 11), "cn-hangzhou");
        assert_eq!(ellipsize("日本語のバケット", 4), "日本語…");
        assert_eq!(ellipsize("x", 0), "");
    }
}
