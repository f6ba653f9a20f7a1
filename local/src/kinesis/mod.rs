//! Amazon Kinesis Data Streams (`Kinesis_20131202`, awsJson1_1): the streams Kinesis Analytics
//! applications read from and write to, readable with GetRecords.
//!
//! Layout: [`keys`] (shard ids, hash ranges, sequence numbers, iterators), `streams`
//! (Create/Describe/DescribeSummary/List/ListShards/Delete), `records` (PutRecord, PutRecords,
//! GetShardIterator, GetRecords). Stream metadata is persisted with the [`Store`]; records live
//! in memory for the stream's retention period.

pub mod keys;
mod records;
mod streams;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use crate::config::TwinConfig;
use crate::protocol::{AwsError, JsonVersion};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "Kinesis_20131202";
/// The service name used in ARNs and by fault injection.
pub const SERVICE_NAME: &str = "kinesis";
/// The store table holding stream metadata.
const TABLE: &str = "kinesis.streams";
/// Retention when a stream is created (24 hours, the service's default).
pub const DEFAULT_RETENTION_HOURS: i64 = 24;

/// The operations the twin implements.
pub const OPERATIONS: [&str; 10] = [
    "CreateStream",
    "DeleteStream",
    "DescribeStream",
    "DescribeStreamSummary",
    "GetRecords",
    "GetShardIterator",
    "ListShards",
    "ListStreams",
    "PutRecord",
    "PutRecords",
];

/// What is persisted about a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamMeta {
    /// StreamName.
    pub name: String,
    /// StreamARN.
    pub arn: String,
    /// Number of (open) shards.
    pub shards: usize,
    /// `PROVISIONED` or `ON_DEMAND`.
    pub mode: String,
    /// StreamCreationTimestamp, epoch ms.
    pub create_ms: i64,
    /// RetentionPeriodHours.
    pub retention_hours: i64,
}

/// One record in a shard.
#[derive(Debug, Clone, PartialEq)]
pub struct KinesisRecord {
    /// SequenceNumber.
    pub sequence_number: String,
    /// ApproximateArrivalTimestamp, epoch ms.
    pub arrival_ms: i64,
    /// PartitionKey.
    pub partition_key: String,
    /// Data.
    pub data: Bytes,
    /// The shard index.
    pub shard: usize,
}

#[derive(Debug, Default)]
struct Shard {
    first: u64,
    records: VecDeque<KinesisRecord>,
}

impl Shard {
    fn end(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    fn trim(&mut self, horizon_ms: i64) {
        while self
            .records
            .front()
            .is_some_and(|r| r.arrival_ms < horizon_ms)
        {
            self.records.pop_front();
            self.first += 1;
        }
    }

    /// Up to `max` records (and at most `max_bytes`) from `position`, and the next position.
    fn read(&self, position: u64, max: usize, max_bytes: usize) -> (Vec<KinesisRecord>, u64) {
        let start = position.max(self.first);
        let skip = (start - self.first) as usize;
        let mut out = Vec::new();
        let mut bytes = 0;
        for r in self.records.iter().skip(skip).take(max) {
            if !out.is_empty() && bytes + r.data.len() > max_bytes {
                break;
            }
            bytes += r.data.len();
            out.push(r.clone());
        }
        let next = start + out.len() as u64;
        (out, next)
    }
}

#[derive(Debug)]
struct Entry {
    meta: StreamMeta,
    shards: Vec<Shard>,
}

impl Entry {
    fn new(meta: StreamMeta) -> Self {
        let shards = (0..meta.shards).map(|_| Shard::default()).collect();
        Self { meta, shards }
    }
}

/// The Kinesis Data Streams service of the twin.
#[derive(Debug)]
pub struct Kinesis {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    streams: RwLock<BTreeMap<String, Arc<Mutex<Entry>>>>,
    /// Records still to fail in the next PutRecords calls (see [`Kinesis::fail_next_records`]).
    fail_records: AtomicU64,
}

impl Kinesis {
    /// The service, with the streams found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
    ) -> Result<Self, crate::error::LocalError> {
        let mut streams = BTreeMap::new();
        for (name, meta) in store.load_all::<StreamMeta>(TABLE)? {
            streams.insert(name, Arc::new(Mutex::new(Entry::new(meta))));
        }
        Ok(Self {
            config,
            clock,
            store,
            streams: RwLock::new(streams),
            fail_records: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The ARN of stream `name` on this twin.
    pub fn arn(&self, name: &str) -> String {
        format!(
            "arn:aws:kinesis:{}:{}:stream/{name}",
            self.config.region, self.config.account_id
        )
    }

    fn not_found(&self, name: &str) -> AwsError {
        AwsError::client(
            "ResourceNotFoundException",
            format!(
                "Stream {name} under account {} not found.",
                self.config.account_id
            ),
        )
    }

    fn resolve(&self, name_or_arn: &str) -> Option<String> {
        crate::validation::name_from_arn(
            name_or_arn,
            SERVICE_NAME,
            "stream",
            &self.config.region,
            &self.config.account_id,
        )
        .map(str::to_string)
    }

    fn entry(&self, name_or_arn: &str) -> Result<Arc<Mutex<Entry>>, AwsError> {
        let name = self
            .resolve(name_or_arn)
            .ok_or_else(|| self.not_found(name_or_arn))?;
        self.streams
            .read()
            .get(&name)
            .cloned()
            .ok_or_else(|| self.not_found(&name))
    }

    /// Whether stream `name_or_arn` exists on the twin.
    pub fn exists(&self, name_or_arn: &str) -> bool {
        self.entry(name_or_arn).is_ok()
    }

    /// Makes the next `count` records of PutRecords calls fail with
    /// `ProvisionedThroughputExceededException`, as a hot shard answers.
    pub fn fail_next_records(&self, count: u64) {
        self.fail_records.store(count, Ordering::Release);
    }

    fn take_record_failure(&self) -> bool {
        self.fail_records
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Appends a record, as PutRecord does; returns `(shard id, sequence number)`.
    pub fn put(
        &self,
        name_or_arn: &str,
        partition_key: &str,
        explicit_hash_key: Option<u128>,
        data: Bytes,
    ) -> Result<(String, String), AwsError> {
        let shared = self.entry(name_or_arn)?;
        let now = self.now_ms();
        let mut e = shared.lock();
        let n = e.meta.shards;
        let key = explicit_hash_key.unwrap_or_else(|| keys::hash_key(partition_key));
        let shard = keys::shard_for(key, n);
        let created_s = e.meta.create_ms.div_euclid(1000);
        let horizon = now - e.meta.retention_hours * 3_600_000;
        let s = &mut e.shards[shard];
        s.trim(horizon);
        let seq = keys::sequence_number(created_s, shard, s.end());
        s.records.push_back(KinesisRecord {
            sequence_number: seq.clone(),
            arrival_ms: now,
            partition_key: partition_key.to_string(),
            data,
            shard,
        });
        Ok((keys::shard_id(shard), seq))
    }

    /// Every shard's end position (where a reader starting "now" begins).
    pub fn end_positions(&self, name_or_arn: &str) -> Result<Vec<u64>, AwsError> {
        let shared = self.entry(name_or_arn)?;
        let e = shared.lock();
        Ok(e.shards.iter().map(Shard::end).collect())
    }

    /// Reads up to `max` records across shards from `positions` (one per shard; missing ones
    /// start at the oldest record), oldest arrival first, advancing `positions`.
    pub fn read_all(
        &self,
        name_or_arn: &str,
        positions: &mut Vec<u64>,
        max: usize,
    ) -> Result<Vec<KinesisRecord>, AwsError> {
        let shared = self.entry(name_or_arn)?;
        let e = shared.lock();
        positions.resize(e.shards.len(), 0);
        let mut out = Vec::new();
        for (i, s) in e.shards.iter().enumerate() {
            let (records, next) = s.read(positions[i], max, usize::MAX);
            positions[i] = next;
            out.extend(records);
        }
        // A stable sort keeps each shard's order among records of the same millisecond.
        out.sort_by_key(|r| r.arrival_ms);
        Ok(out)
    }

    fn dispatch(&self, operation: &str, body: &[u8]) -> Result<Bytes, AwsError> {
        match operation {
            "CreateStream" => self.create_stream(body),
            "DescribeStream" => self.describe_stream(body),
            "DescribeStreamSummary" => self.describe_stream_summary(body),
            "ListStreams" => self.list_streams(body),
            "ListShards" => self.list_shards(body),
            "DeleteStream" => self.delete_stream(body),
            "PutRecord" => self.put_record(body),
            "PutRecords" => self.put_records(body),
            "GetShardIterator" => self.get_shard_iterator(body),
            "GetRecords" => self.get_records(body),
            other => Err(AwsError::unknown_operation(&format!(
                "{TARGET_PREFIX}.{other}"
            ))),
        }
    }
}

crate::sync_service!(Kinesis, SERVICE_NAME, TARGET_PREFIX, JsonVersion::V1_1);
