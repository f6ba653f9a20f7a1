//! WINDOWED BY STAGGER: a window per partition key, opened by the key's first row and closed
//! its length later; rows of the key with a ROWTIME before the close are aggregated, and the
//! group is emitted with the close time as its ROWTIME (the developer guide's stagger
//! windows: the first AMZN row at 11:00:20 in a one-minute window gives a row at 11:01:20).
//! A row after the close opens the key's next window. Memory is bounded by the open keys.

use std::collections::{BTreeMap, HashMap};

use crate::engine::Row;
use crate::engine::agg::AggState;
use crate::engine::eval::{Ctx, eval, holds};
use crate::engine::key::Key;
use crate::engine::stage::RowFailure;
use crate::plan::{AggCall, CExpr, StageSpec};
use crate::types::Value;

#[derive(Debug)]
struct Window {
    keys: Vec<Value>,
    states: Vec<AggState>,
    close: i64,
}

/// The stagger window stage.
#[derive(Debug)]
pub struct Stagger {
    filter: Option<CExpr>,
    keys: Vec<CExpr>,
    range_ms: i64,
    aggs: Vec<AggCall>,
    having: Option<CExpr>,
    items: Vec<CExpr>,
    open: HashMap<Vec<Key>, Window>,
    /// Open windows by (close time, opening order).
    closing: BTreeMap<(i64, u64), Vec<Key>>,
    seq: u64,
}

impl Stagger {
    /// Builds the stage from its spec (which must be `StageSpec::Stagger`).
    pub fn new(spec: &StageSpec) -> Self {
        let StageSpec::Stagger {
            filter,
            keys,
            range_ms,
            aggs,
            having,
            items,
        } = spec
        else {
            unreachable!("Stagger::new is only called with a Stagger spec")
        };
        Self {
            filter: filter.clone(),
            keys: keys.clone(),
            range_ms: *range_ms,
            aggs: aggs.clone(),
            having: having.clone(),
            items: items.clone(),
            open: HashMap::new(),
            closing: BTreeMap::new(),
            seq: 0,
        }
    }

    /// Adds a row to its key's window, opening one if the key has none.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        let cx = Ctx::row(row);
        if !holds(self.filter.as_ref(), &cx)? {
            return Ok(());
        }
        // Windows that closed at or before this row go first.
        let mut failures = Vec::new();
        self.advance(row.rowtime, out, &mut failures);
        if let Some(f) = failures.into_iter().next() {
            return Err(f.message);
        }
        let mut keys = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            keys.push(eval(k, &cx)?);
        }
        let hashed: Vec<Key> = keys.iter().cloned().map(Key).collect();
        if !self.open.contains_key(&hashed) {
            self.seq += 1;
            let close = row.rowtime.saturating_add(self.range_ms);
            self.closing.insert((close, self.seq), hashed.clone());
            self.open.insert(
                hashed.clone(),
                Window {
                    keys,
                    states: self.aggs.iter().map(AggState::new).collect(),
                    close,
                },
            );
        }
        let window = self
            .open
            .get_mut(&hashed)
            .expect("the key's window is open");
        for (state, call) in window.states.iter_mut().zip(&self.aggs) {
            match &call.arg {
                None => state.add(None),
                Some(a) => state.add(Some(&eval(a, &cx)?)),
            }
        }
        Ok(())
    }

    /// Emits every window that closes at or before `t`, in closing order.
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        while let Some(entry) = self.closing.first_entry() {
            if entry.key().0 > t {
                return;
            }
            let hashed = entry.remove();
            let Some(w) = self.open.remove(&hashed) else {
                continue;
            };
            match self.emit(&w) {
                Ok(Some(row)) => out.push(row),
                Ok(None) => {}
                Err(message) => failures.push(RowFailure {
                    message,
                    row: Row {
                        rowtime: w.close,
                        values: w.keys,
                    },
                }),
            }
        }
    }

    fn emit(&self, w: &Window) -> Result<Option<Row>, String> {
        let mut aggs = Vec::with_capacity(w.states.len());
        for (s, call) in w.states.iter().zip(&self.aggs) {
            aggs.push(s.result(&call.ty)?);
        }
        let cx = Ctx {
            cols: &[],
            rowtime: w.close,
            keys: &w.keys,
            aggs: &aggs,
        };
        if !holds(self.having.as_ref(), &cx)? {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(self.items.len());
        for e in &self.items {
            values.push(eval(e, &cx)?);
        }
        Ok(Some(Row {
            rowtime: w.close,
            values,
        }))
    }
}
