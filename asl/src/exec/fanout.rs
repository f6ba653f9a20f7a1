//! Parallel branches and Map iterations (inline ones here; a Distributed Map's Map Run in
//! `maprun.rs`).
//!
//! Neither state records its `...StateFailed` event itself: a failed attempt sets
//! [`Lane::failed_event`] and the retry loop records one `ParallelStateFailed`/`MapStateFailed`
//! once the failure is final (AWS-recorded: retried attempts each start again with
//! `...StateStarted`, and only the last one is followed by `...StateFailed`).

use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::Execution;
use super::driver::{Abandon, AbortCtx, Halt, Lane, StateInfo, located_cause};
use super::program::{Kind, Machine, Node};
use crate::common::{Template, Vars};
use crate::error::{StatesError, names};
use crate::history::{EventType, details};
use crate::model::QueryLanguage;
use crate::states::map::{self, ItemsSource, Tolerance};

/// What a Map state evaluated before its iterations start.
pub(crate) struct MapPlan {
    pub(crate) items: Vec<Value>,
    /// Concurrent iterations (0: unbounded).
    pub(crate) limit: usize,
    pub(crate) tolerance: Tolerance,
}

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
                let mut child = Lane::new(Vars::child(parent), started, Some(ctx.clone()));
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
                lane.prev = failed;
                if matches!(h, Halt::Failed(_)) {
                    lane.failed_event = Some(failed);
                }
                Err(h)
            }
        }
    }

    /// A Map state: evaluates its items, `MaxConcurrency` and tolerance, records
    /// `MapStateStarted`, then runs the iterations inline or as a Map Run.
    pub(crate) async fn run_map(
        &self,
        node: &Node,
        lane: &mut Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        let Kind::Map { distributed, .. } = &node.kind else {
            return Err(Halt::Failed(StatesError::runtime("not a Map state")));
        };
        let plan = match self.map_items(node, lane, raw, effective, info) {
            Ok(items) => items,
            Err(e) => {
                // AWS-recorded: a JSONata failure of the items is EvaluationFailed, then
                // MapStateFailed; a runtime error of a path field fails the state at once.
                if e.error == names::QUERY_EVALUATION_ERROR {
                    let e = located_cause(e, info);
                    lane.prev = self.evaluation_failed(&e, &node.name, lane.prev);
                    lane.failed_event = Some(lane.prev);
                    return Err(Halt::Failed(e));
                }
                return Err(Halt::Failed(e));
            }
        };
        let (items, limit) = plan;
        let started = self.history.push(
            EventType::MapStateStarted,
            lane.prev,
            serde_json::json!({"length": items.len()}),
        );
        lane.prev = started;
        // AWS-recorded: an invalid tolerance fails the state after MapStateStarted.
        let tolerance = self.map_tolerance(node, lane, raw, effective, info)?;
        let plan = MapPlan {
            items,
            limit,
            tolerance,
        };
        let result = match distributed {
            Some(d) => {
                self.run_map_run(node, lane, d, plan, raw, effective, info)
                    .await
            }
            None => {
                self.run_inline_map(node, lane, plan, raw, effective, info)
                    .await
            }
        };
        if result.is_ok() {
            lane.prev = self.history.push(
                EventType::MapStateSucceeded,
                self.history.last_id(),
                Value::Null,
            );
        }
        result
    }

    /// The items and `MaxConcurrency` of a Map state.
    fn map_items(
        &self,
        node: &Node,
        lane: &Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<(Vec<Value>, usize), StatesError> {
        let Kind::Map {
            items_path,
            items,
            max_concurrency,
            ..
        } = &node.kind
        else {
            return Err(StatesError::runtime("not a Map state"));
        };
        let jsonata = node.language == QueryLanguage::JSONata;
        self.with_field_scope(node, &lane.vars, raw, effective, info, |scope| {
            let (value, source) = match (items, items_path) {
                (Some(t), _) => (
                    t.eval(scope)?,
                    t.jsonata_expr()
                        .map_or(ItemsSource::JsonataInput, ItemsSource::Expression),
                ),
                (None, Some(p)) => (
                    scope.resolve(p).map_err(StatesError::runtime)?,
                    ItemsSource::Path(p.as_str()),
                ),
                (None, None) if jsonata => (effective.clone(), ItemsSource::JsonataInput),
                (None, None) => (effective.clone(), ItemsSource::Path("$")),
            };
            let items = map::items(value, source)?;
            let limit = map::max_concurrency(
                self.num(max_concurrency, scope)?.as_ref(),
                max_concurrency.as_ref().and_then(|n| n.path()),
            )?;
            Ok((items, limit))
        })
    }

    /// `ToleratedFailureCount`/`ToleratedFailurePercentage` (or their paths).
    fn map_tolerance(
        &self,
        node: &Node,
        lane: &Lane,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Tolerance, StatesError> {
        let Kind::Map {
            tolerated_count,
            tolerated_percentage,
            ..
        } = &node.kind
        else {
            return Err(StatesError::runtime("not a Map state"));
        };
        fn path(n: &Option<super::program::Num>) -> Option<&str> {
            n.as_ref().and_then(|n| n.path())
        }
        self.with_field_scope(node, &lane.vars, raw, effective, info, |scope| {
            let count = self
                .num(tolerated_count, scope)?
                .map(|v| map::tolerance_count(&v, path(tolerated_count)))
                .transpose()?;
            let percentage = self
                .num(tolerated_percentage, scope)?
                .map(|v| map::tolerance_percentage(&v, path(tolerated_percentage)))
                .transpose()?;
            Ok(Tolerance { count, percentage })
        })
    }

    /// The input of iteration `index`: `ItemSelector`/`Parameters` evaluated with
    /// `$$.Map.Item`, or the item itself.
    pub(crate) fn item_input(
        &self,
        node: &Node,
        vars: &Vars,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
        (index, item): (usize, &Value),
    ) -> Result<Value, StatesError> {
        let Kind::Map { item_selector, .. } = &node.kind else {
            return Err(StatesError::runtime("not a Map state"));
        };
        let Some(t): Option<&Template> = item_selector.as_ref() else {
            return Ok(item.clone());
        };
        let item_info = StateInfo {
            item: Some((index, item)),
            ..*info
        };
        self.with_field_scope(node, vars, raw, effective, &item_info, |scope| {
            t.eval(scope)
        })
    }

    /// Runs the item processor inline for each item, at most `MaxConcurrency` at a time,
    /// keeping the outputs in item order.
    async fn run_inline_map(
        &self,
        node: &Node,
        lane: &mut Lane,
        plan: MapPlan,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
    ) -> Result<Value, Halt> {
        let Kind::Map { processor, .. } = &node.kind else {
            return Err(Halt::Failed(StatesError::runtime("not a Map state")));
        };
        let MapPlan {
            items,
            limit,
            tolerance,
        } = plan;
        let started = lane.prev;
        let total = items.len();
        let parent = Arc::new(lane.vars.clone());
        let ctx = AbortCtx::child(lane.abort.as_ref());
        let limit = if limit == 0 { total.max(1) } else { limit };
        let items = &items;
        let iterations = (0..total).map(|index| {
            let parent = parent.clone();
            let ctx = ctx.clone();
            async move {
                let item = &items[index];
                let vars = Vars::child(parent.clone());
                let input = match self.item_input(node, &vars, raw, effective, info, (index, item))
                {
                    Ok(v) => v,
                    Err(e) => return (index, Err((Halt::Failed(e), 0))),
                };
                let it_started = self.history.push(
                    EventType::MapIterationStarted,
                    started,
                    details::map_iteration(&node.name, index),
                );
                let mut child = Lane::new(Vars::child(parent), it_started, Some(ctx.clone()));
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
                lane.prev = failed_at;
                lane.failed_event = Some(failed_at);
                Err(Halt::Failed(e))
            }
            None => Ok(Value::Array(outputs)),
        }
    }
}
