//! The compiled form of application code: what the validator produces and the engine runs.
//! Column references are resolved to indices and every expression has a known type.

use crate::ast::{BinOp, Frame, TimeUnit};
use crate::types::{SqlType, Value};

/// Identifies an in-application stream inside a [`Program`].
pub type StreamId = usize;

/// One column of an in-application stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name as the catalog sees it (case-sensitive).
    pub name: String,
    /// Declared type.
    pub ty: SqlType,
}

/// Where a stream comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// An input stream the service creates (e.g. `SOURCE_SQL_STREAM_001`).
    Input,
    /// A stream the code creates with CREATE STREAM.
    Created,
    /// The system's `error_stream`.
    Error,
    /// A stream the twin makes for a query (the rows of a UNION ALL that an ORDER BY sorts);
    /// not visible to the code.
    Internal,
    /// The in-application reference table a reference data source loads (read only by
    /// joining it with a stream).
    Reference,
}

/// An in-application stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamDef {
    /// Name (case-sensitive).
    pub name: String,
    /// Columns, without the implicit ROWTIME.
    pub columns: Vec<Column>,
    /// Who creates it.
    pub kind: StreamKind,
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum CExpr {
    /// A constant.
    Lit(Value),
    /// The input row's column at this index.
    Col(usize),
    /// The input row's ROWTIME.
    RowTime,
    /// A binary operator; `ty` is the result type.
    Bin(BinOp, Box<CExpr>, Box<CExpr>, SqlType),
    /// Logical NOT.
    Not(Box<CExpr>),
    /// Arithmetic negation.
    Neg(Box<CExpr>),
    /// IS [NOT] NULL (true = IS NOT NULL).
    IsNull(Box<CExpr>, bool),
    /// [NOT] BETWEEN.
    Between(Box<CExpr>, Box<CExpr>, Box<CExpr>, bool),
    /// [NOT] IN (list).
    InList(Box<CExpr>, Vec<CExpr>, bool),
    /// [NOT] LIKE.
    Like(Box<CExpr>, Box<CExpr>, bool),
    /// CAST to a type.
    Cast(Box<CExpr>, SqlType),
    /// Searched CASE (a simple CASE is compiled to this with equality tests).
    Case(Vec<(CExpr, CExpr)>, Option<Box<CExpr>>, SqlType),
    /// A scalar function.
    Func(crate::functions::scalar::Scalar, Vec<CExpr>),
    /// STEP(x BY ...): round down to the start of its window (a multiple of n ms or of n, or
    /// a calendar step of months).
    Step(Box<CExpr>, WindowFn),
    /// FLOOR(x TO unit).
    FloorTo(Box<CExpr>, TimeUnit),
    /// In an aggregate stage's output expressions: the i-th GROUP BY key value.
    Key(usize),
    /// In an aggregate or sliding stage's output expressions: the i-th aggregate's result.
    Agg(usize),
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// COUNT(*) or COUNT(x).
    Count,
    /// SUM.
    Sum,
    /// AVG.
    Avg,
    /// MIN.
    Min,
    /// MAX.
    Max,
    /// FIRST_VALUE: the first row's value (NULL included unless IGNORE NULLS).
    FirstValue,
    /// LAST_VALUE: the last row's value (NULL included unless IGNORE NULLS).
    LastValue,
    /// VAR_POP: the population variance.
    VarPop,
    /// VAR_SAMP: the sample variance (NULL for fewer than two values).
    VarSamp,
    /// STDDEV_POP: the population standard deviation.
    StddevPop,
    /// STDDEV_SAMP: the sample standard deviation (NULL for fewer than two values).
    StddevSamp,
    /// LAG(x [, n [, default]]): x of the n-th row before the current one in the window.
    Lag,
    /// NTH_VALUE(x, n) [FROM FIRST]: x of the window's n-th row.
    NthValue,
    /// NTH_VALUE(x, n) FROM LAST: x of the n-th row counting back from the current one.
    NthValueFromLast,
    /// EXP_AVG(x, half-life) OVER (...): the average of the window's values, each weighing
    /// half as much per half-life of age.
    ExpAvg,
    /// ANY(b) / SOME(b): TRUE if b is true for a row.
    Any,
    /// EVERY(b): TRUE if b is true for every row.
    Every,
}

impl AggFunc {
    /// Whether the aggregate reads the window's rows by position or age (LAG, NTH_VALUE,
    /// EXP_AVG) rather than accumulating them.
    pub fn positional(self) -> bool {
        matches!(
            self,
            AggFunc::Lag | AggFunc::NthValue | AggFunc::NthValueFromLast | AggFunc::ExpAvg
        )
    }
}

/// One aggregate call in a query.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    /// Which aggregate.
    pub func: AggFunc,
    /// Its argument (`None` for COUNT(*)).
    pub arg: Option<CExpr>,
    /// FIRST_VALUE/LAST_VALUE/LAG/NTH_VALUE ... IGNORE NULLS.
    pub ignore_nulls: bool,
    /// LAG's and NTH_VALUE's n (1 unless given); EXP_AVG's half-life in ms.
    pub offset: i64,
    /// LAG's default, evaluated for the current row when there is no such row.
    pub default: Option<CExpr>,
    /// Result type.
    pub ty: SqlType,
}

/// How a tumbling window key rounds ROWTIME.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFn {
    /// STEP(ROWTIME BY INTERVAL ...): fixed size in ms, aligned to the epoch.
    Step(i64),
    /// STEP(ROWTIME BY INTERVAL 'n' MONTH | YEAR): n calendar months, aligned to 1970-01.
    Months(i64),
    /// FLOOR(ROWTIME TO unit): calendar units.
    Floor(TimeUnit),
}

/// A stage of a pump's pipeline. Rows flow through the stages in order.
#[derive(Debug, Clone, PartialEq)]
pub enum StageSpec {
    /// Filter then project.
    Project {
        /// WHERE.
        filter: Option<CExpr>,
        /// Output expressions.
        items: Vec<CExpr>,
    },
    /// GROUP BY with a tumbling window on ROWTIME.
    Tumbling {
        /// WHERE.
        filter: Option<CExpr>,
        /// Index in `keys` of the window key.
        window_key: usize,
        /// How that key rounds time.
        window: WindowFn,
        /// GROUP BY keys.
        keys: Vec<CExpr>,
        /// Aggregates.
        aggs: Vec<AggCall>,
        /// HAVING over keys and aggregates.
        having: Option<CExpr>,
        /// Output expressions over keys and aggregates.
        items: Vec<CExpr>,
    },
    /// WINDOWED BY STAGGER: a window per partition key, opened by its first row and closed
    /// `range_ms` later, when its group is emitted at the close time.
    Stagger {
        /// WHERE.
        filter: Option<CExpr>,
        /// PARTITION BY keys.
        keys: Vec<CExpr>,
        /// The window's length.
        range_ms: i64,
        /// Aggregates.
        aggs: Vec<AggCall>,
        /// HAVING over keys and aggregates.
        having: Option<CExpr>,
        /// Output expressions over keys and aggregates.
        items: Vec<CExpr>,
    },
    /// Aggregates over a sliding window: one output row per input row.
    Sliding {
        /// WHERE.
        filter: Option<CExpr>,
        /// PARTITION BY keys.
        partition: Vec<CExpr>,
        /// The window frame.
        frame: Frame,
        /// Aggregates.
        aggs: Vec<AggCall>,
        /// Output expressions over the input row (`Col`) and aggregates (`Agg`).
        items: Vec<CExpr>,
    },
    /// A join of each stream row with the reference table's rows.
    RefJoin(RefJoinSpec),
    /// HOTSPOTS: each row with the dense regions (DBSCAN) of the last `window` rows'
    /// numeric columns.
    Hotspots {
        /// The numeric columns analysed.
        columns: Vec<usize>,
        /// Rows considered per step.
        window: usize,
        /// The neighbourhood radius (DBSCAN's epsilon).
        radius: f64,
        /// Points a hotspot needs at least.
        min_points: usize,
    },
    /// GROUP_RANK: rows of one ROWTIME held, then emitted with their rank by a column.
    GroupRank {
        /// The column ranked by.
        column: usize,
        /// Rank 1 is the largest value.
        desc: bool,
        /// Emitted from the last rank to the first.
        output_desc: bool,
        /// A group is released this long after its ROWTIME even if no later row came (0: only
        /// by a later row or time moving past it).
        max_idle_ms: i64,
        /// At most this many rows of a group are emitted (0: all).
        output_max: usize,
    },
    /// SELECT DISTINCT: a row is emitted unless an equal one was, since the `leading` column
    /// (time-based, monotonic) took its value. Only the first `width` columns are compared.
    Distinct {
        /// The monotonic column.
        leading: usize,
        /// The columns of the select list (ORDER BY's hidden keys follow).
        width: usize,
    },
    /// A JOIN of two streams over windows (always a pump's first stage; the pump reads both).
    StreamJoin(StreamJoinSpec),
    /// ORDER BY: rows are held while the leading key keeps its value, then emitted sorted by
    /// the other keys; the key columns (after the first `width`) are dropped.
    Sort {
        /// The columns of the rows emitted.
        width: usize,
        /// Row columns to sort by, with DESC.
        keys: Vec<(usize, bool)>,
        /// The leading key as an expression of ROWTIME alone, to tell when time has moved
        /// past a batch; `None` for a GROUP BY's window key (a window's rows come at once).
        leading: Option<CExpr>,
    },
    /// RANDOM_CUT_FOREST[_WITH_EXPLANATION]: appends ANOMALY_SCORE (and the explanation).
    Rcf(RcfSpec),
    /// COUNT_DISTINCT_ITEMS_TUMBLING: one NUMBER_OF_DISTINCT_ITEMS row per window.
    CountDistinct {
        /// Column counted.
        column: usize,
        /// Window length in ms.
        window_ms: i64,
    },
    /// TOP_K_ITEMS_TUMBLING: up to K (item, count) rows per window.
    TopK {
        /// Column counted.
        column: usize,
        /// How many items to emit.
        k: usize,
        /// Window length in ms.
        window_ms: i64,
    },
}

/// A stream-to-stream join after validation. The joined row is the left row's values and
/// ROWTIME, then the right row's (`left_width` and `right_width` count the ROWTIMEs).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamJoinSpec {
    /// The right stream (the pump's source is the left one).
    pub right: StreamId,
    /// Values of a left row in the joined row, its ROWTIME included.
    pub left_width: usize,
    /// Values of a right row in the joined row, its ROWTIME included.
    pub right_width: usize,
    /// The rows of the left stream kept to match later right rows.
    pub left_window: Option<Frame>,
    /// The rows of the right stream kept to match later left rows.
    pub right_window: Option<Frame>,
    /// The ON condition over the joined row.
    pub on: Option<CExpr>,
    /// LEFT or FULL OUTER: a left row that never matches is emitted with NULLs.
    pub keep_left: bool,
    /// RIGHT or FULL OUTER: a right row that never matches is emitted with NULLs.
    pub keep_right: bool,
}

/// A stream-to-reference-table join after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct RefJoinSpec {
    /// The reference table.
    pub table: StreamId,
    /// Its column count.
    pub table_width: usize,
    /// Equality keys: expressions over the stream row ...
    pub stream_keys: Vec<CExpr>,
    /// ... equal to these reference table columns (a hash lookup).
    pub table_keys: Vec<usize>,
    /// The rest of the ON condition, over the joined row.
    pub residual: Option<CExpr>,
    /// LEFT OUTER: a stream row without a match is kept, with NULL table columns.
    pub outer: bool,
    /// A VALUES table's rows (the table is then no stream of the program).
    pub constant: Option<Vec<Vec<Value>>>,
    /// A relational SELECT of the table: its WHERE and select list, applied to the table's
    /// rows as they are loaded.
    pub transform: Option<(Option<CExpr>, Vec<CExpr>)>,
    /// The joined row is the table's columns, then the stream's (the table was written first).
    pub table_first: bool,
}

/// RANDOM_CUT_FOREST parameters after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct RcfSpec {
    /// Input columns fed to the forest (the numeric ones).
    pub numeric_columns: Vec<usize>,
    /// Their names, for the explanation.
    pub column_names: Vec<String>,
    /// numberOfTrees (default 100).
    pub trees: usize,
    /// subSampleSize (default 256).
    pub sample_size: usize,
    /// timeDecay (default 100000).
    pub time_decay: u64,
    /// shingleSize (default 1).
    pub shingle_size: usize,
    /// Whether ANOMALY_EXPLANATION is produced (and with direction).
    pub explanation: Option<bool>,
}

/// A compiled pump.
#[derive(Debug, Clone, PartialEq)]
pub struct PumpPlan {
    /// Pump name.
    pub name: String,
    /// Stream read.
    pub source: StreamId,
    /// Stream written.
    pub target: StreamId,
    /// For each value the last stage produces, the target column it goes to.
    pub target_columns: Vec<usize>,
    /// The pipeline.
    pub stages: Vec<StageSpec>,
}
