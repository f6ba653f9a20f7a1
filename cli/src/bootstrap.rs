//! The bootstrap on the local twin: the twin on loopback, the four task handlers registered as
//! its Lambda functions (each calling the twin's Kinesis Analytics API over HTTP with the real
//! SDK client, as it calls AWS in Lambda), and the bootstrap state machine — the very JSON the
//! CloudFormation stack deploys, with its `${...FunctionArn}` substituted — provisioned on the
//! twin's Step Functions service as `kdaflow serve` provisions it ([`crate::provision`]). An
//! execution is an ordinary StartExecution of that machine, so ListExecutions,
//! GetExecutionHistory, `kdaflow history` and `kdaflow watch` all see it.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use kdaflow_asl::exec::ExecutionOutcome;
use kdaflow_asl::history::{EventSink, HistoryEvent};
use kdaflow_asl::task::LambdaError;
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
/// The Flink bootstrap state machine's name on the twin.
pub const FLINK_STATE_MACHINE_NAME: &str = "kdaflow-bootstrap-flink";

/// The AWS SDK configuration of kdaflow's own clients of the twin at `endpoint`: its region,
/// test credentials (the twin accepts any).
pub fn twin_sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    "kdaflow",
                    "kdaflow",
                    None,
                    None,
                    "kdaflow-twin",
                ),
            ),
        )
        .build()
}

/// A Kinesis Analytics client for the twin at `endpoint`.
///
/// SDK-level retries are off: the state machine's `Retry` decides (on the twin's clock, so
/// virtual time stays virtual); in Lambda the SDK's standard retries stay on.
pub fn twin_client(endpoint: &str, region: &str) -> Kda {
    let config =
        aws_sdk_kinesisanalytics::config::Builder::from(&twin_sdk_config(endpoint, region))
            .retry_config(aws_sdk_kinesisanalytics::config::retry::RetryConfig::disabled())
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

fn register<C, I, O, F, Fut>(twin: &Twin, task: TaskFunction, kda: &C, handler: F) -> String
where
    C: Clone + Send + Sync + 'static,
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(C, I) -> Fut + Send + Sync + Clone + 'static,
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
/// bootstrap definitions — SQL and Flink — with their ARNs substituted, as the stack's
/// `DefinitionSubstitutions` do on AWS.
pub fn register_tasks_and_define(
    twin: &Twin,
    endpoint: &str,
    tasks: crate::tasks::Tasks,
) -> anyhow::Result<(String, String)> {
    let region = twin.config().region.clone();
    let substitutions = match tasks {
        crate::tasks::Tasks::InProcess => {
            // A stored function of the same name (left by a `--tasks process` run) would be
            // invoked instead of the built-in one.
            for t in contract::TASK_FUNCTIONS
                .iter()
                .chain(contract::flink::TASK_FUNCTIONS.iter())
            {
                twin.lambda().forget(t.name);
            }
            let mut pairs = register_tasks(twin, &twin_client(endpoint, &region));
            pairs.extend(register_flink_tasks(twin, &flink_client(endpoint, &region)));
            pairs
        }
        crate::tasks::Tasks::Process => {
            let mut pairs = crate::tasks::register_processes(twin, &contract::TASK_FUNCTIONS)?;
            pairs.extend(crate::tasks::register_processes(
                twin,
                &contract::flink::TASK_FUNCTIONS,
            )?);
            pairs
        }
    };
    let pairs: Vec<(&str, &str)> = substitutions
        .iter()
        .map(|(v, a)| (*v, a.as_str()))
        .collect();
    Ok((
        machine::substitute(&machine::definition_json(), &pairs),
        machine::substitute(&machine::flink_definition_json(), &pairs),
    ))
}

/// A Managed Service for Apache Flink client for the twin at `endpoint` (SDK retries off, as
/// for [`twin_client`]).
pub fn flink_client(endpoint: &str, region: &str) -> kdaflow_handlers::flink::Flink {
    let config =
        aws_sdk_kinesisanalyticsv2::config::Builder::from(&twin_sdk_config(endpoint, region))
            .retry_config(aws_sdk_kinesisanalyticsv2::config::retry::RetryConfig::disabled())
            .build();
    kdaflow_handlers::flink::Flink::from_conf(config)
}

/// Where the Flink bootstrap's reference application keeps its code on the twin.
pub const FLINK_CODE_BUCKET: &str = "kdaflow-flink-code";
/// The code's key.
pub const FLINK_CODE_KEY: &str = "dsoaws-flink-app.zip";

/// Puts `code` (an application zip) at `bucket`/`key` of the twin's S3 at `endpoint`, creating
/// the bucket if needed, through `aws-sdk-s3` as a user would.
pub async fn stage_flink_code(
    endpoint: &str,
    region: &str,
    bucket: &str,
    key: &str,
    code: Vec<u8>,
) -> anyhow::Result<()> {
    let config = aws_sdk_s3::config::Builder::from(&twin_sdk_config(endpoint, region))
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    if s3.head_bucket().bucket(bucket).send().await.is_err() {
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .with_context(|| format!("cannot create bucket {bucket} on the twin"))?;
    }
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(code.into())
        .send()
        .await
        .with_context(|| format!("cannot put s3://{bucket}/{key} on the twin"))?;
    Ok(())
}

/// Registers the Flink bootstrap's four task handlers as Lambda functions of `twin`, calling
/// kinesisanalyticsv2 through `client`.
pub fn register_flink_tasks(
    twin: &Twin,
    client: &kdaflow_handlers::flink::Flink,
) -> Vec<(&'static str, String)> {
    use kdaflow_handlers::flink as f;
    let [validate, create, start, check] = contract::flink::TASK_FUNCTIONS;
    vec![
        (
            validate.variable,
            register(twin, validate, client, |_c, event: Value| {
                f::validate_prerequisites(event)
            }),
        ),
        (
            create.variable,
            register(twin, create, client, |c, request| async move {
                Box::pin(f::create_application(&c, request)).await
            }),
        ),
        (
            start.variable,
            register(twin, start, client, |c, input| async move {
                Box::pin(f::start_application(&c, input)).await
            }),
        ),
        (
            check.variable,
            register(twin, check, client, |c, input| async move {
                Box::pin(f::check_application_status(&c, input)).await
            }),
        ),
    ]
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

/// The reference application (`workflow/examples/reference-app.toml`) rendered with the
/// example prerequisites of `region` and `account` (the twin's stand-ins).
pub fn reference_spec(region: &str, account: &str) -> kdaflow_workflow::spec::ApplicationSpec {
    kdaflow_workflow::spec::ApplicationSpec::reference()
        .render(&Prerequisites::example(region, account), None, None)
        .expect("the embedded reference spec renders")
}

/// A rendered spec's input as the SQL engine sees it: its schema, and the in-application
/// streams it creates (`<prefix>_001`, ... one per parallel input).
pub fn sql_input(
    spec: &kdaflow_workflow::spec::ApplicationSpec,
) -> (kdaflow_sql::SourceSchema, Vec<kdaflow_sql::InAppStream>) {
    use kdaflow_workflow::spec::SchemaSpec;
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
    let format = match &spec.input.schema {
        SchemaSpec::Csv {
            row_delimiter,
            column_delimiter,
            ..
        } => kdaflow_sql::RecordFormat::Csv {
            row_delimiter: row_delimiter.clone(),
            column_delimiter: column_delimiter.clone(),
        },
        SchemaSpec::Json { row_path, .. } => kdaflow_sql::RecordFormat::Json {
            row_path: row_path.clone(),
        },
    };
    let inputs = (1..=spec.input.parallelism.max(1))
        .map(|i| kdaflow_sql::InAppStream {
            name: format!("{}_{i:03}", spec.input.name_prefix),
            columns: columns.clone(),
        })
        .collect();
    (kdaflow_sql::SourceSchema { format, columns }, inputs)
}

/// A rendered spec as the SQL benchmark runs it.
pub fn bench_app(spec: &kdaflow_workflow::spec::ApplicationSpec) -> kdaflow_sql::bench::BenchApp {
    let (schema, _) = sql_input(spec);
    kdaflow_sql::bench::BenchApp {
        code: spec.code.clone(),
        stream: spec.input_stream(),
        schema,
        outputs: spec.outputs.iter().map(|o| o.name.clone()).collect(),
        window_seconds: spec.window_seconds,
        reference: None,
    }
}

/// Validates a rendered spec's SQL as the twin's Kinesis Analytics service would: against the
/// in-application streams its input creates and the names of its outputs.
pub fn validate_code(spec: &kdaflow_workflow::spec::ApplicationSpec) -> Result<(), String> {
    let (_, inputs) = sql_input(spec);
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

/// The reference application's sample reviews (seeded, an anomaly every `anomaly_every`) as
/// records to stream into the twin.
pub fn sample_records(
    seed: u64,
    anomaly_every: u64,
) -> impl Iterator<Item = kdaflow_local::dataplane::sample::SampleRecord> {
    kdaflow_workflow::sample::Reviews::new(seed, anomaly_every).map(|r| {
        kdaflow_local::dataplane::sample::SampleRecord {
            data: bytes::Bytes::from(r.line()),
            anomaly: r.anomaly,
        }
    })
}

/// The twin with the bootstrap provisioned and ready to run.
#[derive(Debug)]
pub struct LocalBootstrap {
    /// The twin, serving on loopback.
    pub running: RunningTwin,
    /// The bootstrap state machine on the twin's Step Functions service.
    pub state_machine_arn: String,
    /// The Flink bootstrap state machine.
    pub flink_state_machine_arn: String,
    /// Stand-in prerequisites in the twin's account and region.
    pub prerequisites: Prerequisites,
    /// The console, at [`kdaflow_console::PATH`] on the twin's port.
    pub console: kdaflow_console::Console,
    /// The stand-in functions (what the application delivered to them).
    pub standins: kdaflow_local::standins::ReferenceStandins,
}

impl LocalBootstrap {
    /// Starts the twin on `127.0.0.1:port` (0: any free port) with `clock` and provisions the
    /// bootstrap on it: the prerequisites' stand-ins, the task functions, the state machine and
    /// the EventBridge rules, as `kdaflow serve` does. Executions that a previous run left
    /// RUNNING (with a state directory) resume.
    pub async fn start(
        config: TwinConfig,
        clock: kdaflow_asl::clock::SharedClock,
        port: u16,
    ) -> anyhow::Result<Self> {
        Self::start_with(config, clock, port, crate::tasks::Tasks::InProcess).await
    }

    /// [`LocalBootstrap::start`], with the tasks run as `tasks` says.
    pub async fn start_with(
        config: TwinConfig,
        clock: kdaflow_asl::clock::SharedClock,
        port: u16,
        tasks: crate::tasks::Tasks,
    ) -> anyhow::Result<Self> {
        // Resource checks on: a start fails, as on AWS, when the input stream, the preprocessing
        // function or a destination is missing — the stand-ins provide them.
        let twin = Twin::builder(config)
            .clock(clock)
            .resource_checks(true)
            .resume_executions(false)
            .build()
            .context("cannot start the twin")?;
        // The console is served from the start; it offers the bootstrap's input once provisioned.
        let console = kdaflow_console::Console::new(&twin, kdaflow_console::Options::default());
        console.mount();
        let running = twin
            .spawn(port)
            .await
            .context("cannot start the twin's gateway")?;
        let provisioned =
            crate::provision::provision_with(running.twin(), &running.endpoint_url(), tasks)
                .await?;
        offer_bootstrap(&console, &provisioned);
        Ok(Self {
            console,
            state_machine_arn: provisioned.state_machine_arn,
            flink_state_machine_arn: provisioned.flink_state_machine_arn,
            prerequisites: provisioned.prerequisites,
            standins: provisioned.standins,
            running,
        })
    }

    /// The twin.
    pub fn twin(&self) -> &Twin {
        self.running.twin()
    }

    /// The Flink bootstrap's execution input for the reference application (its code at
    /// [`FLINK_CODE_BUCKET`]/[`FLINK_CODE_KEY`], its role and stream in the twin's account),
    /// plus `overrides`' members.
    pub fn flink_input(&self, overrides: Value) -> Value {
        let config = self.twin().config();
        let spec = kdaflow_workflow::flink::FlinkSpec::reference(
            &config.region,
            &config.account_id,
            FLINK_CODE_BUCKET,
            FLINK_CODE_KEY,
        );
        let mut input = serde_json::json!({ "application": spec });
        if let (Some(i), Value::Object(o)) = (input.as_object_mut(), overrides) {
            i.extend(o);
        }
        input
    }

    /// The execution input naming the stand-in prerequisites, plus `overrides`' members.
    pub fn input(&self, overrides: Value) -> Value {
        let mut input = serde_json::to_value(&self.prerequisites).unwrap_or_default();
        if let (Some(i), Value::Object(o)) = (input.as_object_mut(), overrides) {
            i.extend(o);
        }
        input
    }

    /// Starts execution `name` of the bootstrap state machine through the twin's Step
    /// Functions service and waits for its end; `sink` sees every history event as it is
    /// recorded. Returns the outcome and the whole history.
    pub async fn execute(
        &self,
        name: &str,
        input: Value,
        sink: Option<Arc<dyn EventSink>>,
    ) -> anyhow::Result<(ExecutionOutcome, Vec<HistoryEvent>)> {
        self.execute_on(&self.state_machine_arn, name, input, sink)
            .await
    }

    /// [`LocalBootstrap::execute`] of state machine `arn` (the Flink bootstrap's, say).
    pub async fn execute_on(
        &self,
        arn: &str,
        name: &str,
        input: Value,
        sink: Option<Arc<dyn EventSink>>,
    ) -> anyhow::Result<(ExecutionOutcome, Vec<HistoryEvent>)> {
        let states = self.twin().states();
        let started = states
            .start_execution_observed(
                kdaflow_local::states::model::StartExecutionInput {
                    state_machine_arn: Some(arn.to_string()),
                    name: Some(name.to_string()),
                    input: Some(input.to_string()),
                    ..Default::default()
                },
                sink,
            )
            .map_err(|e| anyhow::anyhow!("cannot start execution {name}: {e}"))?;
        let arn = started.execution_arn;
        states
            .wait(&arn)
            .await
            .map_err(|e| anyhow::anyhow!("execution {arn}: {e}"))?;
        let record = states
            .execution_record(&arn)
            .map_err(|e| anyhow::anyhow!("execution {arn}: {e}"))?;
        let history = states
            .history(&arn)
            .map_err(|e| anyhow::anyhow!("execution {arn}: {e}"))?;
        Ok((outcome(&record)?, history))
    }
}

/// What one bootstrap cost: state transitions (states entered), calls to the Kinesis
/// Analytics API it drives, status checks; and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// States entered.
    pub transitions: usize,
    /// Calls to kinesisanalytics (SQL) or kinesisanalyticsv2 (Flink).
    pub calls: u64,
    /// Status checks (the output's `status_checks`).
    pub status_checks: u64,
    /// How the execution ended.
    pub status: kdaflow_asl::exec::ExecutionStatus,
}

/// The cost of one bootstrap of the reference application (`flink`: the Flink bootstrap) on a
/// fresh twin on virtual time whose StartApplication takes `start`.
pub async fn bootstrap_cost(flink: bool, start: std::time::Duration) -> anyhow::Result<Cost> {
    use kdaflow_asl::clock::{Clock, SystemClock, VirtualClock};
    let mut config = TwinConfig::default();
    config.lifecycle.start = start;
    let local =
        LocalBootstrap::start(config, Arc::new(VirtualClock::new(SystemClock.now())), 0).await?;
    let (outcome, history) = if flink {
        stage_flink_code(
            &local.running.endpoint_url(),
            &local.twin().config().region,
            FLINK_CODE_BUCKET,
            FLINK_CODE_KEY,
            b"PK\x05\x06".to_vec(),
        )
        .await?;
        let input = local.flink_input(serde_json::json!({}));
        local
            .execute_on(&local.flink_state_machine_arn, "cost", input, None)
            .await?
    } else {
        local
            .execute("cost", local.input(serde_json::json!({})), None)
            .await?
    };
    let service = if flink {
        kdaflow_local::kinesisanalyticsv2::SERVICE_NAME
    } else {
        kdaflow_local::kinesisanalytics::SERVICE_NAME
    };
    let cost = Cost {
        transitions: history
            .iter()
            .filter(|e| e.event_type.as_str().ends_with("StateEntered"))
            .count(),
        calls: local.twin().calls_to(service),
        status_checks: outcome
            .output
            .as_ref()
            .and_then(|o| o["status_checks"].as_u64())
            .unwrap_or_default(),
        status: outcome.status,
    };
    local.running.shutdown().await?;
    Ok(cost)
}

/// An execution's end as the interpreter reports it, from the service's record.
fn outcome(record: &kdaflow_local::states::ExecutionRecord) -> anyhow::Result<ExecutionOutcome> {
    let time = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    Ok(ExecutionOutcome {
        // Both name the statuses as the API does ("SUCCEEDED", ...).
        status: serde_json::from_value(serde_json::to_value(record.status)?)?,
        output: record
            .output
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .context("the execution's output is not JSON")?,
        error: record.error.clone(),
        cause: record.cause.clone(),
        start_date: time(record.start_ms),
        stop_date: time(record.stop_ms.unwrap_or(record.start_ms)),
    })
}

/// The console of `twin`, on which the bootstrap is `provisioned`, mounted on the twin: served
/// from the next `Twin::serve` on.
pub fn console_for(
    twin: &Twin,
    provisioned: &crate::provision::Provisioned,
) -> kdaflow_console::Console {
    let console = kdaflow_console::Console::new(twin, kdaflow_console::Options::default());
    offer_bootstrap(&console, provisioned);
    console.mount();
    console
}

/// Makes the "Start execution" of the `provisioned` bootstrap state machine offer the stand-in
/// prerequisites its stack was given.
fn offer_bootstrap(
    console: &kdaflow_console::Console,
    provisioned: &crate::provision::Provisioned,
) {
    console.set_sample_input(
        &provisioned.state_machine_arn,
        serde_json::to_value(&provisioned.prerequisites).unwrap_or_default(),
    );
}
