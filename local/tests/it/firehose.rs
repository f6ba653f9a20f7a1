//! Firehose through `aws-sdk-firehose`: every operation, its errors and limits.

use aws_sdk_firehose as fh;
use fh::config::{BehaviorVersion, Credentials, Region};
use fh::primitives::Blob;
use fh::types::{DeliveryStreamType, ExtendedS3DestinationConfiguration, Record};

use crate::support::*;

/// A Firehose client for `endpoint` (test credentials, no retries).
pub fn client(endpoint: &str) -> fh::Client {
    let config = fh::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(fh::config::retry::RetryConfig::disabled())
        .build();
    fh::Client::from_conf(config)
}

/// An S3 destination (a bucket these tests do not create: records stay buffered).
pub fn s3() -> ExtendedS3DestinationConfiguration {
    ExtendedS3DestinationConfiguration::builder()
        .role_arn("arn:aws:iam::000000000000:role/DSOAWS_Kinesis")
        .bucket_arn("arn:aws:s3:::dsoaws-bucket")
        .build()
        .expect("s3 destination")
}

/// Creates a DirectPut stream.
pub async fn create(c: &fh::Client, name: &str) -> String {
    c.create_delivery_stream()
        .delivery_stream_name(name)
        .extended_s3_destination_configuration(s3())
        .send()
        .await
        .expect("create delivery stream")
        .delivery_stream_arn
        .expect("arn")
}

fn record(data: &[u8]) -> Record {
    Record::builder()
        .data(Blob::new(data))
        .build()
        .expect("record")
}

#[tokio::test]
async fn create_describe_list_delete() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    let arn = create(&c, "dsoaws-kinesis-data-firehose").await;
    assert_eq!(arn, arns::FIREHOSE);
    create(&c, "b-stream").await;

    let d = c
        .describe_delivery_stream()
        .delivery_stream_name("dsoaws-kinesis-data-firehose")
        .send()
        .await
        .unwrap()
        .delivery_stream_description
        .unwrap();
    assert_eq!(d.delivery_stream_arn, arns::FIREHOSE);
    assert_eq!(d.delivery_stream_status.as_str(), "ACTIVE");
    assert_eq!(d.delivery_stream_type, DeliveryStreamType::DirectPut);
    assert_eq!(
        d.create_timestamp.unwrap().secs(),
        T0,
        "created at the virtual clock's time"
    );
    let dest = &d.destinations[0];
    assert_eq!(dest.destination_id, "destinationId-000000000001");
    let s3 = dest.extended_s3_destination_description.as_ref().unwrap();
    assert_eq!(s3.bucket_arn, "arn:aws:s3:::dsoaws-bucket");
    assert_eq!(
        s3.buffering_hints.as_ref().unwrap().interval_in_seconds,
        Some(300)
    );

    let l = c.list_delivery_streams().limit(1).send().await.unwrap();
    assert_eq!(l.delivery_stream_names, vec!["b-stream"]);
    assert!(l.has_more_delivery_streams);
    let l = c
        .list_delivery_streams()
        .exclusive_start_delivery_stream_name("b-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(
        l.delivery_stream_names,
        vec!["dsoaws-kinesis-data-firehose"]
    );
    assert!(!l.has_more_delivery_streams);

    c.delete_delivery_stream()
        .delivery_stream_name("b-stream")
        .send()
        .await
        .unwrap();
    let e = c
        .describe_delivery_stream()
        .delivery_stream_name("b-stream")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert_eq!(
        message(&e),
        "Firehose b-stream under account 000000000000 not found."
    );
    let e = c
        .delete_delivery_stream()
        .delivery_stream_name("b-stream")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn create_errors() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s").await;
    let e = c
        .create_delivery_stream()
        .delivery_stream_name("s")
        .extended_s3_destination_configuration(s3())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");

    let e = c
        .create_delivery_stream()
        .delivery_stream_name("bad name!")
        .extended_s3_destination_configuration(s3())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert_eq!(
        message(&e),
        "1 validation error detected: Value 'bad name!' at 'deliveryStreamName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    );

    let e = c
        .create_delivery_stream()
        .delivery_stream_name("no-destination")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("Exactly one destination"));

    let e = c
        .create_delivery_stream()
        .delivery_stream_name("from-kinesis")
        .delivery_stream_type(DeliveryStreamType::KinesisStreamAsSource)
        .extended_s3_destination_configuration(s3())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
}

#[tokio::test]
async fn put_record_and_batches_with_partial_failures() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s").await;
    let one = c
        .put_record()
        .delivery_stream_name("s")
        .record(record(b"first\n"))
        .send()
        .await
        .unwrap();
    assert!(!one.record_id.is_empty());
    assert_eq!(one.encrypted, Some(false));

    h.twin().firehose().fail_next_records(2);
    let out = c
        .put_record_batch()
        .delivery_stream_name("s")
        .set_records(Some(
            (0..5)
                .map(|i| record(format!("r{i}\n").as_bytes()))
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_put_count, 2);
    let r = out.request_responses();
    assert_eq!(r.len(), 5);
    for failed in &r[..2] {
        assert_eq!(failed.error_code(), Some("ServiceUnavailableException"));
        assert_eq!(failed.error_message(), Some("Slow down."));
        assert!(failed.record_id().is_none());
    }
    assert!(
        r[2..]
            .iter()
            .all(|x| x.record_id().is_some() && x.error_code().is_none())
    );

    let kept: Vec<String> = h
        .twin()
        .firehose()
        .records("s")
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.data).into_owned())
        .collect();
    assert_eq!(kept, vec!["first\n", "r2\n", "r3\n", "r4\n"]);
    // The data plane addresses streams by ARN.
    let arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/s";
    assert_eq!(h.twin().firehose().records(arn).unwrap().len(), 4);
}

#[tokio::test]
async fn put_limits_and_errors() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s").await;

    let e = c
        .put_record_batch()
        .delivery_stream_name("s")
        .set_records(Some((0..501).map(|_| record(b"x")).collect()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert!(message(&e).contains("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"), "{}", message(&e));

    let e = c
        .put_record()
        .delivery_stream_name("s")
        .record(record(&vec![b'a'; 1_024_001]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert!(message(&e).contains("at 'record.data'"), "{}", message(&e));
    // Exactly 1,000 KiB is allowed.
    c.put_record()
        .delivery_stream_name("s")
        .record(record(&vec![b'a'; 1_024_000]))
        .send()
        .await
        .unwrap();

    let big = vec![b'b'; 1_000_000];
    let e = c
        .put_record_batch()
        .delivery_stream_name("s")
        .set_records(Some((0..5).map(|_| record(&big)).collect()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("4 MiB"));

    let e = c
        .put_record()
        .delivery_stream_name("missing")
        .record(record(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");

    // Whole-call faults come from the gateway's fault injection.
    h.twin()
        .faults()
        .arm(kdaflow_local::faults::FaultRequest::Error {
            service: "firehose".into(),
            operation: Some("PutRecordBatch".into()),
            error: "ServiceUnavailableException".into(),
            message: None,
            count: 1,
        });
    let e = c
        .put_record_batch()
        .delivery_stream_name("s")
        .records(record(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ServiceUnavailableException");
}

#[tokio::test]
async fn streams_and_their_records_survive_a_restart_and_undelivered_buffers_are_delivered() {
    use aws_sdk_firehose::types::BufferingHints;
    let dir = tempfile::tempdir().unwrap();
    let config = kdaflow_local::TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let clock = kdaflow_asl::clock::VirtualClock::at_epoch_seconds(T0);
    let to_lake = |interval: i32| {
        ExtendedS3DestinationConfiguration::builder()
            .role_arn("arn:aws:iam::000000000000:role/DSOAWS_Kinesis")
            .bucket_arn("arn:aws:s3:::lake")
            .buffering_hints(
                BufferingHints::builder()
                    .interval_in_seconds(interval)
                    .build(),
            )
            .build()
            .unwrap()
    };
    let before;
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        let endpoint = h.running.endpoint_url();
        let c = client(&endpoint);
        let s3 = crate::support::s3_client(&endpoint);
        for bucket in ["lake", "dsoaws-bucket"] {
            s3.create_bucket().bucket(bucket).send().await.unwrap();
        }
        create(&c, "kept").await;
        // A stream deleted and created again keeps none of its first life's records.
        create(&c, "again").await;
        c.put_record()
            .delivery_stream_name("again")
            .record(record(b"old"))
            .send()
            .await
            .unwrap();
        c.delete_delivery_stream()
            .delivery_stream_name("again")
            .send()
            .await
            .unwrap();
        create(&c, "again").await;
        c.put_record()
            .delivery_stream_name("kept")
            .record(record(b"one"))
            .send()
            .await
            .unwrap();
        c.put_record_batch()
            .delivery_stream_name("kept")
            .records(record(b"two"))
            .records(record(b"three"))
            .send()
            .await
            .unwrap();
        // One S3 destination delivers before the restart, one is still buffering.
        for (name, interval) in [("early", 60), ("late", 600)] {
            c.create_delivery_stream()
                .delivery_stream_name(name)
                .extended_s3_destination_configuration(to_lake(interval))
                .send()
                .await
                .unwrap();
            c.put_record()
                .delivery_stream_name(name)
                .record(record(format!("{name}\n").as_bytes()))
                .send()
                .await
                .unwrap();
        }
        h.advance_ms(60_000);
        h.twin().pump().await;
        assert_eq!(h.twin().s3().keys("lake", "").len(), 1);
        before = h.twin().firehose().records("kept").unwrap();
        h.running.shutdown().await.unwrap();
    }
    let h = Harness::with_clock(config, clock).await;
    let c = client(&h.running.endpoint_url());
    let l = c.list_delivery_streams().send().await.unwrap();
    assert_eq!(
        l.delivery_stream_names,
        vec!["again", "early", "kept", "late"]
    );
    let after = h.twin().firehose().records("kept").unwrap();
    assert_eq!(after, before, "the same records, ids and arrival times");
    assert_eq!(
        after.iter().map(|r| &r.data[..]).collect::<Vec<_>>(),
        [&b"one"[..], b"two", b"three"]
    );
    assert!(h.twin().firehose().records("again").unwrap().is_empty());
    // Offsets go on from where they were.
    assert_eq!(h.twin().firehose().end_offset("kept").unwrap(), 3);
    c.put_record()
        .delivery_stream_name("kept")
        .record(record(b"four"))
        .send()
        .await
        .unwrap();
    assert_eq!(h.twin().firehose().end_offset("kept").unwrap(), 4);
    // The late buffer is delivered after the restart; the early one is not delivered again.
    h.advance_ms(600_000);
    let report = h.twin().pump().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let keys = h.twin().s3().keys("lake", "");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().any(|k| k.contains("/late-1-")), "{keys:?}");
    assert!(keys.iter().any(|k| k.contains("/early-1-")), "{keys:?}");
}

#[tokio::test]
async fn an_s3_destination_receives_objects_by_interval_and_by_size_gzip_when_asked() {
    use aws_sdk_firehose::types::{BufferingHints, CompressionFormat};
    use std::io::Read;
    let h = Harness::new().await;
    let endpoint = h.running.endpoint_url();
    let c = client(&endpoint);
    let s3 = crate::support::s3_client(&endpoint);
    s3.create_bucket().bucket("lake").send().await.unwrap();
    let dest = |gzip: bool, prefix: &str| {
        ExtendedS3DestinationConfiguration::builder()
            .role_arn("arn:aws:iam::000000000000:role/DSOAWS_Kinesis")
            .bucket_arn("arn:aws:s3:::lake")
            .prefix(prefix)
            .buffering_hints(
                BufferingHints::builder()
                    .size_in_mbs(1)
                    .interval_in_seconds(60)
                    .build(),
            )
            .compression_format(if gzip {
                CompressionFormat::Gzip
            } else {
                CompressionFormat::Uncompressed
            })
            .build()
            .unwrap()
    };
    for (name, gzip, prefix) in [("zipped", true, "reviews/"), ("plain", false, "")] {
        c.create_delivery_stream()
            .delivery_stream_name(name)
            .extended_s3_destination_configuration(dest(gzip, prefix))
            .send()
            .await
            .unwrap();
    }
    c.put_record_batch()
        .delivery_stream_name("zipped")
        .records(record(b"{\"a\":1}\n"))
        .records(record(b"{\"a\":2}\n"))
        .send()
        .await
        .unwrap();
    h.twin().pump().await;
    assert!(
        h.twin().s3().keys("lake", "").is_empty(),
        "buffered until the interval"
    );
    h.advance_ms(60_000);
    let report = h.twin().pump().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let keys = h.twin().s3().keys("lake", "reviews/");
    assert_eq!(keys.len(), 1, "{keys:?}");
    // The virtual clock starts at 2026-01-01T00:00:00Z.
    assert!(
        keys[0].starts_with("reviews/2026/01/01/00/zipped-1-2026-01-01-00-00-00-"),
        "{keys:?}"
    );
    assert!(keys[0].ends_with(".gz"), "{keys:?}");
    let object = s3
        .get_object()
        .bucket("lake")
        .key(&keys[0])
        .send()
        .await
        .unwrap();
    let gz = object.body.collect().await.unwrap().into_bytes();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "{\"a\":1}\n{\"a\":2}\n");
    // By size: 1 MiB buffered is written at once, without waiting for the interval.
    let big = vec![b'x'; 600 * 1024];
    for _ in 0..2 {
        c.put_record()
            .delivery_stream_name("plain")
            .record(record(&big))
            .send()
            .await
            .unwrap();
    }
    h.twin().pump().await;
    let keys = h.twin().s3().keys("lake", "2026/");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let head = s3
        .head_object()
        .bucket("lake")
        .key(&keys[0])
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(600 * 1024));
    h.advance_ms(60_000);
    h.twin().pump().await;
    assert_eq!(
        h.twin().s3().keys("lake", "2026/").len(),
        2,
        "the rest at the interval"
    );
}
