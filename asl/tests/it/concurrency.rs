//! Map `MaxConcurrency` is honoured and outputs keep item order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_asl::error::StatesError;
use kdaflow_asl::exec::{Execution, ExecutionConfig, Program};
use kdaflow_asl::task::{TaskInvoker, TaskRequest};
use serde_json::{Value, json};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

fn virtual_clock() -> VirtualClock {
    VirtualClock::at_epoch_seconds(1_700_000_000)
}

/// Counts calls in flight at once.
#[derive(Debug, Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

#[async_trait]
impl TaskInvoker for InFlight {
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        for _ in 0..5 {
            tokio::task::yield_now().await;
        }
        self.now.fetch_sub(1, Ordering::SeqCst);
        Ok(request.input)
    }
}

#[tokio::test]
async fn map_max_concurrency_is_honoured() {
    for (limit, expected) in [(2, 2), (0, 6), (1, 1)] {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": limit, "End": true,
            "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}}}}});
        let invoker = Arc::new(InFlight::default());
        let exec = Execution::new(
            Arc::new(Program::from_json(&def).expect("valid")),
            invoker.clone(),
            Arc::new(virtual_clock()),
            ExecutionConfig::default(),
        );
        let outcome = exec.run(json!([1, 2, 3, 4, 5, 6])).await;
        assert_eq!(
            outcome.output,
            Some(json!([1, 2, 3, 4, 5, 6])),
            "outputs keep item order"
        );
        assert_eq!(
            invoker.max.load(Ordering::SeqCst),
            expected,
            "MaxConcurrency {limit}"
        );
    }
}

/// `(seconds since start, event type, state name)` of every event.
fn timeline(exec: &Execution) -> Vec<(i64, String, String)> {
    let start = exec.history().events()[0].timestamp;
    exec.history()
        .events()
        .iter()
        .map(|e| {
            let name = e
                .details
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (
                (e.timestamp - start).num_seconds(),
                e.event_type.as_str().to_owned(),
                name.to_owned(),
            )
        })
        .collect()
}

/// Many branches (past `try_join_all`'s small-size path) with waits in reverse order: each ends
/// at exactly its own offset, the history is in time order, and equal deadlines end
/// in a deterministic order (registration order), the same on every run.
#[tokio::test]
async fn many_parallel_branches_wake_earliest_first_and_deterministically() {
    let branches: Vec<Value> = (0..40)
        .map(|i| {
            let name = format!("W{i}");
            json!({"StartAt": name, "States": {name.clone(): {"Type": "Wait", "Seconds": (40 - i) / 2, "End": true}}})
        })
        .collect();
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}});
    let program = Arc::new(Program::from_json(&def).expect("valid"));
    let mut first = None;
    for _ in 0..3 {
        let exec = Execution::new(
            program.clone(),
            Arc::new(kdaflow_asl::mock::NoTasks),
            Arc::new(virtual_clock()),
            ExecutionConfig::default(),
        );
        let outcome = exec.run(json!({})).await;
        assert_eq!((outcome.stop_date - outcome.start_date).num_seconds(), 20);
        let events = timeline(&exec);
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "{events:?}");
        let exits: Vec<_> = events.iter().filter(|e| e.1 == "WaitStateExited").collect();
        assert_eq!(exits.len(), 40);
        for (secs, _, name) in &exits {
            let i: i64 = name[1..].parse().expect("index");
            assert_eq!(*secs, (40 - i) / 2, "{name}");
        }
        match &first {
            None => first = Some(events),
            Some(f) => assert_eq!(f, &events, "deterministic"),
        }
    }
}

/// Task work that takes real time but none on the clock (yields) holds virtual time back: a
/// sibling's Wait does not move the clock while the task is busy.
#[tokio::test]
async fn busy_task_in_a_branch_holds_virtual_time() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "Next": "After"},
            "After": {"Type": "Wait", "Seconds": 1, "End": true}}},
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}}]}}});
    let exec = Execution::new(
        Arc::new(Program::from_json(&def).expect("valid")),
        Arc::new(InFlight::default()),
        Arc::new(virtual_clock()),
        ExecutionConfig::default(),
    );
    exec.run(json!({"v": 1})).await;
    let events = timeline(&exec);
    let at = |t: &str, name: &str| {
        events
            .iter()
            .find(|e| e.1 == t && (name.is_empty() || e.2 == name))
            .map(|e| e.0)
    };
    assert_eq!(at("TaskSucceeded", ""), Some(0), "{events:?}");
    assert_eq!(at("WaitStateExited", "After"), Some(1), "{events:?}");
    assert_eq!(at("WaitStateExited", "W"), Some(5), "{events:?}");
}
