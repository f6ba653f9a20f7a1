//! What starts the bootstrap on AWS:
//!
//! - [`BOOTSTRAP_REQUESTED_RULE`]: a custom event, source [`EVENT_SOURCE`], detail-type
//!   [`EVENT_DETAIL_TYPE`], whose `detail` holds the seven prerequisite ARNs. The input
//!   transformer picks the seven fields out of `detail` (`InputPathsMap`) and writes them into
//!   exactly the execution input (`InputTemplate`, placeholders unquoted so EventBridge inserts
//!   each value as a JSON string, escaped). Other fields of `detail` are ignored; a missing one
//!   becomes `null`, which ValidatePrerequisites reports by name.
//! - [`PREREQUISITES_STACK_RULE`]: CloudFormation's "CloudFormation Stack Status Change" event
//!   for the stack named by the `PrerequisitesStackName` parameter reaching CREATE_COMPLETE or
//!   UPDATE_COMPLETE (the automated environment bootstrap). That event carries no ARNs, so the
//!   input template is an `Fn::Sub` of this stack's seven ARN parameters: the execution input
//!   is fixed at deploy time. The rule exists only when the parameter is not empty.
//! - [`EVENTS_ROLE`]: the role both rules' targets use; it may call `states:StartExecution` on
//!   this state machine only.

use kdaflow_workflow::prerequisites::FIELDS;
use serde_json::{Map, Value, json};

use super::parameters::{PREREQUISITES_STACK_NAME, parameter_id};
use super::{
    BOOTSTRAP_REQUESTED_RULE, EVENTS_ROLE, HAS_PREREQUISITES_STACK, PREREQUISITES_STACK_RULE,
    STATE_MACHINE,
};
use crate::iam::{PolicyDocument, Statement};
use crate::model::intrinsic::{get_att, reference, sub};
use crate::model::{Resource, Template};

/// The custom event's source.
pub const EVENT_SOURCE: &str = "kdaflow.bootstrap";
/// The custom event's detail-type.
pub const EVENT_DETAIL_TYPE: &str = "Bootstrap Requested";
/// The stack statuses that start the bootstrap.
pub const STACK_STATUSES: [&str; 2] = ["CREATE_COMPLETE", "UPDATE_COMPLETE"];

/// The execution input template of the custom event: `{"firehose_arn": <firehose_arn>, ...}`.
pub fn event_input_template() -> String {
    let fields: Vec<String> = FIELDS
        .iter()
        .map(|(f, _)| format!("\"{f}\": <{f}>"))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// The custom event's `InputPathsMap`: each field from `$.detail.<field>`.
pub fn event_input_paths() -> Value {
    let mut m = Map::new();
    for (f, _) in FIELDS {
        m.insert(f.to_string(), json!(format!("$.detail.{f}")));
    }
    Value::Object(m)
}

/// The stack trigger's input template (for `Fn::Sub`): `{"firehose_arn": "${FirehoseArn}", ...}`.
pub fn stack_input_template() -> String {
    let fields: Vec<String> = FIELDS
        .iter()
        .map(|(f, _)| format!("\"{f}\": \"${{{}}}\"", parameter_id(f)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn target(id: &str, input_transformer: Value) -> Value {
    json!([{
        "Id": id,
        "Arn": reference(STATE_MACHINE),
        "RoleArn": get_att(EVENTS_ROLE, "Arn"),
        "InputTransformer": input_transformer,
    }])
}

/// Adds the two rules and the role EventBridge assumes.
pub fn add(t: &mut Template) {
    let role = Resource::new("AWS::IAM::Role")
        .property(
            "AssumeRolePolicyDocument",
            PolicyDocument::trust("events.amazonaws.com", true),
        )
        .property(
            "Policies",
            json!([{ "PolicyName": "start-bootstrap", "PolicyDocument": Value::from(PolicyDocument::new(vec![
                Statement::allow("StartBootstrap", ["states:StartExecution"], vec![reference(STATE_MACHINE)]),
            ])) }]),
        );
    t.resources.insert(EVENTS_ROLE.to_string(), role);

    let requested = Resource::new("AWS::Events::Rule")
        .property(
            "Description",
            format!(
                "Starts the kdaflow bootstrap on a {EVENT_SOURCE} / {EVENT_DETAIL_TYPE} event whose detail holds the prerequisite ARNs"
            ),
        )
        .property("State", "ENABLED")
        .property(
            "EventPattern",
            json!({ "source": [EVENT_SOURCE], "detail-type": [EVENT_DETAIL_TYPE] }),
        )
        .property(
            "Targets",
            target(
                "bootstrap",
                json!({ "InputPathsMap": event_input_paths(), "InputTemplate": event_input_template() }),
            ),
        );
    t.resources
        .insert(BOOTSTRAP_REQUESTED_RULE.to_string(), requested);

    let stack = Resource::new("AWS::Events::Rule")
        .condition(HAS_PREREQUISITES_STACK)
        .property(
            "Description",
            "Starts the kdaflow bootstrap when the prerequisites stack reaches CREATE_COMPLETE or UPDATE_COMPLETE",
        )
        .property("State", "ENABLED")
        .property(
            "EventPattern",
            json!({
                "source": ["aws.cloudformation"],
                "detail-type": ["CloudFormation Stack Status Change"],
                // The stack id is arn:...:stack/<name>/<uuid>: the trailing slash keeps
                // "prereqs" from matching "prereqs-old".
                "resources": [{ "prefix": sub(format!(
                    "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/${{{PREREQUISITES_STACK_NAME}}}/"
                )) }],
                "detail": { "status-details": { "status": STACK_STATUSES } },
            }),
        )
        .property(
            "Targets",
            target(
                "bootstrap",
                json!({ "InputTemplate": sub(stack_input_template()) }),
            ),
        );
    t.resources
        .insert(PREREQUISITES_STACK_RULE.to_string(), stack);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_template_produces_exactly_the_execution_input() {
        // Fill the template as EventBridge does for unquoted placeholders of string values.
        let mut text = event_input_template();
        for (f, _) in FIELDS {
            text = text.replace(&format!("<{f}>"), &format!("\"arn-{f}\""));
        }
        let input: Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = input
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, FIELDS.map(|(f, _)| f));
        for (f, _) in FIELDS {
            assert_eq!(input[f], format!("arn-{f}"));
        }
    }

    #[test]
    fn the_stack_template_is_json_once_substituted() {
        let mut text = stack_input_template();
        for (f, _) in FIELDS {
            text = text.replace(&format!("${{{}}}", parameter_id(f)), "arn:x");
        }
        let input: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(input.as_object().unwrap().len(), 7);
    }
}
