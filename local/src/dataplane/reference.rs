//! Reference data: the object a reference data source names (`S3ReferenceDataSource`:
//! `BucketARN`, `FileKey`), parsed per its `ReferenceSchema` into the in-application
//! reference table. As on the service, the table is loaded when the application starts, and
//! again whenever its configuration changes while it runs (AddApplicationReferenceDataSource,
//! UpdateApplication — each raises the version, and a new version starts a new run); nothing
//! reloads it otherwise.
//!
//! Objects come from an [`ObjectSource`]: the twin's S3 ([`crate::s3::S3`]), which
//! `TwinBuilder::build` sets; a missing bucket or key leaves the table empty and the tick
//! reports why.

use std::fmt::Debug;

use kdaflow_sql::{Engine, RecordParser};

use crate::kinesisanalytics::app::AppRecord;
use crate::kinesisanalytics::sql::engine_schema;

/// Where reference data objects are read from.
pub trait ObjectSource: Send + Sync + Debug {
    /// The bytes of object `key` in bucket `bucket` (a bucket name, not an ARN), or a message
    /// saying what is missing, in S3's words (`NoSuchBucket`, `NoSuchKey`, ...).
    fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String>;
}

/// The bucket name of an S3 bucket ARN (`arn:aws:s3:::name`).
pub fn bucket_name(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("s3"), Some(_), Some(_), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// Loads `app`'s reference table into `engine` from `objects`. Returns the rows loaded, or
/// `None` when the application has no reference data source; an error says what kept the
/// table from loading (it is then empty).
pub fn load(
    engine: &mut Engine,
    app: &AppRecord,
    objects: Option<&dyn ObjectSource>,
) -> Result<Option<usize>, String> {
    let Some(r) = app.references.first() else {
        return Ok(None);
    };
    let table = r.table_name.clone().unwrap_or_default();
    let s3 = r
        .s3_reference_data_source_description
        .as_ref()
        .ok_or_else(|| {
            format!("reference table {table}: the source has no S3ReferenceDataSource")
        })?;
    let arn = s3.bucket_arn.as_deref().unwrap_or_default();
    let bucket = bucket_name(arn).ok_or_else(|| {
        format!("reference table {table}: BucketARN {arn:?} is not an S3 bucket ARN")
    })?;
    let key = s3.file_key.as_deref().unwrap_or_default();
    let schema = r
        .reference_schema
        .as_ref()
        .ok_or_else(|| format!("reference table {table}: it has no ReferenceSchema"))
        .and_then(|s| engine_schema(s).map_err(|e| format!("reference table {table}: {e}")))?;
    let parser = RecordParser::new(&schema).map_err(|e| format!("reference table {table}: {e}"))?;
    let objects = objects.ok_or_else(|| {
        format!(
            "reference table {table}: s3://{bucket}/{key} cannot be read, because S3 is not on the twin yet; the table is empty"
        )
    })?;
    let data = objects.get_object(bucket, key).map_err(|e| {
        format!("reference table {table}: s3://{bucket}/{key}: {e}; the table is empty")
    })?;
    engine
        .load_reference_records(&table, &parser, &data)
        .map(Some)
        .map_err(|e| format!("reference table {table}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_of_arns() {
        assert_eq!(bucket_name("arn:aws:s3:::my-bucket"), Some("my-bucket"));
        assert_eq!(bucket_name("arn:aws-cn:s3:::b"), Some("b"));
        assert_eq!(bucket_name("arn:aws:s3:::"), None);
        assert_eq!(bucket_name("arn:aws:s3:::b/key"), None);
        assert_eq!(bucket_name("arn:aws:sqs:us-east-1:1:q"), None);
        assert_eq!(bucket_name("my-bucket"), None);
    }
}
