//! The seven prerequisite ARNs and their validation.
//!
//! Each ARN must parse, name the right kind of resource with a valid name, and agree with the
//! others where the service requires it: Kinesis Analytics reads from and writes to resources
//! in its own region and account, and the IAM roles it assumes belong to that account. Every
//! problem is reported at once, naming the field, the value and the reason.

use serde::{Deserialize, Serialize};

use crate::arn::{Arn, is_region};

/// The prerequisite ARNs (the reference notebook's `%store` variables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Prerequisites {
    /// The Firehose delivery stream the application reads.
    pub firehose_arn: String,
    /// The role Kinesis Analytics assumes to read the input and write Kinesis outputs.
    pub iam_role_kinesis_arn: String,
    /// The Kinesis stream that receives the distinct counts.
    pub stream_arn: String,
    /// The function that receives the average ratings (CloudWatch metrics).
    pub lambda_fn_arn_cloudwatch: String,
    /// The function that receives the anomaly scores (SNS notifications).
    pub lambda_fn_arn_sns: String,
    /// The role Kinesis Analytics assumes to invoke the Lambda functions.
    pub iam_role_lambda_arn: String,
    /// The input preprocessing function.
    pub lambda_fn_arn_invoke_ep: String,
}

/// What a prerequisite must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `firehose:deliverystream/<name>`.
    FirehoseDeliveryStream,
    /// `kinesis:stream/<name>`.
    KinesisStream,
    /// `lambda:function:<name>[:<version or alias>]`.
    LambdaFunction,
    /// `iam::role/[<path>/]<name>`.
    IamRole,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::FirehoseDeliveryStream => {
                "a Kinesis Data Firehose delivery stream (arn:aws:firehose:<region>:<account>:deliverystream/<name>)"
            }
            Kind::KinesisStream => {
                "a Kinesis data stream (arn:aws:kinesis:<region>:<account>:stream/<name>)"
            }
            Kind::LambdaFunction => {
                "a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>])"
            }
            Kind::IamRole => "an IAM role (arn:aws:iam::<account>:role/<name>)",
        }
    }
}

/// The prerequisite fields with their kinds, in the notebook's order.
pub const FIELDS: [(&str, Kind); 7] = [
    ("firehose_arn", Kind::FirehoseDeliveryStream),
    ("iam_role_kinesis_arn", Kind::IamRole),
    ("stream_arn", Kind::KinesisStream),
    ("lambda_fn_arn_cloudwatch", Kind::LambdaFunction),
    ("lambda_fn_arn_sns", Kind::LambdaFunction),
    ("iam_role_lambda_arn", Kind::IamRole),
    ("lambda_fn_arn_invoke_ep", Kind::LambdaFunction),
];

/// One problem with one prerequisite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The input field.
    pub field: String,
    /// Its value (or `null` when missing).
    pub value: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{} = {v:?}: {}", self.field, self.reason),
            None => write!(f, "{}: {}", self.field, self.reason),
        }
    }
}

fn name_ok(name: &str, max: usize, extra: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// Checks one ARN against its kind; returns the parsed ARN or the reason.
pub fn check(kind: Kind, text: &str) -> Result<Arn, String> {
    let arn = Arn::parse(text)?;
    let wrong = || format!("is not {}", kind.describe());
    match kind {
        Kind::FirehoseDeliveryStream => {
            let name = arn
                .resource
                .strip_prefix("deliverystream/")
                .filter(|_| arn.service == "firehose");
            let Some(name) = name else {
                return Err(wrong());
            };
            if !name_ok(name, 64, "_.-") {
                return Err(format!(
                    "has delivery stream name {name:?}; names are 1-64 of [a-zA-Z0-9_.-]"
                ));
            }
        }
        Kind::KinesisStream => {
            let name = arn
                .resource
                .strip_prefix("stream/")
                .filter(|_| arn.service == "kinesis");
            let Some(name) = name else {
                return Err(wrong());
            };
            if !name_ok(name, 128, "_.-") {
                return Err(format!(
                    "has stream name {name:?}; names are 1-128 of [a-zA-Z0-9_.-]"
                ));
            }
        }
        Kind::LambdaFunction => {
            let rest = arn
                .resource
                .strip_prefix("function:")
                .filter(|_| arn.service == "lambda");
            let Some(rest) = rest else {
                return Err(wrong());
            };
            let (name, qualifier) = match rest.split_once(':') {
                Some((n, q)) => (n, Some(q)),
                None => (rest, None),
            };
            if !name_ok(name, 64, "_-") {
                return Err(format!(
                    "has function name {name:?}; names are 1-64 of [a-zA-Z0-9_-]"
                ));
            }
            if let Some(q) = qualifier
                && !(q == "$LATEST" || name_ok(q, 128, "_-"))
            {
                return Err(format!(
                    "has qualifier {q:?}; a qualifier is a version number, $LATEST or an alias of [a-zA-Z0-9_-]"
                ));
            }
        }
        Kind::IamRole => {
            let rest = arn
                .resource
                .strip_prefix("role/")
                .filter(|_| arn.service == "iam");
            let Some(rest) = rest else {
                return Err(wrong());
            };
            if !arn.region.is_empty() {
                return Err(format!(
                    "has region {:?}; IAM ARNs have none (arn:aws:iam::<account>:role/<name>)",
                    arn.region
                ));
            }
            let name = rest.rsplit('/').next().unwrap_or_default();
            if !name_ok(name, 64, "+=,.@_-") {
                return Err(format!(
                    "has role name {name:?}; names are 1-64 of [a-zA-Z0-9+=,.@_-]"
                ));
            }
        }
    }
    if kind != Kind::IamRole && !is_region(&arn.region) {
        return Err(format!(
            "has region {:?}, which is not an AWS region",
            arn.region
        ));
    }
    Ok(arn)
}

/// Validates the prerequisites (given as optional strings, so that a missing one is reported
/// like any other problem). Returns every problem.
pub fn validate(values: &[(&str, Option<&str>)]) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parsed: Vec<(&str, Kind, Arn)> = Vec::new();
    for (field, kind) in FIELDS {
        let value = values
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, v)| *v);
        match value {
            None => problems.push(Problem {
                field: field.into(),
                value: None,
                reason: format!("is missing; give {}", kind.describe()),
            }),
            Some(v) => match check(kind, v) {
                Ok(arn) => parsed.push((field, kind, arn)),
                Err(reason) => problems.push(Problem {
                    field: field.into(),
                    value: Some(v.into()),
                    reason,
                }),
            },
        }
    }
    // Agreement: the first well-formed regional resource sets the region, the first ARN the
    // partition and account.
    let reference = parsed.first().map(|(f, _, a)| (*f, a.clone()));
    let regional = parsed
        .iter()
        .find(|(_, k, _)| *k != Kind::IamRole)
        .map(|(f, _, a)| (*f, a.clone()));
    for (field, kind, arn) in &parsed {
        if let Some((rf, r)) = &reference {
            if arn.partition != r.partition {
                problems.push(Problem {
                    field: (*field).into(),
                    value: Some(arn.to_string()),
                    reason: format!("is in partition {} but {rf} is in {}; all prerequisites must share a partition", arn.partition, r.partition),
                });
            }
            if arn.account != r.account {
                problems.push(Problem {
                    field: (*field).into(),
                    value: Some(arn.to_string()),
                    reason: format!("is in account {} but {rf} is in {}; the application uses resources and roles of its own account", arn.account, r.account),
                });
            }
        }
        if let Some((rf, r)) = &regional
            && *kind != Kind::IamRole
            && arn.region != r.region
        {
            problems.push(Problem {
                field: (*field).into(),
                value: Some(arn.to_string()),
                reason: format!("is in {} but {rf} is in {}; a Kinesis Analytics application reads and writes resources of its own region", arn.region, r.region),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

impl Prerequisites {
    /// The fields as (name, value) pairs.
    pub fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("firehose_arn", &self.firehose_arn),
            ("iam_role_kinesis_arn", &self.iam_role_kinesis_arn),
            ("stream_arn", &self.stream_arn),
            ("lambda_fn_arn_cloudwatch", &self.lambda_fn_arn_cloudwatch),
            ("lambda_fn_arn_sns", &self.lambda_fn_arn_sns),
            ("iam_role_lambda_arn", &self.iam_role_lambda_arn),
            ("lambda_fn_arn_invoke_ep", &self.lambda_fn_arn_invoke_ep),
        ]
    }

    /// The value of a field by name.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.pairs()
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }

    /// The region of the regional prerequisites (the application's region).
    pub fn region(&self) -> Option<String> {
        Arn::parse(&self.firehose_arn).ok().map(|a| a.region)
    }

    /// The prerequisites of the reference notebook, in `region` and `account` (what `kdaflow
    /// up` registers stand-ins for).
    pub fn example(region: &str, account: &str) -> Self {
        Self {
            firehose_arn: format!(
                "arn:aws:firehose:{region}:{account}:deliverystream/dsoaws-kinesis-data-firehose"
            ),
            iam_role_kinesis_arn: format!("arn:aws:iam::{account}:role/DSOAWS_Kinesis"),
            stream_arn: format!(
                "arn:aws:kinesis:{region}:{account}:stream/dsoaws-kinesis-data-stream"
            ),
            lambda_fn_arn_cloudwatch: format!(
                "arn:aws:lambda:{region}:{account}:function:DeliverKinesisAnalyticsToCloudWatch"
            ),
            lambda_fn_arn_sns: format!(
                "arn:aws:lambda:{region}:{account}:function:PushNotificationToSNS"
            ),
            iam_role_lambda_arn: format!("arn:aws:iam::{account}:role/DSOAWS_Lambda"),
            lambda_fn_arn_invoke_ep: format!(
                "arn:aws:lambda:{region}:{account}:function:InvokeSageMakerEndpointFromKinesis"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(p: &Prerequisites) -> Vec<(&str, Option<&str>)> {
        p.pairs().into_iter().map(|(f, v)| (f, Some(v))).collect()
    }

    #[test]
    fn the_example_is_valid() {
        let p = Prerequisites::example("us-east-1", "123456789012");
        assert_eq!(validate(&values(&p)), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut p = Prerequisites::example("us-east-1", "123456789012");
        p.firehose_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/x".into();
        p.lambda_fn_arn_sns = "arn:aws:lambda:eu-west-1:123456789012:function:sns".into();
        p.iam_role_lambda_arn = "arn:aws:iam::999999999999:role/r".into();
        let mut v = values(&p);
        v.retain(|(f, _)| *f != "stream_arn");
        let problems = validate(&v).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 4, "{text:#?}");
        assert!(
            text[0].starts_with("firehose_arn = \"arn:aws:kinesis"),
            "{text:#?}"
        );
        assert!(text[1].starts_with("stream_arn: is missing"), "{text:#?}");
        assert!(
            text.iter()
                .any(|t| t.contains("lambda_fn_arn_sns") && t.contains("eu-west-1"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("iam_role_lambda_arn") && t.contains("account 999999999999"))
        );
    }

    #[test]
    fn kinds_and_names() {
        assert!(
            check(
                Kind::LambdaFunction,
                "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"
            )
            .is_ok()
        );
        assert!(
            check(
                Kind::LambdaFunction,
                "arn:aws:lambda:us-east-1:123456789012:function:f:7"
            )
            .is_ok()
        );
        assert!(
            check(
                Kind::LambdaFunction,
                "arn:aws:lambda:us-east-1:123456789012:function:f:bad alias"
            )
            .is_err()
        );
        assert!(check(Kind::IamRole, "arn:aws:iam::123456789012:role/path/to/r").is_ok());
        assert!(
            check(Kind::IamRole, "arn:aws:iam:us-east-1:123456789012:role/r")
                .unwrap_err()
                .contains("region")
        );
        assert!(
            check(Kind::IamRole, "arn:aws:iam::123456789012:user/u")
                .unwrap_err()
                .contains("IAM role")
        );
        assert!(
            check(
                Kind::KinesisStream,
                "arn:aws:kinesis:moon-1:123456789012:stream/s"
            )
            .unwrap_err()
            .contains("region")
        );
        assert!(
            check(
                Kind::FirehoseDeliveryStream,
                "arn:aws:firehose:us-east-1:123456789012:deliverystream/bad name"
            )
            .is_err()
        );
    }
}
