//! ISO 8601 timestamps as Keystone writes them, without a date crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `2026-11-25T18:00:00.000000Z` (also `+hh:mm` offsets, no
/// fraction, a space instead of `T`). `None` when it is not such a time.
pub(crate) fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (date, rest) = s.split_at_checked(10)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?.parse::<i64>().ok()?, d.next()?.parse::<u32>().ok()?, d.next()?.parse::<u32>().ok()?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Split the clock from the zone: `Z`, `+hh:mm`, `-hh:mm` or none (UTC).
    let (clock, offset_secs) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (c, z) = rest.split_at(pos);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (hh, mm) = z[1..].split_once(':').unwrap_or((&z[1..], "0"));
        // Bounded before any arithmetic: a zone of 10^18 hours must not
        // overflow (found by fuzzing).
        let (hh, mm) = (hh.parse::<i64>().ok().filter(|h| (0..=23).contains(h))?, mm.parse::<i64>().ok()?);
        if !(0..=59).contains(&mm) {
            return None;
        }
        (c, sign * (hh * 3600 + mm * 60))
    } else {
        (rest, 0)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi, se) = (t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?);
    if t.next().is_some() || !(0..=23).contains(&h) || !(0..=59).contains(&mi) || !(0..=60).contains(&se) {
        return None;
    }
    let nanos = if frac.is_empty() {
        0
    } else {
        if !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
        digits.parse::<u32>().ok()?
    };
    let secs = days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 + se - offset_secs;
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_iso8601(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystone_timestamps() {
        let t = parse_iso8601("2026-11-25T18:00:00.000000Z").expect("parses");
        assert_eq!(t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).ok(), Some(1_795_629_600));
        assert_eq!(format_iso8601(t), "2026-11-25T18:00:00Z");
        let z = parse_iso8601("2026-11-25T19:30:00+01:30").expect("parses");
        assert_eq!(z, t);
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(UNIX_EPOCH));
        assert_eq!(format_iso8601(parse_iso8601("2000-02-29T23:59:59Z").expect("leap")), "2000-02-29T23:59:59Z");
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-11-25",
            "yesterday",
            "2026-11-25T25:00:00Z",
            "2026-11-25T00:00:00+99999999999999999:00",
            "2026-11-25T00:00:00+01:99999999999999999",
            "2026-11-25T00:00:00+24:00",
            // fuzz target `token_response` (tests/config/fuzz_regressions.rs)
            "2000-02-29T5+5555555555555552222222222:2262222222555555",
        ] {
            assert!(parse_iso8601(bad).is_none(), "{bad}");
        }
    }
}
