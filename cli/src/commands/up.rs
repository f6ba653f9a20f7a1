//! `kdaflow up`: bootstrap the reference application (or a spec's) on the local twin.
//!
//! Starts the twin in-process (state kept in `--state-dir`, `.kdaflow` by default, so a second
//! run finds the application and creates nothing), registers the task functions, runs the
//! bootstrap state machine — showing each state as it runs — and prints the execution output.
//! Waits run on virtual time unless `--real-time` is given: they finish at once while every
//! timestamp is what a real run would record.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use kdaflow::bootstrap::LocalBootstrap;
use kdaflow_asl::clock::{Clock, SharedClock, SystemClock, VirtualClock};
use kdaflow_asl::exec::ExecutionStatus;
use kdaflow_asl::history::{EventSink, EventType, HistoryEvent};
use kdaflow_local::TwinConfig;
use kdaflow_workflow::spec::ApplicationSpec;

#[path = "up_flink.rs"]
mod flink;

/// Where `kdaflow up` keeps the twin's state unless told otherwise.
pub const DEFAULT_STATE_DIR: &str = ".kdaflow";

/// Flags of `kdaflow up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// An application spec (TOML or JSON) instead of the reference application.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Application name (default: the spec's).
    #[arg(long)]
    pub application_name: Option<String>,
    /// Window in seconds (default: the spec's, 5).
    #[arg(long)]
    pub window_seconds: Option<u32>,
    /// Starting position: NOW, TRIM_HORIZON or LAST_STOPPED_POINT (default NOW).
    #[arg(long)]
    pub starting_position: Option<String>,
    /// Give up waiting for RUNNING after this many seconds (default 600).
    #[arg(long)]
    pub max_wait_seconds: Option<u64>,
    /// What to do if the application exists with another configuration: fail or update.
    #[arg(long)]
    pub on_drift: Option<String>,
    /// Where the twin keeps its state.
    #[arg(long, default_value = DEFAULT_STATE_DIR, conflicts_with = "ephemeral")]
    pub state_dir: PathBuf,
    /// Keep nothing: state in memory only.
    #[arg(long)]
    pub ephemeral: bool,
    /// Wait in real time (default: virtual time).
    #[arg(long)]
    pub real_time: bool,
    /// Where the bootstrap's four tasks run: in process (fast), or as the `lambda_runtime`
    /// binaries under the twin's Lambda Runtime API, as AWS runs them
    #[arg(long, value_enum, default_value_t = kdaflow::tasks::Tasks::InProcess)]
    pub tasks: kdaflow::tasks::Tasks,
    /// How long the twin keeps an application STARTING.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub start_duration: std::time::Duration,
    /// Print only the execution output (JSON) on stdout.
    #[arg(long)]
    pub quiet: bool,
    /// Execution name (default: bootstrap-<time>).
    #[arg(long)]
    pub name: Option<String>,
    /// Once RUNNING, stream sample reviews for this many seconds and show the results as
    /// windows close (0: do not stream).
    #[arg(long, default_value_t = 20)]
    pub sample_seconds: u64,
    /// Sample reviews per second.
    #[arg(long, default_value_t = 100)]
    pub rate: u32,
    /// Make every Nth sample review an anomaly (a 1-star rant among 3-5 star reviews).
    #[arg(long, default_value_t = 50)]
    pub anomaly_every: u64,
    /// `sql`: a Kinesis Data Analytics SQL application (kinesisanalytics); `flink`: the same
    /// application translated for Managed Service for Apache Flink (kinesisanalyticsv2), its job
    /// on this machine's real Flink (needs `kdaflow flink setup`; real time). Default: the
    /// spec's `runtime` (`sql` for the reference application).
    #[arg(long, value_enum)]
    pub runtime: Option<Runtime>,
    /// Keep the twin and its web console running after the bootstrap (until Ctrl-C): watch
    /// the execution, the application and its streams at the printed URL. Implies
    /// --real-time (the console shows the twin live).
    #[arg(long)]
    pub console: bool,
}

/// `--runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    /// Kinesis Data Analytics SQL.
    Sql,
    /// Managed Service for Apache Flink.
    Flink,
}

/// Shows the application's results as its windows close.
fn show_tick(
    start: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
    tick: &kdaflow_local::dataplane::TickReport,
) {
    use kdaflow_local::standins::DEFAULT_ANOMALY_THRESHOLD;
    let t = (now - start).num_milliseconds() as f64 / 1000.0;
    let first = |output: &str| tick.delivered(output).first().map(|r| r.trim().to_string());
    let mut parts = Vec::new();
    if let Some(avg) = first("AVG_STAR_RATING_SQL_STREAM") {
        parts.push(format!("average star rating {avg}"));
    }
    if let Some(count) = first("APPROXIMATE_COUNT_SQL_STREAM") {
        parts.push(format!("distinct reviews {count}"));
    }
    let scores: Vec<f64> = tick
        .delivered("ANOMALY_SCORE_SQL_STREAM")
        .iter()
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let anomalies: Vec<f64> = scores
        .iter()
        .copied()
        .filter(|s| *s > DEFAULT_ANOMALY_THRESHOLD)
        .collect();
    if !anomalies.is_empty() {
        let shown: Vec<String> = anomalies.iter().map(|s| format!("{s:.2}")).collect();
        parts.push(format!(
            "anomalies {} (score {})",
            anomalies.len(),
            shown.join(", ")
        ));
    }
    if !tick.errors.is_empty() {
        parts.push(format!("{} row(s) to error_stream", tick.errors.len()));
    }
    if !parts.is_empty() {
        eprintln!("  [{t:>7.1}s] {}", parts.join(" | "));
    }
}

/// Streams sample reviews into the running application and shows what comes out.
async fn stream_sample(local: &LocalBootstrap, args: &UpArgs) -> anyhow::Result<()> {
    use kdaflow_local::dataplane::sample::{SampleOptions, stream_sample};
    let options = SampleOptions {
        delivery_stream: kdaflow::bootstrap::FIREHOSE_NAME.to_string(),
        rate: args.rate,
        duration: std::time::Duration::from_secs(args.sample_seconds),
        ..SampleOptions::default()
    };
    let clock = local.twin().clock().clone();
    let start = clock.now();
    if !args.quiet {
        eprintln!(
            "streaming {} reviews/s for {} s into {} (an anomaly every {}); results as windows close:",
            options.rate, args.sample_seconds, options.delivery_stream, args.anomaly_every
        );
    }
    let quiet = args.quiet;
    let reviews = kdaflow::bootstrap::sample_records(1, args.anomaly_every);
    let report = stream_sample(local.twin(), &options, reviews, |tick| {
        if !quiet {
            show_tick(start, clock.now(), tick);
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("streaming the sample failed: {e}"))?;
    if !args.quiet {
        let windows = report.delivered("AVG_STAR_RATING_SQL_STREAM").len();
        eprintln!(
            "sent {} reviews ({} anomalies); {windows} windows closed; {} anomaly notification(s) by the SNS stand-in; {} error_stream row(s)",
            report.sent,
            report.anomalies,
            local.standins.notifications.notifications().len(),
            report.errors.len()
        );
        for p in &report.problems {
            eprintln!("  problem: {p}");
        }
        if !args.console {
            eprintln!(
                "  to keep the application running: kdaflow serve --state-dir {}, then kdaflow send and kdaflow inspect",
                args.state_dir.display()
            );
        }
    }
    Ok(())
}

/// Prints each state as it runs.
#[derive(Debug)]
struct Progress {
    start: chrono::DateTime<chrono::Utc>,
}

impl EventSink for Progress {
    fn record(&self, e: &HistoryEvent) {
        let t = (e.timestamp - self.start).num_milliseconds() as f64 / 1000.0;
        let name = e.detail_str("name").unwrap_or_default();
        let line = match e.event_type {
            EventType::TaskStateEntered
            | EventType::ChoiceStateEntered
            | EventType::PassStateEntered => name.to_string(),
            EventType::WaitStateEntered => {
                let wait = e
                    .detail_str("input")
                    .and_then(|i| serde_json::from_str::<serde_json::Value>(i).ok())
                    .and_then(|v| v["poll"]["wait_seconds"].as_u64())
                    .map(|s| format!(" ({s} s)"))
                    .unwrap_or_default();
                format!("{name}{wait}")
            }
            EventType::LambdaFunctionFailed | EventType::TaskFailed => format!(
                "  ! {}: {}",
                e.detail_str("error").unwrap_or_default(),
                readable(e.detail_str("cause").unwrap_or_default())
                    .lines()
                    .next()
                    .unwrap_or_default()
            ),
            EventType::ChoiceStateExited => {
                let status = e
                    .detail_str("output")
                    .and_then(|o| serde_json::from_str::<serde_json::Value>(o).ok())
                    .and_then(|v| v["poll"]["status"].as_str().map(str::to_string))
                    .unwrap_or_default();
                format!("  status {status}")
            }
            EventType::FailStateEntered => format!("{name} (failed)"),
            _ => return,
        };
        eprintln!("  [{t:>7.1}s] {line}");
    }
}

/// A Lambda error's cause is `{"errorMessage": ..., "errorType": ...}`; people want the message.
fn readable(cause: &str) -> String {
    serde_json::from_str::<serde_json::Value>(cause)
        .ok()
        .and_then(|v| v["errorMessage"].as_str().map(str::to_string))
        .unwrap_or_else(|| cause.to_string())
}

/// The file in the state directory that remembers how far virtual time has run, so that the
/// next run's clock never goes back behind what the stored applications have already seen.
const CLOCK_FILE: &str = "virtual-clock";

fn virtual_start(state_dir: Option<&std::path::Path>) -> chrono::DateTime<chrono::Utc> {
    let wall = SystemClock.now();
    let stored = state_dir
        .and_then(|d| std::fs::read_to_string(d.join(CLOCK_FILE)).ok())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    stored.map_or(wall, |s| s.max(wall))
}

/// Runs the bootstrap.
pub async fn run(args: UpArgs) -> anyhow::Result<ExitCode> {
    let spec_runtime = match &args.spec {
        Some(path) => ApplicationSpec::load(path)?.runtime,
        None => kdaflow_workflow::spec::Runtime::Sql,
    };
    let flink = match args.runtime {
        Some(r) => r == Runtime::Flink,
        None => spec_runtime == kdaflow_workflow::spec::Runtime::Flink,
    };
    if flink {
        return flink::run(args).await;
    }
    let wall = Instant::now();
    let state_dir = (!args.ephemeral).then(|| args.state_dir.clone());
    let real_time = args.real_time || args.console;
    let clock: SharedClock = if real_time {
        Arc::new(SystemClock)
    } else {
        Arc::new(VirtualClock::new(virtual_start(state_dir.as_deref())))
    };
    let mut config = TwinConfig {
        state_dir: state_dir.clone(),
        ..TwinConfig::default()
    };
    config.lifecycle.start = args.start_duration;
    let local = LocalBootstrap::start_with(config, clock.clone(), 0, args.tasks).await?;
    let mut overrides = serde_json::Map::new();
    if let Some(path) = &args.spec {
        let spec = ApplicationSpec::load(path)?;
        overrides.insert("application_spec".into(), serde_json::to_value(spec)?);
    }
    if let Some(n) = &args.application_name {
        overrides.insert("application_name".into(), n.clone().into());
    }
    if let Some(w) = args.window_seconds {
        overrides.insert("window_seconds".into(), w.into());
    }
    if let Some(m) = args.max_wait_seconds {
        overrides.insert("max_wait_seconds".into(), m.into());
    }
    if let Some(p) = &args.starting_position {
        overrides.insert("starting_position".into(), p.to_uppercase().into());
    }
    if let Some(d) = &args.on_drift {
        overrides.insert("on_drift".into(), d.to_lowercase().into());
    }
    let input = local.input(serde_json::Value::Object(overrides));
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("bootstrap-{}", clock.now().format("%Y%m%dT%H%M%S")));
    if !args.quiet {
        eprintln!(
            "kdaflow up: bootstrapping on the local twin at {} ({}; {})",
            local.running.endpoint_url(),
            if args.ephemeral {
                "state in memory".to_string()
            } else {
                format!("state in {}", args.state_dir.display())
            },
            if real_time {
                "real time"
            } else {
                "virtual time: waits finish at once, timestamps are as on AWS"
            }
        );
        eprintln!(
            "  execution {name} of state machine {}",
            kdaflow::bootstrap::STATE_MACHINE_NAME
        );
    }
    let sink: Option<Arc<dyn EventSink>> =
        (!args.quiet).then(|| Arc::new(Progress { start: clock.now() }) as Arc<dyn EventSink>);
    let (outcome, history) = local.execute(&name, input, sink).await?;
    if let Some(dir) = &state_dir
        && !real_time
    {
        // Best effort: losing it only means the next run starts its clock at the wall clock.
        let _ = std::fs::write(dir.join(CLOCK_FILE), clock.now().to_rfc3339());
    }
    let transitions = history
        .iter()
        .filter(|e| e.event_type.as_str().ends_with("StateEntered"))
        .count();
    let kda_calls: u64 = local
        .twin()
        .calls_to(kdaflow_local::kinesisanalytics::SERVICE_NAME);
    let took = (outcome.stop_date - outcome.start_date).num_milliseconds() as f64 / 1000.0;
    let code = match outcome.status {
        ExecutionStatus::Succeeded => {
            let output = outcome.output.clone().unwrap_or_default();
            println!(
                "{}",
                serde_json::to_string_pretty(&output).context("output")?
            );
            if !args.quiet {
                let created = output["created"].as_bool().unwrap_or(false);
                let updated = output["updated"].as_bool().unwrap_or(false);
                eprintln!(
                    "{} {} is {}: {}",
                    if created { "created" } else { "found" },
                    output["application_name"].as_str().unwrap_or_default(),
                    output["status"].as_str().unwrap_or_default(),
                    if created {
                        "created and started now"
                    } else if updated {
                        "existed with another configuration and was updated"
                    } else {
                        "it already existed with this configuration; nothing was created"
                    }
                );
            }
            if args.sample_seconds > 0 && output["status"] == "RUNNING" {
                stream_sample(&local, &args).await?;
            }
            ExitCode::SUCCESS
        }
        status => {
            eprintln!(
                "bootstrap {}: {}\n{}",
                serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                outcome.error.as_deref().unwrap_or("(no error name)"),
                readable(outcome.cause.as_deref().unwrap_or("(no cause)"))
            );
            ExitCode::FAILURE
        }
    };
    if !args.quiet {
        eprintln!(
            "{transitions} state transitions, {kda_calls} Kinesis Analytics calls, {took:.1} s on the twin's clock, {:.0} ms wall",
            wall.elapsed().as_secs_f64() * 1000.0
        );
    }
    if args.console {
        eprintln!(
            "console: {}{} — the twin keeps running; stop with Ctrl-C",
            local.running.endpoint_url(),
            kdaflow_console::PATH
        );
        let _ = tokio::signal::ctrl_c().await;
        local.console.close();
    }
    Ok(code)
}
