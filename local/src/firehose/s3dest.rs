//! Delivery to an S3 destination (`ExtendedS3DestinationConfiguration`, or the older
//! `S3DestinationConfiguration`): records are buffered until the buffering hints say to write —
//! `SizeInMBs` MiB of data or `IntervalInSeconds` since the oldest buffered record, whichever
//! comes first (5 MiB and 300 s by default) — and then written as one object to the bucket,
//! the records' bytes concatenated as they were put, GZIP-compressed when
//! `CompressionFormat` is `GZIP`. The key is the Firehose developer guide's: the `Prefix`, then
//! the UTC time of the oldest record as `YYYY/MM/DD/HH/`, then
//! `<stream>-<version>-<YYYY-MM-DD-HH-MM-SS>-<random>` (`.gz` for GZIP).
//!
//! A delivery that fails (no such bucket) is retried at the next tick, with nothing lost; the
//! tick reports why it failed.

use std::io::Write;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Firehose;
use crate::dataplane::reference::bucket_name;
use crate::s3::S3;
use crate::s3::store::ObjectHeaders;

/// The buffering and naming of one S3 destination.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Target {
    pub bucket: String,
    pub prefix: String,
    pub size_bytes: usize,
    pub interval_ms: i64,
    pub gzip: bool,
}

impl S3Target {
    /// The S3 destination of a stream's destination member, if it is one.
    pub fn of(member: &str, config: &Value) -> Option<Self> {
        if !matches!(
            member,
            "ExtendedS3DestinationConfiguration" | "S3DestinationConfiguration"
        ) {
            return None;
        }
        let bucket = bucket_name(config.get("BucketARN")?.as_str()?)?.to_string();
        let hints = config.get("BufferingHints");
        let hint = |name: &str, default: i64| {
            hints
                .and_then(|h| h.get(name))
                .and_then(Value::as_i64)
                .unwrap_or(default)
        };
        Some(Self {
            bucket,
            prefix: config
                .get("Prefix")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            size_bytes: (hint("SizeInMBs", 5).max(1) as usize) * 1024 * 1024,
            interval_ms: hint("IntervalInSeconds", 300).max(0) * 1000,
            gzip: config.get("CompressionFormat").and_then(Value::as_str) == Some("GZIP"),
        })
    }

    /// The object key for a buffer whose oldest record arrived at `oldest_ms`.
    pub fn key(&self, stream: &str, oldest_ms: i64) -> String {
        let t: DateTime<Utc> = DateTime::from_timestamp_millis(oldest_ms).unwrap_or_default();
        format!(
            "{}{}{}-1-{}-{}{}",
            self.prefix,
            t.format("%Y/%m/%d/%H/"),
            stream,
            t.format("%Y-%m-%d-%H-%M-%S"),
            uuid::Uuid::new_v4(),
            if self.gzip { ".gz" } else { "" }
        )
    }
}

/// One object to write: its key and bytes, and the offset its records end at.
struct Batch {
    stream: String,
    key: String,
    body: Bytes,
    end: u64,
    gzip: bool,
}

impl Firehose {
    /// Writes every buffer that is due to its S3 destination; returns what kept a delivery
    /// from being made (retried at the next call).
    pub async fn deliver_to_s3(&self, s3: &S3) -> Vec<String> {
        let now = self.now_ms();
        let mut batches = Vec::new();
        self.streams.scan(|name, row| {
            let (member, config) = &row.record.destination;
            let Some(target) = S3Target::of(member, config) else {
                return;
            };
            let log = row.extra.lock();
            let start = log.delivered.max(log.first);
            let skip = (start - log.first) as usize;
            let Some(oldest) = log.records.get(skip) else {
                return;
            };
            let pending: usize = log.records.iter().skip(skip).map(|r| r.data.len()).sum();
            if pending < target.size_bytes && now - oldest.arrival_ms < target.interval_ms {
                return;
            }
            // One object of at most the buffer size (a larger single record is one object).
            let mut body = Vec::new();
            let mut end = start;
            for r in log.records.iter().skip(skip) {
                if !body.is_empty() && body.len() + r.data.len() > target.size_bytes {
                    break;
                }
                body.extend_from_slice(&r.data);
                end += 1;
            }
            batches.push((
                target.clone(),
                Batch {
                    stream: name.to_string(),
                    key: target.key(name, oldest.arrival_ms),
                    body: Bytes::from(body),
                    end,
                    gzip: target.gzip,
                },
            ));
        });
        let mut problems = Vec::new();
        for (target, batch) in batches {
            let body = if batch.gzip {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                match enc.write_all(&batch.body).and_then(|()| enc.finish()) {
                    Ok(b) => Bytes::from(b),
                    Err(e) => {
                        problems.push(format!("delivery stream {}: {e}", batch.stream));
                        continue;
                    }
                }
            } else {
                batch.body
            };
            let headers = ObjectHeaders {
                content_encoding: None,
                ..Default::default()
            };
            match s3.put_bytes(&target.bucket, &batch.key, body, headers).await {
                Ok(_) => {
                    if let Err(e) = self.mark_delivered(&batch.stream, batch.end).await {
                        // Delivered again after a restart: S3 sees the object twice.
                        problems.push(format!("delivery stream {}: {}", batch.stream, e.message));
                    }
                }
                Err(e) => problems.push(format!(
                    "delivery stream {} could not deliver to s3://{}/{}: {e}; retried at the next tick",
                    batch.stream, target.bucket, batch.key
                )),
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_read_the_hints_and_name_objects_by_the_oldest_record() {
        let t = S3Target::of(
            "ExtendedS3DestinationConfiguration",
            &json!({"BucketARN": "arn:aws:s3:::lake", "Prefix": "reviews/",
                    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                    "CompressionFormat": "GZIP"}),
        )
        .unwrap();
        assert_eq!(t.bucket, "lake");
        assert_eq!(t.size_bytes, 1024 * 1024);
        assert_eq!(t.interval_ms, 60_000);
        // 2026-01-01T05:06:07Z
        let key = t.key("ds", 1_767_243_967_000);
        assert!(
            key.starts_with("reviews/2026/01/01/05/ds-1-2026-01-01-05-06-07-"),
            "{key}"
        );
        assert!(key.ends_with(".gz"));
        assert!(S3Target::of("HttpEndpointDestinationConfiguration", &json!({})).is_none());
    }
}
