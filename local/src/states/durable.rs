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
use kdaflow_asl::history::{EventSink, EventType, HistoryEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StepFunctions;
use super::executions::{self, ExecEntry, ExecutionRecord, Source};
use super::machines::{self, MachineEntry, MachineRecord};
use super::model::Status;
use crate::error::LocalError;
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

impl StepFunctions {
    /// Loads state machines and executions from the store.
    pub(super) fn load(&self) -> Result<(), LocalError> {
        let mut machines = self.machines.write();
        for (name, record) in self.store.load_all::<MachineRecord>(machines::TABLE)? {
            match machines::definition_problems(&record.definition, record.machine_type) {
                Ok(program) => {
                    machines.insert(
                        name,
                        Arc::new(MachineEntry {
                            record,
                            program: Arc::new(program),
                        }),
                    );
                }
                Err(p) => {
                    tracing::warn!(machine = %name, problems = ?p, "a stored state machine no longer validates; it is not loaded")
                }
            }
        }
        drop(machines);
        let mut events: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
        for (key, e) in self.store.load_all::<StoredEvent>(EVENTS)? {
            let arn = key.rsplit_once('#').map(|(a, _)| a).unwrap_or(&key);
            events
                .entry(arn.to_string())
                .or_default()
                .push(e.into_event());
        }
        let mut records = self.store.load_all::<ExecutionRecord>(executions::TABLE)?;
        records.sort_by_key(|(_, r)| r.start_ms);
        let mut map = self.executions.write();
        for (arn, mut record) in records {
            let history = events.remove(&arn).unwrap_or_default();
            if record.status == Status::Running && settle(&mut record, &history) {
                self.store.put(executions::TABLE, &arn, &record)?;
            }
            map.insert(
                arn,
                Arc::new(ExecEntry::new(record, Source::Stored(history))),
            );
        }
        Ok(())
    }

    /// Resumes every RUNNING execution loaded from the store (call once, inside a Tokio
    /// runtime; `Twin::build` does when it runs in one). Returns how many were resumed.
    pub fn resume_running(&self) -> usize {
        let pending: Vec<Arc<ExecEntry>> = self
            .executions
            .read()
            .values()
            .filter(|e| {
                e.record().status == Status::Running
                    && matches!(&*e.source.lock(), Source::Stored(_))
            })
            .cloned()
            .collect();
        let mut resumed = 0;
        for entry in pending {
            let record = entry.record();
            let program = match self.program_for(&record.definition) {
                Ok(p) => p,
                Err(why) => {
                    tracing::error!(execution = %record.arn, %why, "cannot resume an execution");
                    continue;
                }
            };
            let input: Value = serde_json::from_str(&record.input).unwrap_or(Value::Null);
            let recorded = entry.history();
            let exec = self.new_execution(program, &record);
            exec.add_sink(Arc::new(StoreSink::new(
                self.store.clone(),
                record.arn.clone(),
            )));
            *entry.source.lock() = Source::Live(exec.clone());
            tracing::info!(execution = %record.arn, events = recorded.len(), "resuming a RUNNING execution");
            self.launch(entry, exec, input, Some(recorded));
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
