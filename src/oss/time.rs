//! Date formats OSS uses, without a calendar crate. Pure functions over Unix seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Utc {
    pub fn from_unix(secs: i64) -> Self {
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        Utc {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    pub fn to_unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
    }
}

pub fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

pub fn from_unix_secs(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// `20231216T162057Z` (the V4 `x-oss-date`).
pub fn iso8601_basic(secs: i64) -> String {
    let t = Utc::from_unix(secs);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// `2023-12-16T16:20:57.000Z` (LastModified, CreationDate in listings).
pub fn iso8601(secs: i64) -> String {
    let t = Utc::from_unix(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Sat, 16 Dec 2023 16:20:57 GMT` (the `Date` header).
pub fn rfc1123(secs: i64) -> String {
    let t = Utc::from_unix(secs);
    let wd = WEEKDAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        wd,
        t.day,
        MONTHS[(t.month - 1) as usize],
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `20231216T162057Z`.
pub fn parse_iso8601_basic(s: &str) -> Option<i64> {
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let t = Utc {
        year: num(&s[0..4])? as i64,
        month: num(&s[4..6])?,
        day: num(&s[6..8])?,
        hour: num(&s[9..11])?,
        minute: num(&s[11..13])?,
        second: num(&s[13..15])?,
    };
    valid(t).then(|| t.to_unix())
}

/// Parses `2023-12-16T16:20:57.000Z`, also without fraction or zone (WORM's CreationDate).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 || &s[4..5] != "-" || &s[7..8] != "-" || &s[10..11] != "T" {
        return None;
    }
    let t = Utc {
        year: num(&s[0..4])? as i64,
        month: num(&s[5..7])?,
        day: num(&s[8..10])?,
        hour: num(&s[11..13])?,
        minute: num(&s[14..16])?,
        second: num(&s[17..19])?,
    };
    valid(t).then(|| t.to_unix())
}

/// Parses `Sat, 16 Dec 2023 16:20:57 GMT`.
pub fn parse_rfc1123(s: &str) -> Option<i64> {
    let rest = s.trim().split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    if parts.len() != 5 || parts[4] != "GMT" {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == parts[1])? as u32 + 1;
    let hms: Vec<&str> = parts[3].split(':').collect();
    if hms.len() != 3 {
        return None;
    }
    let t = Utc {
        year: num(parts[2])? as i64,
        month,
        day: num(parts[0])?,
        hour: num(hms[0])?,
        minute: num(hms[1])?,
        second: num(hms[2])?,
    };
    valid(t).then(|| t.to_unix())
}

fn valid(t: Utc) -> bool {
    (1..=12).contains(&t.month)
        && (1..=31).contains(&t.day)
        && t.hour < 24
        && t.minute < 60
        && t.second < 61
}

/// A short human date: `2023-12-16`.
pub fn date_only(secs: i64) -> String {
    iso8601(secs)[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_vector_times() {
        assert_eq!(iso8601_basic(1702743657), "20231216T162057Z");
        assert_eq!(iso8601_basic(1702784856), "20231217T034736Z");
        assert_eq!(rfc1123(1672223261), "Wed, 28 Dec 2022 10:27:41 GMT");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn parses_what_it_formats() {
        for secs in [
            0i64,
            951_782_400,
            1_702_743_657,
            4_102_444_800,
            1_709_164_800,
        ] {
            assert_eq!(parse_iso8601_basic(&iso8601_basic(secs)), Some(secs));
            assert_eq!(parse_iso8601(&iso8601(secs)), Some(secs));
            assert_eq!(parse_rfc1123(&rfc1123(secs)), Some(secs));
        }
        assert_eq!(parse_iso8601("2020-10-15T15:50:32"), Some(1602777032));
        assert_eq!(parse_rfc1123("garbage"), None);
        assert_eq!(parse_iso8601_basic("2023121XT162057Z"), None);
    }
}
