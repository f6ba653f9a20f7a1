//! Targets: PutTargets, ListTargetsByRule, RemoveTargets.

use bytes::Bytes;
use serde_json::json;

use super::model::*;
use super::rules::{NAME, NAME_PATTERN, check_name};
use super::{EventBridge, EventBridgeError, check_bus, check_bus_shape, transform};
use crate::protocol::{AwsError, CommonError, to_body};
use crate::validation::Constraints;

/// Targets per rule (service quota).
pub const MAX_TARGETS: usize = 5;
/// Targets per PutTargets call.
const MAX_PER_CALL: usize = 10;

/// The model's constraints on one target's members.
fn check_target_shape(c: &mut Constraints, path: &str, t: &Target) {
    let id = format!("{path}.id");
    c.len(&id, &t.id, 1, 64);
    if !t.id.is_empty() {
        c.pattern(&id, &t.id, &NAME, NAME_PATTERN);
    }
    c.len(&format!("{path}.arn"), &t.arn, 1, 1600);
    if let Some(r) = &t.role_arn {
        c.len(&format!("{path}.roleArn"), r, 1, 1600);
    }
    if let Some(i) = &t.input {
        c.len(&format!("{path}.input"), i, 0, 8192);
    }
    if let Some(p) = &t.input_path {
        c.len(&format!("{path}.inputPath"), p, 0, 256);
    }
}

/// Why a target cannot be used, or `None`.
fn target_problem(t: &Target) -> Result<Option<String>, AwsError> {
    let validation = |m: String| CommonError::Validation.with(m);
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
        let mut c = Constraints::default();
        let rule = check_name(&mut c, "rule", &input.rule).cloned();
        check_bus_shape(&mut c, "eventBusName", input.event_bus_name.as_deref());
        if let Some(targets) = c.required("targets", &input.targets) {
            c.list_len("targets", targets.len(), 1, MAX_PER_CALL);
            for (i, t) in targets.iter().enumerate() {
                check_target_shape(&mut c, &format!("targets.{}.member", i + 1), t);
            }
        }
        c.finish()?;
        let rule = rule.unwrap_or_default();
        check_bus(input.event_bus_name.as_deref())?;
        let targets = input.targets.unwrap_or_default();
        let mut failed = Vec::new();
        let mut usable = Vec::new();
        for t in targets {
            match target_problem(&t)? {
                Some(why) => failed.push(FailedTarget {
                    target_id: t.id.clone(),
                    error_code: CommonError::Validation.name().into(),
                    error_message: why,
                }),
                None => usable.push(t),
            }
        }
        self.rules.mutate(&rule, |record, _, _| {
            for t in usable {
                let count = record.targets.len();
                match record.targets.iter_mut().find(|x| x.id == t.id) {
                    Some(existing) => *existing = t,
                    None if count >= MAX_TARGETS => {
                        return Err(EventBridgeError::LimitExceeded.with(format!(
                            "The requested resource exceeds the maximum number allowed: a rule has at most {MAX_TARGETS} targets."
                        )));
                    }
                    None => record.targets.push(t),
                }
            }
            Ok(())
        })?;
        Ok(TargetsOutput {
            failed_entry_count: failed.len(),
            failed_entries: failed,
        })
    }

    fn targets_input(input: &RuleTargetsInput, ids_required: bool) -> Result<String, AwsError> {
        let mut c = Constraints::default();
        let rule = check_name(&mut c, "rule", &input.rule).cloned();
        check_bus_shape(&mut c, "eventBusName", input.event_bus_name.as_deref());
        if ids_required && let Some(ids) = c.required("ids", &input.ids) {
            c.list_len("ids", ids.len(), 1, 100);
            for (i, id) in ids.iter().enumerate() {
                let p = format!("ids.{}.member", i + 1);
                c.len(&p, id, 1, 64);
                c.pattern(&p, id, &NAME, NAME_PATTERN);
            }
        }
        if let Some(n) = input.limit {
            c.range("limit", n, 1, 100);
        }
        c.finish()?;
        check_bus(input.event_bus_name.as_deref())?;
        Ok(rule.unwrap_or_default())
    }

    pub(super) fn list_targets(&self, input: RuleTargetsInput) -> Result<Bytes, AwsError> {
        let rule = Self::targets_input(&input, false)?;
        let targets = self.rules.read(&rule, |row| row.record.targets.clone())?;
        to_body(&json!({"Targets": targets}))
    }

    pub(super) fn remove_targets(&self, input: RuleTargetsInput) -> Result<Bytes, AwsError> {
        let rule = Self::targets_input(&input, true)?;
        let ids = input.ids.unwrap_or_default();
        self.rules.mutate(&rule, |record, _, _| {
            record.targets.retain(|t| !ids.contains(&t.id));
            Ok(())
        })?;
        to_body(&TargetsOutput {
            failed_entry_count: 0,
            failed_entries: Vec::new(),
        })
    }
}
