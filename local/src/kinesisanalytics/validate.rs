//! Constraint validation, as the service's front end does it before an operation runs.
//!
//! Violations of the model's constraints (required members, lengths, patterns, ranges, enums)
//! are collected, all of them, into one `ValidationException` whose message reads like the
//! service's: `2 validation errors detected: Value null at 'applicationName' failed to satisfy
//! constraint: Member must not be null; Value '0' at 'limit' failed to satisfy constraint: Member
//! must have value greater than or equal to 1`. Member paths use lowerCamel names and 1-based
//! `.N.member` list indices, as the service prints them.

use std::sync::LazyLock;

use regex::Regex;

use super::model::*;
/// The model's patterns (Smithy model, anchored).
pub mod patterns {
    /// ApplicationName.
    pub const APPLICATION_NAME: &str = "[a-zA-Z0-9_.-]+";
    /// Id (InputId, OutputId, ReferenceId, CloudWatchLoggingOptionId).
    pub const ID: &str = "[a-zA-Z0-9_.-]+";
    /// RoleARN.
    pub const ROLE_ARN: &str = r"arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";
    /// ResourceARN, BucketARN, LogStreamARN (a prefix match in the model).
    pub const RESOURCE_ARN: &str = "arn:.*";
    /// KinesisAnalyticsARN (tag operations).
    pub const KINESIS_ANALYTICS_ARN: &str = r"arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/[a-zA-Z0-9_.-]{1,128}";
    /// RecordEncoding.
    pub const RECORD_ENCODING: &str = "UTF-8";
}

use crate::validation::anchored;

static APPLICATION_NAME: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::APPLICATION_NAME));
static ID: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::ID));
static ROLE_ARN: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::ROLE_ARN));
static RESOURCE_ARN: LazyLock<Regex> = LazyLock::new(|| Regex::new("^arn:").expect("valid"));
static KA_ARN: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::KINESIS_ANALYTICS_ARN));
static ENCODING: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::RECORD_ENCODING));

/// The collector, shared with the other services' front ends; this module adds the Kinesis
/// Analytics shapes to it.
pub type Violations = crate::validation::Constraints;

impl Violations {
    // ---- shape validators -------------------------------------------------------------------

    /// ApplicationName (1..128, pattern).
    pub fn application_name(&mut self, path: &str, value: &Option<String>) {
        if let Some(v) = self.required(path, value) {
            self.len(path, v, 1, 128);
            self.pattern(path, v, &APPLICATION_NAME, patterns::APPLICATION_NAME);
        }
    }

    /// CurrentApplicationVersionId (1..999999999).
    pub fn version(&mut self, path: &str, value: &Option<i64>) {
        if let Some(v) = self.required(path, value) {
            self.range(path, *v, 1, 999_999_999);
        }
    }

    /// An Id shape.
    pub fn id(&mut self, path: &str, value: &Option<String>) {
        if let Some(v) = self.required(path, value) {
            self.len(path, v, 1, 50);
            self.pattern(path, v, &ID, patterns::ID);
        }
    }

    /// An optional in-application stream or table name (1..32).
    pub fn in_app_name(&mut self, path: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.len(path, v, 1, 32);
        }
    }

    /// ApplicationCode (0..102400).
    pub fn code(&mut self, path: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.len(path, v, 0, 102_400);
        }
    }

    fn arn(&mut self, path: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.len(path, v, 1, 2048);
            self.pattern(path, v, &RESOURCE_ARN, patterns::RESOURCE_ARN);
        }
    }

    fn role(&mut self, path: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.len(path, v, 1, 2048);
            self.pattern(path, v, &ROLE_ARN, patterns::ROLE_ARN);
        }
    }

    /// A KinesisAnalyticsARN (tag operations).
    pub fn application_arn(&mut self, path: &str, value: &Option<String>) {
        if let Some(v) = self.required(path, value) {
            self.len(path, v, 1, 2048);
            self.pattern(path, v, &KA_ARN, patterns::KINESIS_ANALYTICS_ARN);
        }
    }

    /// `{ResourceARN*, RoleARN*}`.
    pub fn resource_role(&mut self, path: &str, value: &ResourceRole) {
        let r = format!("{path}.resourceARN");
        let x = self.required(&r, &value.resource_arn);
        self.arn(&r, x);
        let r = format!("{path}.roleARN");
        let x = self.required(&r, &value.role_arn);
        self.role(&r, x);
    }

    /// `{ResourceARNUpdate, RoleARNUpdate}`.
    pub fn resource_role_update(&mut self, path: &str, value: &ResourceRoleUpdate) {
        self.arn(
            &format!("{path}.resourceARNUpdate"),
            value.resource_arn_update.as_ref(),
        );
        self.role(
            &format!("{path}.roleARNUpdate"),
            value.role_arn_update.as_ref(),
        );
    }

    /// InputProcessingConfiguration.
    pub fn processing(&mut self, path: &str, value: &InputProcessingConfiguration) {
        let p = format!("{path}.inputLambdaProcessor");
        if let Some(l) = self.required(&p, &value.input_lambda_processor) {
            self.resource_role(&p, l);
        }
    }

    /// RecordFormat.
    pub fn record_format(&mut self, path: &str, value: &RecordFormat) {
        let p = format!("{path}.recordFormatType");
        if let Some(t) = self.required(&p, &value.record_format_type) {
            self.one_of(&p, t, &["JSON", "CSV"]);
        }
        if let Some(m) = &value.mapping_parameters {
            if let Some(j) = &m.json_mapping_parameters {
                let p = format!("{path}.mappingParameters.jSONMappingParameters.recordRowPath");
                if let Some(v) = self.required(&p, &j.record_row_path) {
                    self.len(&p, v, 1, usize::MAX);
                }
            }
            if let Some(c) = &m.csv_mapping_parameters {
                let base = format!("{path}.mappingParameters.cSVMappingParameters");
                for (name, v) in [
                    ("recordRowDelimiter", &c.record_row_delimiter),
                    ("recordColumnDelimiter", &c.record_column_delimiter),
                ] {
                    let p = format!("{base}.{name}");
                    if let Some(v) = self.required(&p, v) {
                        self.len(&p, v, 1, usize::MAX);
                    }
                }
            }
        }
    }

    /// RecordColumns (1..1000 items).
    pub fn record_columns(&mut self, path: &str, value: &[RecordColumn]) {
        self.list_len(path, value.len(), 1, 1000);
        for (i, c) in value.iter().enumerate() {
            let base = format!("{path}.{}.member", i + 1);
            self.required(&format!("{base}.name"), &c.name);
            let p = format!("{base}.sqlType");
            if let Some(t) = self.required(&p, &c.sql_type) {
                self.len(&p, t, 1, usize::MAX);
            }
        }
    }

    /// RecordEncoding.
    pub fn encoding(&mut self, path: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.pattern(path, v, &ENCODING, patterns::RECORD_ENCODING);
        }
    }

    /// SourceSchema.
    pub fn source_schema(&mut self, path: &str, value: &SourceSchema) {
        let p = format!("{path}.recordFormat");
        if let Some(f) = self.required(&p, &value.record_format) {
            self.record_format(&p, f);
        }
        self.encoding(
            &format!("{path}.recordEncoding"),
            value.record_encoding.as_ref(),
        );
        let p = format!("{path}.recordColumns");
        if let Some(c) = self.required(&p, &value.record_columns) {
            self.record_columns(&p, c);
        }
    }

    /// Input.
    pub fn input(&mut self, path: &str, value: &Input) {
        let p = format!("{path}.namePrefix");
        if let Some(n) = self.required(&p, &value.name_prefix) {
            self.len(&p, n, 1, 32);
        }
        let p = format!("{path}.inputSchema");
        if let Some(s) = self.required(&p, &value.input_schema) {
            self.source_schema(&p, s);
        }
        if let Some(c) = &value.input_processing_configuration {
            self.processing(&format!("{path}.inputProcessingConfiguration"), c);
        }
        if let Some(k) = &value.kinesis_streams_input {
            self.resource_role(&format!("{path}.kinesisStreamsInput"), k);
        }
        if let Some(k) = &value.kinesis_firehose_input {
            self.resource_role(&format!("{path}.kinesisFirehoseInput"), k);
        }
        if let Some(c) = value.input_parallelism.as_ref().and_then(|p| p.count) {
            self.range(&format!("{path}.inputParallelism.count"), c, 1, 64);
        }
    }

    /// DestinationSchema.
    pub fn destination_schema(&mut self, path: &str, value: &DestinationSchema) {
        let p = format!("{path}.recordFormatType");
        if let Some(t) = self.required(&p, &value.record_format_type) {
            self.one_of(&p, t, &["JSON", "CSV"]);
        }
    }

    /// Output.
    pub fn output(&mut self, path: &str, value: &Output) {
        let p = format!("{path}.name");
        if let Some(n) = self.required(&p, &value.name) {
            self.len(&p, n, 1, 32);
        }
        let p = format!("{path}.destinationSchema");
        if let Some(d) = self.required(&p, &value.destination_schema) {
            self.destination_schema(&p, d);
        }
        for (name, v) in [
            ("kinesisStreamsOutput", &value.kinesis_streams_output),
            ("kinesisFirehoseOutput", &value.kinesis_firehose_output),
            ("lambdaOutput", &value.lambda_output),
        ] {
            if let Some(v) = v {
                self.resource_role(&format!("{path}.{name}"), v);
            }
        }
    }

    /// ReferenceDataSource.
    pub fn reference(&mut self, path: &str, value: &ReferenceDataSource) {
        let p = format!("{path}.tableName");
        if let Some(n) = self.required(&p, &value.table_name) {
            self.len(&p, n, 1, 32);
        }
        if let Some(s) = &value.s3_reference_data_source {
            let base = format!("{path}.s3ReferenceDataSource");
            let p = format!("{base}.bucketARN");
            let x = self.required(&p, &s.bucket_arn);
            self.arn(&p, x);
            let p = format!("{base}.fileKey");
            if let Some(k) = self.required(&p, &s.file_key) {
                self.len(&p, k, 1, 1024);
            }
            let p = format!("{base}.referenceRoleARN");
            let x = self.required(&p, &s.reference_role_arn);
            self.role(&p, x);
        }
        let p = format!("{path}.referenceSchema");
        if let Some(s) = self.required(&p, &value.reference_schema) {
            self.source_schema(&p, s);
        }
    }

    /// CloudWatchLoggingOption.
    pub fn logging(&mut self, path: &str, value: &CloudWatchLoggingOption) {
        let p = format!("{path}.logStreamARN");
        let x = self.required(&p, &value.log_stream_arn);
        self.arn(&p, x);
        let p = format!("{path}.roleARN");
        let x = self.required(&p, &value.role_arn);
        self.role(&p, x);
    }

    /// Tags (1..200 items; key 1..128, value 0..256).
    pub fn tags(&mut self, path: &str, value: &[Tag]) {
        self.list_len(path, value.len(), 1, 200);
        for (i, t) in value.iter().enumerate() {
            let base = format!("{path}.{}.member", i + 1);
            let p = format!("{base}.key");
            if let Some(k) = self.required(&p, &t.key) {
                self.len(&p, k, 1, 128);
            }
            if let Some(v) = &t.value {
                self.len(&format!("{base}.value"), v, 0, 256);
            }
        }
    }

    /// TagKeys (1..200 items; each 1..128).
    pub fn tag_keys(&mut self, path: &str, value: &[String]) {
        self.list_len(path, value.len(), 1, 200);
        for (i, k) in value.iter().enumerate() {
            self.len(&format!("{path}.{}.member", i + 1), k, 1, 128);
        }
    }

    /// ApplicationUpdate.
    pub fn application_update(&mut self, path: &str, u: &ApplicationUpdate) {
        self.code(
            &format!("{path}.applicationCodeUpdate"),
            u.application_code_update.as_ref(),
        );
        for (i, iu) in u.input_updates.iter().flatten().enumerate() {
            let base = format!("{path}.inputUpdates.{}.member", i + 1);
            self.id(&format!("{base}.inputId"), &iu.input_id);
            self.in_app_name(
                &format!("{base}.namePrefixUpdate"),
                iu.name_prefix_update.as_ref(),
            );
            if let Some(c) = &iu.input_processing_configuration_update {
                let p =
                    format!("{base}.inputProcessingConfigurationUpdate.inputLambdaProcessorUpdate");
                if let Some(l) = self.required(&p, &c.input_lambda_processor_update) {
                    self.resource_role_update(&p, l);
                }
            }
            if let Some(k) = &iu.kinesis_streams_input_update {
                self.resource_role_update(&format!("{base}.kinesisStreamsInputUpdate"), k);
            }
            if let Some(k) = &iu.kinesis_firehose_input_update {
                self.resource_role_update(&format!("{base}.kinesisFirehoseInputUpdate"), k);
            }
            if let Some(s) = &iu.input_schema_update {
                let p = format!("{base}.inputSchemaUpdate");
                if let Some(f) = &s.record_format_update {
                    self.record_format(&format!("{p}.recordFormatUpdate"), f);
                }
                self.encoding(
                    &format!("{p}.recordEncodingUpdate"),
                    s.record_encoding_update.as_ref(),
                );
                if let Some(c) = &s.record_column_updates {
                    self.record_columns(&format!("{p}.recordColumnUpdates"), c);
                }
            }
            if let Some(c) = iu
                .input_parallelism_update
                .as_ref()
                .and_then(|p| p.count_update)
            {
                self.range(
                    &format!("{base}.inputParallelismUpdate.countUpdate"),
                    c,
                    1,
                    64,
                );
            }
        }
        for (i, ou) in u.output_updates.iter().flatten().enumerate() {
            let base = format!("{path}.outputUpdates.{}.member", i + 1);
            self.id(&format!("{base}.outputId"), &ou.output_id);
            self.in_app_name(&format!("{base}.nameUpdate"), ou.name_update.as_ref());
            for (name, v) in [
                (
                    "kinesisStreamsOutputUpdate",
                    &ou.kinesis_streams_output_update,
                ),
                (
                    "kinesisFirehoseOutputUpdate",
                    &ou.kinesis_firehose_output_update,
                ),
                ("lambdaOutputUpdate", &ou.lambda_output_update),
            ] {
                if let Some(v) = v {
                    self.resource_role_update(&format!("{base}.{name}"), v);
                }
            }
            if let Some(d) = &ou.destination_schema_update {
                self.destination_schema(&format!("{base}.destinationSchemaUpdate"), d);
            }
        }
        for (i, ru) in u.reference_data_source_updates.iter().flatten().enumerate() {
            let base = format!("{path}.referenceDataSourceUpdates.{}.member", i + 1);
            self.id(&format!("{base}.referenceId"), &ru.reference_id);
            self.in_app_name(
                &format!("{base}.tableNameUpdate"),
                ru.table_name_update.as_ref(),
            );
            if let Some(s) = &ru.s3_reference_data_source_update {
                let p = format!("{base}.s3ReferenceDataSourceUpdate");
                self.arn(
                    &format!("{p}.bucketARNUpdate"),
                    s.bucket_arn_update.as_ref(),
                );
                if let Some(k) = &s.file_key_update {
                    self.len(&format!("{p}.fileKeyUpdate"), k, 1, 1024);
                }
                self.role(
                    &format!("{p}.referenceRoleARNUpdate"),
                    s.reference_role_arn_update.as_ref(),
                );
            }
            if let Some(s) = &ru.reference_schema_update {
                self.source_schema(&format!("{base}.referenceSchemaUpdate"), s);
            }
        }
        for (i, cu) in u
            .cloud_watch_logging_option_updates
            .iter()
            .flatten()
            .enumerate()
        {
            let base = format!("{path}.cloudWatchLoggingOptionUpdates.{}.member", i + 1);
            self.id(
                &format!("{base}.cloudWatchLoggingOptionId"),
                &cu.cloud_watch_logging_option_id,
            );
            self.arn(
                &format!("{base}.logStreamARNUpdate"),
                cu.log_stream_arn_update.as_ref(),
            );
            self.role(
                &format!("{base}.roleARNUpdate"),
                cu.role_arn_update.as_ref(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_lists_every_violation_in_service_style() {
        let mut v = Violations::default();
        v.application_name("applicationName", &None);
        v.range("limit", 0, 1, 50);
        let e = v.finish().unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.message,
            "2 validation errors detected: Value null at 'applicationName' failed to satisfy \
             constraint: Member must not be null; Value '0' at 'limit' failed to satisfy \
             constraint: Member must have value greater than or equal to 1"
        );
    }

    #[test]
    fn role_pattern_is_anchored() {
        let mut v = Violations::default();
        v.resource_role(
            "outputs.1.member.kinesisStreamsOutput",
            &ResourceRole {
                resource_arn: Some("arn:aws:kinesis:us-east-1:123456789012:stream/s".into()),
                role_arn: Some("arn:aws:iam::123:role/r".into()),
            },
        );
        let e = v.finish().unwrap_err();
        assert!(e.message.starts_with("1 validation error detected: Value 'arn:aws:iam::123:role/r' at 'outputs.1.member.kinesisStreamsOutput.roleARN'"), "{}", e.message);
    }
}
