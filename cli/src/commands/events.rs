//! `kdaflow events put`: put one event on an event bus (PutEvents), e.g. the documented
//! bootstrap request that the stack's rule (and the twin's) turns into an execution.

use std::process::ExitCode;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use clap::{Args, Subcommand};

use crate::aws::AwsArgs;
use crate::commands::start::read_json_arg;

/// Event subcommands.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EventsCommand,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Event subcommands.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Put one event.
    ///
    /// Example: kdaflow events put --source kdaflow.bootstrap --detail-type "Bootstrap Requested" --detail @prerequisites.json
    Put {
        /// The event's source.
        #[arg(long)]
        source: String,
        /// The event's detail-type.
        #[arg(long)]
        detail_type: String,
        /// The detail: a JSON object, or @file.
        #[arg(long)]
        detail: String,
        /// The event bus.
        #[arg(long, default_value = "default")]
        event_bus_name: String,
    },
}

/// Runs an events subcommand.
pub async fn run(args: EventsArgs) -> anyhow::Result<ExitCode> {
    let config = args.aws.load().await;
    let events = aws_sdk_eventbridge::Client::new(&config);
    match args.command {
        EventsCommand::Put {
            source,
            detail_type,
            detail,
            event_bus_name,
        } => {
            let detail = read_json_arg(&detail)?;
            anyhow::ensure!(detail.is_object(), "--detail must be a JSON object");
            let out = events
                .put_events()
                .entries(
                    PutEventsRequestEntry::builder()
                        .source(source)
                        .detail_type(detail_type)
                        .detail(detail.to_string())
                        .event_bus_name(event_bus_name)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "PutEvents failed: {}",
                        aws_sdk_eventbridge::error::DisplayErrorContext(e)
                    )
                })?;
            for entry in out.entries() {
                match (entry.event_id(), entry.error_code()) {
                    (Some(id), _) => println!("{id}"),
                    (None, code) => eprintln!(
                        "event refused: {}: {}",
                        code.unwrap_or_default(),
                        entry.error_message().unwrap_or_default()
                    ),
                }
            }
            Ok(if out.failed_entry_count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
