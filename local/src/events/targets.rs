//! Targets: PutTargets, ListTargetsByRule, RemoveTargets.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;

use super::model::*;
use super::{EventBridge, RuleEntry, check_bus, required, transform, validation};
use crate::protocol::{AwsError, to_body};

/// Targets per rule (service quota).
pub const MAX_TARGETS: usize = 5;
/// Targets per PutTargets call.
const MAX_PER_CALL: usize = 10;

/// Why a target cannot be used, or `None`.
fn target_problem(t: &Target) -> Result<Option<String>, AwsError> {
    let given = [
        t.input.is_some(),
        t.input_path.is_some(),
        t.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(validation(format!(
            "Target {}: only one of Input, InputPath, or InputTransformer may be specified.",
            t.id
        )));
    }
    if t.id.is_empty()
        || t.id.len() > 64
        || !t
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(validation(format!(
            "1 validation error detected: Value '{}' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
            t.id
        )));
    }
    if let Some(input) = &t.input
        && serde_json::from_str::<serde_json::Value>(input).is_err()
    {
        return Err(validation(format!(
            "Target {}: Input is not valid JSON.",
            t.id
        )));
    }
    if let Some(p) = &t.input_path
        && (!p.starts_with('$') || kdaflow_asl::path::Path::parse(p).is_err())
    {
        return Err(validation(format!(
            "Target {}: InputPath '{p}' is not a valid JSON path.",
            t.id
        )));
    }
    if let Some(tr) = &t.input_transformer {
        transform::check(tr).map_err(|e| validation(format!("Target {}: {e}", t.id)))?;
    }
    let is_state_machine = crate::states::is_state_machine_arn(&t.arn);
    Ok((!is_state_machine).then(|| {
        format!(
            "Target {} has ARN {}: the twin delivers events to Step Functions state machines (arn:aws:states:<region>:<account>:stateMachine:<name>) only",
            t.id, t.arn
        )
    }))
}

impl EventBridge {
    /// PutTargets: adds or replaces targets by id; unusable ones are failed entries.
    pub fn put_targets(&self, input: PutTargetsInput) -> Result<TargetsOutput, AwsError> {
        let rule = required("rule", &input.rule)?;
        check_bus(input.event_bus_name.as_deref())?;
        let targets = required("targets", &input.targets)?;
        if targets.is_empty() || targets.len() > MAX_PER_CALL {
            return Err(validation(format!(
                "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and {MAX_PER_CALL}"
            )));
        }
        let mut rules = self.rules.write();
        let current = rules
            .get(&rule)
            .cloned()
            .ok_or_else(|| super::rules::not_found(&rule))?;
        let mut record = current.record.clone();
        let mut failed = Vec::new();
        for t in targets {
            if let Some(why) = target_problem(&t)? {
                failed.push(FailedTarget {
                    target_id: t.id.clone(),
                    error_code: "ValidationException".into(),
                    error_message: why,
                });
                continue;
            }
            let count = record.targets.len();
            match record.targets.iter_mut().find(|x| x.id == t.id) {
                Some(existing) => *existing = t,
                None if count >= MAX_TARGETS => {
                    return Err(AwsError::client(
                        "LimitExceededException",
                        format!(
                            "The requested resource exceeds the maximum number allowed: a rule has at most {MAX_TARGETS} targets."
                        ),
                    ));
                }
                None => record.targets.push(t),
            }
        }
        self.persist(&record)?;
        rules.insert(
            rule,
            Arc::new(RuleEntry {
                record,
                pattern: current.pattern.clone(),
            }),
        );
        Ok(TargetsOutput {
            failed_entry_count: failed.len(),
            failed_entries: failed,
        })
    }

    pub(super) fn list_targets(&self, input: RuleTargetsInput) -> Result<Bytes, AwsError> {
        let rule = required("rule", &input.rule)?;
        check_bus(input.event_bus_name.as_deref())?;
        let entry = self.rule(&rule)?;
        to_body(&json!({"Targets": entry.record.targets}))
    }

    pub(super) fn remove_targets(&self, input: RuleTargetsInput) -> Result<Bytes, AwsError> {
        let rule = required("rule", &input.rule)?;
        check_bus(input.event_bus_name.as_deref())?;
        let ids = required("ids", &input.ids)?;
        let mut rules = self.rules.write();
        let current = rules
            .get(&rule)
            .cloned()
            .ok_or_else(|| super::rules::not_found(&rule))?;
        let mut record = current.record.clone();
        record.targets.retain(|t| !ids.contains(&t.id));
        self.persist(&record)?;
        rules.insert(
            rule,
            Arc::new(RuleEntry {
                record,
                pattern: current.pattern.clone(),
            }),
        );
        to_body(&TargetsOutput {
            failed_entry_count: 0,
            failed_entries: Vec::new(),
        })
    }
}
