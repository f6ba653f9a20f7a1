//! `kdaflow-handlers` — the bootstrap workflow's Lambda tasks.
//!
//! One `async fn` per task over `aws-sdk-kinesisanalytics` (the same code runs in Lambda and,
//! in-process, on the local twin — only the client's endpoint differs), and one thin
//! `lambda_runtime` binary per task under `src/bin/`.
//!
//! Layout:
//! - [`validate`]: ValidatePrerequisites (no AWS calls).
//! - [`create`]: CreateOrVerifyApplication — create, or compare and (optionally) update.
//! - [`start`]: the StartApplication task.
//! - [`check`]: the CheckApplicationStatus task.
//! - [`flink`]: the Flink bootstrap's four tasks over `aws-sdk-kinesisanalyticsv2`.
//! - [`convert`]: the application spec to and from the SDK's shapes.
//! - [`errors`]: SDK errors to contract error names.
//! - [`lambda`]: the `lambda_runtime` glue the binaries use.
//!
//! Errors are [`TaskFailure`]s whose `error_type` is a `kdaflow_workflow::contract` constant;
//! as a Lambda `Diagnostic` it is the `errorType` that the state machine's Retry/Catch match.
//! Depends on `kdaflow-workflow`; never on the twin.

pub mod check;
pub mod convert;
pub mod create;
pub mod errors;
pub mod flink;
pub mod lambda;
pub mod start;
pub mod validate;

pub use kdaflow_workflow::input::TaskFailure;

/// The Kinesis Analytics client every task uses.
pub type Kda = aws_sdk_kinesisanalytics::Client;
