//! Amazon Kinesis Data Streams (`Kinesis_20131202`, awsJson1_1): the streams Kinesis Analytics
//! applications read from and write to, readable with GetRecords.
//!
//! Layout: [`keys`] (shard ids, hash ranges, sequence numbers, iterators), `streams`
//! (Create/Describe/DescribeSummary/List/ListShards/Delete), `records` (PutRecord, PutRecords,
//! GetShardIterator, GetRecords, Increase/DecreaseStreamRetentionPeriod). Stream metadata is
//! persisted with the [`Store`]; with a state directory every record is on disk (through the
//! store's [`crate::journal`], group-committed) before PutRecord(s) answers, and is loaded
//! again at start, with its sequence number, for the stream's retention period. The records
//! within retention are also kept in memory, where GetRecords reads them.

pub mod error;
pub mod keys;
mod records;
mod streams;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::Mutex;
use redb::{ReadableTable as _, TableDefinition};
use serde::{Deserialize, Serialize};

pub use self::error::KinesisError;
use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::journal::Publish;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{ArnScheme, Record, Shared, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;
use crate::store::open_table;

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
    /// Its place in the stream's append order, across shards (what readers of every shard
    /// merge by, so a replay reads the records in the order they were first read).
    pub order: u64,
}

#[derive(Debug, Default)]
struct Shard {
    first: u64,
    records: VecDeque<KinesisRecord>,
    /// Positions handed out to appends not yet durable (see [`crate::journal`]).
    reserved: u64,
    /// The segments on disk holding the records: (first position, records).
    segments: VecDeque<(u64, u64)>,
}

impl Shard {
    /// The segments wholly below `first` once `expired` records go.
    fn segments_expiring(&self, expired: usize) -> impl Iterator<Item = u64> + '_ {
        let first = self.first + expired as u64;
        self.segments
            .iter()
            .take_while(move |(start, n)| start + n <= first)
            .map(|(start, _)| *start)
    }

    fn end(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    /// How many of the oldest records arrived before `horizon_ms`.
    fn expired(&self, horizon_ms: i64) -> usize {
        self.records
            .iter()
            .take_while(|r| r.arrival_ms < horizon_ms)
            .count()
    }

    fn trim(&mut self, horizon_ms: i64) {
        let n = self.expired(horizon_ms);
        self.records.drain(..n);
        self.first += n as u64;
        while self
            .segments
            .front()
            .is_some_and(|(s, c)| s + c <= self.first)
        {
            self.segments.pop_front();
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

/// A stream's shards and what orders its records across them.
#[derive(Debug, Default)]
struct ShardSet {
    shards: Vec<Shard>,
    /// The next record's place in the append order.
    next_order: u64,
    /// Arrival times of appends not yet visible, oldest first.
    in_flight: VecDeque<i64>,
}

/// A stream's shards, under their own lock apart from the stream's row (the journal's writer
/// locks only these; see [`crate::journal`]).
type Shards = Arc<Mutex<ShardSet>>;

/// A segment's key on disk: (stream incarnation, shard, position of its first record).
type SegmentKey = (&'static str, u64, u64);
/// Records on disk, in segments: the records one append added to one shard, consecutive, as
/// one value ([`encode_segment`]), so that a PutRecords of 500 records costs a few inserts,
/// not 500.
const RECORDS: TableDefinition<SegmentKey, &[u8]> = TableDefinition::new("kinesis.segments");

/// A segment's bytes: per record, arrival ms (i64), append order (u64), the partition key's
/// length (u16) and bytes, the data's length (u32) and bytes; little-endian.
fn encode_segment<'a>(records: impl Iterator<Item = &'a KinesisRecord>) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(&r.arrival_ms.to_le_bytes());
        out.extend_from_slice(&r.order.to_le_bytes());
        out.extend_from_slice(&(r.partition_key.len() as u16).to_le_bytes());
        out.extend_from_slice(r.partition_key.as_bytes());
        out.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&r.data);
    }
    out
}

/// A segment's records as (arrival ms, order, partition key, data); `None` when the bytes
/// are not a segment.
fn decode_segment(mut bytes: &[u8]) -> Option<Vec<(i64, u64, String, Bytes)>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
        *bytes = rest;
        Some(head)
    }
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let arrival = i64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?);
        let order = u64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?);
        let key_len = u16::from_le_bytes(take(&mut bytes, 2)?.try_into().ok()?) as usize;
        let key = String::from_utf8(take(&mut bytes, key_len)?.to_vec()).ok()?;
        let data_len = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?) as usize;
        let data = Bytes::copy_from_slice(take(&mut bytes, data_len)?);
        out.push((arrival, order, key, data));
    }
    Some(out)
}
/// Each shard's next position, so sequence numbers keep rising after every record expired.
const ENDS: TableDefinition<(&str, u64), u64> = TableDefinition::new("kinesis.shard-ends");

/// What tells a stream's records apart from those of an earlier stream of the same name.
fn incarnation(meta: &StreamMeta) -> String {
    crate::journal::incarnation(&meta.name, meta.create_ms)
}

/// A stream's shards, empty when it is created (loaded ones are filled from the store).
fn new_shards(meta: &StreamMeta) -> Shards {
    Arc::new(Mutex::new(ShardSet {
        shards: (0..meta.shards).map(|_| Shard::default()).collect(),
        ..ShardSet::default()
    }))
}

/// A record to append: data, partition key, explicit hash key.
pub type NewRecord = (Bytes, String, Option<u128>);

/// The Kinesis Data Streams service of the twin.
#[derive(Debug)]
pub struct Kinesis {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    /// Streams; each row keeps its shards' records beside the stored metadata.
    streams: Table<StreamMeta, Shards>,
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

/// The answer when records could not be made durable.
fn not_durable(e: &LocalError) -> AwsError {
    KinesisError::InternalFailure.with(format!(
        "The records were not stored and were not added to the stream: {e}. Send them again."
    ))
}

impl Kinesis {
    /// The service, with the streams found in `store` and their records within retention.
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
            new_shards,
        )?;
        let k = Self {
            config,
            clock,
            store,
            streams,
            fail_records: AtomicU64::new(0),
        };
        k.load_records()?;
        Ok(k)
    }

    /// Fills the shards from the store: records past retention and records of streams that
    /// are gone are dropped (from the store too).
    fn load_records(&self) -> Result<(), LocalError> {
        let Some(read) = self.store.begin_read()? else {
            return Ok(());
        };
        let now = self.now_ms();
        let live: HashMap<String, (Shards, i64)> = self
            .streams
            .rows()
            .into_iter()
            .map(|(_, shared)| {
                let row = shared.lock();
                let horizon = now - row.record.retention_hours * 3_600_000;
                (incarnation(&row.record), (row.extra.clone(), horizon))
            })
            .collect();
        let mut stale: Vec<(String, u64, u64)> = Vec::new();
        let mut gone: Vec<(String, u64)> = Vec::new();
        if let Some(ends) = open_table(&read, ENDS)? {
            for entry in ends.iter()? {
                let (k, v) = entry?;
                let (inc, shard) = k.value();
                match live.get(inc) {
                    Some((shards, _)) => {
                        if let Some(s) = shards.lock().shards.get_mut(shard as usize) {
                            s.first = v.value();
                        }
                    }
                    None => gone.push((inc.to_string(), shard)),
                }
            }
        }
        if let Some(segments) = open_table(&read, RECORDS)? {
            for entry in segments.iter()? {
                let (k, v) = entry?;
                let (inc, shard, start) = k.value();
                let Some((shards, horizon)) = live.get(inc) else {
                    stale.push((inc.to_string(), shard, start));
                    continue;
                };
                let records = decode_segment(v.value()).ok_or_else(|| {
                    LocalError::Database(format!(
                        "kinesis segment {inc}/{shard}/{start} is unreadable"
                    ))
                })?;
                let mut set = shards.lock();
                let set = &mut *set;
                let Some(s) = set.shards.get_mut(shard as usize) else {
                    stale.push((inc.to_string(), shard, start));
                    continue;
                };
                let count = records.len() as u64;
                for (i, (arrival_ms, order, partition_key, data)) in records.into_iter().enumerate()
                {
                    let position = start + i as u64;
                    set.next_order = set.next_order.max(order + 1);
                    if s.records.is_empty() {
                        s.first = position;
                    }
                    if arrival_ms < *horizon {
                        s.first = position + 1;
                        continue;
                    }
                    s.records.push_back(KinesisRecord {
                        sequence_number: String::new(),
                        arrival_ms,
                        partition_key,
                        data,
                        shard: shard as usize,
                        order,
                    });
                }
                if start + count <= s.first {
                    stale.push((inc.to_string(), shard, start));
                } else {
                    s.segments.push_back((start, count));
                }
            }
        }
        // Sequence numbers are derived from the stream and the position, as when they were
        // answered.
        for (_, shared) in self.streams.rows() {
            let row = shared.lock();
            let created_s = row.record.create_ms.div_euclid(1000);
            for (i, s) in row.extra.lock().shards.iter_mut().enumerate() {
                let first = s.first;
                for (n, r) in s.records.iter_mut().enumerate() {
                    r.sequence_number = keys::sequence_number(created_s, i, first + n as u64);
                }
            }
        }
        if !stale.is_empty() || !gone.is_empty() {
            self.store.journal().submit(move |tx| {
                let mut records = tx.open_table(RECORDS)?;
                for (inc, shard, start) in &stale {
                    records.remove((inc.as_str(), *shard, *start))?;
                }
                let mut ends = tx.open_table(ENDS)?;
                for (inc, shard) in &gone {
                    ends.remove((inc.as_str(), *shard))?;
                }
                Ok(())
            });
        }
        Ok(())
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

    fn entry(&self, name_or_arn: &str) -> Result<Shared<StreamMeta, Shards>, AwsError> {
        Ok(self.streams.resolve(&ARNS, &self.config, name_or_arn)?.1)
    }

    /// The stream's record and its shards.
    fn stream(&self, name_or_arn: &str) -> Result<(StreamMeta, Shards), AwsError> {
        let shared = self.entry(name_or_arn)?;
        let row = shared.lock();
        Ok((row.record.clone(), row.extra.clone()))
    }

    /// The counters of the journal the records are written through (for benchmarks).
    pub fn journal_stats(&self) -> &crate::journal::JournalStats {
        self.store.journal().stats()
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
    pub async fn put(
        &self,
        name_or_arn: &str,
        partition_key: &str,
        explicit_hash_key: Option<u128>,
        data: Bytes,
    ) -> Result<(String, String), AwsError> {
        let record = (data, partition_key.to_string(), explicit_hash_key);
        let mut out = self.append(name_or_arn, vec![record]).await?;
        let (shard, seq) = out.pop().unwrap_or_default();
        Ok((keys::shard_id(shard), seq))
    }

    /// Appends records to their shards, in order, durably when the twin has a state
    /// directory (see [`crate::journal`]): each record's `(shard index, sequence number)`.
    pub async fn append(
        &self,
        name_or_arn: &str,
        records: Vec<NewRecord>,
    ) -> Result<Vec<(usize, String)>, AwsError> {
        let (meta, shards) = self.stream(name_or_arn)?;
        let clock = self.clock.clone();
        let inc = incarnation(&meta);
        let created_s = meta.create_ms.div_euclid(1000);
        let retention_ms = meta.retention_hours * 3_600_000;
        let placed: Vec<(usize, Bytes, String)> = records
            .into_iter()
            .map(|(data, key, hash)| {
                let k = hash.unwrap_or_else(|| keys::hash_key(&key));
                (keys::shard_for(k, meta.shards), data, key)
            })
            .collect();
        self.store
            .journal()
            .append(move |tx| {
                // Arrival is taken here, in append order, so it never decreases in a shard.
                let now = clock.now().timestamp_millis();
                let horizon = now - retention_ms;
                let mut set = shards.lock();
                set.in_flight.push_back(now);
                let first_order = set.next_order;
                set.next_order += placed.len() as u64;
                let state = &mut set.shards;
                let mut made = Vec::with_capacity(placed.len());
                let mut out = Vec::with_capacity(placed.len());
                let mut touched: Vec<usize> = Vec::new();
                for (n, (shard, data, partition_key)) in placed.into_iter().enumerate() {
                    let s = &mut state[shard];
                    let position = s.end() + s.reserved;
                    s.reserved += 1;
                    if !touched.contains(&shard) {
                        touched.push(shard);
                    }
                    let seq = keys::sequence_number(created_s, shard, position);
                    out.push((shard, seq.clone()));
                    let record = KinesisRecord {
                        sequence_number: seq,
                        arrival_ms: now,
                        partition_key,
                        data,
                        shard,
                        order: first_order + n as u64,
                    };
                    made.push((position, record));
                }
                // One segment per shard this append touched.
                let mut segments = Vec::with_capacity(touched.len());
                for &shard in &touched {
                    let mine = made.iter().filter(|(_, r)| r.shard == shard);
                    let start = mine.clone().map(|(p, _)| *p).min().unwrap_or_default();
                    segments.push((shard, start, mine.count() as u64));
                }
                if let Some(tx) = tx {
                    let mut table = tx.open_table(RECORDS)?;
                    for &(shard, start, _) in &segments {
                        let mine = made.iter().filter(|(_, r)| r.shard == shard);
                        let bytes = encode_segment(mine.map(|(_, r)| r));
                        table.insert((inc.as_str(), shard as u64, start), &bytes[..])?;
                    }
                    let mut ends = tx.open_table(ENDS)?;
                    for &shard in &touched {
                        let s = &state[shard];
                        ends.insert((inc.as_str(), shard as u64), s.end() + s.reserved)?;
                        for start in s.segments_expiring(s.expired(horizon)) {
                            table.remove((inc.as_str(), shard as u64, start))?;
                        }
                    }
                }
                drop(set);
                let publish: Publish = Box::new(move |committed| {
                    let mut set = shards.lock();
                    set.in_flight.pop_front();
                    if !committed {
                        // The whole group failed: its orders are free again.
                        set.next_order = set.next_order.min(first_order);
                    }
                    let state = &mut set.shards;
                    for (_, r) in made {
                        let s = &mut state[r.shard];
                        s.reserved -= 1;
                        if committed {
                            s.records.push_back(r);
                        }
                    }
                    if committed {
                        for (shard, start, count) in segments {
                            state[shard].segments.push_back((start, count));
                        }
                        for shard in touched {
                            state[shard].trim(horizon);
                        }
                    }
                });
                Ok((out, publish))
            })
            .await
            .map_err(|e| not_durable(&e))
    }

    /// Forgets a deleted stream's records (in the store after every append already made).
    fn forget_records(&self, meta: &StreamMeta) {
        let inc = incarnation(meta);
        let shards = meta.shards as u64;
        self.store.journal().submit(move |tx| {
            let mut table = tx.open_table(RECORDS)?;
            table.retain_in(
                (inc.as_str(), 0, 0)..=(inc.as_str(), shards, u64::MAX),
                |_, _| false,
            )?;
            let mut ends = tx.open_table(ENDS)?;
            for shard in 0..shards {
                ends.remove((inc.as_str(), shard))?;
            }
            Ok(())
        });
    }

    /// Every shard's end position (where a reader starting "now" begins).
    pub fn end_positions(&self, name_or_arn: &str) -> Result<Vec<u64>, AwsError> {
        let (_, shards) = self.stream(name_or_arn)?;
        Ok(shards.lock().shards.iter().map(Shard::end).collect())
    }

    /// The time up to which every record of the stream that will ever be read is visible:
    /// `now`, or the arrival of the oldest append still being made durable. A reader that
    /// closes windows no later than this never sees a record behind a closed window.
    pub fn settled_ms(&self, name_or_arn: &str, now_ms: i64) -> i64 {
        self.stream(name_or_arn).map_or(now_ms, |(_, shards)| {
            shards
                .lock()
                .in_flight
                .front()
                .map_or(now_ms, |&t| t.min(now_ms))
        })
    }

    /// Reads records across shards from `positions` (one per shard; missing ones start at
    /// the oldest record) in the stream's append order, advancing `positions`: up to `max` per
    /// shard, and never past a record of another shard that this read left behind, so that
    /// however the reads are cut (a live reader's small ones, a replay's large ones) the
    /// records come in the same order.
    pub fn read_all(
        &self,
        name_or_arn: &str,
        positions: &mut Vec<u64>,
        max: usize,
    ) -> Result<Vec<KinesisRecord>, AwsError> {
        let (_, shards) = self.stream(name_or_arn)?;
        let set = shards.lock();
        positions.resize(set.shards.len(), 0);
        let mut out = Vec::new();
        let mut frontier = u64::MAX;
        for (i, s) in set.shards.iter().enumerate() {
            let start = positions[i].max(s.first);
            positions[i] = start;
            let (records, _) = s.read(start, max, usize::MAX);
            if records.len() == max
                && let Some(last) = records.last()
            {
                frontier = frontier.min(last.order);
            }
            out.extend(records);
        }
        drop(set);
        out.retain(|r| r.order <= frontier);
        out.sort_by_key(|r| r.order);
        for r in &out {
            positions[r.shard] += 1;
        }
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
        Operation::sync("DecreaseStreamRetentionPeriod", Self::decrease_retention),
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
        Operation::sync("IncreaseStreamRetentionPeriod", Self::increase_retention),
        Operation::not_implemented("ListChannels"),
        Operation::sync("ListShards", Self::list_shards),
        Operation::not_implemented("ListStreamConsumers"),
        Operation::sync("ListStreams", Self::list_streams),
        Operation::not_implemented("ListTagsForResource"),
        Operation::not_implemented("ListTagsForStream"),
        Operation::not_implemented("MergeShards"),
        // They answer once their records are durable.
        Operation::asynch("PutRecord", |s, b| {
            Box::pin(async move { s.put_record(&b).await })
        }),
        Operation::asynch("PutRecords", |s, b| {
            Box::pin(async move { s.put_records(&b).await })
        }),
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
