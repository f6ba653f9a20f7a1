//! Syntax-level rules the expression compiler relies on: aggregate detection, literal and
//! operator typing.

use crate::ast::{BinOp, Expr, Literal};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::plan::{AggFunc, CExpr};
use crate::types::{Family, SqlType, Value};

/// True if `e` contains an aggregate call (with or without OVER).
pub(crate) fn has_agg(e: &Expr) -> bool {
    match e {
        Expr::Function { name, args, .. } => {
            agg_func(&name.name).is_some() || args.iter().any(has_agg)
        }
        Expr::Literal { .. } | Expr::Column { .. } => false,
        Expr::Binary { left, right, .. } => has_agg(left) || has_agg(right),
        Expr::Unary { expr, .. }
        | Expr::IsNull { expr, .. }
        | Expr::Cast { expr, .. }
        | Expr::Step { expr, .. }
        | Expr::FloorTo { expr, .. } => has_agg(expr),
        Expr::Between {
            expr, low, high, ..
        } => has_agg(expr) || has_agg(low) || has_agg(high),
        Expr::InList { expr, list, .. } => has_agg(expr) || list.iter().any(has_agg),
        Expr::Like { expr, pattern, .. } => has_agg(expr) || has_agg(pattern),
        Expr::Case {
            operand,
            whens,
            otherwise,
            ..
        } => {
            operand.as_deref().is_some_and(has_agg)
                || whens.iter().any(|(a, b)| has_agg(a) || has_agg(b))
                || otherwise.as_deref().is_some_and(has_agg)
        }
    }
}

/// True if `e` has an aggregate with an OVER clause.
pub(crate) fn has_over(e: &Expr) -> bool {
    match e {
        Expr::Function { over: Some(_), .. } => true,
        Expr::Function { args, .. } => args.iter().any(has_over),
        Expr::Binary { left, right, .. } => has_over(left) || has_over(right),
        Expr::Unary { expr, .. } | Expr::Cast { expr, .. } => has_over(expr),
        Expr::Case {
            whens, otherwise, ..
        } => {
            whens.iter().any(|(a, b)| has_over(a) || has_over(b))
                || otherwise.as_deref().is_some_and(has_over)
        }
        _ => false,
    }
}

pub(crate) fn agg_func(name: &str) -> Option<AggFunc> {
    Some(match name {
        "COUNT" => AggFunc::Count,
        "SUM" => AggFunc::Sum,
        "AVG" => AggFunc::Avg,
        "MIN" => AggFunc::Min,
        "MAX" => AggFunc::Max,
        "FIRST_VALUE" => AggFunc::FirstValue,
        "LAST_VALUE" => AggFunc::LastValue,
        "VAR_POP" => AggFunc::VarPop,
        "VAR_SAMP" => AggFunc::VarSamp,
        "STDDEV_POP" => AggFunc::StddevPop,
        "STDDEV_SAMP" => AggFunc::StddevSamp,
        "LAG" => AggFunc::Lag,
        "ANY" | "SOME" => AggFunc::Any,
        "EXP_AVG" => AggFunc::ExpAvg,
        "EVERY" => AggFunc::Every,
        "NTH_VALUE" => AggFunc::NthValue,
        "$NTH_VALUE_FROM_LAST" => AggFunc::NthValueFromLast,
        _ => return None,
    })
}

pub(crate) fn refs_row(c: &CExpr) -> bool {
    match c {
        CExpr::Col(_) | CExpr::RowTime | CExpr::Key(_) | CExpr::Agg(_) => true,
        CExpr::Lit(_) => false,
        CExpr::Bin(_, a, b, _) => refs_row(a) || refs_row(b),
        CExpr::Not(a)
        | CExpr::Neg(a)
        | CExpr::IsNull(a, _)
        | CExpr::Cast(a, _)
        | CExpr::Step(a, _)
        | CExpr::FloorTo(a, _) => refs_row(a),
        CExpr::Between(a, b, c, _) => refs_row(a) || refs_row(b) || refs_row(c),
        CExpr::InList(a, l, _) => refs_row(a) || l.iter().any(refs_row),
        CExpr::Like(a, b, _) => refs_row(a) || refs_row(b),
        CExpr::Case(w, o, _) => {
            w.iter().any(|(a, b)| refs_row(a) || refs_row(b)) || o.as_deref().is_some_and(refs_row)
        }
        CExpr::Func(_, args) => args.iter().any(refs_row),
    }
}

pub(crate) fn comparable(a: &SqlType, b: &SqlType) -> bool {
    a.accepts(b) || b.accepts(a)
}

pub(crate) fn expect_family(
    t: &SqlType,
    f: Family,
    pos: Pos,
    what: &str,
) -> Result<(), CodeValidationError> {
    if t.family() == f || t.family() == Family::Null {
        Ok(())
    } else {
        Err(semantic(
            pos,
            format!("{what} needs a {f:?} operand, got {t}")
                .replace("Boolean", "BOOLEAN")
                .replace("Character", "character"),
        ))
    }
}

pub(crate) fn literal(l: &Literal) -> (CExpr, SqlType) {
    let (v, t) = match l {
        Literal::Null => (Value::Null, SqlType::Null),
        Literal::Bool(b) => (Value::Bool(*b), SqlType::Boolean),
        Literal::Int(i) => (
            Value::Int(*i),
            if i32::try_from(*i).is_ok() {
                SqlType::Integer
            } else {
                SqlType::BigInt
            },
        ),
        Literal::Double(d) => (Value::Double(*d), SqlType::Double),
        Literal::Decimal(d) => {
            let digits = d.mantissa().unsigned_abs().to_string().len() as u32;
            (
                Value::Decimal(*d),
                SqlType::Decimal(digits.max(d.scale()).max(1), d.scale()),
            )
        }
        Literal::Str(s) => (Value::str(s), SqlType::Varchar(s.chars().count() as u32)),
        Literal::Interval(ms, from, to) => (Value::Interval(*ms), SqlType::Interval(*from, *to)),
        Literal::Timestamp(ms) => (Value::Timestamp(*ms), SqlType::Timestamp),
        Literal::Date(d) => (Value::Date(*d), SqlType::Date),
        Literal::Time(ms) => (Value::Time(*ms), SqlType::Time),
    };
    (CExpr::Lit(v), t)
}

pub(crate) fn binary_type(op: BinOp, l: &SqlType, r: &SqlType) -> Result<SqlType, String> {
    use Family as F;
    let (lf, rf) = (l.family(), r.family());
    let bad = || {
        format!(
            "Cannot apply '{}' to arguments of type {l} and {r}",
            BinOp::symbol(op)
        )
    };
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => match (lf, rf) {
            (F::Numeric | F::Null, F::Numeric | F::Null) => Ok(numeric_type(op, l, r)),
            (F::Datetime, F::Interval) if matches!(op, BinOp::Add | BinOp::Sub) => Ok(l.clone()),
            (F::Interval, F::Datetime) if op == BinOp::Add => Ok(r.clone()),
            (F::Interval, F::Interval) if matches!(op, BinOp::Add | BinOp::Sub) => {
                Ok(wider_interval(l, r))
            }
            (F::Interval, F::Numeric) if matches!(op, BinOp::Mul | BinOp::Div) => Ok(l.clone()),
            (F::Numeric, F::Interval) if op == BinOp::Mul => Ok(r.clone()),
            _ => Err(bad()),
        },
        BinOp::Concat => {
            let len = |t: &SqlType| match t {
                SqlType::Varchar(n) | SqlType::Char(n) => *n,
                _ => 64,
            };
            Ok(SqlType::Varchar(len(l).saturating_add(len(r))))
        }
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if comparable(l, r) {
                Ok(SqlType::Boolean)
            } else {
                Err(bad())
            }
        }
        BinOp::And | BinOp::Or => match (lf, rf) {
            (F::Boolean | F::Null, F::Boolean | F::Null) => Ok(SqlType::Boolean),
            _ => Err(bad()),
        },
    }
}

/// The type of arithmetic on two numbers: an approximate operand makes a DOUBLE; else a
/// DECIMAL operand makes a DECIMAL (scale: the larger for + and -, the sum for *, 12 at
/// least for /, as the SQL Reference's numeric types page says; precision at most 18); else
/// a BIGINT.
fn numeric_type(op: BinOp, l: &SqlType, r: &SqlType) -> SqlType {
    use crate::types::MAX_DECIMAL_PRECISION as MAX;
    let exact = |t: &SqlType| match t {
        SqlType::Decimal(p, s) => Some((*p, *s)),
        t if t.is_integer() || *t == SqlType::Null => Some((19, 0)),
        _ => None,
    };
    match (exact(l), exact(r)) {
        (Some((p1, s1)), Some((p2, s2)))
            if matches!(l, SqlType::Decimal(..)) || matches!(r, SqlType::Decimal(..)) =>
        {
            let scale = match op {
                BinOp::Mul => s1 + s2,
                BinOp::Div => (s1 + s2).max(12),
                _ => s1.max(s2),
            }
            .min(MAX);
            let whole = (p1 - s1.min(p1)).max(p2 - s2.min(p2));
            SqlType::Decimal((whole + scale).clamp(scale.max(1), MAX), scale)
        }
        (Some(_), Some(_)) => SqlType::BigInt,
        _ => SqlType::Double,
    }
}

/// The qualifier holding both intervals' fields (`DAY` and `HOUR TO MINUTE` give `DAY TO
/// MINUTE`).
fn wider_interval(l: &SqlType, r: &SqlType) -> SqlType {
    use crate::ast::TimeUnit as U;
    let rank = |u: &U| match u {
        U::Year => 0,
        U::Month => 1,
        U::Day => 2,
        U::Hour => 3,
        U::Minute => 4,
        U::Second => 5,
    };
    match (l, r) {
        (SqlType::Interval(a, b), SqlType::Interval(c, d)) => SqlType::Interval(
            *[a, c].into_iter().min_by_key(|u| rank(u)).unwrap_or(a),
            *[b, d].into_iter().max_by_key(|u| rank(u)).unwrap_or(b),
        ),
        (SqlType::Interval(..), _) => l.clone(),
        _ => r.clone(),
    }
}

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Semantic, pos, what)
}
