//! Every timestamp input of every service, at the precisions clients send: milliseconds as a
//! fraction (the Rust and JavaScript SDKs) and whole seconds (boto3 and the AWS CLI truncate;
//! `.ci/clients/` drives those two and the JavaScript SDK against `kdaflow serve`).
//!
//! The inputs: Kinesis Analytics DeleteApplication `CreateTimestamp`; Kinesis GetShardIterator
//! `Timestamp` (AT_TIMESTAMP) and ListShards `StreamCreationTimestamp`; EventBridge PutEvents
//! `Time`. (Firehose and Step Functions take none.)

use aws_sdk_kinesisanalytics::primitives::DateTime;

use crate::support::{Harness, code};

fn truncated(t: &DateTime) -> DateTime {
    DateTime::from_secs(t.secs())
}

#[tokio::test]
async fn delete_application_accepts_the_creation_time_at_either_precision() {
    let h = Harness::new().await;
    // A creation time with a fraction of a second, as on AWS.
    h.advance_ms(1_234);
    for name in ["exact", "whole-seconds", "wrong-second"] {
        h.client
            .create_application()
            .application_name(name)
            .send()
            .await
            .unwrap();
    }
    let created = |name: &'static str| {
        let c = h.client.clone();
        async move {
            c.describe_application()
                .application_name(name)
                .send()
                .await
                .unwrap()
                .application_detail
                .unwrap()
                .create_timestamp
                .unwrap()
        }
    };
    let exact = created("exact").await;
    // (The SDK reads epoch seconds as a float: .234 may come back as .233999.)
    let ms = exact.to_millis().unwrap() - crate::support::T0 * 1000;
    assert!((1_233..=1_234).contains(&ms), "{exact:?}");
    h.client
        .delete_application()
        .application_name("exact")
        .create_timestamp(exact)
        .send()
        .await
        .unwrap();
    let t = created("whole-seconds").await;
    h.client
        .delete_application()
        .application_name("whole-seconds")
        .create_timestamp(truncated(&t))
        .send()
        .await
        .unwrap();
    let t = created("wrong-second").await;
    let e = h
        .client
        .delete_application()
        .application_name("wrong-second")
        .create_timestamp(DateTime::from_secs(t.secs() + 1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    // A fraction that is not the creation time is refused too.
    let e = h
        .client
        .delete_application()
        .application_name("wrong-second")
        .create_timestamp(DateTime::from_millis(t.to_millis().unwrap() + 500))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
}

#[tokio::test]
async fn kinesis_timestamps_at_either_precision() {
    use aws_sdk_kinesis::primitives::{Blob, DateTime as KDateTime};
    use aws_sdk_kinesis::types::ShardIteratorType;
    let h = Harness::new().await;
    let c = crate::kinesis::client(&h.running.endpoint_url());
    h.advance_ms(500);
    c.create_stream()
        .stream_name("ts")
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let created = c
        .describe_stream_summary()
        .stream_name("ts")
        .send()
        .await
        .unwrap()
        .stream_description_summary
        .unwrap()
        .stream_creation_timestamp;
    for t in [created, KDateTime::from_secs(created.secs())] {
        let shards = c
            .list_shards()
            .stream_name("ts")
            .stream_creation_timestamp(t)
            .send()
            .await
            .unwrap();
        assert_eq!(shards.shards().len(), 1, "{t:?}");
    }
    let e = c
        .list_shards()
        .stream_name("ts")
        .stream_creation_timestamp(KDateTime::from_secs(created.secs() - 60))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");

    // Records at T0+1.5 s and T0+2.7 s; AT_TIMESTAMP T0+2 (whole) and T0+2.7 (ms) both start
    // at the second record.
    h.advance_ms(1_000);
    c.put_record()
        .stream_name("ts")
        .partition_key("k")
        .data(Blob::new("a"))
        .send()
        .await
        .unwrap();
    h.advance_ms(1_200);
    c.put_record()
        .stream_name("ts")
        .partition_key("k")
        .data(Blob::new("b"))
        .send()
        .await
        .unwrap();
    let second = c
        .get_records()
        .shard_iterator(
            c.get_shard_iterator()
                .stream_name("ts")
                .shard_id("shardId-000000000000")
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .unwrap()
                .shard_iterator
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .records[1]
        .approximate_arrival_timestamp
        .unwrap();
    for at in [KDateTime::from_secs(second.secs()), second] {
        let it = c
            .get_shard_iterator()
            .stream_name("ts")
            .shard_id("shardId-000000000000")
            .shard_iterator_type(ShardIteratorType::AtTimestamp)
            .timestamp(at)
            .send()
            .await
            .unwrap()
            .shard_iterator
            .unwrap();
        let records = c
            .get_records()
            .shard_iterator(it)
            .send()
            .await
            .unwrap()
            .records;
        let data: Vec<&[u8]> = records.iter().map(|r| r.data.as_ref()).collect();
        assert_eq!(data, vec![b"b".as_slice()], "{at:?}");
    }
}

#[tokio::test]
async fn put_events_time_at_either_precision() {
    use aws_sdk_eventbridge::primitives::DateTime as EDateTime;
    use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
    let h = Harness::new().await;
    let machine = h
        .twin()
        .states()
        .create_state_machine(kdaflow_local::states::model::CreateStateMachineInput {
            name: Some("Echo".into()),
            definition: Some(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into()),
            role_arn: Some("arn:aws:iam::000000000000:role/StepFunctions".into()),
            ..Default::default()
        })
        .unwrap()
        .state_machine_arn;
    let c = crate::events::eb_client(&h.running.endpoint_url());
    c.put_rule()
        .name("time")
        .event_pattern(r#"{"source": ["kdaflow.test"]}"#)
        .send()
        .await
        .unwrap();
    c.put_targets()
        .rule("time")
        .targets(Target::builder().id("echo").arn(&machine).build().unwrap())
        .send()
        .await
        .unwrap();
    for t in [
        EDateTime::from_millis(1_767_225_601_250),
        EDateTime::from_secs(1_767_225_601),
    ] {
        let out = c
            .put_events()
            .entries(
                PutEventsRequestEntry::builder()
                    .source("kdaflow.test")
                    .detail_type("t")
                    .detail("{}")
                    .time(t)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(out.failed_entry_count, 0, "{t:?}");
    }
    // The event the state machine got carries the time as EventBridge writes it: the second.
    let sfn = crate::states::sfn_client(&h.running.endpoint_url());
    let executions = sfn
        .list_executions()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap()
        .executions;
    assert_eq!(executions.len(), 2);
    for e in executions {
        let ended = h.twin().states().wait(&e.execution_arn).await.unwrap();
        let event: serde_json::Value =
            serde_json::from_str(ended.output.as_deref().unwrap()).unwrap();
        assert_eq!(event["time"], "2026-01-01T00:00:01Z", "{event}");
    }
}
