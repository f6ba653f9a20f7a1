//! The request and response shapes of Managed Service for Apache Flink (`kinesisanalyticsv2`,
//! `KinesisAnalytics_20180523`), with the model's member names, for Flink applications.
//!
//! As in v1, members the model marks required are `Option`s: a missing one is reported by the
//! constraint checks as `ValidationException`, not as a `SerializationException`. The SQL and
//! Zeppelin members are read only to be refused by name. Tags and the tag operations' requests
//! are v1's shapes (the wire is the same).

use serde::{Deserialize, Serialize};

use crate::kinesisanalytics::model::shape;
pub use crate::kinesisanalytics::model::{
    ListTagsRequest, NameRequest, Tag, TagResourceRequest, UntagResourceRequest,
};

// ---- configuration ---------------------------------------------------------------------------

shape!(S3ContentLocation {
    #[serde(rename = "BucketARN")] bucket_arn: Option<String>,
    file_key: Option<String>,
    object_version: Option<String>,
});
shape!(CodeContent {
    text_content: Option<String>,
    zip_file_content: Option<String>,
    s3_content_location: Option<S3ContentLocation>,
});
shape!(ApplicationCodeConfiguration { code_content: Option<CodeContent>, code_content_type: Option<String> });
shape!(CheckpointConfiguration {
    configuration_type: Option<String>,
    checkpointing_enabled: Option<bool>,
    checkpoint_interval: Option<i64>,
    min_pause_between_checkpoints: Option<i64>,
});
shape!(MonitoringConfiguration { configuration_type: Option<String>, metrics_level: Option<String>, log_level: Option<String> });
shape!(ParallelismConfiguration {
    configuration_type: Option<String>,
    parallelism: Option<i64>,
    #[serde(rename = "ParallelismPerKPU")] parallelism_per_kpu: Option<i64>,
    auto_scaling_enabled: Option<bool>,
});
shape!(FlinkApplicationConfiguration {
    checkpoint_configuration: Option<CheckpointConfiguration>,
    monitoring_configuration: Option<MonitoringConfiguration>,
    parallelism_configuration: Option<ParallelismConfiguration>,
});
shape!(
    /// `{PropertyGroupId, PropertyMap}`; the map keeps its order on the wire.
    PropertyGroup {
        property_group_id: Option<String>,
        property_map: Option<indexmap::IndexMap<String, String>>,
    }
);
shape!(EnvironmentProperties { property_groups: Option<Vec<PropertyGroup>> });
shape!(ApplicationSnapshotConfiguration { snapshots_enabled: Option<bool> });
shape!(ApplicationSystemRollbackConfiguration { rollback_enabled: Option<bool> });
shape!(VpcConfiguration { subnet_ids: Option<Vec<String>>, security_group_ids: Option<Vec<String>> });
shape!(ApplicationEncryptionConfiguration { key_id: Option<String>, key_type: Option<String> });
shape!(ApplicationConfiguration {
    sql_application_configuration: Option<serde_json::Value>,
    flink_application_configuration: Option<FlinkApplicationConfiguration>,
    environment_properties: Option<EnvironmentProperties>,
    application_code_configuration: Option<ApplicationCodeConfiguration>,
    application_snapshot_configuration: Option<ApplicationSnapshotConfiguration>,
    application_system_rollback_configuration: Option<ApplicationSystemRollbackConfiguration>,
    vpc_configurations: Option<Vec<VpcConfiguration>>,
    zeppelin_application_configuration: Option<serde_json::Value>,
    application_encryption_configuration: Option<ApplicationEncryptionConfiguration>,
});
shape!(CloudWatchLoggingOption { #[serde(rename = "LogStreamARN")] log_stream_arn: Option<String> });
shape!(CloudWatchLoggingOptionDescription {
    cloud_watch_logging_option_id: Option<String>,
    #[serde(rename = "LogStreamARN")] log_stream_arn: Option<String>,
    #[serde(rename = "RoleARN")] role_arn: Option<String>,
});

// ---- updates ---------------------------------------------------------------------------------

shape!(S3ContentLocationUpdate {
    #[serde(rename = "BucketARNUpdate")] bucket_arn_update: Option<String>,
    file_key_update: Option<String>,
    object_version_update: Option<String>,
});
shape!(CodeContentUpdate {
    text_content_update: Option<String>,
    zip_file_content_update: Option<String>,
    s3_content_location_update: Option<S3ContentLocationUpdate>,
});
shape!(ApplicationCodeConfigurationUpdate { code_content_type_update: Option<String>, code_content_update: Option<CodeContentUpdate> });
shape!(CheckpointConfigurationUpdate {
    configuration_type_update: Option<String>,
    checkpointing_enabled_update: Option<bool>,
    checkpoint_interval_update: Option<i64>,
    min_pause_between_checkpoints_update: Option<i64>,
});
shape!(MonitoringConfigurationUpdate {
    configuration_type_update: Option<String>,
    metrics_level_update: Option<String>,
    log_level_update: Option<String>,
});
shape!(ParallelismConfigurationUpdate {
    configuration_type_update: Option<String>,
    parallelism_update: Option<i64>,
    #[serde(rename = "ParallelismPerKPUUpdate")] parallelism_per_kpu_update: Option<i64>,
    auto_scaling_enabled_update: Option<bool>,
});
shape!(FlinkApplicationConfigurationUpdate {
    checkpoint_configuration_update: Option<CheckpointConfigurationUpdate>,
    monitoring_configuration_update: Option<MonitoringConfigurationUpdate>,
    parallelism_configuration_update: Option<ParallelismConfigurationUpdate>,
});
shape!(ApplicationSnapshotConfigurationUpdate { snapshots_enabled_update: Option<bool> });
shape!(ApplicationSystemRollbackConfigurationUpdate { rollback_enabled_update: Option<bool> });
shape!(ApplicationConfigurationUpdate {
    sql_application_configuration_update: Option<serde_json::Value>,
    application_code_configuration_update: Option<ApplicationCodeConfigurationUpdate>,
    flink_application_configuration_update: Option<FlinkApplicationConfigurationUpdate>,
    environment_property_updates: Option<EnvironmentProperties>,
    application_snapshot_configuration_update: Option<ApplicationSnapshotConfigurationUpdate>,
    application_system_rollback_configuration_update: Option<ApplicationSystemRollbackConfigurationUpdate>,
    vpc_configuration_updates: Option<serde_json::Value>,
    zeppelin_application_configuration_update: Option<serde_json::Value>,
    application_encryption_configuration_update: Option<serde_json::Value>,
});
shape!(CloudWatchLoggingOptionUpdate {
    cloud_watch_logging_option_id: Option<String>,
    #[serde(rename = "LogStreamARNUpdate")] log_stream_arn_update: Option<String>,
});

// ---- run configuration -------------------------------------------------------------------------

shape!(FlinkRunConfiguration { allow_non_restored_state: Option<bool> });
shape!(ApplicationRestoreConfiguration { application_restore_type: Option<String>, snapshot_name: Option<String> });
shape!(RunConfiguration {
    flink_run_configuration: Option<FlinkRunConfiguration>,
    sql_run_configurations: Option<serde_json::Value>,
    application_restore_configuration: Option<ApplicationRestoreConfiguration>,
});
shape!(RunConfigurationUpdate {
    flink_run_configuration: Option<FlinkRunConfiguration>,
    application_restore_configuration: Option<ApplicationRestoreConfiguration>,
});

// ---- descriptions ------------------------------------------------------------------------------

shape!(S3ApplicationCodeLocationDescription {
    #[serde(rename = "BucketARN")] bucket_arn: Option<String>,
    file_key: Option<String>,
    object_version: Option<String>,
});
shape!(CodeContentDescription {
    text_content: Option<String>,
    #[serde(rename = "CodeMD5")] code_md5: Option<String>,
    code_size: Option<u64>,
    s3_application_code_location_description: Option<S3ApplicationCodeLocationDescription>,
});
shape!(ApplicationCodeConfigurationDescription { code_content_type: Option<String>, code_content_description: Option<CodeContentDescription> });
shape!(RunConfigurationDescription {
    application_restore_configuration_description: Option<ApplicationRestoreConfiguration>,
    flink_run_configuration_description: Option<FlinkRunConfiguration>,
});
shape!(ParallelismConfigurationDescription {
    configuration_type: Option<String>,
    parallelism: Option<i64>,
    #[serde(rename = "ParallelismPerKPU")] parallelism_per_kpu: Option<i64>,
    current_parallelism: Option<i64>,
    auto_scaling_enabled: Option<bool>,
});
shape!(FlinkApplicationConfigurationDescription {
    checkpoint_configuration_description: Option<CheckpointConfiguration>,
    monitoring_configuration_description: Option<MonitoringConfiguration>,
    parallelism_configuration_description: Option<ParallelismConfigurationDescription>,
    job_plan_description: Option<String>,
});
shape!(EnvironmentPropertyDescriptions { property_group_descriptions: Option<Vec<PropertyGroup>> });
shape!(ApplicationConfigurationDescription {
    application_code_configuration_description: Option<ApplicationCodeConfigurationDescription>,
    run_configuration_description: Option<RunConfigurationDescription>,
    flink_application_configuration_description: Option<FlinkApplicationConfigurationDescription>,
    environment_property_descriptions: Option<EnvironmentPropertyDescriptions>,
    application_snapshot_configuration_description: Option<ApplicationSnapshotConfiguration>,
    application_system_rollback_configuration_description: Option<ApplicationSystemRollbackConfiguration>,
    application_encryption_configuration_description: Option<ApplicationEncryptionConfiguration>,
});
shape!(ApplicationMaintenanceConfigurationDescription {
    application_maintenance_window_start_time: Option<String>,
    application_maintenance_window_end_time: Option<String>,
});
shape!(ApplicationDetail {
    #[serde(rename = "ApplicationARN")] application_arn: Option<String>,
    application_description: Option<String>,
    application_name: Option<String>,
    runtime_environment: Option<String>,
    service_execution_role: Option<String>,
    application_status: Option<String>,
    application_version_id: Option<i64>,
    create_timestamp: Option<f64>,
    last_update_timestamp: Option<f64>,
    application_configuration_description: Option<ApplicationConfigurationDescription>,
    cloud_watch_logging_option_descriptions: Option<Vec<CloudWatchLoggingOptionDescription>>,
    application_maintenance_configuration_description: Option<ApplicationMaintenanceConfigurationDescription>,
    application_version_updated_from: Option<i64>,
    application_version_rolled_back_from: Option<i64>,
    application_version_create_timestamp: Option<f64>,
    conditional_token: Option<String>,
    application_version_rolled_back_to: Option<i64>,
    application_mode: Option<String>,
});
shape!(ApplicationSummary {
    application_name: Option<String>,
    #[serde(rename = "ApplicationARN")] application_arn: Option<String>,
    application_status: Option<String>,
    application_version_id: Option<i64>,
    runtime_environment: Option<String>,
    application_mode: Option<String>,
});
shape!(ApplicationVersionSummary { application_version_id: Option<i64>, application_status: Option<String> });
shape!(SnapshotDetails {
    snapshot_name: Option<String>,
    snapshot_status: Option<String>,
    application_version_id: Option<i64>,
    snapshot_creation_timestamp: Option<f64>,
    runtime_environment: Option<String>,
});
shape!(ApplicationOperationInfo {
    operation: Option<String>,
    operation_id: Option<String>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    operation_status: Option<String>,
});
shape!(ApplicationVersionChangeDetails { application_version_updated_from: Option<i64>, application_version_updated_to: Option<i64> });
shape!(ErrorInfo { error_string: Option<String> });
shape!(OperationFailureDetails { rollback_operation_id: Option<String>, error_info: Option<ErrorInfo> });
shape!(ApplicationOperationInfoDetails {
    operation: Option<String>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    operation_status: Option<String>,
    application_version_change_details: Option<ApplicationVersionChangeDetails>,
    operation_failure_details: Option<OperationFailureDetails>,
});

// ---- requests ----------------------------------------------------------------------------------

shape!(CreateApplicationRequest {
    application_name: Option<String>,
    application_description: Option<String>,
    runtime_environment: Option<String>,
    service_execution_role: Option<String>,
    application_configuration: Option<ApplicationConfiguration>,
    cloud_watch_logging_options: Option<Vec<CloudWatchLoggingOption>>,
    tags: Option<Vec<Tag>>,
    application_mode: Option<String>,
});
shape!(DescribeApplicationRequest { application_name: Option<String>, include_additional_details: Option<bool> });
shape!(ListApplicationsRequest { limit: Option<i64>, next_token: Option<String> });
shape!(DeleteApplicationRequest { application_name: Option<String>, create_timestamp: Option<f64> });
shape!(StartApplicationRequest { application_name: Option<String>, run_configuration: Option<RunConfiguration> });
shape!(StopApplicationRequest { application_name: Option<String>, force: Option<bool> });
shape!(UpdateApplicationRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    application_configuration_update: Option<ApplicationConfigurationUpdate>,
    service_execution_role_update: Option<String>,
    run_configuration_update: Option<RunConfigurationUpdate>,
    cloud_watch_logging_option_updates: Option<Vec<CloudWatchLoggingOptionUpdate>>,
    conditional_token: Option<String>,
    runtime_environment_update: Option<String>,
});
shape!(RollbackApplicationRequest { application_name: Option<String>, current_application_version_id: Option<i64> });
shape!(OperationRequest { application_name: Option<String>, operation_id: Option<String> });
shape!(ListApplicationOperationsRequest {
    application_name: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
    operation: Option<String>,
    operation_status: Option<String>,
});
shape!(
    /// ListApplicationSnapshots and ListApplicationVersions.
    PageRequest { application_name: Option<String>, limit: Option<i64>, next_token: Option<String> }
);
shape!(SnapshotRequest { application_name: Option<String>, snapshot_name: Option<String> });
shape!(DeleteSnapshotRequest { application_name: Option<String>, snapshot_name: Option<String>, snapshot_creation_timestamp: Option<f64> });
shape!(DescribeApplicationVersionRequest { application_name: Option<String>, application_version_id: Option<i64> });
shape!(AddCloudWatchLoggingOptionRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    cloud_watch_logging_option: Option<CloudWatchLoggingOption>,
    conditional_token: Option<String>,
});
shape!(DeleteCloudWatchLoggingOptionRequest {
    application_name: Option<String>,
    current_application_version_id: Option<i64>,
    cloud_watch_logging_option_id: Option<String>,
    conditional_token: Option<String>,
});
shape!(UpdateMaintenanceConfigurationRequest {
    application_name: Option<String>,
    application_maintenance_configuration_update: Option<MaintenanceUpdate>,
});
shape!(MaintenanceUpdate { application_maintenance_window_start_time_update: Option<String> });
