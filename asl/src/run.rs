//! One-shot runs of a definition file, as `kdaflow asl run` does them (the CLI stays thin).

use std::sync::Arc;

use serde_json::Value;

use crate::clock::{SharedClock, SystemClock, VirtualClock};
use crate::error::AslError;
use crate::exec::{Execution, ExecutionConfig, ExecutionOutcome, Program};
use crate::history::HistoryEvent;
use crate::mock::{MockConfig, NoTasks};
use crate::task::TaskInvoker;

/// The start of virtual time for one-shot runs (fixed so outputs are reproducible).
pub const VIRTUAL_EPOCH_SECONDS: i64 = 1_700_000_000;

/// Options of a one-shot run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Execution input.
    pub input: Value,
    /// A Step Functions Local mock configuration.
    pub mock: Option<Value>,
    /// Test case: `Case` or `Machine#Case` (may be left out when the mock file holds one state
    /// machine with one test case).
    pub test_case: Option<String>,
    /// Wall-clock time instead of virtual time.
    pub real_time: bool,
}

/// What a one-shot run produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// How it ended.
    pub outcome: ExecutionOutcome,
    /// Every history event.
    pub history: Vec<HistoryEvent>,
}

/// Reads `--input`: JSON text, or `@path` to read it from a file.
pub fn parse_input(arg: &str) -> Result<Value, AslError> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| AslError::Input(format!("cannot read {path}: {e}")))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| AslError::Input(e.to_string()))
}

/// Validates, compiles and runs `definition` once.
pub async fn run_definition(
    definition: &Value,
    options: RunOptions,
) -> Result<RunReport, AslError> {
    let program = Arc::new(Program::from_json(definition)?);
    let invoker: Arc<dyn TaskInvoker> = match &options.mock {
        None => Arc::new(NoTasks),
        Some(mock) => {
            let cfg = MockConfig::from_json(mock)?;
            let (machine, case) = match options.test_case.as_deref().map(|t| t.split_once('#')) {
                Some(Some((m, c))) => (Some(m), Some(c)),
                Some(None) => (None, options.test_case.as_deref()),
                None => (None, None),
            };
            Arc::new(cfg.invoker(machine, case)?)
        }
    };
    let clock: SharedClock = if options.real_time {
        Arc::new(SystemClock)
    } else {
        Arc::new(VirtualClock::at_epoch_seconds(VIRTUAL_EPOCH_SECONDS))
    };
    let exec = Execution::new(program, invoker, clock, ExecutionConfig::default());
    let outcome = exec.run(options.input).await;
    Ok(RunReport {
        outcome,
        history: exec.history().events(),
    })
}
