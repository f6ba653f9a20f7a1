//! Amazon Kinesis Data Streams (`Kinesis_20131202`, awsJson1_1): the streams Kinesis Analytics
//! applications read from and write to, readable with GetRecords.
//!
//! Layout: [`keys`] (shard ids, hash ranges, sequence numbers, iterators), `streams`
//! (Create/Describe/DescribeSummary/List/ListShards/Delete), `records` (PutRecord, PutRecords,
//! GetShardIterator, GetRecords). Stream metadata is persisted with the [`Store`]; records live
//! in memory for the stream's retention period.

pub mod error;
pub mod keys;
mod records;
mod streams;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use serde::{Deserialize, Serialize};

pub use self::error::KinesisError;
use crate::config::TwinConfig;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{ArnScheme, Record, Shared, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "Kinesis_20131202";
/// The service name used in ARNs and by fault injection.
pub const SERVICE_NAME: &str = "kinesis";
/// The store table holding stream metadata.
const TABLE: &str = "kinesis.streams";
/// Retention when a stream is created (24 hours, the service's default).
pub const DEFAULT_RETENTION_HOURS: i64 = 24;

/// How streams appear in ARNs.
pub const ARNS: ArnScheme = ArnScheme {
    service: SERVICE_NAME,
    resource: "stream/",
};

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

impl Record for StreamMeta {}

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

/// A stream's shards, empty when it is created or loaded (records live in memory).
fn new_shards(meta: &StreamMeta) -> Vec<Shard> {
    (0..meta.shards).map(|_| Shard::default()).collect()
}

/// The Kinesis Data Streams service of the twin.
#[derive(Debug)]
pub struct Kinesis {
    config: TwinConfig,
    clock: SharedClock,
    /// Streams; each row keeps its shards' records beside the stored metadata.
    streams: Table<StreamMeta, Vec<Shard>>,
    /// Records still to fail in the next PutRecords calls (see [`Kinesis::fail_next_records`]).
    fail_records: AtomicU64,
}

/// The service's not-found error, worded as it words it.
fn missing(config: &TwinConfig) -> impl Fn(&str) -> AwsError + Send + Sync + 'static {
    let account = config.account_id.clone();
    move |name| {
        KinesisError::ResourceNotFound
            .with(format!("Stream {name} under account {account} not found."))
    }
}

impl Kinesis {
    /// The service, with the streams found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
    ) -> Result<Self, crate::error::LocalError> {
        let streams = Table::load(TABLE, store, clock.clone(), missing(&config), new_shards)?;
        Ok(Self {
            config,
            clock,
            streams,
            fail_records: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The ARN of stream `name` on this twin.
    pub fn arn(&self, name: &str) -> String {
        ARNS.arn(&self.config, name)
    }

    fn not_found(&self, name: &str) -> AwsError {
        missing(&self.config)(name)
    }

    fn entry(&self, name_or_arn: &str) -> Result<Shared<StreamMeta, Vec<Shard>>, AwsError> {
        Ok(self.streams.resolve(&ARNS, &self.config, name_or_arn)?.1)
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
        let n = e.record.shards;
        let key = explicit_hash_key.unwrap_or_else(|| keys::hash_key(partition_key));
        let shard = keys::shard_for(key, n);
        let created_s = e.record.create_ms.div_euclid(1000);
        let horizon = now - e.record.retention_hours * 3_600_000;
        let s = &mut e.extra[shard];
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
        Ok(e.extra.iter().map(Shard::end).collect())
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
        positions.resize(e.extra.len(), 0);
        let mut out = Vec::new();
        for (i, s) in e.extra.iter().enumerate() {
            let (records, next) = s.read(positions[i], max, usize::MAX);
            positions[i] = next;
            out.extend(records);
        }
        // A stable sort keeps each shard's order among records of the same millisecond.
        out.sort_by_key(|r| r.arrival_ms);
        Ok(out)
    }
}

impl Operations for Kinesis {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_1,
        target_prefix: TARGET_PREFIX,
    };
    /// The model's operations; the twin serves streams, shards as created, and records.
    const TABLE: &'static [Operation<Self>] = &[
        Operation::not_implemented("AddTagsToStream"),
        Operation::not_implemented("CreateChannel"),
        Operation::sync("CreateStream", Self::create_stream),
        Operation::not_implemented("DecreaseStreamRetentionPeriod"),
        Operation::not_implemented("DeleteChannel"),
        Operation::not_implemented("DeleteResourcePolicy"),
        Operation::sync("DeleteStream", Self::delete_stream),
        Operation::not_implemented("DeregisterStreamConsumer"),
        Operation::not_implemented("DescribeAccountSettings"),
        Operation::not_implemented("DescribeChannel"),
        Operation::not_implemented("DescribeLimits"),
        Operation::sync("DescribeStream", Self::describe_stream),
        Operation::not_implemented("DescribeStreamConsumer"),
        Operation::sync("DescribeStreamSummary", Self::describe_stream_summary),
        Operation::not_implemented("DisableEnhancedMonitoring"),
        Operation::not_implemented("EnableEnhancedMonitoring"),
        Operation::sync("GetRecords", Self::get_records),
        Operation::not_implemented("GetResourcePolicy"),
        Operation::sync("GetShardIterator", Self::get_shard_iterator),
        Operation::not_implemented("IncreaseStreamRetentionPeriod"),
        Operation::not_implemented("ListChannels"),
        Operation::sync("ListShards", Self::list_shards),
        Operation::not_implemented("ListStreamConsumers"),
        Operation::sync("ListStreams", Self::list_streams),
        Operation::not_implemented("ListTagsForResource"),
        Operation::not_implemented("ListTagsForStream"),
        Operation::not_implemented("MergeShards"),
        Operation::sync("PutRecord", Self::put_record),
        Operation::sync("PutRecords", Self::put_records),
        Operation::not_implemented("PutResourcePolicy"),
        Operation::not_implemented("RegisterStreamConsumer"),
        Operation::not_implemented("RemoveTagsFromStream"),
        Operation::not_implemented("SplitShard"),
        Operation::not_implemented("StartStreamEncryption"),
        Operation::not_implemented("StopStreamEncryption"),
        Operation::not_implemented("SubscribeToShard"),
        Operation::not_implemented("TagResource"),
        Operation::not_implemented("UntagResource"),
        Operation::not_implemented("UpdateAccountSettings"),
        Operation::not_implemented("UpdateChannel"),
        Operation::not_implemented("UpdateMaxRecordSize"),
        Operation::not_implemented("UpdateShardCount"),
        Operation::not_implemented("UpdateStreamMode"),
        Operation::not_implemented("UpdateStreamRecordDistributionStrategy"),
        Operation::not_implemented("UpdateStreamWarmThroughput"),
    ];
}
