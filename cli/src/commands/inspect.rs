//! `kdaflow inspect [NAME]`: what a stand-in function on a running twin holds (the averages the
//! metrics sink received, the notifications the anomaly sink sent, the preprocessing counts),
//! read from `GET /_kdaflow/standins/<NAME>`; without a name, the list of stand-ins.

use std::process::ExitCode;

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::Request;

use crate::http::{authority, connect, send};

/// Flags of `kdaflow inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The stand-in, e.g. PushNotificationToSNS; absent lists them.
    pub name: Option<String>,
    /// The twin's endpoint.
    #[arg(long, default_value = super::send::DEFAULT_ENDPOINT, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: String,
}

/// Prints the stand-in's state as JSON.
pub async fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let addr = authority(&args.endpoint_url)?;
    let path = match &args.name {
        Some(n) => format!("/_kdaflow/standins/{n}"),
        None => "/_kdaflow/standins".to_string(),
    };
    let mut sender = connect(&addr).await?;
    let request = Request::get(path)
        .header("host", &addr)
        .body(Full::new(Bytes::new()))?;
    let (status, body) = send(&mut sender, request).await?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into()));
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(if status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
