//! How soon a window's rows reach their destination after the window closes, through the
//! twin's data plane on the wall clock (the issue's target: within 10 ms).
//!
//! A twin in this process runs the reference application with a 1-second window; a feeder puts
//! generated reviews into its Firehose delivery stream (default 2,000/s for 10 s) while the
//! data plane's background ticker runs as under `kdaflow serve`. A sink registered as the
//! average-rating function notes when each window's row arrives; the delay is that moment minus
//! the window's end. Run: `cargo bench -p kdaflow-local --bench dataplane -- [--rate N]
//! [--seconds N]`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kdaflow_asl::clock::{Clock, SystemClock};
use kdaflow_asl::task::LambdaError;
use kdaflow_local::config::Lifecycle;
use kdaflow_local::gateway::Service;
use kdaflow_local::lambda::function;
use kdaflow_local::{Twin, TwinConfig, standins};
use kdaflow_workflow::sample::Reviews;
use parking_lot::Mutex;
use serde_json::json;

const WINDOW_S: u32 = 1;
const APP: &str = "dsoaws-kinesis-data-analytics-sql-app";
const STREAM: &str = "dsoaws-kinesis-data-firehose";

mod common;
use common::arg;

async fn call(s: Arc<dyn Service>, op: &str, body: serde_json::Value) {
    if let Err(e) = s.call(op, body.to_string().into()).await {
        panic!("{op}: {e}");
    }
}

fn now_ms() -> i64 {
    SystemClock.now().timestamp_millis()
}

#[tokio::main]
async fn main() {
    let rate = arg("--rate", 2_000);
    let seconds = arg("--seconds", 10);
    let config = TwinConfig {
        lifecycle: Lifecycle {
            start: Duration::from_millis(10),
            ..Lifecycle::default()
        },
        ..TwinConfig::default()
    };
    let twin = Twin::builder(config)
        .resource_checks(true)
        .build()
        .expect("twin");
    let account = twin.config().account_id.clone();
    call(
        twin.firehose().clone(),
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": STREAM, "ExtendedS3DestinationConfiguration": {
            "RoleARN": format!("arn:aws:iam::{account}:role/r"), "BucketARN": "arn:aws:s3:::b"}}),
    )
    .await;
    call(
        twin.kinesis().clone(),
        "CreateStream",
        json!({"StreamName": "dsoaws-kinesis-data-stream", "ShardCount": 1}),
    )
    .await;
    let stand = standins::register_reference(&twin);
    // The average-rating destination notes when each window's row arrives.
    let arrivals: Arc<Mutex<Vec<i64>>> = Arc::default();
    let a = arrivals.clone();
    twin.lambda().register(
        standins::METRICS,
        function("timing sink", move |event: serde_json::Value| {
            let at = now_ms();
            let records: Vec<serde_json::Value> = event["records"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    a.lock().push(at);
                    json!({"recordId": r["recordId"], "result": "Ok"})
                })
                .collect();
            async move { Ok::<_, LambdaError>(json!({ "records": records })) }
        }),
    );
    // The reference application from its one source, with a 1-second window, created through
    // the SDK exactly as the bootstrap creates it.
    let prerequisites =
        kdaflow_workflow::prerequisites::Prerequisites::example(&twin.config().region, &account);
    let spec = kdaflow_workflow::spec::ApplicationSpec::reference()
        .render(&prerequisites, Some(APP), Some(WINDOW_S))
        .expect("the reference spec renders");
    let running = twin.spawn(0).await.expect("gateway");
    let client = aws_sdk_kinesisanalytics::Client::from_conf(
        aws_sdk_kinesisanalytics::Config::builder()
            .behavior_version(aws_sdk_kinesisanalytics::config::BehaviorVersion::latest())
            .region(aws_sdk_kinesisanalytics::config::Region::new("us-east-1"))
            .endpoint_url(running.endpoint_url())
            .credentials_provider(aws_sdk_kinesisanalytics::config::Credentials::new(
                "bench", "bench", None, None, "bench",
            ))
            .build(),
    );
    kdaflow_handlers::convert::create_application(&client, APP, &spec)
        .send()
        .await
        .expect("CreateApplication");
    call(
        twin.kinesis_analytics().clone(),
        "StartApplication",
        json!({"ApplicationName": APP, "InputConfigurations": [{"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}]}),
    )
    .await;
    let _ticker = twin.data_plane().spawn_ticker().expect("wall clock ticker");
    tokio::time::sleep(Duration::from_millis(50)).await;

    // Feed every 10 ms; start on a window boundary so whole windows are measured.
    let window_ms = i64::from(WINDOW_S) * 1000;
    let first = (now_ms() / window_ms + 1) * window_ms;
    tokio::time::sleep(Duration::from_millis((first - now_ms()).max(0) as u64)).await;
    let started = std::time::Instant::now();
    let mut reviews = Reviews::new(5, 50);
    let mut sent = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        let due = (started.elapsed().as_secs_f64() * rate as f64) as u64;
        while sent < due {
            twin.firehose()
                .put(STREAM, Bytes::from(reviews.next_review().line()))
                .await
                .expect("put");
            sent += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The last window closes within one more window.
    tokio::time::sleep(Duration::from_millis(window_ms as u64 + 100)).await;

    let arrivals = arrivals.lock().clone();
    let mut delays: Vec<i64> = arrivals
        .iter()
        .map(|&at| at - (at / window_ms) * window_ms)
        .collect();
    delays.sort_unstable();
    let pct = |p: f64| delays[((delays.len() - 1) as f64 * p).round() as usize];
    println!(
        "data plane: reference application, {rate} records/s for {seconds} s, {WINDOW_S}-second windows, ticker every {:?}",
        kdaflow_local::dataplane::TICK_INTERVAL
    );
    println!("  records sent: {sent}");
    if delays.is_empty() {
        println!("  no window rows were delivered");
        return;
    }
    let within = delays.iter().filter(|d| **d <= 10).count();
    println!(
        "  window rows delivered: {} ; delay after window close (ms): p50 {} p99 {} max {}",
        delays.len(),
        pct(0.5),
        pct(0.99),
        delays[delays.len() - 1]
    );
    println!(
        "  within 10 ms of close: {within}/{} ({:.0}%)",
        delays.len(),
        100.0 * within as f64 / delays.len() as f64
    );
    println!(
        "  anomaly scores received: {}",
        stand.notifications.values().len()
    );
}
