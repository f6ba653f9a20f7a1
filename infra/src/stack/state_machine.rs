//! The state machine: `DefinitionString` is `kdaflow_workflow::machine::definition_json()`
//! byte for byte (the JSON the twin runs), with `DefinitionSubstitutions` mapping each task's
//! `${...FunctionArn}` to its function's ARN. Every event is logged with execution data, and
//! X-Ray tracing is on. Its role may invoke the four functions and nothing else, plus the log
//! delivery and X-Ray actions AWS requires on `*`.

use kdaflow_workflow::contract::TASK_FUNCTIONS;
use kdaflow_workflow::machine;
use serde_json::{Map, Value, json};

use super::functions::{function_id, log_group};
use super::{STATE_MACHINE, STATE_MACHINE_LOG_GROUP, STATE_MACHINE_ROLE};
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

/// `DefinitionSubstitutions`: each task variable to its function's `Arn`.
pub fn substitutions() -> Value {
    let mut m = Map::new();
    for f in TASK_FUNCTIONS {
        m.insert(f.variable.to_string(), get_att(&function_id(f), "Arn"));
    }
    Value::Object(m)
}

/// Adds the state machine, its role and its log group.
pub fn add(t: &mut Template) {
    t.resources.insert(
        STATE_MACHINE_LOG_GROUP.to_string(),
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy (10 per region,
        // 5120 characters) from growing with every state machine, as the Step Functions
        // developer guide recommends.
        log_group(sub("/aws/vendedlogs/states/${AWS::StackName}-bootstrap")),
    );
    let invoke = Statement::allow(
        "InvokeTaskFunctions",
        ["lambda:InvokeFunction"],
        TASK_FUNCTIONS
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
    t.resources.insert(STATE_MACHINE_ROLE.to_string(), role);
    let state_machine = Resource::new("AWS::StepFunctions::StateMachine")
        .property("StateMachineType", "STANDARD")
        .property("DefinitionString", machine::definition_json())
        .property("DefinitionSubstitutions", substitutions())
        .property("RoleArn", get_att(STATE_MACHINE_ROLE, "Arn"))
        .property(
            "LoggingConfiguration",
            json!({
                "Level": "ALL",
                "IncludeExecutionData": true,
                "Destinations": [{
                    "CloudWatchLogsLogGroup": { "LogGroupArn": get_att(STATE_MACHINE_LOG_GROUP, "Arn") }
                }],
            }),
        )
        .property("TracingConfiguration", json!({ "Enabled": true }));
    t.resources.insert(STATE_MACHINE.to_string(), state_machine);
}
