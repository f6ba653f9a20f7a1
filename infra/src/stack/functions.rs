//! The Lambda tasks (four per runtime): one function each (`provided.al2023`, arm64, handler `bootstrap`,
//! X-Ray tracing active), its own log group with retention, and its own least-privilege role.
//!
//! [`TASKS`] and [`FLINK_TASKS`] are the permission tables: each task gets exactly the Kinesis Analytics actions its
//! handler in `handlers/src/` calls (a test reads those files and compares), `iam:PassRole` only
//! where the handler hands the prerequisite roles to Kinesis Analytics, plus writing to its own
//! log group and sending X-Ray segments.

use kdaflow_workflow::contract::{self, TaskFunction};
use serde_json::{Value, json};

use super::parameters::{
    APPLICATION_NAME, CODE_BUCKET, CODE_KEY_PREFIX, FLINK_APPLICATION_NAME, FLINK_SERVICE_ROLE,
    LOG_RETENTION_DAYS,
};
use crate::iam::{PASSABLE_ROLE_PARAMETERS, PASSED_TO_SERVICE, PolicyDocument, Statement};
use crate::model::intrinsic::{get_att, reference, sub};
use crate::model::{Resource, Template};

/// The runtime: an OS-only runtime for a Rust `bootstrap` binary (cargo-lambda's default).
pub const RUNTIME: &str = "provided.al2023";
/// Graviton: cheaper per GB-second than x86_64, and what `kdaflow package` builds for.
pub const ARCHITECTURE: &str = "arm64";
/// OS-only runtimes ignore the handler; `bootstrap` is the convention.
pub const HANDLER: &str = "bootstrap";

/// What one task function may do and how it is sized.
#[derive(Debug, Clone, Copy)]
pub struct TaskPermissions {
    /// The task.
    pub function: TaskFunction,
    /// The Kinesis Analytics actions its handler calls (on the application's ARN only; v1
    /// and v2 share the `kinesisanalytics:` action prefix).
    pub kinesisanalytics: &'static [&'static str],
    /// The parameter naming the application those actions are scoped to.
    pub application: &'static str,
    /// The role parameters it passes to Kinesis Analytics (the SQL create task passes the two
    /// prerequisite roles in CreateApplication, UpdateApplication, AddApplicationInput/Output;
    /// the Flink create task the service execution role). Empty: it passes none.
    pub passes_roles: &'static [&'static str],
    /// Memory in MB (also buys CPU: the SDK's TLS handshake is the heaviest work here).
    pub memory_mb: u32,
    /// Timeout in seconds: the SDK's default retries (3 attempts with backoff) fit well
    /// inside, and the state machine's task timeout (120 s) is longer still.
    pub timeout_seconds: u32,
}

/// The permission table, in the workflow's order.
pub const TASKS: [TaskPermissions; 4] = [
    TaskPermissions {
        function: contract::VALIDATE,
        // Pure: parses ARNs and the input, calls no AWS API.
        kinesisanalytics: &[],
        application: APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 128,
        timeout_seconds: 10,
    },
    TaskPermissions {
        function: contract::CREATE,
        kinesisanalytics: &[
            "kinesisanalytics:DescribeApplication",
            "kinesisanalytics:CreateApplication",
            "kinesisanalytics:UpdateApplication",
            "kinesisanalytics:AddApplicationInput",
            "kinesisanalytics:AddApplicationOutput",
            "kinesisanalytics:DeleteApplicationOutput",
        ],
        application: APPLICATION_NAME,
        passes_roles: &PASSABLE_ROLE_PARAMETERS,
        memory_mb: 256,
        timeout_seconds: 60,
    },
    TaskPermissions {
        function: contract::START,
        kinesisanalytics: &[
            "kinesisanalytics:DescribeApplication",
            "kinesisanalytics:StartApplication",
        ],
        application: APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 256,
        timeout_seconds: 60,
    },
    TaskPermissions {
        function: contract::CHECK,
        kinesisanalytics: &["kinesisanalytics:DescribeApplication"],
        application: APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 256,
        timeout_seconds: 60,
    },
];

/// The Flink bootstrap's permission table (kinesisanalyticsv2 actions, which IAM names with
/// the same `kinesisanalytics:` prefix), in the workflow's order.
pub const FLINK_TASKS: [TaskPermissions; 4] = [
    TaskPermissions {
        function: contract::flink::VALIDATE,
        kinesisanalytics: &[],
        application: FLINK_APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 128,
        timeout_seconds: 10,
    },
    TaskPermissions {
        function: contract::flink::CREATE,
        kinesisanalytics: &[
            "kinesisanalytics:DescribeApplication",
            "kinesisanalytics:CreateApplication",
            "kinesisanalytics:UpdateApplication",
        ],
        application: FLINK_APPLICATION_NAME,
        passes_roles: &[FLINK_SERVICE_ROLE],
        memory_mb: 256,
        timeout_seconds: 60,
    },
    TaskPermissions {
        function: contract::flink::START,
        kinesisanalytics: &[
            "kinesisanalytics:DescribeApplication",
            "kinesisanalytics:StartApplication",
        ],
        application: FLINK_APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 256,
        timeout_seconds: 60,
    },
    TaskPermissions {
        function: contract::flink::CHECK,
        kinesisanalytics: &[
            "kinesisanalytics:DescribeApplicationOperation",
            "kinesisanalytics:DescribeApplication",
        ],
        application: FLINK_APPLICATION_NAME,
        passes_roles: &[],
        memory_mb: 256,
        timeout_seconds: 60,
    },
];

/// `ValidatePrerequisitesFunctionArn` -> `ValidatePrerequisitesFunction`.
pub fn function_id(function: TaskFunction) -> String {
    function
        .variable
        .strip_suffix("Arn")
        .unwrap_or(function.variable)
        .to_string()
}

/// The function's role.
pub fn role_id(function: TaskFunction) -> String {
    format!("{}Role", function_id(function))
}

/// The function's log group.
pub fn log_group_id(function: TaskFunction) -> String {
    format!("{}LogGroup", function_id(function))
}

/// The ARN of the application parameter `name` names, the only resource Kinesis Analytics
/// actions are allowed on.
pub fn application_arn(name: &str) -> Value {
    sub(format!(
        "arn:${{AWS::Partition}}:kinesisanalytics:${{AWS::Region}}:${{AWS::AccountId}}:application/${{{name}}}"
    ))
}

/// A log group with the stack's retention.
pub fn log_group(name: Value) -> Resource {
    Resource::new("AWS::Logs::LogGroup")
        .property("LogGroupName", name)
        .property("RetentionInDays", reference(LOG_RETENTION_DAYS))
        .checkov_skip(
            "CKV_AWS_158",
            "CloudWatch Logs already encrypts every log group at rest with service-owned keys; a \
             customer-managed KMS key would need a key policy (which IAM writes as kms:* on *) \
             and per-request KMS costs, for logs that hold ARNs and statuses, no secrets",
        )
}

fn role(t: &mut Template, task: &TaskPermissions) {
    let f = task.function;
    let mut statements = vec![
        Statement::allow(
            "WriteOwnLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![get_att(&log_group_id(f), "Arn")],
        ),
        Statement::allow(
            "XRayTracing",
            ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            vec![json!("*")],
        ),
    ];
    if !task.kinesisanalytics.is_empty() {
        statements.push(Statement::allow(
            "KinesisAnalyticsApplication",
            task.kinesisanalytics.iter().copied(),
            vec![application_arn(task.application)],
        ));
    }
    if !task.passes_roles.is_empty() {
        statements.push(
            Statement::allow(
                "PassRolesToKinesisAnalytics",
                ["iam:PassRole"],
                task.passes_roles.iter().map(|p| reference(p)).collect(),
            )
            .when(json!({ "StringEquals": { "iam:PassedToService": PASSED_TO_SERVICE } })),
        );
    }
    let resource = Resource::new("AWS::IAM::Role")
        .property(
            "AssumeRolePolicyDocument",
            PolicyDocument::trust("lambda.amazonaws.com", false),
        )
        .property(
            "Policies",
            json!([{ "PolicyName": "task", "PolicyDocument": Value::from(PolicyDocument::new(statements)) }]),
        );
    t.resources.insert(role_id(f), resource);
}

fn function(t: &mut Template, task: &TaskPermissions) {
    let f = task.function;
    let resource = Resource::new("AWS::Lambda::Function")
        .property("Description", format!("kdaflow task {} ({})", f.name, f.binary))
        .property(
            "Code",
            json!({
                "S3Bucket": reference(CODE_BUCKET),
                "S3Key": sub(format!("${{{CODE_KEY_PREFIX}}}{}.zip", f.binary)),
            }),
        )
        .property("Runtime", RUNTIME)
        .property("Architectures", json!([ARCHITECTURE]))
        .property("Handler", HANDLER)
        .property("MemorySize", task.memory_mb)
        .property("Timeout", task.timeout_seconds)
        .property("Role", get_att(&role_id(f), "Arn"))
        .property("TracingConfig", json!({ "Mode": "Active" }))
        .property(
            "LoggingConfig",
            json!({ "LogFormat": "Text", "LogGroup": reference(&log_group_id(f)) }),
        )
        .checkov_skip(
            "CKV_AWS_116",
            "Step Functions invokes the function synchronously and handles failures with \
             Retry/Catch; a dead-letter queue only receives failed asynchronous invocations",
        )
        .checkov_skip(
            "CKV_AWS_117",
            "The function calls only public AWS APIs (Kinesis Analytics) and reaches no private \
             resource; a VPC would add NAT or interface endpoints and cold-start latency for nothing",
        )
        .checkov_skip(
            "CKV_AWS_115",
            "Concurrency is bounded by the state machine (one task per execution step); reserving \
             concurrency takes capacity from the account pool and fails deployment in accounts at \
             the default limit",
        )
        ;
    t.resources.insert(function_id(f), resource);
}

/// Adds the functions of `tasks` with their log groups and roles.
pub fn add(t: &mut Template, tasks: &[TaskPermissions]) {
    for task in tasks {
        let f = task.function;
        t.resources.insert(
            log_group_id(f),
            log_group(sub(format!("/kdaflow/${{AWS::StackName}}/{}", f.binary))),
        );
        role(t, task);
        function(t, task);
    }
}
