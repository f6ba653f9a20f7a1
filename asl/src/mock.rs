//! Mocked tasks in the format of AWS Step Functions Local's `MockConfigFile.json`.
//!
//! ```json
//! {"StateMachines": {"Machine": {"TestCases": {"Happy": {"CallLambda": "LambdaOk"}}}},
//!  "MockedResponses": {"LambdaOk": {"0": {"Return": {"StatusCode": 200, "Payload": {}}},
//!                                   "1-2": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "x"}}}}}
//! ```
//!
//! A test case maps Task state names to mocked responses; each mocked response maps invocation
//! indexes of that state (0-based, retries included, `"1-2"` an inclusive range) to a `Return`
//! (the task's result as the state sees it) or a `Throw` (`Error`, `Cause`). Tasks the test case
//! does not mock go to the fallback invoker, if any.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use indexmap::IndexMap;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{AslError, StatesError};
use crate::task::{TaskInvoker, TaskRequest};

/// One mocked answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum MockAnswer {
    /// The task succeeds with this result.
    Return(Value),
    /// The task fails.
    Throw {
        /// Error name.
        #[serde(rename = "Error")]
        error: String,
        /// Cause.
        #[serde(rename = "Cause", default)]
        cause: Option<String>,
    },
}

/// The whole mock configuration file.
#[derive(Debug, Clone, Deserialize)]
pub struct MockConfig {
    /// Test cases per state machine name.
    #[serde(rename = "StateMachines")]
    pub state_machines: IndexMap<String, MachineCases>,
    /// Mocked responses by name, then invocation index key.
    #[serde(rename = "MockedResponses")]
    pub mocked_responses: IndexMap<String, IndexMap<String, MockAnswer>>,
}

/// The test cases of one state machine.
#[derive(Debug, Clone, Deserialize)]
pub struct MachineCases {
    /// Test case name -> (state name -> mocked response name).
    #[serde(rename = "TestCases")]
    pub test_cases: IndexMap<String, IndexMap<String, String>>,
}

fn parse_key(key: &str) -> Option<(u64, u64)> {
    match key.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => key.trim().parse().ok().map(|n| (n, n)),
    }
}

impl MockConfig {
    /// Parses a configuration.
    pub fn from_json(value: &Value) -> Result<Self, AslError> {
        let cfg: Self = serde_json::from_value(value.clone()).map_err(|e| {
            AslError::Mock(format!(
                "the file is not a Step Functions Local mock configuration: {e}"
            ))
        })?;
        for (name, answers) in &cfg.mocked_responses {
            for key in answers.keys() {
                if parse_key(key).is_none_or(|(a, b)| a > b) {
                    return Err(AslError::Mock(format!(
                        "mocked response '{name}' has an invalid invocation index '{key}' (use \"0\" or \"1-2\")"
                    )));
                }
            }
        }
        Ok(cfg)
    }

    /// The invoker for a test case. The machine and case may be left out when the file holds
    /// exactly one of each.
    pub fn invoker(
        &self,
        machine: Option<&str>,
        case: Option<&str>,
    ) -> Result<MockInvoker, AslError> {
        let pick =
            |what: &str, names: Vec<&String>, want: Option<&str>| -> Result<String, AslError> {
                match want {
                    Some(w) if names.iter().any(|n| n.as_str() == w) => Ok(w.to_owned()),
                    Some(w) => Err(AslError::Mock(format!(
                        "no {what} named '{w}' (have: {names:?})"
                    ))),
                    None if names.len() == 1 => Ok(names[0].clone()),
                    None => Err(AslError::Mock(format!(
                        "the file has {} {what}s {names:?}; name one",
                        names.len()
                    ))),
                }
            };
        let m = pick(
            "state machine",
            self.state_machines.keys().collect(),
            machine,
        )?;
        let cases = &self.state_machines[&m].test_cases;
        let c = pick("test case", cases.keys().collect(), case)?;
        let mut by_state = HashMap::new();
        for (state, response) in &cases[&c] {
            let answers = self.mocked_responses.get(response).ok_or_else(|| {
                AslError::Mock(format!(
                    "test case '{c}' refers to the unknown mocked response '{response}'"
                ))
            })?;
            let ranges = answers
                .iter()
                .filter_map(|(k, a)| parse_key(k).map(|(lo, hi)| (lo, hi, a.clone())))
                .collect();
            by_state.insert(state.clone(), ranges);
        }
        Ok(MockInvoker {
            by_state,
            counts: Mutex::new(HashMap::new()),
            fallback: None,
        })
    }
}

/// A [`TaskInvoker`] answering from a mock configuration test case.
#[derive(Debug)]
pub struct MockInvoker {
    by_state: HashMap<String, Vec<(u64, u64, MockAnswer)>>,
    counts: Mutex<HashMap<String, u64>>,
    fallback: Option<Arc<dyn TaskInvoker>>,
}

impl MockInvoker {
    /// Sends tasks the test case does not mock to `fallback`.
    pub fn with_fallback(mut self, fallback: Arc<dyn TaskInvoker>) -> Self {
        self.fallback = Some(fallback);
        self
    }
}

#[async_trait]
impl TaskInvoker for MockInvoker {
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError> {
        let Some(ranges) = self.by_state.get(&request.state_name) else {
            return match &self.fallback {
                Some(f) => f.invoke(request).await,
                None => Err(StatesError::runtime(format!(
                    "the test case does not mock the Task state '{}'",
                    request.state_name
                ))),
            };
        };
        let n = {
            let mut counts = self.counts.lock();
            let c = counts.entry(request.state_name.clone()).or_insert(0);
            *c += 1;
            *c - 1
        };
        match ranges.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&n)) {
            Some((_, _, MockAnswer::Return(v))) => Ok(v.clone()),
            Some((_, _, MockAnswer::Throw { error, cause })) => Err(StatesError {
                error: error.clone(),
                cause: cause.clone(),
                location: None,
            }),
            None => Err(StatesError::runtime(format!(
                "no mocked response for invocation {n} of the state '{}'",
                request.state_name
            ))),
        }
    }
}

/// An invoker for machines without tasks: every call fails with `States.Runtime`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTasks;

#[async_trait]
impl TaskInvoker for NoTasks {
    async fn invoke(&self, request: TaskRequest) -> Result<Value, StatesError> {
        Err(StatesError::runtime(format!(
            "no task invoker is configured for '{}' (state '{}')",
            request.resource_arn, request.state_name
        )))
    }
}
