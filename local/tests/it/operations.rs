//! The happy path of every one of the 20 operations.

use aws_sdk_kinesisanalytics::primitives::DateTime;
use aws_sdk_kinesisanalytics::types::*;

use crate::support::*;

fn reference_source() -> ReferenceDataSource {
    reference_data_source(
        "CATEGORIES",
        "dsoaws-reference",
        "categories.csv",
        record_format(true),
        vec![
            RecordColumn::builder()
                .name("category")
                .mapping("$.category")
                .sql_type("VARCHAR(24)")
                .build()
                .unwrap(),
        ],
    )
}

#[tokio::test]
async fn every_operation_happy_path() {
    let h = Harness::new().await;
    let c = &h.client;
    let name = "ops-app";

    // CreateApplication (bare, with tags and a logging option)
    c.create_application()
        .application_name(name)
        .application_description("every operation")
        .cloud_watch_logging_options(
            CloudWatchLoggingOption::builder()
                .log_stream_arn("arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:app")
                .role_arn(arns::ROLE_KINESIS)
                .build()
                .unwrap(),
        )
        .tags(Tag::builder().key("team").value("data").build().unwrap())
        .send()
        .await
        .unwrap();
    let mut version = 1;

    // AddApplicationInput
    let mut input = reference_input();
    input.input_processing_configuration = None;
    c.add_application_input()
        .application_name(name)
        .current_application_version_id(version)
        .input(input)
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);

    // AddApplicationInputProcessingConfiguration
    c.add_application_input_processing_configuration()
        .application_name(name)
        .current_application_version_id(version)
        .input_id("1.1")
        .input_processing_configuration(
            InputProcessingConfiguration::builder()
                .input_lambda_processor(
                    InputLambdaProcessor::builder()
                        .resource_arn(arns::LAMBDA_INVOKE_EP)
                        .role_arn(arns::ROLE_LAMBDA)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);

    // AddApplicationOutput
    for o in reference_outputs() {
        c.add_application_output()
            .application_name(name)
            .current_application_version_id(version)
            .output(o)
            .send()
            .await
            .unwrap();
        version += 1;
        h.advance_ms(1_000);
    }

    // AddApplicationReferenceDataSource
    c.add_application_reference_data_source()
        .application_name(name)
        .current_application_version_id(version)
        .reference_data_source(reference_source())
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);

    // AddApplicationCloudWatchLoggingOption
    c.add_application_cloud_watch_logging_option()
        .application_name(name)
        .current_application_version_id(version)
        .cloud_watch_logging_option(
            CloudWatchLoggingOption::builder()
                .log_stream_arn(
                    "arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:second",
                )
                .role_arn(arns::ROLE_KINESIS)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);

    // DescribeApplication shows it all, with service-shaped ids.
    let d = c
        .describe_application()
        .application_name(name)
        .send()
        .await
        .unwrap();
    let d = d.application_detail.unwrap();
    assert_eq!(d.application_version_id, version);
    assert_eq!(
        d.application_description.as_deref(),
        Some("every operation")
    );
    let out_ids: Vec<_> = d
        .output_descriptions()
        .iter()
        .map(|o| o.output_id.clone().unwrap())
        .collect();
    assert_eq!(out_ids, ["2.1", "2.2", "2.3"]);
    assert_eq!(
        d.reference_data_source_descriptions()[0].reference_id(),
        "3.1"
    );
    let log_ids: Vec<_> = d
        .cloud_watch_logging_option_descriptions()
        .iter()
        .map(|o| o.cloud_watch_logging_option_id.clone().unwrap())
        .collect();
    assert_eq!(log_ids, ["4.1", "4.2"]);
    assert!(
        d.input_descriptions()[0]
            .input_processing_configuration_description
            .is_some()
    );
    assert!(d.create_timestamp.unwrap() < d.last_update_timestamp.unwrap());

    // UpdateApplication: code, an output rename and a parallelism change in one call.
    c.update_application()
        .application_name(name)
        .current_application_version_id(version)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(reference_code("SOURCE_SQL_STREAM_001", 10))
                .output_updates(
                    OutputUpdate::builder()
                        .output_id("2.3")
                        .destination_schema_update(
                            DestinationSchema::builder()
                                .record_format_type(RecordFormatType::Json)
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .input_updates(
                    InputUpdate::builder()
                        .input_id("1.1")
                        .input_parallelism_update(
                            InputParallelismUpdate::builder().count_update(2).build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    version += 1;
    assert_eq!(h.status(name).await, ApplicationStatus::Updating);
    h.advance_ms(1_000);
    let d = c
        .describe_application()
        .application_name(name)
        .send()
        .await
        .unwrap();
    let d = d.application_detail.unwrap();
    assert_eq!(d.application_status, ApplicationStatus::Ready);
    assert_eq!(d.application_version_id, version);
    assert!(
        d.application_code
            .as_deref()
            .unwrap()
            .contains("INTERVAL '10' SECOND")
    );
    let schema = d.output_descriptions()[2]
        .destination_schema
        .as_ref()
        .unwrap();
    assert_eq!(schema.record_format_type(), &RecordFormatType::Json);
    assert_eq!(
        d.input_descriptions()[0].in_app_stream_names(),
        ["SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"]
    );

    // The four Delete* component operations.
    c.delete_application_output()
        .application_name(name)
        .current_application_version_id(version)
        .output_id("2.3")
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);
    c.delete_application_input_processing_configuration()
        .application_name(name)
        .current_application_version_id(version)
        .input_id("1.1")
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);
    c.delete_application_reference_data_source()
        .application_name(name)
        .current_application_version_id(version)
        .reference_id("3.1")
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);
    c.delete_application_cloud_watch_logging_option()
        .application_name(name)
        .current_application_version_id(version)
        .cloud_watch_logging_option_id("4.2")
        .send()
        .await
        .unwrap();
    version += 1;
    h.advance_ms(1_000);
    let d = c
        .describe_application()
        .application_name(name)
        .send()
        .await
        .unwrap();
    let d = d.application_detail.unwrap();
    assert_eq!(d.application_version_id, version);
    assert_eq!(d.output_descriptions().len(), 2);
    assert!(
        d.input_descriptions()[0]
            .input_processing_configuration_description
            .is_none()
    );
    assert!(d.reference_data_source_descriptions().is_empty());
    assert_eq!(d.cloud_watch_logging_option_descriptions().len(), 1);

    // Tags: Tag, Untag, ListTagsForResource; tags do not change the version.
    let arn = d.application_arn.clone();
    c.tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("env").value("local").build().unwrap())
        .tags(
            Tag::builder()
                .key("team")
                .value("platform")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags: Vec<_> = tags
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().unwrap_or("").to_string()))
        .collect();
    assert_eq!(tags, [("team".to_string(), "platform".to_string())]);
    assert_eq!(h.version(name).await, version);

    // ListApplications with paging.
    create_bare(c, "ops-app-2").await;
    create_bare(c, "ops-app-3").await;
    let page = c.list_applications().limit(2).send().await.unwrap();
    let names: Vec<_> = page
        .application_summaries()
        .iter()
        .map(|s| s.application_name().to_string())
        .collect();
    assert_eq!(names, ["ops-app", "ops-app-2"]);
    assert!(page.has_more_applications());
    let page = c
        .list_applications()
        .limit(2)
        .exclusive_start_application_name("ops-app-2")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = page
        .application_summaries()
        .iter()
        .map(|s| s.application_name().to_string())
        .collect();
    assert_eq!(names, ["ops-app-3"]);
    assert!(!page.has_more_applications());

    // Start, Stop.
    start(c, name).await.unwrap();
    h.advance_ms(2_000);
    assert_eq!(h.status(name).await, ApplicationStatus::Running);
    c.stop_application()
        .application_name(name)
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(name).await, ApplicationStatus::Stopping);
    h.advance_ms(1_000);
    assert_eq!(h.status(name).await, ApplicationStatus::Ready);

    // DiscoverInputSchema: the stream exists but holds no records yet (a stream that does not
    // exist is an InvalidArgumentException, see discover.rs).
    let ks = crate::kinesis::client(&h.running.endpoint_url());
    crate::kinesis::create(&ks, "dsoaws-kinesis-data-stream", 1).await;
    let err = c
        .discover_input_schema()
        .resource_arn(arns::STREAM)
        .role_arn(arns::ROLE_KINESIS)
        .input_starting_position_configuration(
            InputStartingPositionConfiguration::builder()
                .input_starting_position(InputStartingPosition::Now)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let service = err.into_service_error();
    assert!(
        service.is_unable_to_detect_schema_exception(),
        "{service:?}"
    );

    // DeleteApplication with the CreateTimestamp from Describe.
    let created: DateTime = d.create_timestamp.unwrap();
    c.delete_application()
        .application_name(name)
        .create_timestamp(created)
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(name).await, ApplicationStatus::Deleting);
    h.advance_ms(1_000);
    let err = c
        .describe_application()
        .application_name(name)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
}
