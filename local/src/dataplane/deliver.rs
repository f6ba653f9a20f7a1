//! Outputs: rows of an in-application stream delivered to a destination, in order, as CSV or
//! JSON per DestinationSchema.
//!
//! The output Lambda contract: the application invokes the function with
//! `{"invocationId", "applicationArn", "records": [{"recordId", "lambdaDeliveryRecordMetadata":
//! {"retryHint"}, "data" (base64)}]}` and the function answers
//! `{"records": [{"recordId", "result": "Ok" | "DeliveryFailed"}]}`. Records that failed (or
//! that the answer leaves out, or all of them when the invocation fails) are sent again with
//! `retryHint` one higher after a backoff on the twin's clock ([`backoff_ms`]); records behind
//! them wait, so a destination sees each output's records in order. Kinesis stream and Firehose
//! destinations receive one record per row; a destination that does not exist (any more) is
//! retried the same way.

use std::collections::VecDeque;

use bytes::Bytes;
use kdaflow_sql::plan::Column;
use kdaflow_sql::{OutputFormat, Row, serialize_row};
use serde_json::{Value, json};

use super::{DataPlane, Delivery, seed_for};
use crate::kinesisanalytics::model::OutputDescription;
use crate::validation::encode_blob;

/// Records per output Lambda invocation.
pub const MAX_LAMBDA_RECORDS: usize = 500;
/// Records per append to a Kinesis or Firehose destination (PutRecords' and PutRecordBatch's
/// limit).
pub const MAX_STREAM_BATCH: usize = 500;
/// The first retry's delay; each further retry doubles it, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: i64 = 1_000;
/// The longest delay between retries.
pub const MAX_BACKOFF_MS: i64 = 60_000;
/// Records waiting per output beyond which the oldest are dropped (a memory bound; logged).
pub const MAX_PENDING: usize = 100_000;

/// The delay before retry number `hint` (1-based).
pub fn backoff_ms(hint: u32) -> i64 {
    let shift = hint.saturating_sub(1).min(16);
    (FIRST_BACKOFF_MS << shift).min(MAX_BACKOFF_MS)
}

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// A Lambda function (ARN).
    Lambda(String),
    /// A Kinesis stream (ARN).
    Kinesis(String),
    /// A Firehose delivery stream (ARN).
    Firehose(String),
}

impl Dest {
    /// The destination of an output description.
    pub fn of(o: &OutputDescription) -> Option<Self> {
        let arn = |r: &Option<crate::kinesisanalytics::model::ResourceRole>| {
            r.as_ref().and_then(|r| r.resource_arn.clone())
        };
        arn(&o.lambda_output_description)
            .map(Dest::Lambda)
            .or_else(|| arn(&o.kinesis_streams_output_description).map(Dest::Kinesis))
            .or_else(|| arn(&o.kinesis_firehose_output_description).map(Dest::Firehose))
    }

    /// The ARN.
    pub fn arn(&self) -> &str {
        match self {
            Dest::Lambda(a) | Dest::Kinesis(a) | Dest::Firehose(a) => a,
        }
    }
}

#[derive(Debug, Clone)]
struct Pending {
    record_id: String,
    data: String,
    retry_hint: u32,
    due_ms: i64,
}

/// One output of a running application.
#[derive(Debug)]
pub struct OutputRun {
    /// The in-application stream.
    pub name: String,
    dest: Dest,
    format: OutputFormat,
    columns: Vec<Column>,
    pending: VecDeque<Pending>,
    next_record: u64,
    invocations: u64,
    seed: u64,
    /// Rows accepted by the destination (or dropped) since the run began.
    delivered: u64,
    /// Rows still to drop because they were delivered before a restart.
    skip: u64,
}

impl OutputRun {
    /// Prepares output `o` delivering stream `name` (with `columns`) to `dest`.
    pub fn new(o: &OutputDescription, name: String, dest: Dest, columns: Vec<Column>) -> Self {
        let format = match o
            .destination_schema
            .as_ref()
            .and_then(|d| d.record_format_type.as_deref())
        {
            Some("JSON") => OutputFormat::Json,
            _ => OutputFormat::Csv,
        };
        let seed = seed_for(&format!("{name}/{}", dest.arn()));
        Self {
            name,
            dest,
            format,
            columns,
            pending: VecDeque::new(),
            next_record: 0,
            invocations: 0,
            seed,
            delivered: 0,
            skip: 0,
        }
    }

    /// What tells this output apart in a run point: `name -> destination ARN`.
    pub fn key(&self) -> String {
        format!("{} -> {}", self.name, self.dest.arn())
    }

    /// The first `n` rows (a replay's, delivered before a restart) are not delivered again.
    pub fn skip(&mut self, n: u64) {
        self.skip = n;
        self.delivered = n;
    }

    /// Rows accepted by the destination (or dropped) since the run began.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Queues rows for delivery.
    pub fn enqueue(&mut self, rows: &[Row], now: i64) {
        for row in rows {
            self.next_record += 1;
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            self.pending.push_back(Pending {
                // Shaped like the service's record ids (a 56-digit number).
                record_id: format!(
                    "49{:018}{:036}",
                    self.seed % 10u64.pow(18),
                    self.next_record
                ),
                data: serialize_row(self.format, &self.columns, row),
                retry_hint: 0,
                due_ms: now,
            });
        }
        if self.pending.len() > MAX_PENDING {
            let excess = self.pending.len() - MAX_PENDING;
            tracing::warn!(output = %self.name, dropped = excess, "output destination is not keeping up; dropping its oldest records");
            self.pending.drain(..excess);
            self.delivered += excess as u64;
        }
    }

    /// Records waiting for delivery.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Delivers the due records at the front of the queue; returns what was accepted.
    pub async fn flush(
        &mut self,
        dp: &DataPlane,
        application: &str,
        app_arn: &str,
        now: i64,
    ) -> Option<Delivery> {
        let due = self.pending.iter().take_while(|p| p.due_ms <= now).count();
        if due == 0 {
            return None;
        }
        let batch: Vec<Pending> = self.pending.drain(..due).collect();
        let mut accepted = Vec::new();
        let mut failed: Vec<Pending> = Vec::new();
        match &self.dest {
            Dest::Lambda(function) => {
                for chunk in batch.chunks(MAX_LAMBDA_RECORDS) {
                    self.invocations += 1;
                    let id = uuid::Uuid::from_u64_pair(self.seed, self.invocations);
                    let ok = invoke(dp, function, app_arn, &id.to_string(), chunk).await;
                    for (p, ok) in chunk.iter().zip(ok) {
                        if ok {
                            accepted.push(p.data.clone());
                        } else {
                            failed.push(p.clone());
                        }
                    }
                }
            }
            // One append per batch of a stream's call limit (durable, group-committed).
            Dest::Kinesis(stream) => {
                for chunk in batch.chunks(MAX_STREAM_BATCH) {
                    let records = chunk
                        .iter()
                        .map(|p| (Bytes::from(p.data.clone()), p.record_id.clone(), None))
                        .collect();
                    match dp.kinesis.append(stream, records).await {
                        Ok(_) => accepted.extend(chunk.iter().map(|p| p.data.clone())),
                        Err(_) => failed.extend(chunk.iter().cloned()),
                    }
                }
            }
            Dest::Firehose(stream) => {
                for chunk in batch.chunks(MAX_STREAM_BATCH) {
                    let records = chunk.iter().map(|p| Bytes::from(p.data.clone())).collect();
                    match dp.firehose.append(stream, records).await {
                        Ok(_) => accepted.extend(chunk.iter().map(|p| p.data.clone())),
                        Err(_) => failed.extend(chunk.iter().cloned()),
                    }
                }
            }
        }
        // Failed records go back to the front, in order, to be retried after the backoff.
        for mut p in failed.into_iter().rev() {
            p.retry_hint += 1;
            p.due_ms = now + backoff_ms(p.retry_hint);
            self.pending.push_front(p);
        }
        self.delivered += accepted.len() as u64;
        (!accepted.is_empty()).then(|| Delivery {
            application: application.to_string(),
            output: self.name.clone(),
            destination: self.dest.arn().to_string(),
            records: accepted,
        })
    }
}

/// Invokes an output function; true per record it accepted.
async fn invoke(
    dp: &DataPlane,
    function: &str,
    app_arn: &str,
    invocation_id: &str,
    records: &[Pending],
) -> Vec<bool> {
    let event = json!({
        "invocationId": invocation_id,
        "applicationArn": app_arn,
        "records": records.iter().map(|p| json!({
            "recordId": p.record_id,
            "lambdaDeliveryRecordMetadata": {"retryHint": p.retry_hint},
            "data": encode_blob(p.data.as_bytes()),
        })).collect::<Vec<Value>>(),
    });
    match dp.lambda.invoke(function, event).await {
        Ok(response) => {
            let results = response["records"].as_array();
            records
                .iter()
                .map(|p| {
                    results
                        .and_then(|l| {
                            l.iter()
                                .find(|r| r["recordId"].as_str() == Some(&p.record_id))
                        })
                        .is_some_and(|r| r["result"].as_str() == Some("Ok"))
                })
                .collect()
        }
        Err(e) => {
            tracing::debug!(function, error = %e.error_message, "output function failed; its records will be retried");
            vec![false; records.len()]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(2), 2_000);
        assert_eq!(backoff_ms(4), 8_000);
        assert_eq!(backoff_ms(30), 60_000);
    }
}
