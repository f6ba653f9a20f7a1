//! Amazon Data Firehose (`Firehose_20150804`, awsJson1_1): the delivery streams the twin's
//! Kinesis Analytics applications read from and write to.
//!
//! Layout: [`model`] (wire shapes), `streams` (Create/Describe/List/DeleteDeliveryStream),
//! `put` (PutRecord, PutRecordBatch). Delivery to the configured destination (S3, Redshift, …)
//! other than S3 ([`s3dest`]) is not emulated: records accepted by a stream are kept in a log
//! for 24 hours (the service's retention when its destination is unavailable), where the data
//! plane reads them (a stream that is an application's input), the S3 destination takes its
//! buffers from, and tests inspect them. Stream metadata is persisted with the [`Store`]; with
//! a state directory every accepted record is on disk before PutRecord(Batch) answers (the
//! store's [`crate::journal`]), and the log, with how far its S3 destination got, is loaded
//! again at start: buffers accepted but not yet delivered are delivered after a restart.

pub mod error;
pub mod model;
mod put;
pub mod s3dest;
mod streams;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::Mutex;
use redb::{ReadableTable as _, TableDefinition};
use serde::{Deserialize, Serialize};

pub use self::error::FirehoseError;
use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::journal::Publish;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{ArnScheme, Record, Shared, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;
use crate::store::open_table;

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
pub(crate) struct Log {
    first: u64,
    records: VecDeque<FirehoseRecord>,
    /// The offset up to which records went to the stream's S3 destination.
    delivered: u64,
    /// Offsets handed out to appends not yet durable (see [`crate::journal`]).
    reserved: u64,
    /// Arrival times of appends not yet visible, oldest first.
    in_flight: VecDeque<i64>,
}

impl Log {
    fn end(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    /// How many of the oldest records go once `adding` more arrive at `now_ms`: those older
    /// than the retention, and the oldest beyond [`MAX_KEPT_RECORDS`].
    fn expiring(&self, now_ms: i64, adding: u64) -> usize {
        let horizon = now_ms - RETENTION_MS;
        let old = self
            .records
            .iter()
            .take_while(|r| r.arrival_ms < horizon)
            .count();
        let total = self.records.len() as u64 + self.reserved + adding;
        let over = total.saturating_sub(MAX_KEPT_RECORDS as u64) as usize;
        old.max(over).min(self.records.len())
    }

    fn trim(&mut self, now_ms: i64) {
        let n = self.expiring(now_ms, 0);
        self.records.drain(..n);
        self.first += n as u64;
    }
}

/// A stream's log, under its own lock apart from the stream's row (the journal's writer
/// locks only these; see [`crate::journal`]).
type SharedLog = Arc<Mutex<Log>>;

/// Records on disk: (stream incarnation, offset) -> (arrival ms, RecordId, data).
const RECORDS: TableDefinition<(&str, u64), (i64, &str, &[u8])> =
    TableDefinition::new("firehose.records");
/// Each log's end and delivered offsets: incarnation -> (end, delivered).
const LOGS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("firehose.logs");

/// What tells a stream's records apart from those of an earlier stream of the same name.
fn incarnation(meta: &StreamMeta) -> String {
    crate::journal::incarnation(&meta.name, meta.create_ms)
}

/// The Firehose service of the twin.
#[derive(Debug)]
pub struct Firehose {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    /// Delivery streams; each row keeps its record log beside the stored metadata.
    streams: Table<StreamMeta, SharedLog>,
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

/// The answer when records could not be made durable (the service's 503, worth a retry).
fn not_durable(e: &LocalError) -> AwsError {
    FirehoseError::ServiceUnavailable.with(format!(
        "The records were not stored and were not accepted: {e}. Send them again."
    ))
}

impl Firehose {
    /// The service, with the delivery streams found in `store` and the records they held.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
    ) -> Result<Self, LocalError> {
        let streams = Table::load(
            TABLE,
            store.clone(),
            clock.clone(),
            missing(&config),
            |_| SharedLog::default(),
        )?;
        let f = Self {
            config,
            clock,
            store,
            streams,
            fail_records: AtomicU64::new(0),
            next_record: AtomicU64::new(0),
        };
        f.load_records()?;
        Ok(f)
    }

    /// Fills the logs from the store (records past retention, and those of streams that are
    /// gone, are dropped from the store too).
    fn load_records(&self) -> Result<(), LocalError> {
        let Some(read) = self.store.begin_read()? else {
            return Ok(());
        };
        let now = self.now_ms();
        let horizon = now - RETENTION_MS;
        let live: HashMap<String, SharedLog> = self
            .streams
            .rows()
            .into_iter()
            .map(|(_, shared)| {
                let row = shared.lock();
                (incarnation(&row.record), row.extra.clone())
            })
            .collect();
        let mut stale: Vec<(String, u64)> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        if let Some(logs) = open_table(&read, LOGS)? {
            for entry in logs.iter()? {
                let (k, v) = entry?;
                let (end, delivered) = v.value();
                match live.get(k.value()) {
                    Some(log) => {
                        let mut log = log.lock();
                        log.first = end;
                        log.delivered = delivered;
                    }
                    None => gone.push(k.value().to_string()),
                }
            }
        }
        if let Some(records) = open_table(&read, RECORDS)? {
            for entry in records.iter()? {
                let (k, v) = entry?;
                let (inc, offset) = k.value();
                let (arrival_ms, record_id, data) = v.value();
                let Some(log) = live.get(inc) else {
                    stale.push((inc.to_string(), offset));
                    continue;
                };
                let mut log = log.lock();
                if log.records.is_empty() {
                    log.first = offset;
                }
                if arrival_ms < horizon {
                    stale.push((inc.to_string(), offset));
                    log.first = offset + 1;
                    continue;
                }
                log.records.push_back(FirehoseRecord {
                    record_id: record_id.to_string(),
                    arrival_ms,
                    data: Bytes::copy_from_slice(data),
                });
            }
        }
        if !stale.is_empty() || !gone.is_empty() {
            self.store.journal().submit(move |tx| {
                let mut records = tx.open_table(RECORDS)?;
                for (inc, offset) in &stale {
                    records.remove((inc.as_str(), *offset))?;
                }
                let mut logs = tx.open_table(LOGS)?;
                for inc in &gone {
                    logs.remove(inc.as_str())?;
                }
                Ok(())
            });
        }
        Ok(())
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

    fn entry(&self, name_or_arn: &str) -> Result<Shared<StreamMeta, SharedLog>, AwsError> {
        Ok(self.streams.resolve(&ARNS, &self.config, name_or_arn)?.1)
    }

    /// The stream's record and its log.
    fn stream(&self, name_or_arn: &str) -> Result<(StreamMeta, SharedLog), AwsError> {
        let shared = self.entry(name_or_arn)?;
        let row = shared.lock();
        Ok((row.record.clone(), row.extra.clone()))
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
    pub async fn put(&self, name_or_arn: &str, data: Bytes) -> Result<String, AwsError> {
        let mut ids = self.append(name_or_arn, vec![data]).await?;
        Ok(ids.pop().unwrap_or_default())
    }

    /// Accepts records into a stream, in order, durably when the twin has a state directory
    /// (see [`crate::journal`]); returns their RecordIds.
    pub async fn append(
        &self,
        name_or_arn: &str,
        data: Vec<Bytes>,
    ) -> Result<Vec<String>, AwsError> {
        let (meta, log) = self.stream(name_or_arn)?;
        let inc = incarnation(&meta);
        let clock = self.clock.clone();
        let ids_at = self.now_ms();
        let mut made: Vec<FirehoseRecord> = data
            .into_iter()
            .map(|data| FirehoseRecord {
                record_id: self.record_id(ids_at),
                arrival_ms: 0,
                data,
            })
            .collect();
        self.store
            .journal()
            .append(move |tx| {
                // Arrival is taken here, in append order, so it never decreases in the log.
                let now = clock.now().timestamp_millis();
                for r in &mut made {
                    r.arrival_ms = now;
                }
                let mut state = log.lock();
                state.in_flight.push_back(now);
                let adding = made.len() as u64;
                let base = state.end() + state.reserved;
                let expiring = state.expiring(now, adding) as u64;
                state.reserved += adding;
                if let Some(tx) = tx {
                    let mut table = tx.open_table(RECORDS)?;
                    for (i, r) in made.iter().enumerate() {
                        let key = (inc.as_str(), base + i as u64);
                        table.insert(key, (r.arrival_ms, r.record_id.as_str(), &r.data[..]))?;
                    }
                    for offset in state.first..state.first + expiring {
                        table.remove((inc.as_str(), offset))?;
                    }
                    let mut logs = tx.open_table(LOGS)?;
                    logs.insert(inc.as_str(), (base + adding, state.delivered))?;
                }
                drop(state);
                let ids: Vec<String> = made.iter().map(|r| r.record_id.clone()).collect();
                let publish: Publish = Box::new(move |committed| {
                    let mut state = log.lock();
                    state.in_flight.pop_front();
                    state.reserved -= adding;
                    if committed {
                        state.records.extend(made);
                        state.trim(now);
                    }
                });
                Ok((ids, publish))
            })
            .await
            .map_err(|e| not_durable(&e))
    }

    /// Records that a stream's records up to `end` reached its S3 destination (durably, so
    /// a restart delivers only what was not).
    async fn mark_delivered(&self, name: &str, end: u64) -> Result<(), AwsError> {
        let (meta, log) = self.stream(name)?;
        let inc = incarnation(&meta);
        self.store
            .journal()
            .append(move |tx| {
                let state = log.lock();
                let delivered = state.delivered.max(end);
                if let Some(tx) = tx {
                    let mut logs = tx.open_table(LOGS)?;
                    logs.insert(inc.as_str(), (state.end() + state.reserved, delivered))?;
                }
                drop(state);
                let publish: Publish = Box::new(move |committed| {
                    if committed {
                        let mut state = log.lock();
                        state.delivered = state.delivered.max(delivered);
                    }
                });
                Ok(((), publish))
            })
            .await
            .map_err(|e| not_durable(&e))
    }

    /// Forgets a deleted stream's records (in the store after every append already made).
    fn forget_records(&self, meta: &StreamMeta) {
        let inc = incarnation(meta);
        self.store.journal().submit(move |tx| {
            let mut table = tx.open_table(RECORDS)?;
            table.retain_in((inc.as_str(), 0)..=(inc.as_str(), u64::MAX), |_, _| false)?;
            tx.open_table(LOGS)?.remove(inc.as_str())?;
            Ok(())
        });
    }

    /// The time up to which every record of the stream that will ever be read is visible
    /// (see [`crate::kinesis::Kinesis::settled_ms`]).
    pub fn settled_ms(&self, name_or_arn: &str, now_ms: i64) -> i64 {
        self.stream(name_or_arn).map_or(now_ms, |(_, log)| {
            log.lock()
                .in_flight
                .front()
                .map_or(now_ms, |&t| t.min(now_ms))
        })
    }

    /// The offset just past the newest record (where a reader starting "now" begins).
    pub fn end_offset(&self, name_or_arn: &str) -> Result<u64, AwsError> {
        Ok(self.stream(name_or_arn)?.1.lock().end())
    }

    /// Up to `max` records from `offset` (clamped to the oldest kept), and the offset after them.
    pub fn read(
        &self,
        name_or_arn: &str,
        offset: u64,
        max: usize,
    ) -> Result<(Vec<FirehoseRecord>, u64), AwsError> {
        let (_, log) = self.stream(name_or_arn)?;
        let log = log.lock();
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
        // They answer once their records are durable.
        Operation::asynch("PutRecord", |s, b| {
            Box::pin(async move { s.put_record(&b).await })
        }),
        Operation::asynch("PutRecordBatch", |s, b| {
            Box::pin(async move { s.put_record_batch(&b).await })
        }),
        Operation::not_implemented("StartDeliveryStreamEncryption"),
        Operation::not_implemented("StopDeliveryStreamEncryption"),
        Operation::not_implemented("TagDeliveryStream"),
        Operation::not_implemented("UntagDeliveryStream"),
        Operation::not_implemented("UpdateDestination"),
    ];
}
