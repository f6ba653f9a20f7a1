//! `kdaflow-infra` — the bootstrap workflow as one deployable CloudFormation stack, built from
//! typed Rust and emitted as deterministic JSON (in the style of CDK output), and the packaging
//! of the Lambda tasks.
//!
//! Layout:
//! - [`model`]: a typed CloudFormation model — template, parameters, conditions, resources,
//!   outputs, metadata — and the intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
//!   `Fn::Join`, and the condition functions) in [`model::intrinsic`].
//! - [`iam`]: typed IAM policy documents and the least-privilege rules every statement obeys
//!   ([`iam::violations`]).
//! - [`stack`]: kdaflow's stack — parameters, the four Lambda functions with their roles and log
//!   groups, the state machine, the EventBridge triggers, outputs.
//! - [`check`]: invariants of an emitted template (every reference resolves, every IAM
//!   statement passes the rules); the tests and `kdaflow synth` use them.
//! - [`synth`]: the goldens (`deploy/template.json`, `deploy/statemachine.asl.json`): render,
//!   write, compare.
//! - [`package`]: build the task binaries for aarch64 Lambda and zip each as `bootstrap`.
//! - [`error`]: the crate's errors ([`InfraError`]).
//!
//! Depends on `kdaflow-workflow` only (the definition and the task contract); never on the
//! twin, the handlers' code or an AWS SDK: the stack is data.

pub mod check;
pub mod error;
pub mod iam;
pub mod model;
pub mod package;
pub mod stack;
pub mod synth;

pub use error::InfraError;
