//! Map Runs: DescribeMapRun, ListMapRuns and ListExecutions by `mapRunArn`, over the Map Runs
//! the engine keeps for each execution this process runs (`kdaflow_asl::exec::maprun`).
//! An execution loaded from the store after a restart has its history but not its Map Runs.

use bytes::Bytes;
use kdaflow_asl::exec::{ChildExecution, Execution, MapRun};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

use super::arns::{self, invalid_arn};
use super::error::StatesError;
use super::executions::{Source, exec_missing};
use super::model::Status;
use super::{StepFunctions, arn_member, epoch_seconds, json_body, only_arn};
use crate::protocol::AwsError;
use crate::validation::Constraints;

/// DescribeMapRun input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRunArnInput {
    /// The Map Run.
    pub map_run_arn: Option<String>,
}

/// ListMapRuns input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMapRunsInput {
    /// The execution whose Map Runs to list.
    pub execution_arn: Option<String>,
    /// Page size (0-1000).
    pub max_results: Option<i64>,
    /// From the previous page.
    pub next_token: Option<String>,
}

/// Checks a Map Run ARN (`arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>`).
fn check_map_run_arn(arn: &str) -> Result<(), AwsError> {
    match arns::parse(arn) {
        Some(p) if p.kind == "mapRun" && p.rest.contains('/') && p.rest.contains(':') => Ok(()),
        _ => Err(invalid_arn(arn, "map run")),
    }
}

fn map_run_missing(arn: &str) -> AwsError {
    StatesError::ResourceNotFound.with(format!(
        "Resource not found: '{arn}' (a Map Run of an execution that ended before the twin restarted is not kept)"
    ))
}

fn ms(t: chrono::DateTime<chrono::Utc>) -> f64 {
    epoch_seconds(t.timestamp_millis())
}

fn describe(run: &MapRun) -> Value {
    let mut out = json!({
        "mapRunArn": run.map_run_arn,
        "executionArn": run.execution_arn,
        "status": run.status,
        "startDate": ms(run.start_date),
        "maxConcurrency": run.max_concurrency,
        "toleratedFailurePercentage": run.tolerated_failure_percentage,
        "toleratedFailureCount": run.tolerated_failure_count,
        "itemCounts": run.item_counts,
        "executionCounts": run.execution_counts,
        "redriveCount": 0,
    });
    if let Some(stop) = run.stop_date {
        out["stopDate"] = json!(ms(stop));
    }
    out
}

fn child_item(c: &ChildExecution) -> Value {
    let mut item = json!({
        "executionArn": c.execution_arn,
        "stateMachineArn": c.state_machine_arn,
        "name": c.name,
        "status": Status::from(c.status).as_str(),
        "startDate": ms(c.start_date),
        "mapRunArn": c.map_run_arn,
        "itemCount": 1,
    });
    if let Some(stop) = c.stop_date {
        item["stopDate"] = json!(ms(stop));
    }
    item
}

impl StepFunctions {
    /// The live execution that started `map_run_arn`, if this process runs it.
    fn map_run_owner(&self, map_run_arn: &str) -> Option<(Arc<Execution>, MapRun)> {
        let mut found = None;
        self.executions.scan(|_, row| {
            if found.is_some() {
                return;
            }
            if let Source::Live(exec) = &row.extra.source
                && let Some(run) = exec
                    .map_runs()
                    .into_iter()
                    .find(|r| r.map_run_arn == map_run_arn)
            {
                found = Some((exec.clone(), run));
            }
        });
        found
    }

    /// DescribeMapRun.
    pub(super) fn describe_map_run(&self, input: MapRunArnInput) -> Result<Bytes, AwsError> {
        let arn = only_arn("mapRunArn", &input.map_run_arn)?;
        check_map_run_arn(&arn)?;
        let (_, run) = self
            .map_run_owner(&arn)
            .ok_or_else(|| map_run_missing(&arn))?;
        json_body(&describe(&run))
    }

    /// ListMapRuns: the execution's Map Runs, in start order.
    pub(super) fn list_map_runs(&self, input: ListMapRunsInput) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        arn_member(&mut c, "executionArn", &input.execution_arn);
        if let Some(n) = input.max_results {
            c.range("maxResults", n, 0, arns::MAX_PAGE);
        }
        if let Some(t) = &input.next_token {
            c.len("nextToken", t, 1, 3096);
        }
        c.finish()?;
        let arn = input.execution_arn.clone().unwrap_or_default();
        arns::check_execution_arn(&arn)?;
        let runs = self
            .executions
            .read(&arn, |row| match &row.extra.source {
                Source::Live(exec) => exec.map_runs(),
                Source::Stored(_) => Vec::new(),
            })
            .map_err(|_| exec_missing(&arn))?;
        let out = arns::page(
            "mapRuns",
            &runs,
            &format!("ListMapRuns#{arn}"),
            input.max_results,
            input.next_token.as_deref(),
            |r| {
                let mut item = json!({
                    "executionArn": r.execution_arn,
                    "mapRunArn": r.map_run_arn,
                    "stateMachineArn": r.state_machine_arn,
                    "startDate": ms(r.start_date),
                });
                if let Some(stop) = r.stop_date {
                    item["stopDate"] = json!(ms(stop));
                }
                item
            },
        )?;
        json_body(&out)
    }

    /// ListExecutions by `mapRunArn`: the Map Run's child executions, newest first, as
    /// ListExecutions lists executions.
    pub(super) fn list_map_run_executions(
        &self,
        map_run_arn: &str,
        status: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Bytes, AwsError> {
        check_map_run_arn(map_run_arn)?;
        let (exec, _) = self
            .map_run_owner(map_run_arn)
            .ok_or_else(|| map_run_missing(map_run_arn))?;
        let mut children = exec.map_run_children(map_run_arn).unwrap_or_default();
        children.retain(|c| status.is_none_or(|s| Status::from(c.status).as_str() == s));
        children.reverse();
        let scope = format!("ListExecutions#{map_run_arn}#{}", status.unwrap_or(""));
        let out = arns::page(
            "executions",
            &children,
            &scope,
            max_results,
            next_token,
            child_item,
        )?;
        json_body(&out)
    }
}
