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

/// Where a Wait state's value came from: a `...Path` field (its reference path is named in the
/// error, AWS-recorded: `... $.input.waitSeconds == -1`), or a field of its own (JSONata or a
/// literal).
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// `SecondsPath` / `TimestampPath` with this path.
    Path(&'a str),
    /// `Seconds` / `Timestamp` evaluated by JSONata.
    Jsonata,
    /// `Seconds` / `Timestamp` given literally.
    Literal,
}

/// The text of a value as AWS writes it in these errors: a string without its quotes.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn too_long() -> StatesError {
    StatesError::runtime("Wait state delay is too long.")
}

/// The end of a wait of `value` seconds starting `now`.
///
/// ```
/// use kdaflow_asl::states::wait::{Source, seconds_deadline};
/// let now = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
/// let e = seconds_deadline(now, &serde_json::json!(1.5), "SecondsPath", Source::Path("$.s")).unwrap_err();
/// assert_eq!(e.cause.as_deref(), Some("The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"));
/// ```
pub fn seconds_deadline(
    now: DateTime<Utc>,
    value: &Value,
    field: &str,
    source: Source<'_>,
) -> Result<DateTime<Utc>, StatesError> {
    let whole = value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    });
    let secs = match (whole, source) {
        (Some(s), _) if s >= 0 => s,
        (Some(_), Source::Path(p)) => {
            return Err(StatesError::runtime(format!(
                "The {field} parameter references a negative value: {p} == {}",
                shown(value)
            )));
        }
        (None, Source::Path(p)) => {
            return Err(StatesError::runtime(format!(
                "The {field} parameter cannot be parsed as a long value: {p} == {}",
                shown(value)
            )));
        }
        _ => {
            return Err(StatesError::runtime(format!(
                "The {field} parameter does not reference a valid non-negative integer value: {value}"
            )));
        }
    };
    if secs > MAX_WAIT_SECONDS {
        return Err(too_long());
    }
    Ok(now + Duration::seconds(secs))
}

/// The end of a wait until `value` (an RFC 3339 timestamp; a past one ends at once).
pub fn timestamp_deadline(
    now: DateTime<Utc>,
    value: &Value,
    field: &str,
    source: Source<'_>,
) -> Result<DateTime<Utc>, StatesError> {
    let Some(ts) = value.as_str().and_then(parse_timestamp) else {
        return Err(match source {
            Source::Path(p) => StatesError::runtime(format!(
                "The {field} parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
                shown(value)
            )),
            // AWS-recorded: a JSONata timestamp that does not parse is a query evaluation error.
            Source::Jsonata => StatesError::query_at(
                format!(
                    "The {field} field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                    shown(value)
                ),
                field,
            ),
            Source::Literal => StatesError::runtime(format!(
                "The {field} parameter does not reference a valid ISO-8601 extended offset date-time format string: {value}"
            )),
        });
    };
    let ts = ts.with_timezone(&Utc);
    if ts - now > Duration::seconds(MAX_WAIT_SECONDS) {
        return Err(too_long());
    }
    Ok(ts.max(now))
}
