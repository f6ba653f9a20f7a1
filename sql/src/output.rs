//! Output rows to destination records, per `DestinationSchema.RecordFormatType`.
//!
//! CSV: values comma-separated, a value containing a comma, quote or newline is quoted with
//! `"` (quotes doubled), NULL is empty, each record ends with `\n`. JSON: one object per row,
//! keyed by column name, numbers as JSON numbers, NULL as null, other types as their text;
//! also newline-terminated. ROWTIME is not included unless the stream has such a column.

use crate::engine::Row;
use crate::plan::Column;
use crate::schema::OutputFormat;
use crate::types::Value;

/// Serialises one row of a stream with columns `columns`.
pub fn serialize_row(format: OutputFormat, columns: &[Column], row: &Row) -> String {
    match format {
        OutputFormat::Csv => {
            let mut s = String::new();
            for (i, v) in row.values.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                if !v.is_null() {
                    let text = v.to_string();
                    if text.contains([',', '"', '\n', '\r']) {
                        s.push('"');
                        s.push_str(&text.replace('"', "\"\""));
                        s.push('"');
                    } else {
                        s.push_str(&text);
                    }
                }
            }
            s.push('\n');
            s
        }
        OutputFormat::Json => {
            let mut obj = serde_json::Map::new();
            for (c, v) in columns.iter().zip(&row.values) {
                obj.insert(c.name.clone(), to_json(v));
            }
            let mut s = serde_json::Value::Object(obj).to_string();
            s.push('\n');
            s
        }
    }
}

/// A value as JSON output writes it: numbers as JSON numbers, NULL as null, other types as
/// their text.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Double(d) => serde_json::Number::from_f64(*d)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Decimal(d) => d
            .to_string()
            .parse::<serde_json::Number>()
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        other => other.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SqlType;

    #[test]
    fn csv_and_json() {
        let cols = vec![
            Column {
                name: "A".into(),
                ty: SqlType::Double,
            },
            Column {
                name: "b".into(),
                ty: SqlType::Varchar(9),
            },
            Column {
                name: "C".into(),
                ty: SqlType::Integer,
            },
        ];
        let row = Row {
            rowtime: 0,
            values: vec![Value::Double(4.0), Value::str("x,\"y\""), Value::Null],
        };
        assert_eq!(
            serialize_row(OutputFormat::Csv, &cols, &row),
            "4.0,\"x,\"\"y\"\"\",\n"
        );
        assert_eq!(
            serialize_row(OutputFormat::Json, &cols, &row),
            "{\"A\":4.0,\"b\":\"x,\\\"y\\\"\",\"C\":null}\n"
        );
    }
}
