//! Conversions between values and types: CAST, storage coercion and text forms.
//!
//! The rules follow the service: a string longer than its VARCHAR is truncated without an
//! error; a text that does not parse as the column's type is an error (the caller routes the
//! row to `error_stream`); integers out of their type's range are errors.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::error::SqlError;
use crate::types::{SqlType, Value};

const MS_PER_DAY: i64 = 86_400_000;

/// Converts `v` to `ty`; see the module docs for the rules.
pub fn coerce(ty: &SqlType, v: Value) -> Result<Value, SqlError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        SqlType::Null => Ok(v),
        SqlType::Boolean => match v {
            Value::Bool(_) => Ok(v),
            Value::Str(ref s) => match s.trim().to_ascii_uppercase().as_str() {
                "TRUE" => Ok(Value::Bool(true)),
                "FALSE" => Ok(Value::Bool(false)),
                "UNKNOWN" => Ok(Value::Null),
                _ => Err(cannot(&v, ty)),
            },
            _ => Err(cannot(&v, ty)),
        },
        SqlType::TinyInt => int_in(ty, v, i8::MIN as i64, i8::MAX as i64),
        SqlType::SmallInt => int_in(ty, v, i16::MIN as i64, i16::MAX as i64),
        SqlType::Integer => int_in(ty, v, i32::MIN as i64, i32::MAX as i64),
        SqlType::BigInt => int_in(ty, v, i64::MIN, i64::MAX),
        SqlType::Real => to_double(ty, v).map(|d| match d {
            Value::Double(x) => Value::Double(x as f32 as f64),
            other => other,
        }),
        SqlType::Double => to_double(ty, v),
        SqlType::Decimal(p, scale) => to_decimal(ty, v, *p, *scale),
        SqlType::Char(n) | SqlType::Varchar(n) => {
            let text = match v {
                Value::Str(s) => s,
                other => Arc::from(other.to_string().as_str()),
            };
            let n = *n as usize;
            let mut out: Arc<str> = if text.chars().count() > n {
                Arc::from(text.chars().take(n).collect::<String>().as_str())
            } else {
                text
            };
            if let SqlType::Char(_) = ty {
                let len = out.chars().count();
                if len < n {
                    out = Arc::from(format!("{out}{}", " ".repeat(n - len)).as_str());
                }
            }
            Ok(Value::Str(out))
        }
        SqlType::Binary(n) | SqlType::Varbinary(n) => {
            let bytes: Vec<u8> = match v {
                Value::Bytes(b) => b.to_vec(),
                Value::Str(s) => s.as_bytes().to_vec(),
                other => return Err(cannot(&other, ty)),
            };
            let mut bytes = bytes;
            bytes.truncate(*n as usize);
            Ok(Value::Bytes(Arc::from(bytes)))
        }
        SqlType::Timestamp => match v {
            Value::Timestamp(_) => Ok(v),
            Value::Date(d) => Ok(Value::Timestamp(d * MS_PER_DAY)),
            Value::Int(ms) => Ok(Value::Timestamp(ms)),
            Value::Str(ref s) => parse_timestamp(s)
                .map(Value::Timestamp)
                .ok_or_else(|| cannot(&v, ty)),
            _ => Err(cannot(&v, ty)),
        },
        SqlType::Date => match v {
            Value::Date(_) => Ok(v),
            Value::Timestamp(ms) => Ok(Value::Date(ms.div_euclid(MS_PER_DAY))),
            Value::Str(ref s) => parse_date(s).map(Value::Date).ok_or_else(|| cannot(&v, ty)),
            _ => Err(cannot(&v, ty)),
        },
        SqlType::Time => match v {
            Value::Time(_) => Ok(v),
            Value::Timestamp(ms) => Ok(Value::Time(ms.rem_euclid(MS_PER_DAY))),
            Value::Str(ref s) => parse_time(s).map(Value::Time).ok_or_else(|| cannot(&v, ty)),
            _ => Err(cannot(&v, ty)),
        },
        SqlType::Interval(..) => match v {
            Value::Interval(_) => Ok(v),
            Value::Int(ms) => Ok(Value::Interval(ms)),
            _ => Err(cannot(&v, ty)),
        },
    }
}

fn cannot(v: &Value, ty: &SqlType) -> SqlError {
    SqlError::Conversion(format!("Cannot convert '{v}' to {ty}"))
}

fn int_in(ty: &SqlType, v: Value, min: i64, max: i64) -> Result<Value, SqlError> {
    let i = match &v {
        Value::Int(i) => *i,
        // Stored into an integer column, a number must be whole (JSON `1.5` into INTEGER
        // is a conversion error); CAST rounds first (see `cast`).
        Value::Double(d) if d.fract() == 0.0 && *d >= i64::MIN as f64 && *d <= i64::MAX as f64 => {
            *d as i64
        }
        Value::Decimal(d) if d.fract().is_zero() => {
            rust_decimal::prelude::ToPrimitive::to_i64(d).ok_or_else(|| cannot(&v, ty))?
        }
        Value::Str(s) => {
            let t = s.trim();
            match t.parse::<i64>() {
                Ok(i) => i,
                Err(_) => return Err(cannot(&v, ty)),
            }
        }
        Value::Bool(b) => *b as i64,
        _ => return Err(cannot(&v, ty)),
    };
    if i < min || i > max {
        return Err(SqlError::Conversion(format!(
            "Value '{v}' is out of range for {ty}"
        )));
    }
    Ok(Value::Int(i))
}

/// A value as a DECIMAL(p, s): rounded to s places (half away from zero), and an error if
/// its integer part has more than p - s digits.
fn to_decimal(ty: &SqlType, v: Value, p: u32, scale: u32) -> Result<Value, SqlError> {
    use rust_decimal::prelude::FromPrimitive;
    let d = match &v {
        Value::Decimal(d) => *d,
        Value::Int(i) => (*i).into(),
        Value::Double(x) => rust_decimal::Decimal::from_f64(*x).ok_or_else(|| cannot(&v, ty))?,
        Value::Str(s) => s.trim().parse().map_err(|_| cannot(&v, ty))?,
        _ => return Err(cannot(&v, ty)),
    };
    let mut d =
        d.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    d.rescale(scale);
    let digits = d.trunc().abs().to_string().trim_start_matches('0').len() as u32;
    if digits > p.saturating_sub(scale) {
        return Err(SqlError::Conversion(format!(
            "Value '{v}' is out of range for {ty}"
        )));
    }
    Ok(Value::Decimal(d))
}

fn to_double(ty: &SqlType, v: Value) -> Result<Value, SqlError> {
    match &v {
        Value::Double(_) => Ok(v),
        Value::Int(i) => Ok(Value::Double(*i as f64)),
        Value::Decimal(d) => Ok(Value::Double(
            rust_decimal::prelude::ToPrimitive::to_f64(d).unwrap_or(f64::NAN),
        )),
        Value::Str(s) => s
            .trim()
            .parse::<f64>()
            .map(Value::Double)
            .map_err(|_| cannot(&v, ty)),
        _ => Err(cannot(&v, ty)),
    }
}

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fff]` (or with a `T`, or RFC 3339 with an offset) to epoch ms.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.signed_duration_since(epoch_date()).num_days() * MS_PER_DAY)
}

/// Parses `YYYY-MM-DD` to days since the epoch.
pub fn parse_date(s: &str) -> Option<i64> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .map(|d| d.signed_duration_since(epoch_date()).num_days())
}

/// Parses `HH:MM:SS[.fff]` to milliseconds since midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M:%S%.f")
        .ok()
        .map(|t| t.num_seconds_from_midnight() as i64 * 1000 + (t.nanosecond() / 1_000_000) as i64)
}

/// A pump's value into its target column: a number into an integer column rounds, as CAST
/// does (the SQL Reference's EXTRACT example puts `EXTRACT(SECOND ...)` into an INTEGER);
/// anything else as storage coercion (a long string is truncated).
pub fn assign(ty: &SqlType, v: Value) -> Result<Value, SqlError> {
    match &v {
        Value::Double(_) | Value::Decimal(_) if ty.is_integer() => cast(ty, v),
        _ => coerce(ty, v),
    }
}

/// CAST: as storage coercion, except that an approximate or decimal number rounds to the
/// nearest integer (half away from zero), and a value too long for its CHAR or VARCHAR is an
/// error rather than truncated (the SQL Reference's CAST page).
pub fn cast(ty: &SqlType, v: Value) -> Result<Value, SqlError> {
    match (ty, &v) {
        (_, Value::Null) | (SqlType::Null, _) => Ok(v),
        (t, Value::Double(d)) if t.is_integer() => coerce(ty, Value::Double(d.round())),
        (t, Value::Decimal(d)) if t.is_integer() => coerce(
            ty,
            Value::Decimal(
                d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            ),
        ),
        (SqlType::Char(n) | SqlType::Varchar(n), _) => {
            let text = match &v {
                Value::Str(s) => s.to_string(),
                other => other.to_string(),
            };
            if text.chars().count() > *n as usize {
                return Err(SqlError::Conversion(format!(
                    "Cannot CAST '{text}' to {ty}: its length is {}",
                    text.chars().count()
                )));
            }
            coerce(ty, v)
        }
        _ => coerce(ty, v),
    }
}

/// Formats epoch ms as `YYYY-MM-DD HH:MM:SS.fff`, the service's TIMESTAMP text form.
pub fn format_timestamp(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        None => ms.to_string(),
    }
}

/// Formats days since the epoch as `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    format_timestamp(days * MS_PER_DAY)[..10].to_string()
}

/// Formats ms since midnight as `HH:MM:SS`, with `.fff` when there are milliseconds.
pub fn format_time(ms: i64) -> String {
    let text = format_timestamp(ms.rem_euclid(MS_PER_DAY));
    match text.strip_suffix(".000") {
        Some(whole) => whole[11..].to_string(),
        None => text[11..].to_string(),
    }
}

/// Formats a DOUBLE the way Java does for ordinary magnitudes (`4.0`, not `4`), so CSV
/// output looks like the service's.
pub fn format_double(d: f64) -> String {
    if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e16 {
        format!("{d:.1}")
    } else if d.is_nan() {
        "NaN".to_string()
    } else if d.is_infinite() {
        if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        format!("{d}")
    }
}

/// Lower-case hex, as error_stream's DATA_ROW uses.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varchar_truncates_silently() {
        let v = coerce(&SqlType::Varchar(3), Value::str("abcdef")).unwrap();
        assert_eq!(v, Value::str("abc"));
    }

    #[test]
    fn integer_rejects_text_and_range() {
        assert!(coerce(&SqlType::Integer, Value::str("x")).is_err());
        assert!(coerce(&SqlType::TinyInt, Value::Int(300)).is_err());
        assert_eq!(
            coerce(&SqlType::Integer, Value::str(" 42 ")).unwrap(),
            Value::Int(42)
        );
    }

    #[test]
    fn timestamps_round_trip() {
        let ms = parse_timestamp("2024-01-02 03:04:05.678").unwrap();
        assert_eq!(format_timestamp(ms), "2024-01-02 03:04:05.678");
        assert_eq!(format_double(4.0), "4.0");
        assert_eq!(hex(b"\x01\xff"), "01ff");
    }
}
