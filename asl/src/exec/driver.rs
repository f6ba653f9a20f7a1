//! The driver: walks states, records events, performs waits; task and fan-out effects live in
//! `task.rs` and `fanout.rs`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use chrono::{DateTime, SecondsFormat, Utc};
use futures::future::BoxFuture;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::program::{Kind, Machine, Node, Num};
use super::{Execution, ExecutionOutcome, ExecutionStatus};
use crate::common::retry::{RetryDecision, decide, find_catcher};
use crate::common::{Scope, Template, Vars, io};
use crate::error::{StatesError, names};
use crate::history::{EventType, details};
use crate::model::QueryLanguage;
use crate::states::{choice, fail, wait};

/// AWS's payload limit (256 KiB of UTF-8).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Why a lane stopped early.
#[derive(Debug)]
pub(crate) enum Halt {
    Failed(StatesError),
    Aborted,
    TimedOut,
}

impl From<StatesError> for Halt {
    fn from(e: StatesError) -> Self {
        Halt::Failed(e)
    }
}

/// One thread of control: the top level, a Parallel branch or a Map iteration.
#[derive(Debug)]
pub(crate) struct Lane {
    pub(crate) vars: Vars,
    pub(crate) prev: u64,
    /// Set for branches and iterations: how their abandonment is recorded.
    pub(crate) abort: Option<Arc<AbortCtx>>,
    /// Set by a failed Parallel or Map attempt whose failure AWS reports with
    /// `ParallelStateFailed`/`MapStateFailed`: the id that event points at. The retry loop
    /// records the event once the failure is final.
    pub(crate) failed_event: Option<u64>,
}

impl Lane {
    pub(crate) fn new(vars: Vars, prev: u64, abort: Option<Arc<AbortCtx>>) -> Self {
        Self {
            vars,
            prev,
            abort,
            failed_event: None,
        }
    }
}

/// Shared by the lanes of one Parallel or Map state: once the state abandons them (a sibling
/// failed, or the execution stopped), `prev` holds the id the abort events point at (AWS-recorded:
/// every `...Aborted` event of the siblings points at the event that failed the state).
#[derive(Debug, Default)]
pub(crate) struct AbortCtx {
    prev: AtomicU64,
    parent: Option<Arc<AbortCtx>>,
}

impl AbortCtx {
    pub(crate) fn child(parent: Option<&Arc<AbortCtx>>) -> Arc<Self> {
        Arc::new(Self {
            prev: AtomicU64::new(0),
            parent: parent.cloned(),
        })
    }

    /// Marks the lanes abandoned: abort events point at `prev`.
    pub(crate) fn abandon(&self, prev: u64) {
        self.prev.store(prev.max(1), Ordering::SeqCst);
    }

    /// The id abort events point at; 0 if no enclosing state abandoned its lanes (e.g. the whole
    /// execution future was dropped), in which case nothing is recorded.
    pub(crate) fn resolve(&self) -> u64 {
        match self.prev.load(Ordering::SeqCst) {
            0 => self.parent.as_ref().map_or(0, |p| p.resolve()),
            p => p,
        }
    }
}

/// A future that runs `on_abandon` after dropping `inner` if it is dropped before completing
/// (so nested abort events come first, as on AWS).
pub(crate) struct Abandon<'a, T> {
    inner: Option<BoxFuture<'a, T>>,
    on_abandon: Option<Box<dyn FnOnce() + Send + 'a>>,
}

impl<'a, T> Abandon<'a, T> {
    pub(crate) fn new(inner: BoxFuture<'a, T>, on_abandon: impl FnOnce() + Send + 'a) -> Self {
        Self {
            inner: Some(inner),
            on_abandon: Some(Box::new(on_abandon)),
        }
    }
}

impl<T> Future for Abandon<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Pending;
        };
        match inner.as_mut().poll(cx) {
            Poll::Ready(v) => {
                self.inner = None;
                self.on_abandon = None;
                Poll::Ready(v)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for Abandon<'_, T> {
    fn drop(&mut self) {
        self.inner = None;
        if let Some(f) = self.on_abandon.take() {
            f();
        }
    }
}

/// The `...StateAborted` event of a state that can be in progress when abandoned.
fn aborted_type(kind: &Kind) -> Option<EventType> {
    Some(match kind {
        Kind::Task { .. } => EventType::TaskStateAborted,
        Kind::Wait(_) => EventType::WaitStateAborted,
        Kind::Parallel { .. } => EventType::ParallelStateAborted,
        Kind::Map { .. } => EventType::MapStateAborted,
        _ => return None,
    })
}

/// What a state hands back when it exits normally (or through a catcher).
pub(crate) struct Exit {
    pub(crate) output: Value,
    pub(crate) next: Option<usize>,
    pub(crate) assigned: Option<IndexMap<String, Value>>,
}

/// Per-state facts the context object shows.
#[derive(Clone, Copy)]
pub(crate) struct StateInfo<'a> {
    pub(crate) name: &'a str,
    pub(crate) entered: DateTime<Utc>,
    pub(crate) entered_id: u64,
    pub(crate) retry_count: Option<u32>,
    pub(crate) item: Option<(usize, &'a Value)>,
    pub(crate) token: Option<&'a str>,
}

fn event_types(kind: &Kind) -> (EventType, Option<EventType>) {
    use EventType::*;
    match kind {
        Kind::Pass { .. } => (PassStateEntered, Some(PassStateExited)),
        Kind::Task { .. } => (TaskStateEntered, Some(TaskStateExited)),
        Kind::Choice { .. } => (ChoiceStateEntered, Some(ChoiceStateExited)),
        Kind::Wait(_) => (WaitStateEntered, Some(WaitStateExited)),
        Kind::Succeed => (SucceedStateEntered, Some(SucceedStateExited)),
        Kind::Fail { .. } => (FailStateEntered, None),
        Kind::Parallel { .. } => (ParallelStateEntered, Some(ParallelStateExited)),
        Kind::Map { .. } => (MapStateEntered, Some(MapStateExited)),
    }
}

/// The prefix AWS gives the cause of an error a state raises itself.
const STATE_ERROR_PREFIX: &str = "An error occurred while executing the state";

/// Prefixes the cause of a `States.Runtime` or `States.QueryEvaluationError` the state raised
/// itself with "An error occurred while executing the state 'X' (entered at the event id #N)."
/// (AWS-recorded); errors that already carry it (from a nested state) are left alone.
pub(crate) fn located_cause(mut e: StatesError, info: &StateInfo<'_>) -> StatesError {
    let own = e.error == names::RUNTIME || e.error == names::QUERY_EVALUATION_ERROR;
    if own
        && !e
            .cause
            .as_deref()
            .unwrap_or("")
            .starts_with(STATE_ERROR_PREFIX)
    {
        e.cause = Some(format!(
            "{STATE_ERROR_PREFIX} '{}' (entered at the event id #{}). {}",
            info.name,
            info.entered_id,
            e.cause.unwrap_or_default()
        ));
    }
    e
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Execution {
    pub(super) async fn run_inner(&self, input: Value) -> ExecutionOutcome {
        let start = self.clock.now();
        *self.start.lock() = start;
        let _ = self.input.set(input.clone());
        *self.deadline.lock() = self
            .program
            .definition
            .timeout_seconds
            .map(|s| start + chrono::Duration::seconds(s as i64));
        self.history.push(
            EventType::ExecutionStarted,
            0,
            details::execution_started(&input, &self.config.role_arn),
        );
        let mut lane = Lane::new(Vars::default(), 0, None);
        let machine = self.program.machine.clone();
        let result = self.run_machine(&machine, &mut lane, input).await;
        let last = self.history.last_id();
        let (status, output, error, cause) = match result {
            Ok(out) => {
                let text = out.to_string();
                self.history.push(
                    EventType::ExecutionSucceeded,
                    lane.prev.max(1),
                    details::execution_succeeded(&text),
                );
                (ExecutionStatus::Succeeded, Some(out), None, None)
            }
            Err(Halt::Failed(e)) => {
                let error = Some(e.error).filter(|e| !e.is_empty());
                self.history.push(
                    EventType::ExecutionFailed,
                    last,
                    details::failure(error.as_deref(), e.cause.as_deref()),
                );
                (ExecutionStatus::Failed, None, error, e.cause)
            }
            Err(Halt::Aborted) => {
                let (error, cause) = self.control.reason.lock().clone();
                self.history.push(
                    EventType::ExecutionAborted,
                    last,
                    details::failure(error.as_deref(), cause.as_deref()),
                );
                (ExecutionStatus::Aborted, None, error, cause)
            }
            Err(Halt::TimedOut) => {
                let error = names::TIMEOUT.to_owned();
                let cause = "The execution ran past its TimeoutSeconds".to_owned();
                self.history.push(
                    EventType::ExecutionTimedOut,
                    last,
                    details::failure(Some(&error), Some(&cause)),
                );
                (ExecutionStatus::TimedOut, None, Some(error), Some(cause))
            }
        };
        ExecutionOutcome {
            status,
            output,
            error,
            cause,
            start_date: start,
            stop_date: self.clock.now(),
        }
    }

    pub(crate) fn check_halt(&self) -> Result<(), Halt> {
        if self.control.is_stopped() {
            return Err(Halt::Aborted);
        }
        if let Some(d) = *self.deadline.lock()
            && self.clock.now() >= d
        {
            return Err(Halt::TimedOut);
        }
        Ok(())
    }

    /// Waits until `until` on the clock, honouring stop requests, the execution deadline and
    /// replays (a wait whose end is already recorded is skipped).
    pub(crate) async fn sleep_until(&self, until: DateTime<Utc>) -> Result<(), Halt> {
        self.check_halt()?;
        if self.history.replaying() {
            return Ok(());
        }
        let deadline = *self.deadline.lock();
        let (target, times_out) = match deadline {
            Some(d) if until > d => (d, true),
            _ => (until, false),
        };
        tokio::select! {
            biased;
            _ = self.control.wait_stopped() => return Err(Halt::Aborted),
            _ = self.clock.sleep_until(target) => {}
        }
        if times_out {
            return Err(Halt::TimedOut);
        }
        Ok(())
    }

    /// The context object (`$$`) for a state, with `Execution.Input`.
    pub(crate) fn context(&self, info: &StateInfo<'_>) -> Value {
        let mut ctx = self.context_without_input(info);
        ctx["Execution"]["Input"] = self.input.get().cloned().unwrap_or(Value::Null);
        ctx
    }

    /// The context object without `Execution.Input`, which [`Scope::resolve`] reads in place:
    /// copying a large execution input for every Map item would make Maps quadratic.
    pub(crate) fn context_without_input(&self, info: &StateInfo<'_>) -> Value {
        let mut state = Map::new();
        state.insert("EnteredTime".into(), iso(info.entered).into());
        state.insert("Name".into(), info.name.into());
        if let Some(r) = info.retry_count {
            state.insert("RetryCount".into(), r.into());
        }
        let mut ctx = json!({
            "Execution": {
                "Id": self.config.execution_arn,
                "Name": self.config.name,
                "RoleArn": self.config.role_arn,
                "StartTime": iso(*self.start.lock()),
            },
            "StateMachine": {"Id": self.config.state_machine_arn, "Name": self.config.state_machine_name},
            "State": state,
        });
        if !self.config.express {
            ctx["Execution"]["RedriveCount"] = 0.into();
        }
        if let Some((index, value)) = info.item {
            ctx["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        if let Some(token) = info.token {
            ctx["Task"] = json!({"Token": token});
        }
        ctx
    }

    /// Runs a (sub-)machine from its start state to its end.
    pub(crate) fn run_machine<'a>(
        &'a self,
        m: &'a Machine,
        lane: &'a mut Lane,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, Halt>> {
        Box::pin(async move {
            let mut idx = m.start;
            let mut input = input;
            loop {
                self.check_halt()?;
                let node = &m.states[idx];
                let (entered_type, exited_type) = event_types(&node.kind);
                let entered_id = self.history.push(
                    entered_type,
                    lane.prev,
                    details::state_entered(&node.name, &input),
                );
                lane.prev = entered_id;
                let info = StateInfo {
                    name: &node.name,
                    entered: self.clock.now(),
                    entered_id,
                    retry_count: None,
                    item: None,
                    token: None,
                };
                let aborted = aborted_type(&node.kind);
                // Branches and iterations record `...StateAborted` when abandoned mid-state;
                // so do Parallel and Map states everywhere (never a linear execution's state).
                let fanout = matches!(node.kind, Kind::Parallel { .. } | Kind::Map { .. });
                let record_abort = aborted.filter(|_| lane.abort.is_some() || fanout);
                let result = match (record_abort, lane.abort.clone()) {
                    (Some(t), Some(ctx)) => {
                        let history = &self.history;
                        Abandon::new(
                            Box::pin(self.run_state(node, lane, input, info)),
                            move || {
                                let prev = ctx.resolve();
                                if prev != 0 {
                                    history.push(t, prev, serde_json::Value::Null);
                                }
                            },
                        )
                        .await
                    }
                    _ => self.run_state(node, lane, input, info).await,
                };
                let exit = match result {
                    Ok(exit) => exit,
                    Err(Halt::Failed(e)) => {
                        return Err(Halt::Failed(self.located(e, &info, lane, fanout)));
                    }
                    Err(h) => {
                        if let Some(t) = record_abort {
                            lane.prev = self.history.push(t, lane.prev, Value::Null);
                        }
                        return Err(h);
                    }
                };
                let text = exit.output.to_string();
                if text.len() > MAX_PAYLOAD_BYTES {
                    return Err(Halt::Failed(StatesError::new(
                        names::DATA_LIMIT_EXCEEDED,
                        format!(
                            "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                            node.name
                        ),
                    )));
                }
                if let Some(t) = exited_type {
                    lane.prev = self.history.push(
                        t,
                        lane.prev,
                        details::state_exited(&node.name, &text, exit.assigned.as_ref()),
                    );
                }
                for (k, v) in exit.assigned.into_iter().flatten() {
                    lane.vars.set(k, v);
                }
                match exit.next {
                    Some(n) => {
                        idx = n;
                        input = exit.output;
                    }
                    None => return Ok(exit.output),
                }
            }
        })
    }

    /// Adds AWS's "An error occurred while executing the state ..." prefix to runtime and JSONata
    /// errors raised by the state itself, and records `EvaluationFailed` for JSONata failures.
    fn located(
        &self,
        e: StatesError,
        info: &StateInfo<'_>,
        lane: &mut Lane,
        fanout: bool,
    ) -> StatesError {
        let e = located_cause(e, info);
        // Parallel and Map record their own evaluation failures (a branch's error that reaches
        // them was recorded by the branch).
        if e.error == names::QUERY_EVALUATION_ERROR && !fanout {
            lane.prev = self.evaluation_failed(&e, info.name, lane.prev);
        }
        e
    }

    /// Records `EvaluationFailed` (AWS records it before the state or execution fails); returns
    /// its id.
    pub(crate) fn evaluation_failed(&self, e: &StatesError, state: &str, prev: u64) -> u64 {
        let mut d = serde_json::Map::new();
        d.insert("error".into(), e.error.clone().into());
        if let Some(c) = &e.cause {
            d.insert("cause".into(), c.clone().into());
        }
        if let Some(l) = &e.location {
            d.insert("location".into(), l.clone().into());
        }
        d.insert("state".into(), state.into());
        self.history
            .push(EventType::EvaluationFailed, prev, Value::Object(d))
    }

    pub(crate) fn scope<'a>(
        &'a self,
        input: &'a Value,
        ctx: &'a (dyn Fn() -> Value + Sync),
        vars: &'a Vars,
        states: Option<&'a Value>,
    ) -> Scope<'a> {
        Scope {
            input,
            execution_input: self.input.get(),
            context: ctx,
            vars,
            states,
            rng: &self.rng,
        }
    }

    /// Evaluates `f` in the scope a state's own fields see: the effective input, the context
    /// object, the lane's variables and, in JSONata, `$states`.
    pub(crate) fn with_field_scope<T>(
        &self,
        node: &Node,
        vars: &Vars,
        raw: &Value,
        effective: &Value,
        info: &StateInfo<'_>,
        f: impl FnOnce(&Scope<'_>) -> T,
    ) -> T {
        let ctx = || self.context_without_input(info);
        let states =
            (node.language == QueryLanguage::JSONata).then(|| self.states_var(raw, info, None));
        let scope = self.scope(effective, &ctx, vars, states.as_ref());
        f(&scope)
    }

    /// `$states` for JSONata.
    pub(crate) fn states_var(
        &self,
        input: &Value,
        info: &StateInfo<'_>,
        extra: Option<(&str, &Value)>,
    ) -> Value {
        let mut m = Map::new();
        m.insert("input".into(), input.clone());
        m.insert("context".into(), self.context(info));
        if let Some((k, v)) = extra {
            m.insert(k.into(), v.clone());
        }
        Value::Object(m)
    }

    pub(crate) fn eval_assign(
        &self,
        assign: &Option<Template>,
        scope: &Scope<'_>,
    ) -> Result<Option<IndexMap<String, Value>>, StatesError> {
        let Some(t) = assign else { return Ok(None) };
        match t.eval(scope)? {
            Value::Object(m) => Ok(Some(m.into_iter().collect())),
            other => Err(StatesError::runtime(format!(
                "Assign must be an object, got {other}"
            ))),
        }
    }

    /// Resolves a number field (literal, JSONata expression or reference path).
    pub(crate) fn num(
        &self,
        n: &Option<Num>,
        scope: &Scope<'_>,
    ) -> Result<Option<Value>, StatesError> {
        Ok(match n {
            None => None,
            Some(Num::Value(v)) => Some(v.clone()),
            Some(Num::Expr(t)) => Some(t.eval(scope)?),
            Some(Num::Path(p)) => Some(scope.resolve(p).map_err(StatesError::runtime)?),
        })
    }

    async fn run_state(
        &self,
        node: &Node,
        lane: &mut Lane,
        raw: Value,
        info: StateInfo<'_>,
    ) -> Result<Exit, Halt> {
        match &node.kind {
            Kind::Task { .. } | Kind::Parallel { .. } | Kind::Map { .. } => {
                self.run_task_like(node, lane, raw, info).await
            }
            Kind::Fail { error, cause } => {
                let ctx = || self.context_without_input(&info);
                let states = (node.language == QueryLanguage::JSONata)
                    .then(|| self.states_var(&raw, &info, None));
                let scope = self.scope(&raw, &ctx, &lane.vars, states.as_ref());
                let (error, cause) = fail::outcome(error, cause, &scope)?;
                Err(Halt::Failed(StatesError {
                    error: error.unwrap_or_default(),
                    cause,
                    location: None,
                }))
            }
            Kind::Wait(w) => {
                let (effective, deadline) = {
                    let ctx = || self.context_without_input(&info);
                    let states = (node.language == QueryLanguage::JSONata)
                        .then(|| self.states_var(&raw, &info, None));
                    let scope = self.scope(&raw, &ctx, &lane.vars, states.as_ref());
                    let effective = io::select(&node.input_path, &scope)?;
                    let scope = Scope {
                        input: &effective,
                        ..scope
                    };
                    let now = self.clock.now();
                    let own = if node.language == QueryLanguage::JSONata {
                        wait::Source::Jsonata
                    } else {
                        wait::Source::Literal
                    };
                    let deadline = match w {
                        wait::WaitFor::Seconds(t) => {
                            wait::seconds_deadline(now, &t.eval(&scope)?, "Seconds", own)?
                        }
                        wait::WaitFor::Timestamp(t) => {
                            wait::timestamp_deadline(now, &t.eval(&scope)?, "Timestamp", own)?
                        }
                        wait::WaitFor::SecondsPath(p) => wait::seconds_deadline(
                            now,
                            &scope.resolve(p).map_err(StatesError::runtime)?,
                            "SecondsPath",
                            wait::Source::Path(p.as_str()),
                        )?,
                        wait::WaitFor::TimestampPath(p) => wait::timestamp_deadline(
                            now,
                            &scope.resolve(p).map_err(StatesError::runtime)?,
                            "TimestampPath",
                            wait::Source::Path(p.as_str()),
                        )?,
                    };
                    (effective, deadline)
                };
                if lane.abort.is_some() && self.clock.is_virtual() {
                    // Virtual sleeps end at once: let sibling branches do their instantaneous
                    // work (e.g. fail) first, as they would on a real clock.
                    super::sched::yield_now().await;
                }
                self.sleep_until(deadline).await?;
                self.finish_simple(node, lane, &raw, effective, node.next, None, &info)
            }
            Kind::Choice { branches, default } => {
                let ctx = || self.context_without_input(&info);
                let states = (node.language == QueryLanguage::JSONata)
                    .then(|| self.states_var(&raw, &info, None));
                let scope = self.scope(&raw, &ctx, &lane.vars, states.as_ref());
                let effective = io::select(&node.input_path, &scope)?;
                let scope = Scope {
                    input: &effective,
                    ..scope
                };
                for b in branches {
                    if choice::evaluate(&b.rule, &scope)? {
                        let chosen = (b.assign.as_ref(), b.output.as_ref());
                        return self.finish_simple(
                            node,
                            lane,
                            &raw,
                            effective.clone(),
                            Some(b.next),
                            Some(chosen),
                            &info,
                        );
                    }
                }
                match default {
                    Some(d) => {
                        self.finish_simple(node, lane, &raw, effective, Some(*d), None, &info)
                    }
                    None => Err(Halt::Failed(StatesError::new(
                        names::NO_CHOICE_MATCHED,
                        "No Matches!",
                    ))),
                }
            }
            Kind::Pass { result } => {
                let ctx = || self.context_without_input(&info);
                if node.language == QueryLanguage::JSONata {
                    return self.finish_simple(
                        node,
                        lane,
                        &raw,
                        raw.clone(),
                        node.next,
                        None,
                        &info,
                    );
                }
                let scope = self.scope(&raw, &ctx, &lane.vars, None);
                let effective = io::select(&node.input_path, &scope)?;
                let result = match (result, &node.parameters) {
                    (Some(r), _) => r.clone(),
                    (None, Some(p)) => p.eval(&Scope {
                        input: &effective,
                        ..scope
                    })?,
                    (None, None) => effective,
                };
                let assigned = self.eval_assign(
                    &node.assign,
                    &Scope {
                        input: &result,
                        ..scope
                    },
                )?;
                let out = io::result_path(&node.result_path, &raw, result)?;
                let out = io::select(
                    &node.output_path,
                    &Scope {
                        input: &out,
                        ..scope
                    },
                )?;
                Ok(Exit {
                    output: out,
                    next: node.next,
                    assigned,
                })
            }
            Kind::Succeed => {
                let effective = {
                    let ctx = || self.context_without_input(&info);
                    io::select(&node.input_path, &self.scope(&raw, &ctx, &lane.vars, None))?
                };
                self.finish_simple(node, lane, &raw, effective, None, None, &info)
            }
        }
    }

    /// Task, Parallel and Map: attempts with `Retry`, then `Catch`.
    async fn run_task_like(
        &self,
        node: &Node,
        lane: &mut Lane,
        raw: Value,
        info: StateInfo<'_>,
    ) -> Result<Exit, Halt> {
        let jsonata = node.language == QueryLanguage::JSONata;
        let effective = if jsonata {
            raw.clone()
        } else {
            let ctx = || self.context_without_input(&info);
            io::select(&node.input_path, &self.scope(&raw, &ctx, &lane.vars, None))?
        };
        let mut attempts = vec![0u64; node.retry.len()];
        let mut retry_count = 0u32;
        let result = loop {
            let info = StateInfo {
                retry_count: Some(retry_count),
                ..info
            };
            lane.failed_event = None;
            match self.attempt(node, lane, &raw, &effective, &info).await {
                Ok(v) => {
                    break self
                        .finish_task_like(node, lane, &raw, v, &info)
                        .map_err(Halt::Failed);
                }
                Err(Halt::Failed(e)) if !e.is_terminal() => {
                    let decision = decide(&node.retry, &mut attempts, &e, &mut self.rng.lock());
                    match decision {
                        RetryDecision::Retry { delay, .. } => {
                            self.sleep_until(self.clock.now() + delay).await?;
                            retry_count += 1;
                        }
                        RetryDecision::GiveUp => break Err(Halt::Failed(e)),
                    }
                }
                Err(Halt::Failed(e)) => break Err(Halt::Failed(e)),
                Err(h) => return Err(h),
            }
        };
        let e = match result {
            Ok(exit) => return Ok(exit),
            Err(Halt::Failed(e)) => e,
            Err(h) => return Err(h),
        };
        // One ParallelStateFailed/MapStateFailed for the final failure, caught or not.
        if let Some(prev) = lane.failed_event.take() {
            let t = match node.kind {
                Kind::Parallel { .. } => Some(EventType::ParallelStateFailed),
                Kind::Map { .. } => Some(EventType::MapStateFailed),
                _ => None,
            };
            if let Some(t) = t {
                lane.prev = self.history.push(
                    t,
                    prev,
                    details::failure(Some(&e.error), e.cause.as_deref()),
                );
            }
        }
        if e.is_terminal() {
            return Err(Halt::Failed(e));
        }
        let catchers: Vec<_> = node.catch.iter().map(|c| c.catcher.clone()).collect();
        match find_catcher(&catchers, &e) {
            Some(i) => self.caught(node, &node.catch[i], lane, &raw, e, &info),
            None => Err(Halt::Failed(e)),
        }
    }
}
