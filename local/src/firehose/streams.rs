//! CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams, DeleteDeliveryStream.

use std::sync::LazyLock;

use bytes::Bytes;
use regex::Regex;
use serde_json::{Value, json};

use super::model::*;
use super::{Firehose, FirehoseError, StreamMeta};
use crate::protocol::{AwsError, parse_body, to_body};
use crate::resources::Insert;
use crate::validation::{Constraints, anchored};

/// DeliveryStreamName's pattern.
pub const NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";
static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(NAME_PATTERN));
/// DeliveryStreamType's values.
pub const STREAM_TYPES: [&str; 4] = [
    "DirectPut",
    "KinesisStreamAsSource",
    "MSKAsSource",
    "DatabaseAsSource",
];
/// Delivery streams per account and region (the service's default quota).
pub const MAX_DELIVERY_STREAMS: usize = 5000;
/// ListDeliveryStreams' page size when `Limit` is absent.
pub const DEFAULT_LIST_LIMIT: i64 = 10;
/// The only destination a twin stream has.
const DESTINATION_ID: &str = "destinationId-000000000001";

pub(super) fn check_name(c: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(v) = c.required(path, value) {
        c.len(path, v, 1, 64);
        c.pattern(path, v, &NAME, NAME_PATTERN);
    }
}

/// `XDestinationConfiguration` -> `XDestinationDescription`, with the members the service fills
/// in when they are left out (S3 buffering 5 MiB / 300 s, no compression, no encryption).
fn describe_destination(key: &str, config: &Value) -> (String, Value) {
    let name = key.replace("DestinationConfiguration", "DestinationDescription");
    let mut d = config.clone();
    if matches!(
        key,
        "S3DestinationConfiguration" | "ExtendedS3DestinationConfiguration"
    ) && let Some(o) = d.as_object_mut()
    {
        o.entry("BufferingHints")
            .or_insert(json!({"SizeInMBs": 5, "IntervalInSeconds": 300}));
        o.entry("CompressionFormat")
            .or_insert(json!("UNCOMPRESSED"));
        o.entry("EncryptionConfiguration")
            .or_insert(json!({"NoEncryptionConfig": "NoEncryption"}));
    }
    (name, d)
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

impl Firehose {
    pub(super) fn create_delivery_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: CreateRequest = parse_body(body)?;
        let mut c = Constraints::default();
        check_name(&mut c, "deliveryStreamName", &req.delivery_stream_name);
        if let Some(t) = &req.delivery_stream_type {
            c.one_of("deliveryStreamType", t, &STREAM_TYPES);
        }
        if let Some(tags) = &req.tags {
            c.list_len("tags", tags.len(), 1, 50);
            for (i, t) in tags.iter().enumerate() {
                let p = format!("tags.{}.member.key", i + 1);
                if let Some(k) = c.required(&p, &t.key) {
                    c.len(&p, k, 1, 128);
                }
                if let Some(v) = &t.value {
                    c.len(&format!("tags.{}.member.value", i + 1), v, 0, 256);
                }
            }
        }
        c.finish()?;
        let name = req.delivery_stream_name.clone().unwrap_or_default();
        let stream_type = req
            .delivery_stream_type
            .clone()
            .unwrap_or_else(|| "DirectPut".to_string());
        if stream_type == "KinesisStreamAsSource"
            && req.kinesis_stream_source_configuration.is_none()
        {
            return Err(FirehoseError::InvalidArgument.with("KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource",
            ));
        }
        if stream_type != "KinesisStreamAsSource"
            && req.kinesis_stream_source_configuration.is_some()
        {
            return Err(FirehoseError::InvalidArgument.with("KinesisStreamSourceConfiguration is only valid when DeliveryStreamType is KinesisStreamAsSource",
            ));
        }
        let destinations: Vec<(&String, &Value)> = req
            .rest
            .iter()
            .filter(|(k, v)| k.ends_with("DestinationConfiguration") && !v.is_null())
            .collect();
        let [(key, value)] = destinations.as_slice() else {
            return Err(FirehoseError::InvalidArgument.with(format!(
                    "Exactly one destination configuration must be given (for example ExtendedS3DestinationConfiguration); {} given",
                    destinations.len()
                ),
            ));
        };
        let meta = StreamMeta {
            arn: self.arn(&name),
            name: name.clone(),
            stream_type,
            create_ms: self.now_ms(),
            source: req.kinesis_stream_source_configuration.clone(),
            destination: ((*key).clone(), (*value).clone()),
            tags: req
                .tags
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.key.unwrap_or_default(), t.value))
                .collect(),
        };
        let arn = meta.arn.clone();
        self.streams.insert(&name, |existing, others| {
            if existing.is_some() {
                return Err(FirehoseError::ResourceInUse.with(format!(
                    "Firehose {name} under accountId {} already exists",
                    self.config.account_id
                )));
            }
            if others.count() >= MAX_DELIVERY_STREAMS {
                return Err(FirehoseError::LimitExceeded.with(format!(
                    "You have already consumed your firehose quota of {MAX_DELIVERY_STREAMS} hoses. Firehose names: {name}"
                )));
            }
            Ok(Insert::New(meta, Default::default(), ()))
        })?;
        to_body(&json!({ "DeliveryStreamARN": arn }))
    }

    pub(super) fn describe_delivery_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DescribeRequest = parse_body(body)?;
        let mut c = Constraints::default();
        check_name(&mut c, "deliveryStreamName", &req.delivery_stream_name);
        if let Some(l) = req.limit {
            c.range("limit", l, 1, 10_000);
        }
        c.finish()?;
        let name = req.delivery_stream_name.unwrap_or_default();
        let shared = self.entry(&name)?;
        let m = shared.lock().record.clone();
        let (dkey, dvalue) = describe_destination(&m.destination.0, &m.destination.1);
        let mut destination = serde_json::Map::new();
        destination.insert("DestinationId".into(), json!(DESTINATION_ID));
        destination.insert(dkey, dvalue);
        // The only destination is listed unless the caller pages past it.
        let destinations = match req.exclusive_start_destination_id.as_deref() {
            Some(id) if id >= DESTINATION_ID => vec![],
            _ => vec![Value::Object(destination)],
        };
        let mut d = json!({
            "DeliveryStreamName": m.name,
            "DeliveryStreamARN": m.arn,
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
            "DeliveryStreamType": m.stream_type,
            "VersionId": "1",
            "CreateTimestamp": seconds(m.create_ms),
            "Destinations": destinations,
            "HasMoreDestinations": false,
        });
        if let Some(src) = &m.source {
            let mut s = src.clone();
            if let Some(o) = s.as_object_mut() {
                o.insert("DeliveryStartTimestamp".into(), json!(seconds(m.create_ms)));
            }
            d["Source"] = json!({ "KinesisStreamSourceDescription": s });
        }
        to_body(&json!({ "DeliveryStreamDescription": d }))
    }

    pub(super) fn list_delivery_streams(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListRequest = parse_body(body)?;
        let mut c = Constraints::default();
        if let Some(l) = req.limit {
            c.range("limit", l, 1, 10_000);
        }
        if let Some(t) = &req.delivery_stream_type {
            c.one_of("deliveryStreamType", t, &STREAM_TYPES);
        }
        if let Some(s) = &req.exclusive_start_delivery_stream_name {
            c.len("exclusiveStartDeliveryStreamName", s, 1, 64);
        }
        c.finish()?;
        let limit = req.limit.unwrap_or(DEFAULT_LIST_LIMIT) as usize;
        let mut records = self.streams.records();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        let mut matching = records.iter().filter(|m| {
            req.exclusive_start_delivery_stream_name
                .as_ref()
                .is_none_or(|s| m.name.as_str() > s.as_str())
                && req
                    .delivery_stream_type
                    .as_ref()
                    .is_none_or(|t| m.stream_type == *t)
        });
        let names: Vec<String> = matching
            .by_ref()
            .take(limit)
            .map(|m| m.name.clone())
            .collect();
        let more = matching.next().is_some();
        to_body(&json!({ "DeliveryStreamNames": names, "HasMoreDeliveryStreams": more }))
    }

    pub(super) fn delete_delivery_stream(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DeleteRequest = parse_body(body)?;
        let mut c = Constraints::default();
        check_name(&mut c, "deliveryStreamName", &req.delivery_stream_name);
        c.finish()?;
        let name = req.delivery_stream_name.unwrap_or_default();
        match self.streams.remove(&name, |_| Ok(()))? {
            Some(meta) => self.forget_records(&meta),
            None => return Err(self.not_found(&name)),
        }
        to_body(&json!({}))
    }
}
