//! Stand-ins for the reference application's three Lambda functions. They are **not** the
//! notebook's functions (which called a SageMaker endpoint, CloudWatch and SNS); they are small
//! in-process functions honouring the same Kinesis Analytics contracts, whose effects are kept
//! in memory so a person (`kdaflow inspect <name>`, `GET /_kdaflow/standins/<name>`) or a test
//! can see them:
//!
//! - [`PREPROCESS`] (`InvokeSageMakerEndpointFromKinesis`): an input preprocessing function that
//!   passes each review through unchanged, except that an empty `star_rating` is filled in by
//!   [`score_review`] (a word-list scorer standing in for the notebook's sentiment model).
//!   Records that are not UTF-8 are answered `ProcessingFailed`.
//! - [`METRICS`] (`DeliverKinesisAnalyticsToCloudWatch`): an output function that keeps every
//!   average rating it receives as a data point (instead of putting a CloudWatch metric).
//! - [`NOTIFY`] (`PushNotificationToSNS`): an output function that keeps every anomaly score it
//!   receives and a notification for each one above its threshold (instead of publishing to SNS).

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::task::LambdaError;
use parking_lot::{Mutex, RwLock};
use serde_json::{Value, json};

use crate::Twin;
use crate::lambda::function;
use crate::validation::{decode_blob, encode_blob};

/// The preprocessing stand-in's name.
pub const PREPROCESS: &str = "InvokeSageMakerEndpointFromKinesis";
/// The average-rating sink's name.
pub const METRICS: &str = "DeliverKinesisAnalyticsToCloudWatch";
/// The anomaly notification sink's name.
pub const NOTIFY: &str = "PushNotificationToSNS";
/// Anomaly scores above this are notified. Calibrated on the sample reviews
/// (`kdaflow_workflow::sample::Reviews`) with the service's forest defaults: once warmed up,
/// ordinary reviews (3 to 5 stars) score at most about 1.3 and the injected 1-star anomalies
/// about 1.65; a real workload should pick its own threshold.
pub const DEFAULT_ANOMALY_THRESHOLD: f64 = 1.5;
/// Entries a sink keeps; older ones are dropped first (counters keep counting).
pub const MAX_KEPT: usize = 10_000;

/// Something whose state can be shown.
pub trait Inspect: Send + Sync + Debug {
    /// The state as JSON.
    fn inspect(&self) -> Value;
}

/// The stand-ins registered on a twin, by function name.
#[derive(Debug, Default)]
pub struct Registry {
    entries: RwLock<BTreeMap<String, Arc<dyn Inspect>>>,
}

impl Registry {
    /// Registers (or replaces) `name`.
    pub fn insert(&self, name: &str, s: Arc<dyn Inspect>) {
        self.entries.write().insert(name.to_string(), s);
    }

    /// The registered names.
    pub fn names(&self) -> Vec<String> {
        self.entries.read().keys().cloned().collect()
    }

    /// What `name` holds.
    pub fn inspect(&self, name: &str) -> Option<Value> {
        self.entries.read().get(name).map(|s| s.inspect())
    }
}

const POSITIVE: [&str; 10] = [
    "great",
    "excellent",
    "love",
    "good",
    "perfect",
    "perfectly",
    "best",
    "amazing",
    "reliable",
    "recommend",
];
const NEGATIVE: [&str; 10] = [
    "terrible",
    "awful",
    "broke",
    "worst",
    "useless",
    "poor",
    "bad",
    "waste",
    "disappointed",
    "refund",
];

/// A star rating from review text: 3, plus one per positive word, minus one per negative word
/// (word lists above, case-insensitive), clamped to 1..=5.
///
/// ```
/// use kdaflow_local::standins::score_review;
/// assert_eq!(score_review("Great product, I love it"), 5);
/// assert_eq!(score_review("Terrible, it broke"), 1);
/// assert_eq!(score_review("It arrived on Tuesday"), 3);
/// ```
pub fn score_review(text: &str) -> u8 {
    let mut score: i32 = 3;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let w = word.to_lowercase();
        if POSITIVE.contains(&w.as_str()) {
            score += 1;
        }
        if NEGATIVE.contains(&w.as_str()) {
            score -= 1;
        }
    }
    score.clamp(1, 5) as u8
}

/// Fills empty ratings in tab-separated review lines.
fn fill_ratings(text: &str) -> (String, usize) {
    let mut filled = 0;
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut fields: Vec<String> = body.split('\t').map(str::to_string).collect();
        if fields.len() >= 4 && fields[1].trim().is_empty() {
            fields[1] = score_review(&fields[3]).to_string();
            filled += 1;
        }
        out.push_str(&fields.join("\t"));
        out.push_str(end);
    }
    (out, filled)
}

/// The preprocessing stand-in's counters.
#[derive(Debug, Default)]
pub struct Preprocessor {
    counts: Mutex<(u64, u64, u64)>,
}

impl Preprocessor {
    fn handle(&self, event: &Value) -> Value {
        let mut results = Vec::new();
        let (mut passed, mut filled, mut failed) = (0, 0, 0);
        for r in event["records"].as_array().into_iter().flatten() {
            let id = r["recordId"].clone();
            let text = r["data"]
                .as_str()
                .and_then(|d| decode_blob("data", d).ok())
                .and_then(|b| String::from_utf8(b).ok());
            match text {
                Some(t) => {
                    let (out, n) = fill_ratings(&t);
                    passed += 1;
                    filled += n as u64;
                    results.push(json!({"recordId": id, "result": "Ok", "data": encode_blob(out.as_bytes())}));
                }
                None => {
                    failed += 1;
                    results.push(
                        json!({"recordId": id, "result": "ProcessingFailed", "data": r["data"]}),
                    );
                }
            }
        }
        let mut c = self.counts.lock();
        c.0 += passed;
        c.1 += filled;
        c.2 += failed;
        json!({ "records": results })
    }
}

impl Inspect for Preprocessor {
    fn inspect(&self) -> Value {
        let c = self.counts.lock();
        json!({
            "function": PREPROCESS,
            "standIn": "input preprocessing: passes reviews through, fills an empty star_rating with a word-list score",
            "recordsOk": c.0,
            "ratingsFilled": c.1,
            "recordsFailed": c.2,
        })
    }
}

/// A value an output sink received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// When (epoch ms, twin clock).
    pub at_ms: i64,
    /// The record as delivered (one CSV or JSON row).
    pub raw: String,
    /// Its first numeric column, if any.
    pub value: Option<f64>,
    /// `retryHint` of the delivery that succeeded.
    pub retry_hint: u64,
}

fn first_number(raw: &str) -> Option<f64> {
    let t = raw.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t)
        && let Some(o) = v.as_object()
    {
        return o.values().find_map(Value::as_f64);
    }
    t.split(',').next()?.trim().parse().ok()
}

/// An output sink: keeps what it receives; notifies values above a threshold, if it has one.
#[derive(Debug)]
pub struct Sink {
    function: &'static str,
    description: &'static str,
    threshold: Option<f64>,
    clock: SharedClock,
    state: Mutex<SinkState>,
}

#[derive(Debug, Default)]
struct SinkState {
    total: u64,
    received: Vec<Received>,
    notifications: Vec<Received>,
}

impl Sink {
    fn new(
        function: &'static str,
        description: &'static str,
        threshold: Option<f64>,
        clock: SharedClock,
    ) -> Self {
        Self {
            function,
            description,
            threshold,
            clock,
            state: Mutex::new(SinkState::default()),
        }
    }

    /// Everything received (the latest [`MAX_KEPT`]).
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().received.clone()
    }

    /// The values received, in order.
    pub fn values(&self) -> Vec<f64> {
        self.state
            .lock()
            .received
            .iter()
            .filter_map(|r| r.value)
            .collect()
    }

    /// Notifications sent (values above the threshold).
    pub fn notifications(&self) -> Vec<Received> {
        self.state.lock().notifications.clone()
    }

    fn handle(&self, event: &Value) -> Value {
        let now = self.clock.now().timestamp_millis();
        let mut results = Vec::new();
        let mut s = self.state.lock();
        for r in event["records"].as_array().into_iter().flatten() {
            let raw = r["data"]
                .as_str()
                .and_then(|d| decode_blob("data", d).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let got = Received {
                at_ms: now,
                value: first_number(&raw),
                raw,
                retry_hint: r["lambdaDeliveryRecordMetadata"]["retryHint"]
                    .as_u64()
                    .unwrap_or(0),
            };
            s.total += 1;
            if let (Some(t), Some(v)) = (self.threshold, got.value)
                && v > t
            {
                s.notifications.push(got.clone());
            }
            s.received.push(got);
            results.push(json!({"recordId": r["recordId"], "result": "Ok"}));
        }
        let state = &mut *s;
        for list in [&mut state.received, &mut state.notifications] {
            if list.len() > MAX_KEPT {
                let excess = list.len() - MAX_KEPT;
                list.drain(..excess);
            }
        }
        json!({ "records": results })
    }
}

impl Inspect for Sink {
    fn inspect(&self) -> Value {
        let s = self.state.lock();
        let show =
            |r: &Received| json!({"atMs": r.at_ms, "value": r.value, "raw": r.raw.trim_end()});
        let last: Vec<Value> = s.received.iter().rev().take(50).rev().map(show).collect();
        let mut v = json!({
            "function": self.function,
            "standIn": self.description,
            "received": s.total,
            "latest": last,
        });
        if let Some(t) = self.threshold {
            v["threshold"] = json!(t);
            v["notifications"] = json!(s.notifications.iter().map(show).collect::<Vec<_>>());
        }
        v
    }
}

/// The reference stand-ins registered on a twin.
#[derive(Debug, Clone)]
pub struct ReferenceStandins {
    /// [`PREPROCESS`]'s ARN.
    pub preprocess_arn: String,
    /// [`METRICS`]'s ARN.
    pub metrics_arn: String,
    /// [`NOTIFY`]'s ARN.
    pub notify_arn: String,
    /// The preprocessing stand-in.
    pub preprocessor: Arc<Preprocessor>,
    /// The average-rating sink.
    pub metrics: Arc<Sink>,
    /// The anomaly notification sink.
    pub notifications: Arc<Sink>,
}

/// Registers the three stand-ins as Lambda functions of `twin` (replacing functions of the same
/// names) and makes them inspectable.
pub fn register_reference(twin: &Twin) -> ReferenceStandins {
    let clock = twin.clock().clone();
    let preprocessor = Arc::new(Preprocessor::default());
    let metrics = Arc::new(Sink::new(
        METRICS,
        "metrics sink: keeps each average star rating it receives (the original put CloudWatch metrics)",
        None,
        clock.clone(),
    ));
    let notifications = Arc::new(Sink::new(
        NOTIFY,
        "notification sink: keeps anomaly scores, notifies those above the threshold (the original published to SNS)",
        Some(DEFAULT_ANOMALY_THRESHOLD),
        clock,
    ));
    let lambda = twin.lambda();
    let p = preprocessor.clone();
    let preprocess_arn = lambda.register(
        PREPROCESS,
        function("stand-in: review preprocessing", move |event| {
            let out = p.handle(&event);
            async move { Ok::<_, LambdaError>(out) }
        }),
    );
    let m = metrics.clone();
    let metrics_arn = lambda.register(
        METRICS,
        function("stand-in: average rating sink", move |event| {
            let out = m.handle(&event);
            async move { Ok::<_, LambdaError>(out) }
        }),
    );
    let n = notifications.clone();
    let notify_arn = lambda.register(
        NOTIFY,
        function("stand-in: anomaly notification sink", move |event| {
            let out = n.handle(&event);
            async move { Ok::<_, LambdaError>(out) }
        }),
    );
    let registry = twin.standins();
    registry.insert(PREPROCESS, preprocessor.clone());
    registry.insert(METRICS, metrics.clone());
    registry.insert(NOTIFY, notifications.clone());
    ReferenceStandins {
        preprocess_arn,
        metrics_arn,
        notify_arn,
        preprocessor,
        metrics,
        notifications,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ratings_are_filled_from_the_text() {
        let (out, n) = fill_ratings("R1\t\tBooks\tTerrible, awful\nR2\t5\tToys\tok\n");
        assert_eq!(n, 1);
        assert_eq!(out, "R1\t1\tBooks\tTerrible, awful\nR2\t5\tToys\tok\n");
    }

    #[test]
    fn sinks_read_csv_and_json_numbers() {
        assert_eq!(first_number("4.5\n"), Some(4.5));
        assert_eq!(first_number("{\"ANOMALY_SCORE\":2.5}\n"), Some(2.5));
        assert_eq!(first_number("x"), None);
    }
}
