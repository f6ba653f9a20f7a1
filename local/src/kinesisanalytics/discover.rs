//! DiscoverInputSchema.
//!
//! The service samples records from a stream (or reads an S3 object) and infers a schema. The
//! twin samples its own Firehose delivery streams and Kinesis streams through a
//! [`RecordSampler`] (the twin installs one over its Firehose, Kinesis and Lambda services):
//!
//! - up to [`SAMPLE_SIZE`] records: the oldest for `TRIM_HORIZON`, the newest already in the
//!   stream for `NOW` and `LAST_STOPPED_POINT`. Unlike the service, which waits a while for new
//!   records to arrive, the twin does not wait: it samples what the stream holds when the call
//!   comes in;
//! - through the `InputLambdaProcessor`, if given, with the preprocessing contract of the data
//!   plane ([`crate::dataplane::preprocess`]); `Dropped` and `ProcessingFailed` records are left
//!   out, and a function that fails (or does not exist) is an `InvalidArgumentException` naming
//!   it;
//! - then the schema: JSON when every processed record is a JSON object (one column per
//!   top-level key, mapped `$.<key>`), CSV otherwise (rows split on `"\n"`, columns on the first
//!   of `,` `\t` `|` `;` that splits every row into the same number of fields, named
//!   `COL1..COLn`). Column types: INTEGER (BIGINT beyond 32 bits), DOUBLE, BOOLEAN, else
//!   `VARCHAR(n)` with `n` the longest value's length rounded up to a multiple of 4.
//!
//! A stream that does not exist on the twin is an `InvalidArgumentException`; a stream with no
//! records (or none left after preprocessing) is an `UnableToDetectSchemaException` carrying the
//! records seen. The twin has no S3, so an S3 discovery is refused with
//! `UnsupportedOperationException` naming the reason. Without a sampler (a bare
//! [`KinesisAnalytics`]), every stream reads as empty.

use super::error::KinesisAnalyticsError;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Value, json};

use super::KinesisAnalytics;
use super::model::*;
use super::validate::Violations;
use crate::dataplane::preprocess::{InRecord, Outcome};
use crate::protocol::{AwsError, parse_body};

/// How many records a discovery samples at most.
pub const SAMPLE_SIZE: usize = 100;

/// Where a discovery samples its records from, and how it preprocesses them.
#[async_trait]
pub trait RecordSampler: Send + Sync + Debug {
    /// Up to `max` records of the Firehose delivery stream or Kinesis stream `stream_arn`, in
    /// arrival order: the oldest when `oldest`, else the newest. `Err` says that the stream does
    /// not exist.
    fn sample(&self, stream_arn: &str, oldest: bool, max: usize) -> Result<Vec<InRecord>, String>;

    /// Invokes preprocessing function `function` on `records` (read from `stream_arn`): one
    /// outcome per record, in order. `Err` says why the function failed as a whole.
    async fn preprocess(
        &self,
        function: &str,
        stream_arn: &str,
        records: &[InRecord],
    ) -> Result<Vec<Outcome>, String>;

    /// The bytes of S3 object `key` in bucket `bucket` (DiscoverInputSchema's
    /// `S3Configuration`); `Err` names S3's error.
    fn object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String>;
}

impl KinesisAnalytics {
    /// Installs the sampler DiscoverInputSchema reads streams through (the twin installs one
    /// over its Firehose, Kinesis and Lambda services).
    pub fn set_record_sampler(&self, sampler: Arc<dyn RecordSampler>) {
        *self.sampler.write() = Some(sampler);
    }

    pub(super) async fn discover_input_schema(&self, body: &[u8]) -> Result<Bytes, AwsError> {
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
        if let Some(s) = &req.s3_configuration {
            return self.discover_from_s3(s);
        }
        let (Some(arn), Some(_role), Some(pos)) = (
            &req.resource_arn,
            &req.role_arn,
            &req.input_starting_position_configuration,
        ) else {
            return Err(KinesisAnalyticsError::InvalidArgument.with("Give either ResourceARN, RoleARN and InputStartingPositionConfiguration (a stream), \
                 or S3Configuration (an object)",
            ));
        };
        let oldest = pos.input_starting_position.as_deref() == Some("TRIM_HORIZON");
        let sampler = self.sampler.read().clone();
        let records = match &sampler {
            Some(s) => s
                .sample(arn, oldest, SAMPLE_SIZE)
                .map_err(|why| KinesisAnalyticsError::InvalidArgument.with(why))?,
            None => Vec::new(),
        };
        let raw: Vec<String> = records.iter().map(|r| text(&r.data)).collect();
        let function = req
            .input_processing_configuration
            .as_ref()
            .and_then(|c| c.input_lambda_processor.as_ref())
            .and_then(|l| l.resource_arn.as_deref());
        let processed: Vec<String> = match (function, &sampler) {
            (Some(function), Some(s)) if !records.is_empty() => s
                .preprocess(function, arn, &records)
                .await
                .map_err(|why| {
                    KinesisAnalyticsError::InvalidArgument.with(format!(
                        "The input preprocessing function {function} could not process the \
                             records of {arn}: {why}"
                    ))
                })?
                .into_iter()
                .filter_map(|o| match o {
                    Outcome::Ok(data) => Some(text(&data)),
                    Outcome::Dropped | Outcome::Failed(_) => None,
                })
                .collect(),
            _ => raw.clone(),
        };
        let Some((schema, parsed)) = infer(&processed) else {
            return Err(KinesisAnalyticsError::UnableToDetectSchema
                .with(format!(
                    "No records could be read from {arn} to infer a schema from"
                ))
                .with_member("RawInputRecords", json!(raw))
                .with_member("ProcessedInputRecords", json!(processed)));
        };
        let body = json!({
            "InputSchema": schema,
            "ParsedInputRecords": parsed,
            "ProcessedInputRecords": processed,
            "RawInputRecords": raw,
        });
        Ok(Bytes::from(body.to_string()))
    }
}

impl KinesisAnalytics {
    /// DiscoverInputSchema over an S3 object: its lines are the records (the first
    /// [`SAMPLE_SIZE`]); no preprocessing applies.
    fn discover_from_s3(&self, s: &super::model::S3Configuration) -> Result<Bytes, AwsError> {
        let arn = s.bucket_arn.as_deref().unwrap_or_default();
        let key = s.file_key.as_deref().unwrap_or_default();
        let bucket = crate::dataplane::reference::bucket_name(arn).ok_or_else(|| {
            KinesisAnalyticsError::InvalidArgument.with(format!(
                "BucketARN {arn} is not an S3 bucket ARN (arn:aws:s3:::name)"
            ))
        })?;
        let sampler = self.sampler.read().clone();
        let bytes = match &sampler {
            Some(sampler) => sampler.object(bucket, key).map_err(|why| {
                KinesisAnalyticsError::InvalidArgument
                    .with(format!("Could not read s3://{bucket}/{key}: {why}"))
            })?,
            None => Vec::new(),
        };
        let raw: Vec<String> = text(&bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(SAMPLE_SIZE)
            .map(str::to_string)
            .collect();
        let Some((schema, parsed)) = infer(&raw) else {
            return Err(KinesisAnalyticsError::UnableToDetectSchema
                .with(format!(
                    "No records could be read from s3://{bucket}/{key} to infer a schema from"
                ))
                .with_member("RawInputRecords", json!(raw))
                .with_member("ProcessedInputRecords", json!(raw)));
        };
        let body = json!({
            "InputSchema": schema,
            "ParsedInputRecords": parsed,
            "ProcessedInputRecords": raw,
            "RawInputRecords": raw,
        });
        Ok(Bytes::from(body.to_string()))
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// The schema of `records` and each record's (row's) field values; `None` when there is
/// nothing to infer from.
pub fn infer(records: &[String]) -> Option<(SourceSchema, Vec<Vec<String>>)> {
    if records.is_empty() {
        return None;
    }
    let objects: Option<Vec<Vec<(String, Value)>>> =
        records.iter().map(|r| json_object(r)).collect();
    match objects {
        Some(objects) => Some(infer_json(&objects)),
        None => infer_csv(records),
    }
}

fn infer_json(objects: &[Vec<(String, Value)>]) -> (SourceSchema, Vec<Vec<String>>) {
    let mut keys: Vec<String> = Vec::new();
    for o in objects {
        for (k, _) in o {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let mut columns = Vec::new();
    for key in &keys {
        let values: Vec<Field> = objects
            .iter()
            .filter_map(|o| o.iter().find(|(k, _)| k == key))
            .filter(|(_, v)| !v.is_null())
            .map(|(_, v)| Field::of_json(v))
            .collect();
        columns.push(RecordColumn {
            name: Some(column_name(key)),
            mapping: Some(format!("$.{key}")),
            sql_type: Some(sql_type(&values)),
        });
    }
    let parsed = objects
        .iter()
        .map(|o| {
            keys.iter()
                .map(|key| match o.iter().find(|(k, _)| k == key) {
                    None | Some((_, Value::Null)) => String::new(),
                    Some((_, v)) => Field::of_json(v).text,
                })
                .collect()
        })
        .collect();
    let schema = SourceSchema {
        record_format: Some(RecordFormat {
            record_format_type: Some("JSON".to_string()),
            mapping_parameters: Some(MappingParameters {
                json_mapping_parameters: Some(JsonMappingParameters {
                    record_row_path: Some("$".to_string()),
                }),
                csv_mapping_parameters: None,
            }),
        }),
        record_encoding: Some("UTF-8".to_string()),
        record_columns: Some(columns),
    };
    (schema, parsed)
}

fn infer_csv(records: &[String]) -> Option<(SourceSchema, Vec<Vec<String>>)> {
    let rows: Vec<&str> = records
        .iter()
        .flat_map(|r| r.split('\n'))
        .map(|row| row.strip_suffix('\r').unwrap_or(row))
        .filter(|row| !row.is_empty())
        .collect();
    if rows.is_empty() {
        return None;
    }
    let delimiter = [",", "\t", "|", ";"].into_iter().find(|d| {
        let n = rows[0].split(d).count();
        n > 1 && rows.iter().all(|row| row.split(d).count() == n)
    });
    // One column: a delimiter no row contains, so that the rows are not split.
    let single = [",", "\t", "|", ";"]
        .into_iter()
        .find(|d| rows.iter().all(|row| !row.contains(d)))
        .unwrap_or(",");
    let parsed: Vec<Vec<String>> = rows
        .iter()
        .map(|row| match delimiter {
            Some(d) => row.split(d).map(str::to_string).collect(),
            None => vec![row.to_string()],
        })
        .collect();
    let width = parsed[0].len();
    let columns = (0..width)
        .map(|i| {
            let values: Vec<Field> = parsed.iter().map(|r| Field::of_text(&r[i])).collect();
            RecordColumn {
                name: Some(format!("COL{}", i + 1)),
                mapping: None,
                sql_type: Some(sql_type(&values)),
            }
        })
        .collect();
    let schema = SourceSchema {
        record_format: Some(RecordFormat {
            record_format_type: Some("CSV".to_string()),
            mapping_parameters: Some(MappingParameters {
                json_mapping_parameters: None,
                csv_mapping_parameters: Some(CsvMappingParameters {
                    record_row_delimiter: Some("\n".to_string()),
                    record_column_delimiter: Some(delimiter.unwrap_or(single).to_string()),
                }),
            }),
        }),
        record_encoding: Some("UTF-8".to_string()),
        record_columns: Some(columns),
    };
    Some((schema, parsed))
}

/// What a value looks like, for typing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// An integer, and whether it fits in 32 bits.
    Integer(bool),
    Number,
    Boolean,
    Text,
}

#[derive(Debug)]
struct Field {
    kind: Kind,
    text: String,
}

impl Field {
    fn of_json(v: &Value) -> Self {
        let kind = match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                Kind::Integer(n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()))
            }
            Value::Number(_) => Kind::Number,
            Value::Bool(_) => Kind::Boolean,
            _ => Kind::Text,
        };
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Self { kind, text }
    }

    fn of_text(s: &str) -> Self {
        let numeric = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
            && s.chars().any(|c| c.is_ascii_digit());
        let kind = if numeric && let Ok(i) = s.parse::<i64>() {
            Kind::Integer(i32::try_from(i).is_ok())
        } else if numeric && s.parse::<f64>().is_ok() {
            Kind::Number
        } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
            Kind::Boolean
        } else {
            Kind::Text
        };
        Self {
            kind,
            text: s.to_string(),
        }
    }
}

/// The SQL type of a column holding `values` (nulls left out).
fn sql_type(values: &[Field]) -> String {
    let all = |f: fn(Kind) -> bool| !values.is_empty() && values.iter().all(|v| f(v.kind));
    if all(|k| matches!(k, Kind::Integer(_))) {
        if values.iter().all(|v| v.kind == Kind::Integer(true)) {
            "INTEGER".to_string()
        } else {
            "BIGINT".to_string()
        }
    } else if all(|k| matches!(k, Kind::Integer(_) | Kind::Number)) {
        "DOUBLE".to_string()
    } else if all(|k| k == Kind::Boolean) {
        "BOOLEAN".to_string()
    } else {
        let longest = values
            .iter()
            .map(|v| v.text.chars().count())
            .max()
            .unwrap_or(0);
        format!("VARCHAR({})", longest.div_ceil(4).max(1) * 4)
    }
}

/// `key` with every character outside `[A-Za-z0-9_]` replaced by `_`.
fn column_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The members of `s` in their order, if `s` is a JSON object.
fn json_object(s: &str) -> Option<Vec<(String, Value)>> {
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Vec<(String, Value)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, Value)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, Value>()? {
                match out.iter_mut().find(|(key, _)| *key == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(s);
    let members = (&mut de).deserialize_map(Members).ok()?;
    de.end().ok()?;
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn types(schema: &SourceSchema) -> Vec<(String, String)> {
        schema
            .record_columns
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| (c.name.clone().unwrap(), c.sql_type.clone().unwrap()))
            .collect()
    }

    #[test]
    fn json_records_give_a_json_schema_in_first_seen_order() {
        let (schema, parsed) = infer(&strings(&[
            r#"{"z-id": 1, "price": 2, "ok": true, "tags": [1,2], "big": 1}"#,
            r#"{"z-id": 3, "price": 2.5, "ok": false, "name": "abcde", "big": 5000000000}"#,
        ]))
        .unwrap();
        assert_eq!(
            types(&schema),
            [
                ("z_id".into(), "INTEGER".into()),
                ("price".into(), "DOUBLE".into()),
                ("ok".into(), "BOOLEAN".into()),
                ("tags".into(), "VARCHAR(8)".into()),
                ("big".into(), "BIGINT".into()),
                ("name".into(), "VARCHAR(8)".into()),
            ]
        );
        let columns = schema.record_columns.as_ref().unwrap();
        assert_eq!(columns[0].mapping.as_deref(), Some("$.z-id"));
        assert_eq!(parsed[0], strings(&["1", "2", "true", "[1,2]", "1", ""]));
    }

    #[test]
    fn other_records_give_a_csv_schema() {
        let (schema, parsed) = infer(&strings(&["a|1|2.5\n", "bb|2|3"])).unwrap();
        let csv = schema
            .record_format
            .as_ref()
            .unwrap()
            .mapping_parameters
            .as_ref()
            .unwrap()
            .csv_mapping_parameters
            .clone()
            .unwrap();
        assert_eq!(csv.record_column_delimiter.as_deref(), Some("|"));
        assert_eq!(
            types(&schema),
            [
                ("COL1".into(), "VARCHAR(4)".into()),
                ("COL2".into(), "INTEGER".into()),
                ("COL3".into(), "DOUBLE".into()),
            ]
        );
        assert_eq!(parsed[1], strings(&["bb", "2", "3"]));
        let (schema, _) = infer(&strings(&["just text here", "x"])).unwrap();
        assert_eq!(types(&schema), [("COL1".into(), "VARCHAR(16)".into())]);
        assert!(infer(&[]).is_none());
    }
}
