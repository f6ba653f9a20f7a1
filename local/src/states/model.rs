//! Wire shapes of the Step Functions API (awsJson1_0, lowerCamel member names).
//!
//! Requests are also the in-process API: `Twin::states().create_state_machine(CreateStateMachineInput
//! { .. })` takes exactly what the HTTP operation takes. Every member is optional at the serde
//! level so that a missing required member becomes a `ValidationException` naming it, as the
//! service's front end reports it, instead of a serialization error.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `STANDARD` or `EXPRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MachineType {
    /// Exactly-once, durable, with a history (the default).
    #[default]
    Standard,
    /// At-least-once (async) / at-most-once (sync), no history API.
    Express,
}

impl MachineType {
    /// The name as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }
}

/// The status of an execution (`DescribeExecution.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Still running.
    Running,
    /// Ended successfully.
    Succeeded,
    /// Ended with an error.
    Failed,
    /// Ran past its `TimeoutSeconds`.
    TimedOut,
    /// Stopped by `StopExecution`.
    Aborted,
}

impl Status {
    /// The name as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

impl From<kdaflow_asl::ExecutionStatus> for Status {
    fn from(s: kdaflow_asl::ExecutionStatus) -> Self {
        use kdaflow_asl::ExecutionStatus as E;
        match s {
            E::Running => Status::Running,
            E::Succeeded => Status::Succeeded,
            E::Failed => Status::Failed,
            E::TimedOut => Status::TimedOut,
            E::Aborted => Status::Aborted,
        }
    }
}

/// CreateStateMachine input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateStateMachineInput {
    /// 1-80 characters, no whitespace, brackets, wildcards or special characters.
    pub name: Option<String>,
    /// The ASL definition as JSON text.
    pub definition: Option<String>,
    /// The execution role (an IAM role ARN; not assumed on the twin).
    pub role_arn: Option<String>,
    /// Absent: `STANDARD`.
    #[serde(rename = "type")]
    pub machine_type: Option<MachineType>,
    /// Kept and echoed back.
    pub logging_configuration: Option<Value>,
    /// Kept and echoed back.
    pub tracing_configuration: Option<Value>,
    /// Accepted and ignored (no tagging API on the twin yet).
    pub tags: Option<Value>,
    /// Accepted; versions are not modelled.
    pub publish: Option<bool>,
    /// Accepted; versions are not modelled.
    pub version_description: Option<String>,
}

/// CreateStateMachine output.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStateMachineOutput {
    /// The ARN.
    pub state_machine_arn: String,
    /// Epoch seconds.
    pub creation_date: f64,
}

/// An input naming one state machine.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateMachineArnInput {
    /// The ARN.
    pub state_machine_arn: Option<String>,
}

/// UpdateStateMachine input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateStateMachineInput {
    /// The ARN.
    pub state_machine_arn: Option<String>,
    /// New definition.
    pub definition: Option<String>,
    /// New role.
    pub role_arn: Option<String>,
    /// New logging configuration.
    pub logging_configuration: Option<Value>,
    /// New tracing configuration.
    pub tracing_configuration: Option<Value>,
    /// Accepted; versions are not modelled.
    pub publish: Option<bool>,
    /// Accepted; versions are not modelled.
    pub version_description: Option<String>,
}

/// A paginated list input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageInput {
    /// 0-1000; 0 or absent means the default page size.
    pub max_results: Option<i64>,
    /// From the previous page.
    pub next_token: Option<String>,
}

/// ValidateStateMachineDefinition input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ValidateDefinitionInput {
    /// The definition text.
    pub definition: Option<String>,
    /// Absent: STANDARD.
    #[serde(rename = "type")]
    pub machine_type: Option<MachineType>,
    /// ERROR or WARNING (the twin reports errors only).
    pub severity: Option<String>,
    /// Maximum diagnostics (default 100).
    pub max_results: Option<i64>,
}

/// StartExecution / StartSyncExecution input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartExecutionInput {
    /// The state machine.
    pub state_machine_arn: Option<String>,
    /// Absent: a UUID.
    pub name: Option<String>,
    /// JSON text; absent: `{}`.
    pub input: Option<String>,
    /// Echoed back.
    pub trace_header: Option<String>,
}

/// StartExecution output.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartExecutionOutput {
    /// The execution ARN.
    pub execution_arn: String,
    /// Epoch seconds.
    pub start_date: f64,
}

/// An input naming one execution.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecutionArnInput {
    /// The execution ARN.
    pub execution_arn: Option<String>,
    /// `includedData` (ALL_DATA | METADATA_ONLY).
    pub included_data: Option<String>,
}

/// ListExecutions input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListExecutionsInput {
    /// The state machine.
    pub state_machine_arn: Option<String>,
    /// Only executions with this status.
    pub status_filter: Option<String>,
    /// Page size (0-1000).
    pub max_results: Option<i64>,
    /// From the previous page.
    pub next_token: Option<String>,
    /// The Map Run whose child executions to list (instead of `stateMachineArn`).
    pub map_run_arn: Option<String>,
    /// Redrive is not modelled; accepted.
    pub redrive_filter: Option<String>,
}

/// GetExecutionHistory input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryInput {
    /// The execution ARN.
    pub execution_arn: Option<String>,
    /// Page size (0-1000; default 100).
    pub max_results: Option<i64>,
    /// Newest first.
    pub reverse_order: Option<bool>,
    /// From the previous page.
    pub next_token: Option<String>,
    /// Absent: true. False leaves input/output out of the events.
    pub include_execution_data: Option<bool>,
}

/// StopExecution input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StopExecutionInput {
    /// The execution ARN.
    pub execution_arn: Option<String>,
    /// Error name recorded in ExecutionAborted.
    pub error: Option<String>,
    /// Cause recorded in ExecutionAborted.
    pub cause: Option<String>,
}

/// TestState input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TestStateInput {
    /// One state's definition (JSON text).
    pub definition: Option<String>,
    /// Accepted (not assumed on the twin).
    pub role_arn: Option<String>,
    /// The state input (JSON text; absent: `{}`).
    pub input: Option<String>,
    /// INFO | DEBUG | TRACE (absent: INFO, which leaves inspection data out).
    pub inspection_level: Option<String>,
    /// Reveal secrets: accepted.
    pub reveal_secrets: Option<bool>,
    /// Variables visible to the state (JSON text of an object).
    pub variables: Option<String>,
}

/// What DescribeExecution returns (also the in-process summary of an execution).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDescription {
    /// The execution ARN.
    pub execution_arn: String,
    /// Its state machine.
    pub state_machine_arn: String,
    /// The execution name.
    pub name: String,
    /// The status.
    pub status: Status,
    /// Epoch seconds.
    pub start_date: f64,
    /// Epoch seconds, once ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_date: Option<f64>,
    /// Input JSON text.
    pub input: String,
    /// Always `{"included": true}`.
    pub input_details: Value,
    /// Output JSON text when SUCCEEDED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// `{"included": true}` with the output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_details: Option<Value>,
    /// Error name when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Cause when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Echoed from StartExecution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
    /// Always 0 (redrive is not modelled).
    pub redrive_count: u32,
    /// REDRIVABLE-style status: `NOT_REDRIVABLE` while running or succeeded, `REDRIVABLE`
    /// otherwise.
    pub redrive_status: String,
}
