//! Expression compilation: name resolution and type checking.

use super::rules::{agg_func, binary_type, comparable, expect_family, has_agg, literal, refs_row};
use crate::ast::{BinOp, Expr, Frame, Ident, WindowSpec};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::functions::scalar::Scalar;
use crate::plan::{AggCall, AggFunc, CExpr, Column, WindowFn};
use crate::types::{Family, SqlType};

/// The columns visible to an expression: the row's columns, in the order a stage sees them,
/// and the sources (a stream, a table, a subquery) they come from.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub(crate) tables: Vec<ScopeTable>,
    pub(crate) columns: Vec<Column>,
}

/// One source of a [`Scope`]: the names that qualify its columns and where they are.
#[derive(Debug, Clone)]
pub(crate) struct ScopeTable {
    /// The stream's name and alias (either may qualify a column).
    pub(crate) qualifiers: Vec<String>,
    /// Its first column's index in the row.
    pub(crate) start: usize,
    /// How many columns it has.
    pub(crate) len: usize,
    /// Whether it has a ROWTIME (streams do; a reference table does not).
    pub(crate) rowtime: bool,
    /// Where its own ROWTIME is in the row, when the row joins two streams (each side's
    /// ROWTIME is then a hidden column; the row's own ROWTIME is the later of the two).
    pub(crate) rowtime_column: Option<usize>,
}

impl Scope {
    /// The scope of one source.
    pub(crate) fn single(qualifiers: Vec<String>, columns: Vec<Column>, rowtime: bool) -> Self {
        Scope {
            tables: vec![ScopeTable {
                qualifiers,
                start: 0,
                len: columns.len(),
                rowtime,
                rowtime_column: None,
            }],
            columns,
        }
    }

    /// The scope of a join's row: `left`'s columns, then `right`'s.
    pub(crate) fn join(mut left: Scope, right: Scope) -> Self {
        let offset = left.columns.len();
        left.tables
            .extend(right.tables.into_iter().map(|t| ScopeTable {
                start: t.start + offset,
                rowtime_column: t.rowtime_column.map(|c| c + offset),
                ..t
            }));
        left.columns.extend(right.columns);
        left
    }

    /// The source `name` qualifies.
    pub(crate) fn table(&self, name: &str) -> Option<&ScopeTable> {
        self.tables
            .iter()
            .find(|t| t.qualifiers.iter().any(|q| q == name))
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self
            .tables
            .iter()
            .flat_map(|t| t.qualifiers.iter().map(String::as_str))
            .collect();
        names.join(", ")
    }
}

/// How aggregates and bare columns are treated.
pub(crate) enum Mode {
    /// No aggregates allowed.
    Plain,
    /// GROUP BY: sub-expressions equal to a key become `Key(i)`; aggregates become `Agg(j)`.
    Grouped { keys: Vec<CExpr> },
    /// Sliding windows: aggregates with OVER become `Agg(j)`; all must share one window.
    Sliding { window: Option<(Vec<CExpr>, Frame)> },
}

/// Whether CAST converts `from` to `to`, per the SQL Reference's CAST table: numbers to
/// numbers and strings; strings to anything; DATE and TIME to themselves, TIMESTAMP and
/// strings; TIMESTAMP to DATE, TIME, TIMESTAMP and strings; BOOLEAN, intervals and binary
/// strings to their own kind and strings. (Not DATE to TIME, numbers to BOOLEAN or to a
/// datetime, and so on.)
fn castable(from: &SqlType, to: &SqlType) -> bool {
    use Family as F;
    match (from.family(), to.family()) {
        (F::Null, _) | (F::Character, _) | (_, F::Character) => true,
        (F::Datetime, F::Datetime) => !matches!(
            (from, to),
            (SqlType::Date, SqlType::Time) | (SqlType::Time, SqlType::Date)
        ),
        (a, b) => a == b,
    }
}

/// Functions of the SQL Reference the twin does not run yet: refused by name, so that no
/// one takes them for a typo.
pub(crate) const UNSUPPORTED_FUNCTIONS: [&str; 0] = [];

/// An aggregate call as written.
#[derive(Clone, Copy)]
struct AggSyntax<'a> {
    name: &'a Ident,
    args: &'a [Expr],
    star: bool,
    distinct: bool,
    over: Option<&'a WindowSpec>,
    ignore_nulls: bool,
}

pub(crate) struct ExprCx<'a> {
    pub(crate) scope: &'a Scope,
    pub(crate) mode: Mode,
    pub(crate) aggs: Vec<AggCall>,
}

fn err(kind: ValidationKind, pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(kind, pos, what)
}

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    err(ValidationKind::Semantic, pos, what)
}

impl ExprCx<'_> {
    pub(crate) fn new(scope: &Scope, mode: Mode) -> ExprCx<'_> {
        ExprCx {
            scope,
            mode,
            aggs: Vec::new(),
        }
    }

    fn plain(&self) -> ExprCx<'_> {
        ExprCx::new(self.scope, Mode::Plain)
    }

    /// Compiles `e`, returning the compiled expression and its type.
    pub(crate) fn compile(&mut self, e: &Expr) -> Result<(CExpr, SqlType), CodeValidationError> {
        if let Mode::Grouped { keys } = &self.mode
            && !has_agg(e)
        {
            let (c, t) = self.plain().compile(e)?;
            if let Some(i) = keys.iter().position(|k| *k == c) {
                return Ok((CExpr::Key(i), t));
            }
            if !refs_row(&c) {
                return Ok((c, t));
            }
            if let Expr::Column { name, .. } = e {
                return Err(semantic(
                    name.pos,
                    format!("Expression '{}' is not being grouped", name.name),
                ));
            }
        }
        match e {
            Expr::Literal { value, .. } => Ok(literal(value)),
            Expr::Column { qualifier, name } => self.column(qualifier.as_ref(), name),
            Expr::Binary {
                op,
                left,
                right,
                pos,
            } => {
                let (l, lt) = self.compile(left)?;
                let (r, rt) = self.compile(right)?;
                let ty = binary_type(*op, &lt, &rt).map_err(|m| semantic(*pos, m))?;
                Ok((CExpr::Bin(*op, Box::new(l), Box::new(r), ty.clone()), ty))
            }
            Expr::Unary { not, expr, pos } => {
                let (c, t) = self.compile(expr)?;
                if *not {
                    expect_family(&t, Family::Boolean, *pos, "NOT")?;
                    Ok((CExpr::Not(Box::new(c)), SqlType::Boolean))
                } else {
                    if !matches!(
                        t.family(),
                        Family::Numeric | Family::Interval | Family::Null
                    ) {
                        return Err(semantic(*pos, format!("Cannot apply '-' to {t}")));
                    }
                    Ok((CExpr::Neg(Box::new(c)), t))
                }
            }
            Expr::IsNull { expr, negated } => {
                let (c, _) = self.compile(expr)?;
                Ok((CExpr::IsNull(Box::new(c), *negated), SqlType::Boolean))
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let (a, at) = self.compile(expr)?;
                let (b, bt) = self.compile(low)?;
                let (c, ct) = self.compile(high)?;
                if !comparable(&at, &bt) || !comparable(&at, &ct) {
                    return Err(semantic(
                        expr.pos(),
                        format!("Cannot compare {at} with {bt} and {ct} in BETWEEN"),
                    ));
                }
                Ok((
                    CExpr::Between(Box::new(a), Box::new(b), Box::new(c), *negated),
                    SqlType::Boolean,
                ))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let (a, at) = self.compile(expr)?;
                let mut items = Vec::new();
                for x in list {
                    let (c, t) = self.compile(x)?;
                    if !comparable(&at, &t) {
                        return Err(semantic(
                            x.pos(),
                            format!("Cannot compare {at} with {t} in IN list"),
                        ));
                    }
                    items.push(c);
                }
                Ok((
                    CExpr::InList(Box::new(a), items, *negated),
                    SqlType::Boolean,
                ))
            }
            Expr::Like {
                expr,
                pattern,
                negated,
            } => {
                let (a, at) = self.compile(expr)?;
                let (p, pt) = self.compile(pattern)?;
                expect_family(&at, Family::Character, expr.pos(), "LIKE")?;
                expect_family(&pt, Family::Character, pattern.pos(), "LIKE")?;
                Ok((
                    CExpr::Like(Box::new(a), Box::new(p), *negated),
                    SqlType::Boolean,
                ))
            }
            Expr::Cast { expr, ty, pos } => {
                let (c, from) = self.compile(expr)?;
                if !castable(&from, ty) {
                    return Err(semantic(
                        *pos,
                        format!("Cast function cannot convert value of type {from} to type {ty}"),
                    ));
                }
                // An interval's text depends on its qualifier, which its type carries.
                let c = match (&from, ty.family()) {
                    (SqlType::Interval(a, b), Family::Character) => CExpr::Func(
                        Scalar::IntervalText,
                        vec![
                            c,
                            CExpr::Lit(crate::types::Value::str(a.name())),
                            CExpr::Lit(crate::types::Value::str(b.name())),
                        ],
                    ),
                    _ => c,
                };
                Ok((CExpr::Cast(Box::new(c), ty.clone()), ty.clone()))
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
                pos,
            } => self.case(operand.as_deref(), whens, otherwise.as_deref(), *pos),
            Expr::Function {
                name,
                args,
                star,
                distinct,
                over,
                ignore_nulls,
            } => {
                if let Some(func) = agg_func(&name.name) {
                    let call = AggSyntax {
                        name,
                        args,
                        star: *star,
                        distinct: *distinct,
                        over: over.as_ref(),
                        ignore_nulls: *ignore_nulls,
                    };
                    return self.aggregate(func, &call);
                }
                if *ignore_nulls {
                    return Err(semantic(
                        name.pos,
                        format!(
                            "IGNORE NULLS is only allowed after FIRST_VALUE, LAST_VALUE, LAG or NTH_VALUE, not after {}",
                            name.name
                        ),
                    ));
                }
                self.function(name, args, over.as_ref())
            }
            Expr::Step {
                expr,
                by,
                interval,
                months,
                pos,
            } => {
                let (c, t) = self.compile(expr)?;
                match (t.family(), interval) {
                    (Family::Datetime, true) if t == SqlType::Timestamp => {}
                    (Family::Numeric, false) if t.is_integer() => {}
                    _ => {
                        return Err(semantic(
                            *pos,
                            format!(
                                "STEP takes a TIMESTAMP with BY INTERVAL or an integer with BY <integer>, got {t}"
                            ),
                        ));
                    }
                }
                let window = match months {
                    Some(n) => WindowFn::Months(*n),
                    None => WindowFn::Step(*by),
                };
                Ok((CExpr::Step(Box::new(c), window), t))
            }
            Expr::FloorTo { expr, unit, pos } => {
                let (c, t) = self.compile(expr)?;
                if t != SqlType::Timestamp {
                    return Err(semantic(
                        *pos,
                        format!("FLOOR(... TO unit) needs a TIMESTAMP, got {t}"),
                    ));
                }
                Ok((CExpr::FloorTo(Box::new(c), *unit), t))
            }
        }
    }

    fn column(
        &self,
        qualifier: Option<&Ident>,
        name: &Ident,
    ) -> Result<(CExpr, SqlType), CodeValidationError> {
        let tables: Vec<&ScopeTable> = match qualifier {
            Some(q) => match self.scope.table(&q.name) {
                Some(t) => vec![t],
                None => {
                    return Err(err(
                        ValidationKind::UnknownStream,
                        q.pos,
                        format!(
                            "Table '{}' not found in this query (it reads {})",
                            q.name,
                            self.scope.names()
                        ),
                    ));
                }
            },
            None => self.scope.tables.iter().collect(),
        };
        let found: Vec<usize> = tables
            .iter()
            .filter_map(|t| {
                (t.start..t.start + t.len).find(|&i| self.scope.columns[i].name == name.name)
            })
            .collect();
        match found[..] {
            [i] => return Ok((CExpr::Col(i), self.scope.columns[i].ty.clone())),
            [_, _, ..] => {
                return Err(err(
                    ValidationKind::UnknownColumn,
                    name.pos,
                    format!(
                        "Column '{}' is ambiguous: more than one source of the join has it; qualify it with the stream's name or alias",
                        name.name
                    ),
                ));
            }
            [] => {}
        }
        if name.name == "ROWTIME" {
            if let (Some(_), [t]) = (qualifier, &tables[..])
                && let Some(c) = t.rowtime_column
            {
                return Ok((CExpr::Col(c), SqlType::Timestamp));
            }
            if tables.iter().any(|t| t.rowtime) {
                return Ok((CExpr::RowTime, SqlType::Timestamp));
            }
            return Err(err(
                ValidationKind::UnknownColumn,
                name.pos,
                format!(
                    "'{}' is a reference table and has no ROWTIME; use the stream's ROWTIME",
                    qualifier.map_or("", |q| q.name.as_str())
                ),
            ));
        }
        let hint = self
            .scope
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&name.name))
            .map(|c| {
                format!(
                    " (did you mean \"{}\"? unquoted names are folded to upper case)",
                    c.name
                )
            })
            .unwrap_or_default();
        Err(err(
            ValidationKind::UnknownColumn,
            name.pos,
            format!("Column '{}' not found in any table{hint}", name.name),
        ))
    }

    fn case(
        &mut self,
        operand: Option<&Expr>,
        whens: &[(Expr, Expr)],
        otherwise: Option<&Expr>,
        pos: Pos,
    ) -> Result<(CExpr, SqlType), CodeValidationError> {
        let op = operand.map(|o| self.compile(o)).transpose()?;
        let mut arms = Vec::new();
        let mut result: Option<SqlType> = None;
        let mut unify = |t: SqlType, p: Pos| -> Result<(), CodeValidationError> {
            result = Some(match result.take() {
                None => t,
                Some(SqlType::Null) => t,
                Some(r) if t == SqlType::Null => r,
                Some(SqlType::Varchar(a) | SqlType::Char(a))
                    if matches!(t, SqlType::Varchar(_) | SqlType::Char(_)) =>
                {
                    let b = match t {
                        SqlType::Varchar(b) | SqlType::Char(b) => b,
                        _ => 0,
                    };
                    SqlType::Varchar(a.max(b))
                }
                Some(r) if r.is_numeric() && t.is_numeric() => {
                    if r.is_integer() && t.is_integer() {
                        SqlType::BigInt
                    } else {
                        SqlType::Double
                    }
                }
                Some(r) if r == t => r,
                Some(r) => {
                    return Err(semantic(
                        p,
                        format!("CASE branches have incompatible types {r} and {t}"),
                    ));
                }
            });
            Ok(())
        };
        for (w, t) in whens {
            let (wc, wt) = self.compile(w)?;
            let cond = match &op {
                Some((oc, ot)) => {
                    if !comparable(ot, &wt) {
                        return Err(semantic(
                            w.pos(),
                            format!("Cannot compare {ot} with {wt} in CASE"),
                        ));
                    }
                    CExpr::Bin(
                        BinOp::Eq,
                        Box::new(oc.clone()),
                        Box::new(wc),
                        SqlType::Boolean,
                    )
                }
                None => {
                    expect_family(&wt, Family::Boolean, w.pos(), "WHEN")?;
                    wc
                }
            };
            let (tc, tt) = self.compile(t)?;
            unify(tt, t.pos())?;
            arms.push((cond, tc));
        }
        let other = match otherwise {
            Some(o) => {
                let (c, t) = self.compile(o)?;
                unify(t, o.pos())?;
                Some(Box::new(c))
            }
            None => None,
        };
        let ty = result.unwrap_or(SqlType::Null);
        let _ = pos;
        Ok((CExpr::Case(arms, other, ty.clone()), ty))
    }

    fn function(
        &mut self,
        name: &Ident,
        args: &[Expr],
        over: Option<&WindowSpec>,
    ) -> Result<(CExpr, SqlType), CodeValidationError> {
        if name.name == "$UDF_ARG" {
            // An argument of an inlined SQL function: its type must be its parameter's.
            let (c, t) = self.compile(&args[0])?;
            let (
                Some(Expr::Literal {
                    value: crate::ast::Literal::Str(want),
                    ..
                }),
                Some(Expr::Literal {
                    value: crate::ast::Literal::Str(what),
                    ..
                }),
            ) = (args.get(1), args.get(2))
            else {
                return Err(semantic(name.pos, "malformed inlined function argument"));
            };
            let want = SqlType::parse(want).map_err(|e| semantic(name.pos, e))?;
            let same = t == want
                || t == SqlType::Null
                || (t.family() == Family::Character && want.family() == Family::Character)
                || (matches!((&t, &want), (SqlType::Decimal(..), SqlType::Decimal(..))));
            if !same {
                return Err(semantic(
                    args[0].pos(),
                    format!(
                        "{what} has type {want} and the argument's type is {t}: a function's arguments are not cast (CAST it to {want})"
                    ),
                ));
            }
            return Ok((c, t));
        }
        if super::logparse::LOG_PARSERS.contains(&name.name.as_str()) {
            return Err(semantic(
                name.pos,
                format!(
                    "{} returns a row: name it in a select list ({}(...) AS REC) and read its fields from an outer query (SELECT STREAM T.REC.COLUMN1 FROM (...) AS T)",
                    name.name, name.name
                ),
            ));
        }
        if UNSUPPORTED_FUNCTIONS.contains(&name.name.as_str()) {
            return Err(CodeValidationError::unsupported(
                name.pos,
                format!("The function {}", name.name),
            ));
        }
        if over.is_some() {
            return Err(semantic(
                name.pos,
                format!(
                    "OVER is only allowed after an aggregate, not after {}",
                    name.name
                ),
            ));
        }
        let Some(f) = Scalar::by_name(&name.name) else {
            let msg = match name.name.as_str() {
                "RANDOM_CUT_FOREST"
                | "RANDOM_CUT_FOREST_WITH_EXPLANATION"
                | "COUNT_DISTINCT_ITEMS_TUMBLING"
                | "TOP_K_ITEMS_TUMBLING" => format!(
                    "{} is a table function: use FROM TABLE({}(CURSOR(...), ...))",
                    name.name, name.name
                ),
                _ => format!("No match found for function signature {}", name.name),
            };
            return Err(semantic(name.pos, msg));
        };
        let mut cs = Vec::new();
        let mut ts = Vec::new();
        for a in args {
            let (c, t) = self.compile(a)?;
            cs.push(c);
            ts.push(t);
        }
        if f.reads_row_time() && !ts.is_empty() {
            return Err(semantic(
                name.pos,
                format!(
                    "{} takes no arguments (a precision is not supported)",
                    name.name
                ),
            ));
        }
        let mut ty = f.result_type(&ts).map_err(|m| semantic(name.pos, m))?;
        if f == Scalar::Diff
            && let [
                _,
                _,
                Expr::Literal {
                    value: crate::ast::Literal::Str(a),
                    ..
                },
                Expr::Literal {
                    value: crate::ast::Literal::Str(b),
                    ..
                },
            ] = args
            && let (Some(a), Some(b)) = (
                crate::ast::TimeUnit::parse(a),
                crate::ast::TimeUnit::parse(b),
            )
        {
            ty = SqlType::Interval(a, b);
        }
        if f.reads_row_time() {
            cs.push(CExpr::RowTime);
        }
        Ok((CExpr::Func(f, cs), ty))
    }

    fn aggregate(
        &mut self,
        func: AggFunc,
        call: &AggSyntax<'_>,
    ) -> Result<(CExpr, SqlType), CodeValidationError> {
        let AggSyntax {
            name,
            args,
            star,
            distinct,
            over,
            ignore_nulls,
        } = *call;
        let picks = matches!(func, AggFunc::FirstValue | AggFunc::LastValue) || func.positional();
        let picks_nulls = picks && func != AggFunc::ExpAvg;
        if ignore_nulls && !picks_nulls {
            return Err(semantic(
                name.pos,
                format!(
                    "IGNORE NULLS is only allowed after FIRST_VALUE, LAST_VALUE, LAG or NTH_VALUE, not after {}",
                    name.name
                ),
            ));
        }
        if over.is_none() && picks {
            return Err(semantic(
                name.pos,
                format!("{} requires an OVER clause", name.name),
            ));
        }
        if distinct {
            return Err(semantic(
                name.pos,
                format!(
                    "{}(DISTINCT ...) is not supported on streams; use COUNT_DISTINCT_ITEMS_TUMBLING",
                    name.name
                ),
            ));
        }
        match (&mut self.mode, over) {
            (Mode::Plain, _) => {
                return Err(semantic(
                    name.pos,
                    format!(
                        "Aggregate {} is not allowed here: a streaming aggregate needs GROUP BY a ROWTIME window (STEP or FLOOR) or an OVER clause",
                        name.name
                    ),
                ));
            }
            (Mode::Grouped { .. }, Some(w)) => {
                return Err(semantic(
                    w.pos,
                    "OVER cannot be combined with GROUP BY in the same query",
                ));
            }
            (Mode::Sliding { .. }, None) => {
                return Err(semantic(
                    name.pos,
                    format!(
                        "Aggregate {} needs an OVER clause like the other aggregates of this query",
                        name.name
                    ),
                ));
            }
            _ => {}
        }
        if let (Mode::Sliding { window }, Some(w)) = (&self.mode, over) {
            let mut keys = Vec::new();
            for p in &w.partition_by {
                keys.push(self.plain().compile(p)?.0);
            }
            match window {
                Some((k, f)) if *k != keys || *f != w.frame => {
                    return Err(semantic(
                        w.pos,
                        "All OVER clauses of one query must be the same window",
                    ));
                }
                _ => {}
            }
            self.mode = Mode::Sliding {
                window: Some((keys, w.frame)),
            };
        }
        let (arg, ty) = if star {
            if func != AggFunc::Count {
                return Err(semantic(
                    name.pos,
                    format!("{}(*) is not valid; only COUNT(*)", name.name),
                ));
            }
            (None, SqlType::BigInt)
        } else {
            let (lo, hi) = match func {
                AggFunc::Lag => (1, 3),
                AggFunc::ExpAvg => (2, 2),
                AggFunc::NthValue | AggFunc::NthValueFromLast => (2, 2),
                _ => (1, 1),
            };
            if args.len() < lo || args.len() > hi {
                let shown = name.name.trim_start_matches('$').replace("_FROM_LAST", "");
                return Err(semantic(
                    name.pos,
                    match (lo, hi) {
                        (1, 1) => format!("{shown} takes exactly one argument"),
                        (a, b) if a == b => format!("{shown} takes {a} arguments"),
                        (a, b) => format!("{shown} takes {a} to {b} arguments"),
                    },
                ));
            }
            if has_agg(&args[0]) {
                return Err(semantic(args[0].pos(), "Aggregate calls cannot be nested"));
            }
            let (c, t) = self.plain().compile(&args[0])?;
            let ty = match func {
                AggFunc::Count => SqlType::BigInt,
                AggFunc::Sum | AggFunc::Avg => {
                    if !t.is_numeric() && t != SqlType::Null {
                        return Err(semantic(
                            args[0].pos(),
                            format!("Cannot apply '{}' to arguments of type {t}", name.name),
                        ));
                    }
                    match (func, t.is_integer()) {
                        (AggFunc::Sum, true) => SqlType::BigInt,
                        // A DECIMAL's SUM and AVG are exact DECIMALs of its scale.
                        (_, false) if matches!(t, SqlType::Decimal(..)) => {
                            let SqlType::Decimal(_, scale) = t else {
                                unreachable!()
                            };
                            SqlType::Decimal(crate::types::MAX_DECIMAL_PRECISION, scale)
                        }
                        // AVG of an integer column is an integer (truncated), as in the service;
                        // that is why the reference application casts to DOUBLE first.
                        (AggFunc::Avg, true) => t.clone(),
                        _ => SqlType::Double,
                    }
                }
                AggFunc::Min
                | AggFunc::Max
                | AggFunc::FirstValue
                | AggFunc::LastValue
                | AggFunc::Lag
                | AggFunc::NthValue
                | AggFunc::NthValueFromLast => t.clone(),
                AggFunc::ExpAvg => {
                    if !t.is_numeric() && t != SqlType::Null {
                        return Err(semantic(
                            args[0].pos(),
                            format!("Cannot apply 'EXP_AVG' to arguments of type {t}"),
                        ));
                    }
                    SqlType::Double
                }
                AggFunc::Any | AggFunc::Every => {
                    if !matches!(t, SqlType::Boolean | SqlType::Null) {
                        return Err(semantic(
                            args[0].pos(),
                            format!("{} needs a BOOLEAN argument, got {t}", name.name),
                        ));
                    }
                    SqlType::Boolean
                }
                AggFunc::VarPop | AggFunc::VarSamp | AggFunc::StddevPop | AggFunc::StddevSamp => {
                    if !t.is_numeric() && t != SqlType::Null {
                        return Err(semantic(
                            args[0].pos(),
                            format!("Cannot apply '{}' to arguments of type {t}", name.name),
                        ));
                    }
                    SqlType::Double
                }
            };
            (Some(c), ty)
        };
        // LAG's and NTH_VALUE's n is a positive integer literal; LAG's default any value of
        // the argument's type.
        let offset = match args.get(1) {
            Some(e) if func == AggFunc::ExpAvg => match e {
                Expr::Literal {
                    value: crate::ast::Literal::Interval(ms, ..),
                    ..
                } if *ms > 0 => *ms,
                other => {
                    return Err(semantic(
                        other.pos(),
                        "EXP_AVG's half-life must be a positive INTERVAL literal, e.g. INTERVAL '10' SECOND",
                    ));
                }
            },
            Some(e) if func.positional() => match e {
                Expr::Literal {
                    value: crate::ast::Literal::Int(n),
                    ..
                } if *n >= 1 || (*n == 0 && func == AggFunc::Lag) => *n,
                other => {
                    return Err(semantic(
                        other.pos(),
                        format!(
                            "The position of {} must be a positive integer literal",
                            name.name.trim_start_matches('$')
                        ),
                    ));
                }
            },
            _ => 1,
        };
        let default = match args.get(2) {
            Some(e) if func == AggFunc::Lag => {
                let (c, dt) = self.plain().compile(e)?;
                if !ty.accepts(&dt) {
                    return Err(semantic(
                        e.pos(),
                        format!("LAG's default must be of the argument's type {ty}, got {dt}"),
                    ));
                }
                Some(CExpr::Cast(Box::new(c), ty.clone()))
            }
            _ => None,
        };
        self.aggs.push(AggCall {
            func,
            arg,
            ignore_nulls,
            offset,
            default,
            ty: ty.clone(),
        });
        Ok((CExpr::Agg(self.aggs.len() - 1), ty))
    }
}
