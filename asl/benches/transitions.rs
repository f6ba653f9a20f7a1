//! State transitions per second, single thread, history recorded.
//!
//! Run with `cargo bench -p kdaflow-asl`. Scenarios (issue 3): a 1,000-state Pass chain with
//! Parameters, a Choice loop counting to 100,000 with `States.MathAdd`, and a Map over 10,000
//! items. A transition is one state entered (one `...StateEntered` history event).

use std::sync::Arc;
use std::time::Instant;

use kdaflow_asl::clock::VirtualClock;
use kdaflow_asl::exec::{Execution, ExecutionConfig, ExecutionStatus, Program};
use kdaflow_asl::history::HistoryEvent;
use kdaflow_asl::mock::NoTasks;
use serde_json::{Map, Value, json};

/// The target for the first two scenarios.
const TARGET_PER_SECOND: f64 = 250_000.0;

fn pass_chain(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let mut s =
            json!({"Type": "Pass", "Parameters": {"i.$": "$.i", "step": i, "tag": "chain"}});
        if i + 1 == n {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("S{}", i + 1));
        }
        states.insert(format!("S{i}"), s);
    }
    json!({"StartAt": "S0", "States": states})
}

fn choice_loop(limit: u64) -> Value {
    json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": limit, "Next": "Inc"}], "Default": "Done"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"}}})
}

fn map_over() -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {"x.$": "$.v"}, "End": true}}}}}})
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn transitions(events: &[HistoryEvent]) -> usize {
    events
        .iter()
        .filter(|e| e.event_type.as_str().ends_with("StateEntered"))
        .count()
}

async fn scenario(name: &str, def: Value, input: Value, runs: usize, target: Option<f64>) {
    let program = Arc::new(Program::from_json(&def).expect("valid definition"));
    let (mut total, mut events, mut elapsed) = (0usize, 0usize, 0f64);
    for _ in 0..runs {
        let exec = Execution::new(
            program.clone(),
            Arc::new(NoTasks),
            Arc::new(VirtualClock::at_epoch_seconds(1_700_000_000)),
            ExecutionConfig::default(),
        );
        let start = Instant::now();
        let outcome = exec.run(input.clone()).await;
        elapsed += start.elapsed().as_secs_f64();
        assert_eq!(
            outcome.status,
            ExecutionStatus::Succeeded,
            "{name}: {outcome:?}"
        );
        total += exec.history().with_events(transitions);
        events += exec.history().len();
    }
    let rate = total as f64 / elapsed;
    let verdict = match target {
        Some(t) if rate >= t => format!(" (target {t:.0}/s: met)"),
        Some(t) => format!(" (target {t:.0}/s: NOT met)"),
        None => String::new(),
    };
    println!(
        "{name:<34} {total:>9} transitions {events:>9} events {elapsed:>7.3} s {rate:>12.0} transitions/s{verdict}; peak RSS {} KiB",
        peak_rss_kib().map_or("?".into(), |k| k.to_string())
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!(
            "kdaflow-asl transitions benchmark (single thread, history recorded, virtual clock)"
        );
        scenario(
            "pass chain 1,000 states x 100 runs",
            pass_chain(1000),
            json!({"i": 1}),
            100,
            Some(TARGET_PER_SECOND),
        )
        .await;
        scenario(
            "choice loop to 100,000 (MathAdd)",
            choice_loop(100_000),
            json!({}),
            1,
            Some(TARGET_PER_SECOND),
        )
        .await;
        let items: Vec<Value> = (0..10_000).map(|i| json!({"n": i})).collect();
        scenario(
            "map over 10,000 items",
            map_over(),
            json!({"items": items}),
            1,
            None,
        )
        .await;
    });
}
