//! Joins. With the reference table: a hash index on the table's key columns, probed with
//! each stream row's keys, then the rest of the ON condition on each candidate. Of two
//! streams: each windowed side keeps its rows while they are in its window.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::Frame;
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
    /// A join over an empty table (until the reference data is loaded), or over its VALUES.
    pub fn new(spec: &RefJoinSpec) -> Self {
        let mut join = Self {
            spec: spec.clone(),
            rows: Arc::new(Vec::new()),
            index: HashMap::new(),
            probe: Vec::with_capacity(spec.stream_keys.len()),
        };
        // A VALUES table is there from the start.
        if let Some(rows) = &spec.constant {
            join.load(&Arc::new(rows.clone()));
        }
        join
    }

    /// The table this join reads.
    pub fn table(&self) -> usize {
        self.spec.table
    }

    /// Replaces the table's contents and rebuilds the index.
    pub fn load(&mut self, rows: &TableRows) {
        self.rows = match &self.spec.transform {
            None => rows.clone(),
            // A relational SELECT of the table: its rows, filtered and projected once.
            Some((filter, items)) => {
                let mut out = Vec::new();
                for values in rows.iter() {
                    let row = Row {
                        rowtime: 0,
                        values: values.clone(),
                    };
                    let cx = Ctx::row(&row);
                    if holds(filter.as_ref(), &cx).unwrap_or(false) {
                        let projected: Result<Vec<Value>, String> =
                            items.iter().map(|e| eval(e, &cx)).collect();
                        out.extend(projected.ok());
                    }
                }
                Arc::new(out)
            }
        };
        self.index.clear();
        if self.spec.table_keys.is_empty() {
            return;
        }
        let rows = self.rows.clone();
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

/// A row a stream join keeps, and whether it has matched yet.
#[derive(Debug)]
struct Kept {
    row: Row,
    matched: bool,
}

/// The stream-to-stream join: each windowed side keeps its rows while they are in its window.
#[derive(Debug)]
pub struct StreamJoin {
    spec: crate::plan::StreamJoinSpec,
    left: std::collections::VecDeque<Kept>,
    right: std::collections::VecDeque<Kept>,
}

impl StreamJoin {
    /// A join with nothing kept yet.
    pub fn new(spec: &crate::plan::StreamJoinSpec) -> Self {
        Self {
            spec: spec.clone(),
            left: Default::default(),
            right: Default::default(),
        }
    }

    /// The right stream.
    pub fn right_stream(&self) -> usize {
        self.spec.right
    }

    /// The joined row of `l` and `r` (NULLs for a missing side, each side's ROWTIME after
    /// its values), at the later of their ROWTIMEs.
    fn joined(&self, l: Option<&Row>, r: Option<&Row>, rowtime: i64) -> Row {
        let mut values = Vec::with_capacity(self.spec.left_width + self.spec.right_width);
        for (side, width) in [(l, self.spec.left_width), (r, self.spec.right_width)] {
            match side {
                Some(row) => {
                    values.extend(row.values.iter().cloned());
                    values.push(Value::Timestamp(row.rowtime));
                }
                None => values.extend(std::iter::repeat_n(Value::Null, width)),
            }
        }
        Row { rowtime, values }
    }

    /// A row of one side (`right`): joined with the other side's kept rows, then kept if its
    /// side has a window, or (outer join) emitted with NULLs at once if it cannot match later.
    pub fn push(&mut self, right: bool, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        self.evict(row.rowtime, out);
        let mut matched = false;
        let others = if right { &self.left } else { &self.right };
        let mut hits = Vec::new();
        for (i, kept) in others.iter().enumerate() {
            let (l, r) = if right {
                (&kept.row, row)
            } else {
                (row, &kept.row)
            };
            let joined = self.joined(Some(l), Some(r), l.rowtime.max(r.rowtime));
            if holds(self.spec.on.as_ref(), &Ctx::row(&joined))? {
                hits.push(i);
                out.push(joined);
                matched = true;
            }
        }
        let others = if right {
            &mut self.left
        } else {
            &mut self.right
        };
        for i in hits {
            others[i].matched = true;
        }
        let (window, keep) = if right {
            (self.spec.right_window, self.spec.keep_right)
        } else {
            (self.spec.left_window, self.spec.keep_left)
        };
        match window {
            Some(_) => {
                let mine = if right {
                    &mut self.right
                } else {
                    &mut self.left
                };
                mine.push_back(Kept {
                    row: row.clone(),
                    matched,
                });
                self.evict_rows(right, row.rowtime, out);
            }
            None if keep && !matched => {
                let (l, r) = if right {
                    (None, Some(row))
                } else {
                    (Some(row), None)
                };
                out.push(self.joined(l, r, row.rowtime));
            }
            None => {}
        }
        Ok(())
    }

    /// Time moves to `t`: rows leave their windows (an outer join's unmatched ones emitted).
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>) {
        self.evict(t, out);
    }

    fn evict(&mut self, t: i64, out: &mut Vec<Row>) {
        self.evict_rows(false, t, out);
        self.evict_rows(true, t, out);
    }

    /// Drops the rows of one side that are out of its window at `t`: a RANGE window keeps a
    /// row until `t` is past its ROWTIME plus the range; ROWS n keeps the last n + 1 rows. An
    /// unmatched row of a preserved side leaves with NULLs, at the end of its window.
    fn evict_rows(&mut self, right: bool, t: i64, out: &mut Vec<Row>) {
        let (window, keep) = if right {
            (self.spec.right_window, self.spec.keep_right)
        } else {
            (self.spec.left_window, self.spec.keep_left)
        };
        let mut gone = Vec::new();
        {
            let rows = if right {
                &mut self.right
            } else {
                &mut self.left
            };
            match window {
                Some(Frame::Range(ms)) => {
                    while rows.front().is_some_and(|k| t > k.row.rowtime + ms) {
                        let k = rows.pop_front().expect("a front row");
                        gone.push((k, Some(ms)));
                    }
                }
                Some(Frame::Rows(n)) => {
                    while rows.len() as u64 > n + 1 {
                        let k = rows.pop_front().expect("a front row");
                        gone.push((k, None));
                    }
                }
                None => {}
            }
        }
        if !keep {
            return;
        }
        for (k, range) in gone {
            if !k.matched {
                let at = range.map_or(t, |ms| k.row.rowtime + ms);
                let (l, r) = if right {
                    (None, Some(&k.row))
                } else {
                    (Some(&k.row), None)
                };
                out.push(self.joined(l, r, at));
            }
        }
    }
}
