//! The syntax tree the parser produces. Every node that can be wrong carries its position.

use crate::error::Pos;
use crate::types::SqlType;

/// An identifier: its case-resolved name (upper case if it was unquoted) and position.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name as the catalog sees it.
    pub name: String,
    /// Where it was written.
    pub pos: Pos,
}

/// One statement of the application code.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `CREATE [OR REPLACE] STREAM name (cols) [DESCRIPTION '...']`.
    CreateStream {
        /// Stream name.
        name: Ident,
        /// Its columns.
        columns: Vec<ColumnDef>,
        /// `OR REPLACE` was written: an earlier stream of the name is replaced.
        or_replace: bool,
    },
    /// `CREATE FUNCTION name (params) RETURNS type ... RETURN expr`: a SQL function, inlined
    /// where it is called.
    CreateFunction(FunctionDef),
    /// `CREATE [OR REPLACE] PUMP name AS INSERT INTO target [(cols)] SELECT STREAM ...`.
    CreatePump {
        /// Pump name.
        name: Ident,
        /// Stream written to.
        target: Ident,
        /// Explicit INSERT column list, if any.
        columns: Option<Vec<Ident>>,
        /// The continuous query.
        query: Box<Select>,
    },
}

/// A user-defined SQL function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// Its name.
    pub name: Ident,
    /// Its parameters and their types.
    pub params: Vec<(Ident, SqlType)>,
    /// What it returns.
    pub returns: SqlType,
    /// `RETURNS NULL ON NULL INPUT` (the default is CALLED ON NULL INPUT).
    pub null_on_null: bool,
    /// The RETURN expression, over the parameters.
    pub body: Expr,
}

/// A column of a CREATE STREAM.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// Column name.
    pub name: Ident,
    /// Declared type.
    pub ty: SqlType,
    /// Declared NOT NULL.
    pub not_null: bool,
}

/// A `SELECT [STREAM] ...` query.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// Position of the SELECT keyword.
    pub pos: Pos,
    /// Whether `STREAM` was written.
    pub stream: bool,
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// The select list.
    pub items: Vec<SelectItem>,
    /// The FROM clause.
    pub from: From,
    /// WHERE condition.
    pub filter: Option<Expr>,
    /// GROUP BY keys.
    pub group_by: Vec<Expr>,
    /// HAVING condition.
    pub having: Option<Expr>,
    /// `WINDOWED BY STAGGER (PARTITION BY keys RANGE INTERVAL ...)`: the keys and the
    /// window's length in ms.
    pub stagger: Option<(Vec<Expr>, i64, Pos)>,
    /// ORDER BY keys, with DESC.
    pub order_by: Vec<(Expr, bool)>,
    /// The queries that follow with UNION ALL.
    pub union: Vec<Select>,
}

/// An item of the select list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*` or `alias.*`.
    Wildcard {
        /// The qualifier of `alias.*`.
        qualifier: Option<Ident>,
        /// Where the `*` is.
        pos: Pos,
    },
    /// An expression with an optional `AS alias`.
    Expr {
        /// The expression.
        expr: Expr,
        /// The alias.
        alias: Option<Ident>,
    },
}

/// The source of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum From {
    /// A named stream (or the reference table), with an optional alias.
    Stream {
        /// The stream name.
        name: Ident,
        /// `AS alias`.
        alias: Option<Ident>,
        /// `AS alias (c1, c2, ...)`: new names for the stream's columns.
        renamed: Option<Vec<Ident>>,
        /// `OVER (RANGE ... PRECEDING)`: the rows of the stream a JOIN keeps to match.
        window: Option<WindowSpec>,
    },
    /// `TABLE(FUNC(CURSOR(SELECT ...), args...))`.
    Table {
        /// The function name (upper case).
        func: Ident,
        /// The CURSOR query.
        cursor: Box<Select>,
        /// The other arguments.
        args: Vec<Expr>,
        /// `AS alias`.
        alias: Option<Ident>,
    },
    /// A subquery `(SELECT STREAM ...) [AS alias]`.
    Subquery {
        /// The inner query.
        query: Box<Select>,
        /// `AS alias`.
        alias: Option<Ident>,
    },
    /// `(VALUES (a, b), ...) [AS alias [(c1, c2)]]`: a constant table.
    Values {
        /// The rows, each a list of constant expressions.
        rows: Vec<Vec<Expr>>,
        /// `AS alias`.
        alias: Option<Ident>,
        /// The column names (`EXPR$0`, ... without them).
        columns: Option<Vec<Ident>>,
        /// Where VALUES is.
        pos: Pos,
    },
    /// `left [INNER | LEFT [OUTER] | ...] JOIN right [ON condition]`, or `left, right`.
    Join {
        /// The left source.
        left: Box<From>,
        /// The right source.
        right: Box<From>,
        /// Which join.
        kind: JoinKind,
        /// The ON condition (`None` for CROSS JOIN and the comma form).
        on: Option<Expr>,
        /// Where the join keyword (or comma) is.
        pos: Pos,
    },
}

/// The kinds of JOIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `[INNER] JOIN`.
    Inner,
    /// `LEFT [OUTER] JOIN`.
    Left,
    /// `RIGHT [OUTER] JOIN`.
    Right,
    /// `FULL [OUTER] JOIN`.
    Full,
    /// `CROSS JOIN` or a comma.
    Cross,
}

impl JoinKind {
    /// The join as written, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            JoinKind::Inner => "JOIN",
            JoinKind::Left => "LEFT OUTER JOIN",
            JoinKind::Right => "RIGHT OUTER JOIN",
            JoinKind::Full => "FULL OUTER JOIN",
            JoinKind::Cross => "CROSS JOIN",
        }
    }
}

/// Units of INTERVAL literals, STEP and FLOOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Calendar months (FLOOR only; STEP treats a month as 30 days, see engine docs).
    Month,
    /// Calendar years.
    Year,
}

impl TimeUnit {
    /// The keyword.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Second => "SECOND",
            TimeUnit::Minute => "MINUTE",
            TimeUnit::Hour => "HOUR",
            TimeUnit::Day => "DAY",
            TimeUnit::Month => "MONTH",
            TimeUnit::Year => "YEAR",
        }
    }

    /// Parses a unit keyword (upper case, singular).
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "SECOND" => TimeUnit::Second,
            "MINUTE" => TimeUnit::Minute,
            "HOUR" => TimeUnit::Hour,
            "DAY" => TimeUnit::Day,
            "MONTH" => TimeUnit::Month,
            "YEAR" => TimeUnit::Year,
            _ => return None,
        })
    }

    /// Milliseconds in one unit; a month is 30 days and a year 360 (only used where a fixed
    /// length is unavoidable: INTERVAL values and their arithmetic; windows by MONTH or YEAR
    /// follow the calendar).
    pub fn millis(self) -> i64 {
        match self {
            TimeUnit::Second => 1_000,
            TimeUnit::Minute => 60_000,
            TimeUnit::Hour => 3_600_000,
            TimeUnit::Day => 86_400_000,
            TimeUnit::Month => 30 * 86_400_000,
            // A year is twelve such months, so that INTERVAL '2' YEAR = INTERVAL '24' MONTH.
            TimeUnit::Year => 12 * 30 * 86_400_000,
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `||`
    Concat,
    /// `=`
    Eq,
    /// `<>` or `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `AND`
    And,
    /// `OR`
    Or,
}

impl BinOp {
    /// The operator as SQL writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Concat => "||",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "AND",
            BinOp::Or => "OR",
        }
    }
}

/// A sliding window specification: `OVER (PARTITION BY ... RANGE|ROWS ... PRECEDING)`, or
/// `OVER name` of a window the query's WINDOW clause defines (the parser puts the named
/// window's specification in its place).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpec {
    /// PARTITION BY keys.
    pub partition_by: Vec<Expr>,
    /// The frame.
    pub frame: Frame,
    /// Where OVER is.
    pub pos: Pos,
    /// `OVER name`: the WINDOW clause's window it names (until the parser resolves it).
    pub reference: Option<Ident>,
}

/// The frame of a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `RANGE INTERVAL 'n' unit PRECEDING`: rows whose ROWTIME is within this many ms.
    Range(i64),
    /// `ROWS n PRECEDING`: the current row and n before it.
    Rows(u64),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal value.
    Literal {
        /// The value.
        value: Literal,
        /// Where it is.
        pos: Pos,
    },
    /// A column reference, optionally qualified by a stream name or alias.
    Column {
        /// `qualifier.` if present.
        qualifier: Option<Ident>,
        /// The column.
        name: Ident,
    },
    /// `left op right`.
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
        /// Operator position.
        pos: Pos,
    },
    /// `-x` or `NOT x`.
    Unary {
        /// True for NOT, false for minus.
        not: bool,
        /// Operand.
        expr: Box<Expr>,
        /// Operator position.
        pos: Pos,
    },
    /// `x IS [NOT] NULL`.
    IsNull {
        /// Operand.
        expr: Box<Expr>,
        /// IS NOT NULL.
        negated: bool,
    },
    /// `x [NOT] BETWEEN a AND b`.
    Between {
        /// Operand.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// NOT BETWEEN.
        negated: bool,
    },
    /// `x [NOT] IN (a, b, ...)`.
    InList {
        /// Operand.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// NOT IN.
        negated: bool,
    },
    /// `x [NOT] LIKE pattern`.
    Like {
        /// Operand.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// NOT LIKE.
        negated: bool,
    },
    /// `CAST(x AS type)`.
    Cast {
        /// Operand.
        expr: Box<Expr>,
        /// Target type.
        ty: SqlType,
        /// CAST position.
        pos: Pos,
    },
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
    Case {
        /// Simple-CASE operand.
        operand: Option<Box<Expr>>,
        /// WHEN/THEN pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE.
        otherwise: Option<Box<Expr>>,
        /// CASE position.
        pos: Pos,
    },
    /// A function or aggregate call, e.g. `COUNT(*)`, `UPPER(x)`, `AVG(x) OVER (...)`.
    Function {
        /// Upper-case name.
        name: Ident,
        /// Arguments.
        args: Vec<Expr>,
        /// `COUNT(*)`.
        star: bool,
        /// `COUNT(DISTINCT x)`.
        distinct: bool,
        /// Sliding window, if `OVER` follows.
        over: Option<WindowSpec>,
        /// `IGNORE NULLS` after the arguments (FIRST_VALUE, LAST_VALUE); `RESPECT NULLS`, the
        /// default, is false.
        ignore_nulls: bool,
    },
    /// `STEP(x BY INTERVAL 'n' unit)` or `STEP(x BY n)`.
    Step {
        /// The value rounded down.
        expr: Box<Expr>,
        /// The step: milliseconds for a datetime, a plain number otherwise.
        by: i64,
        /// Whether `by` was an interval.
        interval: bool,
        /// A year-month interval (`'1' MONTH`, `'2' YEAR`) as a number of months: such
        /// windows follow the calendar, not a fixed length.
        months: Option<i64>,
        /// STEP position.
        pos: Pos,
    },
    /// `FLOOR(x TO unit)` (datetime form); numeric FLOOR(x) is a plain function.
    FloorTo {
        /// The datetime rounded down.
        expr: Box<Expr>,
        /// The unit.
        unit: TimeUnit,
        /// FLOOR position.
        pos: Pos,
    },
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// NULL.
    Null,
    /// TRUE / FALSE.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// An approximate literal (with an exponent, `1.5E3`).
    Double(f64),
    /// An exact numeric literal with a fraction (`1.5`), a DECIMAL.
    Decimal(rust_decimal::Decimal),
    /// A string literal.
    Str(String),
    /// `INTERVAL 'n' unit [TO unit]`: ms, and the qualifier's leading and trailing fields.
    Interval(i64, TimeUnit, TimeUnit),
    /// `TIMESTAMP '...'`, epoch ms.
    Timestamp(i64),
    /// `DATE '...'`, days since the epoch.
    Date(i64),
    /// `TIME '...'`, ms since midnight.
    Time(i64),
}

impl Select {
    /// Calls `f` on every expression of the query and of the queries inside it (not walking
    /// into the expressions themselves: see [`Expr::walk_mut`]).
    pub fn exprs_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        for item in &mut self.items {
            if let SelectItem::Expr { expr, .. } = item {
                f(expr);
            }
        }
        self.from.exprs_mut(f);
        self.filter.iter_mut().for_each(&mut *f);
        self.group_by.iter_mut().for_each(&mut *f);
        self.having.iter_mut().for_each(&mut *f);
        if let Some((keys, _, _)) = &mut self.stagger {
            keys.iter_mut().for_each(&mut *f);
        }
        for (e, _) in &mut self.order_by {
            f(e);
        }
        for u in &mut self.union {
            u.exprs_mut(f);
        }
    }
}

impl From {
    fn exprs_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        match self {
            From::Stream { .. } => {}
            From::Values { rows, .. } => rows.iter_mut().flatten().for_each(&mut *f),
            From::Table { cursor, args, .. } => {
                cursor.exprs_mut(f);
                args.iter_mut().for_each(&mut *f);
            }
            From::Subquery { query, .. } => query.exprs_mut(f),
            From::Join {
                left, right, on, ..
            } => {
                left.exprs_mut(f);
                right.exprs_mut(f);
                on.iter_mut().for_each(&mut *f);
            }
        }
    }
}

impl Expr {
    /// Calls `f` on this expression and every expression inside it, outermost first.
    pub fn walk_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        f(self);
        match self {
            Expr::Literal { .. } | Expr::Column { .. } => {}
            Expr::Binary { left, right, .. } => {
                left.walk_mut(f);
                right.walk_mut(f);
            }
            Expr::Unary { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Step { expr, .. }
            | Expr::FloorTo { expr, .. } => expr.walk_mut(f),
            Expr::Between {
                expr, low, high, ..
            } => {
                expr.walk_mut(f);
                low.walk_mut(f);
                high.walk_mut(f);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk_mut(f);
                list.iter_mut().for_each(|e| e.walk_mut(f));
            }
            Expr::Like { expr, pattern, .. } => {
                expr.walk_mut(f);
                pattern.walk_mut(f);
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
                ..
            } => {
                if let Some(o) = operand {
                    o.walk_mut(f);
                }
                for (w, t) in whens {
                    w.walk_mut(f);
                    t.walk_mut(f);
                }
                if let Some(o) = otherwise {
                    o.walk_mut(f);
                }
            }
            Expr::Function { args, over, .. } => {
                args.iter_mut().for_each(|e| e.walk_mut(f));
                if let Some(w) = over {
                    w.partition_by.iter_mut().for_each(|e| e.walk_mut(f));
                }
            }
        }
    }

    /// The position where the expression starts (best effort, for messages).
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Literal { pos, .. }
            | Expr::Binary { pos, .. }
            | Expr::Unary { pos, .. }
            | Expr::Cast { pos, .. }
            | Expr::Case { pos, .. }
            | Expr::Step { pos, .. }
            | Expr::FloorTo { pos, .. } => *pos,
            Expr::Column { qualifier, name } => qualifier.as_ref().map_or(name.pos, |q| q.pos),
            Expr::Function { name, .. } => name.pos,
            Expr::IsNull { expr, .. }
            | Expr::Between { expr, .. }
            | Expr::InList { expr, .. }
            | Expr::Like { expr, .. } => expr.pos(),
        }
    }
}
