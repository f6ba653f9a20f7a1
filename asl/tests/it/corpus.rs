//! Drives the conformance corpus.
//!
//! Each file holds an array of cases:
//! `{name, provenance, definition, input, mocks?, taskSeconds?, expected: {output} | {error,
//! cause?, causeContains?} | {status}, history?: [event types], timeline?: ["id prev +secs Type"],
//! elapsedSeconds?}`.
//! `mocks` uses the `MockedResponses` shape of Step Functions Local keyed by state name;
//! `taskSeconds` (state name -> seconds) makes that state's task work take so long on the
//! execution's virtual clock before it answers; `timeline` checks ids, previousEventIds and
//! seconds since the start of every event.

use std::sync::Arc;

use async_trait::async_trait;
use kdaflow_asl::clock::{Clock, VirtualClock};
use kdaflow_asl::error::StatesError;
use kdaflow_asl::exec::{Execution, ExecutionConfig, ExecutionStatus, Program};
use kdaflow_asl::mock::{MockConfig, NoTasks};
use kdaflow_asl::task::{TaskInvoker, TaskRequest};
use serde_json::{Value, json};

const START: i64 = 1_700_000_000;

fn invoker(case: &Value) -> Arc<dyn TaskInvoker> {
    let Some(mocks) = case.get("mocks").and_then(Value::as_object) else {
        return Arc::new(NoTasks);
    };
    let mut test_case = serde_json::Map::new();
    let mut responses = serde_json::Map::new();
    for (state, answers) in mocks {
        test_case.insert(state.clone(), json!(format!("R{state}")));
        responses.insert(format!("R{state}"), answers.clone());
    }
    let cfg = json!({
        "StateMachines": {"M": {"TestCases": {"T": test_case}}},
        "MockedResponses": responses,
    });
    Arc::new(
        MockConfig::from_json(&cfg)
            .expect("mock config")
            .invoker(None, None)
            .expect("test case"),
    )
}

/// Task work that takes `seconds[state]` on the virtual clock before the inner invoker answers.
#[derive(Debug)]
struct Slow {
    inner: Arc<dyn TaskInvoker>,
    clock: VirtualClock,
    seconds: serde_json::Map<String, Value>,
}

#[async_trait]
impl TaskInvoker for Slow {
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError> {
        if let Some(s) = self
            .seconds
            .get(&request.state_name)
            .and_then(Value::as_i64)
        {
            self.clock.sleep(chrono::Duration::seconds(s)).await;
        }
        self.inner.invoke(request).await
    }
}

async fn run_case(case: &Value) -> Result<(), String> {
    let program =
        Program::from_json(&case["definition"]).map_err(|e| format!("does not load: {e}"))?;
    let clock = VirtualClock::at_epoch_seconds(START);
    let mut tasks = invoker(case);
    if let Some(seconds) = case.get("taskSeconds").and_then(Value::as_object) {
        tasks = Arc::new(Slow {
            inner: tasks,
            clock: clock.clone(),
            seconds: seconds.clone(),
        });
    }
    let exec = Execution::new(
        Arc::new(program),
        tasks,
        Arc::new(clock.clone()),
        ExecutionConfig::named("CorpusMachine", "case"),
    );
    let outcome = exec
        .run(case.get("input").cloned().unwrap_or(json!({})))
        .await;
    let expected = &case["expected"];
    let mut errors = Vec::new();
    if let Some(out) = expected.get("output") {
        if outcome.status != ExecutionStatus::Succeeded {
            errors.push(format!(
                "expected success, got {:?} {:?}: {:?}",
                outcome.status, outcome.error, outcome.cause
            ));
        } else if outcome.output.as_ref() != Some(out) {
            errors.push(format!(
                "output {} != expected {out}",
                outcome.output.clone().unwrap_or_default()
            ));
        }
    }
    if let Some(err) = expected.get("error").and_then(Value::as_str)
        && outcome.error.as_deref() != Some(err)
    {
        errors.push(format!(
            "error {:?} != expected {err} (status {:?}, cause {:?})",
            outcome.error, outcome.status, outcome.cause
        ));
    }
    if let Some(cause) = expected.get("cause") {
        let got = outcome
            .cause
            .clone()
            .map(Value::String)
            .unwrap_or(Value::Null);
        if &got != cause {
            errors.push(format!("cause {got} != expected {cause}"));
        }
    }
    if let Some(part) = expected.get("causeContains").and_then(Value::as_str)
        && !outcome.cause.as_deref().unwrap_or("").contains(part)
    {
        errors.push(format!(
            "cause {:?} does not contain {part:?}",
            outcome.cause
        ));
    }
    if let Some(status) = expected.get("status").and_then(Value::as_str) {
        let got = serde_json::to_value(outcome.status).unwrap_or_default();
        if got != status {
            errors.push(format!("status {got} != expected {status}"));
        }
    }
    if let Some(types) = case.get("history").and_then(Value::as_array) {
        let got: Vec<Value> = exec
            .history()
            .events()
            .iter()
            .map(|e| json!(e.event_type.as_str()))
            .collect();
        if &got != types {
            errors.push(format!(
                "history {} != expected {}",
                json!(got),
                json!(types)
            ));
        }
    }
    if let Some(lines) = case.get("timeline").and_then(Value::as_array) {
        let got: Vec<Value> = exec
            .history()
            .events()
            .iter()
            .map(|e| {
                let ms = e.timestamp.timestamp_millis() - START * 1000;
                json!(format!(
                    "{} {} +{} {}",
                    e.id,
                    e.previous_event_id,
                    ms as f64 / 1000.0,
                    e.event_type.as_str()
                ))
            })
            .collect();
        if &got != lines {
            errors.push(format!(
                "timeline {} != expected {}",
                json!(got),
                json!(lines)
            ));
        }
    }
    if let Some(secs) = case.get("elapsedSeconds").and_then(Value::as_i64) {
        let got = clock.now().timestamp() - START;
        if got != secs {
            errors.push(format!("virtual time advanced {got}s, expected {secs}s"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[tokio::test]
async fn corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let (mut passed, mut failures) = (0usize, Vec::new());
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(file).expect("read");
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in &cases {
            let name = format!(
                "{}::{}",
                file.file_name().unwrap_or_default().to_string_lossy(),
                case["name"].as_str().unwrap_or("?")
            );
            assert!(
                case.get("provenance")
                    .and_then(Value::as_str)
                    .is_some_and(|p| !p.is_empty()),
                "{name}: provenance missing"
            );
            assert!(case.get("expected").is_some(), "{name}: expected missing");
            match run_case(case).await {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    println!("corpus: {passed} cases passed");
    assert!(
        failures.is_empty(),
        "{} corpus case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0, "the corpus is empty");
}

/// Every corpus definition loads and writes back as the same JSON value.
#[test]
fn corpus_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut count = 0;
    for file in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
        let text = std::fs::read_to_string(file.path()).expect("read");
        let cases: Vec<Value> = serde_json::from_str(&text).expect("json");
        for case in cases {
            let def = &case["definition"];
            let model = kdaflow_asl::model::StateMachine::from_json(def)
                .unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
            assert_eq!(
                &model.to_json(),
                def,
                "{} does not round-trip",
                case["name"]
            );
            count += 1;
        }
    }
    assert!(count > 0);
}
