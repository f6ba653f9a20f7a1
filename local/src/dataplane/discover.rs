//! The [`RecordSampler`] DiscoverInputSchema reads through: the twin's Firehose delivery streams
//! and Kinesis streams, and its Lambda functions for input preprocessing (with the contract of
//! [`super::preprocess`]). A discovery belongs to no application, so the preprocessing event's
//! `applicationArn` is empty.

use std::sync::Arc;

use async_trait::async_trait;

use super::preprocess::{self, InRecord, Outcome};
use crate::firehose::Firehose;
use crate::kinesis::Kinesis;
use crate::kinesisanalytics::RecordSampler;
use crate::lambda::Lambda;

/// Samples the twin's own streams.
#[derive(Debug)]
pub struct StreamSampler {
    firehose: Arc<Firehose>,
    kinesis: Arc<Kinesis>,
    lambda: Arc<Lambda>,
    s3: Arc<crate::s3::S3>,
}

impl StreamSampler {
    /// A sampler over the twin's services.
    pub fn new(
        firehose: Arc<Firehose>,
        kinesis: Arc<Kinesis>,
        lambda: Arc<Lambda>,
        s3: Arc<crate::s3::S3>,
    ) -> Self {
        Self {
            firehose,
            kinesis,
            lambda,
            s3,
        }
    }

    fn sample_firehose(&self, arn: &str, oldest: bool, max: usize) -> Option<Vec<InRecord>> {
        let from = if oldest {
            0
        } else {
            self.firehose
                .end_offset(arn)
                .ok()?
                .saturating_sub(max as u64)
        };
        let (records, _) = self.firehose.read(arn, from, max).ok()?;
        Some(records.into_iter().map(InRecord::from_firehose).collect())
    }

    fn sample_kinesis(&self, arn: &str, oldest: bool, max: usize) -> Option<Vec<InRecord>> {
        let mut positions = if oldest {
            Vec::new()
        } else {
            let ends = self.kinesis.end_positions(arn).ok()?;
            ends.into_iter()
                .map(|end| end.saturating_sub(max as u64))
                .collect()
        };
        let mut records = self.kinesis.read_all(arn, &mut positions, max).ok()?;
        if oldest {
            records.truncate(max);
        } else {
            records.drain(..records.len().saturating_sub(max));
        }
        Some(records.into_iter().map(InRecord::from_kinesis).collect())
    }
}

#[async_trait]
impl RecordSampler for StreamSampler {
    fn sample(&self, stream_arn: &str, oldest: bool, max: usize) -> Result<Vec<InRecord>, String> {
        let found = if stream_arn.starts_with("arn:") && stream_arn.contains(":firehose:") {
            self.sample_firehose(stream_arn, oldest, max)
        } else if stream_arn.starts_with("arn:") && stream_arn.contains(":kinesis:") {
            self.sample_kinesis(stream_arn, oldest, max)
        } else {
            None
        };
        found.ok_or_else(|| {
            format!(
                "Stream {stream_arn} does not exist: ResourceARN must name a Firehose delivery \
                 stream or a Kinesis stream of this account and region"
            )
        })
    }

    fn object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        self.s3.get_bytes(bucket, key)
    }

    async fn preprocess(
        &self,
        function: &str,
        stream_arn: &str,
        records: &[InRecord],
    ) -> Result<Vec<Outcome>, String> {
        let invocation_id = format!("discovery-{}", records.first().map_or("", |r| &r.id));
        let event = preprocess::event("", stream_arn, &invocation_id, records);
        let response = self.lambda.invoke(function, event).await.map_err(|e| {
            format!(
                "{}: {}",
                e.error_type.as_deref().unwrap_or("Unhandled"),
                e.error_message
            )
        })?;
        Ok(preprocess::outcomes(&response, records))
    }
}
