//! Scalar (row-at-a-time) functions: names, type rules and evaluation.

use std::sync::Arc;

use crate::types::{SqlType, Value};

/// A scalar function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// UPPER(s)
    Upper,
    /// LOWER(s)
    Lower,
    /// TRIM(s): both ends, spaces.
    Trim,
    /// CHAR_LENGTH(s) / CHARACTER_LENGTH(s)
    CharLength,
    /// SUBSTRING(s, start[, len]), 1-based.
    Substring,
    /// ABS(x)
    Abs,
    /// CEIL(x) / CEILING(x)
    Ceil,
    /// FLOOR(x) (numeric)
    Floor,
    /// ROUND(x[, digits])
    Round,
    /// MOD(a, b)
    Mod,
    /// POWER(a, b)
    Power,
    /// SQRT(x)
    Sqrt,
    /// EXP(x)
    Exp,
    /// LN(x)
    Ln,
    /// LOG10(x)
    Log10,
    /// COALESCE(a, b, ...)
    Coalesce,
    /// NULLIF(a, b)
    NullIf,
    /// UNIX_TIMESTAMP(ts): milliseconds since 1970-01-01 00:00:00 UTC, a BIGINT.
    UnixTimestamp,
    /// TO_TIMESTAMP(ms): the TIMESTAMP of a Unix timestamp in milliseconds (a BIGINT).
    ToTimestamp,
}

impl Scalar {
    /// Looks a function up by its upper-case name.
    pub fn by_name(name: &str) -> Option<Self> {
        Some(match name {
            "UPPER" => Scalar::Upper,
            "LOWER" => Scalar::Lower,
            "TRIM" => Scalar::Trim,
            "CHAR_LENGTH" | "CHARACTER_LENGTH" => Scalar::CharLength,
            "SUBSTRING" => Scalar::Substring,
            "ABS" => Scalar::Abs,
            "CEIL" | "CEILING" => Scalar::Ceil,
            "FLOOR" => Scalar::Floor,
            "ROUND" => Scalar::Round,
            "MOD" => Scalar::Mod,
            "POWER" => Scalar::Power,
            "SQRT" => Scalar::Sqrt,
            "EXP" => Scalar::Exp,
            "LN" => Scalar::Ln,
            "LOG10" => Scalar::Log10,
            "COALESCE" => Scalar::Coalesce,
            "NULLIF" => Scalar::NullIf,
            "UNIX_TIMESTAMP" => Scalar::UnixTimestamp,
            "TO_TIMESTAMP" => Scalar::ToTimestamp,
            _ => return None,
        })
    }

    /// Checks argument types and returns the result type, or what is wrong.
    pub fn result_type(self, args: &[SqlType]) -> Result<SqlType, String> {
        use crate::types::Family::{Character, Null, Numeric};
        let count = |lo: usize, hi: usize| -> Result<(), String> {
            if args.len() < lo || args.len() > hi {
                Err(
                    format!("{self:?} takes {lo}..{hi} arguments, got {}", args.len())
                        .to_uppercase(),
                )
            } else {
                Ok(())
            }
        };
        let fam = |i: usize, f: crate::types::Family, what: &str| -> Result<(), String> {
            let a = args[i].family();
            if a == f || a == Null {
                Ok(())
            } else {
                Err(format!(
                    "argument {} of {} must be {what}, got {}",
                    i + 1,
                    format!("{self:?}").to_uppercase(),
                    args[i]
                ))
            }
        };
        match self {
            Scalar::Upper | Scalar::Lower | Scalar::Trim => {
                count(1, 1)?;
                fam(0, Character, "a character string")?;
                Ok(args[0].clone())
            }
            Scalar::CharLength => {
                count(1, 1)?;
                fam(0, Character, "a character string")?;
                Ok(SqlType::Integer)
            }
            Scalar::Substring => {
                count(2, 3)?;
                fam(0, Character, "a character string")?;
                for i in 1..args.len() {
                    fam(i, Numeric, "an integer")?;
                }
                Ok(args[0].clone())
            }
            Scalar::Abs | Scalar::Ceil | Scalar::Floor => {
                count(1, 1)?;
                fam(0, Numeric, "numeric")?;
                Ok(args[0].clone())
            }
            Scalar::Round => {
                count(1, 2)?;
                fam(0, Numeric, "numeric")?;
                if args.len() == 2 {
                    fam(1, Numeric, "an integer")?;
                }
                Ok(args[0].clone())
            }
            Scalar::Mod => {
                count(2, 2)?;
                fam(0, Numeric, "numeric")?;
                fam(1, Numeric, "numeric")?;
                Ok(if args[0].is_integer() && args[1].is_integer() {
                    SqlType::BigInt
                } else {
                    SqlType::Double
                })
            }
            Scalar::Power | Scalar::Sqrt | Scalar::Exp | Scalar::Ln | Scalar::Log10 => {
                let n = if self == Scalar::Power { 2 } else { 1 };
                count(n, n)?;
                for i in 0..n {
                    fam(i, Numeric, "numeric")?;
                }
                Ok(SqlType::Double)
            }
            Scalar::UnixTimestamp => {
                count(1, 1)?;
                if !matches!(args[0], SqlType::Timestamp | SqlType::Null) {
                    return Err(format!(
                        "argument 1 of UNIX_TIMESTAMP must be a TIMESTAMP, got {}",
                        args[0]
                    ));
                }
                Ok(SqlType::BigInt)
            }
            Scalar::ToTimestamp => {
                count(1, 1)?;
                if !(args[0].is_integer() || args[0] == SqlType::Null) {
                    return Err(format!(
                        "argument 1 of TO_TIMESTAMP must be a BIGINT of milliseconds since 1970-01-01 00:00:00 UTC, got {}",
                        args[0]
                    ));
                }
                Ok(SqlType::Timestamp)
            }
            Scalar::Coalesce | Scalar::NullIf => {
                count(
                    if self == Scalar::NullIf { 2 } else { 1 },
                    if self == Scalar::NullIf {
                        2
                    } else {
                        usize::MAX
                    },
                )?;
                let first = args
                    .iter()
                    .find(|t| **t != SqlType::Null)
                    .cloned()
                    .unwrap_or(SqlType::Null);
                for t in args {
                    if !first.accepts(t) {
                        return Err(format!(
                            "arguments of {} must have compatible types ({first} and {t})",
                            format!("{self:?}").to_uppercase()
                        ));
                    }
                }
                Ok(first)
            }
        }
    }

    /// Evaluates the function. Errors become error_stream rows.
    pub fn eval(self, args: &[Value]) -> Result<Value, String> {
        if !matches!(self, Scalar::Coalesce | Scalar::NullIf) && args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        let text = |v: &Value| -> Arc<str> {
            match v {
                Value::Str(s) => s.clone(),
                other => Arc::from(other.to_string().as_str()),
            }
        };
        let num = |v: &Value| v.as_f64().unwrap_or(0.0);
        Ok(match self {
            Scalar::Upper => Value::Str(Arc::from(text(&args[0]).to_uppercase().as_str())),
            Scalar::Lower => Value::Str(Arc::from(text(&args[0]).to_lowercase().as_str())),
            Scalar::Trim => Value::Str(Arc::from(text(&args[0]).trim_matches(' '))),
            Scalar::CharLength => Value::Int(text(&args[0]).chars().count() as i64),
            Scalar::Substring => {
                let s = text(&args[0]);
                let start = args[1].as_f64().unwrap_or(1.0) as i64;
                let len = args.get(2).map(|v| v.as_f64().unwrap_or(0.0) as i64);
                if len.is_some_and(|l| l < 0) {
                    return Err("SUBSTRING length must not be negative".into());
                }
                // SQL semantics: positions before 1 still count toward the length.
                let from = start.max(1);
                let to = len.map_or(i64::MAX, |l| start.saturating_add(l));
                let out: String = s
                    .chars()
                    .enumerate()
                    .filter(|(i, _)| (*i as i64 + 1) >= from && (*i as i64 + 1) < to)
                    .map(|(_, c)| c)
                    .collect();
                Value::Str(Arc::from(out.as_str()))
            }
            Scalar::Abs => match &args[0] {
                Value::Int(i) => Value::Int(i.checked_abs().ok_or("ABS overflow")?),
                v => Value::Double(num(v).abs()),
            },
            Scalar::Ceil => match &args[0] {
                Value::Int(i) => Value::Int(*i),
                v => Value::Double(num(v).ceil()),
            },
            Scalar::Floor => match &args[0] {
                Value::Int(i) => Value::Int(*i),
                v => Value::Double(num(v).floor()),
            },
            Scalar::Round => {
                let digits = args.get(1).map_or(0, |d| num(d) as i32);
                match &args[0] {
                    Value::Int(i) if digits >= 0 => Value::Int(*i),
                    v => {
                        let f = 10f64.powi(digits);
                        let r = (num(v) * f).round() / f;
                        match v {
                            Value::Int(_) => Value::Int(r as i64),
                            _ => Value::Double(r),
                        }
                    }
                }
            }
            Scalar::Mod => match (&args[0], &args[1]) {
                (Value::Int(a), Value::Int(b)) => {
                    if *b == 0 {
                        return Err("Division by zero".into());
                    }
                    Value::Int(a % b)
                }
                (a, b) => {
                    if num(b) == 0.0 {
                        return Err("Division by zero".into());
                    }
                    Value::Double(num(a) % num(b))
                }
            },
            Scalar::Power => Value::Double(num(&args[0]).powf(num(&args[1]))),
            Scalar::Sqrt => Value::Double(num(&args[0]).sqrt()),
            Scalar::Exp => Value::Double(num(&args[0]).exp()),
            Scalar::Ln => Value::Double(num(&args[0]).ln()),
            Scalar::Log10 => Value::Double(num(&args[0]).log10()),
            Scalar::Coalesce => args
                .iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null),
            Scalar::NullIf => {
                if args[0] == args[1] {
                    Value::Null
                } else {
                    args[0].clone()
                }
            }
            Scalar::UnixTimestamp => match args[0] {
                Value::Timestamp(t) => Value::Int(t),
                _ => return Err("UNIX_TIMESTAMP needs a TIMESTAMP".into()),
            },
            Scalar::ToTimestamp => match args[0] {
                Value::Int(ms) => Value::Timestamp(ms),
                _ => return Err("TO_TIMESTAMP needs a BIGINT of milliseconds".into()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_and_types() {
        let v = Scalar::Substring
            .eval(&[Value::str("hello"), Value::Int(2), Value::Int(3)])
            .unwrap();
        assert_eq!(v, Value::str("ell"));
        assert!(Scalar::Upper.result_type(&[SqlType::Integer]).is_err());
        assert_eq!(
            Scalar::Mod.eval(&[Value::Int(7), Value::Int(3)]).unwrap(),
            Value::Int(1)
        );
        assert!(Scalar::Mod.eval(&[Value::Int(7), Value::Int(0)]).is_err());
    }
}
