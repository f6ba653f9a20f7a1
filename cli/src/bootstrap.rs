//! The bootstrap on the local twin: the twin on loopback, the four task handlers registered as
//! its Lambda functions (each calling the twin's Kinesis Analytics API over HTTP with the real
//! SDK client, as it calls AWS in Lambda), and the bootstrap state machine — the very JSON the
//! CloudFormation stack deploys, with its `${...FunctionArn}` substituted — run by the `asl`
//! interpreter on the twin's clock.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::exec::{Execution, ExecutionConfig, ExecutionOutcome, Program};
use kdaflow_asl::history::{EventSink, HistoryEvent};
use kdaflow_asl::task::{Integrations, LambdaError};
use kdaflow_handlers::{Kda, TaskFailure};
use kdaflow_local::lambda::function;
use kdaflow_local::{RunningTwin, Twin, TwinConfig};
use kdaflow_workflow::contract::{self, TaskFunction};
use kdaflow_workflow::machine;
use kdaflow_workflow::prerequisites::Prerequisites;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The state machine's name on the twin.
pub const STATE_MACHINE_NAME: &str = "kdaflow-bootstrap";

/// A Kinesis Analytics client for the twin at `endpoint`.
///
/// SDK-level retries are off: the state machine's `Retry` decides (on the twin's clock, so
/// virtual time stays virtual); in Lambda the SDK's standard retries stay on.
pub fn twin_client(endpoint: &str, region: &str) -> Kda {
    use aws_sdk_kinesisanalytics::config::{
        BehaviorVersion, Credentials, Region, retry::RetryConfig,
    };
    let config = aws_sdk_kinesisanalytics::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "kdaflow",
            "kdaflow",
            None,
            None,
            "kdaflow-twin",
        ))
        .retry_config(RetryConfig::disabled())
        .build();
    Kda::from_conf(config)
}

fn to_lambda_error(f: TaskFailure) -> LambdaError {
    LambdaError {
        error_type: Some(f.error_type.to_string()),
        error_message: f.message,
    }
}

fn decode<I: DeserializeOwned>(task: &str, payload: Value) -> Result<I, LambdaError> {
    serde_json::from_value(payload).map_err(|e| LambdaError {
        error_type: Some(contract::errors::INPUT_INVALID.to_string()),
        error_message: format!("{task}: the event is not what the task expects: {e}"),
    })
}

fn encode<O: Serialize>(value: O) -> Result<Value, LambdaError> {
    serde_json::to_value(value).map_err(|e| LambdaError {
        error_type: Some("Runtime.SerializationError".to_string()),
        error_message: e.to_string(),
    })
}

fn register<I, O, F, Fut>(twin: &Twin, task: TaskFunction, kda: &Kda, handler: F) -> String
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(Kda, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O, TaskFailure>> + Send + 'static,
{
    let kda = kda.clone();
    twin.lambda().register(
        task.name,
        function(task.name, move |payload| {
            let (kda, handler) = (kda.clone(), handler.clone());
            async move {
                let input = decode::<I>(task.name, payload)?;
                let output = handler(kda, input).await.map_err(to_lambda_error)?;
                encode(output)
            }
        }),
    )
}

/// Registers the task functions on `twin` (calling its gateway at `endpoint`) and returns the
/// bootstrap definition with their ARNs substituted, as the stack's `DefinitionSubstitutions`
/// do on AWS.
pub fn register_tasks_and_define(twin: &Twin, endpoint: &str) -> String {
    let kda = twin_client(endpoint, &twin.config().region);
    let substitutions = register_tasks(twin, &kda);
    let pairs: Vec<(&str, &str)> = substitutions
        .iter()
        .map(|(v, a)| (*v, a.as_str()))
        .collect();
    machine::substitute(&machine::definition_json(), &pairs)
}

/// Registers the four task handlers as Lambda functions of `twin`, calling Kinesis Analytics
/// through `kda`. Returns (definition variable, function ARN) pairs — the
/// `DefinitionSubstitutions` of the twin.
pub fn register_tasks(twin: &Twin, kda: &Kda) -> Vec<(&'static str, String)> {
    use kdaflow_handlers::{check, create, start, validate};
    vec![
        (
            contract::VALIDATE.variable,
            register(twin, contract::VALIDATE, kda, |_kda, event: Value| {
                validate::validate_prerequisites(event)
            }),
        ),
        (
            contract::CREATE.variable,
            register(twin, contract::CREATE, kda, |kda, request| async move {
                create::create_application(&kda, request).await
            }),
        ),
        (
            contract::START.variable,
            register(twin, contract::START, kda, |kda, input| async move {
                start::start_application(&kda, input).await
            }),
        ),
        (
            contract::CHECK.variable,
            register(twin, contract::CHECK, kda, |kda, input| async move {
                check::check_application_status(&kda, input).await
            }),
        ),
    ]
}

/// Validates a rendered spec's SQL as the twin's Kinesis Analytics service would: against the
/// in-application streams its input creates and the names of its outputs.
pub fn validate_code(spec: &kdaflow_workflow::spec::ApplicationSpec) -> Result<(), String> {
    let columns: Vec<kdaflow_sql::RecordColumn> = spec
        .input
        .schema
        .columns()
        .iter()
        .map(|c| kdaflow_sql::RecordColumn {
            name: c.name.clone(),
            sql_type: c.sql_type.clone(),
            mapping: c.mapping.clone(),
        })
        .collect();
    let inputs: Vec<kdaflow_sql::InAppStream> = (1..=spec.input.parallelism.max(1))
        .map(|i| kdaflow_sql::InAppStream {
            name: format!("{}_{i:03}", spec.input.name_prefix),
            columns: columns.clone(),
        })
        .collect();
    let outputs: Vec<String> = spec.outputs.iter().map(|o| o.name.clone()).collect();
    kdaflow_sql::validate(&kdaflow_sql::ValidationRequest {
        code: &spec.code,
        inputs: &inputs,
        reference: None,
        outputs: &outputs,
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The delivery stream and stream the reference prerequisites name.
pub const FIREHOSE_NAME: &str = "dsoaws-kinesis-data-firehose";
/// The Kinesis stream for the distinct counts.
pub const STREAM_NAME: &str = "dsoaws-kinesis-data-stream";

/// Calls a twin service in-process; "already exists" is fine (the resource is there).
async fn ensure(
    service: Arc<dyn kdaflow_local::gateway::Service>,
    operation: &str,
    body: Value,
) -> anyhow::Result<()> {
    match service
        .call(operation, bytes::Bytes::from(body.to_string()))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.code == "ResourceInUseException" => Ok(()),
        Err(e) => Err(anyhow::anyhow!("{operation} failed on the twin: {e}")),
    }
}

/// Creates the stand-ins for the seven prerequisites on `twin`: the Firehose delivery stream
/// the application reads, the Kinesis stream it writes, and the three Lambda functions (the
/// IAM roles are only ARNs: the twin does not model IAM). Idempotent.
pub async fn provision_prerequisites(
    twin: &Twin,
) -> anyhow::Result<kdaflow_local::standins::ReferenceStandins> {
    let account = &twin.config().account_id;
    ensure(
        twin.firehose().clone(),
        "CreateDeliveryStream",
        serde_json::json!({
            "DeliveryStreamName": FIREHOSE_NAME,
            "DeliveryStreamType": "DirectPut",
            "ExtendedS3DestinationConfiguration": {
                "RoleARN": format!("arn:aws:iam::{account}:role/DSOAWS_Kinesis"),
                "BucketARN": "arn:aws:s3:::dsoaws-kinesis-data-firehose-archive"
            }
        }),
    )
    .await?;
    ensure(
        twin.kinesis().clone(),
        "CreateStream",
        serde_json::json!({"StreamName": STREAM_NAME, "ShardCount": 1}),
    )
    .await?;
    Ok(kdaflow_local::standins::register_reference(twin))
}

/// The twin with the bootstrap ready to run.
#[derive(Debug)]
pub struct LocalBootstrap {
    /// The twin, serving on loopback.
    pub running: RunningTwin,
    /// The compiled state machine (the deployed JSON with the twin's function ARNs).
    pub program: Arc<Program>,
    /// The definition text that was compiled.
    pub definition: String,
    /// Stand-in prerequisites in the twin's account and region.
    pub prerequisites: Prerequisites,
    /// The stand-in functions (what the application delivered to them).
    pub standins: kdaflow_local::standins::ReferenceStandins,
    clock: SharedClock,
}

impl LocalBootstrap {
    /// Starts the twin on `127.0.0.1:port` (0: any free port) with `clock` and registers the
    /// task functions.
    pub async fn start(config: TwinConfig, clock: SharedClock, port: u16) -> anyhow::Result<Self> {
        // Resource checks on: a start fails, as on AWS, when the input stream, the preprocessing
        // function or a destination is missing — the stand-ins below provide them.
        let twin = Twin::builder(config.clone())
            .clock(clock.clone())
            .resource_checks(true)
            .resume_executions(false)
            .build()
            .context("cannot start the twin")?;
        let standins = provision_prerequisites(&twin).await?;
        let running = twin
            .spawn(port)
            .await
            .context("cannot start the twin's gateway")?;
        let definition = register_tasks_and_define(running.twin(), &running.endpoint_url());
        let json: Value =
            serde_json::from_str(&definition).context("the substituted definition is not JSON")?;
        let program = Program::from_json(&json)
            .map_err(|e| anyhow::anyhow!("the bootstrap definition does not compile: {e}"))?;
        Ok(Self {
            prerequisites: Prerequisites::example(&config.region, &config.account_id),
            standins,
            running,
            program: Arc::new(program),
            definition,
            clock,
        })
    }

    /// The twin.
    pub fn twin(&self) -> &Twin {
        self.running.twin()
    }

    /// The execution input naming the stand-in prerequisites, plus `overrides`' members.
    pub fn input(&self, overrides: Value) -> Value {
        let mut input = serde_json::to_value(&self.prerequisites).unwrap_or_default();
        if let (Some(i), Value::Object(o)) = (input.as_object_mut(), overrides) {
            i.extend(o);
        }
        input
    }

    /// Runs one execution named `name` to its end; `sink` sees every history event as it
    /// happens. Returns the outcome and the whole history.
    pub async fn execute(
        &self,
        name: &str,
        input: Value,
        sink: Option<Arc<dyn EventSink>>,
    ) -> (ExecutionOutcome, Vec<HistoryEvent>) {
        let config = self.twin().config();
        let mut exec_config = ExecutionConfig::named(STATE_MACHINE_NAME, name);
        exec_config.execution_arn = format!(
            "arn:aws:states:{}:{}:execution:{STATE_MACHINE_NAME}:{name}",
            config.region, config.account_id
        );
        exec_config.state_machine_arn = format!(
            "arn:aws:states:{}:{}:stateMachine:{STATE_MACHINE_NAME}",
            config.region, config.account_id
        );
        exec_config.role_arn = format!(
            "arn:aws:iam::{}:role/kdaflow-bootstrap-states",
            config.account_id
        );
        exec_config.region = config.region.clone();
        let invoker = Arc::new(Integrations {
            lambda: self.twin().lambda().clone(),
            sdk: None,
        });
        let execution = Execution::new(
            self.program.clone(),
            invoker,
            self.clock.clone(),
            exec_config,
        );
        if let Some(sink) = sink {
            execution.add_sink(sink);
        }
        let outcome = execution.run(input).await;
        (outcome, execution.history().events())
    }
}
