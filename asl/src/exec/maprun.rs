//! Distributed Map: Map Runs and their child executions.
//!
//! AWS runs each iteration of a DISTRIBUTED Map as a child workflow execution, grouped in a
//! *Map Run*. The parent history then holds `MapStateStarted`, `MapRunStarted` (with the Map
//! Run's ARN) and `MapRunSucceeded` / `MapRunFailed` / `MapRunAborted`, and no iteration events:
//! those are in each child's own history (AWS-recorded). Here each child is an [`Execution`] of
//! the item processor, run inside the parent's future (so it shares the parent's clock, virtual
//! time scheduler and task invoker), with its own history, context object and variables (a
//! child cannot read the parent's variables; the `ItemSelector`, evaluated in the parent, can).
//!
//! Names, as AWS forms them: the child state machine is `<machine ARN>/<label>`, the Map Run
//! `arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<uuid>` and a child execution
//! `arn:aws:states:<region>:<account>:execution:<machine>/<label>:<uuid>`, where the label is the
//! Map state's `Label` or, without one, generated (AWS: "a user-defined or an auto-generated
//! string"). Generated parts come from the execution's seeded randomness, so a resumed execution
//! names its Map Runs as the first run did.
//!
//! Failures: without `ToleratedFailureCount`/`Percentage` any failed child fails the Map Run;
//! once the tolerance is exceeded the Map Run fails with `States.ExceedToleratedFailureThreshold`
//! and the children still running are aborted. Stopping or timing out the parent aborts them too.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use parking_lot::Mutex;
use rand::{Rng, RngCore};
use serde::Serialize;
use serde_json::{Value, json};

use super::driver::{Abandon, Halt, Lane, StateInfo};
use super::fanout::MapPlan;
use super::program::{Distributed, Node};
use super::{Execution, ExecutionConfig, ExecutionOutcome, ExecutionStatus};
use crate::error::{StatesError, names};
use crate::history::{EventType, details};
use crate::states::map;

/// The status of a Map Run (`DescribeMapRun.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MapRunStatus {
    /// Child executions are running.
    Running,
    /// Every child ended, within the tolerance.
    Succeeded,
    /// The tolerance was exceeded.
    Failed,
    /// The parent execution stopped or timed out.
    Aborted,
}

/// Item or child execution counts of a Map Run (`MapRunItemCounts`/`MapRunExecutionCounts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRunCounts {
    /// Not started yet.
    pub pending: u64,
    /// Running.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Aborted.
    pub aborted: u64,
    /// All of them.
    pub total: u64,
    /// Written by a `ResultWriter` (always 0: results are not written to S3 here).
    pub results_written: u64,
    /// Failed and not redrivable (always 0: redrive is not modelled).
    pub failures_not_redrivable: u64,
    /// Waiting for a redrive (always 0).
    pub pending_redrive: u64,
}

/// A Map Run, as `DescribeMapRun` and `ListMapRuns` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRun {
    /// The Map Run's ARN.
    pub map_run_arn: String,
    /// The execution that started it.
    pub execution_arn: String,
    /// The child state machine (`<machine ARN>/<label>`).
    pub state_machine_arn: String,
    /// The Map state's name.
    pub state_name: String,
    /// The label in the ARN.
    pub label: String,
    /// Its status.
    pub status: MapRunStatus,
    /// When it started.
    pub start_date: DateTime<Utc>,
    /// When it ended.
    pub stop_date: Option<DateTime<Utc>>,
    /// `MaxConcurrency` (0: unbounded).
    pub max_concurrency: u64,
    /// `ToleratedFailureCount` (absent: 0).
    pub tolerated_failure_count: u64,
    /// `ToleratedFailurePercentage` (absent: 0).
    pub tolerated_failure_percentage: f64,
    /// Per item.
    pub item_counts: MapRunCounts,
    /// Per child execution (one per item: batching is not modelled).
    pub execution_counts: MapRunCounts,
    /// Whether the children are EXPRESS executions.
    pub express: bool,
}

/// A child execution of a Map Run.
#[derive(Debug, Clone)]
pub struct ChildExecution {
    /// Its ARN.
    pub execution_arn: String,
    /// Its name.
    pub name: String,
    /// The Map Run it belongs to.
    pub map_run_arn: String,
    /// The child state machine (`<machine ARN>/<label>`).
    pub state_machine_arn: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// Its input (the item, after `ItemSelector`).
    pub input: Value,
    /// Start.
    pub start_date: DateTime<Utc>,
    /// End.
    pub stop_date: Option<DateTime<Utc>>,
    /// Output when SUCCEEDED.
    pub output: Option<Value>,
    /// Error when it failed.
    pub error: Option<String>,
    /// Cause when it failed.
    pub cause: Option<String>,
    /// The execution itself (its history).
    pub execution: Arc<Execution>,
}

/// A Map Run being (or having been) run by an execution.
#[derive(Debug)]
pub(crate) struct MapRunCell {
    run: Mutex<MapRun>,
    children: Mutex<Vec<ChildExecution>>,
}

impl MapRunCell {
    fn update(&self, f: impl FnOnce(&mut MapRun)) {
        f(&mut self.run.lock());
    }

    /// Moves one item (and its execution) from `from` to `to`.
    fn count(
        &self,
        from: fn(&mut MapRunCounts) -> &mut u64,
        to: fn(&mut MapRunCounts) -> &mut u64,
    ) {
        self.update(|r| {
            for c in [&mut r.item_counts, &mut r.execution_counts] {
                let f = from(c);
                *f = f.saturating_sub(1);
                *to(c) += 1;
            }
        });
    }

    fn set_child(&self, index: usize, f: impl FnOnce(&mut ChildExecution)) {
        if let Some(c) = self.children.lock().get_mut(index) {
            f(c);
        }
    }
}

fn pending(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.pending
}
fn running(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.running
}
fn succeeded(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.succeeded
}
fn failed(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.failed
}
fn timed_out(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.timed_out
}
fn aborted(c: &mut MapRunCounts) -> &mut u64 {
    &mut c.aborted
}

/// A random v4-style UUID from `rng`.
fn uuid(rng: &mut impl RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

impl Execution {
    /// Every Map Run this execution started, in start order.
    pub fn map_runs(&self) -> Vec<MapRun> {
        self.map_runs
            .lock()
            .iter()
            .map(|c| c.run.lock().clone())
            .collect()
    }

    /// The child executions of one of this execution's Map Runs, in start order; `None` if it
    /// did not start that Map Run.
    pub fn map_run_children(&self, map_run_arn: &str) -> Option<Vec<ChildExecution>> {
        self.map_runs
            .lock()
            .iter()
            .find(|c| c.run.lock().map_run_arn == map_run_arn)
            .map(|c| c.children.lock().clone())
    }

    /// Resolves once the execution is stopped or reaches its deadline.
    async fn halted(&self) -> Halt {
        let deadline = *self.deadline.lock();
        tokio::select! {
            biased;
            _ = self.control.wait_stopped() => Halt::Aborted,
            _ = async {
                match deadline {
                    Some(d) => self.clock.sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            } => Halt::TimedOut,
        }
    }

    /// Runs a Distributed Map's iterations as the child executions of a new Map Run.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn run_map_run(
        &self,
        node: &Node,
        lane: &mut Lane,
        dist: &Distributed,
        plan: MapPlan,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        let MapPlan {
            items,
            limit,
            tolerance,
        } = plan;
        let total = items.len();
        // Every generated name is drawn up front, in item order, so that they do not depend on
        // the order in which iterations happen to start.
        let (label, run_id, children): (String, String, Vec<(String, u64)>) = {
            let mut rng = self.rng.lock();
            let label = dist.label.clone().unwrap_or_else(|| uuid(&mut *rng));
            let run_id = uuid(&mut *rng);
            let children = (0..total)
                .map(|_| (uuid(&mut *rng), rng.random::<u64>()))
                .collect();
            (label, run_id, children)
        };
        let machine_arn = format!("{}/{label}", self.config.state_machine_arn);
        let machine_name = format!("{}/{label}", self.config.state_machine_name);
        let map_run_arn = format!(
            "{}:{run_id}",
            machine_arn.replacen(":stateMachine:", ":mapRun:", 1)
        );
        let counts = MapRunCounts {
            pending: total as u64,
            total: total as u64,
            ..MapRunCounts::default()
        };
        let cell = Arc::new(MapRunCell {
            run: Mutex::new(MapRun {
                map_run_arn: map_run_arn.clone(),
                execution_arn: self.config.execution_arn.clone(),
                state_machine_arn: machine_arn.clone(),
                state_name: node.name.clone(),
                label,
                status: MapRunStatus::Running,
                start_date: self.clock.now(),
                stop_date: None,
                max_concurrency: limit as u64,
                tolerated_failure_count: tolerance.count.unwrap_or(0),
                tolerated_failure_percentage: tolerance.percentage.unwrap_or(0.0),
                item_counts: counts.clone(),
                execution_counts: counts,
                express: dist.express,
            }),
            children: Mutex::new(Vec::new()),
        });
        self.map_runs.lock().push(cell.clone());
        let run_started = self.history.push(
            EventType::MapRunStarted,
            lane.prev,
            json!({"mapRunArn": map_run_arn}),
        );
        lane.prev = run_started;

        let limit = if limit == 0 { total.max(1) } else { limit };
        let vars = &lane.vars.clone();
        let items = &items;
        let children = &children;
        let (machine_arn, machine_name) = (&machine_arn, &machine_name);
        let iterations = (0..total).map(|index| {
            let cell = cell.clone();
            async move {
                let (name, seed) = &children[index];
                // The ItemSelector runs in the parent (it may read the parent's variables).
                let input =
                    self.item_input(node, vars, raw, effective, info, (index, &items[index]))?;
                let kind = if dist.express { "express" } else { "execution" };
                let arn = format!(
                    "{}:{name}",
                    machine_arn.replacen(":stateMachine:", &format!(":{kind}:"), 1)
                );
                let config = ExecutionConfig {
                    name: name.clone(),
                    execution_arn: arn.clone(),
                    state_machine_name: machine_name.clone(),
                    state_machine_arn: machine_arn.clone(),
                    role_arn: self.config.role_arn.clone(),
                    region: self.config.region.clone(),
                    seed: *seed,
                    express: dist.express,
                };
                let child = Arc::new(Execution::new(
                    dist.program.clone(),
                    self.invoker.clone(),
                    self.clock.clone(),
                    config,
                ));
                let slot = {
                    let mut list = cell.children.lock();
                    list.push(ChildExecution {
                        execution_arn: arn,
                        name: name.clone(),
                        map_run_arn: cell.run.lock().map_run_arn.clone(),
                        state_machine_arn: machine_arn.clone(),
                        status: ExecutionStatus::Running,
                        input: input.clone(),
                        start_date: self.clock.now(),
                        stop_date: None,
                        output: None,
                        error: None,
                        cause: None,
                        execution: child.clone(),
                    });
                    list.len() - 1
                };
                cell.count(pending, running);
                let (abandoned, on) = (child.clone(), cell.clone());
                let clock = self.clock.clone();
                let outcome: ExecutionOutcome =
                    Abandon::new(Box::pin(child.run_inner(input)), move || {
                        // A child still running when the Map Run ends is aborted.
                        let last = abandoned.history.last_id();
                        abandoned.history.push(
                            EventType::ExecutionAborted,
                            last,
                            details::failure(None, None),
                        );
                        on.count(running, aborted);
                        on.set_child(slot, |c| {
                            c.status = ExecutionStatus::Aborted;
                            c.stop_date = Some(clock.now());
                        });
                    })
                    .await;
                let to = match outcome.status {
                    ExecutionStatus::Succeeded => succeeded,
                    ExecutionStatus::TimedOut => timed_out,
                    ExecutionStatus::Aborted => aborted,
                    _ => failed,
                };
                cell.count(running, to);
                cell.set_child(slot, |c| {
                    c.status = outcome.status;
                    c.stop_date = Some(outcome.stop_date);
                    c.output = outcome.output.clone();
                    c.error = outcome.error.clone();
                    c.cause = outcome.cause.clone();
                });
                Ok::<_, StatesError>((index, outcome))
            }
        });
        let mut stream = futures::stream::iter(iterations).buffer_unordered(limit);
        let mut outputs: Vec<Value> = vec![Value::Null; total];
        let mut failures = 0usize;
        let mut failure: Option<StatesError> = None;
        loop {
            let next = tokio::select! {
                biased;
                h = self.halted() => Err(h),
                r = stream.next() => Ok(r),
            };
            match next {
                Err(h) => {
                    drop(stream);
                    self.end_map_run(&cell, MapRunStatus::Aborted);
                    lane.prev =
                        self.history
                            .push(EventType::MapRunAborted, run_started, Value::Null);
                    return Err(h);
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    failure = Some(e);
                    break;
                }
                Ok(Some(Ok((index, outcome)))) => {
                    if outcome.status == ExecutionStatus::Succeeded {
                        outputs[index] = outcome.output.unwrap_or(Value::Null);
                        continue;
                    }
                    failures += 1;
                    if tolerance.exceeded(failures, total) {
                        failure = Some(map::threshold_exceeded());
                        break;
                    }
                    // Inferred: a tolerated failure appears in the output as its error output.
                    outputs[index] = StatesError {
                        error: outcome.error.unwrap_or_else(|| names::TIMEOUT.into()),
                        cause: outcome.cause,
                        location: None,
                    }
                    .to_error_output();
                }
            }
        }
        drop(stream);
        match failure {
            Some(e) => {
                self.end_map_run(&cell, MapRunStatus::Failed);
                lane.prev = self.history.push(
                    EventType::MapRunFailed,
                    run_started,
                    details::failure(Some(&e.error), e.cause.as_deref()),
                );
                lane.failed_event = Some(lane.prev);
                Err(Halt::Failed(e))
            }
            None => {
                self.end_map_run(&cell, MapRunStatus::Succeeded);
                lane.prev = self
                    .history
                    .push(EventType::MapRunSucceeded, run_started, Value::Null);
                Ok(Value::Array(outputs))
            }
        }
    }

    fn end_map_run(&self, cell: &MapRunCell, status: MapRunStatus) {
        let now = self.clock.now();
        cell.update(|r| {
            r.status = status;
            r.stop_date = Some(now);
        });
    }
}
