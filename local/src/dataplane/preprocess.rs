//! The input preprocessing contract of Kinesis Analytics (the `InputLambdaProcessor`).
//!
//! The application invokes the function with
//! `{"invocationId", "applicationArn", "streamArn", "records": [{"recordId", "data" (base64),
//! "kinesisFirehoseRecordMetadata": {"approximateArrivalTimestamp"}}]}` (for a Kinesis stream
//! source, `"kinesisStreamRecordMetadata": {"sequenceNumber", "partitionKey", "shardId",
//! "approximateArrivalTimestamp"}` instead), and the function answers
//! `{"records": [{"recordId", "result": "Ok" | "Dropped" | "ProcessingFailed", "data"}]}`.
//! `Ok` records continue with the returned data; `Dropped` ones vanish; `ProcessingFailed`
//! ones — and every record of an invocation that fails, or whose answer lacks the record or is
//! malformed — go to the in-application `error_stream`.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::lambda::Lambda;
use crate::validation::{decode_blob, encode_blob};

/// error_stream's ERROR_NAME for a record the preprocessing function failed.
pub const ERROR_NAME: &str = "Lambda_Processing_Failed";

/// A record read from the input.
#[derive(Debug, Clone)]
pub struct InRecord {
    /// recordId in the event.
    pub id: String,
    /// Arrival on the twin's clock (epoch ms).
    pub arrival_ms: i64,
    /// The data.
    pub data: Bytes,
    /// The source-specific metadata member of the event's record.
    pub metadata: Value,
}

impl InRecord {
    /// A record read from a Kinesis stream, with the metadata the preprocessing event carries
    /// for one (developer guide, "Preprocessing data using a Lambda function").
    pub fn from_kinesis(r: crate::kinesis::KinesisRecord) -> Self {
        InRecord {
            id: r.sequence_number.clone(),
            arrival_ms: r.arrival_ms,
            data: r.data,
            metadata: serde_json::json!({ "kinesisStreamRecordMetadata": {
                "sequenceNumber": r.sequence_number,
                "partitionKey": r.partition_key,
                "shardId": crate::kinesis::keys::shard_id(r.shard),
                "approximateArrivalTimestamp": r.arrival_ms,
            }}),
        }
    }

    /// A record read from a Firehose delivery stream, with its metadata.
    pub fn from_firehose(r: crate::firehose::FirehoseRecord) -> Self {
        InRecord {
            id: r.record_id,
            arrival_ms: r.arrival_ms,
            data: r.data,
            metadata: serde_json::json!({ "kinesisFirehoseRecordMetadata": {
                "approximateArrivalTimestamp": r.arrival_ms
            }}),
        }
    }
}

/// What became of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Goes on with this data.
    Ok(Bytes),
    /// Dropped by the function.
    Dropped,
    /// To error_stream, with this message.
    Failed(String),
}

/// The event for `records`.
pub fn event(app_arn: &str, stream_arn: &str, invocation_id: &str, records: &[InRecord]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut o = json!({ "recordId": r.id, "data": encode_blob(&r.data) });
            if let (Some(o), Some(m)) = (o.as_object_mut(), r.metadata.as_object()) {
                for (k, v) in m {
                    o.insert(k.clone(), v.clone());
                }
            }
            o
        })
        .collect();
    json!({
        "invocationId": invocation_id,
        "applicationArn": app_arn,
        "streamArn": stream_arn,
        "records": records,
    })
}

/// Reads the function's answer: one outcome per record, in the records' order.
pub fn outcomes(response: &Value, records: &[InRecord]) -> Vec<Outcome> {
    let results = response["records"].as_array();
    records
        .iter()
        .map(|r| {
            let Some(result) = results
                .and_then(|list| list.iter().find(|x| x["recordId"].as_str() == Some(&r.id)))
            else {
                return Outcome::Failed(format!(
                    "The preprocessing function's response has no result for record {}",
                    r.id
                ));
            };
            match result["result"].as_str() {
                Some("Ok") => match result["data"].as_str() {
                    Some(d) => match decode_blob("data", d) {
                        Ok(bytes) => Outcome::Ok(Bytes::from(bytes)),
                        Err(e) => Outcome::Failed(format!(
                            "The preprocessing function returned data that is not base64: {}",
                            e.message
                        )),
                    },
                    None => Outcome::Failed(
                        "The preprocessing function returned Ok without data".to_string(),
                    ),
                },
                Some("Dropped") => Outcome::Dropped,
                Some("ProcessingFailed") => Outcome::Failed(
                    "The preprocessing function reported ProcessingFailed".to_string(),
                ),
                other => Outcome::Failed(format!(
                    "The preprocessing function returned result {other:?}; expected Ok, Dropped or ProcessingFailed"
                )),
            }
        })
        .collect()
}

/// Invokes `function` for `records` and reads its answer.
pub async fn invoke(
    lambda: &Lambda,
    function: &str,
    app_arn: &str,
    stream_arn: &str,
    invocation_id: &str,
    records: &[InRecord],
) -> Vec<Outcome> {
    let payload = event(app_arn, stream_arn, invocation_id, records);
    match lambda.invoke(function, payload).await {
        Ok(response) => outcomes(&response, records),
        Err(e) => {
            let why = format!(
                "The preprocessing function {function} failed: {}: {}",
                e.error_type.as_deref().unwrap_or("Unhandled"),
                e.error_message
            );
            records
                .iter()
                .map(|_| Outcome::Failed(why.clone()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, data: &str) -> InRecord {
        InRecord {
            id: id.into(),
            arrival_ms: 5,
            data: Bytes::from(data.to_string()),
            metadata: json!({"kinesisFirehoseRecordMetadata": {"approximateArrivalTimestamp": 5}}),
        }
    }

    #[test]
    fn event_and_outcomes_follow_the_contract() {
        let records = [rec("a", "x"), rec("b", "y"), rec("c", "z"), rec("d", "w")];
        let e = event("app", "stream", "inv", &records);
        assert_eq!(e["records"][0]["data"], "eA==");
        assert_eq!(
            e["records"][0]["kinesisFirehoseRecordMetadata"]["approximateArrivalTimestamp"],
            5
        );
        let response = json!({"records": [
            {"recordId": "a", "result": "Ok", "data": "WFg="},
            {"recordId": "b", "result": "Dropped"},
            {"recordId": "c", "result": "ProcessingFailed"},
        ]});
        let o = outcomes(&response, &records);
        assert_eq!(o[0], Outcome::Ok(Bytes::from_static(b"XX")));
        assert_eq!(o[1], Outcome::Dropped);
        assert!(matches!(o[2], Outcome::Failed(_)));
        assert!(matches!(&o[3], Outcome::Failed(m) if m.contains("no result")));
    }
}
