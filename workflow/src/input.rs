//! The execution input, its normalised form, and the payloads the tasks exchange.

use serde::{Deserialize, Serialize};

use crate::contract::errors;
use crate::prerequisites::{self, Prerequisites};
use crate::spec::ApplicationSpec;

/// Starting position when the input leaves it out.
pub const DEFAULT_STARTING_POSITION: StartingPosition = StartingPosition::Now;
/// How long to wait for RUNNING when the input leaves it out (10 minutes).
pub const DEFAULT_MAX_WAIT_SECONDS: u64 = 600;
/// The longest wait the input may ask for (the state machine's own timeout is an hour).
pub const MAX_MAX_WAIT_SECONDS: u64 = 3_000;
/// The first poll waits this long after StartApplication.
pub const FIRST_POLL_SECONDS: u64 = 5;
/// Each later poll waits this much longer than the one before ...
pub const POLL_BACKOFF: f64 = 1.5;
/// ... up to this.
pub const MAX_POLL_SECONDS: u64 = 30;

/// `InputStartingPosition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    /// Just after the newest record.
    Now,
    /// The oldest record (not for Firehose sources).
    TrimHorizon,
    /// Where the application last stopped.
    LastStoppedPoint,
}

impl StartingPosition {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            StartingPosition::Now => "NOW",
            StartingPosition::TrimHorizon => "TRIM_HORIZON",
            StartingPosition::LastStoppedPoint => "LAST_STOPPED_POINT",
        }
    }
}

/// What to do when the application exists with a different configuration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DriftPolicy {
    /// Fail with `Bootstrap.ConfigurationDrift`, listing the differences (the default).
    #[default]
    Fail,
    /// Bring the application in line with UpdateApplication (and Add/DeleteApplicationOutput).
    Update,
}

/// The execution input: the seven prerequisite ARNs and optional overrides.
///
/// ```json
/// {
///   "firehose_arn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/dsoaws-kinesis-data-firehose",
///   "iam_role_kinesis_arn": "arn:aws:iam::123456789012:role/DSOAWS_Kinesis",
///   "stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/dsoaws-kinesis-data-stream",
///   "lambda_fn_arn_cloudwatch": "arn:aws:lambda:us-east-1:123456789012:function:DeliverKinesisAnalyticsToCloudWatch",
///   "lambda_fn_arn_sns": "arn:aws:lambda:us-east-1:123456789012:function:PushNotificationToSNS",
///   "iam_role_lambda_arn": "arn:aws:iam::123456789012:role/DSOAWS_Lambda",
///   "lambda_fn_arn_invoke_ep": "arn:aws:lambda:us-east-1:123456789012:function:InvokeSageMakerEndpointFromKinesis",
///   "window_seconds": 10,
///   "on_drift": "update"
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionInput {
    /// The Firehose delivery stream the application reads.
    pub firehose_arn: Option<String>,
    /// The role Kinesis Analytics assumes for the input and the Kinesis output.
    pub iam_role_kinesis_arn: Option<String>,
    /// The Kinesis stream for the distinct counts.
    pub stream_arn: Option<String>,
    /// The function receiving the average ratings.
    pub lambda_fn_arn_cloudwatch: Option<String>,
    /// The function receiving the anomaly scores.
    pub lambda_fn_arn_sns: Option<String>,
    /// The role Kinesis Analytics assumes to invoke Lambda.
    pub iam_role_lambda_arn: Option<String>,
    /// The input preprocessing function.
    pub lambda_fn_arn_invoke_ep: Option<String>,
    /// Application name (absent: the spec's, `dsoaws-kinesis-data-analytics-sql-app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    /// Window in seconds, 1-3600 (absent: the spec's, 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u32>,
    /// Starting position (absent: NOW).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<StartingPosition>,
    /// How long to wait for RUNNING, in seconds, 30-3000 (absent: 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_seconds: Option<u64>,
    /// What to do on configuration drift (absent: fail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_drift: Option<DriftPolicy>,
    /// A whole application spec replacing the reference application (absent: the reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_spec: Option<ApplicationSpec>,
}

/// The normalised request every task after validation works from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapRequest {
    /// The prerequisites, validated.
    pub prerequisites: Prerequisites,
    /// The application name.
    pub application_name: String,
    /// The starting position.
    pub starting_position: StartingPosition,
    /// The wait deadline, in seconds from the execution's start.
    pub max_wait_seconds: u64,
    /// The drift policy.
    pub on_drift: DriftPolicy,
    /// The desired application, fully rendered.
    pub application: ApplicationSpec,
}

/// A task failure: a contract error name and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// One of [`crate::contract::errors`].
    pub error_type: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl TaskFailure {
    /// A failure.
    pub fn new(error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            error_type,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

impl std::error::Error for TaskFailure {}

/// Turns the raw execution input into a [`BootstrapRequest`], reporting every problem at once.
pub fn normalise(raw: &serde_json::Value) -> Result<BootstrapRequest, TaskFailure> {
    let input: ExecutionInput = serde_json::from_value(raw.clone()).map_err(|e| {
        TaskFailure::new(
            errors::INPUT_INVALID,
            format!("The execution input is not valid: {e}. See the README's \"Execution input\" section"),
        )
    })?;
    let values = [
        ("firehose_arn", input.firehose_arn.as_deref()),
        (
            "iam_role_kinesis_arn",
            input.iam_role_kinesis_arn.as_deref(),
        ),
        ("stream_arn", input.stream_arn.as_deref()),
        (
            "lambda_fn_arn_cloudwatch",
            input.lambda_fn_arn_cloudwatch.as_deref(),
        ),
        ("lambda_fn_arn_sns", input.lambda_fn_arn_sns.as_deref()),
        ("iam_role_lambda_arn", input.iam_role_lambda_arn.as_deref()),
        (
            "lambda_fn_arn_invoke_ep",
            input.lambda_fn_arn_invoke_ep.as_deref(),
        ),
    ];
    if let Err(problems) = prerequisites::validate(&values) {
        let lines: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
        return Err(TaskFailure::new(
            errors::PREREQUISITE_INVALID,
            format!(
                "{} prerequisite problem(s):\n{}",
                problems.len(),
                lines.join("\n")
            ),
        ));
    }
    let prerequisites = Prerequisites {
        firehose_arn: input.firehose_arn.clone().unwrap_or_default(),
        iam_role_kinesis_arn: input.iam_role_kinesis_arn.clone().unwrap_or_default(),
        stream_arn: input.stream_arn.clone().unwrap_or_default(),
        lambda_fn_arn_cloudwatch: input.lambda_fn_arn_cloudwatch.clone().unwrap_or_default(),
        lambda_fn_arn_sns: input.lambda_fn_arn_sns.clone().unwrap_or_default(),
        iam_role_lambda_arn: input.iam_role_lambda_arn.clone().unwrap_or_default(),
        lambda_fn_arn_invoke_ep: input.lambda_fn_arn_invoke_ep.clone().unwrap_or_default(),
    };
    let mut problems = Vec::new();
    if let Some(w) = input.window_seconds
        && !(1..=3600).contains(&w)
    {
        problems.push(format!(
            "window_seconds = {w}: must be 1-3600 (COUNT_DISTINCT_ITEMS_TUMBLING's window range)"
        ));
    }
    if let Some(m) = input.max_wait_seconds
        && !(30..=MAX_MAX_WAIT_SECONDS).contains(&m)
    {
        problems.push(format!(
            "max_wait_seconds = {m}: must be 30-{MAX_MAX_WAIT_SECONDS}"
        ));
    }
    if let Some(n) = &input.application_name
        && (n.is_empty()
            || n.len() > 128
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)))
    {
        problems.push(format!(
            "application_name = {n:?}: must be 1-128 of [a-zA-Z0-9_.-]"
        ));
    }
    let spec = input
        .application_spec
        .clone()
        .unwrap_or_else(ApplicationSpec::reference);
    if spec.runtime == crate::spec::Runtime::Flink {
        problems.push(format!(
            "application_spec.runtime = flink: {} runs on Managed Service for Apache Flink; start the Flink bootstrap (kdaflow-bootstrap-flink, or kdaflow up) for it",
            spec.name
        ));
    }
    let position = input.starting_position.unwrap_or(DEFAULT_STARTING_POSITION);
    if position == StartingPosition::TrimHorizon
        && spec.input.source.kind == crate::spec::SourceKind::Firehose
    {
        problems.push("starting_position = TRIM_HORIZON: not available for a Firehose source; use NOW or LAST_STOPPED_POINT".into());
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
    let application = spec
        .render(
            &prerequisites,
            input.application_name.as_deref(),
            input.window_seconds,
        )
        .map_err(|e| TaskFailure::new(errors::INPUT_INVALID, e.to_string()))?;
    Ok(BootstrapRequest {
        prerequisites,
        application_name: application.name.clone(),
        starting_position: position,
        max_wait_seconds: input.max_wait_seconds.unwrap_or(DEFAULT_MAX_WAIT_SECONDS),
        on_drift: input.on_drift.unwrap_or_default(),
        application,
    })
}

/// What CreateApplication reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResult {
    /// ApplicationName.
    pub application_name: String,
    /// ApplicationARN.
    pub application_arn: String,
    /// ApplicationVersionId after this task.
    pub version_id: i64,
    /// Whether this execution created the application.
    pub created: bool,
    /// Whether this execution updated it to remove drift.
    pub updated: bool,
}

/// The input of StartApplication and CheckApplicationStatus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollInput {
    /// The request.
    pub request: BootstrapRequest,
    /// The previous poll (absent for StartApplication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollState>,
    /// `$$.Execution.StartTime`.
    pub started_at: String,
    /// `$$.State.EnteredTime`.
    pub now: String,
}

/// Where the wait-until-running loop stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    /// ApplicationStatus as last seen.
    pub status: String,
    /// The input id started.
    pub input_id: String,
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
}

/// Seconds between two RFC 3339 instants (0 if unreadable or negative).
pub fn seconds_between(from: &str, to: &str) -> u64 {
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis())
    };
    match (parse(from), parse(to)) {
        (Some(a), Some(b)) if b > a => ((b - a) / 1000) as u64,
        _ => 0,
    }
}

/// The next poll: `previous` (absent right after the start) advanced to `status`.
///
/// Waits grow from [`FIRST_POLL_SECONDS`] by [`POLL_BACKOFF`] up to [`MAX_POLL_SECONDS`] and
/// never past the deadline: for a start that takes 90 s that is 5, 8, 12, 18, 27, 30 s (six
/// status reads) instead of the notebook's eighteen reads every 5 s.
///
/// ```
/// use kdaflow_workflow::input::next_poll;
/// let p = next_poll(None, "STARTING", "1.1", 1, 0, 600, false);
/// assert_eq!(p.wait_seconds, 5);
/// let p = next_poll(Some(&p), "STARTING", "1.1", 1, 5, 600, true);
/// assert_eq!((p.polls, p.wait_seconds), (1, 8));
/// ```
pub fn next_poll(
    previous: Option<&PollState>,
    status: &str,
    input_id: &str,
    version_id: i64,
    elapsed_seconds: u64,
    max_wait_seconds: u64,
    counted: bool,
) -> PollState {
    let wait = match previous {
        None => FIRST_POLL_SECONDS,
        Some(p) => (((p.wait_seconds as f64) * POLL_BACKOFF).ceil() as u64).min(MAX_POLL_SECONDS),
    };
    let remaining = max_wait_seconds.saturating_sub(elapsed_seconds);
    PollState {
        status: status.to_string(),
        input_id: input_id.to_string(),
        version_id,
        polls: previous.map_or(0, |p| p.polls) + u64::from(counted),
        wait_seconds: wait.min(remaining).max(1),
        elapsed_seconds,
        deadline_passed: elapsed_seconds >= max_wait_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example_input() -> serde_json::Value {
        serde_json::to_value(Prerequisites::example("us-east-1", "123456789012")).unwrap()
    }

    #[test]
    fn defaults_are_filled_in() {
        let r = normalise(&example_input()).unwrap();
        assert_eq!(r.application_name, "dsoaws-kinesis-data-analytics-sql-app");
        assert_eq!(r.starting_position, StartingPosition::Now);
        assert_eq!(r.max_wait_seconds, 600);
        assert_eq!(r.on_drift, DriftPolicy::Fail);
    }

    #[test]
    fn bad_input_is_reported_whole() {
        let mut i = example_input();
        i["window_seconds"] = json!(0);
        i["max_wait_seconds"] = json!(5);
        i["starting_position"] = json!("TRIM_HORIZON");
        let e = normalise(&i).unwrap_err();
        assert_eq!(e.error_type, errors::INPUT_INVALID);
        assert!(e.message.starts_with("3 input problem(s)"), "{}", e.message);
        let mut i = example_input();
        i["colour"] = json!("blue");
        let e = normalise(&i).unwrap_err();
        assert!(
            e.message.contains("unknown field `colour`"),
            "{}",
            e.message
        );
        let mut i = example_input();
        i["firehose_arn"] = json!("arn:aws:s3:::bucket");
        let e = normalise(&i).unwrap_err();
        assert_eq!(e.error_type, errors::PREREQUISITE_INVALID);
    }

    #[test]
    fn poll_schedule_for_a_ninety_second_start() {
        let mut p = next_poll(None, "STARTING", "1.1", 1, 0, 600, false);
        let mut waits = vec![p.wait_seconds];
        let mut elapsed = 0;
        while elapsed < 90 {
            elapsed += p.wait_seconds;
            p = next_poll(
                Some(&p),
                if elapsed >= 90 { "RUNNING" } else { "STARTING" },
                "1.1",
                1,
                elapsed,
                600,
                true,
            );
            waits.push(p.wait_seconds);
        }
        assert_eq!(p.polls, 6);
        assert_eq!(&waits[..6], &[5, 8, 12, 18, 27, 30]);
    }

    #[test]
    fn waits_stop_at_the_deadline() {
        let prev = next_poll(None, "STARTING", "1.1", 1, 0, 60, false);
        let p = next_poll(
            Some(&PollState {
                wait_seconds: 30,
                ..prev
            }),
            "STARTING",
            "1.1",
            1,
            50,
            60,
            true,
        );
        assert_eq!(p.wait_seconds, 10);
        assert!(!p.deadline_passed);
        let p = next_poll(Some(&p), "STARTING", "1.1", 1, 60, 60, true);
        assert!(p.deadline_passed);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            seconds_between("2026-01-01T00:00:00Z", "2026-01-01T00:01:30.500Z"),
            90
        );
        assert_eq!(
            seconds_between("2025-12-31T23:59:59Z", "2026-01-01T00:00:01+00:00"),
            2
        );
        assert_eq!(seconds_between("not a time", "2026-01-01T00:00:01Z"), 0);
    }
}
