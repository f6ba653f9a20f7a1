//! Aggregates over a sliding window (`OVER (RANGE INTERVAL ... PRECEDING)` or
//! `OVER (ROWS n PRECEDING)`): every input row emits one row, aggregating the rows of its
//! partition inside the frame that ends at it. Memory is bounded by the frame.

use std::collections::{HashMap, VecDeque};

use crate::ast::Frame;
use crate::engine::Row;
use crate::engine::agg::AggState;
use crate::engine::eval::{Ctx, eval, holds};
use crate::engine::key::Key;
use crate::plan::{AggCall, AggFunc, CExpr, StageSpec};
use crate::types::Value;

/// The sliding-window stage.
#[derive(Debug)]
pub struct Sliding {
    filter: Option<CExpr>,
    partition: Vec<CExpr>,
    frame: Frame,
    aggs: Vec<AggCall>,
    items: Vec<CExpr>,
    /// Per partition: (ROWTIME, aggregate argument values) of the rows in the frame.
    rows: HashMap<Vec<Key>, VecDeque<(i64, Vec<Value>)>>,
}

impl Sliding {
    /// Builds the stage from its spec (which must be `StageSpec::Sliding`).
    pub fn new(spec: &StageSpec) -> Self {
        let StageSpec::Sliding {
            filter,
            partition,
            frame,
            aggs,
            items,
        } = spec
        else {
            unreachable!("Sliding::new is only called with a Sliding spec")
        };
        Self {
            filter: filter.clone(),
            partition: partition.clone(),
            frame: *frame,
            aggs: aggs.clone(),
            items: items.clone(),
            rows: HashMap::new(),
        }
    }

    /// Adds a row and emits its output row (the row is the window's last).
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        let cx = Ctx::row(row);
        if !holds(self.filter.as_ref(), &cx)? {
            return Ok(());
        }
        let mut key = Vec::with_capacity(self.partition.len());
        for p in &self.partition {
            key.push(Key(eval(p, &cx)?));
        }
        let mut args = Vec::with_capacity(self.aggs.len());
        for a in &self.aggs {
            args.push(match &a.arg {
                Some(e) => eval(e, &cx)?,
                None => Value::Null,
            });
        }
        let t = row.rowtime;
        let frame = self.frame;
        let deque = self.rows.entry(key).or_default();
        deque.push_back((t, args));
        match frame {
            Frame::Range(ms) => {
                while deque.front().is_some_and(|(rt, _)| *rt < t - ms) {
                    deque.pop_front();
                }
            }
            Frame::Rows(n) => {
                while deque.len() as u64 > n + 1 {
                    deque.pop_front();
                }
            }
        }
        let mut results = Vec::with_capacity(self.aggs.len());
        for (i, call) in self.aggs.iter().enumerate() {
            if call.func.positional() {
                results.push(positional(call, deque, i, &cx)?);
                continue;
            }
            let mut st = AggState::new(call);
            for (_, vals) in deque.iter() {
                st.add(call.arg.as_ref().map(|_| &vals[i]));
            }
            results.push(st.result(&call.ty)?);
        }
        let cx = Ctx {
            cols: &row.values,
            rowtime: t,
            keys: &[],
            aggs: &results,
        };
        let mut values = Vec::with_capacity(self.items.len());
        for e in &self.items {
            values.push(eval(e, &cx)?);
        }
        out.push(Row { rowtime: t, values });
        Ok(())
    }
}

/// LAG and NTH_VALUE: the argument (index `i`) of the row they pick in the window `rows` (the
/// current row last), or LAG's default (NULL without one) if there is no such row.
fn positional(
    call: &AggCall,
    rows: &VecDeque<(i64, Vec<Value>)>,
    i: usize,
    cx: &Ctx<'_>,
) -> Result<Value, String> {
    if call.func == AggFunc::ExpAvg {
        // Weights halve per half-life of age behind the current row; NULLs do not count.
        let now = rows.back().map_or(0, |(t, _)| *t);
        let (mut sum, mut weights) = (0.0, 0.0);
        for (t, v) in rows {
            if let Some(x) = v[i].as_f64() {
                let w = 0.5f64.powf((now - t) as f64 / call.offset.max(1) as f64);
                sum += w * x;
                weights += w;
            }
        }
        return Ok(if weights > 0.0 {
            Value::Double(sum / weights)
        } else {
            Value::Null
        });
    }
    let n = call.offset.max(0) as usize;
    let values = rows.iter().map(|(_, v)| &v[i]);
    let keep = |v: &&Value| !(call.ignore_nulls && v.is_null());
    let picked = match call.func {
        // LAG 0 is the current row; LAG n the n-th earlier one.
        AggFunc::Lag if n == 0 => rows.back().map(|(_, v)| &v[i]),
        AggFunc::Lag => values.rev().skip(1).filter(keep).nth(n - 1),
        AggFunc::NthValue => values.filter(keep).nth(n - 1),
        _ => values.rev().filter(keep).nth(n - 1),
    };
    match (picked, &call.default) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(d)) => eval(d, cx),
        (None, None) => Ok(Value::Null),
    }
}
