//! The documentation corpus: the worked examples of the Kinesis Analytics SQL Reference and
//! developer guide (`sql/tests/corpus/docs/**.json`, each file one page, with its URL), run
//! through the engine. Every case must give the documented result, except the ones listed in
//! `sql/tests/corpus/docs/known-gaps.txt` with the reason — and a listed case that passes
//! fails the test too, so the list is always exactly what the engine does not do yet.
//!
//! A case is either a scalar (`expr` of `type`, evaluated for one row) or an application
//! (`code` over input rows, every row of the named outputs compared as `kdaflow sql run
//! --jsonl` prints them). See the corpus README for the format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kdaflow_sql::coerce::{format_timestamp, parse_timestamp};
use kdaflow_sql::{
    Engine, InAppStream, OutputFormat, RecordColumn, RecordFormat, RecordParser, SourceSchema,
    ValidationRequest, serialize_row, validate,
};
use serde_json::{Value as Json, json};

const STREAM: &str = "SOURCE_SQL_STREAM_001";
const DEFAULT_ROWTIME: &str = "2024-01-01 00:00:00.000";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/docs")
}

/// Every corpus file, by its path under `docs/`.
fn files() -> Vec<(String, Json)> {
    let mut out = Vec::new();
    let mut dirs = vec![root()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let json: Json = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let rel = path
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, json));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `file#case name` of every known gap.
fn known_gaps() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("known-gaps.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" -- ") {
            Some((k, why)) => (k.trim().to_string(), why.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn columns(spec: &Json) -> Vec<RecordColumn> {
    spec.as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let name = c["name"].as_str().expect("a column has a name");
            let mut col = RecordColumn::new(name, c["sqlType"].as_str().expect("and a sqlType"));
            col.mapping = Some(format!("$.{name}"));
            col
        })
        .collect()
}

/// A parser for rows given as JSON objects keyed by column name (the service's JSON mapping).
fn json_parser(columns: &[RecordColumn]) -> RecordParser {
    RecordParser::new(&SourceSchema {
        format: RecordFormat::Json {
            row_path: "$".into(),
        },
        columns: columns.to_vec(),
    })
    .expect("a JSON schema")
}

fn rowtime(row: &Json) -> i64 {
    let text = row["ROWTIME"].as_str().unwrap_or(DEFAULT_ROWTIME);
    parse_timestamp(text).unwrap_or_else(|| panic!("ROWTIME {text} is not a timestamp"))
}

/// What running a case gave: output rows as JSON, or the error.
enum Outcome {
    Rows(Vec<Json>),
    Invalid(String),
    /// Rows that reached error_stream (and the rows that were emitted anyway).
    RuntimeErrors(Vec<String>, Vec<Json>),
}

fn run_app(
    code: &str,
    input: &[RecordColumn],
    rows: &[Json],
    reference: Option<&Json>,
    outputs: &[String],
) -> Outcome {
    let table = reference.map(|r| InAppStream {
        name: r["name"]
            .as_str()
            .expect("a reference has a name")
            .to_string(),
        columns: columns(&r["columns"]),
    });
    let program = match validate(&ValidationRequest {
        code,
        inputs: &[InAppStream {
            name: STREAM.into(),
            columns: input.to_vec(),
        }],
        reference: table.as_ref(),
        outputs,
    }) {
        Ok(p) => p,
        Err(e) => return Outcome::Invalid(e.message),
    };
    let mut engine = Engine::new(program, 7).unwrap();
    if let (Some(r), Some(t)) = (reference, &table) {
        // Each row an object, mapped by the same JSON rules as input rows.
        let parser = json_parser(&t.columns);
        let mut rows = Vec::new();
        for row in r["rows"].as_array().into_iter().flatten() {
            parser.parse(row.to_string().as_bytes(), |v| rows.extend(v.ok()));
        }
        engine.load_reference(&t.name, rows).unwrap();
    }
    let parser = json_parser(input);
    let id = engine.input_id(STREAM).unwrap();
    let mut got = Vec::new();
    let drain = |engine: &mut Engine, got: &mut Vec<Json>| {
        for name in outputs {
            let cols = engine.program().columns(name).unwrap_or_default().to_vec();
            for row in engine.drain(name) {
                let mut v: Json =
                    serde_json::from_str(&serialize_row(OutputFormat::Json, &cols, &row)).unwrap();
                let m = v.as_object_mut().unwrap();
                m.shift_insert(0, "stream".into(), json!(name));
                m.shift_insert(1, "ROWTIME".into(), json!(format_timestamp(row.rowtime)));
                got.push(v);
            }
        }
    };
    for row in rows {
        let mut record = row.clone();
        record.as_object_mut().map(|m| m.remove("ROWTIME"));
        if let Err(e) = engine.push_record(id, rowtime(row), &parser, record.to_string().as_bytes())
        {
            return Outcome::Invalid(format!("the input could not be pushed: {e}"));
        }
        drain(&mut engine, &mut got);
    }
    engine.finish().unwrap();
    drain(&mut engine, &mut got);
    let errors: Vec<String> = engine
        .drain_errors()
        .into_iter()
        .map(|r| format!("{}: {}", r.values[2], r.values[3]))
        .collect();
    if errors.is_empty() {
        Outcome::Rows(got)
    } else {
        Outcome::RuntimeErrors(errors, got)
    }
}

/// Whether two JSON values are equal, numbers within a relative 1e-9.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

/// An expected error must be the one the page means: its message names the phrase (case
/// aside).
fn mentions(message: &str, phrase: &str) -> Result<(), String> {
    if message.to_lowercase().contains(&phrase.to_lowercase()) {
        Ok(())
    } else {
        Err(format!(
            "expected an error about '{phrase}', got: {message}"
        ))
    }
}

/// Runs one case: `Ok` if it gives the documented result, else what it gave.
fn run_case(case: &Json) -> Result<(), String> {
    let expect_error = case.get("expect_error").and_then(Json::as_str);
    let error_at = case.get("error_at").and_then(Json::as_str);
    let (outcome, expected) = if let Some(expr) = case.get("expr").and_then(Json::as_str) {
        let input = &case["input"];
        let mut cols = columns(&input["columns"]);
        if cols.is_empty() {
            cols = columns(&json!([{"name": "UNUSED", "sqlType": "INTEGER"}]));
        }
        let ty = case["type"].as_str().ok_or("a scalar case needs a type")?;
        let code = format!(
            "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (V {ty});\n\
             CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n\
             SELECT STREAM {expr} FROM \"{STREAM}\";"
        );
        let mut row = input.get("row").cloned().unwrap_or_else(|| json!({}));
        if let Some(t) = input.get("ROWTIME") {
            row["ROWTIME"] = t.clone();
        }
        let outputs = ["DESTINATION_SQL_STREAM".to_string()];
        let outcome = run_app(&code, &cols, &[row.clone()], None, &outputs);
        let expected = vec![json!({
            "stream": "DESTINATION_SQL_STREAM",
            "ROWTIME": format_timestamp(rowtime(&row)),
            "V": case.get("expect").cloned().unwrap_or(Json::Null),
        })];
        (outcome, expected)
    } else {
        let code = case["code"].as_str().ok_or("a case needs expr or code")?;
        let outputs: Vec<String> = match case.get("outputs").and_then(Json::as_array) {
            Some(list) => list
                .iter()
                .filter_map(|o| o.as_str().map(str::to_string))
                .collect(),
            None => vec!["DESTINATION_SQL_STREAM".into()],
        };
        let input = &case["input"];
        let rows = input["rows"].as_array().cloned().unwrap_or_default();
        let outcome = run_app(
            code,
            &columns(&input["columns"]),
            &rows,
            case.get("reference"),
            &outputs,
        );
        let expected = case.get("output").and_then(Json::as_array).cloned();
        if expected.is_none() && expect_error.is_none() {
            return Err("the case has neither output nor expect_error".into());
        }
        (outcome, expected.unwrap_or_default())
    };
    match (outcome, expect_error) {
        (Outcome::Invalid(m), Some(phrase)) if error_at != Some("runtime") => mentions(&m, phrase),
        (Outcome::RuntimeErrors(e, _), Some(phrase)) if error_at != Some("validation") => {
            mentions(&e.join("; "), phrase)
        }
        (Outcome::Rows(got), Some(phrase)) => {
            Err(format!("expected an error ({phrase}), got rows {got:?}"))
        }
        (Outcome::Invalid(m), _) => Err(format!("refused: {m}")),
        (Outcome::RuntimeErrors(e, got), _) => Err(format!("error_stream: {e:?}; rows {got:?}")),
        (Outcome::Rows(got), None) => {
            if got.len() == expected.len() && got.iter().zip(&expected).all(|(g, e)| same(g, e)) {
                Ok(())
            } else {
                Err(format!(
                    "expected {}\n      got {}",
                    Json::Array(expected),
                    Json::Array(got)
                ))
            }
        }
    }
}

#[test]
fn the_documentations_worked_examples_give_the_documented_results() {
    let gaps = known_gaps();
    let mut seen = BTreeSet::new();
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    let (mut passed, mut total) = (0, 0);
    for (file, page) in files() {
        assert!(
            page["page"]
                .as_str()
                .is_some_and(|p| p.starts_with("https://docs.aws.amazon.com/")),
            "{file}: every corpus page names its documentation page"
        );
        for case in page["cases"].as_array().into_iter().flatten() {
            let name = case["name"].as_str().unwrap_or("?");
            let key = format!("{file}#{name}");
            assert!(
                seen.insert(key.clone()),
                "{key}: case names are unique in a file"
            );
            total += 1;
            let result = run_case(case);
            match (result, gaps.get(&key)) {
                (Ok(()), None) => passed += 1,
                (Ok(()), Some(_)) => stale.push(key),
                (Err(_), Some(_)) => {}
                (Err(e), None) => failures.push(format!("{key}\n      {e}")),
            }
        }
    }
    let unknown: Vec<&String> = gaps.keys().filter(|k| !seen.contains(*k)).collect();
    eprintln!(
        "docs corpus: {passed} of {total} cases give the documented result; {} known gaps",
        gaps.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) differ from the documentation (fix the engine, or list them in known-gaps.txt with the reason):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert!(
        stale.is_empty() && unknown.is_empty(),
        "known-gaps.txt lists cases that now pass {stale:?} or do not exist {unknown:?}: remove them"
    );
}
