//! `kdaflow asl`: validate and run States Language definitions with the local engine.
//!
//! Thin by design: the logic lives in `kdaflow_asl` (`validate`, `run::run_definition`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use kdaflow_asl::exec::ExecutionStatus;
use kdaflow_asl::run::{RunOptions, parse_input, run_definition};
use kdaflow_asl::{AslError, validate};

/// `kdaflow asl ...` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AslCommand {
    /// Check a definition; exits 1 listing every problem.
    Validate {
        /// The definition (JSON).
        file: PathBuf,
    },
    /// Run a definition and print its output JSON (virtual time unless --real-time).
    Run {
        /// The definition (JSON).
        file: PathBuf,
        /// Execution input: JSON text, or @path to read it from a file.
        #[arg(long, default_value = "{}")]
        input: String,
        /// Also print every history event (one JSON object per line, on stderr).
        #[arg(long)]
        history: bool,
        /// A Step Functions Local mock configuration (MockConfigFile.json format).
        #[arg(long)]
        mock: Option<PathBuf>,
        /// Test case of the mock file (`Case` or `Machine#Case`); optional when the file has
        /// one state machine with one test case.
        #[arg(long)]
        test_case: Option<String>,
        /// Wait in real time instead of virtual time.
        #[arg(long)]
        real_time: bool,
    },
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Runs one `asl` subcommand.
pub async fn run(cmd: AslCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AslCommand::Validate { file } => match validate(&read_json(&file)?) {
            Ok(_) => {
                println!("{}: valid", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(problems) => {
                for p in &problems {
                    println!("{}: {p}", file.display());
                }
                eprintln!("{} problem(s)", problems.len());
                Ok(ExitCode::from(1))
            }
        },
        AslCommand::Run {
            file,
            input,
            history,
            mock,
            test_case,
            real_time,
        } => {
            let definition = read_json(&file)?;
            let options = RunOptions {
                input: parse_input(&input)?,
                mock: mock.as_deref().map(read_json).transpose()?,
                test_case,
                real_time,
            };
            let report = match run_definition(&definition, options).await {
                Ok(r) => r,
                Err(AslError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{}: {p}", file.display());
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            if history {
                for e in &report.history {
                    eprintln!("{}", e.to_json());
                }
            }
            let o = report.outcome;
            if o.status == ExecutionStatus::Succeeded {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&o.output.unwrap_or_default())?
                );
                return Ok(ExitCode::SUCCESS);
            }
            let status = serde_json::to_value(o.status)?;
            eprintln!("status: {}", status.as_str().unwrap_or_default());
            eprintln!("error: {}", o.error.unwrap_or_default());
            eprintln!("cause: {}", o.cause.unwrap_or_default());
            Ok(ExitCode::from(1))
        }
    }
}
