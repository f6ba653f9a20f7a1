//! Fault injection, from Rust and over the control endpoint.

use aws_sdk_kinesisanalytics::types::*;
use kdaflow_local::faults::{FaultRequest, StartFaultKind};

use crate::support::*;

#[tokio::test]
async fn next_calls_fail_with_the_chosen_error() {
    let h = Harness::new().await;
    create_reference(&h.client, "f").await.unwrap();
    h.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: Some("DescribeApplication".into()),
        error: "ThrottlingException".into(),
        message: Some("Rate exceeded".into()),
        count: 2,
    });
    for _ in 0..2 {
        let e = h
            .client
            .describe_application()
            .application_name("f")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), "ThrottlingException");
        assert_eq!(message(&e), "Rate exceeded");
    }
    h.client
        .describe_application()
        .application_name("f")
        .send()
        .await
        .unwrap();

    // The SDK's own retries absorb throttling: the same fault is invisible to a retrying client.
    h.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: Some("DescribeApplication".into()),
        error: "ThrottlingException".into(),
        message: None,
        count: 2,
    });
    let retrying = client_with_attempts(&h.running.endpoint_url(), 3);
    retrying
        .describe_application()
        .application_name("f")
        .send()
        .await
        .unwrap();
    assert!(h.twin().faults().list().is_empty());

    // ServiceUnavailableException is a 503 server fault; every operation of the service.
    h.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: None,
        error: "ServiceUnavailableException".into(),
        message: None,
        count: 1,
    });
    let e = h.client.list_applications().send().await.unwrap_err();
    assert_eq!(code(&e), "ServiceUnavailableException");
    let raw = e.raw_response().unwrap();
    assert_eq!(raw.status().as_u16(), 503);
    // ResourceInUseException can be injected too; a failed call changes nothing.
    h.twin().faults().arm(FaultRequest::Error {
        service: "kinesisanalytics".into(),
        operation: Some("StartApplication".into()),
        error: "ResourceInUseException".into(),
        message: None,
        count: 1,
    });
    assert_eq!(
        code(&start(&h.client, "f").await.unwrap_err()),
        "ResourceInUseException"
    );
    assert_eq!(h.status("f").await, ApplicationStatus::Ready);
}

#[tokio::test]
async fn a_failing_start_falls_back_to_ready() {
    let h = Harness::new().await;
    create_reference(&h.client, "f").await.unwrap();
    h.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Fail,
        application: Some("f".into()),
        count: 1,
    });
    start(&h.client, "f").await.unwrap();
    assert_eq!(h.status("f").await, ApplicationStatus::Starting);
    h.advance_ms(2_000);
    assert_eq!(h.status("f").await, ApplicationStatus::Ready);
    // The next start works.
    start(&h.client, "f").await.unwrap();
    h.advance_ms(2_000);
    assert_eq!(h.status("f").await, ApplicationStatus::Running);
}

#[tokio::test]
async fn a_hanging_start_stays_starting() {
    let h = Harness::new().await;
    create_reference(&h.client, "f").await.unwrap();
    h.twin().faults().arm(FaultRequest::Start {
        behaviour: StartFaultKind::Hang,
        application: None,
        count: 1,
    });
    start(&h.client, "f").await.unwrap();
    h.advance_ms(3_600_000);
    assert_eq!(h.status("f").await, ApplicationStatus::Starting);
    let e = h
        .client
        .stop_application()
        .application_name("f")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
}
