//! Managed Service for Apache Flink (kinesisanalyticsv2) on the twin through
//! `aws-sdk-kinesisanalyticsv2`: create with code in the twin's S3, the lifecycle with its
//! operations, updates by version and ConditionalToken, rollback, versions, snapshots, tags, the
//! errors, and a restart, on virtual time.

use std::sync::Arc;

use aws_sdk_kinesisanalyticsv2 as v2;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_local::TwinConfig;
use kdaflow_local::faults::{FaultRequest, StartFaultKind};
use v2::types::*;

use crate::support::{Harness, T0, code, create_bare, message, put_object};

const BUCKET: &str = "flink-code";
const KEY: &str = "app/kdaflow-app.zip";
const ROLE: &str = "arn:aws:iam::000000000000:role/flink-app";

fn client(endpoint: &str) -> v2::Client {
    let config = v2::Config::builder()
        .behavior_version(v2::config::BehaviorVersion::latest())
        .region(v2::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(v2::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .retry_config(v2::config::retry::RetryConfig::disabled())
        .build();
    v2::Client::from_conf(config)
}

fn code_configuration() -> ApplicationConfiguration {
    ApplicationConfiguration::builder()
        .application_code_configuration(
            ApplicationCodeConfiguration::builder()
                .code_content_type(CodeContentType::Zipfile)
                .code_content(
                    CodeContent::builder()
                        .s3_content_location(
                            S3ContentLocation::builder()
                                .bucket_arn(format!("arn:aws:s3:::{BUCKET}"))
                                .file_key(KEY)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .environment_properties(
            EnvironmentProperties::builder()
                .property_groups(
                    PropertyGroup::builder()
                        .property_group_id("kinesis.analytics.flink.run.options")
                        .property_map("python", "main.py")
                        .property_map("jarfile", "lib/connectors.jar")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
}

async fn setup() -> (Harness, v2::Client) {
    let h = Harness::new().await;
    put_object(&h.running.endpoint_url(), BUCKET, KEY, b"PK\x05\x06 a zip").await;
    let c = client(&h.running.endpoint_url());
    (h, c)
}

async fn create(c: &v2::Client, name: &str) -> ApplicationDetail {
    c.create_application()
        .application_name(name)
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .application_configuration(code_configuration())
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
}

async fn detail(c: &v2::Client, name: &str) -> ApplicationDetail {
    c.describe_application()
        .application_name(name)
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
}

async fn operation(c: &v2::Client, name: &str, id: &str) -> ApplicationOperationInfoDetails {
    c.describe_application_operation()
        .application_name(name)
        .operation_id(id)
        .send()
        .await
        .unwrap()
        .application_operation_info_details
        .unwrap()
}

async fn start(c: &v2::Client, name: &str) -> String {
    c.start_application()
        .application_name(name)
        .run_configuration(
            RunConfiguration::builder()
                .application_restore_configuration(
                    ApplicationRestoreConfiguration::builder()
                        .application_restore_type(ApplicationRestoreType::RestoreFromLatestSnapshot)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .operation_id
        .unwrap()
}

#[tokio::test]
async fn create_describes_a_flink_application_with_the_service_defaults() {
    let (_h, c) = setup().await;
    let d = create(&c, "flink").await;
    assert_eq!(d.application_status, ApplicationStatus::Ready);
    assert_eq!(d.application_version_id, 1);
    assert_eq!(d.runtime_environment, RuntimeEnvironment::Flink120);
    assert_eq!(d.application_mode, Some(ApplicationMode::Streaming));
    assert_eq!(
        d.application_arn,
        "arn:aws:kinesisanalytics:us-east-1:000000000000:application/flink"
    );
    let token = d.conditional_token.clone().unwrap();
    assert!(!token.is_empty());
    let config = d.application_configuration_description.unwrap();
    let content = config
        .application_code_configuration_description
        .unwrap()
        .code_content_description
        .unwrap();
    assert_eq!(content.code_size, Some(10));
    assert_eq!(content.code_md5.unwrap().len(), 128);
    let s3 = content.s3_application_code_location_description.unwrap();
    assert_eq!(s3.bucket_arn, "arn:aws:s3:::flink-code");
    assert_eq!(s3.file_key, KEY);
    let flink = config.flink_application_configuration_description.unwrap();
    let cp = flink.checkpoint_configuration_description.unwrap();
    assert_eq!(cp.configuration_type, Some(ConfigurationType::Default));
    assert_eq!(cp.checkpointing_enabled, Some(true));
    assert_eq!(cp.checkpoint_interval, Some(60_000));
    assert_eq!(cp.min_pause_between_checkpoints, Some(5_000));
    let p = flink.parallelism_configuration_description.unwrap();
    assert_eq!((p.parallelism, p.current_parallelism), (Some(1), Some(1)));
    let groups = config
        .environment_property_descriptions
        .unwrap()
        .property_group_descriptions
        .unwrap();
    assert_eq!(
        groups[0].property_group_id,
        "kinesis.analytics.flink.run.options"
    );
    assert_eq!(groups[0].property_map["python"], "main.py");
    assert!(
        !config
            .application_snapshot_configuration_description
            .unwrap()
            .snapshots_enabled
    );

    let list = c.list_applications().send().await.unwrap();
    let s = &list.application_summaries()[0];
    assert_eq!(s.application_name, "flink");
    assert_eq!(s.application_version_id, 1);
    assert_eq!(s.runtime_environment, RuntimeEnvironment::Flink120);

    // The same name again, a v1 application's name, a SQL runtime.
    let e = c
        .create_application()
        .application_name("flink")
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .application_configuration(code_configuration())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
}

#[tokio::test]
async fn bad_creates_get_the_services_errors() {
    let (h, c) = setup().await;
    create_bare(&h.client, "sqlapp").await;
    let e = c
        .create_application()
        .application_name("sqlapp")
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .application_configuration(code_configuration())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    assert!(message(&e).contains("v1"), "{}", message(&e));

    let e = c
        .create_application()
        .application_name("sql")
        .runtime_environment(RuntimeEnvironment::Sql10)
        .service_execution_role(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "UnsupportedOperationException");

    // Constraints, all reported at once.
    let e = c
        .create_application()
        .application_name("bad name!")
        .runtime_environment(RuntimeEnvironment::from("FLINK-9_9"))
        .service_execution_role("role")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let m = message(&e);
    assert!(m.starts_with("3 validation errors detected"), "{m}");
    assert!(m.contains("'runtimeEnvironment'"), "{m}");
    assert!(m.contains("'serviceExecutionRole'"), "{m}");

    // No code, code that is not in S3, a run option MSF does not support.
    let e = c
        .create_application()
        .application_name("nocode")
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("ApplicationCodeConfiguration"));
    let missing = ApplicationConfiguration::builder()
        .application_code_configuration(
            ApplicationCodeConfiguration::builder()
                .code_content_type(CodeContentType::Zipfile)
                .code_content(
                    CodeContent::builder()
                        .s3_content_location(
                            S3ContentLocation::builder()
                                .bucket_arn(format!("arn:aws:s3:::{BUCKET}"))
                                .file_key("nope.zip")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .build();
    let e = c
        .create_application()
        .application_name("missing")
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .application_configuration(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(
        message(&e).contains("s3://flink-code/nope.zip"),
        "{}",
        message(&e)
    );
    assert!(message(&e).contains("NoSuchKey"), "{}", message(&e));

    let mut config = code_configuration();
    config.environment_properties = Some(
        EnvironmentProperties::builder()
            .property_groups(
                PropertyGroup::builder()
                    .property_group_id("kinesis.analytics.flink.run.options")
                    .property_map("pyRequirements", "requirements.txt")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap(),
    );
    let e = c
        .create_application()
        .application_name("pip")
        .runtime_environment(RuntimeEnvironment::Flink120)
        .service_execution_role(ROLE)
        .application_configuration(config)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("pyRequirements"));
    let e = c
        .describe_application()
        .application_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn the_lifecycle_follows_its_operations() {
    let (h, c) = setup().await;
    create(&c, "life").await;
    let op = start(&c, "life").await;
    assert_eq!(
        detail(&c, "life").await.application_status,
        ApplicationStatus::Starting
    );
    let o = operation(&c, "life", &op).await;
    assert_eq!(o.operation, "StartApplication");
    assert_eq!(o.operation_status, OperationStatus::InProgress);
    // Busy: a second start, an update.
    let e = c
        .start_application()
        .application_name("life")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "life").await.application_status,
        ApplicationStatus::Running
    );
    let o = operation(&c, "life", &op).await;
    assert_eq!(o.operation_status, OperationStatus::Successful);
    assert!(o.end_time > o.start_time);

    // A stale version, then the ConditionalToken.
    let e = c
        .update_application()
        .application_name("life")
        .current_application_version_id(7)
        .service_execution_role_update("arn:aws:iam::000000000000:role/other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ConcurrentModificationException");
    let token = detail(&c, "life").await.conditional_token.unwrap();
    let u = c
        .update_application()
        .application_name("life")
        .conditional_token(&token)
        .application_configuration_update(
            ApplicationConfigurationUpdate::builder()
                .flink_application_configuration_update(
                    FlinkApplicationConfigurationUpdate::builder()
                        .parallelism_configuration_update(
                            ParallelismConfigurationUpdate::builder()
                                .configuration_type_update(ConfigurationType::Custom)
                                .parallelism_update(4)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let d = u.application_detail.unwrap();
    assert_eq!(d.application_version_id, 2);
    assert_eq!(d.application_version_updated_from, Some(1));
    assert_eq!(d.application_status, ApplicationStatus::Updating);
    assert_ne!(d.conditional_token.as_deref(), Some(token.as_str()));
    let update_op = u.operation_id.unwrap();
    let o = operation(&c, "life", &update_op).await;
    let change = o.application_version_change_details.unwrap();
    assert_eq!(
        (
            change.application_version_updated_from,
            change.application_version_updated_to
        ),
        (1, 2)
    );
    // The old token is stale now.
    let e = c
        .update_application()
        .application_name("life")
        .conditional_token(&token)
        .service_execution_role_update(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ConcurrentModificationException");
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "life").await.application_status,
        ApplicationStatus::Running
    );

    // Roll back to version 1: version 3 with version 1's configuration.
    let r = c
        .rollback_application()
        .application_name("life")
        .current_application_version_id(2)
        .send()
        .await
        .unwrap();
    let d = r.application_detail.unwrap();
    assert_eq!(d.application_status, ApplicationStatus::RollingBack);
    assert_eq!(d.application_version_id, 3);
    assert_eq!(d.application_version_rolled_back_from, Some(2));
    assert_eq!(d.application_version_rolled_back_to, Some(1));
    h.advance_ms(2_000);
    let d = detail(&c, "life").await;
    assert_eq!(d.application_status, ApplicationStatus::Running);
    let p = d
        .application_configuration_description
        .unwrap()
        .flink_application_configuration_description
        .unwrap()
        .parallelism_configuration_description
        .unwrap();
    assert_eq!(p.parallelism, Some(1));

    let versions = c
        .list_application_versions()
        .application_name("life")
        .send()
        .await
        .unwrap();
    let ids: Vec<i64> = versions
        .application_version_summaries()
        .iter()
        .map(|v| v.application_version_id)
        .collect();
    assert_eq!(ids, vec![3, 2, 1]);
    let v2d = c
        .describe_application_version()
        .application_name("life")
        .application_version_id(2)
        .send()
        .await
        .unwrap()
        .application_version_detail
        .unwrap();
    let p = v2d
        .application_configuration_description
        .unwrap()
        .flink_application_configuration_description
        .unwrap()
        .parallelism_configuration_description
        .unwrap();
    assert_eq!(p.parallelism, Some(4));
    let e = c
        .describe_application_version()
        .application_name("life")
        .application_version_id(9)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");

    // Stop, then the list of operations, newest first.
    let stop = c
        .stop_application()
        .application_name("life")
        .send()
        .await
        .unwrap()
        .operation_id
        .unwrap();
    assert_eq!(
        detail(&c, "life").await.application_status,
        ApplicationStatus::Stopping
    );
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "life").await.application_status,
        ApplicationStatus::Ready
    );
    let ops = c
        .list_application_operations()
        .application_name("life")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = ops
        .application_operation_info_list()
        .iter()
        .filter_map(|o| o.operation())
        .collect();
    assert_eq!(
        names,
        [
            "StopApplication",
            "RollbackApplication",
            "UpdateApplication",
            "StartApplication"
        ]
    );
    assert_eq!(
        ops.application_operation_info_list()[0].operation_id(),
        Some(stop.as_str())
    );
    let page = c
        .list_application_operations()
        .application_name("life")
        .limit(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.application_operation_info_list().len(), 3);
    let rest = c
        .list_application_operations()
        .application_name("life")
        .limit(3)
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.application_operation_info_list().len(), 1);
    assert!(rest.next_token().is_none());

    // Delete needs the creation time.
    let created = d.create_timestamp.unwrap();
    let e = c
        .delete_application()
        .application_name("life")
        .create_timestamp(v2::primitives::DateTime::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    c.delete_application()
        .application_name("life")
        .create_timestamp(created)
        .send()
        .await
        .unwrap();
    h.advance_ms(2_000);
    let e = c
        .describe_application()
        .application_name("life")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn a_failed_start_goes_back_to_ready_with_its_reason() {
    let (h, c) = setup().await;
    create(&c, "f").await;
    h.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Fail,
        application: Some("f".into()),
        count: 1,
    });
    let op = start(&c, "f").await;
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "f").await.application_status,
        ApplicationStatus::Ready
    );
    let o = operation(&c, "f", &op).await;
    assert_eq!(o.operation_status, OperationStatus::Failed);
    let why = o
        .operation_failure_details
        .unwrap()
        .error_info
        .unwrap()
        .error_string
        .unwrap();
    assert!(why.contains("failed to start"), "{why}");

    // A start that hangs is cut short by a forced stop: its operation is CANCELLED.
    h.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Hang,
        application: Some("f".into()),
        count: 1,
    });
    let op = start(&c, "f").await;
    h.advance_ms(600_000);
    assert_eq!(
        detail(&c, "f").await.application_status,
        ApplicationStatus::Starting
    );
    let e = c
        .stop_application()
        .application_name("f")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    c.stop_application()
        .application_name("f")
        .force(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        detail(&c, "f").await.application_status,
        ApplicationStatus::ForceStopping
    );
    assert_eq!(
        operation(&c, "f", &op).await.operation_status,
        OperationStatus::Cancelled
    );
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "f").await.application_status,
        ApplicationStatus::Ready
    );
}

#[tokio::test]
async fn without_flink_start_says_why_the_job_cannot_run() {
    let (h, c) = setup().await;
    create(&c, "nojava").await;
    h.twin()
        .managed_flink()
        .set_runner(Arc::new(kdaflow_local::kinesisanalyticsv2::Unavailable(
            "Java 17 was not found (set JAVA_HOME)".into(),
        )));
    let e = c
        .start_application()
        .application_name("nojava")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidApplicationConfigurationException");
    assert!(message(&e).contains("JAVA_HOME"), "{}", message(&e));
    // Everything else still answers.
    assert_eq!(
        detail(&c, "nojava").await.application_status,
        ApplicationStatus::Ready
    );
}

#[tokio::test]
async fn snapshots_need_snapshots_enabled_and_a_running_application() {
    let (h, c) = setup().await;
    create(&c, "snap").await;
    start(&c, "snap").await;
    h.advance_ms(2_000);
    let e = c
        .create_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidApplicationConfigurationException");
    c.update_application()
        .application_name("snap")
        .current_application_version_id(1)
        .application_configuration_update(
            ApplicationConfigurationUpdate::builder()
                .application_snapshot_configuration_update(
                    ApplicationSnapshotConfigurationUpdate::builder()
                        .snapshots_enabled_update(true)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    h.advance_ms(2_000);
    c.create_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .send()
        .await
        .unwrap();
    let s = c
        .describe_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .send()
        .await
        .unwrap()
        .snapshot_details
        .unwrap();
    assert_eq!(s.snapshot_status, SnapshotStatus::Creating);
    assert_eq!(s.application_version_id, 2);
    let e = c
        .create_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    h.advance_ms(2_000);
    // A stop that is not forced takes a snapshot too.
    c.stop_application()
        .application_name("snap")
        .send()
        .await
        .unwrap();
    h.advance_ms(2_000);
    let list = c
        .list_application_snapshots()
        .application_name("snap")
        .send()
        .await
        .unwrap();
    let snaps = list.snapshot_summaries();
    assert_eq!(snaps.len(), 2);
    assert!(
        snaps
            .iter()
            .all(|s| s.snapshot_status == SnapshotStatus::Ready)
    );
    assert!(snaps[0].snapshot_name.starts_with("kdaflow-stop-"));

    // Start from a named snapshot; an unknown one is not found.
    let e = c
        .start_application()
        .application_name("snap")
        .run_configuration(
            RunConfiguration::builder()
                .application_restore_configuration(
                    ApplicationRestoreConfiguration::builder()
                        .application_restore_type(ApplicationRestoreType::RestoreFromCustomSnapshot)
                        .snapshot_name("nope")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    c.start_application()
        .application_name("snap")
        .run_configuration(
            RunConfiguration::builder()
                .application_restore_configuration(
                    ApplicationRestoreConfiguration::builder()
                        .application_restore_type(ApplicationRestoreType::RestoreFromCustomSnapshot)
                        .snapshot_name("s1")
                        .build()
                        .unwrap(),
                )
                .flink_run_configuration(
                    FlinkRunConfiguration::builder()
                        .allow_non_restored_state(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let run = detail(&c, "snap")
        .await
        .application_configuration_description
        .unwrap()
        .run_configuration_description
        .unwrap();
    let restore = run.application_restore_configuration_description.unwrap();
    assert_eq!(
        restore.application_restore_type,
        ApplicationRestoreType::RestoreFromCustomSnapshot
    );
    assert_eq!(restore.snapshot_name.as_deref(), Some("s1"));
    assert_eq!(
        run.flink_run_configuration_description
            .unwrap()
            .allow_non_restored_state,
        Some(true)
    );

    let e = c
        .delete_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .snapshot_creation_timestamp(v2::primitives::DateTime::from_secs(5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    c.delete_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .snapshot_creation_timestamp(s.snapshot_creation_timestamp.unwrap())
        .send()
        .await
        .unwrap();
    let e = c
        .describe_application_snapshot()
        .application_name("snap")
        .snapshot_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn tags_and_the_sql_only_operations() {
    let (_h, c) = setup().await;
    let arn = create(&c, "tagged").await.application_arn;
    c.tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("team").value("data").build().unwrap())
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key, "team");
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_empty());
    let e = c
        .add_application_output()
        .application_name("tagged")
        .current_application_version_id(1)
        .output(
            Output::builder()
                .name("OUT")
                .destination_schema(
                    DestinationSchema::builder()
                        .record_format_type(RecordFormatType::Json)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("SQL applications"), "{}", message(&e));
}

#[tokio::test]
async fn applications_operations_and_snapshots_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = VirtualClock::at_epoch_seconds(T0);
    let (before, op);
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        put_object(&h.running.endpoint_url(), BUCKET, KEY, b"zip").await;
        let c = client(&h.running.endpoint_url());
        create(&c, "durable").await;
        op = start(&c, "durable").await;
        before = detail(&c, "durable").await;
        h.running.shutdown().await.unwrap();
    }
    let h = Harness::with_clock(config, clock).await;
    let c = client(&h.running.endpoint_url());
    let after = detail(&c, "durable").await;
    assert_eq!(after, before);
    assert_eq!(
        operation(&c, "durable", &op).await.operation_status,
        OperationStatus::InProgress
    );
    // The start under way completes after the restart.
    h.advance_ms(2_000);
    assert_eq!(
        detail(&c, "durable").await.application_status,
        ApplicationStatus::Running
    );
    assert_eq!(
        operation(&c, "durable", &op).await.operation_status,
        OperationStatus::Successful
    );
}
