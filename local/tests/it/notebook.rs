//! The reference notebook's calls, replayed: create the application with its exact request,
//! describe it for the input id, start it from NOW, poll until RUNNING, and see that a second
//! create of the same name is refused.

use crate::support::*;
use aws_sdk_kinesisanalytics::types::InputStartingPosition;

#[tokio::test]
async fn reference_notebook_replay() {
    let h = Harness::new().await;
    let created = create_reference(&h.client, REFERENCE_APP)
        .await
        .expect("create");
    let summary = created.application_summary.expect("summary");
    assert_eq!(summary.application_name, REFERENCE_APP);
    assert_eq!(
        summary.application_arn,
        format!("arn:aws:kinesisanalytics:us-east-1:{ACCOUNT}:application/{REFERENCE_APP}")
    );
    assert_eq!(summary.application_status, ApplicationStatus::Ready);

    // describe_application(...)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    let detail = h
        .client
        .describe_application()
        .application_name(REFERENCE_APP)
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap();
    let inputs = detail.input_descriptions.clone().unwrap();
    assert_eq!(inputs.len(), 1);
    let input = &inputs[0];
    assert_eq!(input.input_id.as_deref(), Some("1.1"));
    assert_eq!(
        input.in_app_stream_names.clone().unwrap(),
        vec!["SOURCE_SQL_STREAM_001"]
    );
    assert_eq!(
        input
            .kinesis_firehose_input_description
            .as_ref()
            .unwrap()
            .resource_arn
            .as_deref(),
        Some(arns::FIREHOSE)
    );
    let processor = input
        .input_processing_configuration_description
        .as_ref()
        .unwrap()
        .input_lambda_processor_description
        .as_ref()
        .unwrap();
    assert_eq!(
        processor.resource_arn.as_deref(),
        Some(arns::LAMBDA_INVOKE_EP)
    );
    let columns = input.input_schema.as_ref().unwrap().record_columns();
    let names: Vec<_> = columns.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "review_id",
            "star_rating",
            "product_category",
            "review_body"
        ]
    );
    let outputs = detail.output_descriptions.clone().unwrap();
    let out_names: Vec<_> = outputs.iter().map(|o| o.name.clone().unwrap()).collect();
    assert_eq!(
        out_names,
        [
            "AVG_STAR_RATING_SQL_STREAM",
            "ANOMALY_SCORE_SQL_STREAM",
            "APPROXIMATE_COUNT_SQL_STREAM"
        ]
    );
    assert_eq!(
        detail.application_code.as_deref(),
        Some(reference_code("SOURCE_SQL_STREAM_001", 5).as_str())
    );
    assert_eq!(detail.application_version_id, 1);

    // start_application(..., InputStartingPosition="NOW")
    h.client
        .start_application()
        .application_name(REFERENCE_APP)
        .input_configurations(start_config("1.1", InputStartingPosition::Now))
        .send()
        .await
        .expect("start");

    // while status != RUNNING: sleep(5); describe — on virtual time.
    let mut polls = 0;
    loop {
        let status = h.status(REFERENCE_APP).await;
        polls += 1;
        if status == ApplicationStatus::Running {
            break;
        }
        assert_eq!(status, ApplicationStatus::Starting);
        assert!(polls < 10, "never reached RUNNING");
        h.advance_ms(500);
    }
    assert_eq!(
        polls, 5,
        "STARTING lasts the default 2 s: 4 polls see STARTING, the 5th RUNNING"
    );

    // A second create of the same name is refused.
    let err = create_reference(&h.client, REFERENCE_APP)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceInUseException");
    assert!(
        message(&err).contains("already exists"),
        "{}",
        message(&err)
    );
}
