//! COUNT_DISTINCT_ITEMS_TUMBLING: distinct values of one column per tumbling window.
//!
//! The service documents an approximate count (HyperLogLog) that is exact for windows with at
//! most 10,000 items. So: keep the exact set up to [`EXACT_LIMIT`] items, then move to a
//! HyperLogLog++ sketch (`hyperloglogplus`, precision 14, about 0.8% standard error) for the
//! rest of the window. Windows are aligned to the epoch, like STEP; the row is emitted with
//! ROWTIME at the window's end when the window closes; a window without rows emits nothing.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher};

use hyperloglogplus::{HyperLogLog, HyperLogLogPlus};

use crate::engine::Row;
use crate::engine::key::Key;
use crate::engine::window::OpenWindow;
use crate::plan::WindowFn;
use crate::types::Value;

/// Items counted exactly per window before switching to the sketch.
pub const EXACT_LIMIT: usize = 10_000;
/// HyperLogLog++ precision (2^14 registers).
const PRECISION: u8 = 14;

/// A deterministic hasher, so counts are reproducible across runs.
type Hasher = BuildHasherDefault<DefaultHasher>;

enum Counter {
    Exact(HashSet<Key>),
    Sketch(Box<HyperLogLogPlus<Key, Hasher>>),
}

/// The distinct-count stage.
pub struct CountDistinct {
    column: usize,
    open: OpenWindow,
    counter: Counter,
}

impl std::fmt::Debug for CountDistinct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountDistinct")
            .field("column", &self.column)
            .field("open", &self.open)
            .finish()
    }
}

impl CountDistinct {
    /// Counts `column` per window of `window_ms`.
    pub fn new(column: usize, window_ms: i64) -> Self {
        Self {
            column,
            open: OpenWindow::new(WindowFn::Step(window_ms)),
            counter: Counter::Exact(HashSet::new()),
        }
    }

    /// Adds a row's item (NULL items are not counted).
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) {
        let start = self.open.start_of(row.rowtime);
        if self.open.is_other(start) {
            self.close(out);
        }
        self.open.open(start);
        let v = &row.values[self.column];
        if v.is_null() {
            return;
        }
        match &mut self.counter {
            Counter::Exact(set) => {
                set.insert(Key(v.clone()));
                if set.len() > EXACT_LIMIT {
                    let mut hll = Box::new(
                        HyperLogLogPlus::new(PRECISION, Hasher::default())
                            .unwrap_or_else(|_| unreachable!("precision 14 is valid")),
                    );
                    for k in set.drain() {
                        hll.insert(&k);
                    }
                    self.counter = Counter::Sketch(hll);
                }
            }
            Counter::Sketch(h) => h.insert(&Key(v.clone())),
        }
    }

    /// Closes the window if `t` reached its end.
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>) {
        if self.open.is_due(t) {
            self.close(out);
        }
    }

    fn close(&mut self, out: &mut Vec<Row>) {
        let Some((_, end)) = self.open.take() else {
            return;
        };
        let n = match &mut self.counter {
            Counter::Exact(set) => set.len() as i64,
            Counter::Sketch(h) => h.count().round() as i64,
        };
        self.counter = Counter::Exact(HashSet::new());
        out.push(Row {
            rowtime: end,
            values: vec![Value::Int(n)],
        });
    }
}
