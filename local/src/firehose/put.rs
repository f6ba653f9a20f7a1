//! PutRecord and PutRecordBatch.
//!
//! Limits (Firehose quotas): a record's data is at most 1,000 KiB before base64; a batch holds
//! at most 500 records and 4 MiB. PutRecordBatch reports each record's fate: a `RecordId`, or an
//! `ErrorCode`/`ErrorMessage` pair with `FailedPutCount` counting them, while the call itself
//! succeeds — callers must resend the failed ones, as with the service.

use bytes::Bytes;
use serde_json::json;

use super::model::*;
use super::streams::check_name;
use super::{Firehose, FirehoseError};
use crate::protocol::{AwsError, parse_body, to_body};
use crate::validation::{Constraints, decode_blob};

/// The largest record, in bytes before base64 (1,000 KiB).
pub const MAX_RECORD_BYTES: usize = 1_024_000;
/// Records per PutRecordBatch.
pub const MAX_BATCH_RECORDS: usize = 500;
/// Bytes per PutRecordBatch (4 MiB of record data).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

fn decode(
    c: &mut Constraints,
    path: &str,
    record: &Option<Record>,
) -> Result<Option<Vec<u8>>, AwsError> {
    let Some(r) = c.required(path, record) else {
        return Ok(None);
    };
    let p = format!("{path}.data");
    let Some(d) = c.required(&p, &r.data) else {
        return Ok(None);
    };
    let bytes = decode_blob(&p, d)?;
    c.blob_len(&p, bytes.len(), 0, MAX_RECORD_BYTES);
    Ok(Some(bytes))
}

impl Firehose {
    fn check_direct_put(&self, name: &str) -> Result<(), AwsError> {
        let shared = self.entry(name)?;
        let t = shared.lock().record.stream_type.clone();
        if t != "DirectPut" {
            return Err(FirehoseError::InvalidArgument.with(format!(
                "This operation is not permitted on {t} delivery stream type."
            )));
        }
        Ok(())
    }

    pub(super) async fn put_record(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PutRecordRequest = parse_body(body)?;
        let mut c = Constraints::default();
        check_name(&mut c, "deliveryStreamName", &req.delivery_stream_name);
        let data = decode(&mut c, "record", &req.record)?;
        c.finish()?;
        let name = req.delivery_stream_name.unwrap_or_default();
        self.check_direct_put(&name)?;
        let id = self
            .put(&name, Bytes::from(data.unwrap_or_default()))
            .await?;
        to_body(&json!({ "RecordId": id, "Encrypted": false }))
    }

    pub(super) async fn put_record_batch(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PutRecordBatchRequest = parse_body(body)?;
        let mut c = Constraints::default();
        check_name(&mut c, "deliveryStreamName", &req.delivery_stream_name);
        let mut batch = Vec::new();
        if let Some(records) = c.required("records", &req.records) {
            c.list_len("records", records.len(), 1, MAX_BATCH_RECORDS);
            for (i, r) in records.iter().enumerate() {
                let p = format!("records.{}.member", i + 1);
                let rec = Some(r.clone());
                if let Some(d) = decode(&mut c, &p, &rec)? {
                    batch.push(d);
                }
            }
        }
        c.finish()?;
        let total: usize = batch.iter().map(Vec::len).sum();
        if total > MAX_BATCH_BYTES {
            return Err(FirehoseError::InvalidArgument.with(format!(
                    "Records size {total} bytes exceeds the PutRecordBatch limit of {MAX_BATCH_BYTES} bytes (4 MiB); send fewer records per call"
                ),
            ));
        }
        let name = req.delivery_stream_name.unwrap_or_default();
        self.check_direct_put(&name)?;
        let mut failed = 0;
        let mut responses = Vec::with_capacity(batch.len());
        let mut accepted = Vec::with_capacity(batch.len());
        for data in batch {
            if self.take_record_failure() {
                failed += 1;
                responses.push(Some(json!({
                    "ErrorCode": FirehoseError::ServiceUnavailable.name(),
                    "ErrorMessage": "Slow down.",
                })));
                continue;
            }
            responses.push(None);
            accepted.push(Bytes::from(data));
        }
        let mut ids = self.append(&name, accepted).await?.into_iter();
        let responses: Vec<serde_json::Value> = responses
            .into_iter()
            .map(|r| r.unwrap_or_else(|| json!({ "RecordId": ids.next().unwrap_or_default() })))
            .collect();
        to_body(&json!({
            "FailedPutCount": failed,
            "Encrypted": false,
            "RequestResponses": responses,
        }))
    }
}
