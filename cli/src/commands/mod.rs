//! The command line: one subcommand per file.

mod asl;
mod bench;
mod events;
mod fault;
mod flink;
mod history;
mod inspect;
mod logs;
mod package;
mod send;
mod serve;
pub mod spec;
mod sql;
mod start;
mod synth;
mod up;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// kdaflow: bootstrap Kinesis Data Analytics SQL applications with Step Functions, on AWS or on
/// a local twin of AWS.
#[derive(Debug, Parser)]
#[command(name = "kdaflow", version, about, long_about = None)]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace). RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bootstrap the reference application on the local twin and show it running (the main job).
    Up(up::UpArgs),
    /// The application spec: show the reference one, print its JSON Schema, check a file.
    #[command(subcommand)]
    Spec(spec::SpecCommand),
    /// Check and run a Kinesis Analytics SQL application offline, on virtual time.
    #[command(subcommand)]
    Sql(sql::SqlCommand),
    /// The same application on Apache Flink: translate it, set up PyFlink, run it on a real
    /// Flink, and verify it computes what the built-in engine computes.
    #[command(subcommand)]
    Flink(flink::FlinkCommand),
    /// Start the bootstrap state machine with a JSON input (StartExecution), on AWS or the twin.
    Start(start::StartArgs),
    /// Follow an execution's states live; exit with its status.
    Watch(watch::WatchArgs),
    /// Print an execution's history events.
    History(history::HistoryArgs),
    /// Put events on an EventBridge bus (e.g. the bootstrap request).
    Events(events::EventsArgs),
    /// Run the local twin of AWS in the foreground (Ctrl-C or SIGTERM stops it).
    Serve(serve::ServeArgs),
    /// Validate and run Amazon States Language definitions on the local engine.
    #[command(subcommand)]
    Asl(asl::AslCommand),
    /// Inject faults into a running twin (throttling, errors, failing or hanging starts).
    Fault(fault::FaultArgs),
    /// Send generated reviews (with injected anomalies) into a Firehose delivery stream.
    Send(send::SendArgs),
    /// Show what a stand-in function on a running twin received.
    Inspect(inspect::InspectArgs),
    /// Print what a Lambda function's processes on a running twin wrote (its log).
    Logs(logs::LogsArgs),
    /// Run a benchmark and print its figures (use a release build).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Write the CloudFormation template and the state machine definition (default: deploy/).
    Synth(synth::SynthArgs),
    /// Build the Lambda tasks for arm64 and zip each as `bootstrap`, ready to upload.
    Package(package::PackageArgs),
}

/// Runs one command.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Up(args) => up::run(args).await,
        Command::Spec(command) => spec::run(command),
        Command::Sql(command) => sql::run(command),
        Command::Flink(command) => flink::run(command).await,
        Command::Start(args) => start::run(args).await,
        Command::Watch(args) => watch::run(args).await,
        Command::History(args) => history::run(args).await,
        Command::Events(args) => events::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Bench(command) => bench::run(command).await,
        Command::Fault(args) => fault::run(args).await,
        Command::Send(args) => send::run(args).await,
        Command::Inspect(args) => inspect::run(args).await,
        Command::Logs(args) => logs::run(args).await,
        Command::Asl(command) => asl::run(command).await,
        Command::Synth(args) => synth::run(args).await,
        Command::Package(args) => package::run(args).await,
    }
}

/// Logs to stderr; `RUST_LOG` wins over `-v`.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "info,aws_config=error",
        1 => "debug,aws_config=warn",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
