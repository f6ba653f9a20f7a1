//! Durable executions: every history event of a STANDARD execution is written to the store as
//! it is recorded (one durable transaction each, so an acknowledged transition survives a
//! killed process), and a restarted twin resumes each RUNNING execution from its stored
//! events with `Execution::resume`, which answers completed tasks from their recorded results
//! instead of calling them again — Step Functions Standard's exactly-once promise.
//!
//! A task that was in flight when the process died has no recorded result and is called again
//! (the same at-least-once behaviour AWS has for a task whose worker is lost).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::DateTime;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::history::{EventSink, EventType, HistoryEvent};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StepFunctions;
use super::executions::{self, ExecRuntime, ExecutionRecord, Executions, Source, exec_missing};
use super::model::Status;
use crate::error::LocalError;
use crate::resources::Table;
use crate::store::Store;

/// The store table of history events, keyed `<execution ARN>#<10-digit id>` so that a
/// table scan returns each execution's events together and in order.
pub(super) const EVENTS: &str = "states.events";

/// One history event as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredEvent {
    /// Epoch milliseconds.
    t: i64,
    #[serde(rename = "type")]
    kind: EventType,
    id: u64,
    prev: u64,
    details: Value,
}

impl StoredEvent {
    fn from_event(e: &HistoryEvent) -> Self {
        Self {
            t: e.timestamp.timestamp_millis(),
            kind: e.event_type,
            id: e.id,
            prev: e.previous_event_id,
            details: e.details.clone(),
        }
    }

    fn into_event(self) -> HistoryEvent {
        HistoryEvent {
            timestamp: DateTime::from_timestamp_millis(self.t).unwrap_or_default(),
            event_type: self.kind,
            id: self.id,
            previous_event_id: self.prev,
            details: self.details,
        }
    }
}

/// Writes each event of one execution to the store as it is recorded.
#[derive(Debug)]
pub(super) struct StoreSink {
    store: Arc<Store>,
    arn: String,
}

impl StoreSink {
    pub(super) fn new(store: Arc<Store>, arn: String) -> Self {
        Self { store, arn }
    }
}

impl EventSink for StoreSink {
    fn record(&self, event: &HistoryEvent) {
        let key = format!("{}#{:010}", self.arn, event.id);
        if let Err(e) = self
            .store
            .put(EVENTS, &key, &StoredEvent::from_event(event))
        {
            // The execution goes on (its in-memory history is complete); only a restart would
            // lose this event.
            tracing::warn!(execution = %self.arn, event = event.id, error = %e, "could not store a history event");
        }
    }
}

/// Settles a record from a terminal event stored after the record was last written (the
/// process died between the two writes).
fn settle(record: &mut ExecutionRecord, events: &[HistoryEvent]) -> bool {
    let Some(last) = events.last() else {
        return false;
    };
    let s = |k: &str| last.detail_str(k).map(str::to_owned);
    let status = match last.event_type {
        EventType::ExecutionSucceeded => Status::Succeeded,
        EventType::ExecutionFailed => Status::Failed,
        EventType::ExecutionAborted => Status::Aborted,
        EventType::ExecutionTimedOut => Status::TimedOut,
        _ => return false,
    };
    record.status = status;
    record.stop_ms = Some(last.timestamp.timestamp_millis());
    record.output = s("output");
    record.error = s("error");
    record.cause = s("cause");
    true
}

/// Loads the STANDARD executions and their histories; a RUNNING execution whose history ends
/// in a terminal event (the process died between the two writes) is settled and stored.
pub(super) fn load_executions(
    store: &Arc<Store>,
    clock: &SharedClock,
) -> Result<Executions, LocalError> {
    let mut events: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
    for (key, e) in store.load_all::<StoredEvent>(EVENTS)? {
        let arn = key.rsplit_once('#').map(|(a, _)| a).unwrap_or(&key);
        events
            .entry(arn.to_string())
            .or_default()
            .push(e.into_event());
    }
    let events = Mutex::new(events);
    let table: Executions = Table::load(
        executions::TABLE,
        store.clone(),
        clock.clone(),
        exec_missing,
        |record: &ExecutionRecord| {
            let history = events.lock().remove(&record.arn).unwrap_or_default();
            ExecRuntime::new(record, Source::Stored(history))
        },
    )?;
    for arn in table.keys() {
        let ended = table
            .read(&arn, |row| {
                let mut settled = row.record.clone();
                let history = row.extra.history();
                (row.record.status == Status::Running && settle(&mut settled, &history))
                    .then_some(settled)
            })
            .ok()
            .flatten();
        if let Some(settled) = ended {
            table
                .mutate(&arn, |r, x, _| {
                    *r = settled;
                    x.mark_ended();
                    Ok(())
                })
                .map_err(|e| LocalError::Database(e.message))?;
        }
    }
    Ok(table)
}

impl StepFunctions {
    /// Resumes every RUNNING execution loaded from the store (call once, inside a Tokio
    /// runtime; `Twin::build` does when it runs in one). Returns how many were resumed.
    pub fn resume_running(&self) -> usize {
        let mut pending: Vec<ExecutionRecord> = Vec::new();
        self.executions.scan(|_, row| {
            if row.record.status == Status::Running && matches!(row.extra.source, Source::Stored(_))
            {
                pending.push(row.record.clone());
            }
        });
        let mut resumed = 0;
        for record in pending {
            let program = match self.program_for(&record.definition) {
                Ok(p) => p,
                Err(why) => {
                    tracing::error!(execution = %record.arn, %why, "cannot resume an execution");
                    continue;
                }
            };
            let input: Value = serde_json::from_str(&record.input).unwrap_or(Value::Null);
            let exec = self.new_execution(program, &record);
            exec.add_sink(Arc::new(StoreSink::new(
                self.store.clone(),
                record.arn.clone(),
            )));
            let recorded = self
                .executions
                .read(&record.arn, |row| {
                    let recorded = row.extra.history();
                    row.extra.source = Source::Live(exec.clone());
                    recorded
                })
                .unwrap_or_default();
            tracing::info!(execution = %record.arn, events = recorded.len(), "resuming a RUNNING execution");
            self.launch(&record.arn, exec, input, Some(recorded));
            resumed += 1;
        }
        resumed
    }

    /// The compiled program of a definition text (cached: executions of one machine share it).
    fn program_for(&self, definition: &str) -> Result<Arc<kdaflow_asl::Program>, String> {
        if let Some(p) = self.programs.read().get(definition) {
            return Ok(p.clone());
        }
        let value: Value = serde_json::from_str(definition).map_err(|e| e.to_string())?;
        let program = Arc::new(kdaflow_asl::Program::from_json(&value).map_err(|e| e.to_string())?);
        self.programs
            .write()
            .insert(definition.to_string(), program.clone());
        Ok(program)
    }
}
