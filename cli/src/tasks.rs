//! How the bootstrap's four tasks run on the twin: in the twin's process (the default: fast,
//! on the twin's clock), or as AWS runs them — the four `lambda_runtime` binaries of
//! `handlers/`, registered as `provided.al2023` functions of the twin's Lambda service and
//! started as processes under its Runtime API (`--tasks process`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kdaflow_local::Twin;
use kdaflow_local::lambda::LocalFunctionSpec;
use kdaflow_workflow::contract::{TASK_FUNCTIONS, TaskFunction};

/// Where the task handlers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Tasks {
    /// The handler functions, called in the twin's process.
    #[default]
    InProcess,
    /// The `lambda_runtime` binaries, as processes under the twin's Lambda Runtime API.
    Process,
}

/// A task function's timeout on the twin (the stack gives them 30 s).
const TASK_TIMEOUT_SECONDS: u32 = 30;

/// The directories a task binary may be in: `KDAFLOW_TASKS_DIR`, then beside this executable
/// (and its parent: test executables live in `target/<profile>/deps`).
fn candidates() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("KDAFLOW_TASKS_DIR") {
        dirs.push(PathBuf::from(d));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        dirs.push(dir.to_path_buf());
        if let Some(up) = dir.parent() {
            dirs.push(up.to_path_buf());
        }
    }
    dirs
}

fn find(binary: &str) -> Option<PathBuf> {
    candidates()
        .into_iter()
        .map(|d| d.join(binary))
        .find(|p| p.is_file())
}

/// The checkout this executable was built in, if it was (a workspace with `handlers/`).
fn checkout() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .find(|d| d.join("handlers/Cargo.toml").is_file() && d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// The four task binaries built for this machine: found beside `kdaflow`, or built with cargo
/// in the checkout `kdaflow` comes from.
pub fn binaries() -> anyhow::Result<Vec<(TaskFunction, PathBuf)>> {
    binaries_of(&TASK_FUNCTIONS)
}

/// [`binaries`] of `tasks` (the SQL or the Flink bootstrap's four).
pub fn binaries_of(tasks: &[TaskFunction]) -> anyhow::Result<Vec<(TaskFunction, PathBuf)>> {
    if tasks.iter().any(|t| find(t.binary).is_none()) {
        let Some(root) = checkout() else {
            bail!(
                "the task binaries ({}) are not beside this kdaflow; build them with `cargo build -p kdaflow-handlers --bins` (add --release for a release kdaflow) or point KDAFLOW_TASKS_DIR at them",
                tasks
                    .iter()
                    .map(|t| t.binary)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let release = std::env::current_exe()
            .ok()
            .is_some_and(|e| e.components().any(|c| c.as_os_str() == "release"));
        eprintln!(
            "building the task binaries for this machine (cargo build -p kdaflow-handlers --bins{})",
            if release { " --release" } else { "" }
        );
        let mut build =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        build
            .args(["build", "-p", "kdaflow-handlers", "--bins"])
            .current_dir(&root);
        if release {
            build.arg("--release");
        }
        let status = build
            .status()
            .context("cannot run cargo to build the task binaries")?;
        if !status.success() {
            bail!("building the task binaries failed ({status})");
        }
    }
    tasks
        .iter()
        .map(|t| {
            find(t.binary)
                .map(|p| (*t, p))
                .with_context(|| format!("the task binary {} is still missing", t.binary))
        })
        .collect()
}

/// Registers the four task binaries as `provided.al2023` functions of `twin` (each zip's
/// `bootstrap` is the binary, as `kdaflow package` packages it for AWS, built for this machine
/// instead of arm64). Returns (definition variable, function ARN) pairs.
pub fn register_processes(
    twin: &Twin,
    tasks: &[TaskFunction],
) -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (task, path) in binaries_of(tasks)? {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let zip = kdaflow_local::lambda::code::zip_with(&[("bootstrap", &bytes, true)], false);
        let arn = twin
            .lambda()
            .put_function(LocalFunctionSpec {
                name: task.name.to_string(),
                runtime: "provided.al2023".to_string(),
                handler: None,
                timeout: TASK_TIMEOUT_SECONDS,
                environment: Default::default(),
                zip,
            })
            .map_err(|e| anyhow::anyhow!("cannot register {}: {e}", task.name))?;
        out.push((task.variable, arn));
    }
    Ok(out)
}
