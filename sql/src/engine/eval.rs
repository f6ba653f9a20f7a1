//! Expression evaluation over one row (plus group keys and aggregate results).

use std::cmp::Ordering;
use std::sync::Arc;

use crate::ast::BinOp;
use crate::plan::{CExpr, WindowFn};
use crate::types::{SqlType, Value};

/// What an expression can see.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The current row's values.
    pub cols: &'a [Value],
    /// The current row's ROWTIME (epoch ms).
    pub rowtime: i64,
    /// GROUP BY key values (aggregate stages).
    pub keys: &'a [Value],
    /// Aggregate results (aggregate and sliding stages).
    pub aggs: &'a [Value],
}

impl<'a> Ctx<'a> {
    /// The context of one input row: its values and ROWTIME, no keys or aggregates.
    pub fn row(row: &'a crate::engine::Row) -> Self {
        Self {
            cols: &row.values,
            rowtime: row.rowtime,
            keys: &[],
            aggs: &[],
        }
    }
}

/// Whether a WHERE or HAVING condition holds: a missing one always does, NULL never.
pub fn holds(condition: Option<&CExpr>, cx: &Ctx<'_>) -> Result<bool, String> {
    match condition {
        None => Ok(true),
        Some(c) => Ok(eval(c, cx)? == Value::Bool(true)),
    }
}

/// Evaluates `e`; an `Err` is a runtime error for error_stream (e.g. division by zero).
pub fn eval(e: &CExpr, cx: &Ctx<'_>) -> Result<Value, String> {
    Ok(match e {
        CExpr::Lit(v) => v.clone(),
        CExpr::Col(i) => cx.cols[*i].clone(),
        CExpr::RowTime => Value::Timestamp(cx.rowtime),
        CExpr::Key(i) => cx.keys[*i].clone(),
        CExpr::Agg(i) => cx.aggs[*i].clone(),
        CExpr::Bin(op, l, r, ty) => {
            let a = eval(l, cx)?;
            // AND/OR short-circuit with SQL three-valued logic.
            match op {
                BinOp::And => {
                    if a == Value::Bool(false) {
                        return Ok(a);
                    }
                    let b = eval(r, cx)?;
                    return Ok(match (a, b) {
                        (_, Value::Bool(false)) => Value::Bool(false),
                        (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                        _ => Value::Null,
                    });
                }
                BinOp::Or => {
                    if a == Value::Bool(true) {
                        return Ok(a);
                    }
                    let b = eval(r, cx)?;
                    return Ok(match (a, b) {
                        (_, Value::Bool(true)) => Value::Bool(true),
                        (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                        _ => Value::Null,
                    });
                }
                _ => {}
            }
            let b = eval(r, cx)?;
            binary(*op, a, b, ty)?
        }
        CExpr::Not(x) => match eval(x, cx)? {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        CExpr::Neg(x) => match eval(x, cx)? {
            Value::Int(i) => Value::Int(i.checked_neg().ok_or("Numeric overflow")?),
            Value::Double(d) => Value::Double(-d),
            Value::Decimal(d) => Value::Decimal(-d),
            Value::Interval(i) => Value::Interval(-i),
            _ => Value::Null,
        },
        CExpr::IsNull(x, negated) => Value::Bool(eval(x, cx)?.is_null() != *negated),
        CExpr::Between(x, lo, hi, negated) => {
            let v = eval(x, cx)?;
            let (l, h) = (eval(lo, cx)?, eval(hi, cx)?);
            match (compare(&v, &l), compare(&v, &h)) {
                (Some(a), Some(b)) => {
                    Value::Bool((a != Ordering::Less && b != Ordering::Greater) != *negated)
                }
                _ => Value::Null,
            }
        }
        CExpr::InList(x, list, negated) => {
            let v = eval(x, cx)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for item in list {
                let i = eval(item, cx)?;
                match compare(&v, &i) {
                    Some(Ordering::Equal) => return Ok(Value::Bool(!*negated)),
                    None => saw_null = true,
                    _ => {}
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        CExpr::Like(x, p, negated) => match (eval(x, cx)?, eval(p, cx)?) {
            (Value::Str(s), Value::Str(p)) => {
                let s: Vec<char> = s.chars().collect();
                let p: Vec<char> = p.chars().collect();
                Value::Bool(like(&s, &p) != *negated)
            }
            _ => Value::Null,
        },
        CExpr::Cast(x, ty) => {
            let v = eval(x, cx)?;
            cast(v, ty)?
        }
        CExpr::Case(arms, other, ty) => {
            for (cond, then) in arms {
                if eval(cond, cx)? == Value::Bool(true) {
                    return cast(eval(then, cx)?, ty);
                }
            }
            match other {
                Some(o) => cast(eval(o, cx)?, ty)?,
                None => Value::Null,
            }
        }
        CExpr::Func(f, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, cx)?);
            }
            f.eval(&vals)?
        }
        CExpr::Step(x, window) => match eval(x, cx)? {
            Value::Timestamp(t) => Value::Timestamp(window.start(t)),
            Value::Int(i) => Value::Int(window.start(i)),
            _ => Value::Null,
        },
        CExpr::FloorTo(x, unit) => match eval(x, cx)? {
            Value::Timestamp(t) => Value::Timestamp(WindowFn::Floor(*unit).start(t)),
            _ => Value::Null,
        },
    })
}

/// CAST semantics: like storage coercion, but a VARCHAR cast result is not padded.
fn cast(v: Value, ty: &SqlType) -> Result<Value, String> {
    crate::coerce::cast(ty, v).map_err(|e| e.to_string())
}

/// SQL comparison; `None` when either side is NULL or the types do not compare.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Decimal(_) | Value::Int(_), Value::Decimal(_) | Value::Int(_)) => {
            Some(exact(a)?.cmp(&exact(b)?))
        }
        (
            Value::Int(_) | Value::Double(_) | Value::Decimal(_),
            Value::Int(_) | Value::Double(_) | Value::Decimal(_),
        ) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::Str(x), Value::Str(y)) => {
            Some(x.trim_end_matches(' ').cmp(y.trim_end_matches(' ')))
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y))
        | (Value::Date(x), Value::Date(y))
        | (Value::Time(x), Value::Time(y))
        | (Value::Interval(x), Value::Interval(y)) => Some(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn binary(op: BinOp, a: Value, b: Value, ty: &SqlType) -> Result<Value, String> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let cmp =
        |want: fn(Ordering) -> bool| compare(&a, &b).map_or(Value::Null, |o| Value::Bool(want(o)));
    Ok(match op {
        BinOp::Eq => cmp(|o| o == Ordering::Equal),
        BinOp::Ne => cmp(|o| o != Ordering::Equal),
        BinOp::Lt => cmp(|o| o == Ordering::Less),
        BinOp::Le => cmp(|o| o != Ordering::Greater),
        BinOp::Gt => cmp(|o| o == Ordering::Greater),
        BinOp::Ge => cmp(|o| o != Ordering::Less),
        BinOp::Concat => {
            let mut s = a.to_string();
            s.push_str(&b.to_string());
            Value::Str(Arc::from(s.as_str()))
        }
        BinOp::And | BinOp::Or => Value::Null,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => arith(op, a, b, ty)?,
    })
}

fn arith(op: BinOp, a: Value, b: Value, ty: &SqlType) -> Result<Value, String> {
    const OVERFLOW: &str = "Numeric overflow";
    const DIV0: &str = "Divide by zero";
    const MS_PER_DAY: i64 = 86_400_000;
    let shift = |t: i64, i: i64| if op == BinOp::Sub { t - i } else { t + i };
    match (&a, &b) {
        (Value::Timestamp(t), Value::Interval(i)) | (Value::Interval(i), Value::Timestamp(t)) => {
            return Ok(Value::Timestamp(shift(*t, *i)));
        }
        (Value::Date(d), Value::Interval(i)) | (Value::Interval(i), Value::Date(d)) => {
            return Ok(Value::Date(
                shift(d * MS_PER_DAY, *i).div_euclid(MS_PER_DAY),
            ));
        }
        (Value::Time(t), Value::Interval(i)) | (Value::Interval(i), Value::Time(t)) => {
            return Ok(Value::Time(shift(*t, *i).rem_euclid(MS_PER_DAY)));
        }
        (Value::Interval(i), n) | (n, Value::Interval(i))
            if matches!(op, BinOp::Mul | BinOp::Div) && n.as_f64().is_some() =>
        {
            let n = n.as_f64().unwrap_or(1.0);
            if op == BinOp::Div && n == 0.0 {
                return Err(DIV0.into());
            }
            let r = if op == BinOp::Mul {
                *i as f64 * n
            } else {
                *i as f64 / n
            };
            return Ok(Value::Interval(r.round() as i64));
        }
        (Value::Interval(x), Value::Interval(y)) => {
            return Ok(Value::Interval(if op == BinOp::Sub {
                x - y
            } else {
                x + y
            }));
        }
        _ => {}
    }
    if let SqlType::Decimal(_, scale) = ty
        && let (Some(x), Some(y)) = (exact(&a), exact(&b))
    {
        return decimal_arith(op, x, y, *scale);
    }
    if ty.is_integer() {
        let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) else {
            return Ok(Value::Null);
        };
        let r = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::Div => {
                if y == 0 {
                    return Err(DIV0.into());
                }
                x.checked_div(y)
            }
            _ => {
                if y == 0 {
                    return Err(DIV0.into());
                }
                x.checked_rem(y)
            }
        };
        return r.map(Value::Int).ok_or_else(|| OVERFLOW.to_string());
    }
    let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
        return Ok(Value::Null);
    };
    Ok(Value::Double(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(DIV0.into());
            }
            x / y
        }
        _ => {
            if y == 0.0 {
                return Err(DIV0.into());
            }
            x % y
        }
    }))
}

/// An integer or a DECIMAL as an exact decimal.
fn exact(v: &Value) -> Option<rust_decimal::Decimal> {
    match v {
        Value::Int(i) => Some((*i).into()),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// DECIMAL arithmetic, exact: a sum or difference has the larger scale, a product the sum of
/// the scales (both what `rust_decimal` keeps), a quotient the result type's scale.
fn decimal_arith(
    op: BinOp,
    x: rust_decimal::Decimal,
    y: rust_decimal::Decimal,
    scale: u32,
) -> Result<Value, String> {
    const OVERFLOW: &str = "Numeric overflow";
    let r = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div | BinOp::Mod if y.is_zero() => return Err("Divide by zero".into()),
        BinOp::Div => x.checked_div(y).map(|mut q| {
            q.rescale(scale);
            q
        }),
        _ => x.checked_rem(y),
    };
    r.map(Value::Decimal).ok_or_else(|| OVERFLOW.to_string())
}

/// SQL LIKE with `%` and `_`.
fn like(s: &[char], p: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('%') => (0..=s.len()).any(|i| like(&s[i..], &p[1..])),
        Some('_') => !s.is_empty() && like(&s[1..], &p[1..]),
        Some(c) => s.first() == Some(c) && like(&s[1..], &p[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let s: Vec<char> = "hello".chars().collect();
        assert!(like(&s, &"h%o".chars().collect::<Vec<_>>()));
        assert!(!like(&s, &"h_o".chars().collect::<Vec<_>>()));
    }

    #[test]
    fn integer_division_by_zero_is_an_error() {
        let e = arith(BinOp::Div, Value::Int(1), Value::Int(0), &SqlType::BigInt);
        assert_eq!(e.unwrap_err(), "Divide by zero");
    }
}
