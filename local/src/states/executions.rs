//! Executions: StartExecution, StartSyncExecution, DescribeExecution, ListExecutions,
//! StopExecution, and the runner driving each STANDARD execution in its own Tokio task.
//!
//! STANDARD executions are kept (in memory, and in the store when there is a state
//! directory) with their history; EXPRESS ones are not, as on AWS, where their history lives
//! in CloudWatch Logs only and DescribeExecution/ListExecutions do not cover them.

use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::exec::StopHandle;
use kdaflow_asl::history::HistoryEvent;
use kdaflow_asl::{Execution, ExecutionConfig, ExecutionOutcome, Program};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::arns::{self, check_execution_arn, check_name};
use super::error::StatesError;
use super::model::*;
use super::{StepFunctions, arn_member, durable, epoch_seconds, json_body, only_arn};
use crate::protocol::AwsError;
use crate::resources::{Insert, Table};
use crate::validation::Constraints;

/// The store table of STANDARD executions, keyed by ARN.
pub(super) const TABLE: &str = "states.executions";
/// The largest execution input (256 KiB of UTF-8, as for every payload).
pub const MAX_INPUT_BYTES: usize = 256 * 1024;

/// An execution as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Its state machine's ARN.
    pub machine_arn: String,
    /// Its state machine's name.
    pub machine_name: String,
    /// The definition it runs (the machine's at start; updates do not affect it).
    pub definition: String,
    /// The machine's role at start.
    pub role_arn: String,
    /// Input JSON text, as given.
    pub input: String,
    /// Trace header, as given.
    pub trace_header: Option<String>,
    /// Status.
    pub status: Status,
    /// Start, epoch ms.
    pub start_ms: i64,
    /// Stop, epoch ms.
    pub stop_ms: Option<i64>,
    /// Output JSON text.
    pub output: Option<String>,
    /// Error name.
    pub error: Option<String>,
    /// Cause.
    pub cause: Option<String>,
}

impl ExecutionRecord {
    /// DescribeExecution's view.
    pub fn describe(&self) -> ExecutionDescription {
        ExecutionDescription {
            execution_arn: self.arn.clone(),
            state_machine_arn: self.machine_arn.clone(),
            name: self.name.clone(),
            status: self.status,
            start_date: epoch_seconds(self.start_ms),
            stop_date: self.stop_ms.map(epoch_seconds),
            input: self.input.clone(),
            input_details: json!({"included": true}),
            output: self.output.clone(),
            output_details: self.output.as_ref().map(|_| json!({"included": true})),
            // AWS-recorded: a TIMED_OUT execution's description has neither (its history's
            // ExecutionTimedOut event does).
            error: self
                .error
                .clone()
                .filter(|_| self.status != Status::TimedOut),
            cause: self
                .cause
                .clone()
                .filter(|_| self.status != Status::TimedOut),
            trace_header: self.trace_header.clone(),
            redrive_count: 0,
            redrive_status: match self.status {
                Status::Running | Status::Succeeded => "NOT_REDRIVABLE".into(),
                _ => "REDRIVABLE".into(),
            },
        }
    }

    pub(super) fn apply(&mut self, outcome: &ExecutionOutcome) {
        self.status = outcome.status.into();
        self.stop_ms = Some(outcome.stop_date.timestamp_millis());
        self.output = outcome.output.as_ref().map(Value::to_string);
        self.error = outcome.error.clone();
        self.cause = outcome.cause.clone();
    }
}

/// Where an execution's history is.
#[derive(Debug)]
pub(super) enum Source {
    /// Being (or was) run by this process.
    Live(Arc<Execution>),
    /// Loaded from the store (an execution that ended before a restart).
    Stored(Vec<HistoryEvent>),
}

/// What a STANDARD execution has beside its stored record: where its history is, and the
/// handles of its runner.
#[derive(Debug)]
pub struct ExecRuntime {
    pub(super) source: Source,
    stop: Option<StopHandle>,
    task: Option<tokio::task::AbortHandle>,
    /// `true` once the execution has ended (and its end is recorded).
    done: tokio::sync::watch::Sender<bool>,
}

impl ExecRuntime {
    pub(super) fn new(record: &ExecutionRecord, source: Source) -> Self {
        Self {
            source,
            stop: None,
            task: None,
            done: tokio::sync::watch::channel(record.status != Status::Running).0,
        }
    }

    /// Marks the execution ended (its record was settled from its history).
    pub(super) fn mark_ended(&mut self) {
        self.done.send_replace(true);
    }

    /// Every history event so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        match &self.source {
            Source::Live(e) => e.history().events(),
            Source::Stored(events) => events.clone(),
        }
    }
}

/// The executions table.
pub(super) type Executions = Table<ExecutionRecord, ExecRuntime>;

pub(super) fn exec_missing(arn: &str) -> AwsError {
    let hint = if arns::parse(arn).is_some_and(|p| p.kind == "express") {
        " (EXPRESS executions are not recorded: their history is in CloudWatch Logs on AWS)"
    } else {
        ""
    };
    StatesError::ExecutionDoesNotExist.with(format!("Execution Does Not Exist: '{arn}'{hint}"))
}

fn parse_input(text: Option<&str>) -> Result<(String, Value), AwsError> {
    let text = text.unwrap_or("{}");
    if text.len() > MAX_INPUT_BYTES {
        return Err(StatesError::InvalidExecutionInput.with(format!(
                "Invalid State Machine Execution Input: the input has {} bytes; the limit is {MAX_INPUT_BYTES}",
                text.len()
            ),
        ));
    }
    let value = serde_json::from_str(text).map_err(|e| {
        StatesError::InvalidExecutionInput
            .with(format!("Invalid State Machine Execution Input: '{e}'"))
    })?;
    Ok((text.to_string(), value))
}

impl StepFunctions {
    fn exec_config(&self, record: &ExecutionRecord) -> ExecutionConfig {
        ExecutionConfig {
            name: record.name.clone(),
            execution_arn: record.arn.clone(),
            state_machine_name: record.machine_name.clone(),
            state_machine_arn: record.machine_arn.clone(),
            role_arn: record.role_arn.clone(),
            region: self.config.region.clone(),
            seed: arns::fnv(&record.arn),
            express: arns::parse(&record.arn).is_some_and(|a| a.kind == "express"),
        }
    }

    pub(super) fn new_execution(
        &self,
        program: Arc<Program>,
        record: &ExecutionRecord,
    ) -> Arc<Execution> {
        let exec = Arc::new(Execution::new(
            program,
            self.invoker.clone(),
            self.clock.clone(),
            self.exec_config(record),
        ));
        exec.add_sink(Arc::new(ChangeSink {
            changes: self.changes.clone(),
            arn: Arc::from(record.arn.as_str()),
        }));
        exec
    }

    /// Runs `exec` in a Tokio task; its end is recorded in the executions table (and the
    /// store).
    pub(super) fn launch(
        &self,
        arn: &str,
        exec: Arc<Execution>,
        input: Value,
        recorded: Option<Vec<HistoryEvent>>,
    ) {
        let executions = self.executions.clone();
        let changes = self.changes.clone();
        let key = arn.to_string();
        let stop = exec.stop_handle();
        let handle = tokio::spawn(async move {
            let outcome = match recorded {
                Some(events) => exec.resume(input, events).await,
                None => exec.run(input).await,
            };
            let ended = executions.mutate(&key, |r, _, _| {
                r.apply(&outcome);
                Ok(())
            });
            if let Err(err) = ended {
                // The history has the end; the in-memory record gets it too, so callers see it.
                tracing::warn!(execution = %key, error = %err, "could not store the end of an execution; its history still has it");
                let _ = executions.read(&key, |row| row.record.apply(&outcome));
            }
            let _ = executions.read(&key, |row| row.extra.done.send_replace(true));
            // The record has its end now (DescribeExecution answers it).
            let _ = changes.send(HistoryChange {
                execution_arn: Arc::from(key.as_str()),
                event_id: None,
            });
        });
        let _ = self.executions.read(arn, |row| {
            row.extra.stop = Some(stop);
            row.extra.task = Some(handle.abort_handle());
        });
    }

    /// A new EXPRESS execution's ARN: `...:express:<machine>:<name>:<uuid>`, as AWS forms it.
    fn express_arn(&self, machine: &str, name: &str) -> String {
        format!(
            "arn:aws:states:{}:{}:express:{machine}:{name}:{}",
            self.config.region,
            self.config.account_id,
            uuid::Uuid::new_v4()
        )
    }

    /// A copy of the record of the STANDARD execution an ARN designates.
    pub fn execution_record(&self, arn: &str) -> Result<ExecutionRecord, AwsError> {
        check_execution_arn(arn)?;
        self.executions
            .read(arn, |row| row.record.clone())
            .map_err(|_| exec_missing(arn))
    }

    /// The history of the STANDARD execution an ARN designates.
    pub fn history(&self, arn: &str) -> Result<Vec<HistoryEvent>, AwsError> {
        check_execution_arn(arn)?;
        self.executions
            .read(arn, |row| row.extra.history())
            .map_err(|_| exec_missing(arn))
    }

    fn start_members(input: &StartExecutionInput) -> Result<String, AwsError> {
        let mut c = Constraints::default();
        let arn = arn_member(&mut c, "stateMachineArn", &input.state_machine_arn).cloned();
        if let Some(n) = &input.name {
            c.len("name", n, 1, arns::MAX_NAME);
        }
        if let Some(t) = &input.trace_header {
            c.len("traceHeader", t, 0, 256);
        }
        c.finish()?;
        Ok(arn.unwrap_or_default())
    }

    /// StartExecution. STANDARD: idempotent for the same name and input while RUNNING, else
    /// `ExecutionAlreadyExists` for a used name. EXPRESS: runs in the background, unrecorded.
    pub fn start_execution(
        &self,
        input: StartExecutionInput,
    ) -> Result<StartExecutionOutput, AwsError> {
        self.start_execution_observed(input, None)
    }

    /// StartExecution with `observer` seeing every history event of the new execution as it is
    /// recorded, from the first (in-process callers that show progress, like `kdaflow up`).
    pub fn start_execution_observed(
        &self,
        input: StartExecutionInput,
        observer: Option<Arc<dyn kdaflow_asl::history::EventSink>>,
    ) -> Result<StartExecutionOutput, AwsError> {
        let machine_arn = Self::start_members(&input)?;
        let machine = self.machine(&machine_arn)?;
        let name = input
            .name
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        check_name(&name)?;
        let (text, value) = parse_input(input.input.as_deref())?;
        let now = self.clock.now().timestamp_millis();
        let m = &machine.record;
        if m.machine_type == MachineType::Express {
            let arn = self.express_arn(&m.name, &name);
            let record = self.record(m, &arn, &name, text, input.trace_header, now);
            let exec = self.new_execution(machine.program.clone(), &record);
            if let Some(o) = observer {
                exec.add_sink(o);
            }
            tokio::spawn(async move {
                exec.run(value).await;
            });
            return Ok(StartExecutionOutput {
                execution_arn: arn,
                start_date: epoch_seconds(now),
            });
        }
        let arn = format!(
            "arn:aws:states:{}:{}:execution:{}:{name}",
            self.config.region, self.config.account_id, m.name
        );
        let mut started = None;
        let out = self.executions.insert(&arn, |existing, _| {
            if let Some(r) = existing {
                if r.status == Status::Running && r.input == text {
                    return Ok(Insert::Keep(StartExecutionOutput {
                        execution_arn: arn.clone(),
                        start_date: epoch_seconds(r.start_ms),
                    }));
                }
                return Err(StatesError::ExecutionAlreadyExists.with(format!(
                    "Execution Already Exists: '{arn}' (an execution name is used once per state machine; a RUNNING execution with the same input is returned as is)"
                )));
            }
            let record = self.record(m, &arn, &name, text, input.trace_header, now);
            let exec = self.new_execution(machine.program.clone(), &record);
            if self.store.path().is_some() {
                exec.add_sink(Arc::new(durable::StoreSink::new(
                    self.store.clone(),
                    arn.clone(),
                )));
            }
            if let Some(o) = observer {
                exec.add_sink(o);
            }
            let runtime = ExecRuntime::new(&record, Source::Live(exec.clone()));
            started = Some(exec);
            Ok(Insert::New(
                record,
                runtime,
                StartExecutionOutput {
                    execution_arn: arn.clone(),
                    start_date: epoch_seconds(now),
                },
            ))
        })?;
        if let Some(exec) = started {
            self.launch(&arn, exec, value, None);
        }
        Ok(out)
    }

    fn record(
        &self,
        m: &super::machines::MachineRecord,
        arn: &str,
        name: &str,
        input: String,
        trace_header: Option<String>,
        now: i64,
    ) -> ExecutionRecord {
        ExecutionRecord {
            arn: arn.to_string(),
            name: name.to_string(),
            machine_arn: m.arn.clone(),
            machine_name: m.name.clone(),
            definition: m.definition.clone(),
            role_arn: m.role_arn.clone(),
            input,
            trace_header,
            status: Status::Running,
            start_ms: now,
            stop_ms: None,
            output: None,
            error: None,
            cause: None,
        }
    }

    /// StartSyncExecution: EXPRESS machines only; runs to the end and answers with the outcome.
    pub async fn start_sync_execution(
        &self,
        input: StartExecutionInput,
    ) -> Result<Value, AwsError> {
        let machine_arn = Self::start_members(&input)?;
        let machine = self.machine(&machine_arn)?;
        let m = &machine.record;
        if m.machine_type != MachineType::Express {
            return Err(StatesError::StateMachineTypeNotSupported.with(format!(
                    "StartSyncExecution runs EXPRESS state machines only; '{}' is STANDARD (use StartExecution)",
                    m.arn
                ),
            ));
        }
        let name = input
            .name
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        check_name(&name)?;
        let (text, value) = parse_input(input.input.as_deref())?;
        let now = self.clock.now().timestamp_millis();
        let arn = self.express_arn(&m.name, &name);
        let mut record = self.record(m, &arn, &name, text, input.trace_header, now);
        let exec = self.new_execution(machine.program.clone(), &record);
        let outcome = exec.run(value).await;
        record.apply(&outcome);
        let d = record.describe();
        let billed_ms = (record.stop_ms.unwrap_or(now) - now).max(0);
        let mut out = json!({
            "executionArn": d.execution_arn,
            "stateMachineArn": d.state_machine_arn,
            "name": d.name,
            "startDate": d.start_date,
            "stopDate": d.stop_date,
            "status": d.status.as_str(),
            "input": d.input,
            "inputDetails": {"included": true},
            "billingDetails": {
                "billedMemoryUsedInMB": 64,
                // Billed in 100 ms increments, at least 100 ms.
                "billedDurationInMilliseconds": ((billed_ms + 99) / 100).max(1) * 100,
            },
        });
        if let Some(o) = d.output {
            out["output"] = json!(o);
            out["outputDetails"] = json!({"included": true});
        }
        if let Some(e) = d.error {
            out["error"] = json!(e);
        }
        if let Some(c) = d.cause {
            out["cause"] = json!(c);
        }
        if let Some(t) = d.trace_header {
            out["traceHeader"] = json!(t);
        }
        Ok(out)
    }

    /// DescribeExecution.
    pub fn describe_execution(&self, arn: &str) -> Result<ExecutionDescription, AwsError> {
        Ok(self.execution_record(arn)?.describe())
    }

    pub(super) fn describe_execution_input(
        &self,
        input: ExecutionArnInput,
    ) -> Result<ExecutionDescription, AwsError> {
        let arn = only_arn("executionArn", &input.execution_arn)?;
        self.describe_execution(&arn)
    }

    /// A receiver that turns `true` once the execution has ended.
    fn ended(&self, arn: &str) -> Result<tokio::sync::watch::Receiver<bool>, AwsError> {
        check_execution_arn(arn)?;
        self.executions
            .read(arn, |row| row.extra.done.subscribe())
            .map_err(|_| exec_missing(arn))
    }

    /// Waits until a STANDARD execution has ended and returns its description (on virtual time
    /// this is how tests and tools await an execution without sleeping).
    pub async fn wait(&self, arn: &str) -> Result<ExecutionDescription, AwsError> {
        let mut rx = self.ended(arn)?;
        // The sender lives in the table's row, which executions are never removed from.
        let _ = rx.wait_for(|ended| *ended).await;
        self.describe_execution(arn)
    }

    pub(super) fn list_executions(&self, input: ListExecutionsInput) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        if input.map_run_arn.is_none() {
            arn_member(&mut c, "stateMachineArn", &input.state_machine_arn);
        }
        if let Some(s) = &input.status_filter {
            c.one_of(
                "statusFilter",
                s,
                &[
                    "RUNNING",
                    "SUCCEEDED",
                    "FAILED",
                    "TIMED_OUT",
                    "ABORTED",
                    "PENDING_REDRIVE",
                ],
            );
        }
        if let Some(n) = input.max_results {
            c.range("maxResults", n, 0, arns::MAX_PAGE);
        }
        if let Some(t) = &input.next_token {
            c.len("nextToken", t, 1, 3096);
        }
        c.finish()?;
        if let Some(map_run) = &input.map_run_arn {
            return self.list_map_run_executions(
                map_run,
                input.status_filter.as_deref(),
                input.max_results,
                input.next_token.as_deref(),
            );
        }
        let machine_arn = input.state_machine_arn.clone().unwrap_or_default();
        let machine = self.machine(&machine_arn)?;
        if machine.record.machine_type == MachineType::Express {
            return Err(StatesError::StateMachineTypeNotSupported.with("ListExecutions does not support EXPRESS state machines (their executions are in CloudWatch Logs on AWS)",
            ));
        }
        // `Some(None)`: a filter no twin execution matches (PENDING_REDRIVE: no redrive).
        let status = input.status_filter.as_deref().map(|s| {
            [
                Status::Running,
                Status::Succeeded,
                Status::Failed,
                Status::TimedOut,
                Status::Aborted,
            ]
            .into_iter()
            .find(|st| st.as_str() == s)
        });
        let scope = format!(
            "ListExecutions#{machine_arn}#{}",
            input.status_filter.as_deref().unwrap_or("")
        );
        let mut matching: Vec<ExecutionRecord> = self
            .executions
            .records()
            .into_iter()
            .filter(|r| r.machine_arn == machine_arn && status.is_none_or(|s| s == Some(r.status)))
            .collect();
        // Newest first, as AWS lists them (a stable sort: same-millisecond starts stay in
        // start order, reversed).
        matching.reverse();
        matching.sort_by_key(|r| std::cmp::Reverse(r.start_ms));
        let out = arns::page(
            "executions",
            &matching,
            &scope,
            input.max_results,
            input.next_token.as_deref(),
            |r| {
                let mut item = json!({
                    "executionArn": r.arn,
                    "stateMachineArn": r.machine_arn,
                    "name": r.name,
                    "status": r.status.as_str(),
                    "startDate": epoch_seconds(r.start_ms),
                });
                if let Some(stop) = r.stop_ms {
                    item["stopDate"] = json!(epoch_seconds(stop));
                }
                item
            },
        )?;
        json_body(&out)
    }

    /// StopExecution: the execution ends ABORTED with `error` and `cause`; answers once the
    /// abort is recorded. Stopping an ended execution changes nothing.
    pub async fn stop_execution(&self, input: StopExecutionInput) -> Result<Value, AwsError> {
        let mut c = Constraints::default();
        arn_member(&mut c, "executionArn", &input.execution_arn);
        if let Some(e) = &input.error {
            c.len("error", e, 0, 256);
        }
        if let Some(cause) = &input.cause {
            c.len("cause", cause, 0, 32768);
        }
        c.finish()?;
        let arn = input.execution_arn.clone().unwrap_or_default();
        let record = self.execution_record(&arn)?;
        if record.status == Status::Running {
            let mut rx = self.ended(&arn)?;
            let handle = self
                .executions
                .read(&arn, |row| row.extra.stop.clone())
                .ok()
                .flatten();
            if let Some(h) = handle {
                h.stop(input.error, input.cause);
            }
            let _ = rx.wait_for(|ended| *ended).await;
        }
        let stop = self
            .execution_record(&arn)?
            .stop_ms
            .unwrap_or_else(|| self.clock.now().timestamp_millis());
        Ok(json!({ "stopDate": epoch_seconds(stop) }))
    }

    /// Aborts every execution task without recording anything, as a killed process would:
    /// what was stored stays stored. For restart tests; the service is unusable afterwards.
    pub fn halt(&self) {
        self.executions.scan(|_, row| {
            if let Some(task) = row.extra.task.take() {
                task.abort();
            }
        });
    }
}

/// A change to a STANDARD execution, as [`StepFunctions::subscribe_changes`] reports it.
#[derive(Debug, Clone)]
pub struct HistoryChange {
    /// The execution.
    pub execution_arn: Arc<str>,
    /// The history event just recorded; `None` once the execution's record has its end
    /// (status, output, error and cause, as DescribeExecution answers them).
    pub event_id: Option<u64>,
}

/// Tells the change feed about each event an execution records.
#[derive(Debug)]
struct ChangeSink {
    changes: tokio::sync::broadcast::Sender<HistoryChange>,
    arn: Arc<str>,
}

impl kdaflow_asl::history::EventSink for ChangeSink {
    fn record(&self, event: &HistoryEvent) {
        // No receiver is the common case (nobody watches); that is not an error.
        let _ = self.changes.send(HistoryChange {
            execution_arn: self.arn.clone(),
            event_id: Some(event.id),
        });
    }
}
