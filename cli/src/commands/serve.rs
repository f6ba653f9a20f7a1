//! `kdaflow serve`: the twin in the foreground.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use kdaflow_local::config::{self, Lifecycle};
use kdaflow_local::{Twin, TwinConfig};

/// Flags of `kdaflow serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = config::DEFAULT_PORT, env = "KDAFLOW_PORT")]
    pub port: u16,
    /// Address to bind. Loopback by default; anything else exposes the twin to the network,
    /// and is refused unless --allow-unauthenticated-remote says so (the twin accepts any
    /// credentials).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Bind a non-loopback --bind address although the twin verifies no signature: anyone who
    /// reaches the port can read and change everything it holds.
    #[arg(long)]
    pub allow_unauthenticated_remote: bool,
    /// Keep state in this directory across restarts (default: memory only).
    #[arg(long, env = "KDAFLOW_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// Region the twin reports in ARNs.
    #[arg(long, default_value = config::DEFAULT_REGION)]
    pub region: String,
    /// Account id the twin reports in ARNs (12 digits).
    #[arg(long, default_value = config::DEFAULT_ACCOUNT_ID, value_parser = parse_account)]
    pub account_id: String,
    /// How long an application stays STARTING (e.g. 2s, 500ms, 1m).
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub start_duration: Duration,
    /// How long an application stays STOPPING.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub stop_duration: Duration,
    /// How long an application stays UPDATING after a configuration change.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub update_duration: Duration,
    /// How long an application stays DELETING.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub delete_duration: Duration,
    /// Kinesis Analytics applications allowed per account and region.
    #[arg(long, default_value_t = config::DEFAULT_MAX_APPLICATIONS)]
    pub max_applications: usize,
    /// Accept requests that carry no SigV4 Authorization header (AWS refuses them).
    #[arg(long)]
    pub no_auth: bool,
    /// Let StartApplication succeed even when the application's input stream, preprocessing
    /// function or destinations do not exist on the twin (AWS refuses such a start).
    #[arg(long)]
    pub no_resource_checks: bool,
    /// Where the bootstrap's four tasks run: in the twin's process (fast), or as AWS runs them —
    /// the `lambda_runtime` binaries, as processes under the twin's Lambda Runtime API (built
    /// with cargo on first use in a checkout)
    #[arg(long, value_enum, default_value_t = kdaflow::tasks::Tasks::InProcess)]
    pub tasks: kdaflow::tasks::Tasks,
}

fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("an AWS account id is exactly 12 digits".into())
    }
}

impl ServeArgs {
    /// The twin configuration these flags describe.
    pub fn config(&self) -> TwinConfig {
        TwinConfig {
            region: self.region.clone(),
            account_id: self.account_id.clone(),
            lifecycle: Lifecycle {
                start: self.start_duration,
                stop: self.stop_duration,
                update: self.update_duration,
                delete: self.delete_duration,
            },
            state_dir: self.state_dir.clone(),
            max_applications: self.max_applications,
            require_auth: !self.no_auth,
            ..TwinConfig::default()
        }
    }
}

/// Waits for Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Prints a line to stdout. A closed stdout (a reader that went away) must not bring the twin
/// down, so write errors are ignored rather than panicking as `println!` would.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the twin until a stop signal.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if !args.bind.is_loopback() && !args.allow_unauthenticated_remote {
        anyhow::bail!(
            "refusing to listen on {}: the twin accepts any credentials, so anyone who can reach it could read and change everything it holds. \
             Bind a loopback address (the default, 127.0.0.1), or pass --allow-unauthenticated-remote to expose it anyway \
             (verified signatures, --auth strict, are not built yet)",
            args.bind
        );
    }
    // Executions that were RUNNING resume once the bootstrap's functions are registered below.
    let twin = Twin::builder(args.config())
        .resource_checks(!args.no_resource_checks)
        .resume_executions(false)
        .build()
        .context("cannot start the twin")?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; pick another port with --port (0 picks a free one)")
    })?;
    let local = listener.local_addr()?;
    // Flink applications run on this machine's Flink (`kdaflow flink setup`); their work
    // directories live beside the state, or in a temporary directory.
    let jobs_dir = match &args.state_dir {
        Some(d) => d.join("flink-jobs"),
        None => std::env::temp_dir().join(format!("kdaflow-flink-jobs-{}", std::process::id())),
    };
    let runner = kdaflow::flink_jobs::TwinJobs::new(&twin, &format!("http://{local}"), jobs_dir);
    let flink_jobs =
        match kdaflow_local::kinesisanalyticsv2::JobRunner::unavailable(runner.as_ref()) {
            None => "Flink jobs run on this machine's PyFlink".to_string(),
            Some(why) => format!("Flink jobs cannot run here: {why}"),
        };
    twin.managed_flink().set_runner(runner.clone());
    // Flink applications that were running when the twin stopped run again.
    runner.resume();
    // The bootstrap as the stack deploys it: the prerequisites' stand-ins (the reference
    // application's functions and streams), the task functions, the state machine, the rules.
    let provisioned =
        kdaflow::provision::provision_with(&twin, &format!("http://{local}"), args.tasks)
            .await
            .context("cannot provision the bootstrap on the twin")?;
    let standins = &provisioned.standins;
    let console = kdaflow::bootstrap::console_for(&twin, &provisioned);
    let state = match &args.state_dir {
        Some(d) => format!("state in {}", d.display()),
        None => "state in memory only".to_string(),
    };
    say(format_args!(
        "kdaflow twin listening on http://{local} ({state}; region {}, account {})",
        args.region, args.account_id
    ));
    say(format_args!(
        "  services: kinesisanalytics, kinesisanalyticsv2 (Flink applications), firehose, kinesis (data plane running RUNNING applications), states, events, lambda, s3"
    ));
    say(format_args!("  {flink_jobs}"));
    say(format_args!(
        "  console: http://{local}{}",
        kdaflow_console::PATH
    ));
    say(format_args!(
        "  try: aws --endpoint-url http://{local} kinesisanalytics list-applications"
    ));
    say(format_args!(
        "  stand-in functions: {}, {}, {} (kdaflow inspect <name>)",
        standins.preprocess_arn, standins.metrics_arn, standins.notify_arn
    ));
    say(format_args!(
        "  bootstrap state machine: {} (kdaflow start --endpoint-url http://{local} --watch)",
        provisioned.state_machine_arn
    ));
    say(format_args!(
        "  rules: {} (kdaflow events put --source {} --detail-type \"{}\" --detail @prerequisites.json)",
        provisioned.rules.join(", "),
        kdaflow_infra::stack::triggers::EVENT_SOURCE,
        kdaflow_infra::stack::triggers::EVENT_DETAIL_TYPE
    ));
    say(format_args!("  stop with Ctrl-C"));
    twin.serve(listener, async move {
        stop_signal().await;
        // Open console pages hold live feeds; they end so the server can.
        console.close();
    })
    .await?;
    say(format_args!("kdaflow twin stopped"));
    Ok(ExitCode::SUCCESS)
}
