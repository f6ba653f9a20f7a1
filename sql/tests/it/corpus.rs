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

use kdaflow_sql::coerce::format_timestamp;
use kdaflow_sql::corpus::{CaseApp, EngineRun, case_app, run_engine};
use kdaflow_sql::{OutputFormat, serialize_row};
use serde_json::{Value as Json, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/docs")
}

/// Every corpus file, by its path under `docs/`.
fn files() -> Vec<(String, Json)> {
    kdaflow_sql::corpus::pages(&root()).unwrap()
}

/// `file#case name` of every known gap.
fn known_gaps() -> BTreeMap<String, String> {
    kdaflow_sql::corpus::listed(
        &std::fs::read_to_string(root().join("known-gaps.txt")).unwrap_or_default(),
    )
}

/// What running a case gave: output rows as JSON, or the error.
enum Outcome {
    Rows(Vec<Json>),
    Invalid(String),
    /// Rows that reached error_stream (and the rows that were emitted anyway).
    RuntimeErrors(Vec<String>, Vec<Json>),
}

fn run_app(app: &CaseApp) -> Outcome {
    let (program, rows, errors) = match run_engine(app) {
        Ok(EngineRun::Rows {
            program,
            rows,
            errors,
        }) => (program, rows, errors),
        Ok(EngineRun::Invalid(m)) => return Outcome::Invalid(m),
        Err(e) => return Outcome::Invalid(e),
    };
    let got: Vec<Json> = rows
        .iter()
        .map(|(name, row)| {
            let cols = program.columns(name).unwrap_or_default();
            let mut v: Json =
                serde_json::from_str(&serialize_row(OutputFormat::Json, cols, row)).unwrap();
            let m = v.as_object_mut().unwrap();
            m.shift_insert(0, "stream".into(), json!(name));
            m.shift_insert(1, "ROWTIME".into(), json!(format_timestamp(row.rowtime)));
            v
        })
        .collect();
    let errors: Vec<String> = errors
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
    let app = case_app(case)?;
    let outcome = run_app(&app);
    let expected = app.expected;
    let expect_error = app.expect_error.as_deref();
    let error_at = app.error_at.as_deref();
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
