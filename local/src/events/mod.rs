//! Amazon EventBridge (`AWSEvents`, awsJson1_1) on the twin: rules on the default event bus,
//! Step Functions targets, PutEvents and TestEventPattern.
//!
//! Layout:
//! - [`pattern`]: the event-pattern language (compile with validation, match).
//! - [`transform`]: target input (Input, InputPath, InputTransformer).
//! - `rules`: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule.
//! - `targets`: PutTargets, ListTargetsByRule, RemoveTargets.
//! - `put_events`: PutEvents (every matching ENABLED rule starts its state machine targets
//!   through the states service) and TestEventPattern.
//!
//! In-process use: [`EventBridge::put_rule`], [`EventBridge::put_targets`] and
//! [`EventBridge::put_events`] take the wire shapes of [`model`].

pub mod model;
pub mod pattern;
mod put_events;
mod rules;
mod targets;
pub mod transform;

use std::sync::Arc;

use bytes::Bytes;
use indexmap::IndexMap;
use kdaflow_asl::clock::SharedClock;
use parking_lot::RwLock;

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::protocol::{AwsError, JsonVersion, parse_body, to_body};
use crate::states::StepFunctions;
use crate::store::Store;
use model::RuleRecord;
use pattern::Pattern;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "AWSEvents";
/// The service name.
pub const SERVICE_NAME: &str = "events";
/// The store table of rules (with their targets), keyed by name.
const TABLE: &str = "events.rules";
/// The only event bus the twin has.
pub const DEFAULT_BUS: &str = "default";

/// A rule and its compiled pattern.
#[derive(Debug)]
struct RuleEntry {
    record: RuleRecord,
    pattern: Option<Pattern>,
}

/// The EventBridge service of the twin.
#[derive(Debug)]
pub struct EventBridge {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    states: Arc<StepFunctions>,
    rules: RwLock<IndexMap<String, Arc<RuleEntry>>>,
}

impl EventBridge {
    /// The service, with the rules found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        states: Arc<StepFunctions>,
    ) -> Result<Self, LocalError> {
        let mut rules = IndexMap::new();
        for (name, record) in store.load_all::<RuleRecord>(TABLE)? {
            let pattern = record
                .event_pattern
                .as_deref()
                .and_then(|p| pattern::compile(p).ok());
            rules.insert(name, Arc::new(RuleEntry { record, pattern }));
        }
        Ok(Self {
            config,
            clock,
            store,
            states,
            rules: RwLock::new(rules),
        })
    }

    fn persist(&self, r: &RuleRecord) -> Result<(), AwsError> {
        self.store.put(TABLE, &r.name, r).map_err(|e| {
            AwsError::named(
                "ServiceUnavailableException",
                format!("The change was not saved and has no effect: {e}"),
            )
        })
    }

    fn dispatch(&self, operation: &str, body: &[u8]) -> Result<Bytes, AwsError> {
        match operation {
            "PutRule" => to_body(&self.put_rule(parse_body(body)?)?),
            "DescribeRule" => to_body(&self.describe_rule(parse_body(body)?)?),
            "ListRules" => self.list_rules(parse_body(body)?),
            "DeleteRule" => self.delete_rule(parse_body(body)?),
            "EnableRule" => self.set_state(parse_body(body)?, "ENABLED"),
            "DisableRule" => self.set_state(parse_body(body)?, "DISABLED"),
            "PutTargets" => to_body(&self.put_targets(parse_body(body)?)?),
            "ListTargetsByRule" => self.list_targets(parse_body(body)?),
            "RemoveTargets" => self.remove_targets(parse_body(body)?),
            "PutEvents" => to_body(&self.put_events(parse_body(body)?)?),
            "TestEventPattern" => self.test_event_pattern(parse_body(body)?),
            other => Err(AwsError::unknown_operation(&format!(
                "{TARGET_PREFIX}.{other}"
            ))),
        }
    }
}

crate::sync_service!(EventBridge, SERVICE_NAME, TARGET_PREFIX, JsonVersion::V1_1);

/// `ValidationException`.
pub(crate) fn validation(message: impl Into<String>) -> AwsError {
    AwsError::client("ValidationException", message)
}

/// A required member, or a `ValidationException` naming it.
pub(crate) fn required<T: Clone>(name: &str, v: &Option<T>) -> Result<T, AwsError> {
    v.clone().ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// Refuses event buses other than the default one (the twin has only that one).
pub(crate) fn check_bus(bus: Option<&str>) -> Result<(), AwsError> {
    match bus {
        None | Some(DEFAULT_BUS) => Ok(()),
        Some(b) if b.ends_with(":event-bus/default") => Ok(()),
        Some(b) => Err(AwsError::client(
            "ResourceNotFoundException",
            format!("Event bus {b} does not exist. (The twin has only the default event bus.)"),
        )),
    }
}
