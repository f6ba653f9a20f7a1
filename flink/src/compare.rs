//! The engine's rows against Flink's: the same multiset of rows per stream, ROWTIME included.
//!
//! Flink at parallelism above 1 emits a stream's rows in no fixed order, so both sides are
//! sorted by ROWTIME and then by their values. Values compare exactly, except DOUBLE and REAL,
//! which may differ in the last bits when a distributed sum adds in another order: they
//! compare to [`RELATIVE`] and the largest relative difference seen is reported.

use kdaflow_sql::Row;
use kdaflow_sql::coerce::{format_timestamp, parse_timestamp};
use kdaflow_sql::plan::Column;
use kdaflow_sql::types::{SqlType, Value};

/// The relative tolerance of floating-point values.
pub const RELATIVE: f64 = 1e-12;

/// A JSON value of Flink's `json` format as a value of `ty`.
pub fn value(ty: &SqlType, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || format!("{v} is not a {ty}");
    Ok(match ty {
        SqlType::Boolean => Value::Bool(v.as_bool().ok_or_else(bad)?),
        SqlType::TinyInt | SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => {
            Value::Int(v.as_i64().ok_or_else(bad)?)
        }
        SqlType::Real | SqlType::Double => Value::Double(match v {
            J::Number(n) => n.as_f64().ok_or_else(bad)?,
            J::String(s) => s.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        }),
        SqlType::Decimal(..) => {
            let text = match v {
                J::Number(n) => n.to_string(),
                J::String(s) => s.clone(),
                _ => return Err(bad()),
            };
            Value::Decimal(text.parse().map_err(|_| bad())?)
        }
        SqlType::Char(_) | SqlType::Varchar(_) => Value::str(v.as_str().ok_or_else(bad)?),
        SqlType::Timestamp => {
            Value::Timestamp(timestamp(v.as_str().ok_or_else(bad)?).ok_or_else(bad)?)
        }
        SqlType::Date => {
            let t =
                timestamp(&format!("{}T00:00:00", v.as_str().ok_or_else(bad)?)).ok_or_else(bad)?;
            Value::Date(t.div_euclid(86_400_000))
        }
        SqlType::Time => {
            let t = timestamp(&format!("1970-01-01T{}", v.as_str().ok_or_else(bad)?))
                .ok_or_else(bad)?;
            Value::Time(t)
        }
        other => return Err(format!("{other} values are not read back from Flink")),
    })
}

/// Flink's ISO-8601 timestamp text (`2026-01-01T00:00:05`, `...T00:00:29.9`) in epoch ms.
pub fn timestamp(s: &str) -> Option<i64> {
    parse_timestamp(s)
}

/// A Flink sink row (its columns and ROWTIME) as an engine row.
pub fn row(
    columns: &[Column],
    m: &serde_json::Map<String, serde_json::Value>,
) -> Result<Row, String> {
    let rowtime = m
        .get("ROWTIME")
        .and_then(|v| v.as_str())
        .and_then(timestamp)
        .ok_or_else(|| {
            format!(
                "a row without a ROWTIME: {}",
                serde_json::Value::Object(m.clone())
            )
        })?;
    let values = columns
        .iter()
        .map(|c| value(&c.ty, m.get(&c.name).unwrap_or(&serde_json::Value::Null)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{e} in {}", serde_json::Value::Object(m.clone())))?;
    Ok(Row { rowtime, values })
}

/// How one stream compared.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamComparison {
    /// The stream.
    pub stream: String,
    /// Rows the engine emitted.
    pub engine_rows: usize,
    /// Rows Flink emitted.
    pub flink_rows: usize,
    /// The first differences (at most 10), as `- engine` / `+ flink` lines.
    pub differences: Vec<String>,
    /// How many rows differ.
    pub differing: usize,
    /// The largest relative difference of floating-point values that matched.
    pub max_relative: f64,
}

impl StreamComparison {
    /// Whether the two sides are the same.
    pub fn same(&self) -> bool {
        self.differing == 0 && self.engine_rows == self.flink_rows
    }
}

fn text(r: &Row) -> String {
    let values: Vec<String> = r
        .values
        .iter()
        .map(|v| match v {
            Value::Null => "NULL".to_string(),
            v => v.to_string(),
        })
        .collect();
    format!("{}  {}", format_timestamp(r.rowtime), values.join("  "))
}

/// The sort key: ROWTIME, then the values with floating-point ones rounded (so values that
/// differ only in their last bits sort alike).
fn key(r: &Row) -> (i64, Vec<String>) {
    (
        r.rowtime,
        r.values
            .iter()
            .map(|v| match v {
                Value::Double(d) => format!("{d:.9e}"),
                v => v.to_string(),
            })
            .collect(),
    )
}

fn close(a: &Value, b: &Value, max_relative: &mut f64) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            if x == y || (x.is_nan() && y.is_nan()) {
                return true;
            }
            let rel = (x - y).abs() / x.abs().max(y.abs());
            if rel <= RELATIVE {
                *max_relative = max_relative.max(rel);
                true
            } else {
                false
            }
        }
        _ => a == b,
    }
}

/// Compares one stream's rows.
pub fn compare(stream: &str, engine: &[Row], flink: &[Row]) -> StreamComparison {
    let mut e: Vec<&Row> = engine.iter().collect();
    let mut f: Vec<&Row> = flink.iter().collect();
    e.sort_by_cached_key(|r| key(r));
    f.sort_by_cached_key(|r| key(r));
    let mut out = StreamComparison {
        stream: stream.to_string(),
        engine_rows: engine.len(),
        flink_rows: flink.len(),
        differences: Vec::new(),
        differing: 0,
        max_relative: 0.0,
    };
    for i in 0..e.len().max(f.len()) {
        let same = match (e.get(i), f.get(i)) {
            (Some(a), Some(b)) => {
                a.rowtime == b.rowtime
                    && a.values.len() == b.values.len()
                    && a.values
                        .iter()
                        .zip(&b.values)
                        .all(|(x, y)| close(x, y, &mut out.max_relative))
            }
            _ => false,
        };
        if !same {
            out.differing += 1;
            if out.differences.len() < 10 {
                if let Some(a) = e.get(i) {
                    out.differences.push(format!("- {}", text(a)));
                }
                if let Some(b) = f.get(i) {
                    out.differences.push(format!("+ {}", text(b)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(t: i64, v: Vec<Value>) -> Row {
        Row {
            rowtime: t,
            values: v,
        }
    }

    #[test]
    fn order_does_not_matter_and_last_bits_of_doubles_do_not() {
        let engine = vec![
            r(5, vec![Value::Double(0.1 + 0.2)]),
            r(10, vec![Value::Int(3)]),
        ];
        let flink = vec![r(10, vec![Value::Int(3)]), r(5, vec![Value::Double(0.3)])];
        let c = compare("S", &engine, &flink);
        assert!(c.same(), "{c:?}");
        assert!(c.max_relative > 0.0 && c.max_relative <= RELATIVE);
    }

    #[test]
    fn a_missing_row_and_a_wrong_value_are_differences() {
        let engine = vec![r(5, vec![Value::Int(1)]), r(10, vec![Value::Int(2)])];
        let flink = vec![
            r(5, vec![Value::Int(1)]),
            r(10, vec![Value::Int(7)]),
            r(15, vec![]),
        ];
        let c = compare("S", &engine, &flink);
        assert!(!c.same());
        assert_eq!(c.differing, 2);
        assert_eq!(c.differences[0], "- 1970-01-01 00:00:00.010  2");
    }

    #[test]
    fn flink_json_values_read_back() {
        let cols = vec![
            Column {
                name: "N".into(),
                ty: SqlType::BigInt,
            },
            Column {
                name: "S".into(),
                ty: SqlType::Varchar(4),
            },
        ];
        let m: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"ROWTIME":"2026-01-01T00:00:29.9","N":7,"S":"ab"}"#).unwrap();
        let row = row(&cols, &m).unwrap();
        assert_eq!(row.rowtime, 1_767_225_629_900);
        assert_eq!(row.values, vec![Value::Int(7), Value::str("ab")]);
    }
}
