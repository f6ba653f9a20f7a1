//! GROUP BY over a tumbling ROWTIME window (STEP or FLOOR). Rows arrive in ROWTIME order, so
//! only one window is open at a time; it closes — and its groups are emitted, with ROWTIME
//! equal to the window's end — as soon as time reaches that end.

use std::collections::HashMap;

use crate::engine::Row;
use crate::engine::agg::AggState;
use crate::engine::eval::{Ctx, eval, holds};
use crate::engine::key::Key;
use crate::engine::stage::RowFailure;
use crate::engine::window::OpenWindow;
use crate::plan::{AggCall, CExpr, StageSpec};
use crate::types::Value;

/// One group's keys and accumulators.
#[derive(Debug)]
struct Group {
    keys: Vec<Value>,
    states: Vec<AggState>,
}

/// The tumbling aggregate stage.
#[derive(Debug)]
pub struct Tumbling {
    filter: Option<CExpr>,
    window_key: usize,
    keys: Vec<CExpr>,
    aggs: Vec<AggCall>,
    having: Option<CExpr>,
    items: Vec<CExpr>,
    /// The open window.
    open: OpenWindow,
    /// Group index by non-window keys, in first-seen order.
    index: HashMap<Vec<Key>, usize>,
    groups: Vec<Group>,
}

impl Tumbling {
    /// Builds the stage from its spec (which must be `StageSpec::Tumbling`).
    pub fn new(spec: &StageSpec) -> Self {
        let StageSpec::Tumbling {
            filter,
            window_key,
            window,
            keys,
            aggs,
            having,
            items,
        } = spec
        else {
            unreachable!("Tumbling::new is only called with a Tumbling spec")
        };
        Self {
            filter: filter.clone(),
            window_key: *window_key,
            keys: keys.clone(),
            aggs: aggs.clone(),
            having: having.clone(),
            items: items.clone(),
            open: OpenWindow::new(*window),
            index: HashMap::new(),
            groups: Vec::new(),
        }
    }

    /// Adds a row to its group.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        let cx = Ctx::row(row);
        if !holds(self.filter.as_ref(), &cx)? {
            return Ok(());
        }
        let mut keys = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            keys.push(eval(k, &cx)?);
        }
        let Value::Timestamp(start) = keys[self.window_key] else {
            return Ok(()); // NULL window key: the row belongs to no window.
        };
        if self.open.is_other(start) {
            // A later window: close the open one first (time advanced past its end).
            let mut failures = Vec::new();
            self.close(out, &mut failures);
            if let Some(f) = failures.into_iter().next() {
                return Err(f.message);
            }
        }
        self.open.open(start);
        let gi = if self.keys.len() == 1 {
            // Only the window key: one group, no hashing on the hot path.
            if self.groups.is_empty() {
                self.groups.push(Group {
                    keys,
                    states: self.aggs.iter().map(AggState::new).collect(),
                });
            }
            0
        } else {
            let other: Vec<Key> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != self.window_key)
                .map(|(_, v)| Key(v.clone()))
                .collect();
            match self.index.get(&other) {
                Some(&i) => i,
                None => {
                    self.groups.push(Group {
                        keys,
                        states: self.aggs.iter().map(AggState::new).collect(),
                    });
                    self.index.insert(other, self.groups.len() - 1);
                    self.groups.len() - 1
                }
            }
        };
        let group = &mut self.groups[gi];
        for (state, call) in group.states.iter_mut().zip(&self.aggs) {
            match &call.arg {
                None => state.add(None),
                Some(a) => {
                    let v = eval(a, &cx)?;
                    state.add(Some(&v));
                }
            }
        }
        Ok(())
    }

    /// Closes the open window if `t` has reached its end.
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        if self.open.is_due(t) {
            self.close(out, failures);
        }
    }

    fn close(&mut self, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        let Some((_, end)) = self.open.take() else {
            return;
        };
        self.index.clear();
        for g in self.groups.drain(..) {
            let mut aggs = Vec::with_capacity(g.states.len());
            let mut failed = None;
            for (s, call) in g.states.iter().zip(&self.aggs) {
                match s.result(&call.ty) {
                    Ok(v) => aggs.push(v),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let result = match failed {
                Some(e) => Err(e),
                None => emit(&self.having, &self.items, &g.keys, &aggs, end),
            };
            match result {
                Ok(Some(row)) => out.push(row),
                Ok(None) => {}
                Err(message) => failures.push(RowFailure {
                    message,
                    row: Row {
                        rowtime: end,
                        values: g.keys,
                    },
                }),
            }
        }
    }
}

fn emit(
    having: &Option<CExpr>,
    items: &[CExpr],
    keys: &[Value],
    aggs: &[Value],
    end: i64,
) -> Result<Option<Row>, String> {
    let cx = Ctx {
        cols: &[],
        rowtime: end,
        keys,
        aggs,
    };
    if !holds(having.as_ref(), &cx)? {
        return Ok(None);
    }
    let mut values = Vec::with_capacity(items.len());
    for e in items {
        values.push(eval(e, &cx)?);
    }
    Ok(Some(Row {
        rowtime: end,
        values,
    }))
}
