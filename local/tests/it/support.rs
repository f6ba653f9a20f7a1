//! Shared test setup: a twin on 127.0.0.1:0 with a virtual clock, and SDK clients for it.

use std::sync::Arc;

use aws_sdk_kinesisanalytics as kda;
use kda::config::{BehaviorVersion, Credentials, Region};
use kda::error::ProvideErrorMetadata;
use kda::types::*;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_local::{RunningTwin, Twin, TwinConfig};

/// 2026-01-01T00:00:00Z: the virtual clock's start.
pub const T0: i64 = 1_767_225_600;
/// The twin's account.
pub const ACCOUNT: &str = "000000000000";

/// The seven prerequisite ARNs of the reference notebook, in the twin's account.
pub mod arns {
    pub const FIREHOSE: &str =
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/dsoaws-kinesis-data-firehose";
    pub const ROLE_KINESIS: &str = "arn:aws:iam::000000000000:role/DSOAWS_Kinesis";
    pub const STREAM: &str =
        "arn:aws:kinesis:us-east-1:000000000000:stream/dsoaws-kinesis-data-stream";
    pub const LAMBDA_CLOUDWATCH: &str =
        "arn:aws:lambda:us-east-1:000000000000:function:DeliverKinesisAnalyticsToCloudWatch";
    pub const LAMBDA_SNS: &str =
        "arn:aws:lambda:us-east-1:000000000000:function:PushNotificationToSNS";
    pub const ROLE_LAMBDA: &str = "arn:aws:iam::000000000000:role/DSOAWS_Lambda";
    pub const LAMBDA_INVOKE_EP: &str =
        "arn:aws:lambda:us-east-1:000000000000:function:InvokeSageMakerEndpointFromKinesis";
}

/// The reference application's name.
pub const REFERENCE_APP: &str = "dsoaws-kinesis-data-analytics-sql-app";

/// A running twin, its clock and a client.
pub struct Harness {
    pub running: RunningTwin,
    pub clock: VirtualClock,
    pub client: kda::Client,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_config(TwinConfig::default()).await
    }

    pub async fn with_config(config: TwinConfig) -> Self {
        let clock = VirtualClock::at_epoch_seconds(T0);
        Self::with_clock(config, clock).await
    }

    pub async fn with_clock(config: TwinConfig, clock: VirtualClock) -> Self {
        let twin = Twin::builder(config)
            .clock(Arc::new(clock.clone()))
            .build()
            .expect("twin builds");
        let running = twin.spawn(0).await.expect("twin binds");
        let client = client(&running.endpoint_url());
        Self {
            running,
            clock,
            client,
        }
    }

    pub fn twin(&self) -> &Twin {
        self.running.twin()
    }

    /// Moves virtual time forward.
    pub fn advance_ms(&self, ms: i64) {
        self.clock.advance(chrono::Duration::milliseconds(ms));
    }

    pub async fn status(&self, name: &str) -> ApplicationStatus {
        self.client
            .describe_application()
            .application_name(name)
            .send()
            .await
            .expect("describe")
            .application_detail
            .expect("detail")
            .application_status
    }

    pub async fn version(&self, name: &str) -> i64 {
        self.client
            .describe_application()
            .application_name(name)
            .send()
            .await
            .expect("describe")
            .application_detail
            .expect("detail")
            .application_version_id
    }
}

/// A client for `endpoint` with test credentials and no SDK retries (so every injected error is
/// seen by the test, not silently retried).
pub fn client(endpoint: &str) -> kda::Client {
    client_with_attempts(endpoint, 1)
}

/// A client with the SDK's standard retry strategy and `attempts` attempts.
pub fn client_with_attempts(endpoint: &str, attempts: u32) -> kda::Client {
    let retry = if attempts <= 1 {
        kda::config::retry::RetryConfig::disabled()
    } else {
        kda::config::retry::RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_initial_backoff(std::time::Duration::from_millis(1))
    };
    let config = kda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(retry)
        .build();
    kda::Client::from_conf(config)
}

/// The AWS error name of a failed call.
pub fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<no code>").to_string()
}

/// The message of a failed call.
pub fn message<E: ProvideErrorMetadata>(e: &E) -> String {
    e.message().unwrap_or("").to_string()
}

/// The reference application (workflow/examples/reference-app.toml, its one source) rendered
/// for the twin's account, with a window of `window` seconds.
pub fn reference_spec(window: u32) -> kdaflow_workflow::spec::ApplicationSpec {
    let prerequisites =
        kdaflow_workflow::prerequisites::Prerequisites::example("us-east-1", ACCOUNT);
    kdaflow_workflow::spec::ApplicationSpec::reference()
        .render(&prerequisites, None, Some(window))
        .expect("the reference spec renders")
}

/// The reference application's code, reading `stream`, with `window`-second windows.
pub fn reference_code(stream: &str, window: u32) -> String {
    let spec = reference_spec(window);
    spec.code.replace(&spec.input_stream(), stream)
}

/// The reference application's input (Firehose source, preprocessing Lambda, tab-separated
/// CSV), as the bootstrap's CreateApplication sends it.
pub fn reference_input() -> Input {
    kdaflow_handlers::convert::input(&reference_spec(5).input)
}

fn csv_destination() -> DestinationSchema {
    DestinationSchema::builder()
        .record_format_type(RecordFormatType::Csv)
        .build()
        .expect("destination schema")
}

/// A Lambda output.
pub fn lambda_output(name: &str, function: &str, role: &str) -> Output {
    Output::builder()
        .name(name)
        .lambda_output(
            LambdaOutput::builder()
                .resource_arn(function)
                .role_arn(role)
                .build()
                .expect("lambda output"),
        )
        .destination_schema(csv_destination())
        .build()
        .expect("output")
}

/// A Kinesis stream output.
pub fn stream_output(name: &str, stream: &str, role: &str) -> Output {
    Output::builder()
        .name(name)
        .kinesis_streams_output(
            KinesisStreamsOutput::builder()
                .resource_arn(stream)
                .role_arn(role)
                .build()
                .expect("stream output"),
        )
        .destination_schema(csv_destination())
        .build()
        .expect("output")
}

/// The reference application's three outputs, as the bootstrap's CreateApplication sends them.
pub fn reference_outputs() -> Vec<Output> {
    reference_spec(5)
        .outputs
        .iter()
        .map(kdaflow_handlers::convert::output)
        .collect()
}

/// Creates an application with the reference configuration under `name`.
pub async fn create_reference(
    client: &kda::Client,
    name: &str,
) -> Result<kda::operation::create_application::CreateApplicationOutput, kda::Error> {
    Ok(
        kdaflow_handlers::convert::create_application(client, name, &reference_spec(5))
            .send()
            .await?,
    )
}

/// Creates a bare application (no input, no outputs).
pub async fn create_bare(client: &kda::Client, name: &str) {
    client
        .create_application()
        .application_name(name)
        .send()
        .await
        .expect("create bare application");
}

/// The input id of an application's only input.
pub async fn input_id(client: &kda::Client, name: &str) -> String {
    client
        .describe_application()
        .application_name(name)
        .send()
        .await
        .expect("describe")
        .application_detail
        .expect("detail")
        .input_descriptions
        .unwrap_or_default()
        .first()
        .and_then(|d| d.input_id.clone())
        .expect("an input")
}

/// A starting-position configuration for StartApplication.
pub fn start_config(id: &str, position: InputStartingPosition) -> InputConfiguration {
    InputConfiguration::builder()
        .id(id)
        .input_starting_position_configuration(
            InputStartingPositionConfiguration::builder()
                .input_starting_position(position)
                .build(),
        )
        .build()
        .expect("input configuration")
}

/// Starts an application from NOW.
pub async fn start(client: &kda::Client, name: &str) -> Result<(), kda::Error> {
    let id = input_id(client, name).await;
    client
        .start_application()
        .application_name(name)
        .input_configurations(start_config(&id, InputStartingPosition::Now))
        .send()
        .await?;
    Ok(())
}

pub use kda::types::ApplicationStatus;

/// An S3 client for the twin at `endpoint` (path style: the endpoint is an IP address).
pub fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Stores an object on the twin's S3 through the SDK, creating the bucket if needed.
pub async fn put_object(endpoint: &str, bucket: &str, key: &str, data: &[u8]) {
    let c = s3_client(endpoint);
    if c.head_bucket().bucket(bucket).send().await.is_err() {
        c.create_bucket().bucket(bucket).send().await.unwrap();
    }
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap();
}

/// A record format: JSON with row path `$`, or CSV with `\n` rows and `,` columns.
pub fn record_format(json: bool) -> RecordFormat {
    let params = if json {
        MappingParameters::builder()
            .json_mapping_parameters(
                JsonMappingParameters::builder()
                    .record_row_path("$")
                    .build()
                    .unwrap(),
            )
            .build()
    } else {
        MappingParameters::builder()
            .csv_mapping_parameters(
                CsvMappingParameters::builder()
                    .record_row_delimiter("\n")
                    .record_column_delimiter(",")
                    .build()
                    .unwrap(),
            )
            .build()
    };
    RecordFormat::builder()
        .record_format_type(if json {
            RecordFormatType::Json
        } else {
            RecordFormatType::Csv
        })
        .mapping_parameters(params)
        .build()
        .unwrap()
}

/// A reference data source: table `table` read from `s3://bucket/key` as `format`.
pub fn reference_data_source(
    table: &str,
    bucket: &str,
    key: &str,
    format: RecordFormat,
    columns: Vec<RecordColumn>,
) -> ReferenceDataSource {
    ReferenceDataSource::builder()
        .table_name(table)
        .s3_reference_data_source(
            S3ReferenceDataSource::builder()
                .bucket_arn(format!("arn:aws:s3:::{bucket}"))
                .file_key(key)
                .reference_role_arn(arns::ROLE_KINESIS)
                .build()
                .unwrap(),
        )
        .reference_schema(
            SourceSchema::builder()
                .record_format(format)
                .set_record_columns(Some(columns))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}
