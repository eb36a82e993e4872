//! Styles. `NO_COLOR` (any value) drops colours and keeps emphasis.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub base: Style,
    pub title: Style,
    pub selected: Style,
    pub muted: Style,
    pub danger: Style,
    pub warn: Style,
    pub ok: Style,
    pub key: Style,
}

impl Theme {
    pub fn from_env() -> Self {
        if std::env::var_os("NO_COLOR").is_some() {
            Self::plain()
        } else {
            Self::colour()
        }
    }

    pub fn colour() -> Self {
        Theme {
            base: Style::default(),
            title: Style::default().add_modifier(Modifier::BOLD),
            selected: Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            muted: Style::default().fg(Color::DarkGray),
            danger: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: Style::default().fg(Color::Yellow),
            ok: Style::default().fg(Color::Green),
            key: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn plain() -> Self {
        Theme {
            base: Style::default(),
            title: Style::default().add_modifier(Modifier::BOLD),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            muted: Style::default(),
            danger: Style::default().add_modifier(Modifier::BOLD),
            warn: Style::default(),
            ok: Style::default(),
            key: Style::default().add_modifier(Modifier::BOLD),
        }
    }

    /// The style of a risk of this severity.
    pub fn severity(&self, s: crate::scan::risk::Severity) -> Style {
        use crate::scan::risk::Severity;
        match s {
            Severity::Danger => self.danger,
            Severity::Warning => self.warn,
            Severity::Info => self.muted,
        }
    }
}
