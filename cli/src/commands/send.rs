//! `kdaflow send`: generated reviews into a Firehose delivery stream through
//! `aws-sdk-firehose`, at a chosen rate for a chosen time, with injected anomalies.
//!
//! The endpoint and region are resolved as the AWS SDK resolves them (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, profiles), except that `--endpoint-url` wins and, when nothing names an
//! endpoint, the twin's default `http://127.0.0.1:4590` is used. For a loopback endpoint
//! without `AWS_ACCESS_KEY_ID`, placeholder credentials sign the requests (the twin accepts
//! any); the region defaults to us-east-1.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_sdk_firehose as fh;
use clap::Args;
use fh::primitives::Blob;
use fh::types::Record;
use kdaflow_workflow::sample::Reviews;

/// The endpoint used when neither `--endpoint-url` nor `AWS_ENDPOINT_URL` names one.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4590";
/// The reference application's delivery stream.
pub const DEFAULT_STREAM: &str = "dsoaws-kinesis-data-firehose";
/// Records per PutRecordBatch (the service's maximum).
const BATCH: usize = 500;

/// Flags of `kdaflow send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The delivery stream (name) to send to.
    #[arg(long, default_value = DEFAULT_STREAM)]
    pub stream: String,
    /// Records per second.
    #[arg(long, default_value_t = 100)]
    pub rate: u32,
    /// How long to send (e.g. 30s, 2m).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Inject an anomaly (a 1-star review among 3-5-star ones) every N reviews; 0: none.
    #[arg(long, default_value_t = 50)]
    pub anomaly_every: u64,
    /// Generator seed (the same seed sends the same reviews).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Endpoint to send to (default: AWS_ENDPOINT_URL, else the local twin).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Write the reviews to this file (one per line, as the stream would receive them)
    /// instead of sending them: the input of `kdaflow sql run` and `kdaflow flink run`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// With `--out`: how many reviews to write.
    #[arg(long, default_value_t = 10_000, requires = "out")]
    pub count: usize,
}

async fn client(endpoint: Option<&str>) -> fh::Client {
    let endpoint = endpoint
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| endpoint.starts_with(p));
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).endpoint_url(&endpoint);
    // The twin accepts any signature: without keys in the environment, sign with placeholders
    // rather than searching the instance-metadata service for real ones.
    if local && std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        loader = loader.credentials_provider(fh::config::Credentials::new(
            "kdaflow",
            "kdaflow",
            None,
            None,
            "kdaflow-placeholder",
        ));
    }
    let shared = loader.load().await;
    let mut config = fh::config::Builder::from(&shared);
    if shared.region().is_none() {
        config = config.region(fh::config::Region::new("us-east-1"));
    }
    fh::Client::from_conf(config.build())
}

/// Sends until the duration is over, printing progress every second.
pub async fn run(args: SendArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.out {
        return write_file(&args, path);
    }
    let client = client(args.endpoint_url.as_deref()).await;
    let mut reviews = Reviews::new(args.seed, args.anomaly_every);
    let started = Instant::now();
    let (mut sent, mut failed, mut anomalies) = (0usize, 0usize, 0usize);
    let mut last_report = Instant::now();
    println!(
        "sending {} reviews/s for {} to {} (an anomaly every {})",
        args.rate,
        humantime::format_duration(args.duration),
        args.stream,
        args.anomaly_every
    );
    while started.elapsed() < args.duration {
        // How many records should have been sent by now.
        let due = (started.elapsed().as_secs_f64() * f64::from(args.rate)) as usize;
        let n = due.saturating_sub(sent + failed).min(BATCH);
        if n == 0 {
            // Pacing is wall-clock by nature; time still comes through the injected clock type.
            kdaflow_asl::clock::Clock::sleep(
                &kdaflow_asl::clock::SystemClock,
                chrono::Duration::milliseconds(5),
            )
            .await;
            continue;
        }
        let mut records = Vec::with_capacity(n);
        for _ in 0..n {
            let r = reviews.next_review();
            anomalies += usize::from(r.anomaly);
            records.push(Record::builder().data(Blob::new(r.line())).build()?);
        }
        let out = client
            .put_record_batch()
            .delivery_stream_name(&args.stream)
            .set_records(Some(records))
            .send()
            .await
            .with_context(|| format!("PutRecordBatch to {} failed", args.stream))?;
        let f = usize::try_from(out.failed_put_count).unwrap_or(0);
        failed += f;
        sent += n - f;
        if last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            println!(
                "  {:>6.1}s  sent {sent}  failed {failed}  anomalies {anomalies}",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!("done: sent {sent} records ({anomalies} anomalies), {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--out FILE`: the reviews written to a file instead of a stream.
fn write_file(args: &SendArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut reviews = Reviews::new(args.seed, args.anomaly_every);
    let mut anomalies = 0;
    for _ in 0..args.count {
        let r = reviews.next_review();
        anomalies += usize::from(r.anomaly);
        out.write_all(r.line().as_bytes())?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {} reviews ({anomalies} anomalies) to {}",
        args.count,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
