//! The crate's error types.
//!
//! Two different things can go wrong: the *library* can be misused or handed bad input
//! ([`AslError`]), and an *execution* can fail the way a Step Functions execution fails
//! ([`StatesError`], an error name plus a cause, exactly as AWS reports them).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validate::Problem;

/// Errors raised by the library itself (not by a running state machine).
#[derive(Debug, thiserror::Error)]
pub enum AslError {
    /// The text is not JSON at all.
    #[error("the definition is not valid JSON: {0}; check the file's syntax")]
    Json(#[from] serde_json::Error),
    /// The definition is JSON but not a valid state machine.
    #[error("the definition is invalid ({} problem(s)); first: {}", .0.len(), .0.first().map(|p| p.to_string()).unwrap_or_default())]
    Invalid(Vec<Problem>),
    /// The mock configuration cannot be used.
    #[error("mock configuration: {0}")]
    Mock(String),
    /// The execution input is not a JSON value.
    #[error("the execution input is not valid JSON: {0}")]
    Input(String),
}

/// A runtime error as Step Functions names it: an error name (such as `States.Runtime` or a
/// Lambda `errorType`) and an optional cause text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatesError {
    /// The error name matched by `ErrorEquals`.
    pub error: String,
    /// The human readable cause (often JSON text for task errors).
    pub cause: Option<String>,
    /// For a JSONata failure, the state field the expression belongs to (e.g. `Output/result`),
    /// which `EvaluationFailed` reports as `location`; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl StatesError {
    /// An error with a name and a cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: Some(cause.into()),
            location: None,
        }
    }

    /// An error with a name and no cause.
    pub fn named(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: None,
            location: None,
        }
    }

    /// `States.Runtime` with the given cause.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(names::RUNTIME, cause)
    }

    /// `States.IntrinsicFailure` with the given cause.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Self::new(names::INTRINSIC_FAILURE, cause)
    }

    /// `States.QueryEvaluationError` with the given cause.
    pub fn query(cause: impl Into<String>) -> Self {
        Self::new(names::QUERY_EVALUATION_ERROR, cause)
    }

    /// `States.QueryEvaluationError` raised by the expression of the state field `location`.
    pub fn query_at(cause: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            location: Some(location.into()),
            ..Self::query(cause)
        }
    }

    /// Whether no `Retry` or `Catch` may ever handle this error (AWS-recorded: even an explicit
    /// `States.Runtime` catcher does not fire).
    pub fn is_terminal(&self) -> bool {
        self.error == names::RUNTIME || self.error == names::DATA_LIMIT_EXCEEDED
    }

    /// The error output object handed to a catcher: `{"Error": ..., "Cause": ...}`.
    pub fn to_error_output(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("Error".into(), self.error.clone().into());
        map.insert(
            "Cause".into(),
            self.cause.clone().unwrap_or_default().into(),
        );
        serde_json::Value::Object(map)
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for StatesError {}

/// The predefined error names of the States Language.
pub mod names {
    /// Wildcard matching any error name except the terminal ones.
    pub const ALL: &str = "States.ALL";
    /// Task or execution ran past its `TimeoutSeconds` or missed a heartbeat.
    pub const TIMEOUT: &str = "States.Timeout";
    /// Heartbeat expiry (AWS reports `States.Timeout` instead; kept for `ErrorEquals`).
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// Matches any task failure except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// Insufficient privileges.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// `ResultPath` cannot be applied to the input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A parameter path failed (the spec's name; AWS reports `States.Runtime`).
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A Parallel branch failed.
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A Map state failed more items than tolerated.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map ItemReader failed.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A Map ResultWriter failed.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    /// A payload exceeded 256 KiB (never caught).
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// A runtime problem such as a missing path (never caught).
    pub const RUNTIME: &str = "States.Runtime";
    /// A JSONata expression failed or returned nothing.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    /// The HTTP task could not connect.
    pub const HTTP_SOCKET: &str = "States.Http.Socket";

    /// Every predefined name, for validation.
    pub const PREDEFINED: &[&str] = &[
        ALL,
        TIMEOUT,
        HEARTBEAT_TIMEOUT,
        TASK_FAILED,
        PERMISSIONS,
        RESULT_PATH_MATCH_FAILURE,
        PARAMETER_PATH_FAILURE,
        BRANCH_FAILED,
        NO_CHOICE_MATCHED,
        INTRINSIC_FAILURE,
        EXCEED_TOLERATED_FAILURE_THRESHOLD,
        ITEM_READER_FAILED,
        RESULT_WRITER_FAILED,
        DATA_LIMIT_EXCEEDED,
        RUNTIME,
        QUERY_EVALUATION_ERROR,
        HTTP_SOCKET,
    ];
}
