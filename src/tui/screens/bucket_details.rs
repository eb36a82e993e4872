//! The details panel beside the bucket list on a wide terminal: everything
//! the list knows about the selected bucket, without opening it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::bucket_list::{BucketRow, Details};
use crate::oss::model::ClassStat;
use crate::oss::time;
use crate::text::visible;
use crate::tui::theme::Theme;
use crate::units::{bytes, count};

/// A terminal at least this wide shows the panel.
pub const MIN_TERMINAL_WIDTH: u16 = 140;
/// The panel's width.
pub const WIDTH: u16 = 44;

/// The panel's lines: (label, value) pairs, and headings.
pub fn lines(
    row: &BucketRow,
    marked: bool,
    book: &crate::money::PriceBook,
) -> Vec<(String, String)> {
    let s = &row.summary;
    let mut out: Vec<(String, String)> = vec![
        ("name".into(), visible(&s.name).into_owned()),
        ("region".into(), visible(&s.region).into_owned()),
        (
            "created".into(),
            s.creation_date.map(time::date_only).unwrap_or_default(),
        ),
        ("class".into(), visible(&s.storage_class).into_owned()),
    ];
    if let Some(e) = &s.extranet_endpoint {
        out.push(("endpoint".into(), visible(e).into_owned()));
    }
    if let Some(g) = &s.resource_group_id {
        out.push(("group".into(), visible(g).into_owned()));
    }
    match &row.details {
        Details::Loading => out.push(("".into(), "loading statistics...".into())),
        Details::Failed(e) => out.push(("details".into(), visible(e).into_owned())),
        Details::Loaded { stat, versioning } => {
            out.push(("versioning".into(), versioning.as_str().into()));
            if let Some([objects, versions]) = &row.scanned {
                out.push(("".into(), "scanned (exact):".into()));
                out.push(("objects".into(), objects.clone()));
                out.push(("versions".into(), versions.clone()));
            }
            match stat {
                None => out.push(("statistics".into(), "not available".into())),
                Some(st) => {
                    out.push(("".into(), "OSS statistics (lag up to 1 h):".into()));
                    out.push(("size".into(), bytes(st.storage)));
                    let [objects, versions] = crate::scan::report::object_cells(st, *versioning);
                    out.push(("objects".into(), objects));
                    if versions != "-" {
                        out.push(("versions".into(), versions));
                    }
                    out.push(("markers".into(), count(st.delete_marker_count)));
                    out.push((
                        "uploads".into(),
                        format!(
                            "{} ({})",
                            count(st.multipart_upload_count),
                            bytes(st.multipart_part_storage)
                        ),
                    ));
                    out.push(("LiveChannels".into(), count(st.live_channel_count)));
                    for (name, c) in [
                        ("Standard", &st.standard),
                        ("IA", &st.infrequent_access),
                        ("Archive", &st.archive),
                        ("Cold Archive", &st.cold_archive),
                        ("Deep Cold", &st.deep_cold_archive),
                    ] {
                        if let ClassStat {
                            storage,
                            object_count: n @ 1..,
                        } = c
                        {
                            out.push((
                                name.into(),
                                format!("{} in {}", bytes(*storage), count(*n)),
                            ));
                        }
                    }
                    if let Some(t) = st.last_modified_time {
                        out.push(("updated".into(), time::date_only(t)));
                    }
                    if let Some(m) = row.monthly(book) {
                        let p = book.for_bucket(&s.region, None);
                        out.push(("a month".into(), m.text()));
                        out.push((
                            "".into(),
                            format!(
                                "storage at list prices as of {}, {} site, LRS assumed",
                                m.prices_as_of, p.site
                            ),
                        ));
                    }
                }
            }
        }
    }
    if marked {
        out.push(("".into(), "marked for deletion (D)".into()));
    }
    out
}

pub fn render(
    row: Option<(&BucketRow, bool)>,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    book: &crate::money::PriceBook,
) {
    let block = Block::default()
        .borders(Borders::LEFT | Borders::TOP)
        .title(" Details ");
    let Some((row, marked)) = row else {
        Paragraph::new(" No bucket selected.")
            .block(block)
            .render(area, buf);
        return;
    };
    let room = area.width.saturating_sub(2);
    let text: Vec<Line> = lines(row, marked, book)
        .into_iter()
        .map(|(label, value)| {
            let line = if label.is_empty() {
                Line::from(Span::styled(format!(" {value}"), theme.muted))
            } else {
                Line::from(vec![
                    Span::styled(format!(" {label:<12} "), theme.muted),
                    Span::raw(value),
                ])
            };
            super::cut(line, room)
        })
        .collect();
    Paragraph::new(text).block(block).render(area, buf);
}
