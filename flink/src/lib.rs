//! `kdaflow-flink` — the second back end of `kdaflow-sql`'s plan: a Kinesis Analytics SQL
//! application as Flink SQL in a PyFlink application directory, and the means to run it on a
//! real Apache Flink here (the pinned PyFlink environment, the mini-cluster or a standalone
//! cluster) and to prove it computes what the built-in engine computes.
//!
//! Layout:
//! - [`expr`]: compiled expressions and types as Flink SQL.
//! - [`translate`]: the program as tables, views and one statement set ([`translate::Job`]).
//! - [`report`]: what was translated how (`report.md`, `report.json`).
//! - [`app`]: the application directory (`main.py`, `job.json`, `job.sql`, the UDF, the
//!   report) and, for the `aws` profile, the zip Managed Service for Apache Flink runs.
//! - [`env`]: the PyFlink environment (`kdaflow flink setup`) and Java.
//! - [`run`]: running a job (mini-cluster or standalone cluster) and reading its outputs.
//! - [`compare`]: the engine's rows against Flink's.

pub mod app;
pub mod compare;
pub mod env;
pub mod expr;
pub mod report;
pub mod run;
pub mod translate;

pub use report::{Kind, Report};
pub use translate::{
    Input, InputKind, Job, Output, OutputKind, Profile, Request, Translation, translate,
};
