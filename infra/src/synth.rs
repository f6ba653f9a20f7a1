//! The goldens `kdaflow synth` writes and CI compares: `template.json` (the stack) and
//! `statemachine.asl.json` (the definition alone, for tools that read ASL files, such as
//! `asl-validator`). Checked in under `deploy/`; regenerate with `cargo run -- synth`.

use std::path::{Path, PathBuf};

use crate::{InfraError, check, stack};

/// Where the goldens live, relative to the workspace root.
pub const DEFAULT_DIR: &str = "deploy";
/// The template's file name.
pub const TEMPLATE_FILE: &str = "template.json";
/// The definition's file name.
pub const DEFINITION_FILE: &str = "statemachine.asl.json";

/// The files `synth` writes: `(file name, contents)`. The definition file is
/// `kdaflow_workflow::machine::definition_json()` plus a final newline (the template's
/// `DefinitionString` has no newline: it is the exact JSON the twin runs).
///
/// Refuses to render a template that breaks an invariant of [`check::all`].
pub fn render() -> Result<Vec<(&'static str, String)>, InfraError> {
    let template = stack::template();
    check::all(&template.to_value())?;
    let mut definition = kdaflow_workflow::machine::definition_json();
    definition.push('\n');
    Ok(vec![
        (TEMPLATE_FILE, template.to_json_pretty()),
        (DEFINITION_FILE, definition),
    ])
}

/// Writes the goldens into `dir` (created if missing); returns the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, InfraError> {
    std::fs::create_dir_all(dir).map_err(InfraError::io(dir))?;
    let mut written = Vec::new();
    for (name, text) in render()? {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(InfraError::io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// `Ok` when every golden in `dir` equals what [`render`] produces now.
pub fn verify(dir: &Path) -> Result<(), InfraError> {
    for (name, text) in render()? {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            return Err(InfraError::Stale { path });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_verify_and_detect_staleness() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(verify(dir.path()), Err(InfraError::Stale { .. })));
        let written = write(dir.path()).unwrap();
        assert_eq!(written.len(), 2);
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
