//! Java `SimpleDateFormat` patterns, as the SQL Reference's "Date and Time Patterns" page
//! describes them, for CHAR_TO_DATE/TIME/TIMESTAMP and DATE/TIME/TIMESTAMP_TO_CHAR. Times are
//! UTC. Letters: G era, y year, M month, w week in year, W week in month, D day in year, d day
//! in month, F day of week in month, E day name, a AM/PM, H hour 0-23, k hour 1-24, K hour
//! 0-11, h hour 1-12, m minute, s second, S millisecond, z and Z the zone. Text in single
//! quotes is literal (`''` is a quote); other characters are copied, and must match when
//! parsing. Text fields of four letters or more use the full form (`EEEE`, `MMMM`).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Field(char, usize),
    Text(String),
}

fn compile(pattern: &str) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut text = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                text.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("Unterminated quote in date pattern '{pattern}'")),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        text.push(*c);
                        i += 1;
                    }
                }
            }
        } else if c.is_ascii_alphabetic() {
            if !"GyMwWDdFEuaHkKhmsSzZ".contains(c) {
                return Err(format!(
                    "Illegal pattern character '{c}' in date pattern '{pattern}'"
                ));
            }
            if !text.is_empty() {
                items.push(Item::Text(std::mem::take(&mut text)));
            }
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            items.push(Item::Field(c, n));
            i += n;
        } else {
            text.push(c);
            i += 1;
        }
    }
    if !text.is_empty() {
        items.push(Item::Text(text));
    }
    Ok(items)
}

fn pad(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n)
    } else {
        format!("{n:0width$}")
    }
}

/// Formats epoch milliseconds (UTC) with `pattern`.
pub fn format(pattern: &str, ms: i64) -> Result<String, String> {
    let t = DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| format!("timestamp {ms} is out of range"))?
        .naive_utc();
    let mut out = String::new();
    for item in compile(pattern)? {
        match item {
            Item::Text(s) => out.push_str(&s),
            Item::Field(c, n) => {
                let n64 = |v: u32| pad(i64::from(v), n);
                let text = |full: &str| {
                    if n >= 4 {
                        full.to_string()
                    } else {
                        full[..3].to_string()
                    }
                };
                let piece = match c {
                    'G' => if t.year() > 0 { "AD" } else { "BC" }.to_string(),
                    'y' if n == 2 => pad(i64::from(t.year().rem_euclid(100)), 2),
                    'y' => pad(i64::from(t.year()), n),
                    'M' if n >= 3 => text(MONTHS[t.month0() as usize]),
                    'M' => n64(t.month()),
                    'w' => n64(week_of_year(t.date())),
                    'W' => n64(week_of_month(t.date())),
                    'D' => n64(t.ordinal()),
                    'd' => n64(t.day()),
                    'F' => n64((t.day() - 1) / 7 + 1),
                    'E' => text(DAYS[t.weekday().num_days_from_monday() as usize]),
                    'u' => n64(t.weekday().number_from_monday()),
                    'a' => if t.hour() < 12 { "AM" } else { "PM" }.to_string(),
                    'H' => n64(t.hour()),
                    'k' => n64(if t.hour() == 0 { 24 } else { t.hour() }),
                    'K' => n64(t.hour() % 12),
                    'h' => n64(if t.hour() % 12 == 0 {
                        12
                    } else {
                        t.hour() % 12
                    }),
                    'm' => n64(t.minute()),
                    's' => n64(t.second()),
                    'S' => n64(t.and_utc().timestamp_subsec_millis()),
                    'z' => "UTC".to_string(),
                    _ => "+0000".to_string(),
                };
                out.push_str(&piece);
            }
        }
    }
    Ok(out)
}

/// Java's week of year with US rules: weeks start on Sunday, week 1 holds January 1st.
fn week_of_year(d: NaiveDate) -> u32 {
    let jan1 = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
    let offset = jan1.weekday().num_days_from_sunday();
    (d.ordinal0() + offset) / 7 + 1
}

fn week_of_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).unwrap_or(d);
    let offset = first.weekday().num_days_from_sunday();
    (d.day0() + offset) / 7 + 1
}

/// Parses `input` with `pattern` to epoch milliseconds (UTC). Fields the pattern does not
/// name default to 1970-01-01 00:00:00.000; input after the pattern's end is ignored.
pub fn parse(pattern: &str, input: &str) -> Result<i64, String> {
    let items = compile(pattern)?;
    let chars: Vec<char> = input.chars().collect();
    let mut at = 0;
    let (mut year, mut month, mut day, mut doy) = (1970i64, 1i64, 1i64, None);
    let (mut hour, mut minute, mut second, mut milli) = (0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut hour12 = false;
    let mismatch =
        |what: &str| format!("'{input}' does not match the date pattern '{pattern}': {what}");
    for (k, item) in items.iter().enumerate() {
        match item {
            Item::Text(s) => {
                for c in s.chars() {
                    if chars.get(at) != Some(&c) {
                        return Err(mismatch(&format!("expected '{c}' at position {}", at + 1)));
                    }
                    at += 1;
                }
            }
            Item::Field(c, n) => {
                let text_field = matches!(c, 'G' | 'E' | 'a') || (*c == 'M' && *n >= 3);
                if text_field {
                    let names: Vec<(String, i64)> = match c {
                        'G' => vec![("AD".into(), 1), ("BC".into(), 0)],
                        'a' => vec![("AM".into(), 0), ("PM".into(), 1)],
                        'E' => DAYS
                            .iter()
                            .enumerate()
                            .flat_map(|(i, d)| {
                                [(d.to_string(), i as i64), (d[..3].to_string(), i as i64)]
                            })
                            .collect(),
                        _ => MONTHS
                            .iter()
                            .enumerate()
                            .flat_map(|(i, m)| {
                                [
                                    (m.to_string(), i as i64 + 1),
                                    (m[..3].to_string(), i as i64 + 1),
                                ]
                            })
                            .collect(),
                    };
                    let rest: String = chars[at..].iter().collect();
                    let found = names
                        .iter()
                        .find(|(name, _)| rest.to_lowercase().starts_with(&name.to_lowercase()));
                    let Some((name, v)) = found else {
                        return Err(mismatch(&format!("no {c} name at position {}", at + 1)));
                    };
                    at += name.chars().count();
                    match c {
                        'a' => pm = Some(*v == 1),
                        'M' => month = *v,
                        _ => {}
                    }
                    continue;
                }
                // A number: exactly n digits when the next item is an adjacent number field,
                // otherwise as many as there are.
                let adjacent = matches!(items.get(k + 1), Some(Item::Field(d, m)) if !(matches!(d, 'G' | 'E' | 'a') || (*d == 'M' && *m >= 3)));
                // As Java does, spaces before a number are skipped.
                while !adjacent && chars.get(at) == Some(&' ') {
                    at += 1;
                }
                let start = at;
                if *c == 'y' && chars.get(at) == Some(&'-') {
                    at += 1;
                }
                while at < chars.len()
                    && chars[at].is_ascii_digit()
                    && (!adjacent || at - start < *n)
                {
                    at += 1;
                }
                let digits: String = chars[start..at].iter().collect();
                let v: i64 = digits.parse().map_err(|_| {
                    mismatch(&format!(
                        "expected a number for '{c}' at position {}",
                        start + 1
                    ))
                })?;
                match c {
                    'y' if *n == 2 && digits.len() <= 2 => year = 2000 + v,
                    'y' => year = v,
                    'M' => month = v,
                    'd' => day = v,
                    'D' => doy = Some(v),
                    'H' | 'k' => hour = if *c == 'k' && v == 24 { 0 } else { v },
                    'K' | 'h' => {
                        hour12 = true;
                        hour = if *c == 'h' && v == 12 { 0 } else { v };
                    }
                    'm' => minute = v,
                    's' => second = v,
                    'S' => milli = v,
                    _ => {}
                }
            }
        }
    }
    if pm == Some(true) && (hour12 || hour < 12) {
        hour += 12;
    }
    let out_of_range = || mismatch("a field is out of range");
    let date = match doy {
        Some(d) => NaiveDate::from_yo_opt(year as i32, d as u32),
        None => NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32),
    }
    .ok_or_else(out_of_range)?;
    let time = date
        .and_hms_milli_opt(hour as u32, minute as u32, second as u32, milli as u32)
        .ok_or_else(out_of_range)?;
    Ok(NaiveDateTime::and_utc(&time).timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_474_604_966_234; // 2016-09-23 04:29:26.234, a Friday

    #[test]
    fn formats_the_documented_letters() {
        assert_eq!(
            format("yyyy.MM.dd 'at' HH:mm", T).unwrap(),
            "2016.09.23 at 04:29"
        );
        assert_eq!(
            format("EEE EEEE, MMM MMMM MM M", T).unwrap(),
            "Fri Friday, Sep September 09 9"
        );
        assert_eq!(format("D d ss.SSS yy", T).unwrap(), "267 23 26.234 16");
        assert_eq!(format("HH''mm", T).unwrap(), "04'29");
        assert!(
            format("yyyy-qq", T)
                .unwrap_err()
                .contains("Illegal pattern character 'q'")
        );
    }

    #[test]
    fn parses_with_defaults_and_ignores_trailing_input() {
        let p = |f: &str, s: &str| format("yyyy-MM-dd HH:mm:ss.SSS", parse(f, s).unwrap()).unwrap();
        assert_eq!(
            p("yyyy-MM-dd", "2009-09-16 03:15:24"),
            "2009-09-16 00:00:00.000"
        );
        assert_eq!(p("yyyy-MM", "2009-09"), "2009-09-01 00:00:00.000");
        assert_eq!(
            p("MMMM d yyyy", "September 23 2016"),
            "2016-09-23 00:00:00.000"
        );
        assert_eq!(p("hh:mm a", "03:15 PM"), "1970-01-01 15:15:00.000");
        assert_eq!(p("yyyyMMdd", "20240229"), "2024-02-29 00:00:00.000");
        assert!(parse("yyyy-MM-dd", "2023-02-30").is_err());
        assert!(parse("yyyy-MM-dd", "2023/02/01").is_err());
    }
}
