//! The application spec: everything `CreateApplication` needs, as a file a person can edit.
//!
//! The embedded default is `workflow/examples/reference-app.toml` (the reference application);
//! a spec file in TOML or JSON replaces it. A spec may hold `${<prerequisite>}` placeholders in
//! its ARNs and `{stream}`/`{window}` in its code; [`ApplicationSpec::render`] fills them in and
//! gives the concrete configuration that is compared with (or sent to) Kinesis Analytics.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::WorkflowError;
use crate::prerequisites::{FIELDS, Prerequisites};

/// The reference application's spec, as shipped.
pub const REFERENCE_SPEC_TOML: &str = include_str!("../examples/reference-app.toml");

/// Window length when a spec leaves `window_seconds` out.
pub const DEFAULT_WINDOW_SECONDS: u32 = 5;
/// Input parallelism when a spec leaves it out (one in-application stream, `<prefix>_001`).
pub const DEFAULT_PARALLELISM: u32 = 1;

/// A Kinesis Data Analytics SQL application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationSpec {
    /// ApplicationName (1-128 of `[a-zA-Z0-9_.-]`).
    pub name: String,
    /// ApplicationDescription (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Window length in seconds, substituted for `{window}` in the code (absent: 5).
    #[serde(default = "default_window")]
    pub window_seconds: u32,
    /// The SQL, with `{stream}` and `{window}` placeholders.
    pub code: String,
    /// The one streaming input.
    pub input: InputSpec,
    /// Up to three outputs.
    #[serde(default)]
    pub outputs: Vec<OutputSpec>,
    /// Where it runs: `sql` (Kinesis Data Analytics SQL, kinesisanalytics v1; the default) or
    /// `flink` (translated to Flink SQL, on Managed Service for Apache Flink through
    /// kinesisanalyticsv2: `kdaflow up` runs the Flink bootstrap for it).
    #[serde(default, skip_serializing_if = "Runtime::is_sql")]
    pub runtime: Runtime,
    /// With `runtime = "flink"`: the Managed Service for Apache Flink application's settings
    /// (absent: the defaults of the Flink bootstrap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink: Option<crate::flink::FlinkSettings>,
}

/// Where an application runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// Kinesis Data Analytics SQL (kinesisanalytics v1).
    #[default]
    Sql,
    /// Managed Service for Apache Flink (kinesisanalyticsv2), translated.
    Flink,
}

impl Runtime {
    fn is_sql(&self) -> bool {
        *self == Runtime::Sql
    }
}

fn default_window() -> u32 {
    DEFAULT_WINDOW_SECONDS
}

fn default_parallelism() -> u32 {
    DEFAULT_PARALLELISM
}

/// An ARN and the role Kinesis Analytics assumes to use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRole {
    /// The resource (may be `${<prerequisite>}`).
    pub resource_arn: String,
    /// The role (may be `${<prerequisite>}`).
    pub role_arn: String,
}

/// Where the input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// `KinesisFirehoseInput`.
    Firehose,
    /// `KinesisStreamsInput`.
    KinesisStream,
}

/// The input's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// `firehose` or `kinesis-stream`.
    pub kind: SourceKind,
    /// The stream (may be `${<prerequisite>}`).
    pub resource_arn: String,
    /// The role (may be `${<prerequisite>}`).
    pub role_arn: String,
}

/// The streaming input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// NamePrefix: in-application streams are `<prefix>_001` ...
    pub name_prefix: String,
    /// InputParallelism.Count (absent: 1).
    #[serde(default = "default_parallelism")]
    pub parallelism: u32,
    /// The source stream.
    pub source: SourceSpec,
    /// The preprocessing Lambda function (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor: Option<ResourceRole>,
    /// How records are parsed.
    pub schema: SchemaSpec,
}

/// Record format of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "format", rename_all = "lowercase", deny_unknown_fields)]
pub enum SchemaSpec {
    /// Delimited text.
    Csv {
        /// RecordRowDelimiter.
        row_delimiter: String,
        /// RecordColumnDelimiter.
        column_delimiter: String,
        /// RecordColumns.
        columns: Vec<ColumnSpec>,
    },
    /// JSON documents.
    Json {
        /// RecordRowPath, e.g. `$`.
        row_path: String,
        /// RecordColumns.
        columns: Vec<ColumnSpec>,
    },
}

impl SchemaSpec {
    /// The columns.
    pub fn columns(&self) -> &[ColumnSpec] {
        match self {
            SchemaSpec::Csv { columns, .. } | SchemaSpec::Json { columns, .. } => columns,
        }
    }
}

/// One input column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Name (case-sensitive in the SQL).
    pub name: String,
    /// SqlType, e.g. `VARCHAR(14)`, `INTEGER`.
    pub sql_type: String,
    /// Mapping (absent: the column name for CSV, `$.<name>` for JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
}

/// Where an output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationKind {
    /// `LambdaOutput`.
    Lambda,
    /// `KinesisStreamsOutput`.
    KinesisStream,
    /// `KinesisFirehoseOutput`.
    Firehose,
}

/// An output's destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationSpec {
    /// `lambda`, `kinesis-stream` or `firehose`.
    pub kind: DestinationKind,
    /// The destination (may be `${<prerequisite>}`).
    pub resource_arn: String,
    /// The role (may be `${<prerequisite>}`).
    pub role_arn: String,
}

/// Record format written to a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordFormat {
    /// CSV.
    Csv,
    /// JSON.
    Json,
}

/// One output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// The in-application stream to send (must be created by the code).
    pub name: String,
    /// Where.
    pub destination: DestinationSpec,
    /// DestinationSchema.RecordFormatType.
    pub format: RecordFormat,
}

fn fill(field: &str, text: &str, prerequisites: &Prerequisites) -> Result<String, WorkflowError> {
    crate::placeholders::substitute(text, |name| {
        prerequisites.get(name).map(str::to_string).ok_or_else(|| {
            let known: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            WorkflowError::Spec(format!(
                "{field}: unknown placeholder ${{{name}}}; known: {}",
                known.join(", ")
            ))
        })
    })
    .map_err(|e| match e {
        WorkflowError::Placeholder(u) => WorkflowError::Spec(format!("{field}: {u}")),
        e => e,
    })
}

impl ApplicationSpec {
    /// The reference application.
    pub fn reference() -> Self {
        Self::from_toml(REFERENCE_SPEC_TOML).expect("the embedded reference spec is valid")
    }

    /// Parses a TOML spec.
    pub fn from_toml(text: &str) -> Result<Self, WorkflowError> {
        toml::from_str(text).map_err(|e| WorkflowError::Spec(format!("not a valid TOML spec: {e}")))
    }

    /// Parses a JSON spec.
    pub fn from_json(text: &str) -> Result<Self, WorkflowError> {
        serde_json::from_str(text)
            .map_err(|e| WorkflowError::Spec(format!("not a valid JSON spec: {e}")))
    }

    /// Loads a spec file: `.json` as JSON, anything else as TOML.
    pub fn load(path: &Path) -> Result<Self, WorkflowError> {
        let text = std::fs::read_to_string(path).map_err(|e| WorkflowError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let spec = if path.extension().is_some_and(|e| e == "json") {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        };
        spec.map_err(|e| WorkflowError::Spec(format!("{}: {e}", path.display())))
    }

    /// The in-application input stream `{stream}` stands for.
    pub fn input_stream(&self) -> String {
        format!("{}_001", self.input.name_prefix)
    }

    /// The concrete configuration: placeholders filled in, name and window overridden if
    /// asked, column mappings defaulted.
    pub fn render(
        &self,
        prerequisites: &Prerequisites,
        name: Option<&str>,
        window_seconds: Option<u32>,
    ) -> Result<Self, WorkflowError> {
        let mut out = self.clone();
        if let Some(n) = name {
            out.name = n.to_string();
        }
        if let Some(w) = window_seconds {
            out.window_seconds = w;
        }
        out.code = self
            .code
            .replace("{stream}", &out.input_stream())
            .replace("{window}", &out.window_seconds.to_string());
        let src = &mut out.input.source;
        src.resource_arn = fill(
            "input.source.resource_arn",
            &src.resource_arn,
            prerequisites,
        )?;
        src.role_arn = fill("input.source.role_arn", &src.role_arn, prerequisites)?;
        if let Some(p) = &mut out.input.processor {
            p.resource_arn = fill(
                "input.processor.resource_arn",
                &p.resource_arn,
                prerequisites,
            )?;
            p.role_arn = fill("input.processor.role_arn", &p.role_arn, prerequisites)?;
        }
        let json = matches!(out.input.schema, SchemaSpec::Json { .. });
        let columns = match &mut out.input.schema {
            SchemaSpec::Csv { columns, .. } | SchemaSpec::Json { columns, .. } => columns,
        };
        for c in columns.iter_mut() {
            if c.mapping.is_none() {
                c.mapping = Some(if json {
                    format!("$.{}", c.name)
                } else {
                    c.name.clone()
                });
            }
        }
        for (i, o) in out.outputs.iter_mut().enumerate() {
            let d = &mut o.destination;
            d.resource_arn = fill(
                &format!("outputs[{i}].destination.resource_arn"),
                &d.resource_arn,
                prerequisites,
            )?;
            d.role_arn = fill(
                &format!("outputs[{i}].destination.role_arn"),
                &d.role_arn,
                prerequisites,
            )?;
        }
        Ok(out)
    }

    /// This application without output `name`: the output goes, and so does every statement
    /// of the code that names its in-application stream (its CREATE STREAM and the pump that
    /// inserts into it). `kdaflow bench sql --no-rcf` runs the reference application without
    /// its forest this way.
    pub fn without_output(&self, name: &str) -> Self {
        let mut out = self.clone();
        out.outputs.retain(|o| o.name != name);
        let quoted = format!("\"{name}\"");
        let kept: Vec<&str> = self
            .code
            .split_inclusive(';')
            .filter(|statement| !statement.contains(&quoted))
            .collect();
        out.code = kept.concat();
        out
    }

    /// The differences between this (desired) configuration and `current`, one line each,
    /// worded for a person; empty when they are the same.
    pub fn differences(&self, current: &ApplicationSpec) -> Vec<String> {
        let mut d = Vec::new();
        if self.description != current.description {
            d.push(format!(
                "description: want {:?}, have {:?}",
                self.description, current.description
            ));
        }
        if self.code.trim() != current.code.trim() {
            d.push("code: the application code differs from the spec's".to_string());
        }
        let (want, have) = (&self.input, &current.input);
        if want.name_prefix != have.name_prefix {
            d.push(format!(
                "input.name_prefix: want {}, have {}",
                want.name_prefix, have.name_prefix
            ));
        }
        if want.parallelism != have.parallelism {
            d.push(format!(
                "input.parallelism: want {}, have {}",
                want.parallelism, have.parallelism
            ));
        }
        if want.source != have.source {
            d.push(format!(
                "input.source: want {:?} {} (role {}), have {:?} {} (role {})",
                want.source.kind,
                want.source.resource_arn,
                want.source.role_arn,
                have.source.kind,
                have.source.resource_arn,
                have.source.role_arn
            ));
        }
        if want.processor != have.processor {
            let show = |p: &Option<ResourceRole>| match p {
                Some(p) => format!("{} (role {})", p.resource_arn, p.role_arn),
                None => "none".to_string(),
            };
            d.push(format!(
                "input.processor: want {}, have {}",
                show(&want.processor),
                show(&have.processor)
            ));
        }
        if want.schema != have.schema {
            d.push("input.schema: the record format or columns differ".to_string());
        }
        for o in &self.outputs {
            match current.outputs.iter().find(|c| c.name == o.name) {
                None => d.push(format!("outputs: {} is missing", o.name)),
                Some(c) if c != o => d.push(format!(
                    "outputs: {} goes to {:?} {} (role {}, {:?}); want {:?} {} (role {}, {:?})",
                    o.name,
                    c.destination.kind,
                    c.destination.resource_arn,
                    c.destination.role_arn,
                    c.format,
                    o.destination.kind,
                    o.destination.resource_arn,
                    o.destination.role_arn,
                    o.format
                )),
                Some(_) => {}
            }
        }
        for c in &current.outputs {
            if !self.outputs.iter().any(|o| o.name == c.name) {
                d.push(format!("outputs: {} is not in the spec", c.name));
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_output_drops_the_output_its_stream_and_its_pump() {
        let full = ApplicationSpec::reference();
        let lean = full.without_output("ANOMALY_SCORE_SQL_STREAM");
        assert_eq!(lean.outputs.len(), full.outputs.len() - 1);
        assert!(!lean.code.contains("ANOMALY_SCORE"), "{}", lean.code);
        assert!(!lean.code.contains("RANDOM_CUT_FOREST"));
        // The other pumps stay exactly as they were.
        for keep in [
            "AVG_STAR_RATING_SQL_STREAM_PUMP",
            "APPROXIMATE_COUNT_STREAM_PUMP",
        ] {
            assert!(lean.code.contains(keep), "{keep}");
        }
        assert_eq!(
            lean.code.matches(';').count(),
            full.code.matches(';').count() - 2
        );
    }

    #[test]
    fn reference_spec_renders_as_issue_4_says() {
        let p = Prerequisites::example("us-east-1", "123456789012");
        let spec = ApplicationSpec::reference().render(&p, None, None).unwrap();
        assert_eq!(spec.name, "dsoaws-kinesis-data-analytics-sql-app");
        assert_eq!(spec.input_stream(), "SOURCE_SQL_STREAM_001");
        assert!(spec.code.contains("FROM \"SOURCE_SQL_STREAM_001\""));
        assert!(spec.code.contains("INTERVAL '5' SECOND"));
        assert!(spec.code.contains("'review_id', 5)"));
        assert_eq!(spec.input.source.resource_arn, p.firehose_arn);
        assert_eq!(
            spec.input.processor.as_ref().unwrap().resource_arn,
            p.lambda_fn_arn_invoke_ep
        );
        let cols = spec.input.schema.columns();
        assert_eq!(cols.len(), 4);
        assert!(
            cols.iter()
                .all(|c| c.mapping.as_deref() == Some(c.name.as_str()))
        );
        assert_eq!(spec.outputs[1].destination.role_arn, p.iam_role_kinesis_arn);
        assert_eq!(
            spec.outputs[2].destination.kind,
            DestinationKind::KinesisStream
        );
        assert!(spec.differences(&spec).is_empty());
    }

    #[test]
    fn overrides_and_differences() {
        let p = Prerequisites::example("us-east-1", "123456789012");
        let spec = ApplicationSpec::reference();
        let a = spec.render(&p, Some("other"), Some(10)).unwrap();
        assert_eq!(a.name, "other");
        assert!(a.code.contains("INTERVAL '10' SECOND"));
        let b = spec.render(&p, None, None).unwrap();
        let mut c = b.clone();
        c.outputs.pop();
        c.outputs[0].format = RecordFormat::Json;
        let d = b.differences(&c);
        assert!(
            d.iter()
                .any(|l| l.contains("APPROXIMATE_COUNT_SQL_STREAM is missing")),
            "{d:?}"
        );
        assert!(
            d.iter()
                .any(|l| l.starts_with("outputs: AVG_STAR_RATING_SQL_STREAM goes to")),
            "{d:?}"
        );
        assert!(b.differences(&a).iter().any(|l| l.starts_with("code:")));
    }

    #[test]
    fn bad_placeholders_and_fields_are_reported() {
        let p = Prerequisites::example("us-east-1", "123456789012");
        let mut spec = ApplicationSpec::reference();
        spec.input.source.resource_arn = "${firehose}".into();
        let e = spec.render(&p, None, None).unwrap_err().to_string();
        assert!(e.contains("unknown placeholder ${firehose}"), "{e}");
        let e = ApplicationSpec::from_toml("name = 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("TOML"), "{e}");
        let json = serde_json::to_string(&ApplicationSpec::reference()).unwrap();
        assert_eq!(
            ApplicationSpec::from_json(&json).unwrap(),
            ApplicationSpec::reference()
        );
    }
}
