//! The task contract: the names every part of kdaflow agrees on.
//!
//! Error names are defined once here. The handlers raise them as the Lambda `errorType` of their
//! `Diagnostic`; the state machine's `Retry` and `Catch` match the same constants; a test checks
//! that every `ErrorEquals` in the definition is a `States.*` name, a Lambda service error or one
//! of [`errors::ALL`].

/// Error names (`errorType`) raised by the task handlers.
pub mod errors {
    /// One or more prerequisite ARNs are malformed, of the wrong kind, or disagree on
    /// partition, region or account. The cause lists every problem.
    pub const PREREQUISITE_INVALID: &str = "Bootstrap.PrerequisiteInvalid";
    /// The execution input is not what the workflow accepts (unknown field, wrong type, value
    /// out of range).
    pub const INPUT_INVALID: &str = "Bootstrap.InputInvalid";
    /// The application exists with a different configuration and the input did not ask for an
    /// update. The cause lists the differences.
    pub const CONFIGURATION_DRIFT: &str = "Bootstrap.ConfigurationDrift";
    /// The application is busy (UPDATING, or changed concurrently): retry with backoff.
    pub const APPLICATION_BUSY: &str = "Bootstrap.ApplicationBusy";
    /// Kinesis Analytics throttled the call: retry with backoff.
    pub const THROTTLED: &str = "Bootstrap.Throttled";
    /// Kinesis Analytics is unavailable (5xx, connection failure): retry with backoff.
    pub const SERVICE_UNAVAILABLE: &str = "Bootstrap.ServiceUnavailable";
    /// Kinesis Analytics refused a call in a way retrying cannot fix (the cause names the AWS
    /// error and its message).
    pub const SERVICE_ERROR: &str = "Bootstrap.ServiceError";
    /// The application went back to READY (or another state) instead of RUNNING.
    pub const START_FAILED: &str = "Bootstrap.StartFailed";
    /// The application was still not RUNNING when the wait deadline passed.
    pub const START_TIMED_OUT: &str = "Bootstrap.StartTimedOut";

    /// Every name above.
    pub const ALL: [&str; 9] = [
        PREREQUISITE_INVALID,
        INPUT_INVALID,
        CONFIGURATION_DRIFT,
        APPLICATION_BUSY,
        THROTTLED,
        SERVICE_UNAVAILABLE,
        SERVICE_ERROR,
        START_FAILED,
        START_TIMED_OUT,
    ];

    /// The transient Lambda service errors AWS recommends retrying for every Lambda task
    /// (Step Functions developer guide, "Handle transient Lambda service exceptions").
    pub const LAMBDA_TRANSIENT: [&str; 4] = [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ];
}

/// The four task functions: their names (the Lambda function name locally, and the suffix of
/// the function's logical id in the stack) and the definition substitution variable that holds
/// each function's ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskFunction {
    /// Function name on the twin, e.g. `kdaflow-validate-prerequisites`.
    pub name: &'static str,
    /// `${...}` variable in the definition, e.g. `ValidatePrerequisitesFunctionArn`.
    pub variable: &'static str,
    /// The Lambda binary (`handlers/src/bin/<binary>.rs`).
    pub binary: &'static str,
}

/// Validates the seven prerequisite ARNs and normalises the execution input.
pub const VALIDATE: TaskFunction = TaskFunction {
    name: "kdaflow-validate-prerequisites",
    variable: "ValidatePrerequisitesFunctionArn",
    binary: "validate-prerequisites",
};
/// Creates the application, or checks (and optionally updates) an existing one.
pub const CREATE: TaskFunction = TaskFunction {
    name: "kdaflow-create-application",
    variable: "CreateApplicationFunctionArn",
    binary: "create-application",
};
/// Starts the application (already STARTING/RUNNING is fine).
pub const START: TaskFunction = TaskFunction {
    name: "kdaflow-start-application",
    variable: "StartApplicationFunctionArn",
    binary: "start-application",
};
/// Reads the application's status and decides the next poll interval.
pub const CHECK: TaskFunction = TaskFunction {
    name: "kdaflow-check-application-status",
    variable: "CheckApplicationStatusFunctionArn",
    binary: "check-application-status",
};

/// All task functions, in the order the workflow calls them.
pub const TASK_FUNCTIONS: [TaskFunction; 4] = [VALIDATE, CREATE, START, CHECK];

/// The Flink bootstrap's four task functions (kinesisanalyticsv2), in the order it calls them.
pub mod flink {
    use super::TaskFunction;

    /// Validates the Flink application spec and its prerequisites.
    pub const VALIDATE: TaskFunction = TaskFunction {
        name: "kdaflow-flink-validate-prerequisites",
        variable: "FlinkValidatePrerequisitesFunctionArn",
        binary: "flink-validate-prerequisites",
    };
    /// Creates the Flink application, or checks (and optionally updates) an existing one.
    pub const CREATE: TaskFunction = TaskFunction {
        name: "kdaflow-flink-create-application",
        variable: "FlinkCreateApplicationFunctionArn",
        binary: "flink-create-application",
    };
    /// Starts it with its run configuration (already STARTING/RUNNING is fine).
    pub const START: TaskFunction = TaskFunction {
        name: "kdaflow-flink-start-application",
        variable: "FlinkStartApplicationFunctionArn",
        binary: "flink-start-application",
    };
    /// Follows the start's operation and the application's status.
    pub const CHECK: TaskFunction = TaskFunction {
        name: "kdaflow-flink-check-application-status",
        variable: "FlinkCheckApplicationStatusFunctionArn",
        binary: "flink-check-application-status",
    };

    /// All of them, in the order the workflow calls them.
    pub const TASK_FUNCTIONS: [TaskFunction; 4] = [VALIDATE, CREATE, START, CHECK];
}
