//! `kdaflow watch EXECUTION_ARN`: live progress of an execution's states; exits with its status
//! (0 SUCCEEDED, 1 FAILED, 2 TIMED_OUT, 3 ABORTED).

use std::process::ExitCode;

use anyhow::Context;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use clap::Args;
use kdaflow_asl::clock::{Clock, SystemClock};

use crate::aws::AwsArgs;

/// How often the history is read while the execution runs.
const POLL: chrono::Duration = chrono::Duration::milliseconds(1000);

/// Flags of `kdaflow watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The execution's ARN (as `kdaflow start` prints it).
    pub execution_arn: String,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// One line for a history event worth showing, or none.
pub fn describe(e: &HistoryEvent) -> Option<String> {
    let t = e.r#type();
    let entered = e
        .state_entered_event_details()
        .map(|d| d.name().to_string());
    let exited = e.state_exited_event_details().map(|d| d.name().to_string());
    Some(match t {
        HistoryEventType::ExecutionStarted => "execution started".to_string(),
        _ if entered.is_some() => format!("-> {}", entered.unwrap_or_default()),
        HistoryEventType::ChoiceStateExited | HistoryEventType::TaskStateExited
            if exited.is_some() =>
        {
            format!("   {} done", exited.unwrap_or_default())
        }
        HistoryEventType::LambdaFunctionFailed => {
            let d = e.lambda_function_failed_event_details()?;
            format!(
                "   ! {}: {}",
                d.error().unwrap_or_default(),
                first_line(d.cause().unwrap_or_default())
            )
        }
        HistoryEventType::TaskFailed => {
            let d = e.task_failed_event_details()?;
            format!(
                "   ! {}: {}",
                d.error().unwrap_or_default(),
                first_line(d.cause().unwrap_or_default())
            )
        }
        HistoryEventType::ExecutionSucceeded => "execution SUCCEEDED".to_string(),
        HistoryEventType::ExecutionFailed => {
            let d = e.execution_failed_event_details();
            format!(
                "execution FAILED: {}: {}",
                d.and_then(|d| d.error()).unwrap_or_default(),
                d.and_then(|d| d.cause()).unwrap_or_default()
            )
        }
        HistoryEventType::ExecutionTimedOut => "execution TIMED_OUT".to_string(),
        HistoryEventType::ExecutionAborted => "execution ABORTED".to_string(),
        _ => return None,
    })
}

fn first_line(cause: &str) -> String {
    let text = serde_json::from_str::<serde_json::Value>(cause)
        .ok()
        .and_then(|v| v["errorMessage"].as_str().map(str::to_string))
        .unwrap_or_else(|| cause.to_string());
    text.lines().next().unwrap_or_default().to_string()
}

/// Follows an execution until it ends, printing new events; the exit code is its status.
pub async fn follow(sfn: &aws_sdk_sfn::Client, arn: &str) -> anyhow::Result<ExitCode> {
    let mut seen = 0i64;
    loop {
        let mut pages = sfn
            .get_execution_history()
            .execution_arn(arn)
            .into_paginator()
            .items()
            .send();
        while let Some(event) = pages.next().await {
            let event = event.with_context(|| format!("GetExecutionHistory of {arn} failed"))?;
            if event.id() > seen {
                seen = event.id();
                if let Some(line) = describe(&event) {
                    let ts = event.timestamp();
                    eprintln!(
                        "[{}] {line}",
                        ts.fmt(aws_sdk_sfn::primitives::DateTimeFormat::DateTime)
                            .unwrap_or_default()
                    );
                }
            }
        }
        let status = sfn
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .with_context(|| format!("DescribeExecution of {arn} failed"))?;
        let code = match status.status() {
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive => None,
            ExecutionStatus::Succeeded => {
                println!("{}", status.output().unwrap_or("null"));
                Some(0)
            }
            ExecutionStatus::Failed => Some(1),
            ExecutionStatus::TimedOut => Some(2),
            _ => Some(3),
        };
        if let Some(code) = code {
            return Ok(ExitCode::from(code));
        }
        SystemClock.sleep(POLL).await;
    }
}

/// Runs `kdaflow watch`.
pub async fn run(args: WatchArgs) -> anyhow::Result<ExitCode> {
    let config = args.aws.load().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    follow(&sfn, &args.execution_arn).await
}
