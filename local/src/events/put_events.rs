//! PutEvents and TestEventPattern.
//!
//! PutEvents wraps each entry in the event envelope (`version`, `id`, `detail-type`,
//! `source`, `account`, `time`, `region`, `resources`, `detail`), matches it against every
//! ENABLED rule with a pattern, and starts each matching rule's state machine targets with
//! the target's input. As on AWS, delivery is asynchronous to the caller: a target that cannot
//! be started (missing state machine, bad transformed input) does not fail the entry; it is
//! logged (AWS would retry, then use the dead-letter queue).

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::model::*;
use super::transform::{self, Context};
use super::{EventBridge, check_bus, rules};
use crate::protocol::{AwsError, CommonError, to_body};
use crate::states::model::StartExecutionInput;
use crate::validation::Constraints;

/// Entries per PutEvents call.
const MAX_ENTRIES: usize = 10;
/// Envelope members TestEventPattern requires of its event.
const ENVELOPE: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

crate::aws_errors! {
    /// The per-entry error codes of PutEvents (the API reference's `PutEventsResultEntry`).
    pub enum EntryError {
        /// A required member is missing or invalid.
        InvalidArgument = "InvalidArgument",
        /// `Detail` is not a JSON object.
        MalformedDetail = "MalformedDetail",
        /// The event bus does not exist.
        NotFound = "NotFoundException",
    }
}

fn entry_error(code: EntryError, message: String) -> PutEventsResultEntry {
    PutEventsResultEntry {
        event_id: None,
        error_code: Some(code.name().into()),
        error_message: Some(message),
    }
}

impl EventBridge {
    /// Builds the event of one entry, or the entry's error.
    fn envelope(
        &self,
        e: &PutEventsEntry,
        now: DateTime<Utc>,
    ) -> Result<Value, PutEventsResultEntry> {
        let missing = |what: &str| {
            entry_error(
                EntryError::InvalidArgument,
                format!("Parameter {what} is not valid. Reason: {what} is a required argument."),
            )
        };
        let source = e.source.as_ref().ok_or_else(|| missing("Source"))?;
        let detail_type = e
            .detail_type
            .as_ref()
            .ok_or_else(|| missing("DetailType"))?;
        let detail_text = e.detail.as_ref().ok_or_else(|| missing("Detail"))?;
        let detail: Value = match serde_json::from_str(detail_text) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return Err(entry_error(
                    EntryError::MalformedDetail,
                    "Detail is malformed.".into(),
                ));
            }
        };
        if let Err(err) = check_bus(e.event_bus_name.as_deref()) {
            return Err(entry_error(EntryError::NotFound, err.message));
        }
        let time = e
            .time
            .and_then(|t| DateTime::from_timestamp_millis((t * 1000.0) as i64))
            .unwrap_or(now);
        Ok(json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": detail_type,
            "source": source,
            "account": self.config.account_id,
            "time": iso(time),
            "region": self.config.region,
            "resources": e.resources.clone().unwrap_or_default(),
            "detail": detail,
        }))
    }

    /// The names of the ENABLED rules `event` matches, and the executions to start.
    fn route(&self, event: &Value, ingestion_time: &str) -> (usize, Vec<(String, String)>) {
        let mut matched = 0;
        let mut starts = Vec::new();
        self.rules.scan(|_, row| {
            let r = &row.record;
            if r.state == "DISABLED" || !row.extra.as_ref().is_some_and(|p| p.matches(event)) {
                return;
            }
            matched += 1;
            for t in &r.targets {
                let input = if let Some(i) = &t.input {
                    i.clone()
                } else if let Some(p) = &t.input_path {
                    transform::select(event, p)
                        .unwrap_or(Value::Null)
                        .to_string()
                } else if let Some(tr) = &t.input_transformer {
                    let ctx = Context {
                        rule_name: &r.name,
                        rule_arn: &r.arn,
                        ingestion_time,
                    };
                    transform::render(tr, event, ctx)
                } else {
                    event.to_string()
                };
                starts.push((t.arn.clone(), input));
            }
        });
        (matched, starts)
    }

    /// PutEvents. Returns per-entry results; matching rules' targets are started.
    pub fn put_events(&self, input: PutEventsInput) -> Result<PutEventsOutput, AwsError> {
        let mut c = Constraints::default();
        if let Some(entries) = c.required("entries", &input.entries) {
            c.list_len("entries", entries.len(), 1, MAX_ENTRIES);
        }
        c.finish()?;
        let entries = input.entries.unwrap_or_default();
        let now = self.clock.now();
        let ingestion = iso(now);
        let mut results = Vec::with_capacity(entries.len());
        for e in &entries {
            match self.envelope(e, now) {
                Err(failure) => results.push(failure),
                Ok(event) => {
                    let (_, starts) = self.route(&event, &ingestion);
                    for (arn, input) in starts {
                        let start = StartExecutionInput {
                            state_machine_arn: Some(arn.clone()),
                            input: Some(input),
                            ..Default::default()
                        };
                        if let Err(err) = self.states.start_execution(start) {
                            tracing::warn!(target_arn = %arn, error = %err, "an event target could not be started");
                        }
                    }
                    results.push(PutEventsResultEntry {
                        event_id: event["id"].as_str().map(str::to_owned),
                        error_code: None,
                        error_message: None,
                    });
                }
            }
        }
        Ok(PutEventsOutput {
            failed_entry_count: results.iter().filter(|r| r.error_code.is_some()).count(),
            entries: results,
        })
    }

    /// How many ENABLED rules an event matches (what PutEvents routes on); for benchmarks and
    /// tools.
    pub fn count_matches(&self, event: &Value) -> usize {
        self.route(event, "").0
    }

    pub(super) fn test_event_pattern(
        &self,
        input: TestEventPatternInput,
    ) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        c.required("eventPattern", &input.event_pattern);
        c.required("event", &input.event);
        c.finish()?;
        let pattern = rules::check_pattern(input.event_pattern.as_deref().unwrap_or_default())?;
        let event: Map<String, Value> =
            serde_json::from_str(input.event.as_deref().unwrap_or_default()).map_err(|e| {
                CommonError::Validation.with(format!(
                    "Parameter Event is not valid. Reason: not a JSON object ({e})"
                ))
            })?;
        if let Some(missing) = ENVELOPE.iter().find(|k| !event.contains_key(**k)) {
            return Err(CommonError::Validation.with(format!(
                "Parameter Event is not valid. Reason: the event has no '{missing}' (an event has id, account, source, time, region and detail-type)"
            )));
        }
        let result = pattern.matches(&Value::Object(event));
        to_body(&json!({ "Result": result }))
    }
}
