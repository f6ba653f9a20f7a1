//! The three ways of starting the bootstrap, on the twin as provisioned by `kdaflow serve`
//! (the stack's state machine, rules and input transformers), through the official
//! `aws-sdk-sfn` and `aws-sdk-eventbridge` clients; and a restart in the middle of a bootstrap.

use std::sync::Arc;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use kdaflow::provision::{PREREQUISITES_STACK_NAME, provision};
use kdaflow_asl::clock::VirtualClock;
use kdaflow_local::{RunningTwin, Twin, TwinConfig};
use kdaflow_tests::{executions, sdk_config};
use kdaflow_workflow::contract;
use serde_json::json;

const T0: i64 = 1_767_225_600;

async fn serve(
    config: TwinConfig,
    clock: &VirtualClock,
) -> (RunningTwin, kdaflow::provision::Provisioned) {
    let twin = Twin::builder(config)
        .clock(Arc::new(clock.clone()))
        .resource_checks(true)
        .resume_executions(false)
        .build()
        .unwrap();
    let running = twin.spawn(0).await.unwrap();
    let provisioned = provision(running.twin(), &running.endpoint_url())
        .await
        .unwrap();
    (running, provisioned)
}

#[tokio::test]
async fn console_style_start_execution() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let (running, p) = serve(TwinConfig::default(), &clock).await;
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let input = serde_json::to_string(&p.prerequisites).unwrap();
    let started = sfn
        .start_execution()
        .state_machine_arn(&p.state_machine_arn)
        .name("console")
        .input(&input)
        .send()
        .await
        .unwrap();
    let ended = running
        .twin()
        .states()
        .wait(started.execution_arn())
        .await
        .unwrap();
    let d = sfn
        .describe_execution()
        .execution_arn(started.execution_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(d.status().as_str(), "SUCCEEDED", "{ended:?}");
    let output: serde_json::Value = serde_json::from_str(d.output().unwrap()).unwrap();
    assert_eq!(output["status"], "RUNNING");
    assert_eq!(output["created"], true);
    // The same name and input again is the same execution (Step Functions idempotency).
    let again = sfn
        .start_execution()
        .state_machine_arn(&p.state_machine_arn)
        .name("console")
        .input(&input)
        .send()
        .await;
    match again {
        Ok(out) => assert_eq!(out.execution_arn(), started.execution_arn()),
        Err(e) => assert_eq!(
            aws_sdk_sfn::error::ProvideErrorMetadata::code(&e),
            Some("ExecutionAlreadyExists"),
            "a finished execution's name is taken"
        ),
    }
    let history = sfn
        .get_execution_history()
        .execution_arn(started.execution_arn())
        .send()
        .await
        .unwrap();
    assert!(history.events().len() >= 20);
}

#[tokio::test]
async fn an_eventbridge_event_starts_the_bootstrap_through_the_input_transformer() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let (running, p) = serve(TwinConfig::default(), &clock).await;
    let events = aws_sdk_eventbridge::Client::new(&sdk_config(&running.endpoint_url()));
    let mut detail = serde_json::to_value(&p.prerequisites).unwrap();
    detail["requested_by"] = json!("platform-team"); // extra detail is ignored by the transformer
    let out = events
        .put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .source(kdaflow_infra::stack::triggers::EVENT_SOURCE)
                .detail_type(kdaflow_infra::stack::triggers::EVENT_DETAIL_TYPE)
                .detail(detail.to_string())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count(), 0);
    let list = executions(&running, &p.state_machine_arn).await;
    assert_eq!(list.len(), 1, "exactly one rule matched");
    let ended = running.twin().states().wait(&list[0].0).await.unwrap();
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let d = sfn
        .describe_execution()
        .execution_arn(&list[0].0)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status().as_str(), "SUCCEEDED", "{ended:?}");
    // The execution input is exactly the seven ARNs.
    let input: serde_json::Value = serde_json::from_str(d.input().unwrap()).unwrap();
    assert_eq!(input, serde_json::to_value(&p.prerequisites).unwrap());
    // An event with another detail-type starts nothing.
    events
        .put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .source(kdaflow_infra::stack::triggers::EVENT_SOURCE)
                .detail_type("Something Else")
                .detail("{}")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(executions(&running, &p.state_machine_arn).await.len(), 1);
}

#[tokio::test]
async fn the_prerequisites_stack_completing_bootstraps_the_environment() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let (running, p) = serve(TwinConfig::default(), &clock).await;
    let events = aws_sdk_eventbridge::Client::new(&sdk_config(&running.endpoint_url()));
    let stack_event = |name: &str, status: &str| {
        PutEventsRequestEntry::builder()
            .source("aws.cloudformation")
            .detail_type("CloudFormation Stack Status Change")
            .resources(format!(
                "arn:aws:cloudformation:us-east-1:000000000000:stack/{name}/7b1c8e30-0000-11f0-0000-0a1b2c3d4e5f"
            ))
            .detail(json!({"stack-id": name, "status-details": {"status": status, "status-reason": ""}}).to_string())
            .build()
    };
    // Other stacks, and this stack in other states, start nothing.
    events
        .put_events()
        .entries(stack_event(
            &format!("{PREREQUISITES_STACK_NAME}-old"),
            "CREATE_COMPLETE",
        ))
        .entries(stack_event(PREREQUISITES_STACK_NAME, "CREATE_IN_PROGRESS"))
        .send()
        .await
        .unwrap();
    assert!(executions(&running, &p.state_machine_arn).await.is_empty());
    events
        .put_events()
        .entries(stack_event(PREREQUISITES_STACK_NAME, "CREATE_COMPLETE"))
        .send()
        .await
        .unwrap();
    let list = executions(&running, &p.state_machine_arn).await;
    assert_eq!(list.len(), 1);
    let ended = running.twin().states().wait(&list[0].0).await.unwrap();
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let d = sfn
        .describe_execution()
        .execution_arn(&list[0].0)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status().as_str(), "SUCCEEDED", "{ended:?}");
    let input: serde_json::Value = serde_json::from_str(d.input().unwrap()).unwrap();
    assert_eq!(
        input,
        serde_json::to_value(&p.prerequisites).unwrap(),
        "the stack parameters"
    );
}

#[tokio::test]
async fn a_restart_mid_bootstrap_resumes_without_running_a_task_twice() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = VirtualClock::at_epoch_seconds(T0);
    let (running, p) = serve(config.clone(), &clock).await;
    // The status check never answers on the first twin: the process is "killed" while the
    // execution waits on it.
    let (reached, mut reached_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    running.twin().lambda().register(
        contract::CHECK.name,
        kdaflow_local::lambda::function("blocks forever", move |_| {
            let reached = reached.clone();
            async move {
                let _ = reached.send(());
                std::future::pending::<Result<serde_json::Value, kdaflow_asl::task::LambdaError>>()
                    .await
            }
        }),
    );
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let started = sfn
        .start_execution()
        .state_machine_arn(&p.state_machine_arn)
        .name("interrupted")
        .input(serde_json::to_string(&p.prerequisites).unwrap())
        .send()
        .await
        .unwrap();
    reached_rx.recv().await.unwrap();
    let before = running.twin().call_counts();
    running.twin().states().halt();
    running.shutdown().await.unwrap();

    // The restarted twin provisions the real functions and resumes the execution.
    let (running, _) = serve(config, &clock).await;
    let ended = running
        .twin()
        .states()
        .wait(started.execution_arn())
        .await
        .unwrap();
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let d = sfn
        .describe_execution()
        .execution_arn(started.execution_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(d.status().as_str(), "SUCCEEDED", "{ended:?}");
    let after = running.twin().call_counts();
    let n = |m: &std::collections::BTreeMap<String, u64>, op: &str| {
        m.get(&format!("kinesisanalytics.{op}"))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(n(&before, "CreateApplication"), 1);
    assert_eq!(n(&before, "StartApplication"), 1);
    assert_eq!(
        n(&after, "CreateApplication"),
        0,
        "the completed create was not re-run"
    );
    assert_eq!(
        n(&after, "StartApplication"),
        0,
        "the completed start was not re-run"
    );
    assert_eq!(
        n(&after, "DescribeApplication"),
        1,
        "only the interrupted status check ran again"
    );
    // The history is one continuous history: ids 1..N with no gaps.
    let history = sfn
        .get_execution_history()
        .execution_arn(started.execution_arn())
        .send()
        .await
        .unwrap();
    let ids: Vec<i64> = history.events().iter().map(|e| e.id()).collect();
    assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
}
