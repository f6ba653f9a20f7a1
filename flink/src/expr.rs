//! Compiled expressions (`kdaflow_sql::plan::CExpr`) as Flink SQL text, and their types.
//!
//! Every function either has a Flink built-in with the same meaning or is refused with the
//! reason, so a translation never silently changes what a query computes.

use kdaflow_sql::ast::{BinOp, TimeUnit};
use kdaflow_sql::coerce::{format_date, format_time, format_timestamp};
use kdaflow_sql::functions::scalar::Scalar;
use kdaflow_sql::plan::{AggCall, AggFunc, CExpr, WindowFn};
use kdaflow_sql::types::{SqlType, Value};

/// Why something cannot be translated (a sentence for the report).
pub type Reason = String;

/// The Flink SQL type of a column type.
pub fn flink_type(ty: &SqlType) -> Result<String, Reason> {
    Ok(match ty {
        SqlType::Boolean => "BOOLEAN".into(),
        SqlType::TinyInt => "TINYINT".into(),
        SqlType::SmallInt => "SMALLINT".into(),
        SqlType::Integer => "INT".into(),
        SqlType::BigInt => "BIGINT".into(),
        SqlType::Real => "FLOAT".into(),
        SqlType::Double => "DOUBLE".into(),
        SqlType::Decimal(p, s) if *p <= 38 => format!("DECIMAL({p}, {s})"),
        SqlType::Decimal(p, s) => {
            return Err(format!(
                "DECIMAL({p}, {s}): Flink's DECIMAL holds at most 38 digits"
            ));
        }
        SqlType::Char(n) => format!("CHAR({n})"),
        SqlType::Varchar(n) => format!("VARCHAR({n})"),
        SqlType::Binary(n) => format!("BINARY({n})"),
        SqlType::Varbinary(n) => format!("VARBINARY({n})"),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME(3)".into(),
        SqlType::Timestamp => "TIMESTAMP(3)".into(),
        SqlType::Interval(..) => {
            return Err("an INTERVAL column: Flink tables hold no interval columns".into());
        }
        // A bare NULL: any type holds it.
        SqlType::Null => "VARCHAR".into(),
    })
}

/// A quoted Flink identifier.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A string literal.
pub fn string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// An interval of `ms` milliseconds as a Flink literal (DAY TO SECOND, so any length fits the
/// leading field's precision).
pub fn interval(ms: i64) -> String {
    if ms < 0 {
        return format!("(- {})", interval(ms.saturating_neg()));
    }
    let days = ms / 86_400_000;
    let rest = ms % 86_400_000;
    let (h, m, s, f) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    let time = format!("{h:02}:{m:02}:{s:02}.{f:03}");
    if days < 100 {
        return format!("INTERVAL '{days} {time}' DAY(2) TO SECOND(3)");
    }
    // Flink's runtime holds day-time intervals of DAY(2) precision only.
    format!("(INTERVAL '1' DAY * {days} + INTERVAL '0 {time}' DAY(2) TO SECOND(3))")
}

/// The length of a calendar unit of fixed size, in ms.
pub fn unit_ms(unit: TimeUnit) -> Option<i64> {
    Some(match unit {
        TimeUnit::Second => 1000,
        TimeUnit::Minute => 60_000,
        TimeUnit::Hour => 3_600_000,
        TimeUnit::Day => 86_400_000,
        TimeUnit::Month | TimeUnit::Year => return None,
    })
}

/// A constant.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::Int(i) if i32::try_from(*i).is_ok() => i.to_string(),
        Value::Int(i) => format!("CAST({i} AS BIGINT)"),
        Value::Double(d) if d.is_finite() => format!("CAST({d:e} AS DOUBLE)"),
        Value::Double(d) => format!("CAST('{d}' AS DOUBLE)"),
        Value::Decimal(d) => d.to_string(),
        Value::Str(s) => string(s),
        Value::Bytes(b) => format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
        Value::Timestamp(ms) => format!("TIMESTAMP '{}'", format_timestamp(*ms)),
        Value::Date(d) => format!("DATE '{}'", format_date(*d)),
        Value::Time(t) => format!("TIME '{}'", format_time(*t)),
        Value::Interval(ms) => interval(*ms),
    }
}

/// What the references of an expression are, as Flink SQL.
#[derive(Debug, Default)]
pub struct Refs<'a> {
    /// The input row's columns.
    pub cols: &'a [String],
    /// The GROUP BY keys (in an aggregate's output expressions).
    pub keys: &'a [String],
    /// The aggregates' results.
    pub aggs: &'a [String],
}

/// The types of what an expression refers to.
#[derive(Debug, Default)]
pub struct Types<'a> {
    /// The input row's columns.
    pub cols: &'a [SqlType],
    /// The GROUP BY keys.
    pub keys: &'a [SqlType],
    /// The aggregates.
    pub aggs: &'a [SqlType],
}

/// The type of a constant.
fn value_type(v: &Value) -> SqlType {
    match v {
        Value::Null => SqlType::Null,
        Value::Bool(_) => SqlType::Boolean,
        Value::Int(i) if i32::try_from(*i).is_ok() => SqlType::Integer,
        Value::Int(_) => SqlType::BigInt,
        Value::Double(_) => SqlType::Double,
        Value::Decimal(d) => {
            SqlType::Decimal(d.mantissa().abs().to_string().len() as u32, d.scale())
        }
        Value::Str(s) => SqlType::Varchar(s.chars().count() as u32),
        Value::Bytes(b) => SqlType::Varbinary(b.len() as u32),
        Value::Timestamp(_) => SqlType::Timestamp,
        Value::Date(_) => SqlType::Date,
        Value::Time(_) => SqlType::Time,
        Value::Interval(_) => SqlType::Interval(TimeUnit::Second, TimeUnit::Second),
    }
}

/// The type of an expression (the validator checked it; this recovers it from the plan).
pub fn type_of(e: &CExpr, t: &Types<'_>) -> SqlType {
    match e {
        CExpr::Lit(v) => value_type(v),
        CExpr::Col(i) => t.cols.get(*i).cloned().unwrap_or(SqlType::Null),
        CExpr::RowTime => SqlType::Timestamp,
        CExpr::Bin(_, _, _, ty) | CExpr::Cast(_, ty) | CExpr::Case(_, _, ty) => ty.clone(),
        CExpr::Not(_)
        | CExpr::IsNull(..)
        | CExpr::Between(..)
        | CExpr::InList(..)
        | CExpr::Like(..) => SqlType::Boolean,
        CExpr::Neg(x) | CExpr::Step(x, _) => type_of(x, t),
        CExpr::FloorTo(..) => SqlType::Timestamp,
        CExpr::Func(f, args) => {
            let args: Vec<SqlType> = args.iter().map(|a| type_of(a, t)).collect();
            f.result_type(&args).unwrap_or(SqlType::Null)
        }
        CExpr::Key(i) => t.keys.get(*i).cloned().unwrap_or(SqlType::Null),
        CExpr::Agg(i) => t.aggs.get(*i).cloned().unwrap_or(SqlType::Null),
    }
}

/// `sql` (of type `from`) cast to `to` as the service casts: an approximate or decimal number
/// into an integer type rounds half away from zero (Flink's CAST truncates, its ROUND rounds
/// half away from zero).
pub fn cast(sql: &str, from: &SqlType, to: &SqlType) -> Result<String, Reason> {
    let t = flink_type(to)?;
    let inexact = matches!(from, SqlType::Real | SqlType::Double | SqlType::Decimal(..));
    Ok(if to.is_integer() && inexact {
        format!("CAST(ROUND({sql}, 0) AS {t})")
    } else {
        format!("CAST({sql} AS {t})")
    })
}

/// An expression as Flink SQL (`t` gives the types of what it refers to).
pub fn expr(e: &CExpr, r: &Refs<'_>, t: &Types<'_>) -> Result<String, Reason> {
    let all = |xs: &[CExpr]| -> Result<Vec<String>, Reason> {
        xs.iter().map(|x| expr(x, r, t)).collect()
    };
    let expr = |x: &CExpr, r: &Refs<'_>| expr(x, r, t);
    Ok(match e {
        CExpr::Lit(v) => literal(v),
        CExpr::Col(i) => r
            .cols
            .get(*i)
            .cloned()
            .ok_or_else(|| format!("column {i} of a row that has {}", r.cols.len()))?,
        CExpr::RowTime => ident("ROWTIME"),
        CExpr::Bin(BinOp::Div, _, _, SqlType::Interval(..)) => {
            return Err("dividing an INTERVAL (Flink divides no interval)".into());
        }
        CExpr::Bin(BinOp::Mod, a, b, _) => format!("MOD({}, {})", expr(a, r)?, expr(b, r)?),
        CExpr::Bin(op, a, b, _) => format!("({} {} {})", expr(a, r)?, op.symbol(), expr(b, r)?),
        CExpr::Not(x) => format!("(NOT {})", expr(x, r)?),
        CExpr::Neg(x) => format!("(- {})", expr(x, r)?),
        CExpr::IsNull(x, not) => format!(
            "({} IS {}NULL)",
            expr(x, r)?,
            if *not { "NOT " } else { "" }
        ),
        CExpr::Between(x, lo, hi, negated) => format!(
            "({} {}BETWEEN {} AND {})",
            expr(x, r)?,
            if *negated { "NOT " } else { "" },
            expr(lo, r)?,
            expr(hi, r)?
        ),
        CExpr::InList(x, list, negated) => format!(
            "({} {}IN ({}))",
            expr(x, r)?,
            if *negated { "NOT " } else { "" },
            all(list)?.join(", ")
        ),
        CExpr::Like(x, p, negated) => format!(
            "({} {}LIKE {})",
            expr(x, r)?,
            if *negated { "NOT " } else { "" },
            expr(p, r)?
        ),
        CExpr::Cast(x, ty) => cast(&expr(x, r)?, &type_of(x, t), ty)?,
        CExpr::Case(arms, otherwise, _) => {
            let mut s = String::from("CASE");
            for (w, t) in arms {
                s.push_str(&format!(" WHEN {} THEN {}", expr(w, r)?, expr(t, r)?));
            }
            if let Some(o) = otherwise {
                s.push_str(&format!(" ELSE {}", expr(o, r)?));
            }
            s.push_str(" END");
            s
        }
        CExpr::Func(f, args) => func(*f, &all(args)?, args, t)?,
        CExpr::FloorTo(x, unit) => format!("FLOOR({} TO {})", expr(x, r)?, unit.name()),
        CExpr::Step(x, WindowFn::Step(n)) => match type_of(x, t) {
            SqlType::Timestamp => format!(
                "CAST(TO_TIMESTAMP_LTZ({}, 3) AS TIMESTAMP(3))",
                floor_to_multiple(&epoch_ms(&expr(x, r)?), *n)
            ),
            ty if ty.is_integer() => format!(
                "CAST({} AS {})",
                floor_to_multiple(&expr(x, r)?, *n),
                flink_type(&ty)?
            ),
            _ => {
                return Err(
                    "STEP of a value that is neither a TIMESTAMP nor an integer, outside a GROUP BY window key"
                        .into(),
                );
            }
        },
        CExpr::Step(..) => {
            return Err(
                "STEP by months or years outside a GROUP BY window key (Flink has no calendar rounding but FLOOR ... TO)"
                    .into(),
            );
        }
        CExpr::Key(i) => r
            .keys
            .get(*i)
            .cloned()
            .ok_or_else(|| format!("GROUP BY key {i} of {}", r.keys.len()))?,
        CExpr::Agg(i) => r
            .aggs
            .get(*i)
            .cloned()
            .ok_or_else(|| format!("aggregate {i} of {}", r.aggs.len()))?,
    })
}

/// Whether a date-time pattern means the same to SimpleDateFormat (the service's) and to
/// DateTimeFormatter (Flink's DATE_FORMAT): only letters they agree on (not `u`, `Y`, `w`,
/// `z`..., and `S` only as `SSS`, milliseconds), quoted text aside.
fn same_pattern(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted && c.is_ascii_alphabetic() {
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            let same = match c {
                'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'h' | 'a' | 'E' | 'D' | 'k' | 'K' => true,
                'S' => run == 3,
                _ => false,
            };
            if !same {
                return false;
            }
            i += run;
            continue;
        }
        i += 1;
    }
    true
}

/// A TIMESTAMP(3) as milliseconds since the epoch, a BIGINT (the session time zone is UTC).
fn epoch_ms(ts: &str) -> String {
    format!(
        "(CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', {ts}) AS BIGINT) * 1000 + MOD(EXTRACT(MILLISECOND FROM {ts}), 1000))"
    )
}

/// An integer rounded down to a multiple of `n` (negative values too, as STEP rounds).
fn floor_to_multiple(v: &str, n: i64) -> String {
    format!("({v} - MOD(MOD({v}, {n}) + {n}, {n}))")
}

/// A constant integer argument.
fn int_lit(e: Option<&CExpr>) -> Option<i64> {
    match e {
        Some(CExpr::Lit(Value::Int(n))) => Some(*n),
        _ => None,
    }
}

/// The text of a constant string argument (a unit's name, a pattern).
fn constant(e: Option<&CExpr>) -> Option<&str> {
    match e {
        Some(CExpr::Lit(Value::Str(s))) => Some(s),
        _ => None,
    }
}

/// A scalar function with the same meaning in Flink (`a` its arguments as Flink SQL, `raw`
/// as compiled, `t` their types).
fn func(f: Scalar, a: &[String], raw: &[CExpr], t: &Types<'_>) -> Result<String, Reason> {
    let call = |name: &str| format!("{name}({})", a.join(", "));
    let ty = |i: usize| raw.get(i).map(|e| type_of(e, t));
    let datetime = |i: usize| matches!(ty(i), Some(SqlType::Timestamp | SqlType::Date));
    // A constant start position of 1 or more (Flink's SUBSTRING differs before the string).
    let positive = |i: usize| int_lit(raw.get(i)).is_some_and(|n| n >= 1);
    Ok(match f {
        // The comma form past the end is NULL in the service (its FROM form is '').
        Scalar::Substring if a.len() == 3 && positive(1) => format!(
            "CASE WHEN {1} > CHAR_LENGTH({0}) THEN CAST(NULL AS VARCHAR) ELSE SUBSTRING({0} FROM {1} FOR {2}) END",
            a[0], a[1], a[2]
        ),
        Scalar::Substring if a.len() == 2 && positive(1) => format!(
            "CASE WHEN {1} > CHAR_LENGTH({0}) THEN CAST(NULL AS VARCHAR) ELSE SUBSTRING({0} FROM {1}) END",
            a[0], a[1]
        ),
        Scalar::SubstringFrom if positive(1) => match a.len() {
            3 => format!("SUBSTRING({} FROM {} FOR {})", a[0], a[1], a[2]),
            _ => format!("SUBSTRING({} FROM {})", a[0], a[1]),
        },
        Scalar::CeilTo
            if constant(raw.get(1)).and_then(TimeUnit::parse).is_some()
                && ty(0) == Some(SqlType::Timestamp) =>
        {
            format!(
                "CEIL({} TO {})",
                a[0],
                constant(raw.get(1)).unwrap_or_default()
            )
        }
        Scalar::Extract
            if datetime(1)
                && constant(raw.first())
                    .and_then(TimeUnit::parse)
                    .is_some_and(|u| u != TimeUnit::Second) =>
        {
            format!(
                "EXTRACT({} FROM {})",
                constant(raw.first()).unwrap_or_default(),
                a[1]
            )
        }
        // The service's 'null' for a NULL timestamp. Its patterns are SimpleDateFormat's,
        // Flink's DateTimeFormatter's: the same for these letters.
        Scalar::TimestampToChar
            if a.len() == 2 && constant(raw.first()).is_some_and(same_pattern) =>
        {
            format!(
                "CASE WHEN {1} IS NULL THEN 'null' ELSE DATE_FORMAT({1}, {0}) END",
                a[0], a[1]
            )
        }
        Scalar::ToTimestamp => format!("CAST(TO_TIMESTAMP_LTZ({}, 3) AS TIMESTAMP(3))", a[0]),
        Scalar::UnixTimestamp if ty(0) == Some(SqlType::Timestamp) => epoch_ms(&a[0]),
        Scalar::Tsdiff
            if ty(0) == Some(SqlType::Timestamp) && ty(1) == Some(SqlType::Timestamp) =>
        {
            format!("({} - {})", epoch_ms(&a[1]), epoch_ms(&a[0]))
        }
        // REGEX_LOG_PARSE's fields: a group of the whole string's match; a constant pattern
        // in the syntax Java's and Rust's regular expressions share.
        Scalar::RegexField
            if constant(raw.get(1)).is_some_and(|p| !p.contains("(?P") && !p.contains("[[:"))
                && int_lit(raw.get(2)).is_some() =>
        {
            format!(
                "REGEXP_EXTRACT({}, {}, {})",
                a[0],
                string(&format!(
                    "^(?s:{})$",
                    constant(raw.get(1)).unwrap_or_default()
                )),
                a[2]
            )
        }
        // FIXED_COLUMN_LOG_PARSE's fields: 0-based start, -1 for the rest.
        Scalar::FixedField
            if int_lit(raw.get(1)).is_some_and(|n| n >= 0) && int_lit(raw.get(2)).is_some() =>
        {
            let start = int_lit(raw.get(1)).unwrap_or(0) + 1;
            match int_lit(raw.get(2)).unwrap_or(-1) {
                len if len < 0 => format!("SUBSTRING({} FROM {start})", a[0]),
                len => format!("SUBSTRING({} FROM {start} FOR {len})", a[0]),
            }
        }
        Scalar::Upper => call("UPPER"),
        Scalar::Lower => call("LOWER"),
        Scalar::Trim if a.len() == 1 => format!("TRIM(BOTH ' ' FROM {})", a[0]),
        Scalar::LikeEscape if a.len() == 3 => format!("({} LIKE {} ESCAPE {})", a[0], a[1], a[2]),
        // SIMILAR TO through the engine's own translation of the pattern to a regular
        // expression (`[a-e^c]` is "a to e but not c", which Flink's SIMILAR TO reads as a
        // class holding '^'), in the syntax Java's and Rust's regular expressions share.
        Scalar::Similar => {
            let Some(pattern) = constant(raw.get(1)) else {
                return Err("SIMILAR TO with a pattern that is not a constant".into());
            };
            let escape = match raw.get(2) {
                None => None,
                Some(e) => Some(
                    constant(Some(e)).ok_or("SIMILAR TO with an escape that is not a constant")?,
                ),
            };
            let body = kdaflow_sql::functions::text::escape_char(escape)
                .and_then(|esc| kdaflow_sql::functions::text::similar_body(pattern, esc))
                .map_err(|e| {
                    format!("SIMILAR TO: {e} (the engine sends such rows to error_stream)")
                })?;
            format!("REGEXP({}, {})", a[0], string(&format!("(?s)^(?:{body})$")))
        }
        Scalar::CharLength => call("CHAR_LENGTH"),
        Scalar::Abs => call("ABS"),
        Scalar::Ceil => call("CEIL"),
        Scalar::Floor => call("FLOOR"),
        Scalar::Power => call("POWER"),
        Scalar::Sqrt => call("SQRT"),
        Scalar::Exp => call("EXP"),
        Scalar::Ln => call("LN"),
        Scalar::Log10 => call("LOG10"),
        Scalar::Mod => call("MOD"),
        Scalar::Coalesce => call("COALESCE"),
        Scalar::NullIf => call("NULLIF"),
        Scalar::Initcap => call("INITCAP"),
        Scalar::Position => format!("POSITION({} IN {})", a[0], a[1]),
        Scalar::IsDistinct => format!("({} IS DISTINCT FROM {})", a[0], a[1]),
        Scalar::IsTrue => format!("({} IS TRUE)", a[0]),
        Scalar::IsFalse => format!("({} IS FALSE)", a[0]),
        Scalar::IsUnknown => format!("({} IS UNKNOWN)", a[0]),
        Scalar::Monotonic => a[0].clone(),
        other => {
            return Err(format!(
                "the function {} has no Flink built-in of the same meaning (a Python UDF is not generated for it)",
                other.name()
            ));
        }
    })
}

/// An aggregate call over `arg` (the argument's Flink SQL), cast to the engine's result type;
/// `Err` names what Flink has no equivalent for.
pub fn aggregate(call: &AggCall, arg: Option<&str>) -> Result<String, Reason> {
    let a = arg.unwrap_or("*");
    let inner = match call.func {
        AggFunc::Count => format!("COUNT({a})"),
        AggFunc::Sum => format!("SUM({a})"),
        AggFunc::Avg => format!("AVG({a})"),
        AggFunc::Min => format!("MIN({a})"),
        AggFunc::Max => format!("MAX({a})"),
        AggFunc::VarPop => format!("VAR_POP({a})"),
        AggFunc::VarSamp => format!("VAR_SAMP({a})"),
        AggFunc::StddevPop => format!("STDDEV_POP({a})"),
        AggFunc::StddevSamp => format!("STDDEV_SAMP({a})"),
        AggFunc::FirstValue | AggFunc::LastValue => {
            if !call.ignore_nulls {
                return Err(format!(
                    "{} respecting NULLs (Flink's skips NULLs, as IGNORE NULLS does)",
                    if call.func == AggFunc::FirstValue {
                        "FIRST_VALUE"
                    } else {
                        "LAST_VALUE"
                    }
                ));
            }
            let name = if call.func == AggFunc::FirstValue {
                "FIRST_VALUE"
            } else {
                "LAST_VALUE"
            };
            format!("{name}({a})")
        }
        other => {
            return Err(format!(
                "the aggregate {other:?} has no Flink streaming equivalent"
            ));
        }
    };
    Ok(match flink_type(&call.ty) {
        Ok(t) => format!("CAST({inner} AS {t})"),
        Err(_) => inner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_fit_any_length() {
        assert_eq!(
            interval(5000),
            "INTERVAL '0 00:00:05.000' DAY(2) TO SECOND(3)"
        );
        assert_eq!(
            interval(100 * 86_400_000 + 1),
            "(INTERVAL '1' DAY * 100 + INTERVAL '0 00:00:00.001' DAY(2) TO SECOND(3))"
        );
        assert_eq!(
            interval(-5000),
            "(- INTERVAL '0 00:00:05.000' DAY(2) TO SECOND(3))"
        );
    }

    #[test]
    fn literals_keep_their_type() {
        assert_eq!(literal(&Value::str("it's")), "'it''s'");
        assert_eq!(literal(&Value::Double(1.5)), "CAST(1.5e0 AS DOUBLE)");
        assert_eq!(
            literal(&Value::Int(5_000_000_000)),
            "CAST(5000000000 AS BIGINT)"
        );
        assert_eq!(
            literal(&Value::Timestamp(0)),
            "TIMESTAMP '1970-01-01 00:00:00.000'"
        );
    }
}
