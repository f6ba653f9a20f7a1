//! Rules: PutRule (create or update), DescribeRule, ListRules, DeleteRule, Enable/DisableRule.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::model::*;
use super::{EventBridge, RuleEntry, check_bus, pattern, required, validation};
use crate::protocol::{AwsError, to_body};

/// Longest rule name.
const MAX_NAME: usize = 64;
/// Longest event pattern (API reference: 4096 characters).
pub const MAX_PATTERN: usize = 4096;
/// Default and largest ListRules page.
const PAGE: usize = 100;
const STATES: [&str; 3] = [
    "ENABLED",
    "DISABLED",
    "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
];

fn check_name(name: &str, member: &str) -> Result<(), AwsError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and {MAX_NAME}"
        )))
    }
}

pub(super) fn not_found(name: &str) -> AwsError {
    AwsError::client(
        "ResourceNotFoundException",
        format!("Rule {name} does not exist on EventBus default."),
    )
}

/// Compiles a pattern or says why it is invalid, as EventBridge does.
pub fn check_pattern(text: &str) -> Result<pattern::Pattern, AwsError> {
    if text.chars().count() > MAX_PATTERN {
        return Err(validation(format!(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_PATTERN}"
        )));
    }
    pattern::compile(text).map_err(|reason| {
        AwsError::client(
            "InvalidEventPatternException",
            format!("Event pattern is not valid. Reason: {reason}"),
        )
    })
}

pub(super) fn describe_json(r: &RuleRecord) -> Value {
    let mut out = json!({
        "Name": r.name,
        "Arn": r.arn,
        "State": r.state,
        "EventBusName": super::DEFAULT_BUS,
    });
    for (k, v) in [
        ("EventPattern", &r.event_pattern),
        ("ScheduleExpression", &r.schedule_expression),
        ("Description", &r.description),
        ("RoleArn", &r.role_arn),
    ] {
        if let Some(v) = v {
            out[k] = json!(v);
        }
    }
    out
}

impl EventBridge {
    /// The ARN of rule `name`.
    pub fn rule_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:events:{}:{}:rule/{name}",
            self.config.region, self.config.account_id
        )
    }

    pub(super) fn rule(&self, name: &str) -> Result<Arc<RuleEntry>, AwsError> {
        self.rules
            .read()
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    /// PutRule: creates the rule or replaces its pattern, schedule, state, description and
    /// role (targets stay). Returns `{"RuleArn": ...}`.
    pub fn put_rule(&self, input: PutRuleInput) -> Result<Value, AwsError> {
        let name = required("name", &input.name)?;
        check_name(&name, "name")?;
        check_bus(input.event_bus_name.as_deref())?;
        if input.event_pattern.is_none() && input.schedule_expression.is_none() {
            return Err(validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            ));
        }
        let pattern = input
            .event_pattern
            .as_deref()
            .map(check_pattern)
            .transpose()?;
        if let Some(s) = &input.schedule_expression
            && !((s.starts_with("rate(") || s.starts_with("cron(")) && s.ends_with(')'))
        {
            return Err(validation("Parameter ScheduleExpression is not valid."));
        }
        let state = input.state.unwrap_or_else(|| "ENABLED".into());
        if !STATES.contains(&state.as_str()) {
            return Err(validation(format!(
                "1 validation error detected: Value '{state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                STATES.join(", ")
            )));
        }
        let mut rules = self.rules.write();
        let targets = rules
            .get(&name)
            .map(|r| r.record.targets.clone())
            .unwrap_or_default();
        let record = RuleRecord {
            arn: self.rule_arn(&name),
            name: name.clone(),
            event_pattern: input.event_pattern,
            schedule_expression: input.schedule_expression,
            state,
            description: input.description,
            role_arn: input.role_arn,
            targets,
        };
        self.persist(&record)?;
        let out = json!({"RuleArn": record.arn});
        rules.insert(name, Arc::new(RuleEntry { record, pattern }));
        Ok(out)
    }

    /// DescribeRule.
    pub fn describe_rule(&self, input: RuleNameInput) -> Result<Value, AwsError> {
        let name = required("name", &input.name)?;
        check_bus(input.event_bus_name.as_deref())?;
        Ok(describe_json(&self.rule(&name)?.record))
    }

    pub(super) fn list_rules(&self, input: ListRulesInput) -> Result<Bytes, AwsError> {
        check_bus(input.event_bus_name.as_deref())?;
        let size = match input.limit {
            None => PAGE,
            Some(n) if (1..=PAGE as i64).contains(&n) => n as usize,
            Some(n) => {
                return Err(validation(format!(
                    "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"
                )));
            }
        };
        let prefix = input.name_prefix.unwrap_or_default();
        let scope = format!("ListRules#{prefix}");
        let start = crate::states::page_offset(&scope, input.next_token.as_deref())?;
        let rules = self.rules.read();
        let matching: Vec<&Arc<RuleEntry>> = rules
            .values()
            .filter(|r| r.record.name.starts_with(&prefix))
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(size)
            .map(|r| describe_json(&r.record))
            .collect();
        let mut out = json!({"Rules": page});
        if start + size < matching.len() {
            out["NextToken"] = json!(crate::states::page_token(&scope, start + size));
        }
        to_body(&out)
    }

    pub(super) fn delete_rule(&self, input: RuleNameInput) -> Result<Bytes, AwsError> {
        let name = required("name", &input.name)?;
        check_bus(input.event_bus_name.as_deref())?;
        let mut rules = self.rules.write();
        if let Some(r) = rules.get(&name) {
            if !r.record.targets.is_empty() {
                return Err(validation("Rule can't be deleted since it has targets."));
            }
            self.store.delete(super::TABLE, &name).map_err(|e| {
                AwsError::named(
                    "ServiceUnavailableException",
                    format!("The deletion was not saved and has no effect: {e}"),
                )
            })?;
            rules.shift_remove(&name);
        }
        Ok(Bytes::from_static(b"{}"))
    }

    pub(super) fn set_state(&self, input: RuleNameInput, state: &str) -> Result<Bytes, AwsError> {
        let name = required("name", &input.name)?;
        check_bus(input.event_bus_name.as_deref())?;
        let mut rules = self.rules.write();
        let current = rules.get(&name).cloned().ok_or_else(|| not_found(&name))?;
        let mut record = current.record.clone();
        record.state = state.to_string();
        self.persist(&record)?;
        rules.insert(
            name,
            Arc::new(RuleEntry {
                record,
                pattern: current.pattern.clone(),
            }),
        );
        Ok(Bytes::from_static(b"{}"))
    }
}
