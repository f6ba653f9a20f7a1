//! One application: its stored record and its lifecycle.
//!
//! ```text
//! CreateApplication ──> READY
//! READY   --Start--> STARTING --(start duration)--> RUNNING
//!                     (a failing start falls back to READY; a hanging one stays STARTING)
//! RUNNING --Stop---> STOPPING --(stop duration)---> READY
//! READY|RUNNING --Update/Add*/Delete*--> UPDATING --(update duration)--> READY|RUNNING
//! any but DELETING --Delete--> DELETING --(delete duration)--> gone
//! ```
//!
//! Transitions are stored as data (`pending`: what the status becomes, and when) and applied
//! lazily by [`AppRecord::settle`] whenever the application is looked at. The record is therefore
//! a pure function of what was stored and the clock: a restarted twin, or a test on virtual
//! time, sees exactly the status it should without any timer running.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::model::*;

/// The six v1 statuses (v2's AUTOSCALING, FORCE_STOPPING, ... do not exist in v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Created or stopped; can be started.
    Ready,
    /// Being started.
    Starting,
    /// Processing data.
    Running,
    /// Being stopped.
    Stopping,
    /// A configuration change is being applied.
    Updating,
    /// Being deleted.
    Deleting,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "READY",
            Status::Starting => "STARTING",
            Status::Running => "RUNNING",
            Status::Stopping => "STOPPING",
            Status::Updating => "UPDATING",
            Status::Deleting => "DELETING",
        }
    }
}

/// What a pending transition leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A status.
    Status(Status),
    /// The application no longer exists.
    Gone,
}

/// A transition that happens by itself at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// To what.
    pub to: Target,
}

/// Counters for the ids the service hands out (`<kind>.<n>`, never reused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCounters {
    /// Inputs (`1.n`).
    pub input: u32,
    /// Outputs (`2.n`).
    pub output: u32,
    /// Reference data sources (`3.n`).
    pub reference: u32,
    /// CloudWatch logging options (`4.n`).
    pub logging: u32,
}

impl IdCounters {
    /// The next input id.
    pub fn next_input(&mut self) -> String {
        self.input += 1;
        format!("1.{}", self.input)
    }
    /// The next output id.
    pub fn next_output(&mut self) -> String {
        self.output += 1;
        format!("2.{}", self.output)
    }
    /// The next reference data source id.
    pub fn next_reference(&mut self) -> String {
        self.reference += 1;
        format!("3.{}", self.reference)
    }
    /// The next logging option id.
    pub fn next_logging(&mut self) -> String {
        self.logging += 1;
        format!("4.{}", self.logging)
    }
}

/// Everything the twin knows about one application; this is what is persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRecord {
    /// ApplicationName.
    pub name: String,
    /// ApplicationDescription.
    pub description: Option<String>,
    /// ApplicationARN.
    pub arn: String,
    /// The status as of the last settle.
    pub status: Status,
    /// The transition under way, if any.
    pub pending: Option<Transition>,
    /// Set once the application is gone (kept only until it is pruned).
    #[serde(default)]
    pub gone: bool,
    /// CreateTimestamp in milliseconds.
    pub create_ms: i64,
    /// LastUpdateTimestamp in milliseconds.
    pub last_update_ms: i64,
    /// ApplicationVersionId.
    pub version: i64,
    /// ApplicationCode, verbatim.
    pub code: Option<String>,
    /// InputDescriptions.
    pub inputs: Vec<InputDescription>,
    /// OutputDescriptions.
    pub outputs: Vec<OutputDescription>,
    /// ReferenceDataSourceDescriptions.
    pub references: Vec<ReferenceDataSourceDescription>,
    /// CloudWatchLoggingOptionDescriptions.
    pub logging: Vec<CloudWatchLoggingOptionDescription>,
    /// User tags, in the order they were first set.
    pub tags: IndexMap<String, String>,
    /// Id counters.
    pub ids: IdCounters,
}

/// Milliseconds since the epoch.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub use crate::protocol::epoch_seconds;

impl crate::resources::Record for AppRecord {
    fn settle(&mut self, now_ms: i64) -> bool {
        AppRecord::settle(self, now_ms)
    }

    fn gone(&self) -> bool {
        self.gone
    }
}

impl AppRecord {
    /// Applies every transition that is due at `now_ms`. Returns true if anything changed.
    pub fn settle(&mut self, now_ms: i64) -> bool {
        match self.pending {
            Some(t) if t.at_ms <= now_ms => {
                self.pending = None;
                match t.to {
                    Target::Status(s) => self.status = s,
                    Target::Gone => self.gone = true,
                }
                true
            }
            _ => false,
        }
    }

    /// Begins a transition: the status is `now` at once, and becomes `then` after `after_ms`
    /// (never, if `then` is `None`).
    pub fn begin(&mut self, now: Status, then: Option<Target>, now_ms: i64, after_ms: i64) {
        self.status = now;
        self.pending = then.map(|to| Transition {
            at_ms: now_ms + after_ms,
            to,
        });
    }

    /// The summary shape.
    pub fn summary(&self) -> ApplicationSummary {
        ApplicationSummary {
            application_name: Some(self.name.clone()),
            application_arn: Some(self.arn.clone()),
            application_status: Some(self.status.as_str().to_string()),
        }
    }

    /// The detail shape (DescribeApplication).
    pub fn detail(&self) -> ApplicationDetail {
        ApplicationDetail {
            application_name: Some(self.name.clone()),
            application_description: self.description.clone(),
            application_arn: Some(self.arn.clone()),
            application_status: Some(self.status.as_str().to_string()),
            create_timestamp: Some(epoch_seconds(self.create_ms)),
            last_update_timestamp: Some(epoch_seconds(self.last_update_ms)),
            input_descriptions: Some(self.inputs.clone()),
            output_descriptions: Some(self.outputs.clone()),
            reference_data_source_descriptions: Some(self.references.clone()),
            cloud_watch_logging_option_descriptions: Some(self.logging.clone()),
            application_code: self.code.clone(),
            application_version_id: Some(self.version),
        }
    }

    /// Records a configuration change: one more version, a new LastUpdateTimestamp.
    pub fn bump(&mut self, now_ms: i64) {
        self.version += 1;
        self.last_update_ms = now_ms;
    }
}

/// The in-application stream names of an input: `<prefix>_001` .. `<prefix>_<count>`.
pub fn in_app_stream_names(prefix: &str, count: i64) -> Vec<String> {
    (1..=count.max(1))
        .map(|i| format!("{prefix}_{i:03}"))
        .collect()
}

/// Builds the stored description of an input from the request shape.
pub fn describe_input(id: String, input: &Input) -> InputDescription {
    let prefix = input.name_prefix.clone().unwrap_or_default();
    let count = input
        .input_parallelism
        .as_ref()
        .and_then(|p| p.count)
        .unwrap_or(1);
    InputDescription {
        input_id: Some(id),
        in_app_stream_names: Some(in_app_stream_names(&prefix, count)),
        name_prefix: Some(prefix),
        input_processing_configuration_description: input
            .input_processing_configuration
            .as_ref()
            .map(describe_processing),
        kinesis_streams_input_description: input.kinesis_streams_input.clone(),
        kinesis_firehose_input_description: input.kinesis_firehose_input.clone(),
        input_schema: input.input_schema.clone(),
        input_parallelism: Some(InputParallelism { count: Some(count) }),
        input_starting_position_configuration: None,
    }
}

/// The description of an input processing configuration.
pub fn describe_processing(
    c: &InputProcessingConfiguration,
) -> InputProcessingConfigurationDescription {
    InputProcessingConfigurationDescription {
        input_lambda_processor_description: c.input_lambda_processor.clone(),
    }
}

/// Builds the stored description of an output.
pub fn describe_output(id: String, o: &Output) -> OutputDescription {
    OutputDescription {
        output_id: Some(id),
        name: o.name.clone(),
        kinesis_streams_output_description: o.kinesis_streams_output.clone(),
        kinesis_firehose_output_description: o.kinesis_firehose_output.clone(),
        lambda_output_description: o.lambda_output.clone(),
        destination_schema: o.destination_schema.clone(),
    }
}

/// Builds the stored description of a reference data source.
pub fn describe_reference(id: String, r: &ReferenceDataSource) -> ReferenceDataSourceDescription {
    ReferenceDataSourceDescription {
        reference_id: Some(id),
        table_name: r.table_name.clone(),
        s3_reference_data_source_description: r.s3_reference_data_source.clone(),
        reference_schema: r.reference_schema.clone(),
    }
}

/// Builds the stored description of a logging option.
pub fn describe_logging(
    id: String,
    c: &CloudWatchLoggingOption,
) -> CloudWatchLoggingOptionDescription {
    CloudWatchLoggingOptionDescription {
        cloud_watch_logging_option_id: Some(id),
        log_stream_arn: c.log_stream_arn.clone(),
        role_arn: c.role_arn.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_are_numbered_from_001() {
        assert_eq!(
            in_app_stream_names("SOURCE_SQL_STREAM", 2),
            vec!["SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"]
        );
    }

    #[test]
    fn settle_applies_due_transitions_only() {
        let mut r = AppRecord {
            name: "a".into(),
            description: None,
            arn: "arn".into(),
            status: Status::Ready,
            pending: None,
            gone: false,
            create_ms: 0,
            last_update_ms: 0,
            version: 1,
            code: None,
            inputs: vec![],
            outputs: vec![],
            references: vec![],
            logging: vec![],
            tags: IndexMap::new(),
            ids: IdCounters::default(),
        };
        r.begin(
            Status::Starting,
            Some(Target::Status(Status::Running)),
            1_000,
            2_000,
        );
        assert!(!r.settle(2_999));
        assert_eq!(r.status, Status::Starting);
        assert!(r.settle(3_000));
        assert_eq!(r.status, Status::Running);
        r.begin(Status::Deleting, Some(Target::Gone), 3_000, 10);
        r.settle(3_010);
        assert!(r.gone);
    }
}
