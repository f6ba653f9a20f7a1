//! CreateStream, DescribeStream, DescribeStreamSummary, ListStreams, ListShards, DeleteStream.

use std::sync::LazyLock;

use bytes::Bytes;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Value, json};

use super::keys::{hash_range, sequence_number, shard_id, shard_index};
use super::{DEFAULT_RETENTION_HOURS, Kinesis, KinesisError, StreamMeta};
use crate::protocol::{AwsError, parse_body, to_body};
use crate::resources::Insert;
use crate::validation::{Constraints, anchored, decode_blob, encode_blob};

/// StreamName's pattern.
pub const NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";
/// StreamARN's pattern.
pub const ARN_PATTERN: &str = r"arn:aws.*:kinesis:.*:\d{12}:stream/\S+";
static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(NAME_PATTERN));
static ARN: LazyLock<Regex> = LazyLock::new(|| anchored(ARN_PATTERN));
/// Shards per account and region (the default quota in the largest regions).
pub const MAX_SHARDS: usize = 500;
/// Shards of an on-demand stream when it is created (the service starts them with 4).
pub const ON_DEMAND_SHARDS: usize = 4;
/// ListStreams' page size when `Limit` is absent.
pub const DEFAULT_LIST_STREAMS: i64 = 100;
/// ListShards' page size when `MaxResults` is absent.
pub const DEFAULT_LIST_SHARDS: i64 = 1000;
/// DescribeStream's shard page size when `Limit` is absent.
pub const DEFAULT_DESCRIBE_SHARDS: i64 = 100;

/// The stream a request names, by `StreamName` or `StreamARN`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Target {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

impl Target {
    /// Checks the members and returns the name or ARN to look up.
    pub fn check(&self, c: &mut Constraints) -> Option<String> {
        if let Some(n) = &self.stream_name {
            c.len("streamName", n, 1, 128);
            c.pattern("streamName", n, &NAME, NAME_PATTERN);
        }
        if let Some(a) = &self.stream_arn {
            c.len("streamARN", a, 1, 2048);
            c.pattern("streamARN", a, &ARN, ARN_PATTERN);
        }
        self.stream_name.clone().or_else(|| self.stream_arn.clone())
    }
}

fn either(target: Option<String>) -> Result<String, AwsError> {
    target.ok_or_else(|| {
        KinesisError::InvalidArgument.with("Either StreamName or StreamARN must be provided.")
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    stream_name: Option<String>,
    shard_count: Option<i64>,
    stream_mode_details: Option<ModeDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModeDetails {
    stream_mode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeRequest {
    #[serde(flatten)]
    target: Target,
    limit: Option<i64>,
    exclusive_start_shard_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListStreamsRequest {
    limit: Option<i64>,
    exclusive_start_stream_name: Option<String>,
    next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListShardsRequest {
    #[serde(flatten)]
    target: Target,
    next_token: Option<String>,
    exclusive_start_shard_id: Option<String>,
    max_results: Option<i64>,
    shard_filter: Option<ShardFilter>,
    /// Tells streams of the same name apart (one deleted and created again).
    stream_creation_timestamp: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShardFilter {
    #[serde(rename = "Type")]
    kind: Option<String>,
    shard_id: Option<String>,
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn shard_json(m: &StreamMeta, i: usize) -> Value {
    let (start, end) = hash_range(i, m.shards);
    json!({
        "ShardId": shard_id(i),
        "HashKeyRange": {"StartingHashKey": start.to_string(), "EndingHashKey": end.to_string()},
        "SequenceNumberRange": {
            "StartingSequenceNumber": sequence_number(m.create_ms.div_euclid(1000), i, 0)
        },
    })
}

/// The shard index to list after, from an `ExclusiveStartShardId`.
fn after(id: Option<&String>) -> usize {
    id.and_then(|s| shard_index(s)).map_or(0, |i| i + 1)
}

impl Kinesis {
    pub(super) fn create_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: CreateRequest = parse_body(body)?;
        let mut c = Constraints::default();
        if let Some(n) = c.required("streamName", &req.stream_name) {
            c.len("streamName", n, 1, 128);
            c.pattern("streamName", n, &NAME, NAME_PATTERN);
        }
        if let Some(n) = req.shard_count {
            c.range("shardCount", n, 1, i64::from(i32::MAX));
        }
        let mode = req.stream_mode_details.as_ref().map(|d| {
            c.required("streamModeDetails.streamMode", &d.stream_mode)
                .cloned()
        });
        if let Some(Some(m)) = &mode {
            c.one_of(
                "streamModeDetails.streamMode",
                m,
                &["PROVISIONED", "ON_DEMAND"],
            );
        }
        c.finish()?;
        let name = req.stream_name.unwrap_or_default();
        // No mode and no shard count: an on-demand stream (how the service treats it).
        let mode = mode.flatten().unwrap_or_else(|| {
            if req.shard_count.is_some() {
                "PROVISIONED".to_string()
            } else {
                "ON_DEMAND".to_string()
            }
        });
        let shards = match (mode.as_str(), req.shard_count) {
            ("ON_DEMAND", Some(_)) => {
                return Err(KinesisError::InvalidArgument
                    .with("ShardCount must not be specified for an ON_DEMAND stream"));
            }
            ("ON_DEMAND", None) => ON_DEMAND_SHARDS,
            (_, Some(n)) => n as usize,
            (_, None) => {
                return Err(KinesisError::InvalidArgument
                    .with("ShardCount is required for a PROVISIONED stream"));
            }
        };
        let meta = StreamMeta {
            arn: self.arn(&name),
            name: name.clone(),
            shards,
            mode,
            create_ms: self.now_ms(),
            retention_hours: DEFAULT_RETENTION_HOURS,
        };
        self.streams.insert(&name, |existing, others| {
            if existing.is_some() {
                return Err(KinesisError::ResourceInUse.with(format!(
                    "Stream {name} under account {} already exists.",
                    self.config.account_id
                )));
            }
            let used = others.sum(|m| m.shards);
            if used + shards > MAX_SHARDS {
                return Err(KinesisError::LimitExceeded.with(format!(
                    "This request would exceed the shard limit for the account {} in {}. \
                     Current shard count for the account: {used}. Limit: {MAX_SHARDS}. \
                     Number of additional shards that would have resulted from this request: {shards}.",
                    self.config.account_id, self.config.region
                )));
            }
            let extra = super::new_shards(&meta);
            Ok(Insert::New(meta, extra, ()))
        })?;
        to_body(&json!({}))
    }

    fn meta(&self, target: &str) -> Result<StreamMeta, AwsError> {
        Ok(self.entry(target)?.lock().record.clone())
    }

    pub(super) fn describe_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DescribeRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        if let Some(l) = req.limit {
            c.range("limit", l, 1, 10_000);
        }
        c.finish()?;
        let m = self.meta(&either(target)?)?;
        let limit = req.limit.unwrap_or(DEFAULT_DESCRIBE_SHARDS) as usize;
        let from = after(req.exclusive_start_shard_id.as_ref());
        let shards: Vec<Value> = (from..m.shards)
            .take(limit)
            .map(|i| shard_json(&m, i))
            .collect();
        let more = from + shards.len() < m.shards;
        to_body(&json!({ "StreamDescription": {
            "StreamName": m.name,
            "StreamARN": m.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": m.mode},
            "Shards": shards,
            "HasMoreShards": more,
            "RetentionPeriodHours": m.retention_hours,
            "StreamCreationTimestamp": seconds(m.create_ms),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "NONE",
        }}))
    }

    pub(super) fn describe_stream_summary(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: Target = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.check(&mut c);
        c.finish()?;
        let m = self.meta(&either(target)?)?;
        to_body(&json!({ "StreamDescriptionSummary": {
            "StreamName": m.name,
            "StreamARN": m.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": m.mode},
            "RetentionPeriodHours": m.retention_hours,
            "StreamCreationTimestamp": seconds(m.create_ms),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "NONE",
            "OpenShardCount": m.shards,
            "ConsumerCount": 0,
        }}))
    }

    pub(super) fn list_streams(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListStreamsRequest = parse_body(body)?;
        let mut c = Constraints::default();
        if let Some(l) = req.limit {
            c.range("limit", l, 1, 10_000);
        }
        if let Some(s) = &req.exclusive_start_stream_name {
            c.len("exclusiveStartStreamName", s, 1, 128);
        }
        c.finish()?;
        let start = match &req.next_token {
            Some(t) => Some(
                decode_blob("NextToken", t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| KinesisError::InvalidArgument.with("Invalid NextToken."))?,
            ),
            None => req.exclusive_start_stream_name.clone(),
        };
        let limit = req.limit.unwrap_or(DEFAULT_LIST_STREAMS) as usize;
        let mut records = self.streams.records();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        let mut rest = records
            .into_iter()
            .filter(|m| start.as_ref().is_none_or(|s| m.name.as_str() > s.as_str()));
        let page: Vec<StreamMeta> = rest.by_ref().take(limit).collect();
        let more = rest.next().is_some();
        let mut out = json!({
            "StreamNames": page.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
            "HasMoreStreams": more,
            "StreamSummaries": page.iter().map(|m| json!({
                "StreamName": m.name,
                "StreamARN": m.arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": m.mode},
                "StreamCreationTimestamp": seconds(m.create_ms),
            })).collect::<Vec<_>>(),
        });
        if more && let Some(last) = page.last() {
            out["NextToken"] = json!(encode_blob(last.name.as_bytes()));
        }
        to_body(&out)
    }

    pub(super) fn list_shards(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListShardsRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        if let Some(m) = req.max_results {
            c.range("maxResults", m, 1, 10_000);
        }
        c.finish()?;
        let (target, from) = match &req.next_token {
            Some(_) if target.is_some() => {
                return Err(KinesisError::InvalidArgument
                    .with("NextToken and StreamName cannot be provided together."));
            }
            Some(t) => {
                let text = decode_blob("NextToken", t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default();
                let (stream, from) = text
                    .rsplit_once('|')
                    .ok_or_else(|| KinesisError::InvalidArgument.with("Invalid NextToken."))?;
                (
                    stream.to_string(),
                    from.parse::<usize>()
                        .map_err(|_| KinesisError::InvalidArgument.with("Invalid NextToken."))?,
                )
            }
            None => {
                let mut from = after(req.exclusive_start_shard_id.as_ref());
                if let Some(f) = &req.shard_filter
                    && f.kind.as_deref() == Some("AFTER_SHARD_ID")
                {
                    from = from.max(after(f.shard_id.as_ref()));
                }
                (either(target)?, from)
            }
        };
        let m = self.meta(&target)?;
        if let Some(t) = req.stream_creation_timestamp
            && !crate::protocol::same_timestamp(t, m.create_ms)
        {
            return Err(KinesisError::ResourceNotFound.with(format!(
                "Stream {} under account {} with creation time {t} not found (it was created at {}).",
                m.name,
                self.config.account_id,
                seconds(m.create_ms)
            )));
        }
        let max = req.max_results.unwrap_or(DEFAULT_LIST_SHARDS) as usize;
        let shards: Vec<Value> = (from..m.shards)
            .take(max)
            .map(|i| shard_json(&m, i))
            .collect();
        let next = from + shards.len();
        let mut out = json!({ "Shards": shards });
        if next < m.shards {
            out["NextToken"] = json!(encode_blob(format!("{}|{next}", m.name).as_bytes()));
        }
        to_body(&out)
    }

    pub(super) fn delete_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: Target = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.check(&mut c);
        c.finish()?;
        let target = either(target)?;
        let name = self.meta(&target)?.name;
        if let Some(meta) = self.streams.remove(&name, |_| Ok(()))? {
            self.forget_records(&meta);
        }
        to_body(&json!({}))
    }

    pub(super) fn increase_retention(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.change_retention(body, true)
    }

    pub(super) fn decrease_retention(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.change_retention(body, false)
    }

    /// Increase/DecreaseStreamRetentionPeriod: between 24 hours and 8,760 (365 days), in the
    /// direction the operation names; the same value is accepted and changes nothing (as
    /// the service does: Terraform relies on it). Records are trimmed by the new period on
    /// the next write.
    fn change_retention(&self, body: &[u8], increase: bool) -> Result<Bytes, AwsError> {
        let req: RetentionRequest = parse_body(body)?;
        let mut c = Constraints::default();
        let target = req.target.check(&mut c);
        let hours = c
            .required("retentionPeriodHours", &req.retention_period_hours)
            .copied();
        c.finish()?;
        let target = either(target)?;
        let hours = hours.unwrap_or_default();
        let name = self.meta(&target)?.name;
        self.streams.mutate(&name, |meta, _, _| {
            let current = meta.retention_hours;
            if increase && hours > MAX_RETENTION_HOURS {
                return Err(KinesisError::InvalidArgument.with(format!(
                    "Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too long."
                )));
            }
            if !increase && hours < DEFAULT_RETENTION_HOURS {
                return Err(KinesisError::InvalidArgument.with(format!(
                    "Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too short."
                )));
            }
            if increase && hours < current {
                return Err(KinesisError::InvalidArgument.with(format!(
                    "Requested retention period ({hours} hours) for stream {name} can not be shorter than existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
                )));
            }
            if !increase && hours > current {
                return Err(KinesisError::InvalidArgument.with(format!(
                    "Requested retention period ({hours} hours) for stream {name} can not be longer than existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
                )));
            }
            meta.retention_hours = hours;
            Ok(())
        })?;
        to_body(&json!({}))
    }
}

/// The longest retention (365 days).
pub const MAX_RETENTION_HOURS: i64 = 8_760;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetentionRequest {
    #[serde(flatten)]
    target: Target,
    retention_period_hours: Option<i64>,
}
