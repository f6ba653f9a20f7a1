//! The bootstrap for Managed Service for Apache Flink (`kinesisanalyticsv2`): the application
//! spec of a Flink application, the execution input, and its normalised request.
//!
//! The same contract as the SQL bootstrap (error names, the poll schedule, drift policy); the
//! prerequisites are the service execution role, the code location (an S3 zip, e.g. the one
//! `kdaflow flink translate --profile aws --zip` builds) and the Kinesis streams the application
//! reads and writes.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::contract::errors;
use crate::input::{DEFAULT_MAX_WAIT_SECONDS, DriftPolicy, MAX_MAX_WAIT_SECONDS, TaskFailure};
use crate::prerequisites::{self, Kind};

/// The runtime a spec gets when it names none.
pub const DEFAULT_RUNTIME: &str = "FLINK-1_20";
/// The property group Managed Service for Apache Flink reads a Python application's entry
/// point from.
pub const RUN_OPTIONS: &str = "kinesis.analytics.flink.run.options";

/// Where the application's code is: an object in S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeLocation {
    /// `arn:aws:s3:::<bucket>`.
    pub bucket_arn: String,
    /// The zip's key.
    pub file_key: String,
    /// The object version, for a versioned bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_version: Option<String>,
}

/// A Flink application as the bootstrap creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlinkSpec {
    /// ApplicationName.
    pub name: String,
    /// ApplicationDescription.
    #[serde(default)]
    pub description: String,
    /// RuntimeEnvironment (`FLINK-1_20` by default).
    #[serde(default = "default_runtime")]
    pub runtime_environment: String,
    /// ServiceExecutionRole: the role the application assumes
    /// (`arn:aws:iam::<account>:role/<name>`).
    pub service_execution_role: String,
    /// The code.
    pub code: CodeLocation,
    /// Environment properties: property group id -> key -> value. A Python application needs
    /// `kinesis.analytics.flink.run.options` with `python` (and `jarfile` for its connectors).
    #[serde(default)]
    pub properties: IndexMap<String, IndexMap<String, String>>,
    /// Parallelism (1 by default).
    #[serde(default = "one")]
    pub parallelism: i64,
    /// Parallelism per KPU (1 by default).
    #[serde(default = "one")]
    pub parallelism_per_kpu: i64,
    /// Automatic scaling (off by default, so the parallelism is the one given).
    #[serde(default)]
    pub auto_scaling: bool,
    /// Checkpointing (on by default).
    #[serde(default = "yes")]
    pub checkpointing: bool,
    /// Checkpoint interval in milliseconds (60,000 by default).
    #[serde(default = "minute")]
    pub checkpoint_interval_ms: i64,
    /// Snapshots, so that a stop keeps state and a start can restore it (on by default).
    #[serde(default = "yes")]
    pub snapshots: bool,
    /// The Kinesis streams the application reads and writes (their ARNs): prerequisites.
    #[serde(default)]
    pub streams: Vec<String>,
}

fn default_runtime() -> String {
    DEFAULT_RUNTIME.to_string()
}
fn one() -> i64 {
    1
}
fn yes() -> bool {
    true
}
fn minute() -> i64 {
    60_000
}

/// A translated application's Managed Service for Apache Flink settings (the `[flink]` table
/// of an application spec with `runtime = "flink"`); each absent one is the Flink bootstrap's
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlinkSettings {
    /// ApplicationName on Managed Service for Apache Flink (absent: the spec's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// RuntimeEnvironment (`FLINK-1_20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_environment: Option<String>,
    /// ServiceExecutionRole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_execution_role: Option<String>,
    /// Where the translated zip goes (`kdaflow up` puts it there on the twin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeLocation>,
    /// Parallelism (1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// Parallelism per KPU (1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism_per_kpu: Option<i64>,
    /// Automatic scaling (off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling: Option<bool>,
    /// Checkpointing (on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpointing: Option<bool>,
    /// Checkpoint interval in milliseconds (60,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_interval_ms: Option<i64>,
    /// Snapshots (on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<bool>,
    /// Environment properties beside the ones the translation needs.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub properties: IndexMap<String, IndexMap<String, String>>,
}

impl FlinkSpec {
    /// `settings` applied over this spec.
    pub fn with(mut self, settings: &FlinkSettings) -> Self {
        let s = settings.clone();
        if let Some(v) = s.name {
            self.name = v;
        }
        if let Some(v) = s.runtime_environment {
            self.runtime_environment = v;
        }
        if let Some(v) = s.service_execution_role {
            self.service_execution_role = v;
        }
        if let Some(v) = s.code {
            self.code = v;
        }
        self.parallelism = s.parallelism.unwrap_or(self.parallelism);
        self.parallelism_per_kpu = s.parallelism_per_kpu.unwrap_or(self.parallelism_per_kpu);
        self.auto_scaling = s.auto_scaling.unwrap_or(self.auto_scaling);
        self.checkpointing = s.checkpointing.unwrap_or(self.checkpointing);
        self.checkpoint_interval_ms = s
            .checkpoint_interval_ms
            .unwrap_or(self.checkpoint_interval_ms);
        self.snapshots = s.snapshots.unwrap_or(self.snapshots);
        self.properties.extend(s.properties);
        self
    }
}

/// Where a start restores state from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Restore {
    /// The newest snapshot (none: a fresh start). The default.
    #[default]
    RestoreFromLatestSnapshot,
    /// No state.
    SkipRestoreFromSnapshot,
    /// The snapshot named by `snapshot_name`.
    RestoreFromCustomSnapshot,
}

impl Restore {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Restore::RestoreFromLatestSnapshot => "RESTORE_FROM_LATEST_SNAPSHOT",
            Restore::SkipRestoreFromSnapshot => "SKIP_RESTORE_FROM_SNAPSHOT",
            Restore::RestoreFromCustomSnapshot => "RESTORE_FROM_CUSTOM_SNAPSHOT",
        }
    }
}

/// The Flink bootstrap's execution input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlinkExecutionInput {
    /// The application.
    pub application: Option<FlinkSpec>,
    /// Where the start restores state from (RESTORE_FROM_LATEST_SNAPSHOT by default).
    #[serde(default)]
    pub restore: Option<Restore>,
    /// The snapshot, with RESTORE_FROM_CUSTOM_SNAPSHOT.
    #[serde(default)]
    pub snapshot_name: Option<String>,
    /// Start even if the snapshot has state the new code cannot map.
    #[serde(default)]
    pub allow_non_restored_state: Option<bool>,
    /// How long to wait for RUNNING (600 s by default; Flink applications often start slower).
    #[serde(default)]
    pub max_wait_seconds: Option<u64>,
    /// What to do when the application exists with a different configuration.
    #[serde(default)]
    pub on_drift: Option<DriftPolicy>,
}

/// The normalised input every Flink task after the first receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlinkRequest {
    /// ApplicationName (the spec's).
    pub application_name: String,
    /// The application.
    pub application: FlinkSpec,
    /// Where the start restores state from.
    pub restore: Restore,
    /// The snapshot, with RESTORE_FROM_CUSTOM_SNAPSHOT.
    pub snapshot_name: Option<String>,
    /// AllowNonRestoredState.
    pub allow_non_restored_state: bool,
    /// How long to wait for RUNNING.
    pub max_wait_seconds: u64,
    /// What to do about drift.
    pub on_drift: DriftPolicy,
}

/// The input of the Flink StartApplication and CheckApplicationStatus tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlinkPollInput {
    /// The request.
    pub request: FlinkRequest,
    /// The previous poll (absent for StartApplication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<FlinkPollState>,
    /// `$$.Execution.StartTime`.
    pub started_at: String,
    /// `$$.State.EnteredTime`.
    pub now: String,
}

/// Where the Flink wait-until-running loop stands: the SQL loop's state plus the start's
/// operation and, when it failed, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlinkPollState {
    /// ApplicationStatus as last seen.
    pub status: String,
    /// The StartApplication operation followed (empty when another execution started it).
    pub operation_id: String,
    /// ApplicationVersionId as last seen.
    pub version_id: i64,
    /// How many times the status was read after the start.
    pub polls: u64,
    /// How long the next Wait lasts.
    pub wait_seconds: u64,
    /// Seconds since the execution started.
    pub elapsed_seconds: u64,
    /// Whether `max_wait_seconds` has passed.
    pub deadline_passed: bool,
    /// Why the start failed, as the service says (its operation's ErrorString), or a
    /// description of the state it ended in.
    pub reason: String,
}

impl FlinkPollState {
    /// The next poll state from the shared schedule ([`crate::input::next_poll`]).
    pub fn next(
        previous: Option<&FlinkPollState>,
        status: &str,
        operation_id: &str,
        version_id: i64,
        elapsed_seconds: u64,
        max_wait_seconds: u64,
        counted: bool,
    ) -> Self {
        let shared = previous.map(|p| crate::input::PollState {
            status: p.status.clone(),
            input_id: String::new(),
            version_id: p.version_id,
            polls: p.polls,
            wait_seconds: p.wait_seconds,
            elapsed_seconds: p.elapsed_seconds,
            deadline_passed: p.deadline_passed,
        });
        let n = crate::input::next_poll(
            shared.as_ref(),
            status,
            "",
            version_id,
            elapsed_seconds,
            max_wait_seconds,
            counted,
        );
        FlinkPollState {
            status: n.status,
            operation_id: operation_id.to_string(),
            version_id: n.version_id,
            polls: n.polls,
            wait_seconds: n.wait_seconds,
            elapsed_seconds: n.elapsed_seconds,
            deadline_passed: n.deadline_passed,
            reason: String::new(),
        }
    }
}

/// Checks an S3 bucket ARN (`arn:<partition>:s3:::<bucket>`).
fn check_bucket(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "s3"
        && parts[3].is_empty()
        && parts[4].is_empty()
        && (3..=63).contains(&parts[5].len())
        && parts[5]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err("is not an S3 bucket ARN (arn:aws:s3:::<bucket>, 3-63 of [a-z0-9.-])".into())
    }
}

/// Turns the raw execution input into a [`FlinkRequest`], reporting every problem at once.
pub fn normalise(raw: &serde_json::Value) -> Result<FlinkRequest, TaskFailure> {
    let input: FlinkExecutionInput = serde_json::from_value(raw.clone()).map_err(|e| {
        TaskFailure::new(
            errors::INPUT_INVALID,
            format!(
                "The execution input is not valid: {e}. See the README's \"Flink bootstrap\" section"
            ),
        )
    })?;
    let Some(spec) = input.application.clone() else {
        return Err(TaskFailure::new(
            errors::INPUT_INVALID,
            "The execution input has no \"application\": give the Flink application's spec (name, service_execution_role, code)",
        ));
    };
    // Prerequisites: the role, the code's bucket, the streams; one account and region.
    let mut problems: Vec<String> = Vec::new();
    let role = prerequisites::check(Kind::IamRole, &spec.service_execution_role);
    if let Err(r) = &role {
        problems.push(format!(
            "application.service_execution_role = {:?} {r}",
            spec.service_execution_role
        ));
    }
    if let Err(r) = check_bucket(&spec.code.bucket_arn) {
        problems.push(format!(
            "application.code.bucket_arn = {:?} {r}",
            spec.code.bucket_arn
        ));
    }
    if spec.code.file_key.is_empty() || spec.code.file_key.len() > 1024 {
        problems.push("application.code.file_key: must be 1-1024 characters".into());
    }
    let mut region: Option<(String, String)> = None;
    for (i, s) in spec.streams.iter().enumerate() {
        match prerequisites::check(Kind::KinesisStream, s) {
            Err(r) => problems.push(format!("application.streams[{i}] = {s:?} {r}")),
            Ok(arn) => {
                if let Ok(role) = &role
                    && role.account != arn.account
                {
                    problems.push(format!(
                        "application.streams[{i}] = {s:?} is in account {} but the service execution role is in {}; they must share an account",
                        arn.account, role.account
                    ));
                }
                match &region {
                    None => region = Some((arn.region.clone(), s.clone())),
                    Some((r, first)) if *r != arn.region => problems.push(format!(
                        "application.streams[{i}] = {s:?} is in {} but {first} is in {r}; the streams must share a region",
                        arn.region
                    )),
                    _ => {}
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(TaskFailure::new(
            errors::PREREQUISITE_INVALID,
            format!(
                "{} prerequisite problem(s):\n- {}",
                problems.len(),
                problems.join("\n- ")
            ),
        ));
    }
    let n = &spec.name;
    if n.is_empty()
        || n.len() > 128
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        problems.push(format!(
            "application.name = {n:?}: must be 1-128 of [a-zA-Z0-9_.-]"
        ));
    }
    if !spec.runtime_environment.starts_with("FLINK-") {
        problems.push(format!(
            "application.runtime_environment = {:?}: the Flink bootstrap creates FLINK-* applications (FLINK-1_20 by default)",
            spec.runtime_environment
        ));
    }
    for (what, v) in [
        ("parallelism", spec.parallelism),
        ("parallelism_per_kpu", spec.parallelism_per_kpu),
        ("checkpoint_interval_ms", spec.checkpoint_interval_ms),
    ] {
        if v < 1 {
            problems.push(format!("application.{what} = {v}: must be at least 1"));
        }
    }
    if spec.properties.len() > 50 {
        problems.push(format!(
            "application.properties: {} groups; at most 50",
            spec.properties.len()
        ));
    }
    if let Some(m) = input.max_wait_seconds
        && !(30..=MAX_MAX_WAIT_SECONDS).contains(&m)
    {
        problems.push(format!(
            "max_wait_seconds = {m}: must be 30-{MAX_MAX_WAIT_SECONDS}"
        ));
    }
    let restore = input.restore.unwrap_or_default();
    match (restore, &input.snapshot_name) {
        (Restore::RestoreFromCustomSnapshot, None) => {
            problems.push("restore = RESTORE_FROM_CUSTOM_SNAPSHOT needs snapshot_name".into());
        }
        (Restore::RestoreFromCustomSnapshot, Some(_)) | (_, None) => {}
        (r, Some(_)) => problems.push(format!(
            "snapshot_name goes with restore = RESTORE_FROM_CUSTOM_SNAPSHOT, not {}",
            r.as_str()
        )),
    }
    if !problems.is_empty() {
        return Err(TaskFailure::new(
            errors::INPUT_INVALID,
            format!(
                "{} input problem(s):\n- {}",
                problems.len(),
                problems.join("\n- ")
            ),
        ));
    }
    Ok(FlinkRequest {
        application_name: spec.name.clone(),
        application: spec,
        restore,
        snapshot_name: input.snapshot_name,
        allow_non_restored_state: input.allow_non_restored_state.unwrap_or(false),
        max_wait_seconds: input.max_wait_seconds.unwrap_or(DEFAULT_MAX_WAIT_SECONDS),
        on_drift: input.on_drift.unwrap_or_default(),
    })
}

impl FlinkSpec {
    /// What differs between this spec and `current` (the application as described), one line
    /// each; empty when they agree.
    pub fn differences(&self, current: &FlinkSpec) -> Vec<String> {
        let mut d = Vec::new();
        macro_rules! cmp {
            ($field:ident) => {
                if self.$field != current.$field {
                    d.push(format!(
                        "{}: the application has {:?}, the spec {:?}",
                        stringify!($field),
                        current.$field,
                        self.$field
                    ));
                }
            };
        }
        cmp!(description);
        cmp!(runtime_environment);
        cmp!(service_execution_role);
        cmp!(code);
        cmp!(properties);
        cmp!(parallelism);
        cmp!(parallelism_per_kpu);
        cmp!(auto_scaling);
        cmp!(checkpointing);
        cmp!(checkpoint_interval_ms);
        cmp!(snapshots);
        d
    }

    /// The reference application as a Flink application: the code location and properties of
    /// the zip `kdaflow flink translate --profile aws --zip` builds, in `account`/`region`.
    pub fn reference(region: &str, account: &str, bucket: &str, key: &str) -> Self {
        let mut run = IndexMap::new();
        run.insert("python".to_string(), "main.py".to_string());
        run.insert(
            "jarfile".to_string(),
            "lib/pyflink-dependencies.jar".to_string(),
        );
        let mut properties = IndexMap::new();
        properties.insert(RUN_OPTIONS.to_string(), run);
        FlinkSpec {
            name: "dsoaws-flink-app".into(),
            description: "The reference application (kdaflow), translated to Flink SQL".into(),
            runtime_environment: DEFAULT_RUNTIME.into(),
            service_execution_role: format!(
                "arn:aws:iam::{account}:role/kdaflow-flink-application"
            ),
            code: CodeLocation {
                bucket_arn: format!("arn:aws:s3:::{bucket}"),
                file_key: key.into(),
                object_version: None,
            },
            properties,
            parallelism: 1,
            parallelism_per_kpu: 1,
            auto_scaling: false,
            checkpointing: true,
            checkpoint_interval_ms: 60_000,
            snapshots: true,
            streams: vec![format!(
                "arn:aws:kinesis:{region}:{account}:stream/dsoaws-kinesis-data-stream"
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> serde_json::Value {
        json!({"application": FlinkSpec::reference("us-east-1", "123456789012", "code-bucket", "app.zip")})
    }

    #[test]
    fn defaults_are_filled_in() {
        let r = normalise(&example()).unwrap();
        assert_eq!(r.application_name, "dsoaws-flink-app");
        assert_eq!(r.restore, Restore::RestoreFromLatestSnapshot);
        assert_eq!(r.max_wait_seconds, DEFAULT_MAX_WAIT_SECONDS);
        assert!(!r.allow_non_restored_state);
        let minimal = json!({"application": {
            "name": "a",
            "service_execution_role": "arn:aws:iam::123456789012:role/r",
            "code": {"bucket_arn": "arn:aws:s3:::bucket", "file_key": "a.zip"}
        }});
        let r = normalise(&minimal).unwrap();
        assert_eq!(r.application.runtime_environment, "FLINK-1_20");
        assert_eq!(
            (
                r.application.parallelism,
                r.application.checkpoint_interval_ms
            ),
            (1, 60_000)
        );
        assert!(r.application.snapshots && r.application.checkpointing);
    }

    #[test]
    fn bad_prerequisites_and_input_are_reported_whole() {
        let mut i = example();
        i["application"]["service_execution_role"] = json!("arn:aws:s3:::nope");
        i["application"]["code"]["bucket_arn"] = json!("arn:aws:s3:::BAD");
        i["application"]["streams"] = json!(["arn:aws:kinesis:us-east-1:999999999999:stream/s"]);
        let e = normalise(&i).unwrap_err();
        assert_eq!(e.error_type, errors::PREREQUISITE_INVALID);
        assert!(
            e.message.starts_with("2 prerequisite problem(s)"),
            "{}",
            e.message
        );
        let mut i = example();
        i["application"]["streams"] = json!(["arn:aws:kinesis:us-east-1:999999999999:stream/s"]);
        let e = normalise(&i).unwrap_err();
        assert!(e.message.contains("must share an account"), "{}", e.message);
        let mut i = example();
        i["application"]["parallelism"] = json!(0);
        i["max_wait_seconds"] = json!(5);
        i["snapshot_name"] = json!("s");
        let e = normalise(&i).unwrap_err();
        assert_eq!(e.error_type, errors::INPUT_INVALID);
        assert!(e.message.starts_with("3 input problem(s)"), "{}", e.message);
        let e = normalise(&json!({"colour": 1})).unwrap_err();
        assert!(
            e.message.contains("unknown field `colour`"),
            "{}",
            e.message
        );
        let e = normalise(&json!({})).unwrap_err();
        assert!(e.message.contains("no \"application\""), "{}", e.message);
    }

    #[test]
    fn a_spec_with_runtime_flink_carries_its_settings() {
        let mut text = crate::spec::REFERENCE_SPEC_TOML.to_string();
        text.insert_str(0, "runtime = \"flink\"\n");
        text.push_str("\n[flink]\nparallelism = 2\ncheckpoint_interval_ms = 30000\ncode = { bucket_arn = \"arn:aws:s3:::my-code\", file_key = \"app.zip\" }\n");
        let spec = crate::spec::ApplicationSpec::from_toml(&text).unwrap();
        assert_eq!(spec.runtime, crate::spec::Runtime::Flink);
        let settings = spec.flink.clone().unwrap();
        let f = FlinkSpec::reference("us-east-1", "123456789012", "b", "k").with(&settings);
        assert_eq!((f.parallelism, f.checkpoint_interval_ms), (2, 30_000));
        assert_eq!(f.code.bucket_arn, "arn:aws:s3:::my-code");
        assert!(f.snapshots, "unset settings keep the defaults");
        // The SQL bootstrap refuses it.
        let mut input = serde_json::to_value(crate::prerequisites::Prerequisites::example(
            "us-east-1",
            "123456789012",
        ))
        .unwrap();
        input["application_spec"] = serde_json::to_value(&spec).unwrap();
        let e = crate::input::normalise(&input).unwrap_err();
        assert_eq!(e.error_type, errors::INPUT_INVALID);
        assert!(e.message.contains("runtime = flink"), "{}", e.message);
        // And the reference spec still serialises without the new fields.
        let text = serde_json::to_string(&crate::spec::ApplicationSpec::reference()).unwrap();
        assert!(
            !text.contains("runtime") && !text.contains("\"flink\""),
            "{text}"
        );
    }

    #[test]
    fn differences_name_each_field() {
        let a = FlinkSpec::reference("us-east-1", "123456789012", "b", "k");
        let mut b = a.clone();
        assert!(a.differences(&b).is_empty());
        b.parallelism = 4;
        b.code.file_key = "other.zip".into();
        let d = a.differences(&b);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("code:"), "{d:?}");
        assert!(d[1].starts_with("parallelism:"), "{d:?}");
    }
}
