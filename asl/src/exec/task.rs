//! The effects of a state attempt: evaluating the task input and calling the invoker.

use serde_json::{Value, json};

use super::Execution;
use super::driver::{Halt, Lane, StateInfo};
use super::program::{Kind, Node};
use crate::error::{StatesError, names};
use crate::history::details;
use crate::model::QueryLanguage;
use crate::states::task::{DEFAULT_TIMEOUT_SECONDS, event_types, positive_seconds};
use crate::task::{Pattern, Resource, TaskRequest};

impl Execution {
    /// One attempt of a Task, Parallel or Map state: returns the raw result.
    pub(crate) async fn attempt(
        &self,
        node: &Node,
        lane: &mut Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        match &node.kind {
            Kind::Task {
                resource,
                arn,
                timeout,
                heartbeat,
            } => {
                let token = (resource.pattern() == Pattern::WaitForTaskToken).then(|| {
                    let mut rng = self.rng.lock();
                    crate::intrinsics::unique::uuid(&[], &mut rng)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                });
                let info = StateInfo {
                    token: token.as_deref(),
                    ..*info
                };
                let (input, timeout, heartbeat) = {
                    let ctx = || self.context_without_input(&info);
                    let states = (node.language == QueryLanguage::JSONata)
                        .then(|| self.states_var(raw, &info, None));
                    let scope = self.scope(effective, &ctx, &lane.vars, states.as_ref());
                    let input = match &node.parameters {
                        Some(t) => t.eval(&scope)?,
                        None => effective.clone(),
                    };
                    let timeout = self
                        .num(timeout, &scope)?
                        .map(|v| positive_seconds(&v, "TimeoutSeconds"))
                        .transpose()?;
                    let heartbeat = self
                        .num(heartbeat, &scope)?
                        .map(|v| positive_seconds(&v, "HeartbeatSeconds"))
                        .transpose()?;
                    (input, timeout, heartbeat)
                };
                self.call_task(node, lane, resource, arn, input, timeout, heartbeat, &info)
                    .await
            }
            Kind::Parallel { branches } => {
                let input = match self.fan_input(node, lane, raw, effective, info) {
                    Ok(v) => v,
                    Err(e) => {
                        // As for a Map's items (AWS-recorded there): EvaluationFailed, then
                        // ParallelStateFailed.
                        if e.error == names::QUERY_EVALUATION_ERROR {
                            let e = super::driver::located_cause(e, info);
                            lane.prev = self.evaluation_failed(&e, &node.name, lane.prev);
                            lane.failed_event = Some(lane.prev);
                            return Err(Halt::Failed(e));
                        }
                        return Err(Halt::Failed(e));
                    }
                };
                self.run_parallel(node, lane, branches, input).await
            }
            Kind::Map { .. } => self.run_map(node, lane, raw, effective, info).await,
            _ => Err(Halt::Failed(StatesError::runtime("not a task-like state"))),
        }
    }

    /// `Parameters`/`Arguments` of a Parallel state.
    fn fan_input(
        &self,
        node: &Node,
        lane: &Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, StatesError> {
        match &node.parameters {
            Some(t) => self.with_field_scope(node, &lane.vars, raw, effective, info, |scope| {
                t.eval(scope)
            }),
            None => Ok(effective.clone()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn call_task(
        &self,
        node: &Node,
        lane: &mut Lane,
        resource: &Resource,
        arn: &str,
        input: Value,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        let [scheduled, started, succeeded, failed, timed_out] = event_types(resource);
        let (rtype, rname) = resource.history_names(arn);
        let legacy = matches!(resource, Resource::LambdaFunction { .. });
        let input_text = input.to_string();
        let (sched_details, key) = if legacy {
            let mut d = json!({"resource": arn, "input": input_text});
            if let Some(t) = timeout {
                d["timeoutInSeconds"] = t.into();
            }
            (d, (format!("lambda:{arn}"), input_text))
        } else {
            (
                details::task_scheduled(
                    &rname,
                    &rtype,
                    &self.config.region,
                    &input,
                    timeout,
                    heartbeat,
                ),
                (format!("{rtype}:{rname}"), input_text),
            )
        };
        lane.prev = self.history.push(scheduled, lane.prev, sched_details);
        let plain = || {
            if legacy {
                Value::Null
            } else {
                details::task(&rname, &rtype, json!({}))
            }
        };
        lane.prev = self.history.push(started, lane.prev, plain());

        // Virtual time does not move while this call is busy with anything but sleeping on it.
        let busy = super::sched::Busy::new();
        if lane.abort.is_some() && self.clock.is_virtual() {
            // Let sibling branches and iterations start their own work before this task's
            // virtual time moves, as they would on a real clock.
            tokio::task::yield_now().await;
        }
        let recorded = self.replay.lock().get_mut(&key).and_then(|q| q.pop_front());
        let result = match recorded {
            Some(r) => r,
            None => {
                let request = TaskRequest {
                    state_name: node.name.clone(),
                    resource_arn: arn.to_owned(),
                    resource: resource.clone(),
                    input,
                    retry_count: info.retry_count.unwrap_or(0),
                    execution_arn: self.config.execution_arn.clone(),
                    task_token: info.token.map(str::to_owned),
                    timeout_seconds: timeout,
                };
                self.invoke(request, timeout, heartbeat, &busy).await?
            }
        };
        drop(busy);
        let with = |extra: Value| {
            if legacy {
                extra
            } else {
                details::task(&rname, &rtype, extra)
            }
        };
        match result {
            Ok(v) => {
                let d = with(json!({"output": v.to_string()}));
                lane.prev = self.history.push(succeeded, lane.prev, d);
                Ok(v)
            }
            Err(e) => {
                let t = if e.error == names::TIMEOUT {
                    timed_out
                } else {
                    failed
                };
                let d = with(details::failure(Some(&e.error), e.cause.as_deref()));
                lane.prev = self.history.push(t, lane.prev, d);
                Err(Halt::Failed(e))
            }
        }
    }

    /// Calls the invoker, racing it against stop requests, the task's timeout / heartbeat and
    /// the execution deadline. The heartbeat counts as a timeout because invokers cannot send
    /// heartbeats; both surface as `States.Timeout` (AWS-recorded). On a real clock the deadline
    /// is a timer; on a virtual clock it is a [`crate::clock::DeadlineGuard`]: the invoker's
    /// sleeps on the clock stop at the deadline, so the outcome and timestamps are the ones a
    /// real clock would give.
    async fn invoke(
        &self,
        request: TaskRequest,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
        busy: &super::sched::Busy,
    ) -> Result<Result<Value, StatesError>, Halt> {
        let limit = timeout
            .unwrap_or(DEFAULT_TIMEOUT_SECONDS)
            .min(heartbeat.unwrap_or(u64::MAX));
        let task_deadline = self.clock.now() + chrono::Duration::seconds(limit as i64);
        let exec_deadline = (*self.deadline.lock()).unwrap_or(task_deadline);
        let exec_first = exec_deadline < task_deadline;
        let deadline = task_deadline.min(exec_deadline);
        let expired = || {
            if exec_first {
                Err(Halt::TimedOut)
            } else {
                Ok(Err(StatesError::named(names::TIMEOUT)))
            }
        };
        // Created inside the scope, so that sleeps set up eagerly count as this call's.
        let call = busy.scope(async move { self.invoker.invoke(request).await });
        if self.clock.is_virtual() {
            let Some(guard) = self.clock.limit(deadline) else {
                return tokio::select! {
                    biased;
                    _ = self.control.wait_stopped() => Err(Halt::Aborted),
                    r = call => Ok(r),
                };
            };
            return tokio::select! {
                biased;
                _ = self.control.wait_stopped() => Err(Halt::Aborted),
                r = call => Ok(r),
                _ = guard.reached() => expired(),
            };
        }
        tokio::select! {
            biased;
            _ = self.control.wait_stopped() => Err(Halt::Aborted),
            r = call => Ok(r),
            _ = self.clock.sleep_until(deadline) => expired(),
        }
    }
}
