//! `kdaflow logs FUNCTION`: what a function's processes on a running twin wrote to stdout and
//! stderr (its log), read from `GET /_kdaflow/lambda/functions/<FUNCTION>/logs`.

use std::process::ExitCode;

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::Request;

use crate::http::{authority, connect, send};

/// Flags of `kdaflow logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The function's name.
    pub function: String,
    /// Only the last N lines.
    #[arg(long)]
    pub tail: Option<usize>,
    /// The twin's endpoint.
    #[arg(long, default_value = super::send::DEFAULT_ENDPOINT, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: String,
}

/// Prints the function's log lines, oldest first.
pub async fn run(args: LogsArgs) -> anyhow::Result<ExitCode> {
    let addr = authority(&args.endpoint_url)?;
    let mut sender = connect(&addr).await?;
    let request = Request::get(format!("/_kdaflow/lambda/functions/{}/logs", args.function))
        .header("host", &addr)
        .body(Full::new(Bytes::new()))?;
    let (status, body) = send(&mut sender, request).await?;
    if status != 200 {
        eprintln!("{}", String::from_utf8_lossy(&body));
        return Ok(ExitCode::FAILURE);
    }
    let value: serde_json::Value = serde_json::from_slice(&body)?;
    let lines: Vec<&str> = value["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let skip = args.tail.map_or(0, |n| lines.len().saturating_sub(n));
    for l in &lines[skip..] {
        println!("{l}");
    }
    if lines.is_empty() {
        eprintln!(
            "no log lines for {} (a built-in function, or one not invoked yet)",
            args.function
        );
    }
    Ok(ExitCode::SUCCESS)
}
