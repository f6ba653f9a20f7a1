//! The format of the documentation corpus (`sql/tests/corpus/docs`, see its README): one case
//! as an application — its code, input rows with their ROWTIME, reference table and outputs.
//! The engine's corpus test and the Flink back end's both read cases through this module, so
//! the two run exactly the same applications. [`pages`] reads the corpus's files (the crate's
//! one piece of I/O, for tests).

use serde_json::{Value as Json, json};

use crate::coerce::parse_timestamp;
use crate::input::RecordParser;
use crate::schema::{InAppStream, RecordColumn, RecordFormat, SourceSchema};

/// The input stream of every case.
pub const STREAM: &str = "SOURCE_SQL_STREAM_001";
/// The ROWTIME of a row that gives none.
pub const DEFAULT_ROWTIME: &str = "2024-01-01 00:00:00.000";
/// The output of a scalar case.
pub const SCALAR_OUTPUT: &str = "DESTINATION_SQL_STREAM";

/// A case as an application.
#[derive(Debug, Clone)]
pub struct CaseApp {
    /// The application code.
    pub code: String,
    /// The input stream's columns (JSON-mapped by name).
    pub input: Vec<RecordColumn>,
    /// The input records (JSON objects without ROWTIME) and their ROWTIMEs, in order.
    pub rows: Vec<(i64, String)>,
    /// The reference table and its records, if the case joins one.
    pub reference: Option<(InAppStream, Vec<String>)>,
    /// The streams compared.
    pub outputs: Vec<String>,
    /// The documented output rows (as `kdaflow sql run --jsonl` prints them).
    pub expected: Vec<Json>,
    /// The documented error's phrase, if the case expects one.
    pub expect_error: Option<String>,
    /// Where the error is expected (`validation`, `runtime`, or either).
    pub error_at: Option<String>,
}

/// Columns given as `[{"name": ..., "sqlType": ...}]`, each mapped from the member of its name.
pub fn columns(spec: &Json) -> Result<Vec<RecordColumn>, String> {
    spec.as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let name = c["name"].as_str().ok_or("a column has no name")?;
            let ty = c["sqlType"].as_str().ok_or("a column has no sqlType")?;
            let mut col = RecordColumn::new(name, ty);
            col.mapping = Some(format!("$.{name}"));
            Ok(col)
        })
        .collect()
}

/// A parser for rows given as JSON objects keyed by column name (the service's JSON mapping).
pub fn json_parser(columns: &[RecordColumn]) -> Result<RecordParser, String> {
    RecordParser::new(&SourceSchema {
        format: RecordFormat::Json {
            row_path: "$".into(),
        },
        columns: columns.to_vec(),
    })
    .map_err(|e| e.to_string())
}

/// A row's ROWTIME (the default when it gives none).
pub fn rowtime(row: &Json) -> Result<i64, String> {
    let text = row["ROWTIME"].as_str().unwrap_or(DEFAULT_ROWTIME);
    parse_timestamp(text).ok_or_else(|| format!("ROWTIME {text} is not a timestamp"))
}

fn timed(rows: &[Json]) -> Result<Vec<(i64, String)>, String> {
    rows.iter()
        .map(|row| {
            let mut record = row.clone();
            if let Some(m) = record.as_object_mut() {
                m.remove("ROWTIME");
            }
            Ok((rowtime(row)?, record.to_string()))
        })
        .collect()
}

/// A case (a scalar `expr` of `type`, or an application `code`) as an application.
pub fn case_app(case: &Json) -> Result<CaseApp, String> {
    let expect_error = case
        .get("expect_error")
        .and_then(Json::as_str)
        .map(str::to_string);
    let error_at = case
        .get("error_at")
        .and_then(Json::as_str)
        .map(str::to_string);
    if let Some(expr) = case.get("expr").and_then(Json::as_str) {
        let input = &case["input"];
        let mut cols = columns(&input["columns"])?;
        if cols.is_empty() {
            cols = columns(&json!([{"name": "UNUSED", "sqlType": "INTEGER"}]))?;
        }
        let ty = case["type"].as_str().ok_or("a scalar case needs a type")?;
        let code = format!(
            "CREATE OR REPLACE STREAM \"{SCALAR_OUTPUT}\" (V {ty});\n\
             CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"{SCALAR_OUTPUT}\"\n\
             SELECT STREAM {expr} FROM \"{STREAM}\";"
        );
        let mut row = input.get("row").cloned().unwrap_or_else(|| json!({}));
        if let Some(t) = input.get("ROWTIME") {
            row["ROWTIME"] = t.clone();
        }
        let expected = vec![json!({
            "stream": SCALAR_OUTPUT,
            "ROWTIME": crate::coerce::format_timestamp(rowtime(&row)?),
            "V": case.get("expect").cloned().unwrap_or(Json::Null),
        })];
        return Ok(CaseApp {
            code,
            input: cols,
            rows: timed(&[row])?,
            reference: None,
            outputs: vec![SCALAR_OUTPUT.into()],
            expected,
            expect_error,
            error_at,
        });
    }
    let code = case["code"].as_str().ok_or("a case needs expr or code")?;
    let outputs: Vec<String> = match case.get("outputs").and_then(Json::as_array) {
        Some(list) => list
            .iter()
            .filter_map(|o| o.as_str().map(str::to_string))
            .collect(),
        None => vec![SCALAR_OUTPUT.into()],
    };
    let input = &case["input"];
    let rows = input["rows"].as_array().cloned().unwrap_or_default();
    let reference = match case.get("reference") {
        Some(r) => {
            let table = InAppStream {
                name: r["name"]
                    .as_str()
                    .ok_or("a reference has no name")?
                    .to_string(),
                columns: columns(&r["columns"])?,
            };
            let records = r["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .map(Json::to_string)
                .collect();
            Some((table, records))
        }
        None => None,
    };
    let expected = case.get("output").and_then(Json::as_array).cloned();
    if expected.is_none() && expect_error.is_none() {
        return Err("the case has neither output nor expect_error".into());
    }
    Ok(CaseApp {
        code: code.to_string(),
        input: columns(&input["columns"])?,
        rows: timed(&rows)?,
        reference,
        outputs,
        expected: expected.unwrap_or_default(),
        expect_error,
        error_at,
    })
}

/// The input stream of a case's application.
pub fn input_stream(app: &CaseApp) -> InAppStream {
    InAppStream {
        name: STREAM.into(),
        columns: app.input.clone(),
    }
}

/// Every page of the corpus under `root`, by its path under `root`, sorted.
pub fn pages(root: &std::path::Path) -> Result<Vec<(String, Json)>, String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let json: Json =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, json));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// What the engine made of a case.
#[derive(Debug)]
pub enum EngineRun {
    /// The code does not validate (the `CodeValidationException` message).
    Invalid(String),
    /// The rows of each output stream in the order they were emitted, and the error_stream's.
    Rows {
        /// The program.
        program: crate::Program,
        /// `(stream, row)` in emission order.
        rows: Vec<(String, crate::Row)>,
        /// The error_stream's rows.
        errors: Vec<crate::Row>,
    },
}

/// Runs a case's application through the engine (seed 7, as `kdaflow sql run`).
pub fn run_engine(app: &CaseApp) -> Result<EngineRun, String> {
    use crate::{Engine, ValidationRequest, validate};
    let program = match validate(&ValidationRequest {
        code: &app.code,
        inputs: &[input_stream(app)],
        reference: app.reference.as_ref().map(|r| &r.0),
        outputs: &app.outputs,
    }) {
        Ok(p) => p,
        Err(e) => return Ok(EngineRun::Invalid(e.message)),
    };
    let mut engine = Engine::new(program.clone(), 7).map_err(|e| e.to_string())?;
    if let Some((table, records)) = &app.reference {
        // Each row an object, mapped by the same JSON rules as input rows.
        let parser = json_parser(&table.columns)?;
        let mut rows = Vec::new();
        for record in records {
            parser.parse(record.as_bytes(), |v| rows.extend(v.ok()));
        }
        engine
            .load_reference(&table.name, rows)
            .map_err(|e| e.to_string())?;
    }
    let parser = json_parser(&app.input)?;
    let id = engine.input_id(STREAM).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let drain = |engine: &mut Engine, rows: &mut Vec<(String, crate::Row)>| {
        for name in &app.outputs {
            for row in engine.drain(name) {
                rows.push((name.clone(), row));
            }
        }
    };
    for (t, record) in &app.rows {
        engine
            .push_record(id, *t, &parser, record.as_bytes())
            .map_err(|e| format!("the input could not be pushed: {e}"))?;
        drain(&mut engine, &mut rows);
    }
    engine.finish().map_err(|e| e.to_string())?;
    drain(&mut engine, &mut rows);
    Ok(EngineRun::Rows {
        program,
        rows,
        errors: engine.drain_errors(),
    })
}

/// A list of cases with reasons, one `file#case -- reason` per line (`#` comments and blank
/// lines skipped): the corpus's known gaps, Flink's untranslatable cases.
pub fn listed(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" -- ") {
            Some((k, why)) => (k.trim().to_string(), why.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}
