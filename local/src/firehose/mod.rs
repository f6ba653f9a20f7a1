//! Amazon Data Firehose (`Firehose_20150804`, awsJson1_1): the delivery streams the twin's
//! Kinesis Analytics applications read from and write to.
//!
//! Layout: [`model`] (wire shapes), `streams` (Create/Describe/List/DeleteDeliveryStream),
//! `put` (PutRecord, PutRecordBatch). Delivery to the configured destination (S3, Redshift, …)
//! is not emulated: records accepted by a stream are kept in an in-memory log for 24 hours
//! (the service's retention when its destination is unavailable), where the data plane reads
//! them (a stream that is an application's input) and tests inspect them (a stream that is an
//! application's output). Stream metadata is persisted with the [`Store`]; records are not.

pub mod error;
pub mod model;
mod put;
pub mod s3dest;
mod streams;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use serde::{Deserialize, Serialize};

pub use self::error::FirehoseError;
use crate::config::TwinConfig;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{ArnScheme, Record, Shared, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "Firehose_20150804";
/// The service name used in ARNs and by fault injection.
pub const SERVICE_NAME: &str = "firehose";
/// The store table holding delivery stream metadata.
const TABLE: &str = "firehose.deliverystreams";
/// How long accepted records stay readable (the service keeps undeliverable data 24 hours).
pub const RETENTION_MS: i64 = 24 * 60 * 60 * 1000;
/// The most records kept per stream; older ones are dropped first (a memory bound the service
/// does not have: it delivers and forgets).
pub const MAX_KEPT_RECORDS: usize = 2_000_000;

/// How delivery streams appear in ARNs.
pub const ARNS: ArnScheme = ArnScheme {
    service: SERVICE_NAME,
    resource: "deliverystream/",
};

/// What is persisted about a delivery stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamMeta {
    /// DeliveryStreamName.
    pub name: String,
    /// DeliveryStreamARN.
    pub arn: String,
    /// DeliveryStreamType (`DirectPut`, `KinesisStreamAsSource`, …).
    pub stream_type: String,
    /// CreateTimestamp, epoch ms.
    pub create_ms: i64,
    /// `KinesisStreamSourceConfiguration` as given, for `KinesisStreamAsSource`.
    pub source: Option<serde_json::Value>,
    /// The destination: the request member name (`ExtendedS3DestinationConfiguration`, …) and
    /// its value as given.
    pub destination: (String, serde_json::Value),
    /// Tags, in order.
    pub tags: Vec<(String, Option<String>)>,
}

impl Record for StreamMeta {}

/// One record a stream accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct FirehoseRecord {
    /// The RecordId PutRecord(Batch) answered with.
    pub record_id: String,
    /// When it arrived, epoch ms on the twin's clock.
    pub arrival_ms: i64,
    /// The data blob.
    pub data: Bytes,
}

/// A stream's record log: offsets count every record ever accepted, so a reader's position
/// stays valid while old records are trimmed.
#[derive(Debug, Default)]
struct Log {
    first: u64,
    records: VecDeque<FirehoseRecord>,
    /// The offset up to which records went to the stream's S3 destination.
    delivered: u64,
}

impl Log {
    fn end(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    fn append(&mut self, record: FirehoseRecord) {
        let horizon = record.arrival_ms - RETENTION_MS;
        while self.records.front().is_some_and(|r| r.arrival_ms < horizon)
            || self.records.len() >= MAX_KEPT_RECORDS
        {
            self.records.pop_front();
            self.first += 1;
        }
        self.records.push_back(record);
    }
}

/// The Firehose service of the twin.
#[derive(Debug)]
pub struct Firehose {
    config: TwinConfig,
    clock: SharedClock,
    /// Delivery streams; each row keeps its record log beside the stored metadata.
    streams: Table<StreamMeta, Log>,
    /// Records still to fail in the next PutRecordBatch calls (see [`Firehose::fail_next_records`]).
    fail_records: AtomicU64,
    /// Feeds RecordIds.
    next_record: AtomicU64,
}

/// The service's not-found error, worded as it words it.
fn missing(config: &TwinConfig) -> impl Fn(&str) -> AwsError + Send + Sync + 'static {
    let account = config.account_id.clone();
    move |name| {
        FirehoseError::ResourceNotFound.with(format!(
            "Firehose {name} under account {account} not found."
        ))
    }
}

impl Firehose {
    /// The service, with the delivery streams found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
    ) -> Result<Self, crate::error::LocalError> {
        let streams = Table::load(TABLE, store, clock.clone(), missing(&config), |_| {
            Log::default()
        })?;
        Ok(Self {
            config,
            clock,
            streams,
            fail_records: AtomicU64::new(0),
            next_record: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The ARN of delivery stream `name` on this twin.
    pub fn arn(&self, name: &str) -> String {
        ARNS.arn(&self.config, name)
    }

    fn not_found(&self, name: &str) -> AwsError {
        missing(&self.config)(name)
    }

    fn entry(&self, name_or_arn: &str) -> Result<Shared<StreamMeta, Log>, AwsError> {
        Ok(self.streams.resolve(&ARNS, &self.config, name_or_arn)?.1)
    }

    /// Whether delivery stream `name_or_arn` exists on the twin.
    pub fn exists(&self, name_or_arn: &str) -> bool {
        self.entry(name_or_arn).is_ok()
    }

    /// The names of the delivery streams, in order.
    pub fn names(&self) -> Vec<String> {
        let mut names = self.streams.keys();
        names.sort();
        names
    }

    /// Makes the next `count` records of PutRecordBatch calls fail with
    /// `ServiceUnavailableException` ("Slow down."), as a throttled stream answers, so callers'
    /// partial-failure handling can be exercised.
    pub fn fail_next_records(&self, count: u64) {
        self.fail_records.store(count, Ordering::Release);
    }

    fn take_record_failure(&self) -> bool {
        self.fail_records
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    fn record_id(&self, now_ms: i64) -> String {
        // The service's record ids are long opaque strings; these are unique and stable.
        let n = self.next_record.fetch_add(1, Ordering::Relaxed);
        let raw = format!("kdaflow:{now_ms:016x}:{n:016x}");
        crate::validation::encode_blob(raw.as_bytes())
    }

    /// Accepts one record into a stream, as PutRecord does; returns its RecordId.
    pub fn put(&self, name_or_arn: &str, data: Bytes) -> Result<String, AwsError> {
        let shared = self.entry(name_or_arn)?;
        let now = self.now_ms();
        let id = self.record_id(now);
        shared.lock().extra.append(FirehoseRecord {
            record_id: id.clone(),
            arrival_ms: now,
            data,
        });
        Ok(id)
    }

    /// The offset just past the newest record (where a reader starting "now" begins).
    pub fn end_offset(&self, name_or_arn: &str) -> Result<u64, AwsError> {
        Ok(self.entry(name_or_arn)?.lock().extra.end())
    }

    /// Up to `max` records from `offset` (clamped to the oldest kept), and the offset after them.
    pub fn read(
        &self,
        name_or_arn: &str,
        offset: u64,
        max: usize,
    ) -> Result<(Vec<FirehoseRecord>, u64), AwsError> {
        let shared = self.entry(name_or_arn)?;
        let row = shared.lock();
        let log = &row.extra;
        let start = offset.max(log.first);
        let skip = (start - log.first) as usize;
        let out: Vec<FirehoseRecord> = log.records.iter().skip(skip).take(max).cloned().collect();
        let next = start + out.len() as u64;
        Ok((out, next))
    }

    /// Every record a stream still holds, oldest first (for tests and inspection).
    pub fn records(&self, name_or_arn: &str) -> Result<Vec<FirehoseRecord>, AwsError> {
        self.read(name_or_arn, 0, usize::MAX).map(|(r, _)| r)
    }
}

impl Operations for Firehose {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_1,
        target_prefix: TARGET_PREFIX,
    };
    /// The model's operations; the twin serves the delivery streams' lifecycle and ingestion.
    const TABLE: &'static [Operation<Self>] = &[
        Operation::sync("CreateDeliveryStream", Self::create_delivery_stream),
        Operation::sync("DeleteDeliveryStream", Self::delete_delivery_stream),
        Operation::sync("DescribeDeliveryStream", Self::describe_delivery_stream),
        Operation::sync("ListDeliveryStreams", Self::list_delivery_streams),
        Operation::not_implemented("ListTagsForDeliveryStream"),
        Operation::sync("PutRecord", Self::put_record),
        Operation::sync("PutRecordBatch", Self::put_record_batch),
        Operation::not_implemented("StartDeliveryStreamEncryption"),
        Operation::not_implemented("StopDeliveryStreamEncryption"),
        Operation::not_implemented("TagDeliveryStream"),
        Operation::not_implemented("UntagDeliveryStream"),
        Operation::not_implemented("UpdateDestination"),
    ];
}
