//! `kdaflow-workflow` — the bootstrap workflow: the state machine (built with `kdaflow-asl`,
//! emitted as JSON), the task contract and the application spec.
//!
//! Layout:
//! - [`contract`]: error names and task function names, defined once.
//! - [`machine`]: the state machine definition.
//! - [`placeholders`]: the one `${Name}` scanner (specs, definitions, `Fn::Sub`).
//! - [`sample`]: the reference application's sample data (the one review generator).
//! - [`input`]: the execution input, its normalised form, task payloads, the poll schedule.
//! - [`prerequisites`], [`arn`]: the seven prerequisite ARNs and their validation.
//! - [`flink`]: the Flink bootstrap's spec, execution input and poll state (kinesisanalyticsv2).
//! - [`spec`]: the application spec (embedded default: the reference application).
//! - [`error`]: the crate's errors ([`WorkflowError`]).
//!
//! Depends on `kdaflow-asl` only; knows nothing of AWS SDKs or the twin.

pub mod arn;
pub mod contract;
pub mod error;
pub mod flink;
pub mod input;
pub mod machine;
pub mod placeholders;
pub mod prerequisites;
pub mod sample;
pub mod spec;

pub use error::WorkflowError;
