//! The stack's EventBridge rules, run through the twin's EventBridge (its event-pattern matcher
//! and input transformer follow the EventBridge user guide independently of `infra/`): the
//! documented events match, other events do not, and the execution input each rule produces
//! is exactly the seven prerequisite fields, which the workflow's own input validation accepts.

use kdaflow_infra::stack::{self, parameters};
use kdaflow_local::events::pattern;
use kdaflow_local::events::transform::{self, Context, InputTransformer};
use kdaflow_workflow::prerequisites::FIELDS;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

fn sample_arn(field: &str) -> String {
    match field {
        "firehose_arn" => format!("arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/reviews"),
        "stream_arn" => format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/counts"),
        f if f.starts_with("iam_role") => format!("arn:aws:iam::{ACCOUNT}:role/{f}"),
        f => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{f}"),
    }
}

/// Resolves what CloudFormation would at deploy time: pseudo-parameters and parameters (the
/// seven ARNs and the prerequisites stack name), through the stack's own resolver.
fn deploy(value: &Value, stack_name: &str) -> Value {
    let lookup = |name: &str| -> Option<String> {
        let fixed = match name {
            "AWS::Partition" => Some("aws"),
            "AWS::Region" => Some(REGION),
            "AWS::AccountId" => Some(ACCOUNT),
            "AWS::StackName" => Some("kdaflow"),
            n if n == parameters::PREREQUISITES_STACK_NAME => Some(stack_name),
            _ => None,
        };
        let resource = match name {
            n if n == stack::STATE_MACHINE => Some(format!(
                "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:kdaflow-bootstrap"
            )),
            n if n == format!("{}.Arn", stack::EVENTS_ROLE) => {
                Some(format!("arn:aws:iam::{ACCOUNT}:role/kdaflow-events"))
            }
            _ => None,
        };
        fixed.map(str::to_string).or(resource).or_else(|| {
            FIELDS
                .iter()
                .find(|(f, _)| parameters::parameter_id(f) == name)
                .map(|(f, _)| sample_arn(f))
        })
    };
    kdaflow_infra::model::intrinsic::resolve(value, &lookup).expect("every reference resolves")
}

fn rule(id: &str) -> (pattern::Pattern, InputTransformer) {
    let t = stack::template().to_value();
    let props = deploy(&t["Resources"][id]["Properties"], "dsoaws-prerequisites");
    let pattern = pattern::compile(&props["EventPattern"].to_string()).unwrap();
    let transformer: InputTransformer =
        serde_json::from_value(props["Targets"][0]["InputTransformer"].clone()).unwrap();
    transform::check(&transformer).unwrap();
    (pattern, transformer)
}

fn event(source: &str, detail_type: &str, resources: Value, detail: Value) -> Value {
    json!({
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type, "source": source, "account": ACCOUNT,
        "time": "2026-11-29T12:00:00Z", "region": REGION, "resources": resources, "detail": detail,
    })
}

fn execution_input(t: &InputTransformer, event: &Value) -> Value {
    let ctx = Context {
        rule_name: "r",
        rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
        ingestion_time: "2026-11-29T12:00:00Z",
    };
    let text = transform::render(t, event, ctx);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn assert_is_the_seven_fields(input: &Value) {
    let keys: Vec<&str> = input
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, FIELDS.map(|(f, _)| f));
    for (f, _) in FIELDS {
        assert_eq!(input[f], sample_arn(f));
    }
    let request = kdaflow_workflow::input::normalise(input).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        request.prerequisites.firehose_arn,
        sample_arn("firehose_arn")
    );
}

#[test]
fn a_bootstrap_requested_event_starts_an_execution_with_the_seven_arns() {
    let (pattern, transformer) = rule(stack::BOOTSTRAP_REQUESTED_RULE);
    let mut detail = serde_json::Map::new();
    for (f, _) in FIELDS {
        detail.insert(f.to_string(), json!(sample_arn(f)));
    }
    detail.insert("note".into(), json!("dropped by the transformer"));
    let e = event(
        "kdaflow.bootstrap",
        "Bootstrap Requested",
        json!([]),
        Value::Object(detail),
    );
    assert!(pattern.matches(&e));
    assert_is_the_seven_fields(&execution_input(&transformer, &e));

    let other = event("kdaflow.bootstrap", "Something Else", json!([]), json!({}));
    assert!(!pattern.matches(&other));
}

#[test]
fn the_prerequisites_stack_completing_starts_an_execution_with_the_parameter_arns() {
    let (pattern, transformer) = rule(stack::PREREQUISITES_STACK_RULE);
    let stack_event = |name: &str, status: &str| {
        let id = format!(
            "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
        );
        event(
            "aws.cloudformation",
            "CloudFormation Stack Status Change",
            json!([id]),
            json!({"stack-id": id, "status-details": {"status": status, "status-reason": ""}}),
        )
    };
    for status in ["CREATE_COMPLETE", "UPDATE_COMPLETE"] {
        let e = stack_event("dsoaws-prerequisites", status);
        assert!(pattern.matches(&e), "{status}");
        assert_is_the_seven_fields(&execution_input(&transformer, &e));
    }
    for (name, status) in [
        ("dsoaws-prerequisites", "CREATE_IN_PROGRESS"),
        ("dsoaws-prerequisites", "UPDATE_ROLLBACK_COMPLETE"),
        ("dsoaws-prerequisites-old", "CREATE_COMPLETE"),
        ("other", "CREATE_COMPLETE"),
    ] {
        assert!(
            !pattern.matches(&stack_event(name, status)),
            "{name} {status}"
        );
    }
}
