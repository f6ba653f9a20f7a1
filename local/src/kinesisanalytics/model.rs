//! The request and response shapes of Kinesis Analytics v1 (`KinesisAnalytics_20150814`), with
//! the model's member names.
//!
//! Members the model marks required are `Option`s here: a missing one is a constraint violation
//! reported by [`super::validate`] as `ValidationException` ("Member must not be null"), not a
//! `SerializationException`, as the service does. Unknown members are ignored, as AWS ignores them.

use serde::{Deserialize, Serialize};

macro_rules! shape {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        #[allow(missing_docs)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $ty,
            )*
        }
    };
}
/// The v2 API's shapes are declared the same way.
pub(crate) use shape;

// ---- shared structures ----------------------------------------------------------------------

shape!(
    /// `{ResourceARN, RoleARN}`: a Kinesis stream, Firehose stream, Lambda function and the role
    /// used to reach it.
    ResourceRole {
        #[serde(rename = "ResourceARN")] resource_arn: Option<String>,
        #[serde(rename = "RoleARN")] role_arn: Option<String>,
    }
);
shape!(
    /// The `...Update` form of [`ResourceRole`].
    ResourceRoleUpdate {
        #[serde(rename = "ResourceARNUpdate")] resource_arn_update: Option<String>,
        #[serde(rename = "RoleARNUpdate")] role_arn_update: Option<String>,
    }
);
shape!(InputProcessingConfiguration { input_lambda_processor: Option<ResourceRole> });
shape!(InputProcessingConfigurationDescription { input_lambda_processor_description: Option<ResourceRole> });
shape!(InputProcessingConfigurationUpdate { input_lambda_processor_update: Option<ResourceRoleUpdate> });
shape!(InputParallelism { count: Option<i64> });
shape!(InputParallelismUpdate { count_update: Option<i64> });
shape!(JsonMappingParameters { record_row_path: Option<String> });
shape!(CsvMappingParameters { record_row_delimiter: Option<String>, record_column_delimiter: Option<String> });
shape!(MappingParameters {
    #[serde(rename = "JSONMappingParameters")] json_mapping_parameters: Option<JsonMappingParameters>,
    #[serde(rename = "CSVMappingParameters")] csv_mapping_parameters: Option<CsvMappingParameters>,
});
shape!(RecordFormat { record_format_type: Option<String>, mapping_parameters: Option<MappingParameters> });
shape!(RecordColumn { name: Option<String>, mapping: Option<String>, sql_type: Option<String> });
shape!(
    /// `SourceSchema` (input and reference schemas).
    SourceSchema {
        record_format: Option<RecordFormat>,
        record_encoding: Option<String>,
        record_columns: Option<Vec<RecordColumn>>,
    }
);
shape!(InputSchemaUpdate {
    record_format_update: Option<RecordFormat>,
    record_encoding_update: Option<String>,
    record_column_updates: Option<Vec<RecordColumn>>,
});
shape!(InputStartingPositionConfiguration { input_starting_position: Option<String> });
shape!(DestinationSchema { record_format_type: Option<String> });
shape!(Tag { key: Option<String>, value: Option<String> });

// ---- inputs -----------------------------------------------------------------------------------

shape!(Input {
    name_prefix: Option<String>,
    input_processing_configuration: Option<InputProcessingConfiguration>,
    kinesis_streams_input: Option<ResourceRole>,
    kinesis_firehose_input: Option<ResourceRole>,
    input_parallelism: Option<InputParallelism>,
    input_schema: Option<SourceSchema>,
});
shape!(InputDescription {
    input_id: Option<String>,
    name_prefix: Option<String>,
    in_app_stream_names: Option<Vec<String>>,
    input_processing_configuration_description: Option<InputProcessingConfigurationDescription>,
    kinesis_streams_input_description: Option<ResourceRole>,
    kinesis_firehose_input_description: Option<ResourceRole>,
    input_schema: Option<SourceSchema>,
    input_parallelism: Option<InputParallelism>,
    input_starting_position_configuration: Option<InputStartingPositionConfiguration>,
});
shape!(InputUpdate {
    input_id: Option<String>,
    name_prefix_update: Option<String>,
    input_processing_configuration_update: Option<InputProcessingConfigurationUpdate>,
    kinesis_streams_input_update: Option<ResourceRoleUpdate>,
    kinesis_firehose_input_update: Option<ResourceRoleUpdate>,
    input_schema_update: Option<InputSchemaUpdate>,
    input_parallelism_update: Option<InputParallelismUpdate>,
});
shape!(InputConfiguration {
    id: Option<String>,
    input_starting_position_configuration: Option<InputStartingPositionConfiguration>,
});

// ---- outputs ----------------------------------------------------------------------------------

shape!(Output {
    name: Option<String>,
    kinesis_streams_output: Option<ResourceRole>,
    kinesis_firehose_output: Option<ResourceRole>,
    lambda_output: Option<ResourceRole>,
    destination_schema: Option<DestinationSchema>,
});
shape!(OutputDescription {
    output_id: Option<String>,
    name: Option<String>,
    kinesis_streams_output_description: Option<ResourceRole>,
    kinesis_firehose_output_description: Option<ResourceRole>,
    lambda_output_description: Option<ResourceRole>,
    destination_schema: Option<DestinationSchema>,
});
shape!(OutputUpdate {
    output_id: Option<String>,
    name_update: Option<String>,
    kinesis_streams_output_update: Option<ResourceRoleUpdate>,
    kinesis_firehose_output_update: Option<ResourceRoleUpdate>,
    lambda_output_update: Option<ResourceRoleUpdate>,
    destination_schema_update: Option<DestinationSchema>,
});

// ---- reference data, logging -------------------------------------------------------------------

shape!(S3ReferenceDataSource {
    #[serde(rename = "BucketARN")] bucket_arn: Option<String>,
    file_key: Option<String>,
    #[serde(rename = "ReferenceRoleARN")] reference_role_arn: Option<String>,
});
shape!(S3ReferenceDataSourceUpdate {
    #[serde(rename = "BucketARNUpdate")] bucket_arn_update: Option<String>,
    file_key_update: Option<String>,
    #[serde(rename = "ReferenceRoleARNUpdate")] reference_role_arn_update: Option<String>,
});
shape!(ReferenceDataSource {
    table_name: Option<String>,
    s3_reference_data_source: Option<S3ReferenceDataSource>,
    reference_schema: Option<SourceSchema>,
});
shape!(ReferenceDataSourceDescription {
    reference_id: Option<String>,
    table_name: Option<String>,
    s3_reference_data_source_description: Option<S3ReferenceDataSource>,
    reference_schema: Option<SourceSchema>,
});
shape!(ReferenceDataSourceUpdate {
    reference_id: Option<String>,
    table_name_update: Option<String>,
    s3_reference_data_source_update: Option<S3ReferenceDataSourceUpdate>,
    reference_schema_update: Option<SourceSchema>,
});
shape!(CloudWatchLoggingOption {
    #[serde(rename = "LogStreamARN")] log_stream_arn: Option<String>,
    #[serde(rename = "RoleARN")] role_arn: Option<String>,
});
shape!(CloudWatchLoggingOptionDescription {
    cloud_watch_logging_option_id: Option<String>,
    #[serde(rename = "LogStreamARN")] log_stream_arn: Option<String>,
    #[serde(rename = "RoleARN")] role_arn: Option<String>,
});
shape!(CloudWatchLoggingOptionUpdate {
    cloud_watch_logging_option_id: Option<String>,
    #[serde(rename = "LogStreamARNUpdate")] log_stream_arn_update: Option<String>,
    #[serde(rename = "RoleARNUpdate")] role_arn_update: Option<String>,
});
shape!(ApplicationUpdate {
    input_updates: Option<Vec<InputUpdate>>,
    application_code_update: Option<String>,
    output_updates: Option<Vec<OutputUpdate>>,
    reference_data_source_updates: Option<Vec<ReferenceDataSourceUpdate>>,
    cloud_watch_logging_option_updates: Option<Vec<CloudWatchLoggingOptionUpdate>>,
});

// ---- responses ---------------------------------------------------------------------------------

shape!(ApplicationSummary {
    application_name: Option<String>,
    #[serde(rename = "ApplicationARN")] application_arn: Option<String>,
    application_status: Option<String>,
});
shape!(ApplicationDetail {
    application_name: Option<String>,
    application_description: Option<String>,
    #[serde(rename = "ApplicationARN")] application_arn: Option<String>,
    application_status: Option<String>,
    create_timestamp: Option<f64>,
    last_update_timestamp: Option<f64>,
    input_descriptions: Option<Vec<InputDescription>>,
    output_descriptions: Option<Vec<OutputDescription>>,
    reference_data_source_descriptions: Option<Vec<ReferenceDataSourceDescription>>,
    cloud_watch_logging_option_descriptions: Option<Vec<CloudWatchLoggingOptionDescription>>,
    application_code: Option<String>,
    application_version_id: Option<i64>,
});

// ---- operation inputs ---------------------------------------------------------------------------

shape!(CreateApplicationRequest {
    application_name: Option<String>,
    application_description: Option<String>,
    inputs: Option<Vec<Input>>,
    outputs: Option<Vec<Output>>,
    cloud_watch_logging_options: Option<Vec<CloudWatchLoggingOption>>,
    application_code: Option<String>,
    tags: Option<Vec<Tag>>,
});
shape!(NameRequest { application_name: Option<String> });
shape!(ListApplicationsRequest { limit: Option<i64>, exclusive_start_application_name: Option<String> });
shape!(DeleteApplicationRequest { application_name: Option<String>, create_timestamp: Option<f64> });
shape!(StartApplicationRequest { application_name: Option<String>, input_configurations: Option<Vec<InputConfiguration>> });
shape!(UpdateApplicationRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    application_update: Option<ApplicationUpdate>,
});
shape!(AddInputRequest { application_name: Option<String>, current_application_version_id: Option<i64>, input: Option<Input> });
shape!(AddOutputRequest { application_name: Option<String>, current_application_version_id: Option<i64>, output: Option<Output> });
shape!(AddInputProcessingRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    input_id: Option<String>,
    input_processing_configuration: Option<InputProcessingConfiguration>,
});
shape!(AddReferenceRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    reference_data_source: Option<ReferenceDataSource>,
});
shape!(AddLoggingRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    cloud_watch_logging_option: Option<CloudWatchLoggingOption>,
});
shape!(
    /// The four Delete* component operations: exactly one id member is used per operation.
    DeleteComponentRequest {
        application_name: Option<String>,
        current_application_version_id: Option<i64>,
        input_id: Option<String>,
        output_id: Option<String>,
        reference_id: Option<String>,
        cloud_watch_logging_option_id: Option<String>,
    }
);
shape!(TagResourceRequest { #[serde(rename = "ResourceARN")] resource_arn: Option<String>, tags: Option<Vec<Tag>> });
shape!(UntagResourceRequest { #[serde(rename = "ResourceARN")] resource_arn: Option<String>, tag_keys: Option<Vec<String>> });
shape!(ListTagsRequest { #[serde(rename = "ResourceARN")] resource_arn: Option<String> });
shape!(S3Configuration {
    #[serde(rename = "RoleARN")] role_arn: Option<String>,
    #[serde(rename = "BucketARN")] bucket_arn: Option<String>,
    file_key: Option<String>,
});
shape!(DiscoverInputSchemaRequest {
    #[serde(rename = "ResourceARN")] resource_arn: Option<String>,
    #[serde(rename = "RoleARN")] role_arn: Option<String>,
    input_starting_position_configuration: Option<InputStartingPositionConfiguration>,
    s3_configuration: Option<S3Configuration>,
    input_processing_configuration: Option<InputProcessingConfiguration>,
});
