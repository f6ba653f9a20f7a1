//! Every modeled error, where the service raises it, and the constraint checks.

use std::sync::Arc;

use aws_sdk_kinesisanalytics::primitives::DateTime;
use aws_sdk_kinesisanalytics::types::*;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_local::kinesisanalytics::CodeValidator;
use kdaflow_local::kinesisanalytics::app::AppRecord;
use kdaflow_local::{Twin, TwinConfig};

use crate::support::*;

#[tokio::test]
async fn resource_in_use() {
    let h = Harness::new().await;
    let c = &h.client;
    create_reference(c, "a").await.unwrap();
    // Duplicate name.
    assert_eq!(
        code(&create_reference(c, "a").await.unwrap_err()),
        "ResourceInUseException"
    );
    // Stop while READY.
    let e = c
        .stop_application()
        .application_name("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    assert!(message(&e).contains("READY"), "{}", message(&e));
    // Start while STARTING, and while RUNNING.
    start(c, "a").await.unwrap();
    let e = start(c, "a").await.unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    assert!(message(&e).contains("STARTING"), "{}", message(&e));
    h.advance_ms(2_000);
    assert_eq!(
        code(&start(c, "a").await.unwrap_err()),
        "ResourceInUseException"
    );
    // A configuration change while UPDATING (with the current version).
    c.add_application_output()
        .application_name("a")
        .current_application_version_id(1)
        .output(stream_output("X", arns::STREAM, arns::ROLE_KINESIS))
        .send()
        .await
        .unwrap_err(); // 4th output: InvalidArgument, checked below; version unchanged
    let d = DescribeSnapshot::take(&h, "a").await;
    c.delete_application_output()
        .application_name("a")
        .current_application_version_id(d.version)
        .output_id("2.1")
        .send()
        .await
        .unwrap();
    assert_eq!(h.status("a").await, ApplicationStatus::Updating);
    let e = c
        .delete_application_output()
        .application_name("a")
        .current_application_version_id(d.version + 1)
        .output_id("2.2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    // Start while UPDATING.
    let e = start(c, "a").await.unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    // Delete while DELETING.
    h.advance_ms(1_000);
    let d = DescribeSnapshot::take(&h, "a").await;
    c.delete_application()
        .application_name("a")
        .create_timestamp(d.created)
        .send()
        .await
        .unwrap();
    let e = c
        .delete_application()
        .application_name("a")
        .create_timestamp(d.created)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    // Create while the old one is still DELETING; after it is gone the name is free again.
    assert_eq!(
        code(&create_reference(c, "a").await.unwrap_err()),
        "ResourceInUseException"
    );
    h.advance_ms(1_000);
    create_reference(c, "a").await.unwrap();
}

struct DescribeSnapshot {
    version: i64,
    created: DateTime,
}

impl DescribeSnapshot {
    async fn take(h: &Harness, name: &str) -> Self {
        let d = h
            .client
            .describe_application()
            .application_name(name)
            .send()
            .await
            .unwrap()
            .application_detail
            .unwrap();
        Self {
            version: d.application_version_id,
            created: d.create_timestamp.unwrap(),
        }
    }
}

#[tokio::test]
async fn resource_not_found() {
    let h = Harness::new().await;
    let c = &h.client;
    let e = c
        .describe_application()
        .application_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert!(message(&e).contains("nope"));
    let e = c
        .start_application()
        .application_name("nope")
        .input_configurations(start_config("1.1", InputStartingPosition::Now))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let e = c
        .stop_application()
        .application_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let e = c
        .list_tags_for_resource()
        .resource_arn("arn:aws:kinesisanalytics:us-east-1:000000000000:application/nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    // Another account's ARN is not found here either.
    create_bare(c, "b").await;
    let e = c
        .list_tags_for_resource()
        .resource_arn("arn:aws:kinesisanalytics:us-east-1:111111111111:application/b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    // A component id that does not exist.
    let e = c
        .delete_application_output()
        .application_name("b")
        .current_application_version_id(1)
        .output_id("2.9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert!(message(&e).contains("2.9"));
}

#[tokio::test]
async fn invalid_argument() {
    let h = Harness::new().await;
    let c = &h.client;
    // An input with two sources.
    let mut input = reference_input();
    input.kinesis_streams_input = Some(
        KinesisStreamsInput::builder()
            .resource_arn(arns::STREAM)
            .role_arn(arns::ROLE_KINESIS)
            .build()
            .unwrap(),
    );
    let e = c
        .create_application()
        .application_name("x")
        .inputs(input)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    // Two inputs.
    let e = c
        .create_application()
        .application_name("x")
        .inputs(reference_input())
        .inputs(reference_input())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(
        message(&e).contains("at most 1 streaming source"),
        "{}",
        message(&e)
    );
    // Four outputs.
    let mut outputs = reference_outputs();
    outputs.push(stream_output("FOURTH", arns::STREAM, arns::ROLE_KINESIS));
    let e = c
        .create_application()
        .application_name("x")
        .set_outputs(Some(outputs))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("at most 3 outputs"), "{}", message(&e));
    // A fourth output added later, a second input, a second reference source.
    create_reference(c, "r").await.unwrap();
    let e = c
        .add_application_output()
        .application_name("r")
        .current_application_version_id(1)
        .output(stream_output("FOURTH", arns::STREAM, arns::ROLE_KINESIS))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    let e = c
        .add_application_input()
        .application_name("r")
        .current_application_version_id(1)
        .input(reference_input())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    // An output with no destination.
    let e = c
        .add_application_output()
        .application_name("r")
        .current_application_version_id(1)
        .output(
            Output::builder()
                .name("NOWHERE")
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
    // Start with an unknown input id, and TRIM_HORIZON on a Firehose source.
    let e = c
        .start_application()
        .application_name("r")
        .input_configurations(start_config("1.7", InputStartingPosition::Now))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    let e = c
        .start_application()
        .application_name("r")
        .input_configurations(start_config("1.1", InputStartingPosition::TrimHorizon))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("TRIM_HORIZON"));
    // Delete with a CreateTimestamp that is not the application's.
    let e = c
        .delete_application()
        .application_name("r")
        .create_timestamp(DateTime::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("CreateTimestamp"));
    // None of that changed the application.
    assert_eq!(h.version("r").await, 1);
    assert_eq!(h.status("r").await, ApplicationStatus::Ready);
}

#[tokio::test]
async fn concurrent_modification_on_stale_version() {
    let h = Harness::new().await;
    let c = &h.client;
    create_reference(c, "v").await.unwrap();
    let e = c
        .delete_application_output()
        .application_name("v")
        .current_application_version_id(7)
        .output_id("2.1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ConcurrentModificationException");
    assert!(
        message(&e).contains("CurrentApplicationVersionId 7"),
        "{}",
        message(&e)
    );
    let e = c
        .update_application()
        .application_name("v")
        .current_application_version_id(2)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update("")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ConcurrentModificationException");
}

#[tokio::test]
async fn limit_exceeded_at_fifty_applications() {
    let h = Harness::new().await;
    for i in 0..50 {
        create_bare(&h.client, &format!("app-{i:02}")).await;
    }
    let e = h
        .client
        .create_application()
        .application_name("app-50")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "LimitExceededException");
    assert!(message(&e).contains("50"), "{}", message(&e));
}

#[tokio::test]
async fn too_many_tags() {
    let h = Harness::new().await;
    let c = &h.client;
    let tags: Vec<Tag> = (0..51)
        .map(|i| {
            Tag::builder()
                .key(format!("k{i}"))
                .value("v")
                .build()
                .unwrap()
        })
        .collect();
    let e = c
        .create_application()
        .application_name("t")
        .set_tags(Some(tags.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "TooManyTagsException");
    create_bare(c, "t").await;
    let arn = "arn:aws:kinesisanalytics:us-east-1:000000000000:application/t";
    c.tag_resource()
        .resource_arn(arn)
        .set_tags(Some(tags[..50].to_vec()))
        .send()
        .await
        .unwrap();
    let e = c
        .tag_resource()
        .resource_arn(arn)
        .tags(tags[50].clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "TooManyTagsException");
    // Overwriting an existing key is fine at the limit.
    c.tag_resource()
        .resource_arn(arn)
        .tags(Tag::builder().key("k0").value("new").build().unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn missing_s3_object_and_invalid_configuration() {
    let h = Harness::new().await;
    let c = &h.client;
    let e = c
        .discover_input_schema()
        .s3_configuration(
            S3Configuration::builder()
                .role_arn(arns::ROLE_KINESIS)
                .bucket_arn("arn:aws:s3:::bucket")
                .file_key("data.csv")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    // No such bucket on the twin's S3: the service names the object it could not read.
    assert_eq!(code(&e), "InvalidArgumentException");
    let message = message(&e);
    assert!(message.contains("s3://bucket/data.csv"), "{message}");
    create_bare(c, "no-input").await;
    let e = c
        .start_application()
        .application_name("no-input")
        .input_configurations(start_config("1.1", InputStartingPosition::Now))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidApplicationConfigurationException");
}

#[derive(Debug)]
struct RejectBroken;

impl CodeValidator for RejectBroken {
    fn validate(&self, app: &AppRecord) -> Result<(), String> {
        match app.code.as_deref() {
            Some(code) if code.contains("BROKEN") => {
                Err("Line 1, column 1: BROKEN is not SQL".into())
            }
            _ => Ok(()),
        }
    }
}

#[tokio::test]
async fn code_validation_goes_through_the_seam() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    let twin = Twin::builder(TwinConfig::default())
        .clock(Arc::new(clock))
        .code_validator(Arc::new(RejectBroken))
        .build()
        .unwrap();
    let running = twin.spawn(0).await.unwrap();
    let c = client(&running.endpoint_url());
    let e = c
        .create_application()
        .application_name("code")
        .application_code("BROKEN")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CodeValidationException");
    assert!(message(&e).contains("Line 1, column 1"));
    create_bare(&c, "code").await;
    let e = c
        .update_application()
        .application_name("code")
        .current_application_version_id(1)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update("BROKEN")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CodeValidationException");
    let d = c
        .describe_application()
        .application_name("code")
        .send()
        .await
        .unwrap();
    assert_eq!(d.application_detail.unwrap().application_version_id, 1);
}

#[tokio::test]
async fn validation_exception_lists_every_violation() {
    let h = Harness::new().await;
    let c = &h.client;
    let e = c
        .create_application()
        .application_name("bad name!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert_eq!(
        message(&e),
        "1 validation error detected: Value 'bad name!' at 'applicationName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    );
    let long = "a".repeat(129);
    let mut input = reference_input();
    input.input_parallelism = Some(InputParallelism::builder().count(65).build());
    let e = c
        .create_application()
        .application_name(&long)
        .application_code("x".repeat(102_401))
        .inputs(input)
        .outputs(lambda_output(
            "O",
            arns::LAMBDA_SNS,
            "arn:aws:iam::123:role/short",
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let m = message(&e);
    assert!(m.starts_with("4 validation errors detected: "), "{m}");
    assert!(m.contains("at 'applicationName' failed to satisfy constraint: Member must have length less than or equal to 128"), "{m}");
    assert!(m.contains("at 'applicationCode' failed to satisfy constraint: Member must have length less than or equal to 102400"), "{m}");
    assert!(m.contains("Value '65' at 'inputs.1.member.inputParallelism.count' failed to satisfy constraint: Member must have value less than or equal to 64"), "{m}");
    assert!(
        m.contains(
            "Value 'arn:aws:iam::123:role/short' at 'outputs.1.member.lambdaOutput.roleARN'"
        ),
        "{m}"
    );
    let e = c.list_applications().limit(0).send().await.unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c.list_applications().limit(51).send().await.unwrap_err();
    assert!(message(&e).contains("less than or equal to 50"));
    // Code of exactly 102,400 characters is accepted.
    c.create_application()
        .application_name("max-code")
        .application_code(format!("-- {}", "x".repeat(102_397)))
        .send()
        .await
        .unwrap();
    // Parallelism bounds 1 and 64 are accepted.
    let mut input = reference_input();
    input.input_parallelism = Some(InputParallelism::builder().count(64).build());
    c.create_application()
        .application_name("p64")
        .inputs(input)
        .send()
        .await
        .unwrap();
    let d = c
        .describe_application()
        .application_name("p64")
        .send()
        .await
        .unwrap();
    let names = d.application_detail.unwrap().input_descriptions()[0]
        .in_app_stream_names()
        .to_vec();
    assert_eq!(names.len(), 64);
    assert_eq!(names[63], "SOURCE_SQL_STREAM_064");
}

#[tokio::test]
async fn bad_sql_is_a_code_validation_exception() {
    let h = Harness::new().await;
    let c = &h.client;
    // A syntax error: the message names line and column.
    let code_text = reference_code("SOURCE_SQL_STREAM_001", 5)
        .replace("SELECT STREAM AVG", "SELECT STREAM AVG(");
    let e = c
        .create_application()
        .application_name("sql")
        .inputs(reference_input())
        .set_outputs(Some(reference_outputs()))
        .application_code(code_text)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CodeValidationException");
    assert!(message(&e).contains("line 4"), "{}", message(&e));
    // An unknown input stream.
    let e = c
        .create_application()
        .application_name("sql")
        .inputs(reference_input())
        .set_outputs(Some(reference_outputs()))
        .application_code(reference_code("SOURCE_SQL_STREAM_002", 5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CodeValidationException");
    assert!(
        message(&e).contains("SOURCE_SQL_STREAM_002"),
        "{}",
        message(&e)
    );
    // An output whose Name the code never creates.
    create_reference(c, "sql").await.unwrap();
    let e = c
        .add_application_output()
        .application_name("sql")
        .current_application_version_id(1)
        .output(stream_output(
            "DESTINATION_SQL_STREAM",
            arns::STREAM,
            arns::ROLE_KINESIS,
        ))
        .send()
        .await
        .unwrap_err();
    // (the fourth output is refused first by the limit; with room, the code is checked)
    assert_eq!(code(&e), "InvalidArgumentException");
    c.delete_application_output()
        .application_name("sql")
        .current_application_version_id(1)
        .output_id("2.3")
        .send()
        .await
        .unwrap();
    h.advance_ms(1_000);
    let e = c
        .add_application_output()
        .application_name("sql")
        .current_application_version_id(2)
        .output(stream_output(
            "DESTINATION_SQL_STREAM",
            arns::STREAM,
            arns::ROLE_KINESIS,
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "CodeValidationException");
    assert!(
        message(&e).contains("DESTINATION_SQL_STREAM"),
        "{}",
        message(&e)
    );
    assert_eq!(h.version("sql").await, 2);
}
