//! `Map`: items, per-item input and failure tolerance (pure).

use serde_json::Value;

use crate::error::{StatesError, names};

/// The items of a Map state, from the value `ItemsPath`/`Items` produced.
pub fn items(value: Value, items_path: &str, jsonata: bool) -> Result<Vec<Value>, StatesError> {
    match value {
        Value::Array(a) => Ok(a),
        other if jsonata => Err(StatesError::query(format!(
            "The Items field must evaluate to a JSON array, got {other}"
        ))),
        _ => Err(StatesError::runtime(format!(
            "Reference path \"{items_path}\" must point to array."
        ))),
    }
}

/// `MaxConcurrency` from its value (0 or absent: unbounded).
pub fn max_concurrency(value: Option<&Value>) -> Result<usize, StatesError> {
    match value {
        None => Ok(0),
        Some(v) => v.as_u64().map(|n| n as usize).ok_or_else(|| {
            StatesError::runtime(format!(
                "The MaxConcurrency must be a non-negative integer, got {v}"
            ))
        }),
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
    /// Reads both fields' values; negative or non-numeric values are `States.Runtime`
    /// (AWS-recorded).
    pub fn from_values(
        count: Option<&Value>,
        percentage: Option<&Value>,
    ) -> Result<Self, StatesError> {
        let count = count
            .map(|v| {
                v.as_u64().ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The ToleratedFailureCount must be a non-negative integer, got {v}"
                    ))
                })
            })
            .transpose()?;
        let percentage = percentage
            .map(|v| {
                v.as_f64().filter(|p| (0.0..=100.0).contains(p)).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The ToleratedFailurePercentage must be a number between 0 and 100, got {v}"
                    ))
                })
            })
            .transpose()?;
        Ok(Self { count, percentage })
    }

    /// Whether any tolerance is configured (otherwise the first failure fails the Map).
    pub fn is_set(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }

    /// Whether `failed` of `total` items exceeds the tolerance.
    pub fn exceeded(&self, failed: usize, total: usize) -> bool {
        let by_count = self.count.is_some_and(|c| failed as u64 > c);
        let by_pct = self
            .percentage
            .is_some_and(|p| total > 0 && (failed as f64 * 100.0 / total as f64) > p);
        match (self.count, self.percentage) {
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
