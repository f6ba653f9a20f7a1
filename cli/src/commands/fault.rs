//! `kdaflow fault …`: arm, list and clear faults on a running twin (`/_kdaflow/faults`).

use std::process::ExitCode;

use anyhow::bail;
use bytes::Bytes;
use clap::{Args, Subcommand, ValueEnum};
use http_body_util::Full;
use hyper::Request;

use crate::http::{authority, connect, send};

/// The twin's default endpoint (`kdaflow serve` without `--port`).
const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4590";

/// Flags shared by every `fault` subcommand.
#[derive(Debug, Args)]
pub struct FaultArgs {
    /// The twin's endpoint.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", default_value = DEFAULT_ENDPOINT)]
    pub endpoint_url: String,
    /// What to do.
    #[command(subcommand)]
    pub command: FaultCommand,
}

/// Fault subcommands.
#[derive(Debug, Subcommand)]
pub enum FaultCommand {
    /// Make the next N calls of an operation fail with an AWS error.
    ///
    /// Example: kdaflow fault error --operation StartApplication --error ThrottlingException --count 2
    Error {
        /// The service (its short name).
        #[arg(long, default_value = "kinesisanalytics")]
        service: String,
        /// The operation, e.g. DescribeApplication; omit for every operation of the service.
        #[arg(long)]
        operation: Option<String>,
        /// The AWS error name, e.g. ThrottlingException, ServiceUnavailableException,
        /// ResourceInUseException.
        #[arg(long)]
        error: String,
        /// The error message (default: one that names the injected fault).
        #[arg(long)]
        message: Option<String>,
        /// How many calls fail.
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// Make the next StartApplication fail (back to READY) or hang (stuck in STARTING).
    ///
    /// Example: kdaflow fault start hang --application dsoaws-kinesis-data-analytics-sql-app
    Start {
        /// fail or hang.
        behaviour: Behaviour,
        /// Only this application (default: whichever starts next).
        #[arg(long)]
        application: Option<String>,
        /// How many starts misbehave.
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// List armed faults.
    List,
    /// Disarm every fault.
    Clear,
}

/// How a start misbehaves.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Behaviour {
    /// STARTING, then back to READY.
    Fail,
    /// Stays STARTING.
    Hang,
}

/// Runs a fault subcommand.
pub async fn run(args: FaultArgs) -> anyhow::Result<ExitCode> {
    let addr = authority(&args.endpoint_url)?;
    let (method, body) = match args.command {
        FaultCommand::Error {
            service,
            operation,
            error,
            message,
            count,
        } => (
            "POST",
            serde_json::json!({"kind": "error", "service": service, "operation": operation,
                "error": error, "message": message, "count": count}),
        ),
        FaultCommand::Start {
            behaviour,
            application,
            count,
        } => {
            let behaviour = match behaviour {
                Behaviour::Fail => "fail",
                Behaviour::Hang => "hang",
            };
            (
                "POST",
                serde_json::json!({"kind": "start", "behaviour": behaviour, "application": application, "count": count}),
            )
        }
        FaultCommand::List => ("GET", serde_json::Value::Null),
        FaultCommand::Clear => ("DELETE", serde_json::Value::Null),
    };
    let mut sender = connect(&addr).await?;
    let payload = if body.is_null() {
        Bytes::new()
    } else {
        // The service drops null members itself; remove them so the request reads cleanly.
        let mut body = body;
        if let Some(o) = body.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
        Bytes::from(body.to_string())
    };
    let req = Request::builder()
        .method(method)
        .uri("/_kdaflow/faults")
        .header("host", &addr)
        .header("content-type", "application/json")
        .body(Full::new(payload))?;
    let (status, bytes) = send(&mut sender, req).await?;
    let text = String::from_utf8_lossy(&bytes);
    if status != 200 {
        bail!("the twin refused the fault ({status}): {text}");
    }
    let pretty = serde_json::from_slice::<serde_json::Value>(&bytes)
        .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        .unwrap_or_else(|_| text.to_string());
    println!("{pretty}");
    Ok(ExitCode::SUCCESS)
}
