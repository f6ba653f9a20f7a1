//! Execution history events, shaped as `GetExecutionHistory` returns them.
//!
//! Input and output fields are JSON *text* (as on AWS); timestamps serialise as epoch seconds
//! with milliseconds, like the service's JSON protocol. [`HistoryEvent::details`] holds the
//! details without the constant `inputDetails`/`outputDetails` members, which serialisation adds.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use parking_lot::Mutex;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::SharedClock;

macro_rules! event_types {
    ($($v:ident),* $(,)?) => {
        /// Every history event type of Step Functions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum EventType { $($v),* }

        impl EventType {
            /// The name as AWS spells it.
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$v => stringify!($v)),* }
            }
        }
    };
}

event_types!(
    ActivityFailed,
    ActivityScheduled,
    ActivityScheduleFailed,
    ActivityStarted,
    ActivitySucceeded,
    ActivityTimedOut,
    ChoiceStateEntered,
    ChoiceStateExited,
    ExecutionAborted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionTimedOut,
    ExecutionRedriven,
    FailStateEntered,
    LambdaFunctionFailed,
    LambdaFunctionScheduled,
    LambdaFunctionScheduleFailed,
    LambdaFunctionStarted,
    LambdaFunctionStartFailed,
    LambdaFunctionSucceeded,
    LambdaFunctionTimedOut,
    MapIterationAborted,
    MapIterationFailed,
    MapIterationStarted,
    MapIterationSucceeded,
    MapRunAborted,
    MapRunFailed,
    MapRunRedriven,
    MapRunStarted,
    MapRunSucceeded,
    MapStateAborted,
    MapStateEntered,
    MapStateExited,
    MapStateFailed,
    MapStateStarted,
    MapStateSucceeded,
    ParallelStateAborted,
    ParallelStateEntered,
    ParallelStateExited,
    ParallelStateFailed,
    ParallelStateStarted,
    ParallelStateSucceeded,
    PassStateEntered,
    PassStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    TaskFailed,
    TaskScheduled,
    TaskStarted,
    TaskStartFailed,
    TaskStateAborted,
    TaskStateEntered,
    TaskStateExited,
    TaskSubmitFailed,
    TaskSubmitted,
    TaskSucceeded,
    TaskTimedOut,
    WaitStateAborted,
    WaitStateEntered,
    WaitStateExited,
    EvaluationFailed,
);

impl EventType {
    /// The `...EventDetails` member that carries this event's details, if any.
    pub fn details_key(self) -> Option<&'static str> {
        use EventType::*;
        let s = self.as_str();
        Some(match self {
            ParallelStateStarted
            | ParallelStateSucceeded
            | ParallelStateAborted
            | MapStateSucceeded
            | MapStateAborted
            | TaskStateAborted
            | WaitStateAborted => {
                return None;
            }
            _ if s.ends_with("StateEntered") => "stateEnteredEventDetails",
            _ if s.ends_with("StateExited") => "stateExitedEventDetails",
            ExecutionStarted => "executionStartedEventDetails",
            ExecutionSucceeded => "executionSucceededEventDetails",
            ExecutionFailed => "executionFailedEventDetails",
            ExecutionAborted => "executionAbortedEventDetails",
            ExecutionTimedOut => "executionTimedOutEventDetails",
            TaskScheduled => "taskScheduledEventDetails",
            TaskStarted => "taskStartedEventDetails",
            TaskSucceeded => "taskSucceededEventDetails",
            TaskFailed => "taskFailedEventDetails",
            TaskTimedOut => "taskTimedOutEventDetails",
            LambdaFunctionScheduled => "lambdaFunctionScheduledEventDetails",
            LambdaFunctionStarted => return None,
            LambdaFunctionSucceeded => "lambdaFunctionSucceededEventDetails",
            LambdaFunctionFailed => "lambdaFunctionFailedEventDetails",
            LambdaFunctionTimedOut => "lambdaFunctionTimedOutEventDetails",
            MapStateStarted => "mapStateStartedEventDetails",
            MapIterationStarted => "mapIterationStartedEventDetails",
            MapIterationSucceeded => "mapIterationSucceededEventDetails",
            MapIterationFailed => "mapIterationFailedEventDetails",
            MapIterationAborted => "mapIterationAbortedEventDetails",
            MapStateFailed | ParallelStateFailed => return None,
            MapRunStarted => "mapRunStartedEventDetails",
            MapRunFailed => "mapRunFailedEventDetails",
            MapRunRedriven => "mapRunRedrivenEventDetails",
            EvaluationFailed => "evaluationFailedEventDetails",
            _ => return None,
        })
    }
}

/// One history event.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// When it happened (from the execution's clock).
    pub timestamp: DateTime<Utc>,
    /// Its type.
    pub event_type: EventType,
    /// 1-based id.
    pub id: u64,
    /// The causal predecessor (0 for the first).
    pub previous_event_id: u64,
    /// The `...EventDetails` object (`Value::Null` when the type has none).
    pub details: Value,
}

impl HistoryEvent {
    /// A details member as text (e.g. `"output"`), for tests and tooling.
    pub fn detail_str(&self, key: &str) -> Option<&str> {
        self.details.get(key).and_then(Value::as_str)
    }

    /// The event as AWS JSON (`timestamp` in epoch seconds).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let ts = self.timestamp.timestamp_millis() as f64 / 1000.0;
        m.serialize_entry("timestamp", &ts)?;
        m.serialize_entry("type", self.event_type.as_str())?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let (Some(key), false) = (self.event_type.details_key(), self.details.is_null()) {
            m.serialize_entry(key, &WithPayloadDetails(&self.details))?;
        }
        m.end()
    }
}

/// Serialises details adding `inputDetails`/`outputDetails` (`{"truncated": false}`) next to
/// `input`/`output`, as AWS shows them; they are added here rather than stored so that a long
/// history does not hold hundreds of thousands of identical small objects.
struct WithPayloadDetails<'a>(&'a Value);

impl Serialize for WithPayloadDetails<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(d) = self.0 else {
            return self.0.serialize(s);
        };
        let mut m = s.serialize_map(None)?;
        for (k, v) in d {
            m.serialize_entry(k, v)?;
            if k == "input" || k == "output" {
                m.serialize_entry(&format!("{k}Details"), &json!({"truncated": false}))?;
            }
        }
        m.end()
    }
}

/// Receives every event as soon as it is recorded (e.g. to persist it).
pub trait EventSink: Send + Sync + std::fmt::Debug {
    /// Called once per event, in id order.
    fn record(&self, event: &HistoryEvent);
}

/// The history of one execution, shared by its concurrent branches.
#[derive(Debug, Clone)]
pub struct History {
    inner: Arc<Mutex<Inner>>,
    clock: SharedClock,
}

#[derive(Debug)]
struct Inner {
    events: Vec<HistoryEvent>,
    sinks: Vec<Arc<dyn EventSink>>,
    /// Events of an earlier run being replayed: their timestamps are reused and sinks are not
    /// told about them again.
    replayed: Vec<HistoryEvent>,
}

impl History {
    /// An empty history on `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                events: Vec::new(),
                sinks: Vec::new(),
                replayed: Vec::new(),
            })),
            clock,
        }
    }

    /// Adds a sink.
    pub fn add_sink(&self, sink: Arc<dyn EventSink>) {
        self.inner.lock().sinks.push(sink);
    }

    /// Marks `events` as already recorded by an earlier run (see [`crate::exec::Execution::resume`]).
    pub fn set_replayed(&self, events: Vec<HistoryEvent>) {
        self.inner.lock().replayed = events;
    }

    /// Whether the next event id is still inside the replayed prefix.
    pub fn replaying(&self) -> bool {
        let g = self.inner.lock();
        g.events.len() < g.replayed.len()
    }

    /// Records an event and returns its id.
    pub fn push(&self, event_type: EventType, previous_event_id: u64, details: Value) -> u64 {
        let mut g = self.inner.lock();
        let id = g.events.len() as u64 + 1;
        let timestamp = match g.replayed.get(g.events.len()) {
            Some(old) => old.timestamp,
            None => self.clock.now(),
        };
        let event = HistoryEvent {
            timestamp,
            event_type,
            id,
            previous_event_id,
            details,
        };
        if g.replayed.len() < id as usize {
            for sink in &g.sinks {
                sink.record(&event);
            }
        }
        g.events.push(event);
        id
    }

    /// Runs `f` over the events so far without copying them.
    pub fn with_events<R>(&self, f: impl FnOnce(&[HistoryEvent]) -> R) -> R {
        f(&self.inner.lock().events)
    }

    /// A copy of every event so far.
    pub fn events(&self) -> Vec<HistoryEvent> {
        self.inner.lock().events.clone()
    }

    /// The number of events so far.
    pub fn len(&self) -> usize {
        self.inner.lock().events.len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of the latest event.
    pub fn last_id(&self) -> u64 {
        self.inner.lock().events.len() as u64
    }
}

/// Details builders, one per shape AWS uses.
pub mod details {
    use super::*;

    /// `stateEnteredEventDetails`.
    pub fn state_entered(name: &str, input: &Value) -> Value {
        json!({"name": name, "input": input.to_string()})
    }

    /// `stateExitedEventDetails`, with `assignedVariables` when the state assigned any.
    pub fn state_exited(
        name: &str,
        output: &str,
        assigned: Option<&IndexMap<String, Value>>,
    ) -> Value {
        let mut d = json!({"name": name, "output": output});
        if let Some(vars) = assigned.filter(|v| !v.is_empty()) {
            let text: serde_json::Map<String, Value> = vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                .collect();
            d["assignedVariables"] = Value::Object(text);
            d["assignedVariablesDetails"] = json!({"truncated": false});
        }
        d
    }

    /// `{error, cause}` with absent members left out (AWS-recorded: a Fail state without
    /// Error/Cause gives `{}`).
    pub fn failure(error: Option<&str>, cause: Option<&str>) -> Value {
        let mut d = serde_json::Map::new();
        if let Some(e) = error {
            d.insert("error".into(), e.into());
        }
        if let Some(c) = cause {
            d.insert("cause".into(), c.into());
        }
        Value::Object(d)
    }

    /// `executionStartedEventDetails`.
    pub fn execution_started(input: &Value, role_arn: &str) -> Value {
        json!({"input": input.to_string(), "roleArn": role_arn})
    }

    /// `executionSucceededEventDetails`.
    pub fn execution_succeeded(output: &str) -> Value {
        json!({"output": output})
    }

    /// `taskScheduledEventDetails`.
    pub fn task_scheduled(
        resource: &str,
        resource_type: &str,
        region: &str,
        parameters: &Value,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
    ) -> Value {
        let mut d = json!({"resourceType": resource_type, "resource": resource, "region": region,
            "parameters": parameters.to_string()});
        if let Some(t) = timeout {
            d["timeoutInSeconds"] = t.into();
        }
        if let Some(h) = heartbeat {
            d["heartbeatInSeconds"] = h.into();
        }
        d
    }

    /// `taskStarted`/`taskSucceeded`/`taskFailed` details.
    pub fn task(resource: &str, resource_type: &str, extra: Value) -> Value {
        let mut d = json!({"resourceType": resource_type, "resource": resource});
        if let (Value::Object(d), Value::Object(extra)) = (&mut d, extra) {
            d.extend(extra);
        }
        d
    }

    /// `mapIteration*EventDetails`.
    pub fn map_iteration(name: &str, index: usize) -> Value {
        json!({"name": name, "index": index})
    }
}
