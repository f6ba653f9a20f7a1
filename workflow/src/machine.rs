//! The bootstrap state machine, built with `kdaflow-asl`'s typed model.
//!
//! ```text
//! ValidatePrerequisites ──> CreateOrVerifyApplication ──> StartApplication ──> IsRunning?
//!        │ PrerequisiteInvalid/InputInvalid   │ ConfigurationDrift                  │ RUNNING ──> Done
//!        v                                    v                                     │ deadline passed ──> StartTimedOut
//!   Fail states                          Fail state                                 │ READY/other ──> StartFailed
//!                                                                                   │ STARTING/UPDATING
//!                                           CheckApplicationStatus <── WaitForRunning <┘
//! ```
//!
//! Every task is a Lambda function (`Resource` = the function ARN, substituted from
//! `${...FunctionArn}` at deploy time exactly as CloudFormation's `DefinitionSubstitutions` do;
//! the same JSON runs on the twin). Each task retries the transient Lambda service errors as
//! AWS recommends, and throttling/unavailability with backoff; a busy application (UPDATING, or
//! changed concurrently) is retried with a longer backoff. Every failure ends in a named Fail
//! state. State data: `$.request` (the validated request), `$.application` (create result),
//! `$.poll` (the wait loop), `$.error` (a caught error).

use kdaflow_asl::model::{
    Catcher, ChoiceRule, ChoiceState, FailState, JitterStrategy, Operator, PassState, Retrier,
    State, StateMachine, TaskState, WaitState,
};
use serde_json::json;

use crate::contract::{self, TaskFunction, errors};

/// The definition's top-level `TimeoutSeconds`: a safety net well past the longest wait an
/// input may ask for ([`crate::input::MAX_MAX_WAIT_SECONDS`]).
pub const EXECUTION_TIMEOUT_SECONDS: u64 = 3_600;
/// Each task's `TimeoutSeconds` (the Lambda functions themselves time out sooner).
pub const TASK_TIMEOUT_SECONDS: u64 = 120;

/// State names.
pub mod states {
    /// First task.
    pub const VALIDATE: &str = "ValidatePrerequisites";
    /// Create or verify.
    pub const CREATE: &str = "CreateOrVerifyApplication";
    /// Start.
    pub const START: &str = "StartApplication";
    /// The status test.
    pub const IS_RUNNING: &str = "IsRunning";
    /// The wait between polls.
    pub const WAIT: &str = "WaitForRunning";
    /// The poll.
    pub const CHECK: &str = "CheckApplicationStatus";
    /// Success: builds the output.
    pub const DONE: &str = "Done";
    /// Fail states.
    pub const PREREQUISITE_INVALID: &str = "PrerequisiteInvalid";
    /// Fail state.
    pub const INPUT_INVALID: &str = "InputInvalid";
    /// Fail state.
    pub const CONFIGURATION_DRIFT: &str = "ConfigurationDrift";
    /// Fail state.
    pub const START_FAILED: &str = "StartFailed";
    /// Fail state.
    pub const START_TIMED_OUT: &str = "StartTimedOut";
    /// Fail state for anything else a task could not recover from.
    pub const TASK_FAILED: &str = "TaskFailed";
}

fn lambda_task(function: TaskFunction) -> TaskState {
    TaskState::new(format!("${{{}}}", function.variable))
        .timeout_seconds(TASK_TIMEOUT_SECONDS)
        .retry(
            Retrier::on(errors::LAMBDA_TRANSIENT)
                .interval_seconds(1)
                .max_attempts(3)
                .backoff_rate(2.0)
                .jitter(JitterStrategy::Full),
        )
        .retry(
            Retrier::on([errors::THROTTLED, errors::SERVICE_UNAVAILABLE])
                .interval_seconds(2)
                .max_attempts(6)
                .backoff_rate(2.0)
                .max_delay_seconds(30)
                .jitter(JitterStrategy::Full),
        )
}

fn busy_retry() -> Retrier {
    Retrier::on([errors::APPLICATION_BUSY])
        .interval_seconds(5)
        .max_attempts(12)
        .backoff_rate(1.5)
        .max_delay_seconds(30)
}

fn catch_all() -> Catcher {
    Catcher::on(["States.ALL"], states::TASK_FAILED).result_path(Some("$.error"))
}

fn poll_parameters(with_poll: bool) -> serde_json::Value {
    let mut p = json!({
        "request.$": "$.request",
        "started_at.$": "$$.Execution.StartTime",
        "now.$": "$$.State.EnteredTime",
    });
    if with_poll {
        p["poll.$"] = json!("$.poll");
    }
    p
}

fn is(status: &str, next: &str) -> ChoiceRule {
    ChoiceRule::compare("$.poll.status", Operator::StringEquals, json!(status)).next(next)
}

fn fail_with_cause_path(error: &str, cause_path: &str) -> State {
    State::Fail(FailState {
        error: Some(error.to_string()),
        cause_path: Some(cause_path.to_string()),
        ..FailState::default()
    })
}

/// The bootstrap state machine (Kinesis Analytics SQL, v1).
pub fn definition() -> StateMachine {
    Shape {
        functions: contract::TASK_FUNCTIONS,
        waiting: &["STARTING", "UPDATING"],
        done: json!({
            "application_name.$": "$.application.application_name",
            "application_arn.$": "$.application.application_arn",
            "input_id.$": "$.poll.input_id",
            "status.$": "$.poll.status",
            "version_id.$": "$.poll.version_id",
            "created.$": "$.application.created",
            "updated.$": "$.application.updated",
            "duration_seconds.$": "$.poll.elapsed_seconds",
            "status_checks.$": "$.poll.polls",
        }),
        start_failed: "States.Format('Application {} is {} after StartApplication instead of RUNNING; it did not start. Check its input, preprocessing function, destinations and the roles Kinesis Analytics assumes, then start the bootstrap again.', $.request.application_name, $.poll.status)",
        comment: "kdaflow: bootstrap a Kinesis Data Analytics SQL application - validate the prerequisites, \
                  create it idempotently, start it, wait until it is RUNNING",
    }
    .build()
}

/// The bootstrap state machine for Managed Service for Apache Flink (kinesisanalyticsv2): the
/// same shape, its own four tasks; the wait loop also waits through AUTOSCALING, and a failed
/// start says what the start's operation reported.
pub fn flink_definition() -> StateMachine {
    Shape {
        functions: contract::flink::TASK_FUNCTIONS,
        waiting: &["STARTING", "UPDATING", "AUTOSCALING"],
        done: json!({
            "application_name.$": "$.application.application_name",
            "application_arn.$": "$.application.application_arn",
            "operation_id.$": "$.poll.operation_id",
            "status.$": "$.poll.status",
            "version_id.$": "$.poll.version_id",
            "created.$": "$.application.created",
            "updated.$": "$.application.updated",
            "duration_seconds.$": "$.poll.elapsed_seconds",
            "status_checks.$": "$.poll.polls",
        }),
        start_failed: "States.Format('Application {} is {} after StartApplication instead of RUNNING: {}. Fix the cause (the code, its run options, the roles and streams it uses), then start the bootstrap again.', $.request.application_name, $.poll.status, $.poll.reason)",
        comment: "kdaflow: bootstrap a Managed Service for Apache Flink application - validate the prerequisites, \
                  create it idempotently, start it, wait until it is RUNNING",
    }
    .build()
}

/// What differs between the runtimes' definitions; everything else is one shape.
struct Shape {
    functions: [TaskFunction; 4],
    waiting: &'static [&'static str],
    done: serde_json::Value,
    start_failed: &'static str,
    comment: &'static str,
}

impl Shape {
    fn build(self) -> StateMachine {
        let [validate_fn, create_fn, start_fn, check_fn] = self.functions;
        let validate = lambda_task(validate_fn)
            .result_path(Some("$.request"))
            .catch(
                Catcher::on([errors::PREREQUISITE_INVALID], states::PREREQUISITE_INVALID)
                    .result_path(Some("$.error")),
            )
            .catch(
                Catcher::on([errors::INPUT_INVALID], states::INPUT_INVALID)
                    .result_path(Some("$.error")),
            )
            .catch(catch_all())
            .next(states::CREATE);
        let create = lambda_task(create_fn)
            .input_path(Some("$.request"))
            .result_path(Some("$.application"))
            .retry(busy_retry())
            .catch(
                Catcher::on([errors::CONFIGURATION_DRIFT], states::CONFIGURATION_DRIFT)
                    .result_path(Some("$.error")),
            )
            .catch(catch_all())
            .next(states::START);
        let start = lambda_task(start_fn)
            .parameters(poll_parameters(false))
            .result_path(Some("$.poll"))
            .retry(busy_retry())
            .catch(catch_all())
            .next(states::IS_RUNNING);
        let check = lambda_task(check_fn)
            .parameters(poll_parameters(true))
            .result_path(Some("$.poll"))
            .catch(catch_all())
            .next(states::IS_RUNNING);
        let mut is_running = ChoiceState::default()
            .choice(is("RUNNING", states::DONE))
            .choice(
                ChoiceRule::compare(
                    "$.poll.deadline_passed",
                    Operator::BooleanEquals,
                    json!(true),
                )
                .next(states::START_TIMED_OUT),
            );
        for status in self.waiting {
            is_running = is_running.choice(is(status, states::WAIT));
        }
        let is_running = is_running.default_next(states::START_FAILED);
        let wait = WaitState {
            seconds_path: Some("$.poll.wait_seconds".to_string()),
            ..WaitState::default()
        }
        .next(states::CHECK);
        let done = PassState::default().parameters(self.done).end();

        StateMachine::new(states::VALIDATE)
            .comment(self.comment)
            .timeout_seconds(EXECUTION_TIMEOUT_SECONDS)
            .with_state(states::VALIDATE, State::Task(validate))
            .with_state(states::CREATE, State::Task(create))
            .with_state(states::START, State::Task(start))
            .with_state(states::IS_RUNNING, State::Choice(is_running))
            .with_state(states::WAIT, State::Wait(wait))
            .with_state(states::CHECK, State::Task(check))
            .with_state(states::DONE, State::Pass(done))
            .with_state(
                states::PREREQUISITE_INVALID,
                fail_with_cause_path(errors::PREREQUISITE_INVALID, "$.error.Cause"),
            )
            .with_state(
                states::INPUT_INVALID,
                fail_with_cause_path(errors::INPUT_INVALID, "$.error.Cause"),
            )
            .with_state(
                states::CONFIGURATION_DRIFT,
                fail_with_cause_path(errors::CONFIGURATION_DRIFT, "$.error.Cause"),
            )
            .with_state(
                states::START_FAILED,
                fail_with_cause_path(errors::START_FAILED, self.start_failed),
            )
            .with_state(
                states::START_TIMED_OUT,
                fail_with_cause_path(
                    errors::START_TIMED_OUT,
                    "States.Format('Application {} was still {} after {} seconds ({} status checks), past max_wait_seconds. It may still start: check it with DescribeApplication, or run the bootstrap again with a larger max_wait_seconds.', $.request.application_name, $.poll.status, $.poll.elapsed_seconds, $.poll.polls)",
                ),
            )
            .with_state(
                states::TASK_FAILED,
                State::Fail(FailState {
                    error_path: Some("$.error.Error".to_string()),
                    cause_path: Some("$.error.Cause".to_string()),
                    ..FailState::default()
                }),
            )
    }
}

/// The Flink definition as pretty JSON.
pub fn flink_definition_json() -> String {
    flink_definition().to_json_string_pretty()
}

/// The definition as pretty JSON: the bytes CloudFormation deploys and the twin runs.
pub fn definition_json() -> String {
    definition().to_json_string_pretty()
}

/// The definition with every `${Variable}` replaced, as `DefinitionSubstitutions` does; a
/// variable without a substitution stays as it is (Step Functions then refuses the definition).
pub fn substitute(definition: &str, substitutions: &[(&str, &str)]) -> String {
    let replaced = crate::placeholders::substitute(definition, |name| {
        Ok::<_, crate::placeholders::Unclosed>(
            substitutions
                .iter()
                .find(|(v, _)| *v == name)
                .map_or_else(|| format!("${{{name}}}"), |(_, value)| value.to_string()),
        )
    });
    // An unclosed `${` is not a variable: the text stays as it is.
    replaced.unwrap_or_else(|_| definition.to_string())
}

/// The `${...}` variables the definition uses, in order of first use.
pub fn variables(definition: &str) -> Vec<String> {
    crate::placeholders::names(definition)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Every `ErrorEquals` name in a definition (JSON), for contract checks.
pub fn error_names(definition: &serde_json::Value) -> Vec<String> {
    let mut names = Vec::new();
    fn walk(v: &serde_json::Value, names: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "ErrorEquals" {
                        for n in v.as_array().into_iter().flatten() {
                            if let Some(s) = n.as_str() {
                                names.push(s.to_string());
                            }
                        }
                    } else {
                        walk(v, names);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, names)),
            _ => {}
        }
    }
    walk(definition, &mut names);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition as deployed: every `${...FunctionArn}` substituted.
    pub(crate) fn deployed() -> serde_json::Value {
        let text = substitute(
            &definition_json(),
            &contract::TASK_FUNCTIONS.map(|f| {
                (
                    f.variable,
                    "arn:aws:lambda:us-east-1:123456789012:function:f",
                )
            }),
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn definition_is_valid_once_substituted_and_round_trips() {
        let json = definition().to_json();
        assert_eq!(StateMachine::from_json(&json).unwrap().to_json(), json);
        kdaflow_asl::validate(&deployed()).unwrap_or_else(|p| panic!("{p:#?}"));
        // Unsubstituted, only the four Resource fields are reported.
        let problems = kdaflow_asl::validate(&json).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }

    #[test]
    fn every_error_name_is_a_states_name_a_lambda_error_or_a_contract_name() {
        let json = definition().to_json();
        let names = error_names(&json);
        assert!(!names.is_empty());
        for n in names {
            assert!(
                n.starts_with("States.")
                    || errors::LAMBDA_TRANSIENT.contains(&n.as_str())
                    || errors::ALL.contains(&n.as_str()),
                "{n} is not a known error name"
            );
        }
    }

    #[test]
    fn the_flink_definition_is_the_same_shape_over_its_own_tasks() {
        let text = substitute(
            &flink_definition_json(),
            &contract::flink::TASK_FUNCTIONS.map(|f| {
                (
                    f.variable,
                    "arn:aws:lambda:us-east-1:123456789012:function:f",
                )
            }),
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        kdaflow_asl::validate(&json).unwrap_or_else(|p| panic!("{p:#?}"));
        let sql = deployed();
        let names = |v: &serde_json::Value| {
            let mut n: Vec<String> = v["States"].as_object().unwrap().keys().cloned().collect();
            n.sort();
            n
        };
        assert_eq!(names(&json), names(&sql));
        assert_eq!(error_names(&json), error_names(&sql));
        let vars: Vec<String> = variables(&flink_definition_json());
        let expected: Vec<String> = contract::flink::TASK_FUNCTIONS
            .iter()
            .map(|f| f.variable.to_string())
            .collect();
        assert_eq!(vars, expected);
        let waits: Vec<&str> = json["States"]["IsRunning"]["Choices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["Next"] == "WaitForRunning")
            .filter_map(|c| c["StringEquals"].as_str())
            .collect();
        assert_eq!(waits, ["STARTING", "UPDATING", "AUTOSCALING"]);
    }

    #[test]
    fn variables_are_the_task_functions() {
        let vars = variables(&definition_json());
        let expected: Vec<String> = contract::TASK_FUNCTIONS
            .iter()
            .map(|f| f.variable.to_string())
            .collect();
        assert_eq!(vars, expected);
        let substituted = substitute(
            &definition_json(),
            &contract::TASK_FUNCTIONS.map(|f| {
                (
                    f.variable,
                    "arn:aws:lambda:us-east-1:123456789012:function:x",
                )
            }),
        );
        assert!(variables(&substituted).is_empty());
    }
}
