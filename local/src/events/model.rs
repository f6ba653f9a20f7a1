//! Wire shapes of the EventBridge API (PascalCase members), also the in-process API.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::transform::InputTransformer;

/// A rule as stored (with its targets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRecord {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Pattern text, as given.
    pub event_pattern: Option<String>,
    /// Schedule expression, as given (kept; schedules do not fire on the twin).
    pub schedule_expression: Option<String>,
    /// ENABLED | DISABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
    pub state: String,
    /// Description.
    pub description: Option<String>,
    /// Role.
    pub role_arn: Option<String>,
    /// Targets, in the order they were put.
    pub targets: Vec<Target>,
}

/// PutRule input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutRuleInput {
    /// 1-64 of `[.\-_A-Za-z0-9]`.
    pub name: Option<String>,
    /// The pattern (JSON text).
    pub event_pattern: Option<String>,
    /// `rate(...)` / `cron(...)`.
    pub schedule_expression: Option<String>,
    /// Absent: ENABLED.
    pub state: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Role.
    pub role_arn: Option<String>,
    /// Accepted and ignored.
    pub tags: Option<Value>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
}

/// An input naming a rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RuleNameInput {
    /// The rule.
    pub name: Option<String>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
    /// DeleteRule's Force (managed rules are not modelled).
    pub force: Option<bool>,
}

/// ListRules input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListRulesInput {
    /// Only rules whose name starts with this.
    pub name_prefix: Option<String>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
    /// From the previous page.
    pub next_token: Option<String>,
    /// Page size (1-100; default 100).
    pub limit: Option<i64>,
}

/// A target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Target {
    /// 1-64 of `[.\-_A-Za-z0-9]`.
    pub id: String,
    /// A state machine ARN (the twin delivers to Step Functions).
    pub arn: String,
    /// Role used to start executions (not assumed on the twin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Static input (JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// JSONPath into the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
    /// Template input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    /// Kept and echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<Value>,
    /// Kept and echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<Value>,
}

/// PutTargets input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutTargetsInput {
    /// The rule.
    pub rule: Option<String>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
    /// Targets (1-10 per call, at most 5 per rule).
    pub targets: Option<Vec<Target>>,
}

/// A per-entry failure of PutTargets/RemoveTargets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedTarget {
    /// The target.
    pub target_id: String,
    /// Error code.
    pub error_code: String,
    /// Error message.
    pub error_message: String,
}

/// PutTargets / RemoveTargets output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetsOutput {
    /// How many failed.
    pub failed_entry_count: usize,
    /// Which failed and why.
    pub failed_entries: Vec<FailedTarget>,
}

/// RemoveTargets / ListTargetsByRule input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RuleTargetsInput {
    /// The rule.
    pub rule: Option<String>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
    /// Target ids to remove.
    pub ids: Option<Vec<String>>,
    /// Accepted.
    pub force: Option<bool>,
    /// Accepted (all targets fit one page).
    pub next_token: Option<String>,
    /// Accepted.
    pub limit: Option<i64>,
}

/// One PutEvents entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutEventsEntry {
    /// `source`.
    pub source: Option<String>,
    /// `detail-type`.
    pub detail_type: Option<String>,
    /// `detail` (JSON object text).
    pub detail: Option<String>,
    /// `resources`.
    pub resources: Option<Vec<String>>,
    /// Only the default bus.
    pub event_bus_name: Option<String>,
    /// `time` (epoch seconds); absent: now.
    pub time: Option<f64>,
    /// Accepted.
    pub trace_header: Option<String>,
}

/// PutEvents input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutEventsInput {
    /// 1-10 entries.
    pub entries: Option<Vec<PutEventsEntry>>,
    /// Global endpoints are not modelled.
    pub endpoint_id: Option<String>,
}

/// One PutEvents result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsResultEntry {
    /// The event id, on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Error code, on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Error message, on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// PutEvents output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsOutput {
    /// How many entries failed.
    pub failed_entry_count: usize,
    /// One result per entry, in order.
    pub entries: Vec<PutEventsResultEntry>,
}

/// TestEventPattern input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TestEventPatternInput {
    /// The pattern.
    pub event_pattern: Option<String>,
    /// The event (JSON text with the envelope fields).
    pub event: Option<String>,
}
