//! `kdaflow synth [--out DIR] [--check] [--runtime sql|flink|both]`: write (or compare) the
//! deployable goldens — `template.json` (the CloudFormation stack) and the definitions
//! `statemachine.asl.json` (SQL) and `statemachine-flink.asl.json` (Flink).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kdaflow_infra::synth;

/// Flags of `kdaflow synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Folder to write into (created if missing).
    #[arg(long, default_value = synth::DEFAULT_DIR)]
    pub out: PathBuf,
    /// Write nothing: exit non-zero if the files in --out differ from what synth renders.
    #[arg(long)]
    pub check: bool,
    /// Which bootstraps the stack holds: `sql` (Kinesis Data Analytics SQL, with its
    /// EventBridge triggers), `flink` (Managed Service for Apache Flink), or `both`.
    #[arg(long, value_enum, default_value_t = RuntimeArg::Both)]
    pub runtime: RuntimeArg,
}

/// `--runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeArg {
    /// Kinesis Data Analytics SQL (kinesisanalytics v1).
    Sql,
    /// Managed Service for Apache Flink (kinesisanalyticsv2).
    Flink,
    /// Both bootstraps.
    Both,
}

impl From<RuntimeArg> for kdaflow_infra::stack::Runtime {
    fn from(r: RuntimeArg) -> Self {
        match r {
            RuntimeArg::Sql => Self::Sql,
            RuntimeArg::Flink => Self::Flink,
            RuntimeArg::Both => Self::Both,
        }
    }
}

/// Runs `kdaflow synth`.
pub async fn run(args: SynthArgs) -> anyhow::Result<ExitCode> {
    if args.check {
        synth::verify_for(&args.out, args.runtime.into())?;
        println!("{} is up to date", args.out.display());
        return Ok(ExitCode::SUCCESS);
    }
    for path in synth::write_for(&args.out, args.runtime.into())? {
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
