//! `kdaflow bench …`: benchmarks that print their figures.
//!
//! `kdaflow bench kda` measures the twin's Kinesis Analytics service the way a fleet of pollers
//! uses it: a `kdaflow serve` child process on an ephemeral loopback port holding
//! `--applications` copies of the reference application, and `--clients` keep-alive HTTP/1.1
//! connections from this process sending signed-looking `DescribeApplication` calls as fast as
//! the server answers. It prints requests/s, latency percentiles and the server's resident
//! memory. Run it from a release build: `cargo run --release -- bench kda`.

use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::{Args, Subcommand};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::http::{Sender, connect};

mod lambda;
mod load;
mod triggers;

/// The reference application's name; the bench describes this one.
/// The reference application's RANDOM_CUT_FOREST output (left out by `--no-rcf`).
const FOREST_OUTPUT: &str = "ANOMALY_SCORE_SQL_STREAM";
/// An anomaly every this many generated reviews in `bench sql` (as `kdaflow send`'s default).
const BENCH_ANOMALY_EVERY: u64 = 50;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// DescribeApplication throughput and latency of the twin over loopback.
    Kda(KdaArgs),
    /// `kdaflow up` end to end on virtual time (twin start included), and the cost of a
    /// bootstrap whose start takes 90 s (and of the Flink bootstrap, 90 s and 5 minutes): state
    /// transitions and Kinesis Analytics calls.
    Up(UpBenchArgs),
    /// The reference application's three pumps over generated (or given) reviews, on virtual
    /// time: records/s from parsing to output rows, and peak memory.
    Sql(SqlArgs),
    /// StartSyncExecution of an EXPRESS three-state Pass machine over loopback.
    Sfn(triggers::TriggerArgs),
    /// PutEvents against 100 rules over loopback.
    Events(triggers::TriggerArgs),
    /// Lambda functions as processes: cold starts (provided.al2023, Python) and warm Invoke
    /// over loopback.
    Lambda(lambda::LambdaArgs),
    /// The reference application on the built-in engine, on Flink's mini-cluster
    /// (parallelism 1) and on a standalone Flink cluster (parallelism 2), over the same
    /// records: records/s, start-up time and peak memory side by side (needs `kdaflow flink
    /// setup`).
    Flink(FlinkBenchArgs),
}

/// Flags of `kdaflow bench flink`.
#[derive(Debug, Args)]
pub struct FlinkBenchArgs {
    /// How many generated reviews.
    #[arg(long, default_value_t = 2_000_000)]
    pub records: usize,
    /// The PyFlink environment (default: setup's).
    #[arg(long, value_name = "DIR")]
    pub env: Option<std::path::PathBuf>,
}

/// Flags of `kdaflow bench up`.
#[derive(Debug, Args)]
pub struct UpBenchArgs {
    /// How many bootstraps to time (each on a fresh twin).
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
}

/// Flags of `kdaflow bench sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// How many generated reviews (one per millisecond of virtual time).
    #[arg(long, default_value_t = 1_000_000, conflicts_with = "input")]
    pub records: usize,
    /// Tab-separated reviews (review_id, star_rating, product_category, review_body), one per line,
    /// instead of generated ones.
    #[arg(long)]
    pub input: Option<std::path::PathBuf>,
    /// Leave the RANDOM_CUT_FOREST pump out.
    #[arg(long)]
    pub no_rcf: bool,
    /// Instead of the reference application, LEFT OUTER JOIN each review on its review_id
    /// with a reference table of this many rows (the ids of every 10th generated review).
    #[arg(long, value_name = "ROWS", conflicts_with_all = ["input", "no_rcf"])]
    pub join: Option<usize>,
}

/// Flags of `kdaflow bench kda`.
#[derive(Debug, Args)]
pub struct KdaArgs {
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// How long to measure (after a one-second warm-up).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Applications held by the twin while it is measured.
    #[arg(long, default_value_t = 50)]
    pub applications: usize,
}

/// Runs a benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Kda(args) => kda(args).await,
        BenchCommand::Sql(args) => sql(args),
        BenchCommand::Sfn(args) => triggers::sfn(args).await,
        BenchCommand::Events(args) => triggers::events(args).await,
        BenchCommand::Lambda(args) => lambda::run(args).await,
        BenchCommand::Flink(args) => super::flink::bench(args.records, args.env).await,
        BenchCommand::Up(args) => up(args).await,
    }
}

/// A `kdaflow serve --port 0` child, killed on drop.
struct Server {
    child: tokio::process::Child,
    addr: String,
}

impl Server {
    async fn start() -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find the kdaflow executable")?;
        let mut child = Command::new(exe)
            .args(["serve", "--port", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start `kdaflow serve`")?;
        let stdout = child.stdout.take().context("no stdout from the server")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .context("the server did not report its address within 30 s")??
            .context("the server exited before listening")?;
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .with_context(|| format!("unexpected first line from the server: {first}"))?
            .to_string();
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, addr })
    }

    /// (VmRSS, VmHWM) in KiB.
    fn memory_kib(&self) -> anyhow::Result<(u64, u64)> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .context("cannot read the server's memory use (this needs Linux /proc)")?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }
}

/// A Kinesis Analytics call.
async fn call(
    sender: &mut Sender,
    addr: &str,
    operation: &str,
    body: Bytes,
) -> anyhow::Result<(u16, Bytes)> {
    let target = format!("KinesisAnalytics_20150814.{operation}");
    load::call(sender, addr, &target, "application/x-amz-json-1.1", body).await
}

async fn up(args: UpBenchArgs) -> anyhow::Result<ExitCode> {
    use kdaflow::bootstrap::LocalBootstrap;
    use kdaflow_asl::clock::{Clock, SystemClock, VirtualClock};
    use kdaflow_asl::exec::ExecutionStatus;
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; figures are only meaningful from `cargo run --release -- bench up`"
        );
    }
    let mut walls = Vec::new();
    for i in 0..args.runs.max(1) {
        let started = Instant::now();
        let clock = Arc::new(VirtualClock::new(SystemClock.now()));
        let local = LocalBootstrap::start(kdaflow_local::TwinConfig::default(), clock, 0).await?;
        let (outcome, _) = local
            .execute(
                &format!("bench-{i}"),
                local.input(serde_json::json!({})),
                None,
            )
            .await?;
        if outcome.status != ExecutionStatus::Succeeded {
            bail!(
                "bootstrap {i} ended {:?}: {:?} {:?}",
                outcome.status,
                outcome.error,
                outcome.cause
            );
        }
        local.running.shutdown().await?;
        walls.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    // A 90-second start, as AWS takes: how much does the polling cost? And for the Flink
    // bootstrap, a 90 s and a 5 minute start (Flink applications often start slower).
    let sql = kdaflow::bootstrap::bootstrap_cost(false, Duration::from_secs(90)).await?;
    println!("kdaflow bench up: the bootstrap end to end on virtual time");
    println!(
        "  wall time        median {median:.1} ms, min {:.1} ms, max {:.1} ms over {} runs (twin start, task registration, execution, shutdown)",
        walls[0],
        walls[walls.len() - 1],
        walls.len()
    );
    println!(
        "  90 s start       {:?}: {} state transitions, {} Kinesis Analytics calls, {} status checks (the notebook's 5 s polling: 18 checks)",
        sql.status, sql.transitions, sql.calls, sql.status_checks
    );
    for (what, secs) in [("90 s", 90), ("5 min", 300)] {
        let c = kdaflow::bootstrap::bootstrap_cost(true, Duration::from_secs(secs)).await?;
        println!(
            "  Flink, {what:<6}  {:?}: {} state transitions, {} kinesisanalyticsv2 calls, {} status checks (5 s polling: {} checks)",
            c.status,
            c.transitions,
            c.calls,
            c.status_checks,
            secs / 5
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn sql(args: SqlArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; figures are only meaningful from `cargo run --release -- bench sql`"
        );
    }
    let mut spec = kdaflow::bootstrap::reference_spec("us-east-1", "000000000000");
    if args.no_rcf {
        spec = spec.without_output(FOREST_OUTPUT);
    }
    let mut app = kdaflow::bootstrap::bench_app(&spec);
    if let Some(rows) = args.join {
        let keys = kdaflow_workflow::sample::Reviews::new(7, BENCH_ANOMALY_EVERY)
            .step_by(10)
            .take(rows)
            .map(|r| r.review_id)
            .collect();
        app = kdaflow_sql::bench::join_app(&app, keys);
    }
    let report = match &args.input {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let mut lines = text.lines().filter(|l| !l.is_empty()).map(str::to_string);
            kdaflow_sql::bench::run(&app, &mut lines, usize::MAX)
        }
        None => {
            let mut reviews =
                kdaflow_workflow::sample::Reviews::new(7, BENCH_ANOMALY_EVERY).map(|r| r.line());
            kdaflow_sql::bench::run(&app, &mut reviews, args.records)
        }
    }
    .context("the SQL benchmark failed")?;
    println!(
        "kdaflow bench sql: {} on virtual time, one record per ms",
        if args.join.is_some() {
            "the reviews joined with a reference table"
        } else {
            "the reference application's pumps"
        }
    );
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

async fn kda(args: KdaArgs) -> anyhow::Result<ExitCode> {
    if args.clients == 0 {
        bail!("--clients must be at least 1");
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; figures are only meaningful from `cargo run --release -- bench kda`"
        );
    }
    let server = Server::start().await?;
    let addr = server.addr.clone();
    eprintln!(
        "twin started on {addr}; creating {} applications",
        args.applications
    );
    // The applications are created with the SDK, as the bootstrap creates them (not timed).
    let spec = kdaflow::bootstrap::reference_spec("us-east-1", "000000000000");
    let client = kdaflow::bootstrap::twin_client(&format!("http://{addr}"), "us-east-1");
    for i in 0..args.applications {
        let name = if i == 0 {
            spec.name.clone()
        } else {
            format!("{}-{i:02}", spec.name)
        };
        kdaflow_handlers::convert::create_application(&client, &name, &spec)
            .send()
            .await
            .with_context(|| format!("CreateApplication {name} failed"))?;
    }
    let mut setup = connect(&addr).await?;
    let describe = Bytes::from(serde_json::json!({"ApplicationName": spec.name}).to_string());
    let (status, sample) = call(&mut setup, &addr, "DescribeApplication", describe.clone()).await?;
    if status != 200 {
        bail!(
            "DescribeApplication failed: {}",
            String::from_utf8_lossy(&sample)
        );
    }
    let (rss_idle, _) = server.memory_kib()?;

    eprintln!(
        "warming up for 1 s, then measuring for {}",
        humantime::format_duration(args.duration)
    );
    let (histogram, errors, elapsed) = load::load(
        &addr,
        args.clients,
        args.duration,
        "KinesisAnalytics_20150814.DescribeApplication",
        "application/x-amz-json-1.1",
        describe,
        |_| true,
    )
    .await?;
    let (rss, hwm) = server.memory_kib()?;
    let rps = histogram.len() as f64 / elapsed.as_secs_f64();
    println!("kdaflow bench kda: DescribeApplication of the reference application over loopback");
    println!(
        "  clients          {} keep-alive connections, {:.1} s measured",
        args.clients,
        elapsed.as_secs_f64()
    );
    println!("  response size    {} bytes", sample.len());
    println!("  requests         {} ({} errors)", histogram.len(), errors);
    println!("  throughput       {rps:.0} requests/s");
    println!(
        "  latency          p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        histogram.value_at_quantile(0.50) as f64 / 1000.0,
        histogram.value_at_quantile(0.90) as f64 / 1000.0,
        histogram.value_at_quantile(0.99) as f64 / 1000.0,
        histogram.max() as f64 / 1000.0
    );
    println!(
        "  server memory    RSS {:.1} MB with {} applications before load, {:.1} MB after (peak {:.1} MB)",
        rss_idle as f64 / 1024.0,
        args.applications,
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    drop(server);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
