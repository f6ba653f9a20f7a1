//! The crate's errors.

use std::path::PathBuf;

/// Everything `kdaflow-infra` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A checked-in golden differs from what `kdaflow synth` renders now.
    #[error(
        "{path} is stale (or missing): regenerate the goldens with `cargo run -- synth` and commit them"
    )]
    Stale {
        /// The stale file.
        path: PathBuf,
    },
    /// The emitted template breaks one of the stack's invariants.
    #[error("the template breaks its invariants:\n  - {}", .0.join("\n  - "))]
    Invariants(Vec<String>),
    /// A template fragment refers to something the resolver was not given, or uses an
    /// intrinsic in a shape it does not resolve.
    #[error("cannot resolve the template: {0}")]
    Unresolved(String),
    /// A tool `kdaflow package` needs is missing.
    #[error("cannot build the Lambda packages: {0}")]
    MissingTool(String),
    /// The build of the task binaries failed.
    #[error("{command} failed ({status}); its output is above")]
    Build {
        /// The command line that failed.
        command: String,
        /// Its exit status.
        status: String,
    },
    /// Writing a zip archive failed.
    #[error("zipping {path}: {source}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The cause.
        #[source]
        source: zip::result::ZipError,
    },
}

impl InfraError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| InfraError::Io { path, source }
    }
}
