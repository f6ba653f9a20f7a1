//! The Flink back end against the documentation corpus (`sql/tests/corpus/docs`).
//!
//! - Always: every corpus case that the engine runs is translated; the cases that cannot be
//!   translated are exactly the ones `tests/corpus-untranslatable.txt` lists, each with the
//!   translation's reason (a listed case that becomes translatable fails the test too).
//! - With Java and the PyFlink environment (`kdaflow flink setup`; CI runs it with
//!   `cargo test -p kdaflow-flink -- --ignored`): every translatable case runs on a real Flink,
//!   all of them in one job (at parallelism 1 on the mini-cluster, and 2 on a standalone
//!   cluster), and every output stream is the engine's, row for row.

mod reference;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kdaflow_flink::compare::compare;
use kdaflow_flink::env::FlinkEnv;
use kdaflow_flink::run::{RunSpec, Target, read_rows, write_source};
use kdaflow_flink::translate::{Job, Profile, Request, translate};
use kdaflow_sql::corpus::{CaseApp, EngineRun, STREAM, case_app, json_parser, pages, run_engine};
use kdaflow_sql::{Program, Row};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql/tests/corpus/docs")
}

fn listed() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-untranslatable.txt");
    kdaflow_sql::corpus::listed(&std::fs::read_to_string(path).unwrap_or_default())
}

/// A corpus case the engine runs, with its translation.
struct Case {
    key: String,
    app: CaseApp,
    program: Program,
    /// The engine's rows by output stream.
    engine: BTreeMap<String, Vec<Row>>,
    /// The job (its names prefixed), or why it cannot be translated.
    job: Result<Job, String>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (file, page) in pages(&corpus_root()).unwrap() {
        for case in page["cases"].as_array().into_iter().flatten() {
            let key = format!("{file}#{}", case["name"].as_str().unwrap_or("?"));
            let Ok(app) = case_app(case) else { continue };
            // Cases the engine refuses are about validation, which Flink has no part in.
            let Ok(EngineRun::Rows {
                program,
                rows,
                errors,
            }) = run_engine(&app)
            else {
                continue;
            };
            let mut engine: BTreeMap<String, Vec<Row>> = BTreeMap::new();
            for (stream, row) in rows {
                engine.entry(stream).or_default().push(row);
            }
            let prefix = format!("c{}_", out.len());
            let t = translate(&Request {
                name: &key,
                program: &program,
                inputs: &[],
                outputs: &[],
                seed: 7,
                profile: Profile::Local,
                prefix: &prefix,
            });
            let job = if !errors.is_empty() {
                Err(format!(
                    "error_stream: the engine sends {} row(s) there, which a Flink job does not have",
                    errors.len()
                ))
            } else if !t.report.complete || app.reference.is_some() {
                Err(t
                    .report
                    .untranslatable()
                    .find(|i| i.subject.starts_with("pump ") || i.subject.starts_with("output "))
                    .or_else(|| t.report.untranslatable().next())
                    .map(|i| i.detail.clone())
                    .unwrap_or_else(|| "not translated".into()))
            } else {
                Ok(t.job)
            };
            out.push(Case {
                key,
                app,
                program,
                engine,
                job,
            });
        }
    }
    out
}

#[test]
fn every_corpus_case_is_translated_or_listed_with_the_reason() {
    let listed = listed();
    let cases = cases();
    let mut unlisted = Vec::new();
    let mut stale = Vec::new();
    let mut wrong_reason = Vec::new();
    let mut translated = 0;
    for c in &cases {
        match (&c.job, listed.get(&c.key)) {
            (Ok(_), None) => translated += 1,
            (Ok(_), Some(_)) => stale.push(c.key.clone()),
            (Err(why), None) => unlisted.push(format!("{} -- {why}", c.key)),
            (Err(why), Some(l)) if l != why => {
                wrong_reason.push(format!("{}\n    listed: {l}\n    now:    {why}", c.key))
            }
            (Err(_), Some(_)) => {}
        }
    }
    let gone: Vec<&String> = listed
        .keys()
        .filter(|k| !cases.iter().any(|c| &c.key == *k))
        .collect();
    eprintln!(
        "corpus on Flink: {translated} of {} cases the engine runs are translated; {} listed as untranslatable",
        cases.len(),
        listed.len()
    );
    assert!(
        unlisted.is_empty() && stale.is_empty() && wrong_reason.is_empty() && gone.is_empty(),
        "tests/corpus-untranslatable.txt is out of date:\n  not listed:\n    {}\n  listed but translated: {stale:?}\n  other reason:\n    {}\n  no such case: {gone:?}",
        unlisted.join("\n    "),
        wrong_reason.join("\n    ")
    );
}

#[tokio::test]
#[ignore = "needs Java and the PyFlink environment (kdaflow flink setup); CI runs it"]
async fn every_translatable_corpus_case_gives_on_flink_what_the_engine_gives() {
    let (env, java) = FlinkEnv::require(None).unwrap();
    let cases: Vec<Case> = cases().into_iter().filter(|c| c.job.is_ok()).collect();
    // Kept under target/ so that a failing job's log can be read.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/flink-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    let (app_dir, input, output) = (dir.join("app"), dir.join("input"), dir.join("output"));
    // The same job at parallelism 1 on the mini-cluster and 2 on a standalone cluster.
    let mut jobs = Vec::new();
    for c in &cases {
        let job = c.job.as_ref().unwrap().clone();
        let parser = json_parser(&c.app.input).unwrap();
        let columns = c.program.columns(STREAM).unwrap();
        let mut rows = Vec::new();
        for (t, record) in &c.app.rows {
            parser.parse(record.as_bytes(), |r| rows.extend(r.ok().map(|v| (*t, v))));
        }
        write_source(&input, &job.sources[0], columns, rows).unwrap();
        jobs.push(job);
    }
    let merged = Job::merge("kdaflow corpus", jobs.clone());
    let translation = kdaflow_flink::Translation {
        report: kdaflow_flink::Report::new("kdaflow corpus", Profile::Local, Vec::new()),
        job: merged,
    };
    kdaflow_flink::app::write(&app_dir, &translation, None).unwrap();
    let mut differences = Vec::new();
    for (target, parallelism, label) in [
        (Target::Mini, 1, "mini-cluster, parallelism 1"),
        (
            Target::Standalone(2),
            2,
            "standalone cluster, parallelism 2",
        ),
    ] {
        let output = output.join(format!("p{parallelism}"));
        let stats = kdaflow_flink::run::run(
            &env,
            &java,
            &RunSpec {
                app: &app_dir,
                input: &input,
                output: &output,
                parallelism,
                target,
                timeout: Duration::from_secs(600),
            },
        )
        .await
        .unwrap();
        let mut streams = 0;
        let before = differences.len();
        for (c, job) in cases.iter().zip(&jobs) {
            for stream in &c.app.outputs {
                let Some(sink) = job.sinks.iter().find(|s| &s.stream == stream) else {
                    differences.push(format!("{}: no sink for {stream}", c.key));
                    continue;
                };
                let columns = c.program.columns(stream).unwrap();
                let flink = read_rows(&output, sink, columns).unwrap();
                let engine = c.engine.get(stream).cloned().unwrap_or_default();
                let cmp = compare(stream, &engine, &flink);
                streams += 1;
                if !cmp.same() {
                    differences.push(format!(
                        "{label}: {} {stream}: engine {} rows, Flink {}\n      {}",
                        c.key,
                        cmp.engine_rows,
                        cmp.flink_rows,
                        cmp.differences.join("\n      ")
                    ));
                }
            }
        }
        eprintln!(
            "corpus on Flink ({label}): {} cases, {streams} output streams in one job of {:.1} s; {} differ",
            cases.len(),
            stats.job_seconds,
            differences.len() - before
        );
    }
    assert!(
        differences.is_empty(),
        "Flink differs from the engine:\n  {}",
        differences.join("\n  ")
    );
}
