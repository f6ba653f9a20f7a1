//! The bootstrap over the whole twin, on virtual time: every scenario of the workflow issue,
//! each execution history checked against a reviewed golden (`tests/goldens/*.history`).
//! Regenerate the goldens with `KDAFLOW_BLESS=1 cargo test -p kdaflow-tests`, then review
//! the diff.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kdaflow::bootstrap::LocalBootstrap;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_asl::exec::{ExecutionOutcome, ExecutionStatus};
use kdaflow_asl::history::HistoryEvent;
use kdaflow_local::TwinConfig;
use kdaflow_local::faults::{FaultRequest, StartFaultKind};
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const APP: &str = "dsoaws-kinesis-data-analytics-sql-app";

async fn twin_with(start: Duration) -> (LocalBootstrap, VirtualClock) {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let mut config = TwinConfig::default();
    config.lifecycle.start = start;
    let local = LocalBootstrap::start(config, Arc::new(clock.clone()), 0)
        .await
        .unwrap();
    (local, clock)
}

async fn twin() -> (LocalBootstrap, VirtualClock) {
    twin_with(Duration::from_secs(2)).await
}

/// A compact, reviewable rendering of a history: id, previous id, seconds since the start,
/// type, and the state name or error.
pub(crate) fn render(outcome: &ExecutionOutcome, history: &[HistoryEvent]) -> String {
    let start = history
        .first()
        .map(|e| e.timestamp)
        .unwrap_or(outcome.start_date);
    let mut out = String::new();
    for e in history {
        let t = (e.timestamp - start).num_milliseconds() as f64 / 1000.0;
        let what = e
            .detail_str("name")
            .map(str::to_string)
            .or_else(|| e.detail_str("error").map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>3} {:>3} {:>8.3}s {} {}\n",
            e.id,
            e.previous_event_id,
            t,
            e.event_type.as_str(),
            what
        ));
    }
    let status = serde_json::to_value(outcome.status).unwrap();
    out.push_str(&format!("status {}\n", status.as_str().unwrap_or_default()));
    if let Some(o) = &outcome.output {
        out.push_str(&format!(
            "output {}\n",
            serde_json::to_string_pretty(o).unwrap()
        ));
    }
    if let Some(e) = &outcome.error {
        out.push_str(&format!("error {e}\n"));
    }
    if let Some(c) = &outcome.cause {
        out.push_str(&format!("cause {c}\n"));
    }
    out
}

pub(crate) fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("goldens")
        .join(format!("{name}.history"));
    if std::env::var_os("KDAFLOW_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no golden {}; run with KDAFLOW_BLESS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "history of {name} differs from {}; if the change is intended, regenerate with KDAFLOW_BLESS=1 and review",
        path.display()
    );
}

async fn run(
    local: &LocalBootstrap,
    name: &str,
    overrides: Value,
) -> (ExecutionOutcome, Vec<HistoryEvent>) {
    local
        .execute(name, local.input(overrides), None)
        .await
        .unwrap()
}

fn kda_calls(local: &LocalBootstrap) -> u64 {
    local
        .twin()
        .calls_to(kdaflow_local::kinesisanalytics::SERVICE_NAME)
}

/// `kdaflow up`'s execution is an ordinary execution of the twin's Step Functions service:
/// ListExecutions lists it and GetExecutionHistory has the events the bootstrap saw.
#[tokio::test]
async fn bootstrap_executions_are_listed_by_the_states_service() {
    let (local, _) = twin().await;
    let (outcome, history) = run(&local, "listed", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let listed = kdaflow_tests::executions(&local.running, &local.state_machine_arn).await;
    assert_eq!(
        listed,
        vec![(
            format!(
                "arn:aws:states:us-east-1:000000000000:execution:{}:listed",
                kdaflow::bootstrap::STATE_MACHINE_NAME
            ),
            "SUCCEEDED".to_string()
        )]
    );
    let sfn = aws_sdk_sfn::Client::new(&kdaflow_tests::sdk_config(&local.running.endpoint_url()));
    let events = sfn
        .get_execution_history()
        .execution_arn(&listed[0].0)
        .max_results(1000)
        .send()
        .await
        .unwrap()
        .events;
    let types: Vec<String> = events
        .iter()
        .map(|e| e.r#type.as_str().to_string())
        .collect();
    let seen: Vec<String> = history
        .iter()
        .map(|e| e.event_type.as_str().to_string())
        .collect();
    assert_eq!(types, seen);
    // The name is used once per state machine, as on AWS.
    let again = local
        .execute("listed", local.input(json!({"window_seconds": 30})), None)
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("ExecutionAlreadyExists"),
        "{again}"
    );
}

/// The four tasks as AWS runs them — the `lambda_runtime` binaries, processes under the twin's
/// Runtime API — give the very history the in-process tasks give.
#[tokio::test]
async fn the_task_binaries_under_the_runtime_api_give_the_same_history() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let mut config = TwinConfig::default();
    config.lifecycle.start = Duration::from_secs(2);
    let local = LocalBootstrap::start_with(
        config,
        Arc::new(clock.clone()),
        0,
        kdaflow::tasks::Tasks::Process,
    )
    .await
    .expect("the twin starts with the task binaries (built by `cargo test --workspace`)");
    let (outcome, history) = run(&local, "fresh", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    // The tasks are stored functions of the Lambda service, not built-ins.
    let builtins = local.twin().lambda().builtin_names();
    for t in kdaflow_workflow::contract::TASK_FUNCTIONS {
        assert!(local.twin().lambda().exists(t.name), "{}", t.name);
        assert!(
            !builtins.iter().any(|b| b == t.name),
            "{} is built in",
            t.name
        );
    }
    check_golden("fresh", &render(&outcome, &history));
    // Invoked directly, a binary's `Diagnostic` is the function error, named by the contract.
    let bad = local.input(json!({"firehose_arn": "arn:aws:s3:::not-a-stream"}));
    let e = local
        .twin()
        .lambda()
        .invoke(kdaflow_workflow::contract::TASK_FUNCTIONS[0].name, bad)
        .await
        .unwrap_err();
    assert_eq!(
        e.error_type.as_deref(),
        Some(kdaflow_workflow::contract::errors::PREREQUISITE_INVALID),
        "{e:?}"
    );
    assert!(e.error_message.contains("firehose_arn"), "{e:?}");
}

#[tokio::test]
async fn fresh_bootstrap() {
    let (local, _) = twin().await;
    let (outcome, history) = run(&local, "fresh", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let out = outcome.output.clone().unwrap();
    assert_eq!(out["application_name"], APP);
    assert_eq!(out["status"], "RUNNING");
    assert_eq!(out["created"], true);
    assert_eq!(out["input_id"], "1.1");
    // The application is there, RUNNING, exactly as the spec says.
    let app = local.twin().kinesis_analytics().snapshot(APP).unwrap();
    assert_eq!(app.status.as_str(), "RUNNING");
    assert_eq!(app.outputs.len(), 3);
    check_golden("fresh", &render(&outcome, &history));
}

#[tokio::test]
async fn rerun_reports_the_existing_application() {
    let (local, _) = twin().await;
    run(&local, "first", json!({})).await;
    let before = kda_calls(&local);
    let (outcome, history) = run(&local, "second", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let out = outcome.output.clone().unwrap();
    assert_eq!(out["created"], false);
    assert_eq!(out["updated"], false);
    assert_eq!(out["version_id"], 1);
    // describe (create task) + describe (start task): nothing created, nothing started.
    assert_eq!(kda_calls(&local) - before, 2);
    check_golden("rerun", &render(&outcome, &history));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_executions_share_one_application() {
    let (local, _) = twin().await;
    let local = Arc::new(local);
    let (a, b) = tokio::join!(run(&local, "a", json!({})), run(&local, "b", json!({})));
    for (outcome, _) in [&a, &b] {
        assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
        assert_eq!(outcome.output.as_ref().unwrap()["status"], "RUNNING");
    }
    let created: Vec<bool> = [&a, &b]
        .iter()
        .map(|(o, _)| o.output.as_ref().unwrap()["created"].as_bool().unwrap())
        .collect();
    assert_eq!(
        created.iter().filter(|c| **c).count(),
        1,
        "exactly one execution creates it: {created:?}"
    );
}

#[tokio::test]
async fn throttled_calls_succeed_on_retry() {
    let (local, _) = twin().await;
    local.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: Some("CreateApplication".into()),
        error: "ThrottlingException".into(),
        message: Some("Rate exceeded".into()),
        count: 2,
    });
    local.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: Some("StartApplication".into()),
        error: "ServiceUnavailableException".into(),
        message: None,
        count: 1,
    });
    let (outcome, history) = run(&local, "throttled", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let failures: Vec<_> = history
        .iter()
        .filter_map(|e| e.detail_str("error"))
        .collect();
    assert_eq!(
        failures,
        [
            "Bootstrap.Throttled",
            "Bootstrap.Throttled",
            "Bootstrap.ServiceUnavailable"
        ]
    );
    check_golden("throttled", &render(&outcome, &history));
}

#[tokio::test]
async fn start_while_updating_retries_until_ready() {
    let (local, clock) = twin().await;
    // The application exists, READY, and a configuration change has just put it in UPDATING.
    let kda = kdaflow::bootstrap::twin_client(&local.running.endpoint_url(), "us-east-1");
    let (created, _) = run(&local, "create", json!({})).await;
    assert_eq!(created.status, ExecutionStatus::Succeeded);
    kda.stop_application()
        .application_name(APP)
        .send()
        .await
        .unwrap();
    clock.advance(chrono::Duration::seconds(1));
    kda.tag_resource()
        .resource_arn(format!(
            "arn:aws:kinesisanalytics:us-east-1:000000000000:application/{APP}"
        ))
        .tags(
            aws_sdk_kinesisanalytics::types::Tag::builder()
                .key("k")
                .value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    kda.delete_application_cloud_watch_logging_option()
        .application_name(APP)
        .current_application_version_id(1)
        .cloud_watch_logging_option_id("4.1")
        .send()
        .await
        .unwrap_err();
    kda.add_application_cloud_watch_logging_option()
        .application_name(APP)
        .current_application_version_id(1)
        .cloud_watch_logging_option(
            aws_sdk_kinesisanalytics::types::CloudWatchLoggingOption::builder()
                .log_stream_arn("arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:app")
                .role_arn("arn:aws:iam::000000000000:role/DSOAWS_Kinesis")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let app = local.twin().kinesis_analytics().snapshot(APP).unwrap();
    assert_eq!(app.status.as_str(), "UPDATING");
    let (outcome, history) = run(&local, "updating", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert!(
        history
            .iter()
            .any(|e| e.detail_str("error") == Some("Bootstrap.ApplicationBusy"))
    );
    check_golden("start-while-updating", &render(&outcome, &history));
}

#[tokio::test]
async fn stuck_in_starting_times_out() {
    let (local, _) = twin().await;
    local.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Hang,
        application: None,
        count: 1,
    });
    let (outcome, history) = run(&local, "stuck", json!({"max_wait_seconds": 120})).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Bootstrap.StartTimedOut"));
    let cause = outcome.cause.clone().unwrap();
    assert!(
        cause.contains("still STARTING after 120 seconds"),
        "{cause}"
    );
    check_golden("start-timed-out", &render(&outcome, &history));
}

#[tokio::test]
async fn start_falling_back_to_ready_fails() {
    let (local, _) = twin().await;
    local.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Fail,
        application: None,
        count: 1,
    });
    let (outcome, history) = run(&local, "fallback", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Bootstrap.StartFailed"));
    assert!(
        outcome
            .cause
            .clone()
            .unwrap()
            .contains("is READY after StartApplication")
    );
    check_golden("start-failed", &render(&outcome, &history));
}

#[tokio::test]
async fn every_kind_of_bad_arn_is_reported_at_once() {
    let (local, _) = twin().await;
    let cases: [(&str, Value, &str); 11] = [
        ("firehose_arn", json!("not an arn"), "is not an ARN"),
        (
            "firehose_arn",
            json!("arn:aws:kinesis:us-east-1:000000000000:stream/x"),
            "is not a Kinesis Data Firehose delivery stream",
        ),
        (
            "stream_arn",
            json!("arn:aws:kinesis:us-east-1:000000000000:stream/bad name"),
            "has stream name",
        ),
        (
            "stream_arn",
            json!("arn:aws:kinesis:mars-1:000000000000:stream/s"),
            "is not an AWS region",
        ),
        (
            "lambda_fn_arn_sns",
            json!("arn:aws:lambda:us-east-1:000000000000:function:f:bad qualifier"),
            "has qualifier",
        ),
        (
            "lambda_fn_arn_sns",
            json!("arn:aws:lambda:eu-west-1:000000000000:function:f"),
            "is in eu-west-1 but",
        ),
        (
            "iam_role_lambda_arn",
            json!("arn:aws:iam:us-east-1:000000000000:role/r"),
            "IAM ARNs have none",
        ),
        (
            "iam_role_lambda_arn",
            json!("arn:aws:iam::111111111111:role/r"),
            "is in account 111111111111",
        ),
        (
            "iam_role_kinesis_arn",
            json!("arn:aws-cn:iam::000000000000:role/r"),
            "share a partition",
        ),
        (
            "lambda_fn_arn_invoke_ep",
            json!("arn:aws:lambda:us-east-1:12345:function:f"),
            "12 digits",
        ),
        ("lambda_fn_arn_cloudwatch", Value::Null, "is missing"),
    ];
    for (i, (field, value, reason)) in cases.iter().enumerate() {
        let mut input = local.input(json!({}));
        if value.is_null() {
            input.as_object_mut().unwrap().remove(*field);
        } else {
            input[*field] = value.clone();
        }
        let (outcome, _) = local
            .execute(&format!("bad-{i}-{field}"), input, None)
            .await
            .unwrap();
        assert_eq!(
            outcome.error.as_deref(),
            Some("Bootstrap.PrerequisiteInvalid"),
            "{field}"
        );
        let cause = outcome.cause.unwrap();
        assert!(
            cause.contains(field) && cause.contains(reason),
            "{field}: want {reason:?} in {cause}"
        );
    }
    // All at once: three bad fields give three problems in one cause.
    let mut input = local.input(json!({}));
    input["firehose_arn"] = json!("x");
    input["stream_arn"] = json!("arn:aws:s3:::bucket");
    input["iam_role_lambda_arn"] = json!("arn:aws:iam::000000000000:user/u");
    let (outcome, history) = local.execute("bad-many", input, None).await.unwrap();
    assert!(
        outcome
            .cause
            .as_deref()
            .unwrap()
            .contains("3 prerequisite problem(s)")
    );
    assert!(
        local.twin().kinesis_analytics().snapshot(APP).is_none(),
        "nothing was created"
    );
    check_golden("prerequisite-invalid", &render(&outcome, &history));
}

#[tokio::test]
async fn drift_fails_by_default_and_updates_on_request() {
    let (local, clock) = twin().await;
    run(&local, "first", json!({})).await;
    let (outcome, history) = run(&local, "drift", json!({"window_seconds": 10})).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("Bootstrap.ConfigurationDrift")
    );
    assert!(
        outcome
            .cause
            .as_deref()
            .unwrap()
            .contains("code: the application code differs")
    );
    check_golden("drift-fail", &render(&outcome, &history));

    clock.advance(chrono::Duration::seconds(60));
    let mut spec = kdaflow_workflow::spec::ApplicationSpec::reference();
    spec.outputs.pop(); // drop the distinct-count output ...
    let (outcome, history) = run(
        &local,
        "drift-update",
        json!({"window_seconds": 10, "on_drift": "update", "application_spec": spec}),
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let out = outcome.output.clone().unwrap();
    assert_eq!(out["updated"], true);
    let app = local.twin().kinesis_analytics().snapshot(APP).unwrap();
    assert!(app.code.unwrap().contains("INTERVAL '10' SECOND"));
    assert_eq!(app.outputs.len(), 2);
    assert_eq!(app.status.as_str(), "RUNNING");
    check_golden("drift-update", &render(&outcome, &history));
    // And now it is in line: a rerun with the same input changes nothing.
    let (outcome, _) = run(
        &local,
        "drift-again",
        json!({"window_seconds": 10, "on_drift": "update", "application_spec": kdaflow_workflow::spec::ApplicationSpec::reference()}),
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output.unwrap()["updated"],
        true,
        "the third output comes back"
    );
}

#[tokio::test]
async fn a_ninety_second_start_costs_few_transitions_and_calls() {
    let (local, _) = twin_with(Duration::from_secs(90)).await;
    let (outcome, history) = run(&local, "slow", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let transitions = history
        .iter()
        .filter(|e| e.event_type.as_str().ends_with("StateEntered"))
        .count();
    assert_eq!(outcome.output.as_ref().unwrap()["status_checks"], 6);
    // Validate, Create, Start, IsRunning; six times Wait, Check, IsRunning; Done.
    assert_eq!(transitions, 4 + 6 * 3 + 1);
    // Create: describe + create; Start: describe + start; six status reads.
    assert_eq!(kda_calls(&local), 2 + 2 + 6);
    check_golden("ninety-second-start", &render(&outcome, &history));
}

#[tokio::test]
async fn the_bootstrapped_application_processes_sample_data() {
    use kdaflow_local::dataplane::sample::{SampleOptions, stream_sample};
    let (local, _) = twin().await;
    let (outcome, _) = run(&local, "fresh", json!({})).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let options = SampleOptions {
        rate: 100,
        duration: Duration::from_secs(10),
        ..SampleOptions::default()
    };
    let mut ticks_with_results = 0;
    let reviews = kdaflow::bootstrap::sample_records(1, 50);
    let report = stream_sample(local.twin(), &options, reviews, |tick| {
        ticks_with_results += usize::from(!tick.deliveries.is_empty());
    })
    .await
    .unwrap();
    assert_eq!(report.sent, 1000);
    assert_eq!(report.anomalies, 20);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(ticks_with_results > 0);
    // Ten seconds of data and six of draining close at least two 5-second windows; each window's
    // average reached the CloudWatch stand-in and its distinct count the Kinesis stream.
    let averages = local.standins.metrics.values();
    assert!(averages.len() >= 2, "{averages:?}");
    assert!(
        averages.iter().all(|a| (3.0..=5.0).contains(a)),
        "{averages:?}"
    );
    let counts = report.delivered("APPROXIMATE_COUNT_SQL_STREAM");
    assert_eq!(counts.len(), averages.len());
    assert!(report.delivered("ANOMALY_SCORE_SQL_STREAM").len() >= 1000);
}
