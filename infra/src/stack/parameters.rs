//! The stack's parameters: the seven prerequisite ARNs (the execution input of the
//! prerequisites-stack trigger), where the Lambda code lives, the application name that scopes
//! the Kinesis Analytics permissions, and the prerequisites stack's name.

use kdaflow_workflow::prerequisites::{FIELDS, Kind};
use kdaflow_workflow::spec::ApplicationSpec;
use serde_json::json;

use crate::model::intrinsic::{Intrinsic, reference};
use crate::model::{Parameter, Template};

/// The bucket holding the zipped task functions.
pub const CODE_BUCKET: &str = "CodeBucket";
/// The key prefix of the zips (`<prefix><binary>.zip`).
pub const CODE_KEY_PREFIX: &str = "CodeKeyPrefix";
/// The application name the permissions are scoped to.
pub const APPLICATION_NAME: &str = "ApplicationName";
/// The Flink application the Flink tasks may manage.
pub const FLINK_APPLICATION_NAME: &str = "FlinkApplicationName";
/// The Flink application's service execution role (the only role the Flink create task may
/// pass).
pub const FLINK_SERVICE_ROLE: &str = "FlinkServiceExecutionRoleArn";
/// The prerequisites stack's name ("" disables that trigger).
pub const PREREQUISITES_STACK_NAME: &str = "PrerequisitesStackName";
/// Log retention for every log group.
pub const LOG_RETENTION_DAYS: &str = "LogRetentionInDays";

/// The default key prefix: a versioned prefix per release is better (see the README), because
/// CloudFormation updates a function's code only when its S3 key changes.
pub const DEFAULT_CODE_KEY_PREFIX: &str = "kdaflow/";
/// Default log retention, in days.
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 30;
/// The retention periods CloudWatch Logs accepts (a subset: the common ones).
const RETENTION_DAYS: [u32; 10] = [1, 3, 7, 14, 30, 60, 90, 180, 365, 731];

/// `firehose_arn` -> `FirehoseArn`: a prerequisite field's parameter id.
pub fn parameter_id(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The seven prerequisite field names, in the workflow's order.
pub fn field_names() -> Vec<&'static str> {
    FIELDS.iter().map(|(f, _)| *f).collect()
}

fn arn_parameter(field: &str, kind: Kind) -> Parameter {
    // A light shape check at deploy time; ValidatePrerequisites does the real validation.
    let (pattern, what) = match kind {
        Kind::FirehoseDeliveryStream => (
            "^arn:aws[a-z-]*:firehose:[a-z0-9-]+:[0-9]{12}:deliverystream/.+$",
            "a Firehose delivery stream ARN",
        ),
        Kind::KinesisStream => (
            "^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/.+$",
            "a Kinesis data stream ARN",
        ),
        Kind::LambdaFunction => (
            "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$",
            "a Lambda function ARN",
        ),
        Kind::IamRole => ("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", "an IAM role ARN"),
    };
    Parameter::string(format!(
        "Prerequisite `{field}`: {what} (the execution input of the prerequisites-stack trigger)"
    ))
    .pattern(pattern, format!("must be {what}"))
}

/// Adds the parameters (the SQL ones with `sql`, the Flink ones with `flink`) and the
/// condition on the prerequisites stack's name.
pub fn add(t: &mut Template, sql: bool, flink: bool) {
    if sql {
        for (field, kind) in FIELDS {
            t.parameters
                .insert(parameter_id(field), arn_parameter(field, kind));
        }
    }
    t.parameters.insert(
        CODE_BUCKET.to_string(),
        Parameter::string("S3 bucket holding the task zips that `kdaflow package` builds").pattern(
            "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            "must be an S3 bucket name",
        ),
    );
    t.parameters.insert(
        CODE_KEY_PREFIX.to_string(),
        Parameter::string(
            "Key prefix of the zips in CodeBucket: each function's code is <prefix><binary>.zip. \
             Use a new prefix per release so CloudFormation sees the code change",
        )
        .default(DEFAULT_CODE_KEY_PREFIX),
    );
    if sql {
        t.parameters.insert(
            APPLICATION_NAME.to_string(),
            Parameter::string(
                "The Kinesis Analytics application the tasks may manage (their permissions are \
             scoped to its ARN; an execution input's application_name must match it)",
            )
            .default(ApplicationSpec::reference().name)
            .pattern("^[a-zA-Z0-9_.-]{1,128}$", "must be 1-128 of [a-zA-Z0-9_.-]"),
        );
        t.parameters.insert(
        PREREQUISITES_STACK_NAME.to_string(),
        Parameter::string(
            "Name of the stack that creates the prerequisites: when it reaches CREATE_COMPLETE or \
             UPDATE_COMPLETE the bootstrap starts. Empty: no such trigger",
        )
        .default("")
        .pattern(
            "^([a-zA-Z][-a-zA-Z0-9]{0,127})?$",
            "must be empty or a CloudFormation stack name",
        ),
    );
    }
    t.parameters.insert(
        LOG_RETENTION_DAYS.to_string(),
        Parameter::number("Retention of every log group of the stack, in days")
            .default(DEFAULT_LOG_RETENTION_DAYS)
            .allowed(RETENTION_DAYS.iter().map(|d| json!(d))),
    );
    if flink {
        t.parameters.insert(
            FLINK_APPLICATION_NAME.to_string(),
            Parameter::string(
                "The Managed Service for Apache Flink application the Flink tasks may manage \
                 (their permissions are scoped to its ARN; the execution input's application.name \
                 must match it)",
            )
            .default(kdaflow_workflow::flink::FlinkSpec::reference("r", "0", "b", "k").name)
            .pattern("^[a-zA-Z0-9_.-]{1,128}$", "must be 1-128 of [a-zA-Z0-9_.-]"),
        );
        t.parameters.insert(
            FLINK_SERVICE_ROLE.to_string(),
            Parameter::string(
                "The Flink application's service execution role (the only role the Flink create \
                 task may pass, and only to kinesisanalytics.amazonaws.com)",
            )
            .pattern(
                "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
                "must be an IAM role ARN",
            ),
        );
    }
    if sql {
        t.conditions.insert(
            super::HAS_PREREQUISITES_STACK.to_string(),
            Intrinsic::Not(
                Intrinsic::Equals(reference(PREREQUISITES_STACK_NAME), json!("")).into(),
            )
            .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_ids_are_pascal_case_fields() {
        assert_eq!(parameter_id("firehose_arn"), "FirehoseArn");
        assert_eq!(
            parameter_id("lambda_fn_arn_invoke_ep"),
            "LambdaFnArnInvokeEp"
        );
        assert_eq!(parameter_id("iam_role_kinesis_arn"), "IamRoleKinesisArn");
        assert_eq!(parameter_id("iam_role_lambda_arn"), "IamRoleLambdaArn");
    }
}
