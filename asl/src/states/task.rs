//! `Task`: timeouts and the history event types of each resource kind (pure).

use serde_json::Value;

use crate::error::StatesError;
use crate::history::EventType;
use crate::task::Resource;

/// The default task timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 99_999_999;

/// The scheduled / started / succeeded / failed / timed-out event types of a resource: legacy
/// Lambda ARNs use the `LambdaFunction*` family, everything else the `Task*` family.
pub fn event_types(resource: &Resource) -> [EventType; 5] {
    use EventType::*;
    match resource {
        Resource::LambdaFunction { .. } => [
            LambdaFunctionScheduled,
            LambdaFunctionStarted,
            LambdaFunctionSucceeded,
            LambdaFunctionFailed,
            LambdaFunctionTimedOut,
        ],
        _ => [
            TaskScheduled,
            TaskStarted,
            TaskSucceeded,
            TaskFailed,
            TaskTimedOut,
        ],
    }
}

/// A positive number of seconds from a `...Path` or JSONata value.
pub fn positive_seconds(value: &Value, field: &str) -> Result<u64, StatesError> {
    value.as_u64().filter(|s| *s > 0).ok_or_else(|| {
        StatesError::runtime(format!(
            "The {field} must be a positive integer, got {value}"
        ))
    })
}
