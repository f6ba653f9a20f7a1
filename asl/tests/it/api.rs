//! API-level tests: builders, history shape, stop, resume, timeouts, integrations, mocks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use kdaflow_asl::clock::{Clock, SystemClock, VirtualClock};
use kdaflow_asl::common::retry::{RetryDecision, decide};
use kdaflow_asl::error::StatesError;
use kdaflow_asl::exec::{Execution, ExecutionConfig, ExecutionStatus, Program};
use kdaflow_asl::history::{EventSink, EventType, HistoryEvent};
use kdaflow_asl::mock::MockConfig;
use kdaflow_asl::model::{
    Catcher, ChoiceRule, ChoiceState, JitterStrategy, Operator, PassState, Retrier, State,
    StateMachine, SucceedState, TaskState, WaitState,
};
use kdaflow_asl::task::{
    Integrations, LambdaError, LambdaFunctions, SdkCalls, TaskInvoker, TaskRequest, sdk_error_name,
};
use parking_lot::Mutex;
use rand::SeedableRng;
use serde_json::{Value, json};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

fn virtual_clock() -> VirtualClock {
    VirtualClock::at_epoch_seconds(1_700_000_000)
}

/// Lambda functions that echo their payload, or fail when it says so; counts calls.
#[derive(Debug, Default)]
struct Functions {
    calls: AtomicUsize,
}

#[async_trait]
impl LambdaFunctions for Functions {
    async fn invoke_function(&self, function: &str, payload: Value) -> Result<Value, LambdaError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if payload.get("fail").is_some() {
            return Err(LambdaError {
                error_type: Some("CustomException".into()),
                error_message: format!("{function} failed"),
            });
        }
        Ok(json!({"function": function, "echo": payload}))
    }
}

fn machine_built_in_rust() -> StateMachine {
    StateMachine::new("Start")
        .comment("built with the typed model")
        .with_state(
            "Start",
            State::Pass(
                PassState::default()
                    .parameters(json!({"n.$": "$.n"}))
                    .next("Call"),
            ),
        )
        .with_state(
            "Call",
            State::Task(
                TaskState::new(INVOKE)
                    .parameters(json!({"FunctionName": "work", "Payload.$": "$"}))
                    .result_selector(json!({"out.$": "$.Payload.echo"}))
                    .result_path(Some("$.result"))
                    .retry(
                        Retrier::on(["Lambda.ServiceException"])
                            .interval_seconds(2)
                            .max_attempts(3),
                    )
                    .catch(Catcher::on(["States.ALL"], "Failed").result_path(Some("$.error")))
                    .next("Check"),
            ),
        )
        .with_state(
            "Check",
            State::Choice(
                ChoiceState::default()
                    .choice(
                        ChoiceRule::compare(
                            "$.result.out.n",
                            Operator::NumericGreaterThan,
                            json!(1),
                        )
                        .next("Wait"),
                    )
                    .default_next("Done"),
            ),
        )
        .with_state("Wait", State::Wait(WaitState::seconds(30).next("Done")))
        .with_state("Done", State::Succeed(SucceedState::default()))
        .with_state("Failed", State::Succeed(SucceedState::default()))
}

#[tokio::test]
async fn builder_machine_validates_round_trips_and_runs() {
    let machine = machine_built_in_rust();
    let json = machine.to_json();
    assert_eq!(
        json["States"]["Call"]["Retry"][0]["ErrorEquals"],
        json!(["Lambda.ServiceException"])
    );
    let reparsed = kdaflow_asl::validate(&json).expect("valid");
    assert_eq!(reparsed, machine);
    let clock = virtual_clock();
    let lambda = Arc::new(Functions::default());
    let invoker = Arc::new(Integrations {
        lambda: lambda.clone(),
        sdk: None,
    });
    let exec = Execution::new(
        Arc::new(Program::new(machine).expect("compiles")),
        invoker,
        Arc::new(clock.clone()),
        ExecutionConfig::default(),
    );
    let outcome = exec.run(json!({"n": 2})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output,
        Some(json!({"n": 2, "result": {"out": {"n": 2}}}))
    );
    assert_eq!(lambda.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        clock.now().timestamp(),
        1_700_000_030,
        "the Wait advanced virtual time exactly"
    );
    assert_eq!((outcome.stop_date - outcome.start_date).num_seconds(), 30);
}

#[tokio::test]
async fn history_events_have_aws_shape() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"v": 1}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 3, "End": true}}});
    let exec = Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        Arc::new(kdaflow_asl::mock::NoTasks),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    exec.run(json!({"k": "v"})).await;
    let events = exec.history().events();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id);
    }
    assert_eq!(
        events[1].previous_event_id, 0,
        "the first state entered points at 0"
    );
    let json: Vec<Value> = events.iter().map(HistoryEvent::to_json).collect();
    assert_eq!(json[0]["type"], "ExecutionStarted");
    assert_eq!(
        json[0]["executionStartedEventDetails"]["input"],
        "{\"k\":\"v\"}"
    );
    assert_eq!(
        json[0]["executionStartedEventDetails"]["inputDetails"],
        json!({"truncated": false})
    );
    assert_eq!(
        json[2]["stateExitedEventDetails"]["assignedVariables"],
        json!({"v": "1"})
    );
    assert_eq!(json[2]["stateExitedEventDetails"]["name"], "A");
    assert_eq!(json[4]["timestamp"].as_f64(), Some(1_700_000_003.0));
    assert_eq!(json[5]["type"], "ExecutionSucceeded");
    assert_eq!(
        json[5]["executionSucceededEventDetails"]["output"],
        "{\"k\":\"v\"}"
    );
}

/// An invoker whose call never finishes until stopped; tells when it has started.
#[derive(Debug, Default)]
struct Hangs {
    started: tokio::sync::Notify,
}

#[async_trait]
impl TaskInvoker for Hangs {
    async fn invoke(&self, _request: TaskRequest) -> Result<Value, StatesError> {
        self.started.notify_one();
        std::future::pending().await
    }
}

#[tokio::test]
async fn an_execution_can_be_stopped() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"}, "End": true}}});
    let invoker = Arc::new(Hangs::default());
    let exec = Arc::new(Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        invoker.clone(),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    ));
    let stop = exec.stop_handle();
    let running = tokio::spawn({
        let exec = exec.clone();
        async move { exec.run(json!({})).await }
    });
    invoker.started.notified().await;
    stop.stop(Some("UserStop".into()), Some("stopped by the test".into()));
    let outcome = running.await.expect("joined");
    assert_eq!(outcome.status, ExecutionStatus::Aborted);
    assert_eq!(outcome.error.as_deref(), Some("UserStop"));
    let last = exec.history().events().pop().expect("events");
    assert_eq!(last.event_type, EventType::ExecutionAborted);
    assert_eq!(last.details["cause"], "stopped by the test");
}

#[tokio::test(start_paused = true)]
async fn task_timeout_on_a_real_clock_is_states_timeout() {
    // Paused Tokio time auto-advances while everything waits, so this finishes at once.
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "TimeoutSeconds": 2,
        "Parameters": {"FunctionName": "f"}, "End": true}}});
    let exec = Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        Arc::new(Hangs::default()),
        Arc::new(SystemClock),
        ExecutionConfig::default(),
    );
    let outcome = exec.run(json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    let types: Vec<_> = exec
        .history()
        .events()
        .iter()
        .map(|e| e.event_type)
        .collect();
    assert!(types.contains(&EventType::TaskTimedOut), "{types:?}");
}

#[derive(Debug, Default)]
struct Collect(Mutex<Vec<HistoryEvent>>);

impl EventSink for Collect {
    fn record(&self, event: &HistoryEvent) {
        self.0.lock().push(event.clone());
    }
}

#[tokio::test]
async fn resume_replays_recorded_tasks_without_calling_them_again() {
    let def = json!({"StartAt": "One", "States": {
        "One": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "one", "Payload.$": "$"}, "ResultPath": "$.one", "Next": "Two"},
        "Two": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "two", "Payload.$": "$.one.Payload"}, "OutputPath": "$.Payload", "End": true}}});
    let program = Arc::new(Program::from_json(&def).expect("valid"));
    let first = Arc::new(Functions::default());
    let exec = Execution::new(
        program.clone(),
        Arc::new(Integrations {
            lambda: first.clone(),
            sdk: None,
        }),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    let full = exec.run(json!({"x": 1})).await;
    let events = exec.history().events();
    // Pretend the process died right after the first task succeeded.
    let cut = events
        .iter()
        .position(|e| e.event_type == EventType::TaskSucceeded)
        .expect("succeeded")
        + 1;
    let stored: Vec<HistoryEvent> = events[..cut].to_vec();

    let second = Arc::new(Functions::default());
    let sink = Arc::new(Collect::default());
    let resumed = Execution::new(
        program,
        Arc::new(Integrations {
            lambda: second.clone(),
            sdk: None,
        }),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    resumed.add_sink(sink.clone());
    let outcome = resumed.resume(json!({"x": 1}), stored.clone()).await;
    assert_eq!(outcome.output, full.output);
    assert_eq!(
        second.calls.load(Ordering::SeqCst),
        1,
        "only the second task runs again"
    );
    let new_events = sink.0.lock().clone();
    assert_eq!(
        new_events.first().map(|e| e.id),
        Some(cut as u64 + 1),
        "sinks only see new events"
    );
    assert_eq!(
        resumed.history().events(),
        events,
        "the replayed history equals the original"
    );
}

#[tokio::test]
async fn lambda_errors_are_named_by_error_type_and_sdk_errors_by_service() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}});
    let exec = Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        Arc::new(Integrations {
            lambda: Arc::new(Functions::default()),
            sdk: None,
        }),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    let outcome = exec.run(json!({"fail": true})).await;
    assert_eq!(outcome.error.as_deref(), Some("CustomException"));
    let cause: Value =
        serde_json::from_str(outcome.cause.as_deref().unwrap_or("")).expect("JSON cause");
    assert_eq!(cause["errorType"], "CustomException");
    assert_eq!(
        cause["errorMessage"],
        "arn:aws:lambda:us-east-1:123456789012:function:f failed"
    );
    assert_eq!(
        sdk_error_name("kinesisanalytics", "ResourceInUseException"),
        "KinesisAnalytics.ResourceInUseException"
    );
    assert_eq!(
        sdk_error_name("dynamodb", "ResourceNotFound"),
        "DynamoDb.ResourceNotFoundException"
    );
    assert_eq!(sdk_error_name("s3", "NoSuchKey"), "S3.NoSuchKeyException");
}

#[derive(Debug)]
struct Sdk;

#[async_trait]
impl SdkCalls for Sdk {
    async fn call(
        &self,
        _service: &str,
        action: &str,
        _parameters: Value,
    ) -> Result<Value, (String, String)> {
        match action {
            "startApplication" => Err(("ResourceInUseException".into(), "busy".into())),
            _ => Ok(json!({"ApplicationDetail": {"ApplicationStatus": "RUNNING"}})),
        }
    }
}

#[tokio::test]
async fn aws_sdk_errors_can_be_caught_by_name() {
    let def = json!({"StartAt": "Start", "States": {
        "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesisanalytics:startApplication",
                  "Parameters": {"ApplicationName": "app"},
                  "Catch": [{"ErrorEquals": ["KinesisAnalytics.ResourceInUseException"], "Next": "Describe", "ResultPath": null}],
                  "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesisanalytics:describeApplication",
                     "Parameters": {"ApplicationName": "app"}, "OutputPath": "$.ApplicationDetail.ApplicationStatus", "End": true}}});
    let exec = Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        Arc::new(Integrations {
            lambda: Arc::new(Functions::default()),
            sdk: Some(Arc::new(Sdk)),
        }),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    let outcome = exec.run(json!({})).await;
    assert_eq!(outcome.output, Some(json!("RUNNING")));
}

#[test]
fn full_jitter_is_seeded_and_bounded() {
    let retriers = [Retrier::on(["E"])
        .interval_seconds(10)
        .max_attempts(5)
        .jitter(JitterStrategy::Full)];
    let err = StatesError::new("E", "");
    let run = |seed| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut attempts = [0];
        (0..5)
            .map(|_| match decide(&retriers, &mut attempts, &err, &mut rng) {
                RetryDecision::Retry { delay, .. } => delay.num_milliseconds(),
                RetryDecision::GiveUp => -1,
            })
            .collect::<Vec<_>>()
    };
    let a = run(7);
    assert_eq!(a, run(7), "same seed, same delays");
    for (k, d) in a.iter().enumerate() {
        assert!(
            *d >= 0 && *d <= 10_000 * 2i64.pow(k as u32),
            "delay {d} out of range at retry {k}"
        );
    }
}

#[tokio::test]
async fn mock_config_ranges_and_selection() {
    let cfg = MockConfig::from_json(&json!({
        "StateMachines": {"M": {"TestCases": {"A": {"T": "R"}, "B": {}}}},
        "MockedResponses": {"R": {"0": {"Return": 1}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}
    }))
    .expect("valid mock");
    assert!(
        cfg.invoker(None, None).is_err(),
        "two test cases: the name is required"
    );
    assert!(cfg.invoker(None, Some("Nope")).is_err());
    let inv = cfg.invoker(Some("M"), Some("A")).expect("test case");
    let req = |state: &str| TaskRequest {
        state_name: state.into(),
        resource_arn: INVOKE.into(),
        resource: kdaflow_asl::task::Resource::parse(INVOKE).expect("resource"),
        input: json!({}),
        retry_count: 0,
        execution_arn: String::new(),
        task_token: None,
        timeout_seconds: None,
    };
    assert_eq!(inv.invoke(req("T")).await, Ok(json!(1)));
    assert_eq!(
        inv.invoke(req("T")).await.map_err(|e| e.error),
        Err("E".to_owned())
    );
    assert_eq!(
        inv.invoke(req("T")).await.map_err(|e| e.error),
        Err("E".to_owned())
    );
    assert_eq!(
        inv.invoke(req("T")).await.map_err(|e| e.error),
        Err("States.Runtime".to_owned())
    );
    assert_eq!(
        inv.invoke(req("Other")).await.map_err(|e| e.error),
        Err("States.Runtime".to_owned())
    );
    assert!(
        MockConfig::from_json(
            &json!({"StateMachines": {}, "MockedResponses": {"R": {"2-1": {"Return": 1}}}})
        )
        .is_err()
    );
}

#[tokio::test]
async fn one_shot_run_with_mock_file_and_default_test_case() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"},
        "OutputPath": "$.Payload", "End": true}}});
    let mock = json!({"StateMachines": {"M": {"TestCases": {"Only": {"T": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}}}});
    let report = kdaflow_asl::run::run_definition(
        &def,
        kdaflow_asl::run::RunOptions {
            input: json!({}),
            mock: Some(mock),
            test_case: None,
            real_time: false,
        },
    )
    .await
    .expect("runs");
    assert_eq!(report.outcome.output, Some(json!({"ok": true})));
    assert_eq!(report.history.len(), 7);
    assert_eq!(
        kdaflow_asl::run::parse_input("{\"a\": [1]}").expect("json"),
        json!({"a": [1]})
    );
    assert!(kdaflow_asl::run::parse_input("{nope").is_err());
}

#[test]
fn null_paths_round_trip_and_differ_from_absent() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": null, "ResultPath": null, "End": true}}});
    let m = StateMachine::from_json(&def).expect("parses");
    let State::Pass(p) = &m.states["P"] else {
        panic!("a Pass state")
    };
    assert_eq!(p.input_path, Some(None));
    assert_eq!(p.output_path, None);
    assert_eq!(m.to_json(), def);
    let built = PassState::default().input_path(None).end();
    assert_eq!(
        serde_json::to_value(&built).expect("json")["InputPath"],
        Value::Null
    );
}

#[tokio::test]
async fn virtual_clock_deadline_guard_holds_sleeps_back() {
    let clock = virtual_clock();
    let start = clock.now();
    let guard = clock
        .limit(start + chrono::Duration::seconds(5))
        .expect("guard");
    let c2 = clock.clone();
    let sleeper = tokio::spawn(async move {
        c2.sleep(chrono::Duration::seconds(10)).await;
        c2.now()
    });
    guard.reached().await;
    assert_eq!(clock.now() - start, chrono::Duration::seconds(5));
    assert!(!sleeper.is_finished());
    // Lifting the first deadline lets the held sleep go on, up to the next deadline only.
    let guard2 = clock
        .limit(clock.now() + chrono::Duration::seconds(3))
        .expect("guard");
    drop(guard);
    guard2.reached().await;
    assert_eq!(clock.now() - start, chrono::Duration::seconds(8));
    // A sleep that ends before a deadline is not held back.
    let guard3 = clock
        .limit(clock.now() + chrono::Duration::seconds(100))
        .expect("guard");
    drop(guard2);
    let woke = sleeper.await.expect("sleeper");
    assert_eq!(woke - start, chrono::Duration::seconds(10));
    assert!(!guard3.is_reached());
    assert!(SystemClock.limit(start).is_none());
}

/// Sleeps on the execution's virtual clock for `payload.seconds`, then echoes.
#[derive(Debug)]
struct Sleeper(VirtualClock);

#[async_trait]
impl TaskInvoker for Sleeper {
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError> {
        let secs = request.input["seconds"].as_i64().unwrap_or(0);
        self.0.sleep(chrono::Duration::seconds(secs)).await;
        Ok(request.input)
    }
}

#[tokio::test]
async fn task_timeouts_on_virtual_time_are_deterministic() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "TimeoutSeconds": 5, "End": true}}});
    let program = Arc::new(Program::from_json(&def).unwrap());
    for _ in 0..20 {
        let clock = virtual_clock();
        let exec = Execution::new(
            program.clone(),
            Arc::new(Sleeper(clock.clone())),
            Arc::new(clock.clone()),
            ExecutionConfig::default(),
        );
        let outcome = exec.run(json!({"seconds": 10})).await;
        assert_eq!(outcome.status, ExecutionStatus::Failed);
        assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
        let events = exec.history().events();
        let timed_out = &events[4];
        assert_eq!(timed_out.event_type, EventType::TaskTimedOut);
        assert_eq!(timed_out.timestamp.timestamp(), 1_700_000_005);
        assert_eq!(timed_out.detail_str("error"), Some("States.Timeout"));
        assert_eq!(outcome.stop_date.timestamp(), 1_700_000_005);
    }
}
