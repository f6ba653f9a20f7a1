//! `kdaflow package [--out DIR]`: build the task binaries for arm64 Lambda and zip each as
//! `bootstrap` (`<binary>.zip`), ready to upload to the stack's `CodeBucket`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use kdaflow_infra::package::{self, SystemProbe};

/// Flags of `kdaflow package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Folder for the zips (created if missing).
    #[arg(long, default_value = package::DEFAULT_OUT_DIR)]
    pub out: PathBuf,
    /// The kdaflow checkout to build (the folder holding `handlers/`).
    #[arg(long, default_value = ".")]
    pub workspace: PathBuf,
}

/// Runs `kdaflow package`.
pub async fn run(args: PackageArgs) -> anyhow::Result<ExitCode> {
    if !args.workspace.join("handlers").join("Cargo.toml").is_file() {
        bail!(
            "{} is not a kdaflow checkout (no handlers/Cargo.toml): run from the repository root or pass --workspace",
            args.workspace.display()
        );
    }
    let zips = package::package(&args.workspace, &args.out, &SystemProbe)?;
    for zip in zips {
        println!("wrote {}", zip.display());
    }
    Ok(ExitCode::SUCCESS)
}
