//! `--state-dir`: everything survives a restart, including a transition under way.

use aws_sdk_kinesisanalytics::types::*;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_local::TwinConfig;

use crate::support::*;

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = VirtualClock::at_epoch_seconds(T0);
    let before;
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        create_reference(&h.client, REFERENCE_APP).await.unwrap();
        create_bare(&h.client, "other").await;
        h.client
            .tag_resource()
            .resource_arn("arn:aws:kinesisanalytics:us-east-1:000000000000:application/other")
            .tags(Tag::builder().key("k").value("v").build().unwrap())
            .send()
            .await
            .unwrap();
        h.client
            .add_application_input()
            .application_name("other")
            .current_application_version_id(1)
            .input(reference_input())
            .send()
            .await
            .unwrap();
        start(&h.client, REFERENCE_APP).await.unwrap();
        before = h
            .client
            .describe_application()
            .application_name(REFERENCE_APP)
            .send()
            .await
            .unwrap()
            .application_detail
            .unwrap();
        assert_eq!(before.application_status, ApplicationStatus::Starting);
        h.running.shutdown().await.unwrap();
    }
    // Restarted: the start that was under way completes on schedule.
    let h = Harness::with_clock(config, clock).await;
    let after = h
        .client
        .describe_application()
        .application_name(REFERENCE_APP)
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap();
    assert_eq!(after, before);
    h.advance_ms(2_000);
    assert_eq!(h.status(REFERENCE_APP).await, ApplicationStatus::Running);
    assert_eq!(h.version("other").await, 2);
    let tags = h
        .client
        .list_tags_for_resource()
        .resource_arn("arn:aws:kinesisanalytics:us-east-1:000000000000:application/other")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    // Ids keep counting where they stopped.
    h.advance_ms(1_000);
    h.client
        .add_application_output()
        .application_name("other")
        .current_application_version_id(2)
        .output(stream_output("S", arns::STREAM, arns::ROLE_KINESIS))
        .send()
        .await
        .unwrap();
    let d = h
        .client
        .describe_application()
        .application_name("other")
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.application_detail.unwrap().output_descriptions()[0]
            .output_id
            .as_deref(),
        Some("2.1")
    );
}

#[tokio::test]
async fn a_deleted_application_stays_deleted_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = VirtualClock::at_epoch_seconds(T0);
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        create_bare(&h.client, "gone").await;
        let created = h
            .client
            .describe_application()
            .application_name("gone")
            .send()
            .await
            .unwrap()
            .application_detail
            .unwrap()
            .create_timestamp
            .unwrap();
        h.client
            .delete_application()
            .application_name("gone")
            .create_timestamp(created)
            .send()
            .await
            .unwrap();
        h.running.shutdown().await.unwrap();
    }
    clock.advance(chrono::Duration::seconds(5));
    let h = Harness::with_clock(config, clock).await;
    let e = h
        .client
        .describe_application()
        .application_name("gone")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn memory_only_without_state_dir() {
    let clock = VirtualClock::at_epoch_seconds(T0);
    {
        let h = Harness::with_clock(TwinConfig::default(), clock.clone()).await;
        create_bare(&h.client, "mem").await;
    }
    let h = Harness::with_clock(TwinConfig::default(), clock).await;
    assert!(
        h.client
            .list_applications()
            .send()
            .await
            .unwrap()
            .application_summaries()
            .is_empty()
    );
}
