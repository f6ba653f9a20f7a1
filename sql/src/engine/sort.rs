//! ORDER BY on a stream: rows are held while the leading (time-based, monotonic) key keeps
//! its value, and emitted sorted by the other keys once it changes — when a row with a new
//! value arrives, or time moves past the batch. Memory is bounded by one batch.

use std::cmp::Ordering;

use crate::engine::Row;
use crate::engine::eval::{Ctx, compare, eval};
use crate::engine::key::Key;
use crate::plan::CExpr;
use crate::types::Value;

/// The sort stage.
#[derive(Debug)]
pub struct Sort {
    width: usize,
    keys: Vec<(usize, bool)>,
    leading: Option<CExpr>,
    batch: Vec<Row>,
    current: Option<Key>,
}

impl Sort {
    /// A sort stage emitting `width` columns, by `keys` (row columns, DESC), whose leading key
    /// is `leading` of ROWTIME (`None`: a window's rows, which come at once).
    pub fn new(width: usize, keys: &[(usize, bool)], leading: Option<&CExpr>) -> Self {
        Self {
            width,
            keys: keys.to_vec(),
            leading: leading.cloned(),
            batch: Vec::new(),
            current: None,
        }
    }

    /// Takes a row; a new leading value emits the batch before it.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) {
        let lead = Key(row.values[self.keys[0].0].clone());
        if self.current.as_ref().is_some_and(|c| *c != lead) {
            self.flush(out);
        }
        self.current = Some(lead);
        self.batch.push(row.clone());
    }

    /// Emits the batch if time `t` is past it.
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let past = match &self.leading {
            Some(e) => {
                let cx = Ctx {
                    cols: &[],
                    rowtime: t,
                    keys: &[],
                    aggs: &[],
                };
                self.current.as_ref() != Some(&Key(eval(e, &cx)?))
            }
            None => self.batch.iter().all(|r| r.rowtime <= t),
        };
        if past {
            self.flush(out);
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Vec<Row>) {
        let keys = &self.keys[1..];
        // NULL sorts first, as the lowest value.
        let order = |a: &Value, b: &Value| match (a.is_null(), b.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => compare(a, b).unwrap_or(Ordering::Equal),
        };
        self.batch.sort_by(|a, b| {
            keys.iter()
                .map(|&(i, desc)| {
                    let o = order(&a.values[i], &b.values[i]);
                    if desc { o.reverse() } else { o }
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
        for mut row in self.batch.drain(..) {
            row.values.truncate(self.width);
            out.push(row);
        }
        self.current = None;
    }
}

/// SELECT DISTINCT on a stream: the rows seen since the leading (monotonic) column took its
/// current value, so memory is bounded by one value's rows.
#[derive(Debug)]
pub struct Distinct {
    leading: usize,
    width: usize,
    current: Option<Key>,
    seen: std::collections::HashSet<Vec<Key>>,
}

impl Distinct {
    /// A DISTINCT over the first `width` columns, reset when column `leading` changes.
    pub fn new(leading: usize, width: usize) -> Self {
        Self {
            leading,
            width,
            current: None,
            seen: std::collections::HashSet::new(),
        }
    }

    /// Emits the row unless an equal one was emitted for the current leading value.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) {
        let lead = Key(row.values[self.leading].clone());
        if self.current.as_ref() != Some(&lead) {
            self.seen.clear();
            self.current = Some(lead);
        }
        let key: Vec<Key> = row.values[..self.width.min(row.values.len())]
            .iter()
            .cloned()
            .map(Key)
            .collect();
        if self.seen.insert(key) {
            out.push(row.clone());
        }
    }
}

/// GROUP_RANK: the rows of one ROWTIME (a group) are held until a row of another ROWTIME
/// comes, or time moves past them (plus maxIdle), then emitted with an INTEGER rank by a
/// column (ties share a rank, the next rank skips, as RANK() does).
#[derive(Debug)]
pub struct GroupRank {
    column: usize,
    desc: bool,
    output_desc: bool,
    max_idle_ms: i64,
    output_max: usize,
    group: Vec<Row>,
}

impl GroupRank {
    /// The stage for its spec's values.
    pub fn new(
        column: usize,
        desc: bool,
        output_desc: bool,
        max_idle_ms: i64,
        output_max: usize,
    ) -> Self {
        Self {
            column,
            desc,
            output_desc,
            max_idle_ms,
            output_max,
            group: Vec::new(),
        }
    }

    /// Takes a row; one of a later ROWTIME releases the held group first.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) {
        if self.group.first().is_some_and(|g| g.rowtime != row.rowtime) {
            self.release(out);
        }
        self.group.push(row.clone());
    }

    /// Releases the group once time is past its ROWTIME (and maxIdle).
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>) {
        if self
            .group
            .first()
            .is_some_and(|g| t > g.rowtime.saturating_add(self.max_idle_ms))
        {
            self.release(out);
        }
    }

    fn release(&mut self, out: &mut Vec<Row>) {
        let c = self.column;
        let order = |a: &Row, b: &Row| {
            let o = match (a.values[c].is_null(), b.values[c].is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => compare(&a.values[c], &b.values[c]).unwrap_or(Ordering::Equal),
            };
            if self.desc { o.reverse() } else { o }
        };
        let mut rows = std::mem::take(&mut self.group);
        rows.sort_by(order);
        let mut ranked: Vec<(i64, Row)> = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let rank = match ranked.last() {
                Some((r, prev)) if order(prev, &row) == Ordering::Equal => *r,
                _ => i as i64 + 1,
            };
            ranked.push((rank, row));
        }
        if self.output_desc {
            ranked.reverse();
        }
        let limit = if self.output_max == 0 {
            usize::MAX
        } else {
            self.output_max
        };
        for (rank, mut row) in ranked.into_iter().take(limit) {
            row.values.push(Value::Int(rank));
            out.push(row);
        }
    }
}
