//! `kdaflow-asl` — an Amazon States Language engine.
//!
//! Layout:
//! - [`clock`]: the injected time source (real or virtual) used by Wait states, retry backoff and
//!   history timestamps, and shared by the rest of kdaflow.
//! - [`model`]: the typed, serde round-tripping model of a definition, with builders.
//! - [`validate`]: static validation in the spirit of `ValidateStateMachineDefinition`.
//! - [`path`]: JSONPath with Step Functions (Jayway) semantics.
//! - [`intrinsics`]: the `States.*` intrinsic functions, grouped as AWS documents them.
//! - [`common`]: what every state shares: payload templates, the input/output pipeline,
//!   variables, JSONata, Retry/Catch decisions.
//! - [`states`]: per-state-type logic (pure functions).
//! - [`exec`]: the compiled [`exec::Program`] and the driver that runs an [`exec::Execution`],
//!   performing effects (tasks, waits) and recording [`history`] events.
//! - [`task`]: the [`task::TaskInvoker`] trait and the AWS integration shapes.
//! - [`mock`]: Step Functions Local mock configurations as a `TaskInvoker`.
//! - [`run`]: one-shot runs of a definition file (what `kdaflow asl run` does).
//! - [`error`]: library errors and [`error::StatesError`] (error name + cause) with the
//!   predefined names.
//!
//! This crate depends on nothing else of kdaflow's.

pub mod clock;
pub mod common;
pub mod error;
pub mod exec;
pub mod history;
pub mod intrinsics;
pub mod mock;
pub mod model;
pub mod path;
pub mod run;
pub mod states;
pub mod task;
pub mod validate;

pub use error::{AslError, StatesError};
pub use exec::{Execution, ExecutionConfig, ExecutionOutcome, ExecutionStatus, Program};
pub use validate::{Problem, validate};
