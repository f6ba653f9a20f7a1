//! The state machines (SQL and Flink): `DefinitionString` is `kdaflow_workflow::machine`'s
//! definition JSON
//! byte for byte (the JSON the twin runs), with `DefinitionSubstitutions` mapping each task's
//! `${...FunctionArn}` to its function's ARN. Every event is logged with execution data, and
//! X-Ray tracing is on. Each role may invoke its four functions and nothing else, plus the log
//! delivery and X-Ray actions AWS requires on `*`.

use kdaflow_workflow::contract::{TASK_FUNCTIONS, TaskFunction};
use kdaflow_workflow::machine;
use serde_json::{Map, Value, json};

use super::functions::{function_id, log_group};
use super::{
    FLINK_STATE_MACHINE, FLINK_STATE_MACHINE_LOG_GROUP, FLINK_STATE_MACHINE_ROLE, STATE_MACHINE,
    STATE_MACHINE_LOG_GROUP, STATE_MACHINE_ROLE,
};
use crate::iam::{PolicyDocument, Statement};
use crate::model::intrinsic::{get_att, sub};
use crate::model::{Resource, Template};

/// The delivery actions Step Functions needs to set up logging (resource `*`, see
/// [`crate::iam::WILDCARD_RESOURCE_ACTIONS`]).
const LOG_DELIVERY_ACTIONS: [&str; 8] = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
];

/// The X-Ray actions a traced state machine needs (AWS's managed tracing policy for Step
/// Functions grants exactly these).
const XRAY_ACTIONS: [&str; 4] = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
];

/// One of the stack's state machines: the SQL bootstrap's or the Flink bootstrap's.
#[derive(Debug, Clone, Copy)]
pub struct Machine {
    /// Its logical id.
    pub id: &'static str,
    /// Its role's logical id.
    pub role: &'static str,
    /// Its log group's logical id.
    pub log_group: &'static str,
    /// The log group name's suffix after the stack name.
    pub log_suffix: &'static str,
    /// The definition (the JSON the twin runs).
    pub definition: fn() -> String,
    /// The task functions it invokes.
    pub functions: [TaskFunction; 4],
}

/// The SQL (kinesisanalytics v1) bootstrap.
pub const SQL: Machine = Machine {
    id: STATE_MACHINE,
    role: STATE_MACHINE_ROLE,
    log_group: STATE_MACHINE_LOG_GROUP,
    log_suffix: "bootstrap",
    definition: machine::definition_json,
    functions: TASK_FUNCTIONS,
};

/// The Flink (kinesisanalyticsv2) bootstrap.
pub const FLINK: Machine = Machine {
    id: FLINK_STATE_MACHINE,
    role: FLINK_STATE_MACHINE_ROLE,
    log_group: FLINK_STATE_MACHINE_LOG_GROUP,
    log_suffix: "bootstrap-flink",
    definition: machine::flink_definition_json,
    functions: kdaflow_workflow::contract::flink::TASK_FUNCTIONS,
};

/// `DefinitionSubstitutions`: each task variable to its function's `Arn`.
pub fn substitutions(functions: &[TaskFunction]) -> Value {
    let mut m = Map::new();
    for f in functions {
        m.insert(f.variable.to_string(), get_att(&function_id(*f), "Arn"));
    }
    Value::Object(m)
}

/// Adds state machine `m`, its role and its log group.
pub fn add(t: &mut Template, m: &Machine) {
    t.resources.insert(
        m.log_group.to_string(),
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy (10 per region,
        // 5120 characters) from growing with every state machine, as the Step Functions
        // developer guide recommends.
        log_group(sub(format!(
            "/aws/vendedlogs/states/${{AWS::StackName}}-{}",
            m.log_suffix
        ))),
    );
    let invoke = Statement::allow(
        "InvokeTaskFunctions",
        ["lambda:InvokeFunction"],
        m.functions
            .iter()
            .map(|f| get_att(&function_id(*f), "Arn"))
            .collect(),
    );
    let role = Resource::new("AWS::IAM::Role")
        .property(
            "AssumeRolePolicyDocument",
            PolicyDocument::trust("states.amazonaws.com", true),
        )
        .property(
            "Policies",
            json!([{ "PolicyName": "state-machine", "PolicyDocument": Value::from(PolicyDocument::new(vec![
                invoke,
                Statement::allow("LogDelivery", LOG_DELIVERY_ACTIONS, vec![json!("*")]),
                Statement::allow("XRayTracing", XRAY_ACTIONS, vec![json!("*")]),
            ])) }]),
        );
    t.resources.insert(m.role.to_string(), role);
    let state_machine = Resource::new("AWS::StepFunctions::StateMachine")
        .property("StateMachineType", "STANDARD")
        .property("DefinitionString", (m.definition)())
        .property("DefinitionSubstitutions", substitutions(&m.functions))
        .property("RoleArn", get_att(m.role, "Arn"))
        .property(
            "LoggingConfiguration",
            json!({
                "Level": "ALL",
                "IncludeExecutionData": true,
                "Destinations": [{
                    "CloudWatchLogsLogGroup": { "LogGroupArn": get_att(m.log_group, "Arn") }
                }],
            }),
        )
        .property("TracingConfiguration", json!({ "Enabled": true }));
    t.resources.insert(m.id.to_string(), state_machine);
}
