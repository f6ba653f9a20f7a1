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
mod executions;
mod history;
mod machines;
pub mod model;
pub mod sdk;
mod test_state;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use indexmap::IndexMap;
use kdaflow_asl::Program;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::task::{Integrations, TaskInvoker};
use parking_lot::RwLock;
use serde::Serialize;

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::gateway::{Service, ServiceFuture};
use crate::lambda::LambdaRegistry;
use crate::protocol::{AwsError, JsonVersion, parse_body, to_body};
use crate::store::Store;

pub(crate) use arns::{offset as page_offset, token as page_token};
pub use executions::ExecEntry;
use machines::MachineEntry;
pub use model::{ExecutionDescription, MachineType, Status};

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "AWSStepFunctions";
/// The service name (signing name, fault injection).
pub const SERVICE_NAME: &str = "states";

/// The operations served.
pub const OPERATIONS: [&str; 14] = [
    "CreateStateMachine",
    "DeleteStateMachine",
    "DescribeExecution",
    "DescribeStateMachine",
    "GetExecutionHistory",
    "ListExecutions",
    "ListStateMachines",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "TestState",
    "UpdateStateMachine",
    "ValidateStateMachineDefinition",
    "DescribeStateMachineForExecution",
];

/// The Step Functions service of the twin.
#[derive(Debug)]
pub struct StepFunctions {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    invoker: Arc<dyn TaskInvoker>,
    machines: RwLock<IndexMap<String, Arc<MachineEntry>>>,
    /// Standard executions by ARN, in start order.
    executions: RwLock<IndexMap<String, Arc<ExecEntry>>>,
    /// Programs compiled from definitions recorded by executions (a restart may find an
    /// execution whose machine has since been updated or deleted).
    programs: RwLock<HashMap<String, Arc<Program>>>,
}

impl StepFunctions {
    /// The service, with the state machines and executions found in `store` (RUNNING ones are
    /// not resumed until [`StepFunctions::resume_running`] is called, inside a Tokio runtime).
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        lambda: Arc<LambdaRegistry>,
        sdk: Arc<sdk::TwinSdk>,
    ) -> Result<Self, LocalError> {
        let invoker: Arc<dyn TaskInvoker> = Arc::new(Integrations {
            lambda,
            sdk: Some(sdk),
        });
        let service = Self {
            config,
            clock,
            store,
            invoker,
            machines: RwLock::new(IndexMap::new()),
            executions: RwLock::new(IndexMap::new()),
            programs: RwLock::new(HashMap::new()),
        };
        service.load()?;
        Ok(service)
    }

    fn dispatch(self: &Arc<Self>, operation: &str, body: &[u8]) -> Result<Bytes, AwsError> {
        match operation {
            "CreateStateMachine" => to_body(&self.create_state_machine(parse_body(body)?)?),
            "DescribeStateMachine" => self.describe_state_machine_body(parse_body(body)?),
            "DescribeStateMachineForExecution" => {
                self.describe_state_machine_for_execution(parse_body(body)?)
            }
            "ListStateMachines" => self.list_state_machines(parse_body(body)?),
            "UpdateStateMachine" => self.update_state_machine(parse_body(body)?),
            "DeleteStateMachine" => self.delete_state_machine(parse_body(body)?),
            "ValidateStateMachineDefinition" => self.validate_definition(parse_body(body)?),
            "StartExecution" => to_body(&self.start_execution(parse_body(body)?)?),
            "DescribeExecution" => to_body(&self.describe_execution_input(parse_body(body)?)?),
            "ListExecutions" => self.list_executions(parse_body(body)?),
            "GetExecutionHistory" => self.get_execution_history(parse_body(body)?),
            other => Err(AwsError::unknown_operation(&format!(
                "{TARGET_PREFIX}.{other}"
            ))),
        }
    }
}

impl Service for StepFunctions {
    fn name(&self) -> &'static str {
        SERVICE_NAME
    }

    fn target_prefix(&self) -> &'static str {
        TARGET_PREFIX
    }

    fn json_version(&self) -> JsonVersion {
        JsonVersion::V1_0
    }

    fn call(self: Arc<Self>, operation: &str, body: Bytes) -> ServiceFuture {
        // The operations that wait for an execution are async; the rest answer at once.
        match operation {
            "StartSyncExecution" => Box::pin(async move {
                let input = parse_body(&body)?;
                to_body(&self.start_sync_execution(input).await?)
            }),
            "StopExecution" => Box::pin(async move {
                let input = parse_body(&body)?;
                to_body(&self.stop_execution(input).await?)
            }),
            "TestState" => Box::pin(async move {
                let input = parse_body(&body)?;
                to_body(&self.test_state(input).await?)
            }),
            _ => {
                let result = self.dispatch(operation, &body);
                Box::pin(std::future::ready(result))
            }
        }
    }
}

/// Whether `arn` is a state machine ARN (what EventBridge targets may name).
pub fn is_state_machine_arn(arn: &str) -> bool {
    arns::check_machine_arn(arn).is_ok()
}

/// Milliseconds since the epoch as the protocol's epoch seconds.
pub(crate) fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// A `ValidationException` for a missing required member, worded as the service's front end
/// words it.
pub(crate) fn required<T: Clone>(path: &str, value: &Option<T>) -> Result<T, AwsError> {
    value.clone().ok_or_else(|| {
        AwsError::client(
            "ValidationException",
            format!(
                "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
            ),
        )
    })
}

/// Serialises a JSON value as the body.
pub(crate) fn json_body<T: Serialize>(value: &T) -> Result<Bytes, AwsError> {
    to_body(value)
}
