//! JOIN: a stream with the in-application reference table.
//!
//! The ON condition is split into its AND-ed parts: each `stream expression = table column`
//! becomes a hash-lookup key, and the rest is checked on each candidate pair. A stream row
//! keeps its ROWTIME; with LEFT OUTER JOIN (the stream on the preserved side) a row without a
//! match is emitted once with NULL table columns.

use super::Catalog;
use super::expr::{ExprCx, Mode, Scope};
use super::query::{compile_from, qualifiers};
use super::rules::has_agg;
use crate::ast::{BinOp, Expr, From, JoinKind};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::plan::{CExpr, RefJoinSpec, StageSpec, StreamId};
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
    let table = |f: &From| match f {
        From::Stream { name, alias } => cx
            .reference(name)
            .map(|id| (id, qualifiers(name, alias.as_ref()))),
        _ => None,
    };
    let (stream, (table, names), table_first) = match (table(left), table(right)) {
        (Some(_), Some(_)) => {
            return Err(semantic(
                pos,
                "both sides of this JOIN are the reference table; a query joins it with a stream",
            ));
        }
        (None, None) => {
            // Unknown names first: a misspelt table is not a second stream.
            compile_from(cx, left)?;
            compile_from(cx, right)?;
            return Err(CodeValidationError::unsupported(
                pos,
                format!("A {} of two streams", kind.describe()),
            ));
        }
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
    let columns = cx.streams[table].columns.clone();
    let table_width = columns.len();
    let table_scope = Scope::single(names, columns, false);
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
        if has_agg(on) {
            return Err(semantic(on.pos(), "Aggregates are not allowed in ON"));
        }
        let (_, ty) = ExprCx::new(&scope, Mode::Plain).compile(on)?;
        if !matches!(ty, SqlType::Boolean | SqlType::Null) {
            return Err(semantic(
                on.pos(),
                format!("ON needs a BOOLEAN condition, got {ty}"),
            ));
        }
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
        table,
        table_width,
        stream_keys,
        table_keys,
        residual,
        outer,
        table_first,
    }));
    Ok((source, stages, scope))
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
