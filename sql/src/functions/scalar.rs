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
    /// SUBSTRING(s FROM start [FOR len]) or SUBSTRING(s FROM regex): 1-based; past the end
    /// is the empty string; a regular expression gives its first match (NULL if none).
    SubstringFrom,
    /// SUBSTRING(s SIMILAR pattern ESCAPE e).
    SubstringSimilar,
    /// POSITION(search IN s): 1-based, 0 if absent, 1 for an empty search.
    Position,
    /// OVERLAY(s PLACING r FROM start [FOR len]).
    Overlay,
    /// EXTRACT(field FROM datetime or interval): BIGINT, SECOND a DECIMAL with milliseconds.
    Extract,
    /// EXTRACT(SECOND FROM ...): a DECIMAL(5,3), the milliseconds included.
    ExtractSecond,
    /// CEIL(datetime TO unit).
    CeilTo,
    /// INITCAP(s).
    Initcap,
    /// REGEX_REPLACE(original, regex, replacement, start, occurrence).
    RegexReplace,
    /// TSDIFF(start, end): end - start in milliseconds, a BIGINT.
    Tsdiff,
    /// CHAR_TO_TIMESTAMP(format, s).
    CharToTimestamp,
    /// CHAR_TO_DATE(format, s).
    CharToDate,
    /// CHAR_TO_TIME(format, s).
    CharToTime,
    /// TIMESTAMP_TO_CHAR(format, ts): a NULL timestamp gives the string 'null'.
    TimestampToChar,
    /// DATE_TO_CHAR(format, d).
    DateToChar,
    /// TIME_TO_CHAR(format, t).
    TimeToChar,
    /// CURRENT_ROW_TIMESTAMP: the time the row is processed (its argument, the row's time).
    CurrentRowTimestamp,
    /// CURRENT_TIMESTAMP and LOCALTIMESTAMP (see the README: the row's processing time).
    CurrentTimestamp,
    /// CURRENT_DATE.
    CurrentDate,
    /// CURRENT_TIME and LOCALTIME.
    CurrentTime,
    /// `x [NOT] LIKE p ESCAPE e`.
    LikeEscape,
    /// `x [NOT] SIMILAR TO p [ESCAPE e]`.
    Similar,
    /// `a IS DISTINCT FROM b`: NULLs are equal to each other and distinct from values.
    IsDistinct,
    /// `x IS TRUE`.
    IsTrue,
    /// `x IS FALSE`.
    IsFalse,
    /// `x IS UNKNOWN`.
    IsUnknown,
    /// An interval's text, per its qualifier's fields: (interval, leading, trailing), e.g.
    /// `+3 04:20` for DAY TO MINUTE.
    IntervalText,
    /// MONOTONIC(x): x, declared non-decreasing (or non-increasing).
    Monotonic,
    /// A field of REGEX_LOG_PARSE / FAST_REGEX_LOG_PARSE: (s, regex, i), group i of the whole
    /// string's match, NULL if it does not match.
    RegexField,
    /// A field of FIXED_COLUMN_LOG_PARSE: (s, start, len), 0-based; len -1 is the rest.
    FixedField,
    /// A field of VARIABLE_COLUMN_LOG_PARSE: (s, delimiter, escape, quote, i).
    VariableField,
    /// A field of W3C_LOG_PARSE: (s, with_vhost, i).
    W3cField,
    /// `(a - b) unit [TO unit]`: the difference of two datetimes as an interval, truncated
    /// to the qualifier's last field.
    Diff,
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
            "$SUBSTRING_FROM" => Scalar::SubstringFrom,
            "$SUBSTRING_SIMILAR" => Scalar::SubstringSimilar,
            "POSITION" => Scalar::Position,
            "OVERLAY" => Scalar::Overlay,
            "EXTRACT" => Scalar::Extract,
            "$EXTRACT_SECOND" => Scalar::ExtractSecond,
            "$CEIL_TO" => Scalar::CeilTo,
            "INITCAP" => Scalar::Initcap,
            "REGEX_REPLACE" => Scalar::RegexReplace,
            "TSDIFF" => Scalar::Tsdiff,
            "CHAR_TO_TIMESTAMP" => Scalar::CharToTimestamp,
            "CHAR_TO_DATE" => Scalar::CharToDate,
            "CHAR_TO_TIME" => Scalar::CharToTime,
            "TIMESTAMP_TO_CHAR" => Scalar::TimestampToChar,
            "DATE_TO_CHAR" => Scalar::DateToChar,
            "TIME_TO_CHAR" => Scalar::TimeToChar,
            "CURRENT_ROW_TIMESTAMP" => Scalar::CurrentRowTimestamp,
            "CURRENT_TIMESTAMP" | "LOCALTIMESTAMP" => Scalar::CurrentTimestamp,
            "CURRENT_DATE" => Scalar::CurrentDate,
            "CURRENT_TIME" | "LOCALTIME" => Scalar::CurrentTime,
            "$LIKE" => Scalar::LikeEscape,
            "$SIMILAR" => Scalar::Similar,
            "$DISTINCT" => Scalar::IsDistinct,
            "$IS_TRUE" => Scalar::IsTrue,
            "$IS_FALSE" => Scalar::IsFalse,
            "$IS_UNKNOWN" => Scalar::IsUnknown,
            "$DIFF" => Scalar::Diff,
            "MONOTONIC" => Scalar::Monotonic,
            _ => return None,
        })
    }

    /// The name as written, for messages.
    pub fn name(self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    /// Whether the function reads the time the row is processed (passed as a last, implicit
    /// argument: the row's ROWTIME).
    pub fn reads_row_time(self) -> bool {
        matches!(
            self,
            Scalar::CurrentRowTimestamp
                | Scalar::CurrentTimestamp
                | Scalar::CurrentDate
                | Scalar::CurrentTime
        )
    }

    /// Checks argument types and returns the result type, or what is wrong.
    pub fn result_type(self, args: &[SqlType]) -> Result<SqlType, String> {
        use crate::types::Family::{Boolean, Character, Datetime, Interval, Null, Numeric};
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
            Scalar::Upper | Scalar::Lower | Scalar::Initcap => {
                count(1, 1)?;
                fam(0, Character, "a character string")?;
                Ok(args[0].clone())
            }
            Scalar::Trim => {
                count(1, 3)?;
                for i in 0..args.len().min(2) {
                    fam(i, Character, "a character string")?;
                }
                Ok(args[0].clone())
            }
            Scalar::SubstringFrom => {
                count(2, 3)?;
                fam(0, Character, "a character string")?;
                if args[1].family() != Character {
                    for i in 1..args.len() {
                        fam(i, Numeric, "an integer")?;
                    }
                } else if args.len() == 3 {
                    return Err("SUBSTRING(s FROM regex) takes no FOR".into());
                }
                Ok(args[0].clone())
            }
            Scalar::SubstringSimilar | Scalar::LikeEscape | Scalar::Similar => {
                count(2, 3)?;
                for i in 0..args.len() {
                    fam(i, Character, "a character string")?;
                }
                Ok(if self == Scalar::SubstringSimilar {
                    args[0].clone()
                } else {
                    SqlType::Boolean
                })
            }
            Scalar::Position => {
                count(2, 2)?;
                fam(0, Character, "a character string")?;
                fam(1, Character, "a character string")?;
                Ok(SqlType::Integer)
            }
            Scalar::Overlay => {
                count(3, 4)?;
                fam(0, Character, "a character string")?;
                fam(1, Character, "a character string")?;
                for i in 2..args.len() {
                    fam(i, Numeric, "an integer")?;
                }
                let len = |t: &SqlType| match t {
                    SqlType::Varchar(n) | SqlType::Char(n) => *n,
                    _ => 0,
                };
                Ok(SqlType::Varchar(
                    len(&args[0]).saturating_add(len(&args[1])),
                ))
            }
            Scalar::Extract | Scalar::ExtractSecond => {
                count(2, 2)?;
                if !matches!(args[1].family(), Datetime | Interval | Null) {
                    return Err(format!(
                        "EXTRACT needs a DATE, TIME, TIMESTAMP or INTERVAL, got {}",
                        args[1]
                    ));
                }
                // The field is the first argument, a literal: the parser names SECOND's form
                // apart, as its type differs.
                Ok(if self == Scalar::ExtractSecond {
                    SqlType::Decimal(5, 3)
                } else {
                    SqlType::BigInt
                })
            }
            Scalar::CeilTo => {
                count(2, 2)?;
                fam(0, Datetime, "a datetime")?;
                Ok(args[0].clone())
            }
            Scalar::RegexReplace => {
                count(5, 5)?;
                for i in 0..3 {
                    fam(i, Character, "a character string")?;
                }
                fam(3, Numeric, "an integer")?;
                fam(4, Numeric, "an integer")?;
                Ok(SqlType::Varchar(65535))
            }
            Scalar::Tsdiff => {
                count(2, 2)?;
                for i in 0..2 {
                    if !matches!(args[i], SqlType::Timestamp | SqlType::Null) {
                        return Err(format!(
                            "argument {} of TSDIFF must be a TIMESTAMP, got {}",
                            i + 1,
                            args[i]
                        ));
                    }
                }
                Ok(SqlType::BigInt)
            }
            Scalar::CharToTimestamp | Scalar::CharToDate | Scalar::CharToTime => {
                count(2, 2)?;
                fam(0, Character, "a format string")?;
                fam(1, Character, "a character string")?;
                Ok(match self {
                    Scalar::CharToTimestamp => SqlType::Timestamp,
                    Scalar::CharToDate => SqlType::Date,
                    _ => SqlType::Time,
                })
            }
            Scalar::TimestampToChar | Scalar::DateToChar | Scalar::TimeToChar => {
                count(2, 2)?;
                fam(0, Character, "a format string")?;
                let want = match self {
                    Scalar::TimestampToChar => SqlType::Timestamp,
                    Scalar::DateToChar => SqlType::Date,
                    _ => SqlType::Time,
                };
                if args[1] != want && args[1] != SqlType::Null {
                    return Err(format!(
                        "argument 2 of {} must be a {want}, got {}",
                        self.name(),
                        args[1]
                    ));
                }
                Ok(SqlType::Varchar(256))
            }
            Scalar::CurrentRowTimestamp
            | Scalar::CurrentTimestamp
            | Scalar::CurrentDate
            | Scalar::CurrentTime => {
                if !args.is_empty() {
                    return Err(format!(
                        "{} takes no arguments (a precision is not supported)",
                        self.name()
                    ));
                }
                Ok(match self {
                    Scalar::CurrentDate => SqlType::Date,
                    Scalar::CurrentTime => SqlType::Time,
                    _ => SqlType::Timestamp,
                })
            }
            Scalar::IsDistinct => {
                count(2, 2)?;
                if !(args[0].accepts(&args[1]) || args[1].accepts(&args[0])) {
                    return Err(format!("Cannot compare {} with {}", args[0], args[1]));
                }
                Ok(SqlType::Boolean)
            }
            Scalar::Monotonic => {
                count(1, 1)?;
                Ok(args[0].clone())
            }
            Scalar::IntervalText => Ok(SqlType::Varchar(32)),
            Scalar::RegexField | Scalar::FixedField | Scalar::VariableField | Scalar::W3cField => {
                Ok(SqlType::Varchar(1024))
            }
            Scalar::IsTrue | Scalar::IsFalse | Scalar::IsUnknown => {
                count(1, 1)?;
                fam(0, Boolean, "a BOOLEAN")?;
                Ok(SqlType::Boolean)
            }
            Scalar::Diff => {
                count(4, 4)?;
                for i in 0..2 {
                    fam(i, Datetime, "a datetime")?;
                }
                if !(args[0].accepts(&args[1]) || args[1].accepts(&args[0])) {
                    return Err(format!("Cannot subtract {} from {}", args[1], args[0]));
                }
                // The qualifier is in the literal arguments: the compiler sets it.
                Ok(SqlType::Interval(
                    crate::ast::TimeUnit::Day,
                    crate::ast::TimeUnit::Second,
                ))
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
            Scalar::Abs if args.len() == 1 && args[0].family() == Interval => Ok(args[0].clone()),
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
                for (i, t) in args.iter().enumerate() {
                    if !(t.is_integer() || *t == SqlType::Null) {
                        return Err(format!(
                            "argument {} of MOD must be an integer (CAST it first), got {t}",
                            i + 1
                        ));
                    }
                }
                Ok(SqlType::BigInt)
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
        let null_tolerant = matches!(
            self,
            Scalar::Coalesce
                | Scalar::NullIf
                | Scalar::IsDistinct
                | Scalar::IsTrue
                | Scalar::IsFalse
                | Scalar::IsUnknown
                | Scalar::TimestampToChar
        ) || (self == Scalar::VariableField && !args[0].is_null());
        if !null_tolerant && args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        if let Some(v) = self.eval_more(args)? {
            return Ok(v);
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
            Scalar::Trim => match args {
                [s] => Value::Str(Arc::from(text(s).trim_matches(' '))),
                [s, chars, mode, ..] => {
                    Value::str(&super::text::trim(&text(s), &text(chars), &text(mode))?)
                }
                _ => Value::Null,
            },
            Scalar::CharLength => Value::Int(text(&args[0]).chars().count() as i64),
            Scalar::Substring => {
                let s = text(&args[0]);
                let start = args[1].as_f64().unwrap_or(1.0) as i64;
                // The comma form past the end is NULL (the page's table; its FROM form gives
                // the empty string).
                if start > s.chars().count() as i64 {
                    return Ok(Value::Null);
                }
                let len = args.get(2).map(|v| v.as_f64().unwrap_or(0.0) as i64);
                if len.is_some_and(|l| l < 0) {
                    return Err("SUBSTRING length must not be negative".into());
                }
                let out = super::text::substring(&s, start, len);
                Value::Str(Arc::from(out.as_str()))
            }
            Scalar::Abs => match &args[0] {
                Value::Int(i) => Value::Int(i.checked_abs().ok_or("ABS overflow")?),
                Value::Interval(ms) => Value::Interval(ms.abs()),
                Value::Decimal(d) => Value::Decimal(d.abs()),
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
                        return Err("Divide by zero".into());
                    }
                    Value::Int(a % b)
                }
                (a, b) => {
                    if num(b) == 0.0 {
                        return Err("Divide by zero".into());
                    }
                    Value::Double(num(a) % num(b))
                }
            },
            Scalar::Power | Scalar::Sqrt | Scalar::Exp | Scalar::Ln | Scalar::Log10 => {
                let x = num(&args[0]);
                let r = match self {
                    Scalar::Power => x.powf(num(&args[1])),
                    Scalar::Sqrt => x.sqrt(),
                    Scalar::Exp => x.exp(),
                    Scalar::Ln => x.ln(),
                    _ => x.log10(),
                };
                // The service raises an error where the result is not a real number
                // (LN(0), LOG10(-1), POWER(0, -1), POWER(-8, 0.5)).
                if !r.is_finite() && x.is_finite() && args.iter().all(|a| num(a).is_finite()) {
                    return Err(format!(
                        "{} of {} is not a real number",
                        self.name(),
                        args.iter()
                            .map(|a| a.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Value::Double(r)
            }
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
            _ => Value::Null,
        })
    }

    /// The functions of the wider dialect (`None` for the ones `eval` has).
    fn eval_more(self, args: &[Value]) -> Result<Option<Value>, String> {
        use super::{datefmt, text as t};
        const MS_PER_DAY: i64 = 86_400_000;
        let text = |v: &Value| -> String {
            match v {
                Value::Str(s) => s.to_string(),
                other => other.to_string(),
            }
        };
        let int = |v: &Value| -> i64 {
            match v {
                Value::Int(i) => *i,
                other => other.as_f64().unwrap_or(0.0).round() as i64,
            }
        };
        let ms_of = |v: &Value| -> i64 {
            match v {
                Value::Timestamp(ms) | Value::Time(ms) | Value::Interval(ms) => *ms,
                Value::Date(d) => d * MS_PER_DAY,
                _ => 0,
            }
        };
        let unit = |v: &Value| {
            crate::ast::TimeUnit::parse(&text(v)).unwrap_or(crate::ast::TimeUnit::Second)
        };
        Ok(Some(match self {
            Scalar::SubstringFrom => {
                let s = text(&args[0]);
                if let Value::Str(pattern) = &args[1] {
                    return Ok(Some(
                        t::regex(pattern)?
                            .find(&s)
                            .map_or(Value::Null, |m| Value::str(m.as_str())),
                    ));
                }
                let start = int(&args[1]);
                let len = args.get(2).map(int);
                if len.is_some_and(|l| l < 0) {
                    return Err(format!(
                        "SUBSTRING length {} must not be negative",
                        len.unwrap_or(0)
                    ));
                }
                let out = super::text::substring(&s, start, len);
                Value::str(&out)
            }
            Scalar::SubstringSimilar => {
                t::substring_similar(&text(&args[0]), &text(&args[1]), &text(&args[2]))?
                    .map_or(Value::Null, |m| Value::str(&m))
            }
            Scalar::Position => {
                let (needle, hay) = (text(&args[0]), text(&args[1]));
                Value::Int(match hay.find(&needle) {
                    Some(byte) => hay[..byte].chars().count() as i64 + 1,
                    None => 0,
                })
            }
            Scalar::Overlay => Value::str(&t::overlay(
                &text(&args[0]),
                &text(&args[1]),
                int(&args[2]),
                args.get(3).map(int),
            )?),
            Scalar::Initcap => Value::str(&t::initcap(&text(&args[0]))),
            Scalar::RegexReplace => Value::str(&t::regex_replace(
                &text(&args[0]),
                &text(&args[1]),
                &text(&args[2]),
                int(&args[3]),
                int(&args[4]),
            )?),
            Scalar::Extract => {
                use crate::ast::TimeUnit as U;
                let field = unit(&args[0]);
                if let Value::Interval(ms) = args[1] {
                    let sign = if ms < 0 { -1 } else { 1 };
                    let ms = ms.abs();
                    return Ok(Some(match field {
                        U::Second => Value::Double(sign as f64 * (ms % 60_000) as f64 / 1000.0),
                        U::Minute => Value::Int(sign * (ms / 60_000 % 60)),
                        U::Hour => Value::Int(sign * (ms / 3_600_000 % 24)),
                        U::Day => Value::Int(sign * (ms / MS_PER_DAY)),
                        U::Month | U::Year => {
                            return Err("EXTRACT of YEAR or MONTH needs a DATE or TIMESTAMP".into());
                        }
                    }));
                }
                let Some(dt) = chrono::DateTime::from_timestamp_millis(ms_of(&args[1])) else {
                    return Err("EXTRACT: the datetime is out of range".into());
                };
                use chrono::{Datelike, Timelike};
                match field {
                    U::Year => Value::Int(i64::from(dt.year())),
                    U::Month => Value::Int(i64::from(dt.month())),
                    U::Day => Value::Int(i64::from(dt.day())),
                    U::Hour => Value::Int(i64::from(dt.hour())),
                    U::Minute => Value::Int(i64::from(dt.minute())),
                    U::Second => Value::Double(
                        f64::from(dt.second()) + f64::from(dt.timestamp_subsec_millis()) / 1000.0,
                    ),
                }
            }
            Scalar::ExtractSecond => {
                let v = Scalar::Extract.eval_more(args)?.unwrap_or(Value::Null);
                match v.as_f64() {
                    Some(x) => {
                        use rust_decimal::prelude::FromPrimitive;
                        let d = rust_decimal::Decimal::from_f64(x)
                            .unwrap_or_default()
                            .round_dp(3);
                        Value::Decimal(d)
                    }
                    None => Value::Null,
                }
            }
            Scalar::CeilTo => {
                let window = crate::plan::WindowFn::Floor(unit(&args[1]));
                let ms = ms_of(&args[0]);
                let start = window.start(ms);
                let up = if start == ms { ms } else { window.end(start) };
                match args[0] {
                    Value::Date(_) => Value::Date(up.div_euclid(MS_PER_DAY)),
                    Value::Time(_) => Value::Time(up),
                    _ => Value::Timestamp(up),
                }
            }
            Scalar::Tsdiff => Value::Int(ms_of(&args[1]) - ms_of(&args[0])),
            Scalar::CharToTimestamp => {
                Value::Timestamp(datefmt::parse(&text(&args[0]), &text(&args[1]))?)
            }
            Scalar::CharToDate => Value::Date(
                datefmt::parse(&text(&args[0]), &text(&args[1]))?.div_euclid(MS_PER_DAY),
            ),
            Scalar::CharToTime => Value::Time(
                datefmt::parse(&text(&args[0]), &text(&args[1]))?.rem_euclid(MS_PER_DAY),
            ),
            Scalar::TimestampToChar | Scalar::DateToChar | Scalar::TimeToChar => {
                if args.iter().any(Value::is_null) {
                    // The SQL Reference: a NULL timestamp formats as the string 'null'.
                    return Ok(Some(
                        if self == Scalar::TimestampToChar && !args[0].is_null() {
                            Value::str("null")
                        } else {
                            Value::Null
                        },
                    ));
                }
                Value::str(&datefmt::format(&text(&args[0]), ms_of(&args[1]))?)
            }
            Scalar::CurrentRowTimestamp | Scalar::CurrentTimestamp => {
                Value::Timestamp(args.last().map_or(0, ms_of))
            }
            Scalar::CurrentDate => Value::Date(args.last().map_or(0, ms_of).div_euclid(MS_PER_DAY)),
            Scalar::CurrentTime => Value::Time(args.last().map_or(0, ms_of).rem_euclid(MS_PER_DAY)),
            Scalar::LikeEscape | Scalar::Similar => {
                let escape = t::escape_char(args.get(2).map(text).as_deref())?;
                let (s, p) = (text(&args[0]), text(&args[1]));
                let re = if self == Scalar::LikeEscape {
                    t::like_regex(&p, escape)?
                } else {
                    t::regex(&format!("(?s)^(?:{})$", t::similar_body(&p, escape)?))?
                };
                Value::Bool(re.is_match(&s))
            }
            Scalar::IsDistinct => Value::Bool(match (&args[0], &args[1]) {
                (Value::Null, Value::Null) => false,
                (Value::Null, _) | (_, Value::Null) => true,
                (a, b) => crate::engine::eval::compare(a, b) != Some(std::cmp::Ordering::Equal),
            }),
            Scalar::Monotonic => args[0].clone(),
            Scalar::IntervalText => {
                let Value::Interval(ms) = args[0] else {
                    return Ok(None);
                };
                Value::str(&interval_text(ms, unit(&args[1]), unit(&args[2])))
            }
            Scalar::RegexField => {
                let i = int(&args[2]) as usize;
                let re = t::cached_regex(&format!("^(?s:{})$", text(&args[1])))?;
                re.captures(&text(&args[0]))
                    .and_then(|c| c.get(i))
                    .map_or(Value::Null, |m| Value::str(m.as_str()))
            }
            Scalar::FixedField => {
                let (start, len) = (int(&args[1]).max(0) as usize, int(&args[2]));
                let chars = text(&args[0]);
                let piece: String = if len < 0 {
                    chars.chars().skip(start).collect()
                } else {
                    chars.chars().skip(start).take(len as usize).collect()
                };
                Value::str(&piece)
            }
            Scalar::VariableField => {
                let i = int(&args[4]) as usize;
                let opt = |v: &Value| (!v.is_null()).then(|| text(v));
                let fields = t::split_fields(
                    &text(&args[0]),
                    &text(&args[1]),
                    opt(&args[2]).as_deref(),
                    opt(&args[3]).as_deref(),
                );
                fields.get(i - 1).map_or(Value::Null, |f| Value::str(f))
            }
            Scalar::W3cField => {
                let i = int(&args[2]) as usize;
                t::w3c_fields(&text(&args[0]))
                    .get(i - 1)
                    .map_or(Value::Null, |f| Value::str(f))
            }
            Scalar::IsTrue => Value::Bool(args[0] == Value::Bool(true)),
            Scalar::IsFalse => Value::Bool(args[0] == Value::Bool(false)),
            Scalar::IsUnknown => Value::Bool(args[0].is_null()),
            Scalar::Diff => {
                let d = ms_of(&args[0]) - ms_of(&args[1]);
                let step = unit(&args[3]).millis().min(86_400_000);
                Value::Interval(d / step * step)
            }
            _ => return Ok(None),
        }))
    }
}

/// An interval's text for its qualifier: a sign, the leading field unpadded, the others two
/// digits ('-' between YEAR and MONTH, ' ' after DAY, ':' between the time fields), seconds
/// with their milliseconds when there are any: `+3 04:20` (DAY TO MINUTE), `+6:11` (MINUTE TO
/// SECOND).
pub fn interval_text(ms: i64, from: crate::ast::TimeUnit, to: crate::ast::TimeUnit) -> String {
    use crate::ast::TimeUnit as U;
    let sign = if ms < 0 { '-' } else { '+' };
    let mut rest = ms.unsigned_abs();
    let order = [U::Year, U::Month, U::Day, U::Hour, U::Minute, U::Second];
    let (a, b) = (
        order.iter().position(|u| *u == from).unwrap_or(0),
        order.iter().position(|u| *u == to).unwrap_or(5),
    );
    let mut out = String::from(sign);
    for (k, u) in order.iter().enumerate().take(b + 1).skip(a) {
        let size = u.millis() as u64;
        let n = rest / size;
        rest -= n * size;
        if k > a {
            out.push(match u {
                U::Month => '-',
                U::Hour => ' ',
                _ => ':',
            });
            out.push_str(&format!("{n:02}"));
        } else {
            out.push_str(&n.to_string());
        }
        if *u == U::Second && rest > 0 {
            out.push_str(&format!(".{rest:03}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_texts_follow_their_qualifier() {
        use crate::ast::TimeUnit as U;
        assert_eq!(
            interval_text(
                3 * 86_400_000 + 4 * 3_600_000 + 20 * 60_000,
                U::Day,
                U::Minute
            ),
            "+3 04:20"
        );
        assert_eq!(
            interval_text(-(6 * 60_000 + 11_000), U::Minute, U::Second),
            "-6:11"
        );
        assert_eq!(interval_text(1_500, U::Second, U::Second), "+1.500");
        assert_eq!(
            interval_text(40 * 30 * 86_400_000, U::Year, U::Month),
            "+3-04"
        );
    }

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
