//! DiscoverInputSchema.
//!
//! The service samples records from a stream (or reads an S3 object) and infers a schema. The
//! twin has no S3, and until its data plane hosts streams there is nothing to sample, so a stream
//! discovery reports `UnableToDetectSchemaException` with the (empty) records it saw — the
//! service's own answer for a stream with no data — and an S3 discovery is refused with
//! `UnsupportedOperationException` naming the reason. Both are listed as divergences in the
//! README.

use bytes::Bytes;

use super::KinesisAnalytics;
use super::model::*;
use super::validate::Violations;
use crate::protocol::{AwsError, parse_body};

impl KinesisAnalytics {
    pub(super) fn discover_input_schema(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DiscoverInputSchemaRequest = parse_body(body)?;
        let mut v = Violations::default();
        if let Some(p) = req
            .input_starting_position_configuration
            .as_ref()
            .and_then(|p| p.input_starting_position.as_ref())
        {
            v.one_of(
                "inputStartingPositionConfiguration.inputStartingPosition",
                p,
                &["NOW", "TRIM_HORIZON", "LAST_STOPPED_POINT"],
            );
        }
        if let Some(c) = &req.input_processing_configuration {
            v.processing("inputProcessingConfiguration", c);
        }
        if let Some(s) = &req.s3_configuration {
            v.required("s3Configuration.roleARN", &s.role_arn);
            v.required("s3Configuration.bucketARN", &s.bucket_arn);
            v.required("s3Configuration.fileKey", &s.file_key);
        }
        v.finish()?;
        if req.s3_configuration.is_some() {
            return Err(AwsError::client(
                "UnsupportedOperationException",
                "Schema discovery from S3 is not available on the kdaflow twin, which hosts no S3; \
                 give the schema explicitly in the application's InputSchema",
            ));
        }
        let (Some(arn), Some(_role), Some(_pos)) = (
            &req.resource_arn,
            &req.role_arn,
            &req.input_starting_position_configuration,
        ) else {
            return Err(AwsError::client(
                "InvalidArgumentException",
                "Give either ResourceARN, RoleARN and InputStartingPositionConfiguration (a stream), \
                 or S3Configuration (an object)",
            ));
        };
        Err(AwsError::client(
            "UnableToDetectSchemaException",
            format!("No records could be read from {arn} to infer a schema from"),
        )
        .with_member("RawInputRecords", serde_json::json!([]))
        .with_member("ProcessedInputRecords", serde_json::json!([])))
    }
}
