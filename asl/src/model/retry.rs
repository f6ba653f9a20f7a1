//! `Retry` and `Catch` entries.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::NullablePath;

/// Default `IntervalSeconds` of a retrier.
pub const DEFAULT_INTERVAL_SECONDS: u64 = 1;
/// Default `MaxAttempts` of a retrier.
pub const DEFAULT_MAX_ATTEMPTS: u64 = 3;
/// Default `BackoffRate` of a retrier.
pub const DEFAULT_BACKOFF_RATE: f64 = 2.0;

/// `JitterStrategy` of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JitterStrategy {
    /// Wait a uniformly random time in `[0, delay]`.
    Full,
    /// Wait exactly the computed delay (the default).
    None,
}

/// One `Retry` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Retrier {
    /// Error names this retrier handles.
    pub error_equals: Vec<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Seconds before the first retry (absent: [`DEFAULT_INTERVAL_SECONDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u64>,
    /// Retries allowed (absent: [`DEFAULT_MAX_ATTEMPTS`]; 0 = never retry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    /// Multiplier of the interval per attempt (absent: [`DEFAULT_BACKOFF_RATE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_rate: Option<serde_json::Number>,
    /// Cap on a single delay (absent: no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay_seconds: Option<u64>,
    /// Jitter (absent: NONE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_strategy: Option<JitterStrategy>,
}

impl Retrier {
    /// A retrier for the given error names with every other field absent.
    pub fn on<S: Into<String>>(errors: impl IntoIterator<Item = S>) -> Self {
        Self {
            error_equals: errors.into_iter().map(Into::into).collect(),
            comment: None,
            interval_seconds: None,
            max_attempts: None,
            backoff_rate: None,
            max_delay_seconds: None,
            jitter_strategy: None,
        }
    }
    /// Sets `IntervalSeconds`.
    pub fn interval_seconds(mut self, s: u64) -> Self {
        self.interval_seconds = Some(s);
        self
    }
    /// Sets `MaxAttempts`.
    pub fn max_attempts(mut self, n: u64) -> Self {
        self.max_attempts = Some(n);
        self
    }
    /// Sets `BackoffRate`.
    pub fn backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = serde_json::Number::from_f64(rate);
        self
    }
    /// Sets `MaxDelaySeconds`.
    pub fn max_delay_seconds(mut self, s: u64) -> Self {
        self.max_delay_seconds = Some(s);
        self
    }
    /// Sets `JitterStrategy`.
    pub fn jitter(mut self, j: JitterStrategy) -> Self {
        self.jitter_strategy = Some(j);
        self
    }
    /// The effective backoff rate.
    pub fn effective_backoff_rate(&self) -> f64 {
        self.backoff_rate
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(DEFAULT_BACKOFF_RATE)
    }
}

/// One `Catch` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Catcher {
    /// Error names this catcher handles.
    pub error_equals: Vec<String>,
    /// State to go to.
    pub next: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where the error output goes in the raw input (absent: `$`).
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub result_path: NullablePath,
    /// Variables to assign (with `$` the error output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (absent: the error output; an explicit `null` is kept and makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

impl Catcher {
    /// A catcher for the given error names going to `next`.
    pub fn on<S: Into<String>>(
        errors: impl IntoIterator<Item = S>,
        next: impl Into<String>,
    ) -> Self {
        Self {
            error_equals: errors.into_iter().map(Into::into).collect(),
            next: next.into(),
            comment: None,
            result_path: None,
            assign: None,
            output: None,
        }
    }
    /// Sets `ResultPath` (`None` writes `null`).
    pub fn result_path(mut self, path: Option<&str>) -> Self {
        self.result_path = Some(path.map(str::to_owned));
        self
    }
}
