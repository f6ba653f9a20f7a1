//! `kdaflow bench lambda`: functions as processes under the twin's Runtime API.
//!
//! - cold start of a `provided.al2023` function (one of ours: the `validate-prerequisites`
//!   task binary; target < 50 ms) and of a Python function under `awslambdaric` (target
//!   < 500 ms), each from CreateFunction's code to the first answer, the median of `--cold`
//!   starts;
//! - warm Invoke over loopback HTTP, keep-alive, `--clients` connections: invokes/s and
//!   latency (targets: p99 < 2 ms, 1,000 invokes/s per core).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::Args;
use kdaflow_asl::clock::SystemClock;
use kdaflow_local::lambda::LocalFunctionSpec;
use kdaflow_local::{Twin, TwinConfig};

use super::load::{load_path, post};
use crate::http::connect;

/// Flags of `kdaflow bench lambda`.
#[derive(Debug, Args)]
pub struct LambdaArgs {
    /// Cold starts to time per runtime.
    #[arg(long, default_value_t = 10)]
    pub cold: usize,
    /// Concurrent keep-alive connections for the warm load (each keeps one instance busy).
    #[arg(long, default_value_t = 2)]
    pub clients: usize,
    /// How long to measure the warm load (after a one-second warm-up).
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
}

const RUST: &str = "bench-provided";
const PYTHON: &str = "bench-python";
const RUST_PATH: &str = "/2015-03-31/functions/bench-provided/invocations";
const PYTHON_PATH: &str = "/2015-03-31/functions/bench-python/invocations";

fn ok(body: &[u8]) -> bool {
    !body.windows(11).any(|w| w == b"\"errorType\"")
}

async fn cold_starts(
    twin: &Twin,
    addr: &str,
    spec: &LocalFunctionSpec,
    path: &str,
    event: &Bytes,
    runs: usize,
) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    let mut sender = connect(addr).await?;
    for _ in 0..runs.max(1) {
        // Registering the code again retires the warm instances: the next call starts one.
        twin.lambda()
            .put_function(spec.clone())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let (status, body) = post(
            &mut sender,
            addr,
            "lambda",
            path,
            None,
            "application/json",
            event.clone(),
        )
        .await?;
        if status != 200 || !ok(&body) {
            bail!(
                "{} failed: {status} {}",
                spec.name,
                String::from_utf8_lossy(&body)
            );
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

fn median(v: &[f64]) -> f64 {
    v[v.len() / 2]
}

pub(super) async fn run(args: LambdaArgs) -> anyhow::Result<std::process::ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; figures are only meaningful from `cargo run --release -- bench lambda`"
        );
    }
    let twin = Twin::builder(TwinConfig::default())
        .clock(Arc::new(SystemClock))
        .build()
        .context("cannot start the twin")?;
    let running = twin.spawn(0).await?;
    let addr = running.addr().to_string();
    let binaries = kdaflow::tasks::binaries()?;
    let (_, validate) = binaries
        .iter()
        .find(|(t, _)| *t == kdaflow_workflow::contract::VALIDATE)
        .context("the validate-prerequisites binary")?;
    let rust = LocalFunctionSpec {
        name: RUST.into(),
        runtime: "provided.al2023".into(),
        handler: None,
        timeout: 30,
        environment: Default::default(),
        zip: kdaflow_local::lambda::code::zip_with(
            &[("bootstrap", &std::fs::read(validate)?, true)],
            false,
        ),
    };
    let python = LocalFunctionSpec {
        name: PYTHON.into(),
        runtime: "python3.12".into(),
        handler: Some("app.handler".into()),
        timeout: 30,
        environment: Default::default(),
        zip: kdaflow_local::lambda::code::zip_of(&[(
            "app.py",
            b"def handler(event, context):\n    return {\"echo\": event}\n",
            false,
        )]),
    };
    let prerequisites = kdaflow_workflow::prerequisites::Prerequisites::example(
        &twin.config().region,
        &twin.config().account_id,
    );
    let rust_event = Bytes::from(serde_json::to_string(&prerequisites)?);
    let python_event = Bytes::from_static(br#"{"n": 1}"#);

    // The Python runtime is prepared once per machine (a virtual environment): not timed.
    eprintln!("preparing the Python runtime (once per machine) ...");
    cold_starts(&twin, &addr, &python, PYTHON_PATH, &python_event, 1).await?;

    eprintln!("timing {} cold starts per runtime ...", args.cold);
    let rust_cold = cold_starts(&twin, &addr, &rust, RUST_PATH, &rust_event, args.cold).await?;
    let python_cold =
        cold_starts(&twin, &addr, &python, PYTHON_PATH, &python_event, args.cold).await?;

    eprintln!(
        "warm load: {} connections for {}",
        args.clients,
        humantime::format_duration(args.duration)
    );
    let (h, errors, elapsed) = load_path(
        &addr,
        args.clients,
        args.duration,
        "lambda",
        RUST_PATH,
        None,
        "application/json",
        rust_event,
        ok,
    )
    .await?;
    let (hp, errors_p, elapsed_p) = load_path(
        &addr,
        args.clients,
        args.duration,
        "lambda",
        PYTHON_PATH,
        None,
        "application/json",
        python_event,
        ok,
    )
    .await?;
    let ms = |h: &hdrhistogram::Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!("kdaflow bench lambda: functions as processes under the twin's Runtime API");
    println!(
        "  cold start       provided.al2023 (validate-prerequisites) median {:.1} ms (min {:.1}, max {:.1}); python3.12 median {:.1} ms (min {:.1}, max {:.1})",
        median(&rust_cold),
        rust_cold[0],
        rust_cold[rust_cold.len() - 1],
        median(&python_cold),
        python_cold[0],
        python_cold[python_cold.len() - 1]
    );
    for (what, h, errors, elapsed) in [
        ("provided.al2023", &h, errors, elapsed),
        ("python3.12", &hp, errors_p, elapsed_p),
    ] {
        println!(
            "  warm invoke      {what}: {:.0} invokes/s with {} connections ({} errors); p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            h.len() as f64 / elapsed.as_secs_f64(),
            args.clients,
            errors,
            ms(h, 0.5),
            ms(h, 0.99),
            h.max() as f64 / 1000.0
        );
    }
    running.shutdown().await?;
    Ok(if errors == 0 && errors_p == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
