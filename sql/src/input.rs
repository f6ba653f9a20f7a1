//! Raw input records to typed rows, per the input's `InputSchema`.
//!
//! CSV: the record is split on `RecordRowDelimiter` (a trailing empty row is ignored), each
//! row on `RecordColumnDelimiter`, where a field in double quotes may hold the delimiter (`""`
//! is a quote); a row with a different number of fields is an error. An
//! empty field is NULL, except for character columns where it is the empty string.
//! JSON: `RecordRowPath` selects the rows (an array selected by `[*]` gives one row per
//! element), each column's `Mapping` is a JSONPath evaluated against the row (`$` = the row);
//! a missing member is NULL. Nested objects and arrays become their JSON text.
//! Values then convert to the column's SQL type with the service's rules: over-long strings
//! are truncated silently, anything that does not convert is an error. Errors are reported per
//! row so the engine can write them to error_stream.

use std::sync::Arc;

use crate::error::SqlError;
use crate::jsonpath::{JsonPath, Step};
use crate::schema::{RecordFormat, SourceSchema};
use crate::types::{Family, SqlType, Value};

/// A row that could not be parsed or converted.
#[derive(Debug, Clone, PartialEq)]
pub struct RowParseError {
    /// error_stream's ERROR_NAME.
    pub name: &'static str,
    /// error_stream's MESSAGE.
    pub message: String,
    /// The raw row bytes (error_stream's DATA_ROW is their hex form).
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Format {
    Csv {
        row: String,
        col: String,
    },
    Json {
        rows: JsonPath,
        columns: Vec<JsonPath>,
    },
}

/// A compiled `SourceSchema`, reused for every record.
#[derive(Debug, Clone)]
pub struct RecordParser {
    format: Format,
    types: Vec<SqlType>,
    names: Vec<String>,
}

impl RecordParser {
    /// Compiles a schema; fails on unknown SQL types, empty delimiters or bad JSONPaths.
    pub fn new(schema: &SourceSchema) -> Result<Self, SqlError> {
        let mut types = Vec::new();
        for c in &schema.columns {
            types.push(SqlType::parse(&c.sql_type)?);
        }
        let names = schema.columns.iter().map(|c| c.name.clone()).collect();
        let format = match &schema.format {
            RecordFormat::Csv {
                row_delimiter,
                column_delimiter,
            } => {
                if row_delimiter.is_empty() || column_delimiter.is_empty() {
                    return Err(SqlError::BadSchema(
                        "CSV delimiters must not be empty".into(),
                    ));
                }
                Format::Csv {
                    row: row_delimiter.clone(),
                    col: column_delimiter.clone(),
                }
            }
            RecordFormat::Json { row_path } => {
                let rows = JsonPath::parse(row_path).map_err(SqlError::BadSchema)?;
                let mut columns = Vec::new();
                for c in &schema.columns {
                    let m = c.mapping.clone().unwrap_or_else(|| format!("$.{}", c.name));
                    columns.push(JsonPath::parse(&m).map_err(SqlError::BadSchema)?);
                }
                Format::Json { rows, columns }
            }
        };
        Ok(Self {
            format,
            types,
            names,
        })
    }

    /// Parses one record, calling `each` once per row with its typed values or its error.
    pub fn parse(&self, data: &[u8], mut each: impl FnMut(Result<Vec<Value>, RowParseError>)) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                each(Err(RowParseError {
                    name: "Parse error",
                    message: format!("Record is not valid UTF-8: {e}"),
                    raw: data.to_vec(),
                }));
                return;
            }
        };
        match &self.format {
            Format::Csv { row, col } => {
                let mut rows: Vec<&str> = text.split(row.as_str()).collect();
                if rows.len() > 1 && rows.last().is_some_and(|r| r.is_empty()) {
                    rows.pop();
                }
                for r in rows {
                    each(self.csv_row(r, col));
                }
            }
            Format::Json { rows, columns } => {
                let doc: serde_json::Value = match serde_json::from_str(text) {
                    Ok(d) => d,
                    Err(e) => {
                        each(Err(RowParseError {
                            name: "Parse error",
                            message: format!("Record is not valid JSON: {e}"),
                            raw: data.to_vec(),
                        }));
                        return;
                    }
                };
                let mut selected = Vec::new();
                rows.select(&doc, &mut selected);
                for r in selected {
                    for row in self.json_rows(r, columns) {
                        each(row);
                    }
                }
            }
        }
    }

    fn csv_row(&self, row: &str, col: &str) -> Result<Vec<Value>, RowParseError> {
        let mut values = Vec::with_capacity(self.types.len());
        let all = split_fields(row, col);
        let mut fields = all.iter();
        for (i, ty) in self.types.iter().enumerate() {
            let Some(f) = fields.next() else {
                return Err(self.err(
                    "Parse error",
                    format!(
                        "Row has {i} columns, the input schema has {}",
                        self.types.len()
                    ),
                    row,
                ));
            };
            let v = if f.is_empty() && ty.family() != Family::Character {
                Value::Null
            } else {
                Value::Str(Arc::from(f.as_ref()))
            };
            values.push(self.convert(i, ty, v, row)?);
        }
        if fields.next().is_some() {
            let n = all.len();
            return Err(self.err(
                "Parse error",
                format!(
                    "Row has {n} columns, the input schema has {}",
                    self.types.len()
                ),
                row,
            ));
        }
        Ok(values)
    }

    /// The rows of one JSON row: one, or (a column path with `[0:]` followed by more steps,
    /// `$.orders[0:].orderId`) one per element of that array, the other columns repeated on
    /// each; an empty array still gives one row, with NULLs (the developer guide's JSONPath
    /// page). A path ending in `[0:]` is the whole array, as its JSON text.
    fn json_rows(
        &self,
        row: &serde_json::Value,
        columns: &[JsonPath],
    ) -> Vec<Result<Vec<Value>, RowParseError>> {
        let flattened = columns.iter().find_map(|c| c.split_at_all());
        let Some((array_path, _)) = flattened else {
            return vec![self.json_row(row, columns, None)];
        };
        let mut arrays = Vec::new();
        array_path.select(row, &mut arrays);
        let n = arrays
            .first()
            .and_then(|a| a.as_array())
            .map_or(0, |a| a.len());
        (0..n.max(1))
            .map(|k| self.json_row(row, columns, Some((&array_path, k))))
            .collect()
    }

    /// One row: each column's value at its path; for the flattened array `(prefix, k)`, the
    /// columns under it read its element k.
    fn json_row(
        &self,
        row: &serde_json::Value,
        columns: &[JsonPath],
        element: Option<(&JsonPath, usize)>,
    ) -> Result<Vec<Value>, RowParseError> {
        let mut values = Vec::with_capacity(self.types.len());
        for (i, (ty, path)) in self.types.iter().zip(columns).enumerate() {
            let mut found = Vec::new();
            match (path.split_at_all(), element) {
                (Some((prefix, rest)), Some((array, k))) if prefix == *array => {
                    let mut arrays = Vec::new();
                    prefix.select(row, &mut arrays);
                    if let Some(item) = arrays
                        .first()
                        .and_then(|a| a.as_array())
                        .and_then(|a| a.get(k))
                    {
                        rest.select(item, &mut found);
                    }
                }
                _ if path.steps.last() == Some(&crate::jsonpath::Step::All) => {
                    // `$.orders[0:]`: the array itself.
                    let whole = JsonPath {
                        steps: path.steps[..path.steps.len() - 1].to_vec(),
                    };
                    whole.select(row, &mut found);
                }
                _ => path.select(row, &mut found),
            }
            // The JSON mapping table of the developer guide: a boolean into a string column
            // is its JSON text (`true`) and into a number 1 or 0; a number into BOOLEAN is
            // false for 0 and true otherwise; a string into BOOLEAN is true for "true" in any
            // case and false otherwise; arrays and objects are their JSON text.
            let v = match (found.first(), ty.family()) {
                (None | Some(serde_json::Value::Null), _) => Value::Null,
                (Some(serde_json::Value::Bool(b)), Family::Character) => {
                    Value::str(if *b { "true" } else { "false" })
                }
                (Some(serde_json::Value::Bool(b)), Family::Numeric) => Value::Int(i64::from(*b)),
                (Some(serde_json::Value::Bool(b)), _) => Value::Bool(*b),
                (Some(serde_json::Value::Number(n)), Family::Boolean) => {
                    Value::Bool(n.as_f64().is_some_and(|x| x != 0.0))
                }
                (Some(serde_json::Value::Number(n)), _) => match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
                (Some(serde_json::Value::String(s)), Family::Boolean) => {
                    Value::Bool(s.trim().eq_ignore_ascii_case("true"))
                }
                (Some(serde_json::Value::String(s)), _) => Value::str(s),
                (Some(other), _) => Value::str(&other.to_string()),
            };
            values.push(self.convert(i, ty, v, &row.to_string())?);
        }
        Ok(values)
    }

    fn convert(&self, i: usize, ty: &SqlType, v: Value, row: &str) -> Result<Value, RowParseError> {
        // Fast path: a string for a VARCHAR that fits needs no new allocation.
        if let (SqlType::Varchar(n), Value::Str(s)) = (ty, &v)
            && s.len() <= *n as usize
        {
            return Ok(v);
        }
        ty.coerce(v).map_err(|e| {
            self.err(
                "Type conversion error",
                format!("Column '{}': {e}", self.names[i]),
                row,
            )
        })
    }

    fn err(&self, name: &'static str, message: String, row: &str) -> RowParseError {
        RowParseError {
            name,
            message,
            raw: row.as_bytes().to_vec(),
        }
    }
}

impl Step {
    fn apply<'a>(&self, v: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
        match (self, v) {
            (Step::Member(m), serde_json::Value::Object(o)) => out.extend(o.get(m)),
            (Step::Index(i), serde_json::Value::Array(a)) => out.extend(a.get(*i)),
            (Step::All, serde_json::Value::Array(a)) => out.extend(a.iter()),
            (Step::All, serde_json::Value::Object(o)) => out.extend(o.values()),
            _ => {}
        }
    }
}

impl JsonPath {
    /// Every value the path selects under `root`.
    pub fn select<'a>(&self, root: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
        let mut cur = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in cur {
                step.apply(v, &mut next);
            }
            cur = next;
        }
        out.extend(cur);
    }
}

/// Splits a CSV row on `col`. A field that starts with a double quote runs to its closing
/// quote, so it may hold the delimiter; `""` inside it is one quote. A quote that does not
/// close a field before a delimiter or the end is taken literally.
fn split_fields<'a>(row: &'a str, col: &str) -> Vec<std::borrow::Cow<'a, str>> {
    use std::borrow::Cow;
    let mut out = Vec::new();
    let mut rest = row;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c != '"' {
                    value.push(c);
                } else if quoted[i + 1..].starts_with('"') {
                    value.push('"');
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            }
            if let Some(e) = end {
                let after = &quoted[e..];
                if after.is_empty() {
                    out.push(Cow::Owned(value));
                    return out;
                }
                if let Some(next) = after.strip_prefix(col) {
                    out.push(Cow::Owned(value));
                    rest = next;
                    continue;
                }
            }
        }
        match rest.find(col) {
            Some(p) => {
                out.push(Cow::Borrowed(&rest[..p]));
                rest = &rest[p + col.len()..];
            }
            None => {
                out.push(Cow::Borrowed(rest));
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::RecordColumn;

    #[test]
    fn quoted_csv_fields_hold_delimiters_and_quotes() {
        let f = |row: &str, col: &str| -> Vec<String> {
            split_fields(row, col)
                .into_iter()
                .map(|c| c.into_owned())
                .collect()
        };
        assert_eq!(f("a,b", ","), ["a", "b"]);
        assert_eq!(f(r#""a,b",c"#, ","), ["a,b", "c"]);
        assert_eq!(f(r#""say ""hi""",2"#, ","), [r#"say "hi""#, "2"]);
        assert_eq!(f(r#"x,"""#, ","), ["x", ""]);
        // Not a closed quoted field: literal.
        assert_eq!(f(r#""open,b"#, ","), [r#""open"#, "b"]);
        assert_eq!(f(r#"a"b,c"#, ","), [r#"a"b"#, "c"]);
        assert_eq!(f(r#""1||2"||3"#, "||"), ["1||2", "3"]);
    }

    fn csv() -> RecordParser {
        RecordParser::new(&SourceSchema {
            format: RecordFormat::Csv {
                row_delimiter: "\n".into(),
                column_delimiter: "\t".into(),
            },
            columns: vec![
                RecordColumn::new("id", "VARCHAR(3)"),
                RecordColumn::new("n", "INTEGER"),
            ],
        })
        .unwrap()
    }

    fn all(p: &RecordParser, data: &str) -> Vec<Result<Vec<Value>, RowParseError>> {
        let mut v = Vec::new();
        p.parse(data.as_bytes(), |r| v.push(r));
        v
    }

    #[test]
    fn csv_rows_truncate_and_fail() {
        let rows = all(&csv(), "abcd\t5\nx\tnope\ny\n");
        assert_eq!(rows[0], Ok(vec![Value::str("abc"), Value::Int(5)]));
        let e = rows[1].clone().unwrap_err();
        assert_eq!(e.name, "Type conversion error");
        assert_eq!(e.raw, b"x\tnope");
        assert!(rows[2].clone().unwrap_err().message.contains("1 columns"));
    }

    #[test]
    fn json_row_path_and_mappings() {
        let p = RecordParser::new(&SourceSchema {
            format: RecordFormat::Json {
                row_path: "$.records[*]".into(),
            },
            columns: vec![
                RecordColumn::mapped("T", "VARCHAR(4)", "$.t"),
                RecordColumn::mapped("P", "DOUBLE", "$.q.p"),
            ],
        })
        .unwrap();
        let rows = all(&p, r#"{"records":[{"t":"AMZN","q":{"p":1.5}},{"t":"X"}]}"#);
        assert_eq!(rows[0], Ok(vec![Value::str("AMZN"), Value::Double(1.5)]));
        assert_eq!(rows[1], Ok(vec![Value::str("X"), Value::Null]));
    }

    #[test]
    fn a_path_through_an_array_gives_a_row_per_element() {
        // The developer guide's JSONPath page: $.orders[0:].orderId flattens the array, other
        // columns repeat; $.orders[0:] alone is the array's JSON text; an empty array is one
        // row of NULLs.
        let p = RecordParser::new(&SourceSchema {
            format: RecordFormat::Json {
                row_path: "$".into(),
            },
            columns: vec![
                RecordColumn::mapped("NAME", "VARCHAR(8)", "$.customerName"),
                RecordColumn::mapped("ORDER_ID", "INTEGER", "$.orders[0:].orderId"),
                RecordColumn::mapped("ITEMS", "VARCHAR(64)", "$.orders[0:].items"),
            ],
        })
        .unwrap();
        let rows = all(
            &p,
            r#"{"customerName":"Ann","orders":[{"orderId":1,"items":[2,3]},{"orderId":4}]}"#,
        );
        assert_eq!(
            rows,
            vec![
                Ok(vec![Value::str("Ann"), Value::Int(1), Value::str("[2,3]")]),
                Ok(vec![Value::str("Ann"), Value::Int(4), Value::Null]),
            ]
        );
        let rows = all(&p, r#"{"customerName":"Bo","orders":[]}"#);
        assert_eq!(
            rows,
            vec![Ok(vec![Value::str("Bo"), Value::Null, Value::Null])]
        );
        let whole = RecordParser::new(&SourceSchema {
            format: RecordFormat::Json {
                row_path: "$".into(),
            },
            columns: vec![RecordColumn::mapped(
                "ORDERS",
                "VARCHAR(64)",
                "$.orders[0:]",
            )],
        })
        .unwrap();
        let rows = all(&whole, r#"{"orders":[{"orderId":1},{"orderId":4}]}"#);
        assert_eq!(
            rows,
            vec![Ok(vec![Value::str(r#"[{"orderId":1},{"orderId":4}]"#)])]
        );
    }
}
