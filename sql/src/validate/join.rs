//! JOIN: a stream with the in-application reference table, or two streams over windows.
//!
//! The ON condition is split into its AND-ed parts: each `stream expression = table column`
//! becomes a hash-lookup key, and the rest is checked on each candidate pair. A stream row
//! keeps its ROWTIME; with LEFT OUTER JOIN (the stream on the preserved side) a row without a
//! match is emitted once with NULL table columns.

use super::Catalog;
use super::expr::{ExprCx, Mode, Scope};
use super::query::{compile_from, qualifiers};
use super::rules::has_agg;
use crate::ast::{BinOp, Expr, Frame, From, JoinKind};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::plan::{CExpr, RefJoinSpec, StageSpec, StreamId, StreamJoinSpec};
use crate::types::{Family, SqlType};

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Semantic, pos, what)
}

/// Compiles `left JOIN right ON on` into the stream's stages plus a join stage.
pub(crate) fn compile(
    cx: &Catalog,
    left: &From,
    right: &From,
    kind: JoinKind,
    on: Option<&Expr>,
    pos: Pos,
) -> Result<(StreamId, Vec<StageSpec>, Scope), CodeValidationError> {
    let (stream, table, table_first) = match (table_side(cx, left)?, table_side(cx, right)?) {
        (Some(_), Some(_)) => {
            return Err(semantic(
                pos,
                "both sides of this JOIN are tables; a query joins a table with a stream",
            ));
        }
        (None, None) => return streams(cx, left, right, kind, on, pos),
        (None, Some(t)) => (left, t, false),
        (Some(t), None) => (right, t, true),
    };
    // The stream must be on the preserved side of an outer join: a table row without a
    // matching stream row is never "complete", so it could never be emitted.
    let outer = match (kind, table_first) {
        (JoinKind::Inner | JoinKind::Cross, _) => false,
        (JoinKind::Left, false) | (JoinKind::Right, true) => true,
        _ => {
            return Err(semantic(
                pos,
                format!(
                    "{} keeps the reference table's unmatched rows, which a stream query cannot emit; \
                     keep the stream on the preserved side (\"STREAM\" LEFT OUTER JOIN \"TABLE\")",
                    kind.describe()
                ),
            ));
        }
    };
    let (source, mut stages, stream_scope) = compile_from(cx, stream)?;
    let table_width = table.columns.len();
    let table_scope = Scope::single(table.names, table.columns, false);
    let scope = if table_first {
        Scope::join(table_scope.clone(), stream_scope.clone())
    } else {
        Scope::join(stream_scope.clone(), table_scope.clone())
    };
    let mut stream_keys = Vec::new();
    let mut table_keys = Vec::new();
    let mut rest = Vec::new();
    if let Some(on) = on {
        // The whole condition first, for its errors (ambiguous names, types).
        condition(on, &scope)?;
        let mut parts = Vec::new();
        conjuncts(on, &mut parts);
        for part in parts {
            match equi_key(part, &stream_scope, &table_scope) {
                Some((key, column)) => {
                    stream_keys.push(key);
                    table_keys.push(column);
                }
                None => rest.push(part),
            }
        }
    }
    let residual = match rest.split_first() {
        None => None,
        Some((first, others)) => {
            let mut c = ExprCx::new(&scope, Mode::Plain).compile(first)?.0;
            for e in others {
                let next = ExprCx::new(&scope, Mode::Plain).compile(e)?.0;
                c = CExpr::Bin(BinOp::And, Box::new(c), Box::new(next), SqlType::Boolean);
            }
            Some(c)
        }
    };
    stages.push(StageSpec::RefJoin(RefJoinSpec {
        table: table.id,
        constant: table.constant,
        transform: table.transform,
        table_width,
        stream_keys,
        table_keys,
        residual,
        outer,
        table_first,
    }));
    Ok((source, stages, scope))
}

/// `left [OVER (...)] JOIN right [OVER (...)] ON ...`: two streams, each side keeping the rows
/// of its window (a side without one matches only with its current row). A joined row's
/// ROWTIME is the later of the two; a row of an outer join's preserved side that never
/// matched is emitted with NULLs when its own window ends (at once if it has none).
fn streams(
    cx: &Catalog,
    left: &From,
    right: &From,
    kind: JoinKind,
    on: Option<&Expr>,
    pos: Pos,
) -> Result<(StreamId, Vec<StageSpec>, Scope), CodeValidationError> {
    let side = |f: &From| -> Result<(StreamId, Scope, Option<Frame>), CodeValidationError> {
        let From::Stream {
            name,
            alias,
            renamed,
            window,
        } = f
        else {
            // Unknown names first, then what the twin does not join.
            if let From::Join { .. } = f {
                return Err(CodeValidationError::unsupported(
                    pos,
                    "A JOIN of more than two streams",
                ));
            }
            compile_from(cx, f)?;
            return Err(CodeValidationError::unsupported(
                pos,
                "A JOIN of a subquery or table function with a stream",
            ));
        };
        let id = cx.source(name)?;
        let frame = match window {
            Some(w) if !w.partition_by.is_empty() => {
                return Err(CodeValidationError::unsupported(
                    w.pos,
                    "PARTITION BY in the window of a JOIN",
                ));
            }
            Some(w) => Some(w.frame),
            None => None,
        };
        let mut columns = cx.streams[id].columns.clone();
        if let Some(names) = renamed {
            super::query::rename(&mut columns, names, name)?;
        }
        let mut scope = Scope::single(qualifiers(name, alias.as_ref()), columns, true);
        // The side's own ROWTIME, a hidden column after its columns.
        scope.tables[0].rowtime_column = Some(scope.columns.len());
        scope.columns.push(crate::plan::Column {
            name: "ROWTIME".into(),
            ty: SqlType::Timestamp,
        });
        Ok((id, scope, frame))
    };
    let (left_id, left_scope, left_window) = side(left)?;
    let (right_id, right_scope, right_window) = side(right)?;
    if left_window.is_none() && right_window.is_none() {
        return Err(semantic(
            pos,
            "a JOIN of two streams needs a window on at least one side, e.g. FROM \"A\" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN \"B\" AS b ON ...",
        ));
    }
    if kind == JoinKind::Cross && on.is_some() {
        return Err(semantic(pos, "CROSS JOIN takes no ON condition"));
    }
    let left_width = left_scope.columns.len();
    let right_width = right_scope.columns.len();
    let scope = Scope::join(left_scope, right_scope);
    let on = on.map(|on| condition(on, &scope)).transpose()?;
    Ok((
        left_id,
        vec![StageSpec::StreamJoin(StreamJoinSpec {
            right: right_id,
            left_width,
            right_width,
            left_window,
            right_window,
            on,
            keep_left: matches!(kind, JoinKind::Left | JoinKind::Full),
            keep_right: matches!(kind, JoinKind::Right | JoinKind::Full),
        })],
        scope,
    ))
}

/// The table side of a join: the reference table, or a VALUES list.
struct TableSide {
    /// The reference table's stream id (for VALUES, none: `usize::MAX`).
    id: StreamId,
    names: Vec<String>,
    columns: Vec<crate::plan::Column>,
    constant: Option<Vec<Vec<crate::types::Value>>>,
    transform: Option<(Option<CExpr>, Vec<CExpr>)>,
}

/// `f` as a table, if it is one.
fn table_side(cx: &Catalog, f: &From) -> Result<Option<TableSide>, CodeValidationError> {
    match f {
        From::Stream {
            name,
            alias,
            renamed,
            ..
        } => match cx.reference(name) {
            Some(id) => {
                let mut columns = cx.streams[id].columns.clone();
                if let Some(names) = renamed {
                    super::query::rename(&mut columns, names, name)?;
                }
                Ok(Some(TableSide {
                    id,
                    names: qualifiers(name, alias.as_ref()),
                    columns,
                    constant: None,
                    transform: None,
                }))
            }
            None => Ok(None),
        },
        From::Values {
            rows,
            alias,
            columns,
            pos,
        } => {
            let (cols, values) = values_table(rows, columns.as_deref(), *pos)?;
            Ok(Some(TableSide {
                id: usize::MAX,
                names: alias.iter().map(|a| a.name.clone()).collect(),
                columns: cols,
                constant: Some(values),
                transform: None,
            }))
        }
        // A relational SELECT over the reference table (no STREAM): its filter and select
        // list are applied to the table's rows when they are loaded.
        From::Subquery { query, alias } if !query.stream => {
            let From::Stream { name, .. } = &query.from else {
                return Err(CodeValidationError::unsupported(
                    query.pos,
                    "A relational SELECT over anything but the reference table",
                ));
            };
            let Some(id) = cx.reference(name) else {
                return Err(semantic(
                    query.pos,
                    format!(
                        "'{}' is a stream: a query of a stream is SELECT STREAM (a relational SELECT reads the reference table)",
                        name.name
                    ),
                ));
            };
            if !query.group_by.is_empty()
                || query.having.is_some()
                || !query.order_by.is_empty()
                || !query.union.is_empty()
                || query.stagger.is_some()
            {
                return Err(CodeValidationError::unsupported(
                    query.pos,
                    "GROUP BY, HAVING, ORDER BY or UNION in a relational SELECT of the reference table",
                ));
            }
            let mut columns = cx.streams[id].columns.clone();
            if let From::Stream {
                renamed: Some(names),
                ..
            } = &query.from
            {
                super::query::rename(&mut columns, names, name)?;
            }
            let table_scope = Scope::single(qualifiers(name, None), columns, false);
            let (filter, items, out) = super::query::relational(query, &table_scope)?;
            Ok(Some(TableSide {
                id,
                names: alias.iter().map(|a| a.name.clone()).collect(),
                columns: out,
                constant: None,
                transform: Some((filter, items)),
            }))
        }
        _ => Ok(None),
    }
}

/// A VALUES list's columns (named by the column list, or `EXPR$0`, ...; typed by the first
/// row) and its rows, evaluated (each value must be a constant).
pub(crate) fn values_table(
    rows: &[Vec<Expr>],
    names: Option<&[crate::ast::Ident]>,
    pos: Pos,
) -> Result<(Vec<crate::plan::Column>, Vec<Vec<crate::types::Value>>), CodeValidationError> {
    use crate::engine::eval::{Ctx, eval};
    let empty = Scope::single(Vec::new(), Vec::new(), false);
    let width = rows.first().map_or(0, Vec::len);
    if let Some(names) = names
        && names.len() != width
    {
        return Err(semantic(
            pos,
            format!(
                "The column list has {} name(s) and VALUES has {width} column(s)",
                names.len()
            ),
        ));
    }
    let cx = Ctx {
        cols: &[],
        rowtime: 0,
        keys: &[],
        aggs: &[],
    };
    // Each column's type holds every row's value (the longest string, the largest scale).
    let mut types: Vec<SqlType> = Vec::new();
    let mut compiled = Vec::new();
    for row in rows {
        if row.len() != width {
            return Err(semantic(
                pos,
                "Every row of VALUES needs the same number of values",
            ));
        }
        let mut cs = Vec::new();
        for (i, e) in row.iter().enumerate() {
            let (c, t) = ExprCx::new(&empty, Mode::Plain).compile(e)?;
            match types.get_mut(i) {
                None => types.push(t),
                Some(have) => {
                    *have = widen(have, &t).ok_or_else(|| {
                        semantic(
                            e.pos(),
                            format!("VALUES column {} has values of types {have} and {t}", i + 1),
                        )
                    })?;
                }
            }
            cs.push((c, e.pos()));
        }
        compiled.push(cs);
    }
    let mut out = Vec::new();
    for row in compiled {
        let mut values = Vec::new();
        for (i, (c, p)) in row.into_iter().enumerate() {
            let v = eval(&c, &cx).map_err(|m| semantic(p, m))?;
            values.push(crate::coerce::assign(&types[i], v).map_err(|m| semantic(p, m))?);
        }
        out.push(values);
    }
    let columns = types
        .into_iter()
        .enumerate()
        .map(|(i, ty)| crate::plan::Column {
            name: names.map_or(format!("EXPR${i}"), |n| n[i].name.clone()),
            ty,
        })
        .collect();
    Ok((columns, out))
}

/// A type holding values of both `a` and `b`, if there is one.
fn widen(a: &SqlType, b: &SqlType) -> Option<SqlType> {
    use crate::types::Family as F;
    let len = |t: &SqlType| match t {
        SqlType::Char(n) | SqlType::Varchar(n) => *n,
        _ => 0,
    };
    Some(match (a, b) {
        (a, b) if a == b => a.clone(),
        (SqlType::Null, t) | (t, SqlType::Null) => t.clone(),
        (a, b) if a.family() == F::Character && b.family() == F::Character => {
            SqlType::Varchar(len(a).max(len(b)))
        }
        (a, b) if a.family() == F::Numeric && b.family() == F::Numeric => match (a, b) {
            (SqlType::Double | SqlType::Real, _) | (_, SqlType::Double | SqlType::Real) => {
                SqlType::Double
            }
            (SqlType::Decimal(p1, s1), SqlType::Decimal(p2, s2)) => {
                let scale = (*s1).max(*s2);
                let whole = (p1 - s1).max(p2 - s2);
                SqlType::Decimal(
                    (whole + scale).min(crate::types::MAX_DECIMAL_PRECISION),
                    scale,
                )
            }
            (SqlType::Decimal(p, s), _) | (_, SqlType::Decimal(p, s)) => SqlType::Decimal(*p, *s),
            _ => SqlType::BigInt,
        },
        _ => return None,
    })
}

/// A JOIN's ON condition over the joined row: a BOOLEAN, without aggregates.
fn condition(on: &Expr, scope: &Scope) -> Result<CExpr, CodeValidationError> {
    if has_agg(on) {
        return Err(semantic(on.pos(), "Aggregates are not allowed in ON"));
    }
    let (c, ty) = ExprCx::new(scope, Mode::Plain).compile(on)?;
    if !matches!(ty, SqlType::Boolean | SqlType::Null) {
        return Err(semantic(
            on.pos(),
            format!("ON needs a BOOLEAN condition, got {ty}"),
        ));
    }
    Ok(c)
}

/// The AND-ed parts of a condition.
fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Binary {
            op: BinOp::And,
            left,
            right,
            ..
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(e),
    }
}

/// `stream expression = table column` (either way round), when both sides hash alike.
fn equi_key(e: &Expr, stream: &Scope, table: &Scope) -> Option<(CExpr, usize)> {
    let Expr::Binary {
        op: BinOp::Eq,
        left,
        right,
        ..
    } = e
    else {
        return None;
    };
    let try_pair = |s: &Expr, t: &Expr| {
        let (key, kt) = ExprCx::new(stream, Mode::Plain).compile(s).ok()?;
        let (CExpr::Col(column), ct) = ExprCx::new(table, Mode::Plain).compile(t).ok()? else {
            return None;
        };
        same_hash(&kt, &ct).then_some((key, column))
    };
    try_pair(left, right).or_else(|| try_pair(right, left))
}

/// Whether values of these types are equal exactly when their runtime values are (so a hash
/// lookup finds what `=` would): both integers, both strings, or the same other type.
fn same_hash(a: &SqlType, b: &SqlType) -> bool {
    (a.is_integer() && b.is_integer())
        || (a.family() == Family::Character && b.family() == Family::Character)
        || (a == b && !matches!(a.family(), Family::Null | Family::Numeric))
        || (matches!(a, SqlType::Double | SqlType::Real)
            && matches!(b, SqlType::Double | SqlType::Real))
}
