//! Running state machines.
//!
//! [`Program`] is a validated, compiled definition (share it with `Arc` across executions).
//! [`Execution`] runs one execution of it: the per-state logic in [`crate::states`] and
//! [`crate::common`] is pure, and this module's driver performs the effects it asks for — task
//! calls through a [`TaskInvoker`], waits and backoff on a [`Clock`](crate::clock::Clock) — and
//! records [`HistoryEvent`]s, handing each to the registered [`EventSink`]s as it happens.
//!
//! ```
//! # async fn demo() {
//! use std::sync::Arc;
//! use kdaflow_asl::clock::VirtualClock;
//! use kdaflow_asl::exec::{Execution, ExecutionConfig, ExecutionStatus, Program};
//! use kdaflow_asl::mock::NoTasks;
//! let def = serde_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
//! let program = Arc::new(Program::from_json(&def).unwrap());
//! let exec = Execution::new(program, Arc::new(NoTasks), Arc::new(VirtualClock::at_epoch_seconds(0)),
//!     ExecutionConfig::default());
//! let outcome = exec.run(serde_json::json!({"a": 1})).await;
//! assert_eq!(outcome.status, ExecutionStatus::Succeeded);
//! assert_eq!(exec.history().len(), 4);
//! # }
//! ```
//!
//! Resuming: the twin persists events through a sink; after a restart,
//! [`Execution::resume`] re-runs the execution deterministically, answering each task from its
//! recorded outcome (matched by resource and parameters) instead of calling it again, skipping
//! recorded waits, reusing recorded timestamps and telling sinks only about the new events.
//! Replays are exact when task results are the only non-determinism (seeded randomness, same
//! input); concurrent Map/Parallel branches whose real-time interleaving differed may record
//! their events in a different order on replay.

mod driver;
mod fanout;
mod maprun;
mod output;
mod program;
pub(crate) mod sched;
mod task;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use serde_json::Value;

use crate::clock::SharedClock;
use crate::error::{AslError, StatesError};
use crate::history::{EventSink, EventType, History, HistoryEvent};
use crate::model::StateMachine;
use crate::task::TaskInvoker;
pub use maprun::{ChildExecution, MapRun, MapRunCounts, MapRunStatus};
pub(crate) use program::Machine;

/// A validated and compiled state machine.
#[derive(Debug)]
pub struct Program {
    machine: Arc<Machine>,
    definition: StateMachine,
}

impl Program {
    /// Validates and compiles a JSON definition.
    pub fn from_json(definition: &Value) -> Result<Self, AslError> {
        let machine = crate::validate::validate(definition).map_err(AslError::Invalid)?;
        Self::new(machine)
    }

    /// Compiles a typed definition (validating it first).
    pub fn new(definition: StateMachine) -> Result<Self, AslError> {
        crate::validate::validate(&definition.to_json()).map_err(AslError::Invalid)?;
        let machine = program::compile_machine(&definition)
            .map_err(|e| AslError::Invalid(vec![crate::validate::Problem::new("", "", e)]))?;
        Ok(Self {
            machine: Arc::new(machine),
            definition,
        })
    }

    /// The definition.
    pub fn definition(&self) -> &StateMachine {
        &self.definition
    }
}

/// Names and identity of an execution (what `$$.Execution` and `$$.StateMachine` show).
#[derive(Debug, Clone)]
pub struct ExecutionConfig {
    /// Execution name.
    pub name: String,
    /// Execution ARN.
    pub execution_arn: String,
    /// State machine name.
    pub state_machine_name: String,
    /// State machine ARN.
    pub state_machine_arn: String,
    /// Role ARN.
    pub role_arn: String,
    /// Region (shown in TaskScheduled events).
    pub region: String,
    /// Seed of the execution's randomness (jitter, UUID, MathRandom).
    pub seed: u64,
    /// An EXPRESS execution: its `$$.Execution` has no `RedriveCount` (AWS-recorded; EXPRESS
    /// executions cannot be redriven).
    pub express: bool,
}

/// The region used when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The account used when none is configured.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

impl ExecutionConfig {
    /// A configuration for state machine `machine` and execution `name` in the default
    /// region and account.
    pub fn named(machine: &str, name: &str) -> Self {
        Self {
            name: name.into(),
            execution_arn: format!(
                "arn:aws:states:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:execution:{machine}:{name}"
            ),
            state_machine_name: machine.into(),
            state_machine_arn: format!(
                "arn:aws:states:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:stateMachine:{machine}"
            ),
            role_arn: format!("arn:aws:iam::{DEFAULT_ACCOUNT}:role/StepFunctionsRole"),
            region: DEFAULT_REGION.into(),
            seed: 0,
            express: false,
        }
    }
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        Self::named("StateMachine", "execution")
    }
}

/// The status of an execution, as `DescribeExecution` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Still running.
    Running,
    /// Ended successfully.
    Succeeded,
    /// Ended with an error.
    Failed,
    /// Ran past `TimeoutSeconds`.
    TimedOut,
    /// Stopped.
    Aborted,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionOutcome {
    /// Final status.
    pub status: ExecutionStatus,
    /// Output when SUCCEEDED.
    pub output: Option<Value>,
    /// Error name when not SUCCEEDED (if any).
    pub error: Option<String>,
    /// Cause when not SUCCEEDED (if any).
    pub cause: Option<String>,
    /// Start time.
    pub start_date: DateTime<Utc>,
    /// Stop time.
    pub stop_date: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Control {
    stopped: AtomicBool,
    reason: Mutex<(Option<String>, Option<String>)>,
    notify: tokio::sync::Notify,
}

impl Control {
    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    async fn wait_stopped(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

/// Stops a running execution (`StopExecution`): it ends ABORTED with the given error and cause.
#[derive(Debug, Clone)]
pub struct StopHandle {
    control: Arc<Control>,
}

impl StopHandle {
    /// Requests the stop; the execution ends at its next transition or interrupts its current
    /// wait or task call.
    pub fn stop(&self, error: Option<String>, cause: Option<String>) {
        *self.control.reason.lock() = (error, cause);
        self.control.stopped.store(true, Ordering::SeqCst);
        self.control.notify.notify_waiters();
    }
}

type ReplayKey = (String, String);

/// One execution of a [`Program`].
#[derive(Debug)]
pub struct Execution {
    program: Arc<Program>,
    invoker: Arc<dyn TaskInvoker>,
    clock: SharedClock,
    history: History,
    control: Arc<Control>,
    rng: Mutex<StdRng>,
    config: ExecutionConfig,
    start: Mutex<DateTime<Utc>>,
    /// The execution input, set once when the run starts (an `Execution` runs once).
    input: std::sync::OnceLock<Value>,
    deadline: Mutex<Option<DateTime<Utc>>>,
    replay: Mutex<HashMap<ReplayKey, VecDeque<Result<Value, StatesError>>>>,
    /// The Map Runs of its Distributed Map states, in start order.
    map_runs: Mutex<Vec<Arc<maprun::MapRunCell>>>,
}

impl Execution {
    /// An execution of `program` calling tasks through `invoker`, on `clock`.
    pub fn new(
        program: Arc<Program>,
        invoker: Arc<dyn TaskInvoker>,
        clock: SharedClock,
        config: ExecutionConfig,
    ) -> Self {
        let now = clock.now();
        Self {
            program,
            invoker,
            history: History::new(clock.clone()),
            clock,
            control: Arc::new(Control::default()),
            rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
            config,
            start: Mutex::new(now),
            input: std::sync::OnceLock::new(),
            deadline: Mutex::new(None),
            replay: Mutex::new(HashMap::new()),
            map_runs: Mutex::new(Vec::new()),
        }
    }

    /// The history so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Registers a sink that sees every new event as it is recorded.
    pub fn add_sink(&self, sink: Arc<dyn EventSink>) {
        self.history.add_sink(sink);
    }

    /// A handle to stop this execution.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            control: self.control.clone(),
        }
    }

    /// Runs the execution to its end.
    pub async fn run(&self, input: Value) -> ExecutionOutcome {
        self.scheduled(input).await
    }

    /// On virtual time, runs the execution under its earliest-deadline-first scheduler.
    async fn scheduled(&self, input: Value) -> ExecutionOutcome {
        if self.clock.is_virtual() {
            sched::Root::new(self.run_inner(input)).await
        } else {
            self.run_inner(input).await
        }
    }

    /// Re-runs an execution whose first events were `recorded` by an earlier run (see the
    /// module documentation); completed tasks are not called again.
    pub async fn resume(&self, input: Value, recorded: Vec<HistoryEvent>) -> ExecutionOutcome {
        self.load_replay(&recorded);
        self.history.set_replayed(recorded);
        self.scheduled(input).await
    }

    fn load_replay(&self, recorded: &[HistoryEvent]) {
        use EventType::*;
        let mut keys: HashMap<u64, ReplayKey> = HashMap::new();
        let mut book = self.replay.lock();
        for e in recorded {
            let d = &e.details;
            let s = |k: &str| {
                d.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            match e.event_type {
                TaskScheduled => {
                    let key = (
                        format!("{}:{}", s("resourceType"), s("resource")),
                        s("parameters"),
                    );
                    keys.insert(e.id, key);
                }
                LambdaFunctionScheduled => {
                    keys.insert(e.id, (format!("lambda:{}", s("resource")), s("input")));
                }
                TaskStarted | LambdaFunctionStarted => {
                    if let Some(k) = keys.get(&e.previous_event_id).cloned() {
                        keys.insert(e.id, k);
                    }
                }
                TaskSucceeded
                | LambdaFunctionSucceeded
                | TaskFailed
                | LambdaFunctionFailed
                | TaskTimedOut
                | LambdaFunctionTimedOut => {
                    let Some(k) = keys.get(&e.previous_event_id).cloned() else {
                        continue;
                    };
                    let outcome = if matches!(e.event_type, TaskSucceeded | LambdaFunctionSucceeded)
                    {
                        Ok(serde_json::from_str(&s("output")).unwrap_or(Value::Null))
                    } else {
                        Err(StatesError {
                            error: s("error"),
                            cause: d.get("cause").and_then(Value::as_str).map(str::to_owned),
                            location: None,
                        })
                    };
                    book.entry(k).or_default().push_back(outcome);
                }
                _ => {}
            }
        }
    }
}
