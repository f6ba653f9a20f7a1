//! `Wait`: when the wait ends (pure).

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::choice::parse_timestamp;
use crate::error::StatesError;

/// The longest wait of a Standard workflow (one year).
pub const MAX_WAIT_SECONDS: i64 = 31_536_000;

/// How a compiled Wait state computes its end.
#[derive(Debug, Clone)]
pub enum WaitFor {
    /// `Seconds` (or a JSONata expression giving them).
    Seconds(crate::common::Template),
    /// `Timestamp` (or a JSONata expression giving it).
    Timestamp(crate::common::Template),
    /// `SecondsPath`.
    SecondsPath(crate::path::Path),
    /// `TimestampPath`.
    TimestampPath(crate::path::Path),
}

/// The end of a wait of `value` seconds starting `now`.
pub fn seconds_deadline(
    now: DateTime<Utc>,
    value: &Value,
    field: &str,
) -> Result<DateTime<Utc>, StatesError> {
    let secs = value
        .as_i64()
        .or_else(|| value.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        .filter(|s| *s >= 0)
        .ok_or_else(|| {
            StatesError::runtime(format!(
                "The {field} parameter does not reference a valid non-negative integer value: {value}"
            ))
        })?;
    if secs > MAX_WAIT_SECONDS {
        return Err(StatesError::runtime("Wait state delay is too long"));
    }
    Ok(now + Duration::seconds(secs))
}

/// The end of a wait until `value` (an RFC 3339 timestamp; a past one ends at once).
pub fn timestamp_deadline(
    now: DateTime<Utc>,
    value: &Value,
    field: &str,
) -> Result<DateTime<Utc>, StatesError> {
    let ts = value.as_str().and_then(parse_timestamp).ok_or_else(|| {
        StatesError::runtime(format!(
            "The {field} parameter does not reference a valid ISO-8601 extended offset date-time format string: {value}"
        ))
    })?;
    let ts = ts.with_timezone(&Utc);
    if ts - now > Duration::seconds(MAX_WAIT_SECONDS) {
        return Err(StatesError::runtime("Wait state delay is too long"));
    }
    Ok(ts.max(now))
}
