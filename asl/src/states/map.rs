//! `Map`: items, concurrency and failure tolerance (pure).
//!
//! The `...Path` variants of `MaxConcurrency`, `ToleratedFailureCount` and
//! `ToleratedFailurePercentage` read the value from the input; AWS parses the value's text, so a
//! numeric string (`"1"`) is accepted (AWS-recorded), and it words each refusal its own way:
//!
//! ```
//! use kdaflow_asl::states::map::tolerance_count;
//! use serde_json::json;
//! assert_eq!(tolerance_count(&json!("1"), Some("$.n")).unwrap(), 1);
//! let e = tolerance_count(&json!("NoNumber"), Some("$.n")).unwrap_err();
//! assert_eq!(e.cause.unwrap(), "The ToleratedFailureCountPath field refers to value \"NoNumber\" which is not a valid integer: $.n");
//! let e = tolerance_count(&json!(-1), Some("$.n")).unwrap_err();
//! assert_eq!(e.cause.unwrap(), "ToleratedFailureCount cannot be negative.");
//! ```

use serde_json::Value;

use crate::error::{StatesError, names};

/// The name JSONata type errors give a JSON value's type.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where a Map state's items came from, for the error when they are not an array.
#[derive(Debug, Clone, Copy)]
pub enum ItemsSource<'a> {
    /// `ItemsPath` (absent: `$`).
    Path(&'a str),
    /// A JSONata `Items` expression.
    Expression(&'a str),
    /// A JSONata Map without `Items`: the state input.
    JsonataInput,
}

/// The items of a Map state, from the value `ItemsPath`/`Items`/the input produced.
///
/// AWS-recorded wording for JSONata: "The JSONata expression '1' specified for the field
/// 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1"
/// and, without `Items`, "Map state input must be an array but was: 1"
/// (`States.QueryEvaluationError` both).
pub fn items(value: Value, source: ItemsSource<'_>) -> Result<Vec<Value>, StatesError> {
    match (value, source) {
        (Value::Array(a), _) => Ok(a),
        (other, ItemsSource::Expression(expr)) => Err(StatesError::query_at(
            format!(
                "The JSONata expression '{expr}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {other}",
                type_name(&other)
            ),
            "Items",
        )),
        (other, ItemsSource::JsonataInput) => Err(StatesError::query(format!(
            "Map state input must be an array but was: {other}"
        ))),
        (_, ItemsSource::Path(path)) => Err(StatesError::runtime(format!(
            "Reference path \"{path}\" must point to array."
        ))),
    }
}

/// A value as the text AWS quotes in "refers to value \"...\"" (strings unquoted).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An integer from a number or a numeric string.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A float from a number or a numeric string.
fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        _ => None,
    }
}

/// A non-negative integer field (`MaxConcurrency`, `ToleratedFailureCount`); `path` is the
/// `...Path` it was read through, if any.
fn count(field: &str, v: &Value, path: Option<&str>) -> Result<u64, StatesError> {
    let Some(n) = integer(v) else {
        return Err(StatesError::runtime(match path {
            Some(p) => format!(
                "The {field}Path field refers to value \"{}\" which is not a valid integer: {p}",
                text(v)
            ),
            None => format!("The {field} must be a non-negative integer, got {v}"),
        }));
    };
    u64::try_from(n).map_err(|_| StatesError::runtime(format!("{field} cannot be negative.")))
}

/// `MaxConcurrency` from its value (0 or absent: unbounded); `path` is `MaxConcurrencyPath`.
pub fn max_concurrency(value: Option<&Value>, path: Option<&str>) -> Result<usize, StatesError> {
    value.map_or(Ok(0), |v| {
        count("MaxConcurrency", v, path).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    })
}

/// `ToleratedFailureCount` from its value; `path` is `ToleratedFailureCountPath`.
pub fn tolerance_count(value: &Value, path: Option<&str>) -> Result<u64, StatesError> {
    count("ToleratedFailureCount", value, path)
}

/// `ToleratedFailurePercentage` from its value; `path` is `ToleratedFailurePercentagePath`.
pub fn tolerance_percentage(value: &Value, path: Option<&str>) -> Result<f64, StatesError> {
    let Some(p) = float(value) else {
        return Err(StatesError::runtime(match path {
            Some(path) => format!(
                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {path}",
                text(value)
            ),
            None => format!(
                "The ToleratedFailurePercentage must be a number between 0 and 100, got {value}"
            ),
        }));
    };
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(StatesError::runtime(
            "ToleratedFailurePercentage must be between 0 and 100.",
        ))
    }
}

/// How many failed items a Map tolerates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tolerance {
    /// `ToleratedFailureCount`.
    pub count: Option<u64>,
    /// `ToleratedFailurePercentage` (0..=100).
    pub percentage: Option<f64>,
}

impl Tolerance {
    /// Whether any tolerance is configured (otherwise the first failure fails the Map).
    pub fn is_set(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }

    /// Whether `failed` of `total` items exceeds the tolerance (none configured: any failure
    /// does).
    pub fn exceeded(&self, failed: usize, total: usize) -> bool {
        let by_count = self.count.is_some_and(|c| failed as u64 > c);
        let by_pct = self
            .percentage
            .is_some_and(|p| total > 0 && (failed as f64 * 100.0 / total as f64) > p);
        match (self.count, self.percentage) {
            (None, None) => failed > 0,
            (Some(_), Some(_)) => by_count && by_pct,
            _ => by_count || by_pct,
        }
    }
}

/// The error a Map fails with once the tolerance is exceeded.
pub fn threshold_exceeded() -> StatesError {
    StatesError::new(
        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_accept_numeric_strings_and_word_refusals_as_aws() {
        assert_eq!(max_concurrency(Some(&json!("1")), Some("$.m")).unwrap(), 1);
        assert_eq!(
            max_concurrency(Some(&json!({})), Some("$.m"))
                .unwrap_err()
                .cause
                .unwrap(),
            "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: $.m"
        );
        assert_eq!(
            tolerance_percentage(&json!("1.1"), Some("$.p")).unwrap(),
            1.1
        );
        assert_eq!(
            tolerance_percentage(&json!(100.1), Some("$.p"))
                .unwrap_err()
                .cause
                .unwrap(),
            "ToleratedFailurePercentage must be between 0 and 100."
        );
        assert_eq!(
            tolerance_percentage(&json!("x"), Some("$.p"))
                .unwrap_err()
                .cause
                .unwrap(),
            "The ToleratedFailurePercentagePath field refers to value \"x\" which is not a valid float: $.p"
        );
    }

    #[test]
    fn items_errors_name_the_type() {
        let e = items(json!({"a": 1}), ItemsSource::Expression("$x")).unwrap_err();
        assert_eq!(e.error, names::QUERY_EVALUATION_ERROR);
        assert!(
            e.cause
                .unwrap()
                .ends_with("Expected 'array', but was 'object' for value: {\"a\":1}")
        );
        assert_eq!(e.location.as_deref(), Some("Items"));
    }
}
