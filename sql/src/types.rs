//! SQL types and runtime values.
//!
//! DECIMAL is exact (`rust_decimal`, which keeps a value's scale: 1.5 * 2.250 is 3.3750).
//! TIMESTAMP is epoch milliseconds, DATE is days since the epoch, TIME is milliseconds since
//! midnight.

use std::fmt;
use std::sync::Arc;

use crate::error::SqlError;

/// The largest DECIMAL precision (the SQL Reference's numeric types page).
pub const MAX_DECIMAL_PRECISION: u32 = 18;

/// A column's declared SQL type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlType {
    /// BOOLEAN.
    Boolean,
    /// TINYINT (8-bit).
    TinyInt,
    /// SMALLINT (16-bit).
    SmallInt,
    /// INTEGER (32-bit).
    Integer,
    /// BIGINT (64-bit).
    BigInt,
    /// REAL (32-bit float).
    Real,
    /// DOUBLE / FLOAT (64-bit float).
    Double,
    /// DECIMAL(precision, scale): exact.
    Decimal(u32, u32),
    /// CHAR(n): fixed length, padded with spaces.
    Char(u32),
    /// VARCHAR(n): at most n characters, longer values are truncated.
    Varchar(u32),
    /// BINARY(n).
    Binary(u32),
    /// VARBINARY(n).
    Varbinary(u32),
    /// DATE.
    Date,
    /// TIME.
    Time,
    /// TIMESTAMP (millisecond precision).
    Timestamp,
    /// An INTERVAL with its qualifier's leading and trailing fields (only as an expression
    /// type, e.g. `INTERVAL '5' SECOND`); values are milliseconds.
    Interval(crate::ast::TimeUnit, crate::ast::TimeUnit),
    /// The type of a bare NULL literal: assignable to anything.
    Null,
}

/// Broad families used for assignment and comparison checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Booleans.
    Boolean,
    /// Every integer, float and decimal type.
    Numeric,
    /// CHAR and VARCHAR.
    Character,
    /// BINARY and VARBINARY.
    Binary,
    /// DATE, TIME and TIMESTAMP (each only with itself).
    Datetime,
    /// INTERVAL.
    Interval,
    /// NULL: fits every family.
    Null,
}

impl SqlType {
    /// Parses a type as written in RecordColumn.SqlType or a CREATE STREAM column,
    /// e.g. `VARCHAR(14)`, `INTEGER`, `DECIMAL(5,2)`, `DOUBLE PRECISION`.
    pub fn parse(text: &str) -> Result<Self, SqlError> {
        let bad = || SqlError::BadSqlType(text.to_string());
        let upper = text.trim().to_ascii_uppercase();
        let (name, args) = match upper.find('(') {
            Some(i) => {
                let close = upper.rfind(')').ok_or_else(bad)?;
                if close < i || !upper[close + 1..].trim().is_empty() {
                    return Err(bad());
                }
                let args: Result<Vec<u32>, _> = upper[i + 1..close]
                    .split(',')
                    .map(|a| a.trim().parse::<u32>())
                    .collect();
                (upper[..i].trim().to_string(), args.map_err(|_| bad())?)
            }
            None => (
                upper.split_whitespace().collect::<Vec<_>>().join(" "),
                vec![],
            ),
        };
        let len = |default: u32| args.first().copied().unwrap_or(default);
        // The SQL Reference's data types: 0 < n < 65535 for CHAR, and a DECIMAL's scale is
        // at most its precision.
        match (name.as_str(), &args[..]) {
            ("CHAR" | "CHARACTER", [n]) if *n == 0 || *n >= 65535 => {
                return Err(SqlError::BadSqlType(format!(
                    "{text} (a CHAR's length must be between 1 and 65534)"
                )));
            }
            ("DECIMAL" | "NUMERIC" | "DEC", [p, ..]) if *p == 0 || *p > MAX_DECIMAL_PRECISION => {
                return Err(SqlError::BadSqlType(format!(
                    "{text} (a DECIMAL's precision is 1 to {MAX_DECIMAL_PRECISION})"
                )));
            }
            ("DECIMAL" | "NUMERIC" | "DEC", [p, s]) if s > p => {
                return Err(SqlError::BadSqlType(format!(
                    "{text} (a DECIMAL's scale must not exceed its precision)"
                )));
            }
            _ => {}
        }
        Ok(match (name.as_str(), args.len()) {
            ("BOOLEAN", 0) => SqlType::Boolean,
            ("TINYINT", 0) => SqlType::TinyInt,
            ("SMALLINT", 0) => SqlType::SmallInt,
            ("INTEGER" | "INT", 0) => SqlType::Integer,
            ("BIGINT", 0) => SqlType::BigInt,
            ("REAL", 0) => SqlType::Real,
            ("DOUBLE" | "DOUBLE PRECISION" | "FLOAT", 0) => SqlType::Double,
            ("DECIMAL" | "NUMERIC" | "DEC", 0..=2) => SqlType::Decimal(
                len(MAX_DECIMAL_PRECISION),
                args.get(1).copied().unwrap_or(0),
            ),
            ("CHAR" | "CHARACTER", 0..=1) => SqlType::Char(len(1)),
            ("VARCHAR" | "CHARACTER VARYING" | "CHAR VARYING", 0..=1) => {
                SqlType::Varchar(len(65535))
            }
            ("BINARY", 0..=1) => SqlType::Binary(len(1)),
            ("VARBINARY", 0..=1) => SqlType::Varbinary(len(65535)),
            ("DATE", 0) => SqlType::Date,
            ("TIME", 0..=1) => SqlType::Time,
            ("TIMESTAMP", 0..=1) => SqlType::Timestamp,
            _ => return Err(bad()),
        })
    }

    /// The type's family.
    pub fn family(&self) -> Family {
        match self {
            SqlType::Boolean => Family::Boolean,
            SqlType::TinyInt
            | SqlType::SmallInt
            | SqlType::Integer
            | SqlType::BigInt
            | SqlType::Real
            | SqlType::Double
            | SqlType::Decimal(..) => Family::Numeric,
            SqlType::Char(_) | SqlType::Varchar(_) => Family::Character,
            SqlType::Binary(_) | SqlType::Varbinary(_) => Family::Binary,
            SqlType::Date | SqlType::Time | SqlType::Timestamp => Family::Datetime,
            SqlType::Interval(..) => Family::Interval,
            SqlType::Null => Family::Null,
        }
    }

    /// True for the exact integer types.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::TinyInt | SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
        )
    }

    /// True for any numeric type.
    pub fn is_numeric(&self) -> bool {
        self.family() == Family::Numeric
    }

    /// Whether a value of `from` may be inserted into a column of this type.
    /// Numeric types convert among themselves, as do CHAR and VARCHAR (the validator of the
    /// service accepts implicit numeric widening and narrowing on INSERT); other families must
    /// match exactly, and datetimes must be the same type.
    pub fn accepts(&self, from: &SqlType) -> bool {
        match (self.family(), from.family()) {
            (_, Family::Null) => true,
            (Family::Datetime, Family::Datetime) => self == from,
            (a, b) => a == b,
        }
    }

    /// Coerces a value into this type for storage in a column: integers are range checked,
    /// strings truncated to the declared length (as the service does, silently).
    pub fn coerce(&self, v: Value) -> Result<Value, SqlError> {
        crate::coerce::coerce(self, v)
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::TinyInt => f.write_str("TINYINT"),
            SqlType::SmallInt => f.write_str("SMALLINT"),
            SqlType::Integer => f.write_str("INTEGER"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Real => f.write_str("REAL"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Decimal(p, s) => write!(f, "DECIMAL({p}, {s})"),
            SqlType::Char(n) => write!(f, "CHAR({n})"),
            SqlType::Varchar(n) => write!(f, "VARCHAR({n})"),
            SqlType::Binary(n) => write!(f, "BINARY({n})"),
            SqlType::Varbinary(n) => write!(f, "VARBINARY({n})"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time => f.write_str("TIME"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Interval(a, b) if a == b => write!(f, "INTERVAL {}", a.name()),
            SqlType::Interval(a, b) => write!(f, "INTERVAL {} TO {}", a.name(), b.name()),
            SqlType::Null => f.write_str("NULL"),
        }
    }
}

/// A runtime value. Strings are reference counted so rows copy cheaply through pumps.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// BOOLEAN.
    Bool(bool),
    /// Any integer type.
    Int(i64),
    /// REAL and DOUBLE.
    Double(f64),
    /// DECIMAL (and exact numeric literals such as `1.5`).
    Decimal(rust_decimal::Decimal),
    /// CHAR and VARCHAR.
    Str(Arc<str>),
    /// BINARY and VARBINARY.
    Bytes(Arc<[u8]>),
    /// TIMESTAMP: epoch milliseconds.
    Timestamp(i64),
    /// DATE: days since the epoch.
    Date(i64),
    /// TIME: milliseconds since midnight.
    Time(i64),
    /// INTERVAL: milliseconds.
    Interval(i64),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Self {
        Value::Str(Arc::from(s))
    }

    /// True for NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as f64, for numeric values.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Double(d) => Some(*d),
            Value::Decimal(d) => rust_decimal::prelude::ToPrimitive::to_f64(d),
            _ => None,
        }
    }

    /// The value as i64, for integer values.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(d) => write!(f, "{}", crate::coerce::format_double(*d)),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Str(s) => f.write_str(s),
            Value::Bytes(b) => f.write_str(&crate::coerce::hex(b)),
            Value::Timestamp(ms) => f.write_str(&crate::coerce::format_timestamp(*ms)),
            Value::Date(d) => f.write_str(&crate::coerce::format_date(*d)),
            Value::Time(ms) => f.write_str(&crate::coerce::format_time(*ms)),
            Value::Interval(ms) => write!(f, "{ms}"),
        }
    }
}
