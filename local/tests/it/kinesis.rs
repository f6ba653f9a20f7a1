//! Kinesis Data Streams through `aws-sdk-kinesis`: every operation, its errors and shapes.

use aws_sdk_kinesis as ks;
use ks::config::{BehaviorVersion, Credentials, Region};
use ks::primitives::{Blob, DateTime};
use ks::types::{PutRecordsRequestEntry, ShardIteratorType, StreamMode, StreamModeDetails};

use crate::support::*;

/// A Kinesis client for `endpoint` (test credentials, no retries).
pub fn client(endpoint: &str) -> ks::Client {
    let config = ks::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(ks::config::retry::RetryConfig::disabled())
        .build();
    ks::Client::from_conf(config)
}

/// Creates a provisioned stream with `shards` shards.
pub async fn create(c: &ks::Client, name: &str, shards: i32) {
    c.create_stream()
        .stream_name(name)
        .shard_count(shards)
        .send()
        .await
        .expect("create stream");
}

/// Every record of a stream, shard by shard from TRIM_HORIZON, as text.
pub async fn read_all(c: &ks::Client, name: &str) -> Vec<String> {
    records(c, name)
        .await
        .iter()
        .map(|r| String::from_utf8_lossy(&r.data).into_owned())
        .collect()
}

/// One record as GetRecords answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Got {
    pub shard: String,
    pub sequence_number: String,
    pub partition_key: String,
    pub arrival: Option<DateTime>,
    pub data: Vec<u8>,
}

/// Every record of a stream, shard by shard from TRIM_HORIZON.
pub async fn records(c: &ks::Client, name: &str) -> Vec<Got> {
    let shards = c
        .list_shards()
        .stream_name(name)
        .send()
        .await
        .expect("list shards")
        .shards
        .unwrap_or_default();
    let mut out = Vec::new();
    for s in shards {
        let mut it = c
            .get_shard_iterator()
            .stream_name(name)
            .shard_id(&s.shard_id)
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("iterator")
            .shard_iterator;
        while let Some(i) = it {
            let r = c
                .get_records()
                .shard_iterator(i)
                .send()
                .await
                .expect("get records");
            if r.records.is_empty() {
                break;
            }
            out.extend(r.records.into_iter().map(|x| Got {
                shard: s.shard_id.clone(),
                sequence_number: x.sequence_number,
                partition_key: x.partition_key.unwrap_or_default(),
                arrival: x.approximate_arrival_timestamp,
                data: x.data.into_inner(),
            }));
            it = r.next_shard_iterator;
        }
    }
    out
}

/// Sequence numbers as numbers (they are decimal strings of up to 128 digits).
pub fn seq_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

#[tokio::test]
async fn create_describe_list_delete() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "dsoaws-kinesis-data-stream", 2).await;
    c.create_stream()
        .stream_name("od")
        .stream_mode_details(
            StreamModeDetails::builder()
                .stream_mode(StreamMode::OnDemand)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let d = c
        .describe_stream()
        .stream_name("dsoaws-kinesis-data-stream")
        .send()
        .await
        .unwrap()
        .stream_description
        .unwrap();
    assert_eq!(d.stream_arn, arns::STREAM);
    assert_eq!(d.stream_status.as_str(), "ACTIVE");
    assert_eq!(d.retention_period_hours, 24);
    assert_eq!(d.shards.len(), 2);
    assert_eq!(d.shards[0].shard_id, "shardId-000000000000");
    let r = d.shards[1].hash_key_range.as_ref().unwrap();
    assert_eq!(
        r.starting_hash_key,
        "170141183460469231731687303715884105728"
    );
    assert_eq!(r.ending_hash_key, "340282366920938463463374607431768211455");
    assert_eq!(
        d.shards[0]
            .sequence_number_range
            .as_ref()
            .unwrap()
            .starting_sequence_number
            .len(),
        56
    );

    let s = c
        .describe_stream_summary()
        .stream_arn(arns::STREAM)
        .send()
        .await
        .unwrap()
        .stream_description_summary
        .unwrap();
    assert_eq!(s.open_shard_count, 2);
    let s = c
        .describe_stream_summary()
        .stream_name("od")
        .send()
        .await
        .unwrap()
        .stream_description_summary
        .unwrap();
    assert_eq!(s.open_shard_count, 4);
    assert_eq!(
        s.stream_mode_details.unwrap().stream_mode,
        StreamMode::OnDemand
    );

    let l = c.list_streams().limit(1).send().await.unwrap();
    assert_eq!(l.stream_names, vec!["dsoaws-kinesis-data-stream"]);
    assert!(l.has_more_streams);
    let l = c
        .list_streams()
        .next_token(l.next_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(l.stream_names, vec!["od"]);
    assert_eq!(
        l.stream_summaries()[0].stream_arn,
        h.twin().kinesis().arn("od")
    );

    let page = c
        .list_shards()
        .stream_name("od")
        .max_results(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.shards().len(), 3);
    let rest = c
        .list_shards()
        .next_token(page.next_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.shards()[0].shard_id, "shardId-000000000003");
    assert!(rest.next_token.is_none());

    c.delete_stream().stream_name("od").send().await.unwrap();
    let e = c
        .describe_stream()
        .stream_name("od")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert_eq!(
        message(&e),
        "Stream od under account 000000000000 not found."
    );
}

#[tokio::test]
async fn stream_errors() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s", 1).await;
    let e = c
        .create_stream()
        .stream_name("s")
        .shard_count(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceInUseException");
    let e = c
        .create_stream()
        .stream_name("too-big")
        .shard_count(600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "LimitExceededException");
    let e = c
        .create_stream()
        .stream_name("zero")
        .shard_count(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .list_shards()
        .stream_name("s")
        .next_token("abc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    let e = c
        .delete_stream()
        .stream_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn records_hash_to_shards_and_read_back_with_every_iterator_type() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s", 2).await;
    // MD5("a") starts 0x0c: the lower half of the key space, shard 0.
    let a = c
        .put_record()
        .stream_name("s")
        .partition_key("a")
        .data(Blob::new("one"))
        .send()
        .await
        .unwrap();
    assert_eq!(a.shard_id, "shardId-000000000000");
    assert_eq!(a.sequence_number.len(), 56);
    h.advance_ms(1_000);
    let b = c
        .put_record()
        .stream_name("s")
        .partition_key("a")
        .data(Blob::new("two"))
        .send()
        .await
        .unwrap();
    assert!(b.sequence_number > a.sequence_number);
    // An explicit hash key at the top of the key space goes to the last shard.
    let top = c
        .put_record()
        .stream_name("s")
        .partition_key("a")
        .explicit_hash_key("340282366920938463463374607431768211455")
        .data(Blob::new("top"))
        .send()
        .await
        .unwrap();
    assert_eq!(top.shard_id, "shardId-000000000001");

    let iter = |kind: ShardIteratorType| {
        c.get_shard_iterator()
            .stream_name("s")
            .shard_id("shardId-000000000000")
            .shard_iterator_type(kind)
    };
    let read = |it: String| async {
        let r = c.get_records().shard_iterator(it).send().await.unwrap();
        let data: Vec<String> = r
            .records
            .iter()
            .map(|x| String::from_utf8_lossy(x.data.as_ref()).into_owned())
            .collect();
        (data, r)
    };
    let it = iter(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    let (data, r) = read(it).await;
    assert_eq!(data, vec!["one", "two"]);
    assert_eq!(r.records[0].partition_key.as_deref(), Some("a"));
    assert_eq!(r.records[0].sequence_number, a.sequence_number);
    assert_eq!(
        r.records[1].approximate_arrival_timestamp,
        Some(DateTime::from_secs(T0 + 1))
    );
    assert_eq!(r.millis_behind_latest, Some(0));
    // Nothing new: an empty page and an iterator to keep polling with.
    let (data, r2) = read(r.next_shard_iterator.unwrap()).await;
    assert!(data.is_empty());
    assert!(r2.next_shard_iterator.is_some());

    let it = iter(ShardIteratorType::AtSequenceNumber)
        .starting_sequence_number(&b.sequence_number)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    assert_eq!(read(it).await.0, vec!["two"]);
    let it = iter(ShardIteratorType::AfterSequenceNumber)
        .starting_sequence_number(&a.sequence_number)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    assert_eq!(read(it).await.0, vec!["two"]);
    let it = iter(ShardIteratorType::AtTimestamp)
        .timestamp(DateTime::from_secs(T0 + 1))
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    assert_eq!(read(it).await.0, vec!["two"]);
    let latest = iter(ShardIteratorType::Latest)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    c.put_record()
        .stream_name("s")
        .partition_key("a")
        .data(Blob::new("three"))
        .send()
        .await
        .unwrap();
    let (data, _) = read(latest).await;
    assert_eq!(data, vec!["three"]);
    h.advance_ms(500);
    let limited = iter(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    let r = c
        .get_records()
        .shard_iterator(limited)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.records.len(), 1);
    assert!(r.millis_behind_latest.unwrap() > 0);
}

#[tokio::test]
async fn iterator_errors() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s", 2).await;
    let other = c
        .put_record()
        .stream_name("s")
        .partition_key("a")
        .explicit_hash_key("340282366920938463463374607431768211455")
        .data(Blob::new("x"))
        .send()
        .await
        .unwrap();
    let e = c
        .get_shard_iterator()
        .stream_name("s")
        .shard_id("shardId-000000000000")
        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
        .starting_sequence_number(&other.sequence_number)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert_eq!(
        message(&e),
        "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000"
    );
    let e = c
        .get_shard_iterator()
        .stream_name("s")
        .shard_id("shardId-000000000009")
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let e = c
        .get_shard_iterator()
        .stream_name("s")
        .shard_id("shardId-000000000000")
        .shard_iterator_type(ShardIteratorType::AtTimestamp)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");

    let it = c
        .get_shard_iterator()
        .stream_name("s")
        .shard_id("shardId-000000000000")
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    h.advance_ms(300_001);
    let e = c.get_records().shard_iterator(it).send().await.unwrap_err();
    assert_eq!(code(&e), "ExpiredIteratorException");
    let e = c
        .get_records()
        .shard_iterator("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
}

#[tokio::test]
async fn put_records_reports_each_record() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "s", 1).await;
    let entry = |i: usize| {
        PutRecordsRequestEntry::builder()
            .partition_key(format!("k{i}"))
            .data(Blob::new(format!("r{i}")))
            .build()
            .unwrap()
    };
    h.twin().kinesis().fail_next_records(1);
    let out = c
        .put_records()
        .stream_name("s")
        .set_records(Some((0..3).map(entry).collect()))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_record_count, Some(1));
    assert_eq!(
        out.records[0].error_code(),
        Some("ProvisionedThroughputExceededException")
    );
    assert!(out.records[1].sequence_number().is_some());
    assert_eq!(read_all(&c, "s").await, vec!["r1", "r2"]);

    let e = c
        .put_records()
        .stream_name("s")
        .set_records(Some((0..501).map(entry).collect()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .put_record()
        .stream_name("s")
        .partition_key("k")
        .data(Blob::new(vec![0u8; 1024 * 1024 + 1]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .put_record()
        .stream_name("missing")
        .partition_key("k")
        .data(Blob::new("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn records_survive_a_restart_with_their_sequence_numbers_and_retention_trims_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = kdaflow_local::TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let clock = kdaflow_asl::clock::VirtualClock::at_epoch_seconds(T0);
    let before;
    {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        let c = client(&h.running.endpoint_url());
        create(&c, "durable", 2).await;
        create(&c, "again", 1).await;
        c.put_record()
            .stream_name("again")
            .partition_key("k")
            .data(Blob::new("old"))
            .send()
            .await
            .unwrap();
        c.delete_stream().stream_name("again").send().await.unwrap();
        h.advance_ms(1_000);
        create(&c, "again", 1).await;
        let mut batch = c.put_records().stream_name("durable");
        for i in 0..20 {
            batch = batch.records(
                PutRecordsRequestEntry::builder()
                    .partition_key(format!("key-{i}"))
                    .data(Blob::new(format!("record {i}")))
                    .build()
                    .unwrap(),
            );
        }
        let put = batch.send().await.unwrap();
        assert_eq!(put.failed_record_count, Some(0));
        h.advance_ms(1_000);
        c.put_record()
            .stream_name("durable")
            .partition_key("key-0")
            .data(Blob::new("single"))
            .send()
            .await
            .unwrap();
        c.increase_stream_retention_period()
            .stream_name("durable")
            .retention_period_hours(48)
            .send()
            .await
            .unwrap();
        before = records(&c, "durable").await;
        assert_eq!(before.len(), 21);
        h.running.shutdown().await.unwrap();
    }
    let h = Harness::with_clock(config.clone(), clock.clone()).await;
    let c = client(&h.running.endpoint_url());
    // The same records, sequence numbers and arrival times, in the same order per shard.
    assert_eq!(records(&c, "durable").await, before);
    assert!(
        records(&c, "again").await.is_empty(),
        "a new stream of an old name"
    );
    let summary = c
        .describe_stream_summary()
        .stream_name("durable")
        .send()
        .await
        .unwrap()
        .stream_description_summary
        .unwrap();
    assert_eq!(summary.retention_period_hours, 48);
    // New records number above every earlier one of their shard.
    let put = c
        .put_record()
        .stream_name("durable")
        .partition_key("key-0")
        .data(Blob::new("after"))
        .send()
        .await
        .unwrap();
    let newest_before = before
        .iter()
        .filter(|r| r.shard == put.shard_id)
        .map(|r| r.sequence_number.clone())
        .max_by(|a, b| seq_order(a, b))
        .unwrap();
    assert_eq!(
        seq_order(&put.sequence_number, &newest_before),
        std::cmp::Ordering::Greater
    );
    // Past the retention, the next write trims the shard, and the trim is durable; numbers
    // keep rising even when nothing older is left.
    h.advance_ms(49 * 3_600_000);
    let late = c
        .put_record()
        .stream_name("durable")
        .partition_key("key-0")
        .data(Blob::new("late"))
        .send()
        .await
        .unwrap();
    let kept: Vec<Got> = records(&c, "durable")
        .await
        .into_iter()
        .filter(|r| r.shard == late.shard_id)
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].data, b"late");
    h.running.shutdown().await.unwrap();
    let h = Harness::with_clock(config, clock).await;
    let c = client(&h.running.endpoint_url());
    let all = records(&c, "durable").await;
    let on_shard: Vec<&Got> = all.iter().filter(|r| r.shard == late.shard_id).collect();
    assert_eq!(on_shard.len(), 1, "{all:?}");
    let next = c
        .put_record()
        .stream_name("durable")
        .partition_key("key-0")
        .data(Blob::new("next"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        seq_order(&next.sequence_number, &late.sequence_number),
        std::cmp::Ordering::Greater
    );
}

#[tokio::test]
async fn retention_changes_within_the_service_bounds() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    create(&c, "r", 1).await;
    let hours = |c: &ks::Client| {
        let c = c.clone();
        async move {
            c.describe_stream_summary()
                .stream_name("r")
                .send()
                .await
                .unwrap()
                .stream_description_summary
                .unwrap()
                .retention_period_hours
        }
    };
    assert_eq!(hours(&c).await, 24);
    // The same value is accepted and changes nothing.
    c.increase_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(24)
        .send()
        .await
        .unwrap();
    c.increase_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(8760)
        .send()
        .await
        .unwrap();
    assert_eq!(hours(&c).await, 8760);
    let e = c
        .increase_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(8761)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("8760 hours"), "{}", message(&e));
    let e = c
        .increase_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(100)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(
        message(&e).contains("Use DecreaseRetentionPeriod API"),
        "{}",
        message(&e)
    );
    c.decrease_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(72)
        .send()
        .await
        .unwrap();
    assert_eq!(hours(&c).await, 72);
    let e = c
        .decrease_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(23)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgumentException");
    assert!(message(&e).contains("24 hours"), "{}", message(&e));
    let e = c
        .decrease_stream_retention_period()
        .stream_name("r")
        .retention_period_hours(100)
        .send()
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("Use IncreaseRetentionPeriod API"),
        "{}",
        message(&e)
    );
    let e = c
        .decrease_stream_retention_period()
        .stream_name("missing")
        .retention_period_hours(24)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}
