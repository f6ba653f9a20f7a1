//! GetExecutionHistory: pages of events, oldest first unless `reverseOrder`.

use bytes::Bytes;
use serde_json::Value;

use super::arns;
use super::model::HistoryInput;
use super::{StepFunctions, json_body, only_arn};
use crate::protocol::AwsError;

/// Members that carry execution data, left out when `includeExecutionData` is false.
const DATA_MEMBERS: [&str; 4] = ["input", "inputDetails", "output", "outputDetails"];

impl StepFunctions {
    /// The history of a STANDARD execution as GetExecutionHistory shows it, all events.
    pub fn history_json(&self, arn: &str) -> Result<Vec<Value>, AwsError> {
        Ok(self.history(arn)?.iter().map(|e| e.to_json()).collect())
    }

    pub(super) fn get_execution_history(&self, input: HistoryInput) -> Result<Bytes, AwsError> {
        let arn = only_arn("executionArn", &input.execution_arn)?;
        let mut events = self.history(&arn)?;
        let reverse = input.reverse_order.unwrap_or(false);
        let include = input.include_execution_data.unwrap_or(true);
        let scope = format!("GetExecutionHistory#{arn}#{reverse}");
        if reverse {
            events.reverse();
        }
        let out = arns::page(
            "events",
            &events,
            &scope,
            input.max_results,
            input.next_token.as_deref(),
            |e| {
                let mut v = e.to_json();
                if !include
                    && let Some(key) = e.event_type.details_key()
                    && let Some(Value::Object(d)) = v.get_mut(key)
                {
                    for m in DATA_MEMBERS {
                        d.remove(m);
                    }
                }
                v
            },
        )?;
        json_body(&out)
    }
}
