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
