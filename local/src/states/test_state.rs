//! TestState: runs one state with a given input and reports its output, the next state, or
//! its error, as the API does.
//!
//! The state runs inside a one-state machine whose transition targets are stand-in `Succeed`
//! states, so the whole interpreter (paths, templates, tasks, catchers) is the one executions
//! use. As on AWS, retriers are not executed: an error a retrier would handle reports
//! `RETRIABLE`; one a catcher handles reports `CAUGHT_ERROR` with the catcher's `Next`.

use super::error::StatesError;
use std::sync::Arc;

use kdaflow_asl::history::EventType;
use kdaflow_asl::path::Path;
use kdaflow_asl::{Execution, ExecutionConfig, ExecutionStatus, Program};
use serde_json::{Map, Value, json};

use super::StepFunctions;
use super::model::TestStateInput;
use crate::protocol::AwsError;
use crate::validation::Constraints;

/// The tested state's name inside the stand-in machine.
const STATE: &str = "TestState";

fn invalid(message: impl Into<String>) -> AwsError {
    StatesError::InvalidDefinition.with(format!(
        "Invalid State Machine Definition: '{}'",
        message.into()
    ))
}

/// Every transition target a state names (Next, Default, Choices[].Next, Catch[].Next).
fn targets(state: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: Option<&Value>| {
        if let Some(s) = v.and_then(Value::as_str) {
            out.push(s.to_string());
        }
    };
    push(state.get("Next"));
    push(state.get("Default"));
    for key in ["Choices", "Catch"] {
        if let Some(Value::Array(list)) = state.get(key) {
            for rule in list {
                push(rule.get("Next"));
            }
        }
    }
    out
}

/// Whether a retrier list would handle `error` (first matching retrier, MaxAttempts > 0).
fn retriable(retry: &Value, error: &str) -> bool {
    let Some(list) = retry.as_array() else {
        return false;
    };
    for r in list {
        let names: Vec<&str> = r
            .get("ErrorEquals")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let terminal = error == "States.Runtime" || error == "States.DataLimitExceeded";
        let hit = names.iter().any(|n| {
            *n == error
                || (!terminal && *n == "States.ALL")
                || (*n == "States.TaskFailed" && !error.starts_with("States.Timeout") && !terminal)
        });
        if hit {
            return r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3) > 0;
        }
    }
    false
}

impl StepFunctions {
    /// TestState.
    pub async fn test_state(&self, input: TestStateInput) -> Result<Value, AwsError> {
        let mut c = Constraints::default();
        if let Some(d) = c.required("definition", &input.definition) {
            super::machines::check_definition_length(&mut c, "definition", d);
        }
        if let Some(r) = &input.role_arn {
            c.len("roleArn", r, 1, 256);
        }
        c.finish()?;
        let text = input.definition.clone().unwrap_or_default();
        let state: Value =
            serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let Value::Object(mut state) = state else {
            return Err(invalid("the definition of a state is a JSON object"));
        };
        // A whole machine is accepted too: its StartAt state is tested.
        if state.contains_key("States") {
            let start = state.get("StartAt").and_then(Value::as_str).unwrap_or("");
            match state.get("States").and_then(|s| s.get(start)) {
                Some(Value::Object(s)) => state = s.clone(),
                _ => return Err(invalid("StartAt does not name a state of States")),
            }
        }
        let (raw_text, raw) = match input.input.as_deref() {
            None => ("{}".to_string(), json!({})),
            Some(t) => (
                t.to_string(),
                serde_json::from_str(t).map_err(|e| {
                    StatesError::InvalidExecutionInput
                        .with(format!("Invalid State Machine Execution Input: '{e}'"))
                })?,
            ),
        };
        let retry = state.remove("Retry").unwrap_or(Value::Null);
        let mut states = Map::new();
        for t in targets(&state) {
            states.insert(t, json!({"Type": "Succeed"}));
        }
        let output_path_absent = !state.contains_key("OutputPath");
        let input_path = state.get("InputPath").cloned();
        states.insert(STATE.into(), Value::Object(state));
        let machine = json!({"StartAt": STATE, "States": states});
        let program = Program::from_json(&machine).map_err(|e| invalid(e.to_string()))?;
        let mut config = ExecutionConfig::named("TestState", "test-state");
        config.region = self.config.region.clone();
        let exec = Execution::new(
            Arc::new(program),
            self.invoker.clone(),
            self.clock.clone(),
            config,
        );
        let outcome = exec.run(raw.clone()).await;
        let events = exec.history().events();

        let exited = events.iter().find(|e| {
            e.event_type.as_str().ends_with("StateExited") && e.detail_str("name") == Some(STATE)
        });
        let next_state = exited.and_then(|x| {
            events
                .iter()
                .find(|e| {
                    e.id > x.id
                        && e.event_type.as_str().ends_with("StateEntered")
                        && e.detail_str("name") != Some(STATE)
                })
                .and_then(|e| e.detail_str("name").map(str::to_owned))
        });
        let failure = events.iter().find(|e| {
            matches!(
                e.event_type,
                EventType::TaskFailed | EventType::LambdaFunctionFailed | EventType::TaskTimedOut
            )
        });
        let mut out = Map::new();
        let err_of = |e: &kdaflow_asl::history::HistoryEvent| {
            (
                e.detail_str("error").unwrap_or_default().to_string(),
                e.detail_str("cause").map(str::to_owned),
            )
        };
        let (status, error, cause) = match (outcome.status, failure) {
            (_, Some(f)) if retriable(&retry, &err_of(f).0) => {
                let (e, c) = err_of(f);
                ("RETRIABLE", Some(e), c)
            }
            (ExecutionStatus::Succeeded, Some(f)) => {
                let (e, c) = err_of(f);
                ("CAUGHT_ERROR", Some(e), c)
            }
            (ExecutionStatus::Succeeded, None) => ("SUCCEEDED", None, None),
            _ => ("FAILED", outcome.error.clone(), outcome.cause.clone()),
        };
        out.insert("status".into(), json!(status));
        if let Some(e) = error {
            out.insert("error".into(), json!(e));
        }
        if let Some(c) = cause {
            out.insert("cause".into(), json!(c));
        }
        if status == "SUCCEEDED" || status == "CAUGHT_ERROR" {
            let output = exited
                .and_then(|x| x.detail_str("output").map(str::to_owned))
                .or_else(|| outcome.output.as_ref().map(Value::to_string));
            if let Some(o) = output {
                out.insert("output".into(), json!(o));
            }
            if let Some(n) = next_state {
                out.insert("nextState".into(), json!(n));
            }
        }
        let level = input.inspection_level.as_deref().unwrap_or("INFO");
        if level == "DEBUG" || level == "TRACE" {
            let mut data = Map::new();
            data.insert("input".into(), json!(raw_text));
            let after_input = match &input_path {
                None => Some(raw.clone()),
                Some(Value::Null) => Some(json!({})),
                Some(Value::String(p)) if !p.starts_with("$$") => {
                    Path::parse(p).ok().and_then(|p| p.select(&raw).ok())
                }
                _ => None,
            };
            if let Some(v) = after_input {
                data.insert("afterInputPath".into(), json!(v.to_string()));
            }
            for e in &events {
                match e.event_type {
                    EventType::TaskScheduled => {
                        if let Some(p) = e.detail_str("parameters") {
                            data.insert("afterParameters".into(), json!(p));
                        }
                    }
                    EventType::LambdaFunctionScheduled => {
                        if let Some(p) = e.detail_str("input") {
                            data.insert("afterParameters".into(), json!(p));
                        }
                    }
                    EventType::TaskSucceeded | EventType::LambdaFunctionSucceeded => {
                        if let Some(p) = e.detail_str("output") {
                            data.insert("result".into(), json!(p));
                        }
                    }
                    _ => {}
                }
            }
            if output_path_absent && let Some(o) = out.get("output") {
                data.insert("afterResultPath".into(), o.clone());
            }
            out.insert("inspectionData".into(), Value::Object(data));
        }
        Ok(Value::Object(out))
    }
}
