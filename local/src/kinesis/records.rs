//! PutRecord, PutRecords, GetShardIterator, GetRecords.
//!
//! Limits (Kinesis quotas): a record's data at most 1 MiB, PutRecords at most 500 records and
//! 5 MiB, GetRecords at most 10,000 records and 10 MiB per call; shard iterators expire five
//! minutes after they are issued. PutRecords reports each record's fate (`SequenceNumber` and
//! `ShardId`, or `ErrorCode` and `ErrorMessage`) with `FailedRecordCount`.

use std::sync::LazyLock;

use bytes::Bytes;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::keys::{self, Iterator, parse_sequence_number, shard_id};
use super::streams::Target;
use super::{Kinesis, KinesisError};
use crate::protocol::{AwsError, parse_body, to_body};
use crate::validation::{Constraints, anchored, decode_blob, encode_blob};

/// The largest record, in bytes of data.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// Records per PutRecords.
pub const MAX_PUT_RECORDS: usize = 500;
/// Bytes per PutRecords (data and partition keys).
pub const MAX_PUT_BYTES: usize = 5 * 1024 * 1024;
/// Records per GetRecords when `Limit` is absent (and at most).
pub const MAX_GET_RECORDS: i64 = 10_000;
/// Bytes per GetRecords.
pub const MAX_GET_BYTES: usize = 10 * 1024 * 1024;
/// How long a shard iterator stays valid.
pub const ITERATOR_TTL_MS: i64 = 300_000;
/// ShardIteratorType's values.
pub const ITERATOR_TYPES: [&str; 5] = [
    "AT_SEQUENCE_NUMBER",
    "AFTER_SEQUENCE_NUMBER",
    "TRIM_HORIZON",
    "LATEST",
    "AT_TIMESTAMP",
];

const HASH_KEY_PATTERN: &str = r"0|([1-9]\d{0,38})";
const SEQUENCE_PATTERN: &str = r"0|([1-9]\d{0,128})";
const SHARD_ID_PATTERN: &str = "[a-zA-Z0-9_.-]+";
static HASH_KEY: LazyLock<Regex> = LazyLock::new(|| anchored(HASH_KEY_PATTERN));
static SEQUENCE: LazyLock<Regex> = LazyLock::new(|| anchored(SEQUENCE_PATTERN));
static SHARD_ID: LazyLock<Regex> = LazyLock::new(|| anchored(SHARD_ID_PATTERN));

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    data: Option<String>,
    partition_key: Option<String>,
    explicit_hash_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordRequest {
    #[serde(flatten)]
    target: Target,
    #[serde(flatten)]
    entry: Entry,
    sequence_number_for_ordering: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordsRequest {
    #[serde(flatten)]
    target: Target,
    records: Option<Vec<Entry>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetShardIteratorRequest {
    #[serde(flatten)]
    target: Target,
    shard_id: Option<String>,
    shard_iterator_type: Option<String>,
    starting_sequence_number: Option<String>,
    timestamp: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetRecordsRequest {
    shard_iterator: Option<String>,
    limit: Option<i64>,
}

/// A checked record: data, partition key, explicit hash key.
type Checked = (Vec<u8>, String, Option<u128>);

fn check_entry(c: &mut Constraints, base: &str, e: &Entry) -> Result<Option<Checked>, AwsError> {
    let p = format!("{base}data");
    let data = match c.required(&p, &e.data) {
        Some(d) => {
            let bytes = decode_blob(&p, d)?;
            c.blob_len(&p, bytes.len(), 0, MAX_RECORD_BYTES);
            Some(bytes)
        }
        None => None,
    };
    let p = format!("{base}partitionKey");
    if let Some(k) = c.required(&p, &e.partition_key) {
        c.len(&p, k, 1, 256);
    }
    let mut hash = None;
    if let Some(h) = &e.explicit_hash_key {
        let p = format!("{base}explicitHashKey");
        c.pattern(&p, h, &HASH_KEY, HASH_KEY_PATTERN);
        if HASH_KEY.is_match(h) {
            hash = Some(h.parse::<u128>().map_err(|_| {
                KinesisError::InvalidArgument.with(format!("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {h}"),
                )
            })?);
        }
    }
    Ok(data.zip(e.partition_key.clone()).map(|(d, k)| (d, k, hash)))
}

fn either(target: Option<String>) -> Result<String, AwsError> {
    target.ok_or_else(|| {
        KinesisError::InvalidArgument.with("Either StreamName or StreamARN must be provided.")
    })
}

impl Kinesis {
    pub(super) async fn put_record(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PutRecordRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        let checked = check_entry(&mut c, "", &req.entry)?;
        if let Some(s) = &req.sequence_number_for_ordering {
            c.pattern("sequenceNumberForOrdering", s, &SEQUENCE, SEQUENCE_PATTERN);
        }
        c.finish()?;
        let target = either(target)?;
        let (data, key, hash) = checked.unwrap_or_default();
        let (shard, seq) = self.put(&target, &key, hash, Bytes::from(data)).await?;
        to_body(&json!({ "ShardId": shard, "SequenceNumber": seq, "EncryptionType": "NONE" }))
    }

    pub(super) async fn put_records(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PutRecordsRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        let mut batch = Vec::new();
        if let Some(records) = c.required("records", &req.records) {
            c.list_len("records", records.len(), 1, MAX_PUT_RECORDS);
            for (i, e) in records.iter().enumerate() {
                if let Some(r) = check_entry(&mut c, &format!("records.{}.member.", i + 1), e)? {
                    batch.push(r);
                }
            }
        }
        c.finish()?;
        let target = either(target)?;
        let total: usize = batch.iter().map(|(d, k, _)| d.len() + k.len()).sum();
        if total > MAX_PUT_BYTES {
            return Err(KinesisError::InvalidArgument.with(format!(
                    "Records size {total} bytes exceeds the PutRecords limit of {MAX_PUT_BYTES} bytes (5 MiB)"
                ),
            ));
        }
        let (name, shards) = {
            let shared = self.entry(&target)?;
            let row = shared.lock();
            (row.record.name.clone(), row.record.shards)
        };
        let mut failed = 0;
        let mut out = Vec::with_capacity(batch.len());
        let mut accepted = Vec::with_capacity(batch.len());
        for (data, key, hash) in batch {
            if self.take_record_failure() {
                failed += 1;
                let shard = shard_id(keys::shard_for(
                    hash.unwrap_or_else(|| keys::hash_key(&key)),
                    shards,
                ));
                out.push(Some(json!({
                    "ErrorCode": KinesisError::ProvisionedThroughputExceeded.name(),
                    "ErrorMessage": format!(
                        "Rate exceeded for shard {shard} in stream {name} under account {}.",
                        self.config.account_id
                    ),
                })));
                continue;
            }
            out.push(None);
            accepted.push((Bytes::from(data), key, hash));
        }
        let mut placed = self.append(&name, accepted).await?.into_iter();
        let out: Vec<Value> = out
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    let (shard, seq) = placed.next().unwrap_or_default();
                    json!({ "SequenceNumber": seq, "ShardId": shard_id(shard) })
                })
            })
            .collect();
        to_body(&json!({ "FailedRecordCount": failed, "Records": out, "EncryptionType": "NONE" }))
    }

    pub(super) fn get_shard_iterator(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: GetShardIteratorRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        if let Some(s) = c.required("shardId", &req.shard_id) {
            c.len("shardId", s, 1, 128);
            c.pattern("shardId", s, &SHARD_ID, SHARD_ID_PATTERN);
        }
        if let Some(t) = c.required("shardIteratorType", &req.shard_iterator_type) {
            c.one_of("shardIteratorType", t, &ITERATOR_TYPES);
        }
        if let Some(s) = &req.starting_sequence_number {
            c.pattern("startingSequenceNumber", s, &SEQUENCE, SEQUENCE_PATTERN);
        }
        c.finish()?;
        let target = either(target)?;
        let (meta, shards) = self.stream(&target)?;
        let set = shards.lock();
        let shards = &set.shards;
        let name = meta.name.clone();
        let sid = req.shard_id.unwrap_or_default();
        let shard = keys::shard_index(&sid)
            .filter(|&i| i < shards.len())
            .ok_or_else(|| {
                KinesisError::ResourceNotFound.with(format!(
                    "Shard {sid} in stream {name} under account {} does not exist",
                    self.config.account_id
                ))
            })?;
        let s = &shards[shard];
        let kind = req.shard_iterator_type.unwrap_or_default();
        let position = match kind.as_str() {
            "TRIM_HORIZON" => s.first,
            "LATEST" => s.end(),
            "AT_TIMESTAMP" => {
                let ts = req.timestamp.ok_or_else(|| {
                    KinesisError::InvalidArgument.with("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
                    )
                })?;
                let ts_ms = (ts * 1000.0).round() as i64;
                s.records
                    .iter()
                    .position(|r| r.arrival_ms >= ts_ms)
                    .map_or(s.end(), |i| s.first + i as u64)
            }
            _ => {
                let seq = req.starting_sequence_number.clone().ok_or_else(|| {
                    KinesisError::InvalidArgument.with(format!(
                        "StartingSequenceNumber is required for a {kind} iterator"
                    ))
                })?;
                let invalid = || {
                    KinesisError::InvalidArgument.with(format!(
                            "StartingSequenceNumber {seq} used in GetShardIterator on shard {sid} in stream {name} under account {} is invalid because it did not come from this stream.",
                            self.config.account_id
                        ),
                    )
                };
                let (created_s, seq_shard, pos) =
                    parse_sequence_number(&seq).ok_or_else(invalid)?;
                if created_s != meta.create_ms.div_euclid(1000) || pos > s.end() {
                    return Err(invalid());
                }
                if seq_shard != shard {
                    return Err(KinesisError::InvalidArgument.with(format!(
                            "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {sid}",
                            shard_id(seq_shard)
                        ),
                    ));
                }
                if kind == "AFTER_SEQUENCE_NUMBER" {
                    pos + 1
                } else {
                    pos
                }
            }
        };
        let it = Iterator {
            stream: name,
            created_ms: meta.create_ms,
            shard,
            position,
            issued_ms: self.now_ms(),
        };
        to_body(&json!({ "ShardIterator": it.encode() }))
    }

    pub(super) fn get_records(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: GetRecordsRequest = parse_body(body)?;
        let mut c = Constraints::default();
        if let Some(s) = c.required("shardIterator", &req.shard_iterator) {
            c.len("shardIterator", s, 1, 512);
        }
        if let Some(l) = req.limit {
            c.range("limit", l, 1, MAX_GET_RECORDS);
        }
        c.finish()?;
        let text = req.shard_iterator.unwrap_or_default();
        let it = Iterator::decode(&text)
            .ok_or_else(|| KinesisError::InvalidArgument.with("Invalid ShardIterator."))?;
        let now = self.now_ms();
        if now - it.issued_ms > ITERATOR_TTL_MS {
            return Err(KinesisError::ExpiredIterator.with(format!(
                    "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {ITERATOR_TTL_MS} milliseconds.",
                    it.issued_ms, now
                ),
            ));
        }
        let (meta, shards) = self.stream(&it.stream)?;
        let set = shards.lock();
        let shards = &set.shards;
        if meta.create_ms != it.created_ms || it.shard >= shards.len() {
            return Err(self.not_found(&it.stream));
        }
        let s = &shards[it.shard];
        let limit = req.limit.unwrap_or(MAX_GET_RECORDS) as usize;
        let (records, next) = s.read(it.position, limit, MAX_GET_BYTES);
        let behind = if next < s.end() {
            s.records
                .get((next - s.first) as usize)
                .map_or(0, |r| (now - r.arrival_ms).max(0))
        } else {
            0
        };
        drop(set);
        let next_it = Iterator {
            position: next,
            issued_ms: now,
            ..it
        };
        // Serialised straight from the records (up to 10 MB a call): no JSON tree in between.
        to_body(&GetRecordsOutput {
            records: records.iter().map(WireRecord::from).collect(),
            next_shard_iterator: next_it.encode(),
            millis_behind_latest: behind,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetRecordsOutput<'a> {
    records: Vec<WireRecord<'a>>,
    next_shard_iterator: String,
    millis_behind_latest: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireRecord<'a> {
    sequence_number: &'a str,
    approximate_arrival_timestamp: f64,
    #[serde(serialize_with = "base64_blob")]
    data: &'a [u8],
    partition_key: &'a str,
}

impl<'a> From<&'a super::KinesisRecord> for WireRecord<'a> {
    fn from(r: &'a super::KinesisRecord) -> Self {
        Self {
            sequence_number: &r.sequence_number,
            approximate_arrival_timestamp: r.arrival_ms as f64 / 1000.0,
            data: &r.data,
            partition_key: &r.partition_key,
        }
    }
}

fn base64_blob<S: serde::Serializer>(data: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&encode_blob(data))
}
