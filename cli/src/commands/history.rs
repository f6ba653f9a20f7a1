//! `kdaflow history EXECUTION_ARN`: an execution's history events.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::aws::AwsArgs;

/// Flags of `kdaflow history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The execution's ARN.
    pub execution_arn: String,
    /// Newest first.
    #[arg(long)]
    pub reverse: bool,
    /// Every event as the API returns it (one JSON object per line) instead of a summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Runs `kdaflow history`.
pub async fn run(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let config = args.aws.load().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let mut pages = sfn
        .get_execution_history()
        .execution_arn(&args.execution_arn)
        .reverse_order(args.reverse)
        .include_execution_data(true)
        .into_paginator()
        .items()
        .send();
    while let Some(event) = pages.next().await {
        let e = event
            .with_context(|| format!("GetExecutionHistory of {} failed", args.execution_arn))?;
        if args.json {
            println!(
                "{}",
                serde_json::json!({
                    "id": e.id(),
                    "previousEventId": e.previous_event_id(),
                    "timestamp": e.timestamp().fmt(aws_sdk_sfn::primitives::DateTimeFormat::DateTime).unwrap_or_default(),
                    "type": e.r#type().as_str(),
                    "name": e.state_entered_event_details().map(|d| d.name())
                        .or_else(|| e.state_exited_event_details().map(|d| d.name())),
                    "input": e.state_entered_event_details().and_then(|d| d.input()),
                    "output": e.state_exited_event_details().and_then(|d| d.output()),
                })
            );
        } else {
            let what = crate::commands::watch::describe(&e).unwrap_or_default();
            println!(
                "{:>4} {:>4} {} {:<28} {what}",
                e.id(),
                e.previous_event_id(),
                e.timestamp()
                    .fmt(aws_sdk_sfn::primitives::DateTimeFormat::DateTime)
                    .unwrap_or_default(),
                e.r#type().as_str()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
