//! GetExecutionHistory: pages of events, oldest first unless `reverseOrder`.

use bytes::Bytes;
use serde_json::{Value, json};

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
        let size = arns::page_size(input.max_results)?;
        let reverse = input.reverse_order.unwrap_or(false);
        let include = input.include_execution_data.unwrap_or(true);
        let scope = format!("GetExecutionHistory#{arn}#{reverse}");
        let start = arns::offset(&scope, input.next_token.as_deref())?;
        let total = events.len();
        if reverse {
            events.reverse();
        }
        let page: Vec<Value> = events
            .iter()
            .skip(start)
            .take(size)
            .map(|e| {
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
            })
            .collect();
        let mut out = json!({ "events": page });
        if start + size < total {
            out["nextToken"] = json!(arns::token(&scope, start + size));
        }
        json_body(&out)
    }
}
