//! Typed IAM policy documents, and the least-privilege rules every statement in kdaflow's stack
//! obeys ([`violations`]):
//!
//! - no action contains `*` (no `kinesisanalytics:*`, no `logs:*`), and no `NotAction` or
//!   `NotResource` (they grant everything else);
//! - a `*` resource only on an action AWS authorises against no narrower resource, listed with
//!   the reason in [`WILDCARD_RESOURCE_ACTIONS`] (and in the template's `Metadata`);
//! - `iam:PassRole` only on the role parameters (the two prerequisite roles, the Flink
//!   application's service execution role), and only with an
//!   `iam:PassedToService` = `kinesisanalytics.amazonaws.com` condition;
//! - Kinesis Analytics actions only on an application's ARN (the SQL or the Flink one);
//! - trust policies name one AWS service principal, never `*`.

use serde::Serialize;
use serde_json::{Value, json};

/// The service that may receive the prerequisite roles.
pub const PASSED_TO_SERVICE: &str = "kinesisanalytics.amazonaws.com";

/// The logical ids of the two prerequisite role parameters (the SQL create task's
/// `iam:PassRole` targets).
pub const PASSABLE_ROLE_PARAMETERS: [&str; 2] = ["IamRoleKinesisArn", "IamRoleLambdaArn"];
/// Every role parameter any task may pass: the two prerequisite roles and the Flink
/// application's service execution role.
pub const ALL_PASSABLE_ROLE_PARAMETERS: [&str; 3] = [
    "IamRoleKinesisArn",
    "IamRoleLambdaArn",
    "FlinkServiceExecutionRoleArn",
];

/// Actions AWS authorises only against `"Resource": "*"`, with the reason. Nothing else may
/// have a `*` resource.
pub const WILDCARD_RESOURCE_ACTIONS: [(&str, &str); 12] = [
    ("xray:PutTraceSegments", XRAY),
    ("xray:PutTelemetryRecords", XRAY),
    ("xray:GetSamplingRules", XRAY),
    ("xray:GetSamplingTargets", XRAY),
    ("logs:CreateLogDelivery", LOG_DELIVERY),
    ("logs:GetLogDelivery", LOG_DELIVERY),
    ("logs:UpdateLogDelivery", LOG_DELIVERY),
    ("logs:DeleteLogDelivery", LOG_DELIVERY),
    ("logs:ListLogDeliveries", LOG_DELIVERY),
    ("logs:PutResourcePolicy", LOG_DELIVERY),
    ("logs:DescribeResourcePolicies", LOG_DELIVERY),
    ("logs:DescribeLogGroups", LOG_DELIVERY),
];

const XRAY: &str = "X-Ray's trace and sampling APIs have no resource-level permissions \
    (Service Authorization Reference: AWS X-Ray defines no resource types for these actions); \
    AWS's own AWSXRayDaemonWriteAccess policy grants them on \"*\"";
const LOG_DELIVERY: &str = "Step Functions sets up CloudWatch Logs vended-log delivery with \
    the caller's credentials; these delivery and resource-policy APIs support no resource-level \
    permissions, and the Step Functions developer guide (\"IAM policies for logging to \
    CloudWatch Logs\") requires them on \"*\"";

/// A policy document (`Version` 2012-10-17).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always `2012-10-17`, the current policy language.
    pub version: &'static str,
    /// The statements.
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// A document of statements.
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument {
            version: "2012-10-17",
            statement,
        }
    }

    /// A trust policy letting one service assume the role, from this account only where the
    /// service sets `aws:SourceAccount` (confused-deputy protection).
    pub fn trust(service: &str, source_account_condition: bool) -> Self {
        let mut statement = Statement::allow("AssumeRole", ["sts:AssumeRole"], Vec::new());
        statement.principal = Some(json!({ "Service": service }));
        if source_account_condition {
            statement.condition = Some(json!({
                "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } }
            }));
        }
        PolicyDocument::new(vec![statement])
    }
}

impl From<PolicyDocument> for Value {
    fn from(d: PolicyDocument) -> Value {
        serde_json::to_value(d).expect("a policy document always serialises")
    }
}

/// One `Allow` statement (kdaflow writes no `Deny`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// A name for people reading the policy.
    pub sid: String,
    /// Always `Allow`.
    pub effect: &'static str,
    /// Trust policies only: who may assume the role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Value>,
    /// The actions.
    pub action: Vec<String>,
    /// The resources (absent in trust policies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<Value>,
    /// Conditions (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
}

impl Statement {
    /// `Allow` `actions` on `resources`.
    pub fn allow<'a>(
        sid: &str,
        actions: impl IntoIterator<Item = &'a str>,
        resources: Vec<Value>,
    ) -> Self {
        Statement {
            sid: sid.to_string(),
            effect: "Allow",
            principal: None,
            action: actions.into_iter().map(str::to_string).collect(),
            resource: resources,
            condition: None,
        }
    }

    /// With a condition block.
    pub fn when(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }
}

fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

fn is_application_arn(resource: &Value) -> bool {
    resource.get("Fn::Sub").and_then(Value::as_str).is_some_and(|s| {
        ["ApplicationName", "FlinkApplicationName"].iter().any(|p| {
            s == format!(
                "arn:${{AWS::Partition}}:kinesisanalytics:${{AWS::Region}}:${{AWS::AccountId}}:application/${{{p}}}"
            )
        })
    })
}

fn check_statement(place: &str, s: &Value, problems: &mut Vec<String>) {
    for forbidden in ["NotAction", "NotResource", "NotPrincipal"] {
        if s.get(forbidden).is_some() {
            problems.push(format!("{place}: uses {forbidden}"));
        }
    }
    if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
        problems.push(format!("{place}: Effect is not Allow"));
    }
    let actions: Vec<String> = as_list(s.get("Action"))
        .iter()
        .map(|a| a.as_str().unwrap_or("<not a string>").to_string())
        .collect();
    if actions.is_empty() {
        problems.push(format!("{place}: no Action"));
    }
    for a in &actions {
        if a.contains('*') {
            problems.push(format!("{place}: action {a} contains *"));
        }
    }
    if let Some(principal) = s.get("Principal") {
        // A trust statement: one service, sts:AssumeRole only.
        let service = principal.get("Service").and_then(Value::as_str);
        if service.is_none_or(|svc| !svc.ends_with(".amazonaws.com")) {
            problems.push(format!(
                "{place}: principal {principal} is not one AWS service"
            ));
        }
        if actions != ["sts:AssumeRole"] {
            problems.push(format!("{place}: a trust statement allows {actions:?}"));
        }
        return;
    }
    let resources = as_list(s.get("Resource"));
    if resources.is_empty() {
        problems.push(format!("{place}: no Resource"));
    }
    if resources.iter().any(|r| r == "*") {
        for a in &actions {
            if !WILDCARD_RESOURCE_ACTIONS.iter().any(|(w, _)| w == a) {
                problems.push(format!(
                    "{place}: action {a} has a * resource but AWS offers a narrower one"
                ));
            }
        }
    }
    if actions.iter().any(|a| a == "iam:PassRole") {
        if actions.len() != 1 {
            problems.push(format!(
                "{place}: iam:PassRole shares a statement with other actions"
            ));
        }
        let allowed: Vec<Value> = ALL_PASSABLE_ROLE_PARAMETERS
            .iter()
            .map(|p| json!({ "Ref": p }))
            .collect();
        if resources.is_empty() || resources.iter().any(|r| !allowed.contains(r)) {
            problems.push(format!(
                "{place}: iam:PassRole on {resources:?}, not only the prerequisite role parameters"
            ));
        }
        let passed = s.pointer("/Condition/StringEquals/iam:PassedToService");
        if passed.and_then(Value::as_str) != Some(PASSED_TO_SERVICE) {
            problems.push(format!(
                "{place}: iam:PassRole without iam:PassedToService = {PASSED_TO_SERVICE}"
            ));
        }
    }
    if actions.iter().any(|a| a.starts_with("kinesisanalytics:"))
        && !resources.iter().all(is_application_arn)
    {
        problems.push(format!(
            "{place}: Kinesis Analytics actions on {resources:?}, not only the application's ARN"
        ));
    }
}

/// Every broken rule in a template's IAM roles (empty: all statements pass).
pub fn violations(template: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return vec!["the template has no Resources".to_string()];
    };
    for (id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        if kind.starts_with("AWS::IAM::") && kind != "AWS::IAM::Role" {
            problems.push(format!(
                "{id}: {kind} (kdaflow keeps policies inline in roles)"
            ));
        }
        if kind != "AWS::IAM::Role" {
            continue;
        }
        let props = &resource["Properties"];
        if props.get("ManagedPolicyArns").is_some() {
            problems.push(format!("{id}: managed policies are not least privilege"));
        }
        for (i, s) in as_list(props.pointer("/AssumeRolePolicyDocument/Statement"))
            .iter()
            .enumerate()
        {
            if s.get("Principal").is_none() {
                problems.push(format!("{id}: trust statement {i} has no Principal"));
            }
            check_statement(&format!("{id} trust statement {i}"), s, &mut problems);
        }
        for policy in as_list(props.get("Policies")) {
            let name = policy["PolicyName"].as_str().unwrap_or("?");
            for (i, s) in as_list(policy.pointer("/PolicyDocument/Statement"))
                .iter()
                .enumerate()
            {
                if s.get("Principal").is_some() {
                    problems.push(format!("{id} {name} statement {i}: Principal in a policy"));
                    continue;
                }
                check_statement(&format!("{id} {name} statement {i}"), s, &mut problems);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(statements: Vec<Statement>) -> Value {
        json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": Value::from(PolicyDocument::trust("lambda.amazonaws.com", false)),
            "Policies": [{"PolicyName": "p", "PolicyDocument": Value::from(PolicyDocument::new(statements))}]
        }}}})
    }

    #[test]
    fn each_rule_catches_what_it_forbids() {
        let bad = [
            Statement::allow("A", ["kinesisanalytics:*"], vec![json!("*")]),
            Statement::allow("B", ["lambda:InvokeFunction"], vec![json!("*")]),
            Statement::allow("C", ["iam:PassRole"], vec![json!("*")]),
            Statement::allow(
                "D",
                ["iam:PassRole"],
                vec![json!({"Ref": "IamRoleKinesisArn"})],
            ),
            Statement::allow("E", ["kinesisanalytics:StartApplication"], vec![json!("*")]),
        ];
        for s in bad {
            let sid = s.sid.clone();
            assert!(!violations(&role(vec![s])).is_empty(), "{sid} passed");
        }
    }

    #[test]
    fn allowed_shapes_pass() {
        let good = vec![
            Statement::allow("X", ["xray:PutTraceSegments"], vec![json!("*")]),
            Statement::allow(
                "P",
                ["iam:PassRole"],
                vec![json!({"Ref": "IamRoleLambdaArn"})],
            )
            .when(json!({"StringEquals": {"iam:PassedToService": PASSED_TO_SERVICE}})),
        ];
        assert_eq!(violations(&role(good)), Vec::<String>::new());
    }
}
