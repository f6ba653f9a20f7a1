//! The Step Functions service through `aws-sdk-sfn`: every operation and its errors, Lambda and
//! aws-sdk tasks, TestState, and durable executions across a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_sfn as sfn;
use kdaflow_asl::task::LambdaError;
use kdaflow_local::lambda::function;
use kdaflow_local::{Twin, TwinConfig};
use serde_json::{Value, json};
use sfn::config::{BehaviorVersion, Credentials, Region};
use sfn::types::{ExecutionStatus, HistoryEventType, StateMachineType};

use crate::support::{Harness, T0, code, message};

pub const ROLE: &str = "arn:aws:iam::000000000000:role/StepFunctions";

/// An sfn client for `endpoint`, no retries.
pub fn sfn_client(endpoint: &str) -> sfn::Client {
    let config = sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(sfn::config::retry::RetryConfig::disabled())
        .interceptor(NoHostPrefix)
        .build();
    sfn::Client::from_conf(config)
}

/// StartSyncExecution and TestState are sent to `sync-<host>` (an endpoint host prefix);
/// against a loopback address that name does not resolve, so clients of the twin turn the
/// prefix off (boto3: `Config(inject_host_prefix=False)`; the Rust SDK has no switch, hence
/// this interceptor).
#[derive(Debug)]
struct NoHostPrefix;

impl sfn::config::Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    fn modify_before_transmit(
        &self,
        context: &mut sfn::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _components: &sfn::config::RuntimeComponents,
        _cfg: &mut sfn::config::ConfigBag,
    ) -> Result<(), sfn::error::BoxError> {
        let uri = context.request().uri().to_string();
        if let Some(rest) = uri.strip_prefix("http://sync-") {
            context.request_mut().set_uri(format!("http://{rest}"))?;
        }
        Ok(())
    }
}

/// Registers `name` as a Lambda function adding `{"<name>": true}` to its input and counting
/// its calls.
pub fn counting_function(twin: &Twin, name: &'static str) -> Arc<AtomicUsize> {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    twin.lambda().register(
        name,
        function(name, move |mut v: Value| {
            c.fetch_add(1, Ordering::SeqCst);
            async move {
                if let Value::Object(m) = &mut v {
                    m.insert(name.to_string(), json!(true));
                }
                Ok(v)
            }
        }),
    );
    calls
}

/// A two-task machine: A then B, both Lambda functions of the twin.
pub fn two_tasks() -> String {
    json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:A", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "B", "Payload.$": "$"},
                  "OutputPath": "$.Payload", "End": true}
        }
    })
    .to_string()
}

fn pass_machine() -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "ResultPath": "$.r", "End": true}}})
        .to_string()
}

pub async fn create(
    client: &sfn::Client,
    name: &str,
    definition: &str,
    kind: StateMachineType,
) -> String {
    client
        .create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(ROLE)
        .r#type(kind)
        .send()
        .await
        .expect("create state machine")
        .state_machine_arn
}

#[tokio::test]
async fn state_machine_lifecycle_and_errors() {
    let h = Harness::new().await;
    let c = sfn_client(&h.running.endpoint_url());
    let arn = create(&c, "M", &pass_machine(), StateMachineType::Standard).await;
    assert_eq!(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:M");

    // Identical create is idempotent (a different role is ignored, as on AWS).
    let again = c
        .create_state_machine()
        .name("M")
        .definition(pass_machine())
        .role_arn("arn:aws:iam::000000000000:role/Other")
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_arn, arn);
    // A different definition under the same name is refused.
    let e = c
        .create_state_machine()
        .name("M")
        .definition(two_tasks())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineAlreadyExists");

    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name, "M");
    assert_eq!(d.definition, pass_machine());
    assert_eq!(d.r#type, StateMachineType::Standard);
    assert_eq!(d.role_arn, ROLE);
    assert_eq!(d.creation_date.secs(), T0);

    // Invalid definitions list every problem.
    let bad =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere", "Bogus": 1}}});
    let e = c
        .create_state_machine()
        .name("Bad")
        .definition(bad.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidDefinition");
    let m = message(&e);
    assert!(
        m.contains("/States/A/Next") && m.contains("/States/A/Bogus"),
        "{m}"
    );
    let e = c
        .create_state_machine()
        .name("Bad")
        .definition("{not json")
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("INVALID_JSON_DESCRIPTION"),
        "{}",
        message(&e)
    );
    for name in ["has space", "a/b"] {
        let e = c
            .create_state_machine()
            .name(name)
            .definition(pass_machine())
            .role_arn(ROLE)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), "InvalidName", "{name}");
    }
    // The model's length limit is checked by the front end first, as AWS answers it (e.g.
    // "1 validation error detected: Value '...' at 'name' failed to satisfy constraint: Member
    // must have length less than or equal to 80").
    let e = c
        .create_state_machine()
        .name("x".repeat(81))
        .definition(pass_machine())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert!(
        message(&e).ends_with("at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"),
        "{}",
        message(&e)
    );
    // Every violation at once.
    let e = c.create_state_machine().send().await.unwrap_err();
    assert_eq!(
        message(&e),
        "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; \
         Value null at 'definition' failed to satisfy constraint: Member must not be null; \
         Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    );
    let e = c
        .create_state_machine()
        .name("R")
        .definition(pass_machine())
        .role_arn("not-a-role")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArn");
    // Express machines refuse .sync integrations.
    let sync = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true}}});
    let e = c
        .create_state_machine()
        .name("X")
        .definition(sync.to_string())
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidDefinition");

    // Describe errors.
    let e = c
        .describe_state_machine()
        .state_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineDoesNotExist");
    let e = c
        .describe_state_machine()
        .state_machine_arn("junk")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArn");

    // Update: a new definition and a revision id; invalid ones are refused.
    h.advance_ms(1000);
    let u = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(two_tasks())
        .send()
        .await
        .unwrap();
    assert_eq!(u.update_date.secs(), T0 + 1);
    assert!(u.revision_id.is_some());
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.definition, two_tasks());
    let e = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(bad.to_string())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidDefinition");
    let e = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "MissingRequiredParameter");

    // List with pagination.
    for i in 0..4 {
        create(
            &c,
            &format!("L{i}"),
            &pass_machine(),
            StateMachineType::Express,
        )
        .await;
    }
    let first = c.list_state_machines().max_results(3).send().await.unwrap();
    assert_eq!(first.state_machines.len(), 3);
    let token = first.next_token.expect("a second page");
    let second = c
        .list_state_machines()
        .max_results(3)
        .next_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.state_machines.len(), 2);
    assert!(second.next_token.is_none());
    let mut names: Vec<String> = first
        .state_machines
        .iter()
        .chain(&second.state_machines)
        .map(|m| m.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["L0", "L1", "L2", "L3", "M"]);
    let e = c
        .list_state_machines()
        .next_token("forged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidToken");

    // Delete, then it is gone; deleting again succeeds.
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let e = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineDoesNotExist");
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn validate_state_machine_definition() {
    let h = Harness::new().await;
    let c = sfn_client(&h.running.endpoint_url());
    let ok = c
        .validate_state_machine_definition()
        .definition(pass_machine())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.result.as_str(), "OK");
    assert!(ok.diagnostics.is_empty());
    let bad = json!({"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": true}}});
    let fail = c
        .validate_state_machine_definition()
        .definition(bad.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(fail.result.as_str(), "FAIL");
    assert!(!fail.diagnostics.is_empty());
    assert!(
        fail.diagnostics
            .iter()
            .any(|d| d.location.as_deref() == Some("/StartAt")),
        "{:?}",
        fail.diagnostics
    );
    assert_eq!(fail.diagnostics[0].severity.as_str(), "ERROR");
}

#[tokio::test]
async fn lambda_machine_runs_from_start_execution() {
    let h = Harness::new().await;
    let a = counting_function(h.twin(), "A");
    let b = counting_function(h.twin(), "B");
    let c = sfn_client(&h.running.endpoint_url());
    let arn = create(&c, "Tasks", &two_tasks(), StateMachineType::Standard).await;
    let started = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("run-1")
        .input(r#"{"x":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.execution_arn,
        "arn:aws:states:us-east-1:000000000000:execution:Tasks:run-1"
    );
    let ended = h
        .twin()
        .states()
        .wait(&started.execution_arn)
        .await
        .unwrap();
    assert_eq!(ended.status, kdaflow_local::states::Status::Succeeded);
    assert_eq!((a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)), (1, 1));

    let d = c
        .describe_execution()
        .execution_arn(&started.execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.name.as_deref(), Some("run-1"));
    assert_eq!(d.input.as_deref(), Some(r#"{"x":1}"#));
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!({"x": 1, "A": true, "B": true}));
    assert!(d.stop_date.is_some());

    // Same name: the execution is closed now, so the name is taken.
    let e = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("run-1")
        .input(r#"{"x":1}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ExecutionAlreadyExists");
    let e = c
        .start_execution()
        .state_machine_arn(&arn)
        .input("{nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidExecutionInput");
    let e = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("bad name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidName");
    let e = c
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineDoesNotExist");
    let e = c
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:000000000000:execution:Tasks:nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ExecutionDoesNotExist");
    let e = c
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:000000000000:stateMachine:Tasks")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArn");

    // History: the whole run, in AWS's event vocabulary.
    let hist = c
        .get_execution_history()
        .execution_arn(&started.execution_arn)
        .send()
        .await
        .unwrap();
    let types: Vec<HistoryEventType> = hist.events.iter().map(|e| e.r#type.clone()).collect();
    use HistoryEventType as T;
    assert_eq!(
        types,
        [
            T::ExecutionStarted,
            T::TaskStateEntered,
            T::LambdaFunctionScheduled,
            T::LambdaFunctionStarted,
            T::LambdaFunctionSucceeded,
            T::TaskStateExited,
            T::TaskStateEntered,
            T::TaskScheduled,
            T::TaskStarted,
            T::TaskSucceeded,
            T::TaskStateExited,
            T::ExecutionSucceeded
        ]
    );
    assert_eq!(hist.events[0].id, 1);
    assert!(
        hist.events[0]
            .execution_started_event_details
            .as_ref()
            .unwrap()
            .input
            .is_some()
    );

    // Pagination, reverse order, no execution data.
    let p1 = c
        .get_execution_history()
        .execution_arn(&started.execution_arn)
        .max_results(5)
        .reverse_order(true)
        .include_execution_data(false)
        .send()
        .await
        .unwrap();
    assert_eq!(p1.events.len(), 5);
    assert_eq!(p1.events[0].r#type, T::ExecutionSucceeded);
    assert_eq!(p1.events[0].id, 12);
    assert!(
        p1.events[0]
            .execution_succeeded_event_details
            .as_ref()
            .unwrap()
            .output
            .is_none()
    );
    let mut ids: Vec<i64> = p1.events.iter().map(|e| e.id).collect();
    let mut token = p1.next_token;
    while let Some(t) = token {
        let p = c
            .get_execution_history()
            .execution_arn(&started.execution_arn)
            .max_results(5)
            .reverse_order(true)
            .next_token(t)
            .send()
            .await
            .unwrap();
        ids.extend(p.events.iter().map(|e| e.id));
        token = p.next_token;
    }
    assert_eq!(ids, (1..=12).rev().collect::<Vec<i64>>());
}

#[tokio::test]
async fn list_executions_filters_and_pages() {
    let h = Harness::new().await;
    counting_function(h.twin(), "A");
    h.twin().lambda().register(
        "B",
        function("fails", |_| async {
            Err(LambdaError {
                error_type: Some("Boom".into()),
                error_message: "no".into(),
            })
        }),
    );
    let c = sfn_client(&h.running.endpoint_url());
    let ok = create(&c, "Ok", &pass_machine(), StateMachineType::Standard).await;
    let failing = create(&c, "Failing", &two_tasks(), StateMachineType::Standard).await;
    for i in 0..5 {
        let s = c
            .start_execution()
            .state_machine_arn(&ok)
            .name(format!("e{i}"))
            .send()
            .await
            .unwrap();
        h.twin().states().wait(&s.execution_arn).await.unwrap();
        h.advance_ms(1000);
    }
    let f = c
        .start_execution()
        .state_machine_arn(&failing)
        .send()
        .await
        .unwrap();
    let d = h.twin().states().wait(&f.execution_arn).await.unwrap();
    assert_eq!(d.status, kdaflow_local::states::Status::Failed);
    assert_eq!(d.error.as_deref(), Some("Boom"));

    let page = c
        .list_executions()
        .state_machine_arn(&ok)
        .max_results(2)
        .send()
        .await
        .unwrap();
    // Newest first.
    let names: Vec<&str> = page.executions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["e4", "e3"]);
    let mut all = names.len();
    let mut token = page.next_token;
    while let Some(t) = token {
        let p = c
            .list_executions()
            .state_machine_arn(&ok)
            .max_results(2)
            .next_token(t)
            .send()
            .await
            .unwrap();
        all += p.executions.len();
        token = p.next_token;
    }
    assert_eq!(all, 5);
    let failed = c
        .list_executions()
        .state_machine_arn(&failing)
        .status_filter(ExecutionStatus::Failed)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.executions.len(), 1);
    assert_eq!(failed.executions[0].status, ExecutionStatus::Failed);
    let running = c
        .list_executions()
        .state_machine_arn(&failing)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap();
    assert!(running.executions.is_empty());
    let e = c
        .list_executions()
        .state_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineDoesNotExist");
}

#[tokio::test]
async fn start_is_idempotent_while_running_and_stop_aborts() {
    let h = Harness::new().await;
    // A function that never answers keeps the execution RUNNING.
    h.twin().lambda().register(
        "A",
        function("hangs", |_| {
            std::future::pending::<Result<Value, LambdaError>>()
        }),
    );
    counting_function(h.twin(), "B");
    let c = sfn_client(&h.running.endpoint_url());
    let arn = create(&c, "Hang", &two_tasks(), StateMachineType::Standard).await;
    let s1 = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("same")
        .input("{}")
        .send()
        .await
        .unwrap();
    let s2 = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("same")
        .input("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(s1.execution_arn, s2.execution_arn);
    assert_eq!(s1.start_date, s2.start_date);
    let e = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("same")
        .input(r#"{"other":1}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ExecutionAlreadyExists");
    let d = c
        .describe_execution()
        .execution_arn(&s1.execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Running);

    let stop = c
        .stop_execution()
        .execution_arn(&s1.execution_arn)
        .error("Operator")
        .cause("stopped by the test")
        .send()
        .await
        .unwrap();
    assert_eq!(stop.stop_date.secs(), T0);
    let d = c
        .describe_execution()
        .execution_arn(&s1.execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
    assert_eq!(d.error.as_deref(), Some("Operator"));
    let hist = c
        .get_execution_history()
        .execution_arn(&s1.execution_arn)
        .reverse_order(true)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(hist.events[0].r#type, HistoryEventType::ExecutionAborted);
    let e = c
        .stop_execution()
        .execution_arn("arn:aws:states:us-east-1:000000000000:execution:Hang:nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ExecutionDoesNotExist");
}

#[tokio::test]
async fn express_machines_run_synchronously() {
    let h = Harness::new().await;
    let c = sfn_client(&h.running.endpoint_url());
    let express = create(&c, "Fast", &pass_machine(), StateMachineType::Express).await;
    let out = c
        .start_sync_execution()
        .state_machine_arn(&express)
        .input(r#"{"a":2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status, sfn::types::SyncExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(out.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!({"a": 2, "r": {"ok": 1}}));
    assert!(
        out.execution_arn
            .starts_with("arn:aws:states:us-east-1:000000000000:express:Fast:")
    );
    assert!(out.billing_details.is_some());

    let failing =
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}});
    let arn = create(
        &c,
        "FastFail",
        &failing.to_string(),
        StateMachineType::Express,
    )
    .await;
    let out = c
        .start_sync_execution()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status, sfn::types::SyncExecutionStatus::Failed);
    assert_eq!(
        (out.error.as_deref(), out.cause.as_deref()),
        (Some("E"), Some("C"))
    );

    let standard = create(&c, "Slow", &pass_machine(), StateMachineType::Standard).await;
    let e = c
        .start_sync_execution()
        .state_machine_arn(&standard)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineTypeNotSupported");
    let e = c
        .list_executions()
        .state_machine_arn(&express)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "StateMachineTypeNotSupported");
    // Async StartExecution of an express machine returns an express ARN.
    let s = c
        .start_execution()
        .state_machine_arn(&express)
        .send()
        .await
        .unwrap();
    assert!(s.execution_arn.contains(":express:Fast:"));
}

#[tokio::test]
async fn sdk_tasks_reach_the_twins_kinesis_analytics() {
    let h = Harness::new().await;
    let c = sfn_client(&h.running.endpoint_url());
    let def = json!({
        "StartAt": "List",
        "States": {
            "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesisanalytics:listApplications",
                     "Parameters": {}, "ResultPath": "$.list", "Next": "Describe"},
            "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesisanalytics:describeApplication",
                     "Parameters": {"ApplicationName": "missing"},
                     "Catch": [{"ErrorEquals": ["KinesisAnalytics.ResourceNotFoundException"], "ResultPath": "$.error", "Next": "Done"}],
                     "End": true},
            "Done": {"Type": "Succeed"}
        }
    });
    let arn = create(&c, "Sdk", &def.to_string(), StateMachineType::Standard).await;
    let s = c
        .start_execution()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let d = h.twin().states().wait(&s.execution_arn).await.unwrap();
    assert_eq!(d.status, kdaflow_local::states::Status::Succeeded, "{d:?}");
    let out: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(out["list"]["ApplicationSummaries"], json!([]));
    assert_eq!(
        out["error"]["Error"],
        "KinesisAnalytics.ResourceNotFoundException"
    );
    assert!(
        out["error"]["Cause"]
            .as_str()
            .unwrap()
            .contains("(Service: KinesisAnalytics, Status Code: 400")
    );
}

#[tokio::test]
async fn test_state_reports_output_next_state_and_errors() {
    let h = Harness::new().await;
    h.twin().lambda().register(
        "Boom",
        function("fails", |_| async {
            Err(LambdaError {
                error_type: Some("Boom".into()),
                error_message: "no".into(),
            })
        }),
    );
    let c = sfn_client(&h.running.endpoint_url());
    let pass =
        json!({"Type": "Pass", "InputPath": "$.a", "Parameters": {"v.$": "$.b"}, "Next": "After"});
    let r = c
        .test_state()
        .definition(pass.to_string())
        .role_arn(ROLE)
        .input(r#"{"a":{"b":7}}"#)
        .inspection_level(sfn::types::InspectionLevel::Debug)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status, Some(sfn::types::TestExecutionStatus::Succeeded));
    assert_eq!(r.output.as_deref(), Some(r#"{"v":7}"#));
    assert_eq!(r.next_state.as_deref(), Some("After"));
    let data = r.inspection_data.unwrap();
    assert_eq!(data.after_input_path.as_deref(), Some(r#"{"b":7}"#));

    let choice = json!({"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"});
    let r = c
        .test_state()
        .definition(choice.to_string())
        .role_arn(ROLE)
        .input(r#"{"n":5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.next_state.as_deref(), Some("Big"));

    let task = |extra: Value| {
        let mut t = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:Boom", "End": true});
        t.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        t.to_string()
    };
    let caught = c
        .test_state()
        .definition(task(
            json!({"Catch": [{"ErrorEquals": ["Boom"], "Next": "Handler"}]}),
        ))
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        caught.status,
        Some(sfn::types::TestExecutionStatus::CaughtError)
    );
    assert_eq!(caught.next_state.as_deref(), Some("Handler"));
    assert_eq!(caught.error.as_deref(), Some("Boom"));
    let retriable = c
        .test_state()
        .definition(task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}]})))
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        retriable.status,
        Some(sfn::types::TestExecutionStatus::Retriable)
    );
    let failed = c
        .test_state()
        .definition(task(json!({})))
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status, Some(sfn::types::TestExecutionStatus::Failed));
    assert_eq!(failed.error.as_deref(), Some("Boom"));
    let e = c
        .test_state()
        .definition("[]")
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidDefinition");
}

#[tokio::test]
async fn a_restart_resumes_running_executions_without_rerunning_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = kdaflow_asl::clock::VirtualClock::at_epoch_seconds(T0);
    let def = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:A", "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 30, "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:B", "End": true}
        }
    });
    let a_total;
    let arn;
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        let a = counting_function(h.twin(), "A");
        // B is where the process "dies": the call starts, then never answers.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let tx = std::sync::Mutex::new(Some(tx));
        h.twin().lambda().register(
            "B",
            function("crash point", move |_| {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                std::future::pending::<Result<Value, LambdaError>>()
            }),
        );
        let c = sfn_client(&h.running.endpoint_url());
        let m = create(&c, "Durable", &def.to_string(), StateMachineType::Standard).await;
        arn = c
            .start_execution()
            .state_machine_arn(&m)
            .name("survivor")
            .input(r#"{"n":1}"#)
            .send()
            .await
            .unwrap()
            .execution_arn;
        rx.await.unwrap();
        a_total = a.load(Ordering::SeqCst);
        assert_eq!(a_total, 1);
        // Kill: no more events are recorded, nothing is flushed specially.
        h.twin().states().halt();
        h.running.shutdown().await.unwrap();
    }
    // Restart on the same state directory with working functions.
    let twin = Twin::builder(config)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let a = counting_function(&twin, "A");
    let b = counting_function(&twin, "B");
    // build() resumed the execution already; the functions registered just above are found
    // at call time. Wait for its end.
    let d = twin.states().wait(&arn).await.unwrap();
    assert_eq!(d.status, kdaflow_local::states::Status::Succeeded, "{d:?}");
    assert_eq!(
        a.load(Ordering::SeqCst),
        0,
        "A completed before the restart"
    );
    assert_eq!(b.load(Ordering::SeqCst), 1);
    let out: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(out, json!({"n": 1, "A": true, "B": true}));
    // One history, ids contiguous, A scheduled once.
    let events = twin.states().history_json(&arn).unwrap();
    let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
    let scheduled_a = events
        .iter()
        .filter(|e| {
            e["type"] == "LambdaFunctionScheduled"
                && e["lambdaFunctionScheduledEventDetails"]["resource"]
                    .as_str()
                    .unwrap()
                    .ends_with(":A")
        })
        .count();
    assert_eq!(scheduled_a, 1);
    // The Wait state's 30 s are on the record.
    assert_eq!(d.stop_date, Some((T0 + 30) as f64));
}

#[tokio::test]
async fn map_runs_are_described_and_listed() {
    let h = Harness::new().await;
    let c = sfn_client(&h.running.endpoint_url());
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map", "Label": "Items", "ItemsPath": "$.items", "End": true,
            "ToleratedFailureCount": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}
            }
        }}
    })
    .to_string();
    let machine = create(&c, "Fan", &definition, StateMachineType::Standard).await;
    let s = c
        .start_execution()
        .state_machine_arn(&machine)
        .input(r#"{"items": [1, 2, 3]}"#)
        .send()
        .await
        .unwrap();
    let d = h.twin().states().wait(&s.execution_arn).await.unwrap();
    assert_eq!(d.status.as_str(), "SUCCEEDED");

    let runs = c
        .list_map_runs()
        .execution_arn(&s.execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(runs.map_runs.len(), 1);
    let run = &runs.map_runs[0];
    assert_eq!(run.state_machine_arn, format!("{machine}/Items"));
    assert!(
        run.map_run_arn.contains(":mapRun:Fan/Items:"),
        "{}",
        run.map_run_arn
    );
    assert!(run.stop_date.is_some());

    let described = c
        .describe_map_run()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.status, sfn::types::MapRunStatus::Succeeded);
    assert_eq!(described.execution_arn, s.execution_arn);
    assert_eq!(described.tolerated_failure_count, 1);
    let items = described.item_counts.unwrap();
    assert_eq!((items.total, items.succeeded, items.failed), (3, 3, 0));
    assert_eq!(described.execution_counts.unwrap().succeeded, 3);

    let children = c
        .list_executions()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(children.executions.len(), 3);
    assert!(children.executions.iter().all(|e| {
        e.status == ExecutionStatus::Succeeded
            && e.map_run_arn.as_deref() == Some(run.map_run_arn.as_str())
            && e.state_machine_arn == format!("{machine}/Items")
    }));
    let page = c
        .list_executions()
        .map_run_arn(&run.map_run_arn)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.executions.len(), 2);
    assert!(page.next_token.is_some());

    let e = c
        .describe_map_run()
        .map_run_arn(&s.execution_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArn");
    let missing = run.map_run_arn.replace("Items:", "Other:");
    let e = c
        .describe_map_run()
        .map_run_arn(&missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFound");
    assert!(message(&e).contains(&missing), "{}", message(&e));
    let e = c
        .list_map_runs()
        .execution_arn(format!("{}x", s.execution_arn))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ExecutionDoesNotExist");
}
