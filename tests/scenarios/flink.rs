//! The Flink bootstrap (kinesisanalyticsv2) over the whole twin, on virtual time: fresh, rerun,
//! drift (fail and update), a busy application, a failed start, a start that times out, each
//! history checked against a reviewed golden (`tests/goldens/flink-*.history`); and what a
//! bootstrap costs in transitions and API calls for a start of 90 s and of 5 minutes.
//!
//! The twin runs the service's control plane here without a Flink job (its API-only mode): the
//! scenarios are about the workflow, and the statuses and operations are the service's.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_kinesisanalyticsv2 as v2;
use kdaflow::bootstrap::LocalBootstrap;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_asl::exec::{ExecutionOutcome, ExecutionStatus};
use kdaflow_asl::history::HistoryEvent;
use kdaflow_local::TwinConfig;
use kdaflow_local::faults::{FaultRequest, StartFaultKind};
use kdaflow_workflow::flink::FlinkSpec;
use serde_json::{Value, json};

use crate::bootstrap::{check_golden, render};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const BUCKET: &str = kdaflow::bootstrap::FLINK_CODE_BUCKET;
const KEY: &str = kdaflow::bootstrap::FLINK_CODE_KEY;
const APP: &str = "dsoaws-flink-app";

async fn twin_with(start: Duration) -> (LocalBootstrap, VirtualClock) {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let mut config = TwinConfig::default();
    config.lifecycle.start = start;
    let local = LocalBootstrap::start(config, Arc::new(clock.clone()), 0)
        .await
        .unwrap();
    kdaflow::bootstrap::stage_flink_code(
        &local.running.endpoint_url(),
        "us-east-1",
        BUCKET,
        KEY,
        b"PK\x05\x06 the translated application".to_vec(),
    )
    .await
    .unwrap();
    (local, clock)
}

fn spec() -> FlinkSpec {
    FlinkSpec::reference("us-east-1", "000000000000", BUCKET, KEY)
}

async fn run(
    local: &LocalBootstrap,
    name: &str,
    input: Value,
) -> (ExecutionOutcome, Vec<HistoryEvent>) {
    local
        .execute_on(&local.flink_state_machine_arn, name, input, None)
        .await
        .unwrap()
}

fn client(local: &LocalBootstrap) -> v2::Client {
    kdaflow::bootstrap::flink_client(&local.running.endpoint_url(), "us-east-1")
}

fn calls(local: &LocalBootstrap) -> u64 {
    local
        .twin()
        .calls_to(kdaflow_local::kinesisanalyticsv2::SERVICE_NAME)
}

async fn status(local: &LocalBootstrap) -> String {
    client(local)
        .describe_application()
        .application_name(APP)
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
        .application_status
        .as_str()
        .to_string()
}

#[tokio::test]
async fn fresh_then_rerun() {
    let (local, _) = twin_with(Duration::from_secs(2)).await;
    let (outcome, history) = run(&local, "fresh", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output = outcome.output.clone().unwrap();
    assert_eq!(output["status"], "RUNNING");
    assert_eq!(output["created"], true);
    assert_eq!(output["version_id"], 1);
    assert!(!output["operation_id"].as_str().unwrap().is_empty());
    // Describe, Create, Describe, Start, DescribeApplicationOperation, Describe.
    assert_eq!(calls(&local), 6);
    check_golden("flink-fresh", &render(&outcome, &history));
    // The operation the bootstrap followed is the service's record of the start.
    let op = client(&local)
        .describe_application_operation()
        .application_name(APP)
        .operation_id(output["operation_id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .application_operation_info_details
        .unwrap();
    assert_eq!(op.operation, "StartApplication");
    assert_eq!(op.operation_status, v2::types::OperationStatus::Successful);

    let (outcome, history) = run(&local, "rerun", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output = outcome.output.clone().unwrap();
    assert_eq!(output["created"], false);
    assert_eq!(output["updated"], false);
    assert_eq!(output["operation_id"], "");
    check_golden("flink-rerun", &render(&outcome, &history));
}

#[tokio::test]
async fn drift_fails_or_updates_with_the_conditional_token() {
    let (local, clock) = twin_with(Duration::from_secs(2)).await;
    let (outcome, _) = run(&local, "create", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let mut changed = spec();
    changed.parallelism = 4;
    changed
        .properties
        .entry("app".into())
        .or_default()
        .insert("window_seconds".into(), "30".into());
    let (outcome, history) = run(&local, "drift", json!({"application": changed})).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("Bootstrap.ConfigurationDrift")
    );
    let cause = outcome.cause.clone().unwrap();
    assert!(cause.contains("2 difference(s)"), "{cause}");
    assert!(cause.contains("parallelism"), "{cause}");
    check_golden("flink-drift-fail", &render(&outcome, &history));

    clock.advance(chrono::Duration::seconds(1));
    let (outcome, history) = run(
        &local,
        "update",
        json!({"application": changed, "on_drift": "update"}),
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output = outcome.output.clone().unwrap();
    assert_eq!(output["updated"], true);
    assert_eq!(output["version_id"], 2);
    check_golden("flink-drift-update", &render(&outcome, &history));
    let d = client(&local)
        .describe_application()
        .application_name(APP)
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap();
    let p = d
        .application_configuration_description
        .unwrap()
        .flink_application_configuration_description
        .unwrap()
        .parallelism_configuration_description
        .unwrap();
    assert_eq!(p.parallelism, Some(4));
    assert_eq!(d.application_version_updated_from, Some(1));
}

#[tokio::test]
async fn a_stopping_application_is_retried_until_it_can_start() {
    let (local, clock) = twin_with(Duration::from_secs(2)).await;
    let (outcome, _) = run(&local, "create", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    client(&local)
        .stop_application()
        .application_name(APP)
        .send()
        .await
        .unwrap();
    clock.advance(chrono::Duration::milliseconds(100));
    assert_eq!(status(&local).await, "STOPPING");
    let (outcome, history) = run(&local, "stopping", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert!(
        history
            .iter()
            .any(|e| e.detail_str("error") == Some("Bootstrap.ApplicationBusy"))
    );
    check_golden("flink-start-while-stopping", &render(&outcome, &history));
}

#[tokio::test]
async fn a_failed_start_fails_with_the_operations_reason() {
    let (local, _) = twin_with(Duration::from_secs(2)).await;
    local.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Fail,
        application: Some(APP.into()),
        count: 1,
    });
    let (outcome, history) = run(&local, "failed", local.flink_input(json!({}))).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Bootstrap.StartFailed"));
    let cause = outcome.cause.clone().unwrap();
    assert!(cause.contains("is READY after StartApplication"), "{cause}");
    assert!(cause.contains("The job failed to start"), "{cause}");
    check_golden("flink-start-failed", &render(&outcome, &history));
}

#[tokio::test]
async fn a_start_that_hangs_times_out() {
    let (local, _) = twin_with(Duration::from_secs(2)).await;
    local.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Hang,
        application: None,
        count: 1,
    });
    let (outcome, history) = run(
        &local,
        "stuck",
        local.flink_input(json!({"max_wait_seconds": 120})),
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Bootstrap.StartTimedOut"));
    let cause = outcome.cause.clone().unwrap();
    assert!(
        cause.contains("still STARTING after 120 seconds"),
        "{cause}"
    );
    check_golden("flink-start-timed-out", &render(&outcome, &history));
}

#[tokio::test]
async fn bad_input_fails_before_any_call() {
    let (local, _) = twin_with(Duration::from_secs(2)).await;
    let mut bad = spec();
    bad.service_execution_role = "arn:aws:s3:::not-a-role".into();
    let (outcome, history) = run(&local, "bad", json!({"application": bad})).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("Bootstrap.PrerequisiteInvalid")
    );
    assert_eq!(calls(&local), 0);
    check_golden("flink-prerequisite-invalid", &render(&outcome, &history));
}

#[tokio::test]
async fn a_start_of_ninety_seconds_and_one_of_five_minutes_stay_cheap() {
    let c90 = kdaflow::bootstrap::bootstrap_cost(true, Duration::from_secs(90))
        .await
        .unwrap();
    let c300 = kdaflow::bootstrap::bootstrap_cost(true, Duration::from_secs(300))
        .await
        .unwrap();
    assert_eq!(c90.status, ExecutionStatus::Succeeded);
    assert_eq!(c300.status, ExecutionStatus::Succeeded);
    // Waits of 5, 8, 12, 18, 27, then 30 s: six checks for 90 s (the notebook's 5 s polling
    // would take 18), thirteen for 300 s (60); one call per check while the start's
    // operation is in progress, two for the last; three states entered per check.
    assert_eq!((c90.status_checks, c300.status_checks), (6, 13));
    assert_eq!((c90.calls, c300.calls), (4 + 6 + 1, 4 + 13 + 1));
    assert_eq!((c90.transitions, c300.transitions), (5 + 3 * 6, 5 + 3 * 13));
}
