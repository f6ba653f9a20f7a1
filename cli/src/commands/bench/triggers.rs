//! `kdaflow bench sfn` and `kdaflow bench events`: the trigger services of the twin under
//! keep-alive HTTP load from this process against a `kdaflow serve --port 0` child.
//!
//! - sfn: StartSyncExecution of an EXPRESS three-state Pass machine (target: 2,000
//!   executions/s).
//! - events: PutEvents (10 entries per call) against 100 rules with prefix, numeric,
//!   anything-but, exists and `$or` patterns, no targets (target: 50,000 events matched/s).

use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::Args;
use hdrhistogram::Histogram;
use serde_json::{Value, json};

use super::Server;
use super::load::{call, load};
use crate::http::{Sender, connect};

/// Flags of `kdaflow bench sfn` and `kdaflow bench events`.
#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// How long to measure (after a one-second warm-up).
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
}

/// Rules created by `bench events`.
const RULES: usize = 100;
/// Entries per PutEvents call (the API's maximum).
const ENTRIES: usize = 10;

async fn setup(
    sender: &mut Sender,
    addr: &str,
    target: &str,
    content_type: &str,
    body: Value,
) -> anyhow::Result<Bytes> {
    let (status, bytes) = call(
        sender,
        addr,
        target,
        content_type,
        Bytes::from(body.to_string()),
    )
    .await?;
    if status != 200 {
        bail!("{target} failed: {}", String::from_utf8_lossy(&bytes));
    }
    Ok(bytes)
}

fn latency(h: &Histogram<u64>) -> String {
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        h.value_at_quantile(0.50) as f64 / 1000.0,
        h.value_at_quantile(0.99) as f64 / 1000.0,
        h.max() as f64 / 1000.0
    )
}

fn debug_note(what: &str) {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; figures are only meaningful from `cargo run --release -- bench {what}`"
        );
    }
}

/// `kdaflow bench sfn`.
pub async fn sfn(args: TriggerArgs) -> anyhow::Result<std::process::ExitCode> {
    debug_note("sfn");
    let server = Server::start().await?;
    let addr = server.addr.clone();
    let mut s = connect(&addr).await?;
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"copied.$": "$.a.step"}, "ResultPath": "$.b", "Next": "C"},
        "C": {"Type": "Pass", "End": true}}});
    let created = setup(
        &mut s,
        &addr,
        "AWSStepFunctions.CreateStateMachine",
        "application/x-amz-json-1.0",
        json!({
        "name": "BenchPass", "type": "EXPRESS", "definition": definition.to_string(),
        "roleArn": "arn:aws:iam::000000000000:role/Bench"}),
    )
    .await?;
    let arn = serde_json::from_slice::<Value>(&created)?["stateMachineArn"]
        .as_str()
        .context("no stateMachineArn")?
        .to_string();
    let body = Bytes::from(json!({"stateMachineArn": arn, "input": "{\"n\":1}"}).to_string());
    let sample = setup(
        &mut s,
        &addr,
        "AWSStepFunctions.StartSyncExecution",
        "application/x-amz-json-1.0",
        serde_json::from_slice(&body)?,
    )
    .await?;
    eprintln!(
        "twin on {addr}; sample: {}",
        String::from_utf8_lossy(&sample)
    );
    let (h, errors, elapsed) = load(
        &addr,
        args.clients,
        args.duration,
        "AWSStepFunctions.StartSyncExecution",
        "application/x-amz-json-1.0",
        body,
        |b| b.windows(11).any(|w| w == b"\"SUCCEEDED\""),
    )
    .await?;
    let rate = h.len() as f64 / elapsed.as_secs_f64();
    println!(
        "kdaflow bench sfn: StartSyncExecution of an EXPRESS three-state Pass machine over loopback"
    );
    println!(
        "  clients          {} keep-alive connections, {:.1} s measured",
        args.clients,
        elapsed.as_secs_f64()
    );
    println!("  executions       {} ({errors} errors)", h.len());
    println!("  throughput       {rate:.0} executions/s (target >= 2,000)");
    println!("  latency          {}", latency(&h));
    drop(server);
    Ok(if errors == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

/// The i-th rule's pattern: a mix of the operators, all on `detail`.
fn rule_pattern(i: usize) -> Value {
    match i % 5 {
        0 => {
            json!({"source": ["bench.app"], "detail": {"kind": [{"prefix": format!("k{}", i % 10)}]}})
        }
        1 => {
            json!({"source": ["bench.app"], "detail": {"score": [{"numeric": [">", (i % 50) as f64, "<=", 100]}]}})
        }
        2 => {
            json!({"detail-type": [{"anything-but": ["ignored", "other"]}], "detail": {"user": [{"exists": true}]}})
        }
        3 => {
            json!({"source": ["bench.app"], "$or": [{"detail": {"region": [{"suffix": format!("-{}", i % 3)}]}}, {"detail": {"tier": ["gold"]}}]})
        }
        _ => {
            json!({"source": [{"equals-ignore-case": "BENCH.APP"}], "detail": {"ip": [{"cidr": "10.0.0.0/8"}]}})
        }
    }
}

/// `kdaflow bench events`.
pub async fn events(args: TriggerArgs) -> anyhow::Result<std::process::ExitCode> {
    debug_note("events");
    let server = Server::start().await?;
    let addr = server.addr.clone();
    let mut s = connect(&addr).await?;
    let mut patterns = Vec::new();
    for i in 0..RULES {
        let pattern = rule_pattern(i).to_string();
        setup(
            &mut s,
            &addr,
            "AWSEvents.PutRule",
            "application/x-amz-json-1.1",
            json!({"Name": format!("bench-{i:03}"), "EventPattern": pattern}),
        )
        .await?;
        patterns
            .push(kdaflow_local::events::pattern::compile(&pattern).map_err(anyhow::Error::msg)?);
    }
    let entries: Vec<Value> = (0..ENTRIES)
        .map(|i| json!({"Source": "bench.app", "DetailType": "order", "Detail": json!({
            "kind": format!("k{i}-x"), "score": 40 + i, "user": "u", "region": format!("eu-{}", i % 3),
            "tier": if i % 2 == 0 { "gold" } else { "silver" }, "ip": format!("10.1.2.{i}")}).to_string()}))
        .collect();
    // How many rules each event matches, computed here with the same compiled patterns.
    let envelope = |e: &Value| {
        json!({"source": e["Source"], "detail-type": e["DetailType"],
        "detail": serde_json::from_str::<Value>(e["Detail"].as_str().unwrap_or("{}")).unwrap_or_default()})
    };
    let per_call: usize = entries
        .iter()
        .map(|e| patterns.iter().filter(|p| p.matches(&envelope(e))).count())
        .sum();
    let body = Bytes::from(json!({"Entries": entries}).to_string());
    let (h, errors, elapsed) = load(
        &addr,
        args.clients,
        args.duration,
        "AWSEvents.PutEvents",
        "application/x-amz-json-1.1",
        body,
        |b| b.windows(21).any(|w| w == b"\"FailedEntryCount\":0,"),
    )
    .await?;
    let events = h.len() as f64 * ENTRIES as f64 / elapsed.as_secs_f64();
    println!(
        "kdaflow bench events: PutEvents ({ENTRIES} entries per call) against {RULES} rules over loopback"
    );
    println!(
        "  clients          {} keep-alive connections, {:.1} s measured",
        args.clients,
        elapsed.as_secs_f64()
    );
    println!("  calls            {} ({errors} errors)", h.len());
    println!(
        "  throughput       {events:.0} events matched against {RULES} rules per second (target >= 50,000)"
    );
    println!(
        "  rule matches     {:.0}/s ({per_call} per call of {ENTRIES} events)",
        h.len() as f64 * per_call as f64 / elapsed.as_secs_f64()
    );
    println!("  latency          {}", latency(&h));
    drop(server);
    Ok(if errors == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
