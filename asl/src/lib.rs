//! `kdaflow-asl` — an Amazon States Language engine.
//!
//! Layout:
//! - [`clock`]: the injected time source (real or virtual) used by Wait states, retry backoff and
//!   history timestamps, and shared by the rest of kdaflow.
//! - [`model`]: the typed, serde round-tripping model of a definition, with builders.
//! - [`validate`](mod@validate): static validation in the spirit of `ValidateStateMachineDefinition`.
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
//!
//! # Known divergences from AWS (documented, not hidden)
//!
//! - Task `TimeoutSeconds`/`HeartbeatSeconds` (and the execution's `TimeoutSeconds`) are enforced
//!   on real and virtual time alike; on a [`clock::VirtualClock`] the task is raced against a
//!   [`clock::DeadlineGuard`], so work that sleeps past its deadline on the clock times out at
//!   exactly the deadline. A heartbeat counts as a timeout because invokers cannot send
//!   heartbeats; both surface as `States.Timeout` (AWS-recorded). On virtual time only sleeps on
//!   the execution's clock count as work (work that takes real time takes none).
//! - Virtual time within one execution is earliest-deadline-first (`exec::sched`): it moves only
//!   when every Parallel branch and Map iteration waits on the clock (a Wait, retry backoff, or a
//!   task invoker sleeping on the [`clock::VirtualClock`] while it is polled by the execution),
//!   and then to the earliest pending deadline (or task/execution deadline), waking exactly the
//!   sleepers due then, so each branch's events carry the offsets a real run would give and the
//!   history interleaves them in time order. Events at the same instant follow poll order, and
//!   sleepers due together wake in registration order (deterministic, not necessarily AWS's).
//!   A task call busy with anything else (real I/O, yielding) holds virtual time back until it
//!   answers; sleeps made outside the execution's future (e.g. in a task the invoker spawns)
//!   move the clock at once, as before.
//! - `.sync` and `.waitForTaskToken` tasks are handed to the invoker like request-response ones
//!   (a task token is generated for `$$.Task.Token`); there is no callback API here.
//! - Activities use the `Task*` history events instead of `Activity*`.
//! - Distributed Map (`ItemReader`, `ItemBatcher`, `ResultWriter`, child executions) is parsed and
//!   validated but runs inline over `ItemsPath`/`Items`; tolerated failures are honoured inline too
//!   (inferred: a tolerated failed item appears in the output as its error object).
//! - Siblings abandoned when a Map iteration or Parallel branch fails (or the execution stops) get
//!   `TaskStateAborted`/`WaitStateAborted`/`ParallelStateAborted`/`MapStateAborted` and
//!   `MapIterationAborted`, pointing at the failing event like `MapStateFailed`/
//!   `ParallelStateFailed` (AWS-recorded for Map). Siblings that would have failed at the same
//!   instant on AWS (e.g. every iteration timing out together) are aborted here instead, and
//!   which one fails first follows poll order. A top-level Task or Wait interrupted by a stop
//!   records no `...StateAborted` (linear histories are unchanged).
//! - `EvaluationFailed` is recorded for a failing JSONata expression with `error`, `cause` and
//!   `state`, but without `location` (the field the expression belongs to is not tracked).
//! - `previousEventId`: each branch/iteration chains its own events from its
//!   `ParallelStateStarted`/`MapIterationStarted`; on virtual time branches interleave in time
//!   order, and events at the same instant in poll order, so ids match AWS only where AWS's
//!   interleaving of simultaneous events is the same.
//! - History memory: about 600 bytes per event (details are `serde_json::Value` objects).
//! - JSONata: see [`common::jsonata`] for the functions provided and what is missing.
//! - `States.MathRandom` with a seed is deterministic but not AWS's sequence.

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
