//! The eight state types.
//!
//! Each struct lists the fields its type may carry in either query language; static validation
//! ([`crate::validate`]) rejects fields that do not belong to the state's language.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Branch, Catcher, ChoiceRule, NullablePath, NumberOrExpr, QueryLanguage, Retrier};

/// One state of a machine, tagged by its `Type` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Type")]
#[allow(clippy::large_enum_variant)] // definitions are built once; boxing would hurt the API
pub enum State {
    /// `Pass`: passes (or injects) data.
    Pass(PassState),
    /// `Task`: runs a task through a [`crate::task::TaskInvoker`].
    Task(TaskState),
    /// `Choice`: branches on the input.
    Choice(ChoiceState),
    /// `Wait`: waits for a duration or until a time.
    Wait(WaitState),
    /// `Succeed`: ends successfully.
    Succeed(SucceedState),
    /// `Fail`: ends with an error.
    Fail(FailState),
    /// `Parallel`: runs branches on the same input.
    Parallel(ParallelState),
    /// `Map`: runs a processor for each item.
    Map(MapState),
}

/// A `Pass` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PassState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Free text.
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Query language of this state (absent: the machine's).
    pub query_language: Option<QueryLanguage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Next state (exclusive with `End`).
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Whether this state ends its machine.
    pub end: Option<bool>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath` (absent: `$`; null: `{}`).
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath` (absent: `$`; null: `{}`).
    pub output_path: NullablePath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Payload template applied to the effective input.
    pub parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Fixed result (absent: the effective input).
    pub result: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the result goes in the raw input (absent: `$`; null: discard).
    pub result_path: NullablePath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Variables to assign when the state exits.
    pub assign: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    pub output: Option<Value>,
}

/// A `Task` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TaskState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// The task's resource ARN.
    pub resource: String,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends its machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// JSONPath payload template for the task input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// JSONata task arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// Template applied to the raw task result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the result goes in the raw input.
    pub result_path: NullablePath,
    /// Retriers, first match decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Vec<Retrier>>,
    /// Catchers, scanned after retries are exhausted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch: Option<Vec<Catcher>>,
    /// Task timeout (absent: 99999999 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<NumberOrExpr>,
    /// Reference path to the timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds_path: Option<String>,
    /// Heartbeat interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_seconds: Option<NumberOrExpr>,
    /// Reference path to the heartbeat interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_seconds_path: Option<String>,
    /// Cross-account credentials (`RoleArn` or `RoleArn.$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Value>,
    /// Variables to assign when the state exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

/// A `Choice` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ChoiceState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Rules, evaluated in order.
    pub choices: Vec<ChoiceRule>,
    /// State to go to when no rule matches (absent: `States.NoChoiceMatched`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// Variables to assign when the state exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

/// A `Wait` state; exactly one of the four duration forms is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct WaitState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends its machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
    /// Seconds to wait (JSONata: may be an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<NumberOrExpr>,
    /// Instant to wait until (RFC 3339; JSONata: may be an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Reference path to the seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_path: Option<String>,
    /// Reference path to the timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_path: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// Variables to assign when the state exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

/// A `Succeed` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SucceedState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

/// A `Fail` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FailState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Error name (JSONata: may be an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Cause text (JSONata: may be an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Path, variable or intrinsic yielding the error name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_path: Option<String>,
    /// Path, variable or intrinsic yielding the cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_path: Option<String>,
}

/// A `Parallel` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ParallelState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// The branches; each gets the same input.
    pub branches: Vec<Branch>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends its machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// Payload template for the branches' input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// JSONata branch input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// Template applied to the array of branch outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the result goes in the raw input.
    pub result_path: NullablePath,
    /// Retriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Vec<Retrier>>,
    /// Catchers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch: Option<Vec<Catcher>>,
    /// Variables to assign when the state exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}

/// `ItemProcessor` of a Map state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemProcessor {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `{Mode: INLINE|DISTRIBUTED, ExecutionType: STANDARD|EXPRESS}` (absent: INLINE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor_config: Option<IndexMap<String, Value>>,
    /// First state of the processor.
    pub start_at: String,
    /// The processor's states.
    pub states: IndexMap<String, State>,
}

/// A `Map` state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct MapState {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language of this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// The per-item machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_processor: Option<ItemProcessor>,
    /// Legacy name of the per-item machine; like `ItemProcessor` it may carry a
    /// `ProcessorConfig` (AWS-recorded: a legacy `Iterator` with `Mode: DISTRIBUTED` runs as a
    /// Distributed Map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterator: Option<ItemProcessor>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends its machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `InputPath`.
    pub input_path: NullablePath,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// JSONPath `OutputPath`.
    pub output_path: NullablePath,
    /// Reference path to the items array (absent: `$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_path: Option<String>,
    /// JSONata items (array or expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Value>,
    /// Template for each item's input (`$$.Map.Item.*` available).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_selector: Option<Value>,
    /// Legacy name of `ItemSelector`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Distributed-mode reader (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_reader: Option<Value>,
    /// Distributed-mode batching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_batcher: Option<Value>,
    /// Distributed-mode result writer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_writer: Option<Value>,
    /// Concurrent iterations (absent or 0: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<NumberOrExpr>,
    /// Reference path to `MaxConcurrency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency_path: Option<String>,
    /// Failed items tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_count: Option<NumberOrExpr>,
    /// Reference path to the tolerated count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_count_path: Option<String>,
    /// Percentage of failed items tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_percentage: Option<NumberOrExpr>,
    /// Reference path to the tolerated percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_percentage_path: Option<String>,
    /// Map run label (distributed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Template applied to the array of iteration outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the result goes in the raw input.
    pub result_path: NullablePath,
    /// Retriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Vec<Retrier>>,
    /// Catchers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch: Option<Vec<Catcher>>,
    /// Variables to assign when the state exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata `Output` (`null` is kept: an explicit `"Output": null` makes the
    /// output `null`, AWS-recorded).
    #[serde(
        default,
        deserialize_with = "super::nullable_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Value>,
}
