//! Rules: PutRule (create or update), DescribeRule, ListRules, DeleteRule, Enable/DisableRule.

use std::sync::LazyLock;

use bytes::Bytes;
use regex::Regex;
use serde_json::{Value, json};

use super::model::*;
use super::{EventBridge, EventBridgeError, check_bus, check_bus_shape, pattern};
use crate::protocol::{AwsError, CommonError, to_body};
use crate::resources::Insert;
use crate::validation::{Constraints, anchored};

/// RuleName's (and TargetId's) pattern.
pub(super) const NAME_PATTERN: &str = r"[\.\-_A-Za-z0-9]+";
pub(super) static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(NAME_PATTERN));
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

/// A required rule name member: present, 1-64 characters of `[.\-_A-Za-z0-9]`.
pub(super) fn check_name<'a>(
    c: &mut Constraints,
    path: &str,
    name: &'a Option<String>,
) -> Option<&'a String> {
    let n = c.required(path, name)?;
    c.len(path, n, 1, MAX_NAME);
    c.pattern(path, n, &NAME, NAME_PATTERN);
    Some(n)
}

pub(super) fn not_found(name: &str) -> AwsError {
    EventBridgeError::ResourceNotFound
        .with(format!("Rule {name} does not exist on EventBus default."))
}

/// Compiles a pattern or says why it is invalid, as EventBridge does.
pub fn check_pattern(text: &str) -> Result<pattern::Pattern, AwsError> {
    let mut c = Constraints::default();
    c.len("eventPattern", text, 0, MAX_PATTERN);
    c.finish()?;
    pattern::compile(text).map_err(|reason| {
        EventBridgeError::InvalidEventPattern
            .with(format!("Event pattern is not valid. Reason: {reason}"))
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
        super::ARNS.arn(&self.config, name)
    }

    /// PutRule: creates the rule or replaces its pattern, schedule, state, description and
    /// role (targets stay). Returns `{"RuleArn": ...}`.
    pub fn put_rule(&self, input: PutRuleInput) -> Result<Value, AwsError> {
        let mut c = Constraints::default();
        let name = check_name(&mut c, "name", &input.name).cloned();
        check_bus_shape(&mut c, "eventBusName", input.event_bus_name.as_deref());
        if let Some(s) = &input.schedule_expression {
            c.len("scheduleExpression", s, 0, 256);
        }
        if let Some(p) = &input.event_pattern {
            c.len("eventPattern", p, 0, MAX_PATTERN);
        }
        if let Some(state) = &input.state {
            c.one_of("state", state, &STATES);
        }
        if let Some(d) = &input.description {
            c.len("description", d, 0, 512);
        }
        if let Some(r) = &input.role_arn {
            c.len("roleArn", r, 1, 1600);
        }
        c.finish()?;
        let name = name.unwrap_or_default();
        check_bus(input.event_bus_name.as_deref())?;
        if input.event_pattern.is_none() && input.schedule_expression.is_none() {
            return Err(CommonError::Validation
                .with("Parameter(s) EventPattern or ScheduleExpression must be specified."));
        }
        let pattern = input
            .event_pattern
            .as_deref()
            .map(check_pattern)
            .transpose()?;
        if let Some(s) = &input.schedule_expression
            && !((s.starts_with("rate(") || s.starts_with("cron(")) && s.ends_with(')'))
        {
            return Err(CommonError::Validation.with("Parameter ScheduleExpression is not valid."));
        }
        let arn = self.rule_arn(&name);
        self.rules.insert(&name, |existing, _| {
            let record = RuleRecord {
                arn: arn.clone(),
                name: name.clone(),
                event_pattern: input.event_pattern,
                schedule_expression: input.schedule_expression,
                state: input.state.unwrap_or_else(|| "ENABLED".into()),
                description: input.description,
                role_arn: input.role_arn,
                targets: existing.map(|r| r.targets.clone()).unwrap_or_default(),
            };
            Ok(Insert::New(record, pattern, ()))
        })?;
        Ok(json!({ "RuleArn": arn }))
    }

    /// DescribeRule.
    pub fn describe_rule(&self, input: RuleNameInput) -> Result<Value, AwsError> {
        let name = self.named_rule(&input)?;
        self.rules.read(&name, |row| describe_json(&row.record))
    }

    /// Checks the members of an input that names a rule; returns the name.
    fn named_rule(&self, input: &RuleNameInput) -> Result<String, AwsError> {
        let mut c = Constraints::default();
        let name = check_name(&mut c, "name", &input.name).cloned();
        check_bus_shape(&mut c, "eventBusName", input.event_bus_name.as_deref());
        c.finish()?;
        check_bus(input.event_bus_name.as_deref())?;
        Ok(name.unwrap_or_default())
    }

    pub(super) fn list_rules(&self, input: ListRulesInput) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        check_bus_shape(&mut c, "eventBusName", input.event_bus_name.as_deref());
        if let Some(p) = &input.name_prefix {
            c.len("namePrefix", p, 1, MAX_NAME);
            c.pattern("namePrefix", p, &NAME, NAME_PATTERN);
        }
        if let Some(t) = &input.next_token {
            c.len("nextToken", t, 1, 2048);
        }
        if let Some(n) = input.limit {
            c.range("limit", n, 1, PAGE as i64);
        }
        c.finish()?;
        check_bus(input.event_bus_name.as_deref())?;
        let size = input.limit.map_or(PAGE, |n| n as usize);
        let prefix = input.name_prefix.unwrap_or_default();
        let scope = format!("ListRules#{prefix}");
        let start = crate::states::page_offset(&scope, input.next_token.as_deref())?;
        // Rules are listed in name order.
        let mut matching: Vec<RuleRecord> = self
            .rules
            .records()
            .into_iter()
            .filter(|r| r.name.starts_with(&prefix))
            .collect();
        matching.sort_by(|a, b| a.name.cmp(&b.name));
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(size)
            .map(describe_json)
            .collect();
        let mut out = json!({"Rules": page});
        if start + size < matching.len() {
            out["NextToken"] = json!(crate::states::page_token(&scope, start + size));
        }
        to_body(&out)
    }

    pub(super) fn delete_rule(&self, input: RuleNameInput) -> Result<Bytes, AwsError> {
        let name = self.named_rule(&input)?;
        self.rules.remove(&name, |r| {
            if r.targets.is_empty() {
                Ok(())
            } else {
                Err(CommonError::Validation.with("Rule can't be deleted since it has targets."))
            }
        })?;
        Ok(Bytes::from_static(b"{}"))
    }

    pub(super) fn set_state(&self, input: RuleNameInput, state: &str) -> Result<Bytes, AwsError> {
        let name = self.named_rule(&input)?;
        self.rules.mutate(&name, |r, _, _| {
            r.state = state.to_string();
            Ok(())
        })?;
        Ok(Bytes::from_static(b"{}"))
    }
}
