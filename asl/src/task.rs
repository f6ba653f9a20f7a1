//! Tasks: the [`TaskInvoker`] trait the driver calls, resource ARN parsing, and the AWS
//! integration shapes (Lambda `Payload` wrapping, aws-sdk error names).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::error::StatesError;

/// How a task waits for its work (the resource ARN's suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// No suffix: call and return.
    RequestResponse,
    /// `.sync`: wait for the job.
    Sync,
    /// `.sync:2`.
    Sync2,
    /// `.waitForTaskToken`: wait for a callback.
    WaitForTaskToken,
}

/// What a `Resource` ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]` (legacy Lambda task).
    LambdaFunction {
        /// The function ARN.
        arn: String,
    },
    /// `arn:aws:states:::<service>:<action>[.suffix]` (optimized integration, incl. `lambda:invoke`).
    Service {
        /// e.g. `lambda`.
        service: String,
        /// e.g. `invoke`.
        action: String,
        /// The suffix.
        pattern: Pattern,
    },
    /// `arn:aws:states:::aws-sdk:<service>:<apiAction>[.waitForTaskToken]`.
    AwsSdk {
        /// e.g. `kinesisanalytics`.
        service: String,
        /// e.g. `describeApplication`.
        action: String,
        /// The suffix.
        pattern: Pattern,
    },
    /// `arn:aws:states:<region>:<account>:activity:<name>`.
    Activity {
        /// The activity ARN.
        arn: String,
    },
}

impl Resource {
    /// Parses a resource ARN; `None` if it is none of the known forms.
    pub fn parse(arn: &str) -> Option<Self> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() < 6 || parts[0] != "arn" {
            return None;
        }
        match (parts[2], parts[5]) {
            ("lambda", rest) if rest.starts_with("function:") => Some(Resource::LambdaFunction {
                arn: arn.to_owned(),
            }),
            ("states", rest) if rest.starts_with("activity:") => Some(Resource::Activity {
                arn: arn.to_owned(),
            }),
            ("states", _) if parts[3].is_empty() && parts[4].is_empty() => {
                let tail = &arn["arn:aws:states:::".len().min(arn.len())..];
                let (sdk, tail) = match tail.strip_prefix("aws-sdk:") {
                    Some(t) => (true, t),
                    None => (false, tail),
                };
                let (service, action) = tail.split_once(':')?;
                let (action, pattern) = split_pattern(action);
                if service.is_empty() || action.is_empty() {
                    return None;
                }
                let (service, action) = (service.to_owned(), action.to_owned());
                Some(if sdk {
                    Resource::AwsSdk {
                        service,
                        action,
                        pattern,
                    }
                } else {
                    Resource::Service {
                        service,
                        action,
                        pattern,
                    }
                })
            }
            _ => None,
        }
    }

    /// `resourceType` and `resource` as history events show them (`lambda`, `invoke`).
    pub fn history_names(&self, arn: &str) -> (String, String) {
        let suffix = |p: Pattern| match p {
            Pattern::RequestResponse => "",
            Pattern::Sync => ".sync",
            Pattern::Sync2 => ".sync:2",
            Pattern::WaitForTaskToken => ".waitForTaskToken",
        };
        match self {
            Resource::Service {
                service,
                action,
                pattern,
            } => (service.clone(), format!("{action}{}", suffix(*pattern))),
            Resource::AwsSdk {
                service,
                action,
                pattern,
            } => (
                format!("aws-sdk:{service}"),
                format!("{action}{}", suffix(*pattern)),
            ),
            Resource::LambdaFunction { .. } => ("lambda".into(), arn.into()),
            Resource::Activity { .. } => ("activity".into(), arn.into()),
        }
    }

    /// The integration pattern.
    pub fn pattern(&self) -> Pattern {
        match self {
            Resource::Service { pattern, .. } | Resource::AwsSdk { pattern, .. } => *pattern,
            _ => Pattern::RequestResponse,
        }
    }
}

fn split_pattern(action: &str) -> (&str, Pattern) {
    for (suffix, p) in [
        (".sync:2", Pattern::Sync2),
        (".sync", Pattern::Sync),
        (".waitForTaskToken", Pattern::WaitForTaskToken),
    ] {
        if let Some(a) = action.strip_suffix(suffix) {
            return (a, p);
        }
    }
    (action, Pattern::RequestResponse)
}

/// One call of a Task state's work.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The Task state's name (mocks key on it).
    pub state_name: String,
    /// The resource ARN as written.
    pub resource_arn: String,
    /// The parsed resource.
    pub resource: Resource,
    /// The task input (after InputPath and Parameters, or JSONata Arguments).
    pub input: Value,
    /// How many times this state's work was retried before this call.
    pub retry_count: u32,
    /// The execution's ARN.
    pub execution_arn: String,
    /// `$$.Task.Token` for `.waitForTaskToken` tasks.
    pub task_token: Option<String>,
    /// Timeout in seconds, if the state set one.
    pub timeout_seconds: Option<u64>,
}

/// Runs Task states' work. The result is the task's raw result as the state sees it (for
/// `lambda:invoke`, the wrapped `{Payload, StatusCode, ...}` object); an error is named as
/// Step Functions names it (a Lambda `errorType`, `<Service>.<Exception>`, `States.Timeout`).
#[async_trait]
pub trait TaskInvoker: Send + Sync + Debug {
    /// Performs one call.
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError>;
}

/// A Lambda function failure as the Lambda service reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaError {
    /// `errorType` (absent: `Exception`, as on AWS for errors without a type).
    pub error_type: Option<String>,
    /// `errorMessage`.
    pub error_message: String,
}

impl LambdaError {
    /// The Step Functions error: named by `errorType`, cause = the error payload as JSON text.
    pub fn to_states_error(&self) -> StatesError {
        let error_type = self
            .error_type
            .clone()
            .unwrap_or_else(|| "Exception".into());
        let cause = json!({"errorMessage": self.error_message, "errorType": error_type});
        StatesError::new(error_type, cause.to_string())
    }
}

/// Calls Lambda functions by name or ARN (in-process handlers locally, the Lambda API on AWS).
#[async_trait]
pub trait LambdaFunctions: Send + Sync + Debug {
    /// Invokes `function` with `payload`; `Ok` is the function's return value.
    async fn invoke_function(&self, function: &str, payload: Value) -> Result<Value, LambdaError>;
}

/// Calls AWS APIs for `aws-sdk` tasks.
#[async_trait]
pub trait SdkCalls: Send + Sync + Debug {
    /// Calls `service:action`; an error is `(exception name, message)`.
    async fn call(
        &self,
        service: &str,
        action: &str,
        parameters: Value,
    ) -> Result<Value, (String, String)>;
}

/// A [`TaskInvoker`] that implements the integrations' request and response shapes on top of
/// plain Lambda functions and SDK calls.
#[derive(Debug, Clone)]
pub struct Integrations {
    /// Lambda functions.
    pub lambda: Arc<dyn LambdaFunctions>,
    /// AWS SDK calls (absent: aws-sdk tasks fail with `States.Runtime`).
    pub sdk: Option<Arc<dyn SdkCalls>>,
}

/// The `<Service>` part of an aws-sdk error name for a service id (`kinesisanalytics` ->
/// `KinesisAnalytics`), per the developer guide's table, with a capitalising fallback.
pub fn sdk_service_prefix(service: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("dynamodb", "DynamoDb"),
        ("kinesisanalytics", "KinesisAnalytics"),
        ("kinesisanalyticsv2", "KinesisAnalyticsV2"),
        ("secretsmanager", "SecretsManager"),
        ("sfn", "Sfn"),
        ("s3", "S3"),
        ("lambda", "Lambda"),
        ("eventbridge", "EventBridge"),
        ("firehose", "Firehose"),
        ("kinesis", "Kinesis"),
        ("iam", "Iam"),
        ("sqs", "Sqs"),
        ("sns", "Sns"),
        ("acmpca", "AcmPca"),
        ("cloudformation", "CloudFormation"),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| *k == service)
        .map(|(_, v)| (*v).to_owned())
        .unwrap_or_else(|| {
            let mut c = service.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
}

/// The Step Functions error name of an aws-sdk exception: `<Service>.<Name>Exception`.
pub fn sdk_error_name(service: &str, exception: &str) -> String {
    let suffix = if exception.ends_with("Exception") {
        ""
    } else {
        "Exception"
    };
    format!("{}.{exception}{suffix}", sdk_service_prefix(service))
}

/// The `lambda:invoke` result object wrapping a function's return value.
pub fn wrap_lambda_invoke(payload: Value) -> Value {
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {},
            "HttpHeaders": {},
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": "00000000-0000-0000-0000-000000000000"},
        "StatusCode": 200
    })
}

#[async_trait]
impl TaskInvoker for Integrations {
    async fn invoke(&self, req: TaskRequest) -> Result<Value, StatesError> {
        match &req.resource {
            Resource::LambdaFunction { arn } => self
                .lambda
                .invoke_function(arn, req.input)
                .await
                .map_err(|e| e.to_states_error()),
            Resource::Service {
                service, action, ..
            } if service == "lambda" && action == "invoke" => {
                let Some(function) = req.input.get("FunctionName").and_then(Value::as_str) else {
                    return Err(StatesError::runtime(
                        "The field 'FunctionName' is required by lambda:invoke",
                    ));
                };
                let payload = req.input.get("Payload").cloned().unwrap_or(json!({}));
                // The Payload response is parsed as JSON when it is JSON text.
                let payload = match payload {
                    Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    other => other,
                };
                self.lambda
                    .invoke_function(function, payload)
                    .await
                    .map(wrap_lambda_invoke)
                    .map_err(|e| e.to_states_error())
            }
            Resource::AwsSdk {
                service, action, ..
            } => {
                match &self.sdk {
                    Some(sdk) => sdk.call(service, action, req.input).await.map_err(
                        |(exception, message)| {
                            StatesError::new(sdk_error_name(service, &exception), message)
                        },
                    ),
                    None => Err(StatesError::runtime(format!(
                        "No AWS SDK integration is configured for '{}'",
                        req.resource_arn
                    ))),
                }
            }
            _ => Err(StatesError::runtime(format!(
                "The resource '{}' is not supported by this invoker",
                req.resource_arn
            ))),
        }
    }
}
