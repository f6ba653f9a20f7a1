//! `kdaflow synth [--out DIR] [--check]`: write (or compare) the deployable goldens —
//! `template.json` (the CloudFormation stack) and `statemachine.asl.json` (the definition).

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
}

/// Runs `kdaflow synth`.
pub async fn run(args: SynthArgs) -> anyhow::Result<ExitCode> {
    if args.check {
        synth::verify(&args.out)?;
        println!("{} is up to date", args.out.display());
        return Ok(ExitCode::SUCCESS);
    }
    for path in synth::write(&args.out)? {
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
