//! How each runtime's processes start, and the language runtimes the twin prepares once: a
//! Python virtual environment with the official runtime interface client (`awslambdaric`) and
//! boto3, as the managed Python runtime has them; for Node.js, the official `aws-lambda-ric`
//! with the AWS SDK v3. They live in a cache shared by every twin on the machine
//! (`$KDAFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/kdaflow`, else `~/.cache/kdaflow`).

use std::path::{Path, PathBuf};

use super::runtime::{Launch, LaunchError};

/// The Python runtime interface client the twin installs (pinned).
pub const AWSLAMBDARIC_VERSION: &str = "4.2.2";
/// boto3 as the Python runtime offers it (pinned).
pub const BOTO3_VERSION: &str = "1.43.11";
/// The Node.js runtime interface client (pinned).
pub const NODE_RIC_VERSION: &str = "4.0.2";
/// Environment variables a function may not set (the service refuses them).
pub const RESERVED_ENV: [&str; 17] = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// The machine-wide cache of prepared runtimes.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KDAFLOW_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("kdaflow")
}

async fn run(program: &str, args: &[&str], cwd: &Path) -> Result<(), String> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .await
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
    Err(format!(
        "{program} {} failed ({}): {}",
        args.join(" "),
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    ))
}

/// Prepares `dir` with `make` (into a fresh directory beside it, then renamed, so a half-made
/// runtime is never used and two twins preparing at once both end with a whole one).
async fn prepared<F, Fut>(dir: PathBuf, make: F) -> Result<PathBuf, String>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    if dir.join(".kdaflow-complete").exists() {
        return Ok(dir);
    }
    let parent = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let tmp = parent.join(format!(
        "{}.part-{}",
        dir.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("runtime"),
        uuid::Uuid::new_v4()
    ));
    let made = make(tmp.clone()).await;
    if let Err(e) = made {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    std::fs::write(tmp.join(".kdaflow-complete"), b"").map_err(|e| e.to_string())?;
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another twin finished first: use its runtime.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if dir.join(".kdaflow-complete").exists() {
        Ok(dir)
    } else {
        Err(format!(
            "the runtime in {} could not be prepared",
            dir.display()
        ))
    }
}

/// The Python virtual environment with `awslambdaric` and boto3 (prepared once).
pub async fn python_env() -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!(
        "python-awslambdaric-{AWSLAMBDARIC_VERSION}-boto3-{BOTO3_VERSION}"
    ));
    let python = std::env::var("KDAFLOW_PYTHON").unwrap_or_else(|_| "python3".to_string());
    prepared(dir, |tmp| async move {
        let cwd = tmp.parent().map(Path::to_path_buf).unwrap_or_default();
        run(&python, &["-m", "venv", tmp.to_str().unwrap_or_default()], &cwd).await?;
        let pip = tmp.join("bin/pip");
        run(
            pip.to_str().unwrap_or_default(),
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("awslambdaric=={AWSLAMBDARIC_VERSION}"),
                &format!("boto3=={BOTO3_VERSION}"),
            ],
            &cwd,
        )
        .await
        .map_err(|e| format!("{e}. The Python runtime needs pip to reach PyPI once; set KDAFLOW_PYTHON to another python3 if this one has no venv module"))
    })
    .await
}

/// The Node.js modules with `aws-lambda-ric` and the AWS SDK v3 (prepared once).
pub async fn node_env() -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!("node-aws-lambda-ric-{NODE_RIC_VERSION}"));
    prepared(dir, |tmp| async move {
        std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
        run(
            "npm",
            &[
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                &format!("aws-lambda-ric@{NODE_RIC_VERSION}"),
                "@aws-sdk/client-kinesis",
                "@aws-sdk/client-lambda",
            ],
            &tmp,
        )
        .await
        .map_err(|e| format!("{e}. aws-lambda-ric builds native code: it needs cmake, make, a C++ compiler, autoconf, automake and libtool (e.g. apt-get install cmake build-essential autoconf automake libtool)"))
    })
    .await
}

/// A program, its arguments, and environment variables it needs beside the function's.
pub type Command = (PathBuf, Vec<String>, Vec<(String, String)>);

/// What a function of `runtime` runs: the program and its arguments, and extra environment.
pub fn command(
    runtime: &str,
    handler: Option<&str>,
    task_root: &Path,
    python: Option<&Path>,
    node: Option<&Path>,
) -> Result<Command, LaunchError> {
    if runtime.starts_with("provided") {
        let bootstrap = task_root.join("bootstrap");
        if !bootstrap.is_file() {
            return Err(LaunchError(format!(
                "Couldn't find valid bootstrap(s): [{}]",
                bootstrap.display()
            )));
        }
        return Ok((bootstrap, Vec::new(), Vec::new()));
    }
    let handler = handler.unwrap_or_default().to_string();
    if runtime.starts_with("python") {
        let env = python.ok_or_else(|| LaunchError("the Python runtime is not prepared".into()))?;
        return Ok((
            env.join("bin/python"),
            vec!["-m".into(), "awslambdaric".into(), handler],
            vec![
                ("PYTHONPATH".into(), task_root.display().to_string()),
                ("PYTHONUNBUFFERED".into(), "1".into()),
            ],
        ));
    }
    if runtime.starts_with("nodejs") {
        let env = node.ok_or_else(|| LaunchError("the Node.js runtime is not prepared".into()))?;
        let ric = env.join("node_modules/aws-lambda-ric/index.mjs");
        return Ok((
            PathBuf::from("node"),
            vec![ric.display().to_string(), handler],
            vec![(
                "NODE_PATH".into(),
                format!(
                    "{}:{}",
                    task_root.display(),
                    env.join("node_modules").display()
                ),
            )],
        ));
    }
    Err(LaunchError(format!("the twin does not run {runtime}")))
}

/// A process's launch: the runtime's command with the environment AWS gives a function.
pub fn launch(
    program: Command,
    task_root: &Path,
    base_env: Vec<(String, String)>,
    user_env: &std::collections::BTreeMap<String, String>,
) -> Launch {
    let (program, args, extra) = program;
    let mut env = base_env;
    env.extend(extra);
    env.extend(user_env.iter().map(|(k, v)| (k.clone(), v.clone())));
    Launch {
        program,
        args,
        cwd: task_root.to_path_buf(),
        env,
    }
}
