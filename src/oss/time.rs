//! Date formats OSS uses, over Unix seconds. The calendar is jiff's: invalid
//! dates (31 February, hour 24) are refused, never wrapped into another day.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

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

/// The UTC civil time of `secs`; times outside jiff's range (years -9999 to
/// 9999) are clamped to its ends, which no OSS date reaches.
fn utc(secs: i64) -> DateTime {
    let ts = Timestamp::from_second(secs).unwrap_or(if secs < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    });
    ts.to_zoned(TimeZone::UTC).datetime()
}

/// `20231216T162057Z` (the V4 `x-oss-date`).
pub fn iso8601_basic(secs: i64) -> String {
    utc(secs).strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `2023-12-16T16:20:57.000Z` (LastModified, CreationDate in listings).
pub fn iso8601(secs: i64) -> String {
    utc(secs).strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// `2023-12-16T16:20:57Z`: ISO 8601 to the second (STS and ECS metadata expirations).
pub fn iso8601_seconds(secs: i64) -> String {
    utc(secs).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `Sat, 16 Dec 2023 16:20:57 GMT` (the `Date` header).
pub fn rfc1123(secs: i64) -> String {
    utc(secs).strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn civil_secs(dt: DateTime) -> Option<i64> {
    dt.to_zoned(TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// Parses `20231216T162057Z`.
pub fn parse_iso8601_basic(s: &str) -> Option<i64> {
    if s.len() != 16 {
        return None;
    }
    civil_secs(DateTime::strptime("%Y%m%dT%H%M%SZ", s).ok()?)
}

/// Parses `2023-12-16T16:20:57.000Z`, also without fraction or zone (WORM's CreationDate).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts.as_second());
    }
    // No zone: OSS means UTC.
    civil_secs(s.parse::<DateTime>().ok()?)
}

/// Parses `Sat, 16 Dec 2023 16:20:57 GMT` (the weekday must match the date).
pub fn parse_rfc1123(s: &str) -> Option<i64> {
    let dt = DateTime::strptime("%a, %d %b %Y %H:%M:%S GMT", s.trim()).ok()?;
    civil_secs(dt)
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
        assert_eq!(rfc1123(0), "Thu, 01 Jan 1970 00:00:00 GMT");
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
        assert_eq!(parse_iso8601("2020-10-15T15:50:32.000Z"), Some(1602777032));
        assert_eq!(parse_rfc1123("garbage"), None);
        assert_eq!(parse_iso8601_basic("2023121XT162057Z"), None);
    }

    #[test]
    fn impossible_dates_are_refused_not_wrapped() {
        assert_eq!(parse_iso8601("2024-02-31T00:00:00.000Z"), None);
        assert_eq!(parse_iso8601("2023-02-29T00:00:00"), None);
        assert_eq!(parse_iso8601_basic("20240231T000000Z"), None);
        assert_eq!(parse_iso8601_basic("20240101T240000Z"), None);
        assert_eq!(parse_rfc1123("Sat, 31 Feb 2024 00:00:00 GMT"), None);
        assert_eq!(
            parse_rfc1123("Mon, 16 Dec 2023 16:20:57 GMT"),
            None,
            "16 Dec 2023 was a Saturday"
        );
        assert!(
            parse_iso8601("2024-02-29T00:00:00.000Z").is_some(),
            "a leap day"
        );
    }
}
