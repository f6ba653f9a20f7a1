//! The stream-to-reference-table join: a hash index on the table's key columns, probed with
//! each stream row's keys, then the rest of the ON condition on each candidate.

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::Row;
use crate::engine::eval::{Ctx, eval, holds};
use crate::engine::key::Key;
use crate::plan::RefJoinSpec;
use crate::types::Value;

/// The rows of a reference table, shared by every join that reads it.
pub type TableRows = Arc<Vec<Vec<Value>>>;

/// A join stage and its index of the current table contents.
#[derive(Debug)]
pub struct RefJoin {
    spec: RefJoinSpec,
    rows: TableRows,
    /// Key values to the indices of the rows that have them (rows with a NULL key are in no
    /// entry: NULL equals nothing).
    index: HashMap<Box<[Key]>, Vec<u32>>,
    probe: Vec<Key>,
}

/// A value as the hash index compares it: trailing spaces do not count (as `=` on strings),
/// `-0.0` is `0.0`, and NULL matches nothing.
fn key(v: Value) -> Option<Key> {
    match v {
        Value::Null => None,
        Value::Str(s) if s.ends_with(' ') => Some(Key(Value::str(s.trim_end_matches(' ')))),
        // A float pattern compares with `==`, so this also matches -0.0.
        Value::Double(0.0) => Some(Key(Value::Double(0.0))),
        v => Some(Key(v)),
    }
}

impl RefJoin {
    /// A join over an empty table (until the reference data is loaded).
    pub fn new(spec: &RefJoinSpec) -> Self {
        Self {
            spec: spec.clone(),
            rows: Arc::new(Vec::new()),
            index: HashMap::new(),
            probe: Vec::with_capacity(spec.stream_keys.len()),
        }
    }

    /// The table this join reads.
    pub fn table(&self) -> usize {
        self.spec.table
    }

    /// Replaces the table's contents and rebuilds the index.
    pub fn load(&mut self, rows: &TableRows) {
        self.rows = rows.clone();
        self.index.clear();
        if self.spec.table_keys.is_empty() {
            return;
        }
        'rows: for (i, row) in rows.iter().enumerate() {
            let mut k = Vec::with_capacity(self.spec.table_keys.len());
            for &c in &self.spec.table_keys {
                match key(row[c].clone()) {
                    Some(v) => k.push(v),
                    None => continue 'rows,
                }
            }
            self.index
                .entry(k.into_boxed_slice())
                .or_default()
                .push(i as u32);
        }
    }

    /// Joins one stream row: a row per matching table row, or (LEFT OUTER) one row with
    /// NULL table columns if none matches.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        let before = out.len();
        if self.spec.stream_keys.is_empty() {
            for t in 0..self.rows.len() {
                self.emit(row, Some(t), out)?;
            }
        } else {
            self.probe.clear();
            let cx = Ctx::row(row);
            let mut null = false;
            for e in &self.spec.stream_keys {
                match key(eval(e, &cx)?) {
                    Some(k) => self.probe.push(k),
                    None => null = true,
                }
            }
            if !null && let Some(matches) = self.index.get(self.probe.as_slice()) {
                for &t in matches {
                    self.emit(row, Some(t as usize), out)?;
                }
            }
        }
        if self.spec.outer && out.len() == before {
            self.emit(row, None, out)?;
        }
        Ok(())
    }

    /// The joined row of `row` and table row `t` (NULLs for `None`), if the rest of the ON
    /// condition holds (an outer join's NULL row is emitted as it is).
    fn emit(&self, row: &Row, t: Option<usize>, out: &mut Vec<Row>) -> Result<(), String> {
        let width = self.spec.table_width;
        let mut values = Vec::with_capacity(row.values.len() + width);
        let table: &[Value] = match t {
            Some(t) => &self.rows[t],
            None => &[],
        };
        let nulls = || std::iter::repeat_n(Value::Null, width);
        if self.spec.table_first {
            match t {
                Some(_) => values.extend(table.iter().cloned()),
                None => values.extend(nulls()),
            }
            values.extend(row.values.iter().cloned());
        } else {
            values.extend(row.values.iter().cloned());
            match t {
                Some(_) => values.extend(table.iter().cloned()),
                None => values.extend(nulls()),
            }
        }
        let joined = Row {
            rowtime: row.rowtime,
            values,
        };
        if t.is_some() && !holds(self.spec.residual.as_ref(), &Ctx::row(&joined))? {
            return Ok(());
        }
        out.push(joined);
        Ok(())
    }
}
