//! Durable Kinesis streams: PutRecords of 1 KB records in batches of 500 from several writers
//! through `aws-sdk-kinesis`, acknowledged only once on disk (group commit), beside the same
//! load on a twin without a state directory (memory only) in the same run; then GetRecords
//! reading everything back.
//!
//! `cargo bench -p kdaflow-local --bench streams -- --seconds 10` (1, 2 and 4 writers; or
//! `--writers N` for one count)

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aws_sdk_kinesis as ks;
use hdrhistogram::Histogram;
use kdaflow_local::{Twin, TwinConfig};
use ks::primitives::Blob;
use ks::types::{PutRecordsRequestEntry, ShardIteratorType};

const STREAM: &str = "bench";
const SHARDS: i32 = 4;
const BATCH: usize = 500;
const RECORD_BYTES: usize = 1024;

mod common;
use common::arg;

fn client(endpoint: &str) -> ks::Client {
    let config = ks::Config::builder()
        .behavior_version(ks::config::BehaviorVersion::latest())
        .region(ks::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(ks::config::Credentials::new(
            "AKID", "secret", None, None, "b",
        ))
        .retry_config(ks::config::retry::RetryConfig::disabled())
        .build();
    ks::Client::from_conf(config)
}

struct Figures {
    records: u64,
    secs: f64,
    latency_us: Histogram<u64>,
}

/// `writers` writers send batches for `seconds`; every acknowledgement's latency is recorded.
async fn put_load(c: &ks::Client, writers: u64, seconds: u64) -> Figures {
    let payload = Blob::new(vec![b'r'; RECORD_BYTES]);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (c, payload) = (c.clone(), payload.clone());
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new(3).unwrap();
            let mut records = 0u64;
            let mut n = 0u64;
            while Instant::now() < deadline {
                let entries: Vec<PutRecordsRequestEntry> = (0..BATCH)
                    .map(|i| {
                        n += 1;
                        PutRecordsRequestEntry::builder()
                            .partition_key(format!("w{w}-{n}-{i}"))
                            .data(payload.clone())
                            .build()
                            .unwrap()
                    })
                    .collect();
                let t = Instant::now();
                let out = c
                    .put_records()
                    .stream_name(STREAM)
                    .set_records(Some(entries))
                    .send()
                    .await
                    .expect("PutRecords");
                h.record(t.elapsed().as_micros() as u64).unwrap();
                assert_eq!(out.failed_record_count(), Some(0));
                records += BATCH as u64;
            }
            (records, h)
        }));
    }
    let mut latency_us = Histogram::<u64>::new(3).unwrap();
    let mut records = 0;
    for t in tasks {
        let (r, h) = t.await.unwrap();
        records += r;
        latency_us.add(h).unwrap();
    }
    Figures {
        records,
        secs: started.elapsed().as_secs_f64(),
        latency_us,
    }
}

/// Reads the whole stream with GetRecords (10,000 per call): bytes of data and seconds.
async fn read_back(c: &ks::Client) -> (u64, u64, f64) {
    let started = Instant::now();
    let (mut records, mut bytes) = (0u64, 0u64);
    for shard in 0..SHARDS {
        let mut it = c
            .get_shard_iterator()
            .stream_name(STREAM)
            .shard_id(format!("shardId-{shard:012}"))
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator;
        while let Some(i) = it {
            let r = c.get_records().shard_iterator(i).send().await.unwrap();
            if r.records().is_empty() {
                break;
            }
            records += r.records().len() as u64;
            bytes += r
                .records()
                .iter()
                .map(|x| x.data().as_ref().len() as u64)
                .sum::<u64>();
            it = r.next_shard_iterator;
        }
    }
    (records, bytes, started.elapsed().as_secs_f64())
}

async fn run(label: &str, config: TwinConfig, writers: u64, seconds: u64) {
    let twin = Twin::builder(config).build().unwrap();
    let running = twin.spawn(0).await.unwrap();
    let c = client(&running.endpoint_url());
    c.create_stream()
        .stream_name(STREAM)
        .shard_count(SHARDS)
        .send()
        .await
        .unwrap();
    let f = put_load(&c, writers, seconds).await;
    let stats = running.twin().kinesis().journal_stats();
    let commits = stats.commits.load(Ordering::Relaxed);
    let jobs = stats.jobs.load(Ordering::Relaxed);
    let ms = |q: f64| f.latency_us.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{label:<8} PutRecords: {:>8.0} records/s ({:.1} MB/s of data), ack latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        f.records as f64 / f.secs,
        (f.records as usize * RECORD_BYTES) as f64 / 1e6 / f.secs,
        ms(0.5),
        ms(0.99),
        f.latency_us.max() as f64 / 1000.0,
    );
    if commits > 0 {
        println!(
            "{label:<8} group commit: {commits} commits for {jobs} PutRecords calls ({:.1} calls per fsync)",
            jobs as f64 / commits as f64
        );
    }
    let (records, bytes, secs) = read_back(&c).await;
    assert_eq!(records, f.records);
    println!(
        "{label:<8} GetRecords: {records} records, {:.0} MB/s of data",
        bytes as f64 / 1e6 / secs
    );
    running.shutdown().await.unwrap();
}

#[tokio::main]
async fn main() {
    let seconds = arg("--seconds", 10);
    let counts = match arg("--writers", 0) {
        0 => vec![1, 2, 4],
        n => vec![n],
    };
    for writers in counts {
        println!(
            "\n{writers} writer(s), batches of {BATCH} records of {RECORD_BYTES} bytes, {SHARDS} shards, {seconds} s each"
        );
        let dir = tempfile::tempdir().unwrap();
        let durable = TwinConfig {
            state_dir: Some(dir.path().to_path_buf()),
            ..TwinConfig::default()
        };
        run("durable", durable, writers, seconds).await;
        run("memory", TwinConfig::default(), writers, seconds).await;
    }
}
