//! `kdaflow spec …`: the application spec — the reference one, its JSON Schema, and a check of
//! a spec file (it parses, renders, and its SQL validates against its own input and outputs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use kdaflow_workflow::prerequisites::Prerequisites;
use kdaflow_workflow::spec::{ApplicationSpec, REFERENCE_SPEC_TOML};

/// Spec subcommands.
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Print the reference application's spec (TOML), a starting point for your own.
    Show,
    /// Print the spec's JSON Schema (the checked-in copy is workflow/spec.schema.json).
    Schema,
    /// Check a spec file: it parses, its placeholders resolve, and its SQL validates against its
    /// input schema and outputs as Kinesis Analytics would validate it.
    Check {
        /// The spec (TOML, or JSON if it ends in .json).
        file: PathBuf,
    },
}

/// The JSON Schema of a spec file, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ApplicationSpec);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Runs a spec subcommand.
pub fn run(command: SpecCommand) -> anyhow::Result<ExitCode> {
    match command {
        SpecCommand::Show => {
            print!("{REFERENCE_SPEC_TOML}");
            Ok(ExitCode::SUCCESS)
        }
        SpecCommand::Schema => {
            print!("{}", schema_json());
            Ok(ExitCode::SUCCESS)
        }
        SpecCommand::Check { file } => {
            let spec = ApplicationSpec::load(&file)?;
            let rendered = spec
                .render(
                    &Prerequisites::example("us-east-1", "123456789012"),
                    None,
                    None,
                )
                .with_context(|| format!("{}: placeholders", file.display()))?;
            match kdaflow::bootstrap::validate_code(&rendered) {
                Ok(()) => {
                    println!(
                        "{}: valid ({} reads {}, {} output(s))",
                        file.display(),
                        rendered.name,
                        rendered.input_stream(),
                        rendered.outputs.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(message) => {
                    println!("{}: CodeValidationException: {message}", file.display());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
