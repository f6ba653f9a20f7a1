//! AWS Step Functions (`AWSStepFunctions`, awsJson1_0) on the twin, running definitions with
//! the `kdaflow-asl` interpreter.
//!
//! Layout:
//! - [`model`]: wire shapes, which are also the in-process API's inputs.
//! - `machines`: Create/Describe/List/Update/Delete/ValidateStateMachineDefinition.
//! - `executions`: StartExecution, StartSyncExecution, Describe/List/StopExecution, and the
//!   runner that drives each execution in a Tokio task on the twin's clock.
//! - `history`: GetExecutionHistory.
//! - `durable`: the event sink writing every history event to the store, and recovery of
//!   RUNNING executions after a restart (`Execution::resume`, no completed task re-run).
//! - `test_state`: TestState.
//! - [`sdk`]: `aws-sdk:<service>:<action>` task calls dispatched in-process to the twin's
//!   services.
//! - `arns`: names, ARNs and pagination tokens.
//!
//! In-process use (what `kdaflow serve` provisioning and tests do):
//!
//! ```no_run
//! # async fn demo(twin: &kdaflow_local::Twin) -> Result<(), kdaflow_local::protocol::AwsError> {
//! use kdaflow_local::states::model::*;
//! let created = twin.states().create_state_machine(CreateStateMachineInput {
//!     name: Some("Bootstrap".into()),
//!     definition: Some(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into()),
//!     role_arn: Some("arn:aws:iam::000000000000:role/StepFunctions".into()),
//!     ..Default::default()
//! })?;
//! let started = twin.states().start_execution(StartExecutionInput {
//!     state_machine_arn: Some(created.state_machine_arn),
//!     input: Some("{}".into()),
//!     ..Default::default()
//! })?;
//! let ended = twin.states().wait(&started.execution_arn).await?;
//! assert_eq!(ended.status, Status::Succeeded);
//! # Ok(()) }
//! ```
//!
//! Locks: `machines` and `executions` are independent maps; a machine's entry is never locked
//! while an execution's is. Stored records are written before the in-memory state changes.

mod arns;
mod durable;
pub mod error;
mod executions;
mod history;
mod machines;
mod map_runs;
pub mod model;
pub mod sdk;
mod test_state;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::Program;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::task::{Integrations, TaskInvoker};
use parking_lot::RwLock;
use serde::Serialize;

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::lambda::Lambda;
use crate::protocol::{AwsError, JsonVersion, parse_body, to_body};
use crate::resources::{Record, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;
use crate::validation::Constraints;

pub(crate) use arns::{offset as page_offset, token as page_token};
pub use error::StatesError;
pub use executions::{ExecRuntime, ExecutionRecord, HistoryChange};
pub use machines::{MachineEntry, MachineRecord};
pub use model::{ExecutionDescription, MachineType, Status};

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "AWSStepFunctions";
/// The service name (signing name, fault injection).
pub const SERVICE_NAME: &str = "states";

impl Record for MachineRecord {}
impl Record for ExecutionRecord {}

/// The Step Functions service of the twin.
#[derive(Debug)]
pub struct StepFunctions {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    invoker: Arc<dyn TaskInvoker>,
    /// State machines by name, each with its compiled program (`None`: a stored definition
    /// that no longer validates; such a machine is treated as absent).
    machines: Table<MachineRecord, Option<Arc<Program>>>,
    /// STANDARD executions by ARN, in start order; the runner tasks hold the table too.
    executions: Arc<Table<ExecutionRecord, ExecRuntime>>,
    /// Programs compiled from definitions recorded by executions (a restart may find an
    /// execution whose machine has since been updated or deleted).
    programs: RwLock<HashMap<String, Arc<Program>>>,
    /// Every history event recorded and every execution's end, for live viewers (the console).
    changes: tokio::sync::broadcast::Sender<executions::HistoryChange>,
}

impl StepFunctions {
    /// Every history event of a STANDARD execution as it is recorded, and each execution's
    /// end once DescribeExecution answers it (a receiver that lags misses changes, and is
    /// told so by `RecvError::Lagged`: re-read what it shows).
    pub fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<HistoryChange> {
        self.changes.subscribe()
    }

    /// The service, with the state machines and executions found in `store` (RUNNING ones are
    /// not resumed until [`StepFunctions::resume_running`] is called, inside a Tokio runtime).
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        lambda: Arc<Lambda>,
        sdk: Arc<sdk::TwinSdk>,
    ) -> Result<Self, LocalError> {
        let invoker: Arc<dyn TaskInvoker> = Arc::new(Integrations {
            lambda,
            sdk: Some(sdk),
        });
        let machines = machines::load(&store, &clock)?;
        let executions = Arc::new(durable::load_executions(&store, &clock)?);
        Ok(Self {
            config,
            clock,
            store,
            invoker,
            machines,
            executions,
            programs: RwLock::new(HashMap::new()),
            changes: tokio::sync::broadcast::channel(4096).0,
        })
    }
}

impl Operations for StepFunctions {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_0,
        target_prefix: TARGET_PREFIX,
    };
    /// The model's operations; activities, callbacks, versions, aliases, UpdateMapRun, redrive
    /// and tags are not served (README, "Known divergences").
    const TABLE: &'static [Operation<Self>] = &[
        Operation::not_implemented("CreateActivity"),
        Operation::sync("CreateStateMachine", |s, b| {
            to_body(&s.create_state_machine(parse_body(b)?)?)
        }),
        Operation::not_implemented("CreateStateMachineAlias"),
        Operation::not_implemented("DeleteActivity"),
        Operation::sync("DeleteStateMachine", |s, b| {
            s.delete_state_machine(parse_body(b)?)
        }),
        Operation::not_implemented("DeleteStateMachineAlias"),
        Operation::not_implemented("DeleteStateMachineVersion"),
        Operation::not_implemented("DescribeActivity"),
        Operation::sync("DescribeExecution", |s, b| {
            to_body(&s.describe_execution_input(parse_body(b)?)?)
        }),
        Operation::sync("DescribeMapRun", |s, b| s.describe_map_run(parse_body(b)?)),
        Operation::sync("DescribeStateMachine", |s, b| {
            s.describe_state_machine_body(parse_body(b)?)
        }),
        Operation::not_implemented("DescribeStateMachineAlias"),
        Operation::sync("DescribeStateMachineForExecution", |s, b| {
            s.describe_state_machine_for_execution(parse_body(b)?)
        }),
        Operation::not_implemented("GetActivityTask"),
        Operation::sync("GetExecutionHistory", |s, b| {
            s.get_execution_history(parse_body(b)?)
        }),
        Operation::not_implemented("ListActivities"),
        Operation::sync("ListExecutions", |s, b| s.list_executions(parse_body(b)?)),
        Operation::sync("ListMapRuns", |s, b| s.list_map_runs(parse_body(b)?)),
        Operation::not_implemented("ListStateMachineAliases"),
        Operation::sync("ListStateMachines", |s, b| {
            s.list_state_machines(parse_body(b)?)
        }),
        Operation::not_implemented("ListStateMachineVersions"),
        Operation::not_implemented("ListTagsForResource"),
        Operation::not_implemented("PublishStateMachineVersion"),
        Operation::not_implemented("RedriveExecution"),
        Operation::not_implemented("SendTaskFailure"),
        Operation::not_implemented("SendTaskHeartbeat"),
        Operation::not_implemented("SendTaskSuccess"),
        Operation::sync("StartExecution", |s, b| {
            to_body(&s.start_execution(parse_body(b)?)?)
        }),
        // The operations that wait for an execution answer later.
        Operation::asynch("StartSyncExecution", |s, b| {
            Box::pin(async move { to_body(&s.start_sync_execution(parse_body(&b)?).await?) })
        }),
        Operation::asynch("StopExecution", |s, b| {
            Box::pin(async move { to_body(&s.stop_execution(parse_body(&b)?).await?) })
        }),
        Operation::not_implemented("TagResource"),
        Operation::asynch("TestState", |s, b| {
            Box::pin(async move { to_body(&s.test_state(parse_body(&b)?).await?) })
        }),
        Operation::not_implemented("UntagResource"),
        Operation::not_implemented("UpdateMapRun"),
        Operation::sync("UpdateStateMachine", |s, b| {
            s.update_state_machine(parse_body(b)?)
        }),
        Operation::not_implemented("UpdateStateMachineAlias"),
        Operation::sync("ValidateStateMachineDefinition", |s, b| {
            s.validate_definition(parse_body(b)?)
        }),
    ];
}

/// Whether `arn` is a state machine ARN (what EventBridge targets may name).
pub fn is_state_machine_arn(arn: &str) -> bool {
    arns::check_machine_arn(arn).is_ok()
}

pub(crate) use crate::protocol::epoch_seconds;

/// Step Functions' ARN members: required, 1-256 characters (the model's `Arn` shape).
pub(crate) fn arn_member<'a>(
    c: &mut Constraints,
    path: &str,
    value: &'a Option<String>,
) -> Option<&'a String> {
    let v = c.required(path, value)?;
    c.len(path, v, 1, 256);
    Some(v)
}

/// Checks the members of a request that names one resource by ARN; returns the ARN.
pub(crate) fn only_arn(path: &str, value: &Option<String>) -> Result<String, AwsError> {
    let mut c = Constraints::default();
    let arn = arn_member(&mut c, path, value).cloned();
    c.finish()?;
    Ok(arn.unwrap_or_default())
}

/// Serialises a JSON value as the body.
pub(crate) fn json_body<T: Serialize>(value: &T) -> Result<Bytes, AwsError> {
    to_body(value)
}
