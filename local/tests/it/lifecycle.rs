//! The lifecycle on virtual time, with configured durations.

use std::time::Duration;

use aws_sdk_kinesisanalytics::types::*;
use kdaflow_local::TwinConfig;
use kdaflow_local::config::Lifecycle;

use crate::support::*;

#[tokio::test]
async fn transitions_take_the_configured_durations() {
    let config = TwinConfig {
        lifecycle: Lifecycle {
            start: Duration::from_secs(90),
            stop: Duration::from_secs(30),
            update: Duration::from_secs(10),
            delete: Duration::from_secs(5),
        },
        ..TwinConfig::default()
    };
    let h = Harness::with_config(config).await;
    let c = &h.client;
    create_reference(c, "life").await.unwrap();
    assert_eq!(h.status("life").await, ApplicationStatus::Ready);

    start(c, "life").await.unwrap();
    let d = c
        .describe_application()
        .application_name("life")
        .send()
        .await
        .unwrap();
    let detail = d.application_detail.unwrap();
    let input = &detail.input_descriptions()[0];
    assert_eq!(
        input
            .input_starting_position_configuration
            .as_ref()
            .unwrap()
            .input_starting_position,
        Some(InputStartingPosition::Now)
    );
    h.advance_ms(89_999);
    assert_eq!(h.status("life").await, ApplicationStatus::Starting);
    h.advance_ms(1);
    assert_eq!(h.status("life").await, ApplicationStatus::Running);

    // An update while RUNNING goes UPDATING and back to RUNNING, version + 1.
    c.update_application()
        .application_name("life")
        .current_application_version_id(1)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(reference_code("SOURCE_SQL_STREAM_001", 10))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(h.status("life").await, ApplicationStatus::Updating);
    h.advance_ms(10_000);
    assert_eq!(h.status("life").await, ApplicationStatus::Running);
    assert_eq!(h.version("life").await, 2);

    c.stop_application()
        .application_name("life")
        .send()
        .await
        .unwrap();
    h.advance_ms(29_999);
    assert_eq!(h.status("life").await, ApplicationStatus::Stopping);
    h.advance_ms(1);
    assert_eq!(h.status("life").await, ApplicationStatus::Ready);

    // LAST_STOPPED_POINT is accepted on restart.
    c.start_application()
        .application_name("life")
        .input_configurations(start_config("1.1", InputStartingPosition::LastStoppedPoint))
        .send()
        .await
        .unwrap();
    h.advance_ms(90_000);
    assert_eq!(h.status("life").await, ApplicationStatus::Running);

    // Deleting a RUNNING application is allowed (the v1 docs: delete halts execution).
    let created = c
        .describe_application()
        .application_name("life")
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
        .create_timestamp
        .unwrap();
    c.delete_application()
        .application_name("life")
        .create_timestamp(created)
        .send()
        .await
        .unwrap();
    let list = c.list_applications().send().await.unwrap();
    assert_eq!(
        list.application_summaries()[0].application_status(),
        &ApplicationStatus::Deleting
    );
    h.advance_ms(5_000);
    let list = c.list_applications().send().await.unwrap();
    assert!(list.application_summaries().is_empty());
}

#[tokio::test]
async fn timestamps_come_from_the_injected_clock() {
    let h = Harness::new().await;
    create_bare(&h.client, "ts").await;
    let d = h
        .client
        .describe_application()
        .application_name("ts")
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap();
    assert_eq!(d.create_timestamp.unwrap().secs(), T0);
    assert_eq!(d.last_update_timestamp.unwrap().secs(), T0);
}
