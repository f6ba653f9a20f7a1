//! Errors of the workflow crate.

use std::path::PathBuf;

/// What can go wrong with specs and inputs.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// A spec is malformed.
    #[error("application spec: {0}")]
    Spec(String),
    /// A text's `${` has no closing `}`.
    #[error("{0}")]
    Placeholder(#[from] crate::placeholders::Unclosed),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
