//! The goldens `kdaflow synth` writes and CI compares: `template.json` (the stack) and
//! `statemachine.asl.json` and `statemachine-flink.asl.json` (the definitions alone, for tools that read ASL files, such as
//! `asl-validator`). Checked in under `deploy/`; regenerate with `cargo run -- synth`.

use std::path::{Path, PathBuf};

use crate::stack::Runtime;
use crate::{InfraError, check, stack};

/// Where the goldens live, relative to the workspace root.
pub const DEFAULT_DIR: &str = "deploy";
/// The template's file name.
pub const TEMPLATE_FILE: &str = "template.json";
/// The definition's file name.
pub const DEFINITION_FILE: &str = "statemachine.asl.json";
/// The Flink definition's file name.
pub const FLINK_DEFINITION_FILE: &str = "statemachine-flink.asl.json";

/// The files `synth` writes for `runtime`: `(file name, contents)`. A definition file is its
/// `kdaflow_workflow::machine` definition plus a final newline (the template's
/// `DefinitionString` has no newline: it is the exact JSON the twin runs).
///
/// Refuses to render a template that breaks an invariant of [`check::all`].
pub fn render_for(runtime: Runtime) -> Result<Vec<(&'static str, String)>, InfraError> {
    let template = stack::template_for(runtime);
    check::all(&template.to_value())?;
    let mut files = vec![(TEMPLATE_FILE, template.to_json_pretty())];
    if runtime.sql() {
        files.push((
            DEFINITION_FILE,
            kdaflow_workflow::machine::definition_json() + "\n",
        ));
    }
    if runtime.flink() {
        files.push((
            FLINK_DEFINITION_FILE,
            kdaflow_workflow::machine::flink_definition_json() + "\n",
        ));
    }
    Ok(files)
}

/// [`render_for`] both runtimes: the goldens in `deploy/`.
pub fn render() -> Result<Vec<(&'static str, String)>, InfraError> {
    render_for(Runtime::Both)
}

/// Writes the files of `runtime` into `dir` (created if missing); returns the paths written.
pub fn write_for(dir: &Path, runtime: Runtime) -> Result<Vec<PathBuf>, InfraError> {
    std::fs::create_dir_all(dir).map_err(InfraError::io(dir))?;
    let mut written = Vec::new();
    for (name, text) in render_for(runtime)? {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(InfraError::io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the goldens (both runtimes) into `dir`.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, InfraError> {
    write_for(dir, Runtime::Both)
}

/// `Ok` when every file of `runtime` in `dir` equals what [`render_for`] produces now.
pub fn verify_for(dir: &Path, runtime: Runtime) -> Result<(), InfraError> {
    for (name, text) in render_for(runtime)? {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            return Err(InfraError::Stale { path });
        }
    }
    Ok(())
}

/// `Ok` when every golden in `dir` is up to date.
pub fn verify(dir: &Path) -> Result<(), InfraError> {
    verify_for(dir, Runtime::Both)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_verify_and_detect_staleness() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(verify(dir.path()), Err(InfraError::Stale { .. })));
        let written = write(dir.path()).unwrap();
        assert_eq!(written.len(), 3);
        verify(dir.path()).unwrap();
        std::fs::write(dir.path().join(TEMPLATE_FILE), "{}").unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("cargo run -- synth"), "{err}");
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render().unwrap(), render().unwrap());
    }
}
