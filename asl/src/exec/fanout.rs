//! Parallel branches and Map iterations.

use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::Execution;
use super::driver::{Abandon, AbortCtx, Halt, Lane, StateInfo};
use super::program::{Kind, Machine, Node};
use crate::common::Vars;
use crate::error::{StatesError, names};
use crate::history::{EventType, details};
use crate::model::QueryLanguage;
use crate::states::map::{self, Tolerance};

impl Execution {
    /// Runs every branch on the same input; the first failure fails the state with the
    /// branch's own error (AWS-recorded) and abandons the other branches.
    pub(crate) async fn run_parallel(
        &self,
        _node: &Node,
        lane: &mut Lane,
        branches: &[Arc<Machine>],
        input: Value,
    ) -> Result<Value, Halt> {
        let started = self
            .history
            .push(EventType::ParallelStateStarted, lane.prev, Value::Null);
        lane.prev = started;
        let parent = Arc::new(lane.vars.clone());
        let ctx = AbortCtx::child(lane.abort.as_ref());
        let runs = branches.iter().map(|b| {
            let input = input.clone();
            let parent = parent.clone();
            let ctx = ctx.clone();
            async move {
                let mut child = Lane {
                    vars: Vars::child(parent),
                    prev: started,
                    abort: Some(ctx.clone()),
                };
                let r = self.run_machine(b, &mut child, input).await;
                r.map_err(|h| {
                    // The siblings are dropped next: their abort events point here.
                    ctx.abandon(child.prev);
                    (h, child.prev)
                })
            }
        });
        match futures::future::try_join_all(runs).await {
            Ok(outputs) => {
                lane.prev = self.history.push(
                    EventType::ParallelStateSucceeded,
                    self.history.last_id(),
                    Value::Null,
                );
                Ok(Value::Array(outputs))
            }
            Err((h, failed)) => {
                if let Halt::Failed(e) = &h {
                    lane.prev = self.history.push(
                        EventType::ParallelStateFailed,
                        failed,
                        details::failure(Some(&e.error), e.cause.as_deref()),
                    );
                }
                Err(h)
            }
        }
    }

    /// Runs the item processor for each item, at most `MaxConcurrency` at a time, keeping the
    /// outputs in item order.
    pub(crate) async fn run_map(
        &self,
        node: &Node,
        lane: &mut Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        let Kind::Map {
            processor,
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_count,
            tolerated_percentage,
        } = &node.kind
        else {
            return Err(Halt::Failed(StatesError::runtime("not a Map state")));
        };
        let jsonata = node.language == QueryLanguage::JSONata;
        let evaluated: Result<_, StatesError> = (|| {
            let ctx = || self.context_without_input(info);
            let states = jsonata.then(|| self.states_var(raw, info, None));
            let scope = self.scope(effective, &ctx, &lane.vars, states.as_ref());
            let value = match (items, items_path) {
                (Some(t), _) => t.eval(&scope)?,
                (None, Some(p)) => scope.resolve(p).map_err(StatesError::runtime)?,
                (None, None) => effective.clone(),
            };
            let path_text = items_path.as_ref().map_or("$", |p| p.as_str());
            let items = map::items(value, path_text, jsonata)?;
            let limit = map::max_concurrency(self.num(max_concurrency, &scope)?.as_ref())?;
            let tolerance = Tolerance::from_values(
                self.num(tolerated_count, &scope)?.as_ref(),
                self.num(tolerated_percentage, &scope)?.as_ref(),
            )?;
            Ok((items, limit, tolerance))
        })();
        let (items, limit, tolerance) = match evaluated {
            Ok(v) => v,
            Err(e) => {
                if e.error == names::QUERY_EVALUATION_ERROR {
                    lane.prev = self.evaluation_failed(&e, &node.name, lane.prev);
                }
                return Err(Halt::Failed(e));
            }
        };
        let total = items.len();
        let started = self.history.push(
            EventType::MapStateStarted,
            lane.prev,
            serde_json::json!({"length": total}),
        );
        lane.prev = started;
        let parent = Arc::new(lane.vars.clone());
        let ctx = AbortCtx::child(lane.abort.as_ref());
        let limit = if limit == 0 { total.max(1) } else { limit };
        let items = &items;
        let iterations = (0..total).map(|index| {
            let parent = parent.clone();
            let ctx = ctx.clone();
            async move {
                let item = &items[index];
                let input = {
                    let item_info = StateInfo {
                        item: Some((index, item)),
                        ..*info
                    };
                    let ctx = || self.context_without_input(&item_info);
                    let states = jsonata.then(|| self.states_var(raw, &item_info, None));
                    let vars = Vars::child(parent.clone());
                    let scope = self.scope(effective, &ctx, &vars, states.as_ref());
                    match item_selector {
                        Some(t) => match t.eval(&scope) {
                            Ok(v) => v,
                            Err(e) => return (index, Err((Halt::Failed(e), 0))),
                        },
                        None => item.clone(),
                    }
                };
                let it_started = self.history.push(
                    EventType::MapIterationStarted,
                    started,
                    details::map_iteration(&node.name, index),
                );
                let mut child = Lane {
                    vars: Vars::child(parent),
                    prev: it_started,
                    abort: Some(ctx.clone()),
                };
                let abandoned = ctx.clone();
                let r = Abandon::new(self.run_machine(processor, &mut child, input), move || {
                    let prev = abandoned.resolve();
                    if prev != 0 {
                        self.history.push(
                            EventType::MapIterationAborted,
                            prev,
                            details::map_iteration(&node.name, index),
                        );
                    }
                })
                .await;
                let t = match &r {
                    Ok(_) => EventType::MapIterationSucceeded,
                    Err(Halt::Failed(_)) => EventType::MapIterationFailed,
                    Err(_) => EventType::MapIterationAborted,
                };
                self.history
                    .push(t, child.prev, details::map_iteration(&node.name, index));
                (index, r.map_err(|h| (h, child.prev)))
            }
        });
        // Unordered, so that the first iteration to fail fails the Map at once (AWS).
        let mut stream = futures::stream::iter(iterations).buffer_unordered(limit);
        let mut outputs: Vec<Value> = vec![Value::Null; total];
        let mut failures = 0usize;
        let mut failure: Option<StatesError> = None;
        let mut failed_at = 0;
        while let Some((index, r)) = stream.next().await {
            match r {
                Ok(v) => outputs[index] = v,
                Err((Halt::Failed(e), at)) => {
                    failures += 1;
                    failed_at = if at == 0 { self.history.last_id() } else { at };
                    if !tolerance.is_set() {
                        failure = Some(e);
                        break;
                    }
                    if tolerance.exceeded(failures, total) {
                        failure = Some(map::threshold_exceeded());
                        break;
                    }
                    outputs[index] = e.to_error_output();
                }
                Err((h, at)) => {
                    ctx.abandon(at);
                    return Err(h);
                }
            }
        }
        // In-flight iterations are abandoned: their abort events point at the failure.
        if failure.is_some() {
            ctx.abandon(failed_at);
        }
        drop(stream);
        match failure {
            Some(e) => {
                lane.prev = self.history.push(
                    EventType::MapStateFailed,
                    failed_at,
                    details::failure(Some(&e.error), e.cause.as_deref()),
                );
                Err(Halt::Failed(e))
            }
            None => {
                lane.prev = self.history.push(
                    EventType::MapStateSucceeded,
                    self.history.last_id(),
                    Value::Null,
                );
                Ok(Value::Array(outputs))
            }
        }
    }
}
