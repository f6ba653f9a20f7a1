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

pub mod error;
pub mod model;
pub mod pattern;
mod put_events;
mod rules;
mod targets;
pub mod transform;

use std::sync::Arc;

use kdaflow_asl::clock::SharedClock;

pub use self::error::EventBridgeError;
use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::protocol::{JsonVersion, parse_body, to_body};
use crate::resources::{ArnScheme, Record, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::states::StepFunctions;
use crate::store::Store;
use crate::validation::Constraints;
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
/// How rules appear in ARNs.
pub const ARNS: ArnScheme = ArnScheme {
    service: SERVICE_NAME,
    resource: "rule/",
};

impl Record for RuleRecord {}

/// A rule's compiled pattern (none for a schedule-only rule), kept beside the stored rule.
type Compiled = Option<Pattern>;

fn compile_stored(record: &RuleRecord) -> Compiled {
    record
        .event_pattern
        .as_deref()
        .and_then(|p| pattern::compile(p).ok())
}

/// The EventBridge service of the twin.
#[derive(Debug)]
pub struct EventBridge {
    config: TwinConfig,
    clock: SharedClock,
    states: Arc<StepFunctions>,
    rules: Table<RuleRecord, Compiled>,
}

impl EventBridge {
    /// The service, with the rules found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        states: Arc<StepFunctions>,
    ) -> Result<Self, LocalError> {
        let rules = Table::load(
            TABLE,
            store,
            clock.clone(),
            rules::not_found,
            compile_stored,
        )?;
        Ok(Self {
            config,
            clock,
            states,
            rules,
        })
    }
}

impl Operations for EventBridge {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_1,
        target_prefix: TARGET_PREFIX,
    };
    /// The model's operations; the twin serves rules and targets on the default bus, PutEvents
    /// and TestEventPattern.
    const TABLE: &'static [Operation<Self>] = &[
        Operation::not_implemented("ActivateEventSource"),
        Operation::not_implemented("CancelReplay"),
        Operation::not_implemented("CreateApiDestination"),
        Operation::not_implemented("CreateArchive"),
        Operation::not_implemented("CreateConnection"),
        Operation::not_implemented("CreateEndpoint"),
        Operation::not_implemented("CreateEventBus"),
        Operation::not_implemented("CreatePartnerEventSource"),
        Operation::not_implemented("DeactivateEventSource"),
        Operation::not_implemented("DeauthorizeConnection"),
        Operation::not_implemented("DeleteApiDestination"),
        Operation::not_implemented("DeleteArchive"),
        Operation::not_implemented("DeleteConnection"),
        Operation::not_implemented("DeleteEndpoint"),
        Operation::not_implemented("DeleteEventBus"),
        Operation::not_implemented("DeletePartnerEventSource"),
        Operation::sync("DeleteRule", |s, b| s.delete_rule(parse_body(b)?)),
        Operation::not_implemented("DescribeApiDestination"),
        Operation::not_implemented("DescribeArchive"),
        Operation::not_implemented("DescribeConnection"),
        Operation::not_implemented("DescribeEndpoint"),
        Operation::not_implemented("DescribeEventBus"),
        Operation::not_implemented("DescribeEventSource"),
        Operation::not_implemented("DescribePartnerEventSource"),
        Operation::not_implemented("DescribeReplay"),
        Operation::sync("DescribeRule", |s, b| {
            to_body(&s.describe_rule(parse_body(b)?)?)
        }),
        Operation::sync("DisableRule", |s, b| {
            s.set_state(parse_body(b)?, "DISABLED")
        }),
        Operation::sync("EnableRule", |s, b| s.set_state(parse_body(b)?, "ENABLED")),
        Operation::not_implemented("ListApiDestinations"),
        Operation::not_implemented("ListArchives"),
        Operation::not_implemented("ListConnections"),
        Operation::not_implemented("ListEndpoints"),
        Operation::not_implemented("ListEventBuses"),
        Operation::not_implemented("ListEventSources"),
        Operation::not_implemented("ListPartnerEventSourceAccounts"),
        Operation::not_implemented("ListPartnerEventSources"),
        Operation::not_implemented("ListReplays"),
        Operation::not_implemented("ListRuleNamesByTarget"),
        Operation::sync("ListRules", |s, b| s.list_rules(parse_body(b)?)),
        Operation::not_implemented("ListTagsForResource"),
        Operation::sync("ListTargetsByRule", |s, b| s.list_targets(parse_body(b)?)),
        Operation::sync("PutEvents", |s, b| to_body(&s.put_events(parse_body(b)?)?)),
        Operation::not_implemented("PutPartnerEvents"),
        Operation::not_implemented("PutPermission"),
        Operation::sync("PutRule", |s, b| to_body(&s.put_rule(parse_body(b)?)?)),
        Operation::sync("PutTargets", |s, b| {
            to_body(&s.put_targets(parse_body(b)?)?)
        }),
        Operation::not_implemented("RemovePermission"),
        Operation::sync("RemoveTargets", |s, b| s.remove_targets(parse_body(b)?)),
        Operation::not_implemented("StartReplay"),
        Operation::not_implemented("TagResource"),
        Operation::sync("TestEventPattern", |s, b| {
            s.test_event_pattern(parse_body(b)?)
        }),
        Operation::not_implemented("UntagResource"),
        Operation::not_implemented("UpdateApiDestination"),
        Operation::not_implemented("UpdateArchive"),
        Operation::not_implemented("UpdateConnection"),
        Operation::not_implemented("UpdateEndpoint"),
        Operation::not_implemented("UpdateEventBus"),
    ];
}

/// EventBusNameOrArn's pattern (the model's).
const BUS_PATTERN: &str =
    r"(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\/\.\-_A-Za-z0-9]+";

/// Checks an `EventBusName` member's shape (1-1600 characters of the model's pattern).
pub(crate) fn check_bus_shape(c: &mut Constraints, path: &str, bus: Option<&str>) {
    static RE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| crate::validation::anchored(BUS_PATTERN));
    if let Some(b) = bus {
        c.len(path, b, 1, 1600);
        c.pattern(path, b, &RE, BUS_PATTERN);
    }
}

/// Refuses event buses other than the default one (the twin has only that one).
pub(crate) fn check_bus(bus: Option<&str>) -> Result<(), crate::protocol::AwsError> {
    match bus {
        None | Some(DEFAULT_BUS) => Ok(()),
        Some(b) if b.ends_with(":event-bus/default") => Ok(()),
        Some(b) => Err(EventBridgeError::ResourceNotFound.with(format!(
            "Event bus {b} does not exist. (The twin has only the default event bus.)"
        ))),
    }
}
