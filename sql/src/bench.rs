//! The application benchmark (`kdaflow bench sql`, `cargo bench -p kdaflow-sql`).
//!
//! Runs an application's pumps over records on virtual time, one record per millisecond:
//! parsing per the input schema, the pumps, output serialisation as CSV. Reports records per
//! second of wall time and the peak resident memory. The callers run the reference application
//! (`workflow/examples/reference-app.toml`, its one source) over the reference sample reviews
//! (`kdaflow_workflow::sample`); this crate knows neither.

use std::fmt;
use std::time::Instant;

use crate::RecordParser;
use crate::engine::Engine;
use crate::error::SqlError;
use crate::output::serialize_row;
use crate::schema::{InAppStream, OutputFormat, SourceSchema};
use crate::types::Value;
use crate::validate::{ValidationRequest, validate};

/// First virtual ROWTIME of a benchmark run (2023-11-14T22:13:20Z); any fixed instant works.
const START_MS: i64 = 1_700_000_000_000;

/// The application a benchmark runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchApp {
    /// The application code, placeholders filled.
    pub code: String,
    /// The in-application input stream the records go to.
    pub stream: String,
    /// How records are parsed (and the stream's columns).
    pub schema: SourceSchema,
    /// The output (in-application stream) names, in order.
    pub outputs: Vec<String>,
    /// Its longest window, in seconds: time is moved this far past the last record so the
    /// last windows close.
    pub window_seconds: u32,
    /// The reference table the code joins, loaded before the timed run.
    pub reference: Option<BenchTable>,
}

/// A reference table for a benchmark: its definition and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchTable {
    /// The table's name and columns.
    pub table: InAppStream,
    /// Its rows, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// The join benchmark's application: each record of `base`'s input stream LEFT OUTER JOINed
/// on its first column (which must be character-typed) with a table of `keys.len()` rows
/// (`KEY`, `SEGMENT`, `WEIGHT`), every record emitting one row. Records whose first column is
/// one of `keys` get the table's values; the others get NULLs.
pub fn join_app(base: &BenchApp, keys: Vec<String>) -> BenchApp {
    let key = &base.schema.columns[0];
    let code = format!(
        r#"CREATE OR REPLACE STREAM "JOINED" (k {ty}, segment VARCHAR(16), weight DOUBLE);
CREATE OR REPLACE PUMP "JOIN_PUMP" AS INSERT INTO "JOINED"
  SELECT STREAM s."{name}", t."SEGMENT", t."WEIGHT"
  FROM "{stream}" AS s LEFT OUTER JOIN "BENCH_TABLE" AS t ON s."{name}" = t."KEY";"#,
        ty = key.sql_type,
        name = key.name,
        stream = base.stream,
    );
    let rows = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            vec![
                Value::str(&k),
                Value::str(["gold", "silver", "bronze"][i % 3]),
                Value::Double((i % 1000) as f64 / 10.0),
            ]
        })
        .collect();
    BenchApp {
        code,
        stream: base.stream.clone(),
        schema: base.schema.clone(),
        outputs: vec!["JOINED".into()],
        window_seconds: 0,
        reference: Some(BenchTable {
            table: InAppStream {
                name: "BENCH_TABLE".into(),
                columns: vec![
                    crate::RecordColumn::new("KEY", &key.sql_type),
                    crate::RecordColumn::new("SEGMENT", "VARCHAR(16)"),
                    crate::RecordColumn::new("WEIGHT", "DOUBLE"),
                ],
            },
            rows,
        }),
    }
}

/// What a benchmark run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Records pushed.
    pub records: usize,
    /// Whether the RANDOM_CUT_FOREST pump ran.
    pub rcf: bool,
    /// Rows of the reference table joined, if any, and the seconds loading it took (not
    /// part of `seconds`).
    pub reference: Option<(usize, f64)>,
    /// Wall seconds spent in parsing, pumps and serialisation (generation excluded).
    pub seconds: f64,
    /// Records per wall second.
    pub records_per_sec: f64,
    /// Output rows per output stream, in output order.
    pub output_rows: Vec<(String, usize)>,
    /// error_stream rows.
    pub error_rows: usize,
    /// Largest virtual delay between a window's end and the moment its row was drained (ms).
    pub max_window_delay_ms: i64,
    /// Peak resident memory (VmHWM) in MiB, where /proc is available.
    pub peak_rss_mib: Option<f64>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "application, {} records, random cut forest {}",
            self.records,
            if self.rcf { "on (100 trees)" } else { "off" }
        )?;
        if let Some((rows, secs)) = self.reference {
            writeln!(
                f,
                "  joined with a {rows}-row reference table (loaded and indexed in {secs:.3} s)"
            )?;
        }
        writeln!(
            f,
            "  {:.0} records/s ({:.3} s)",
            self.records_per_sec, self.seconds
        )?;
        for (name, n) in &self.output_rows {
            writeln!(f, "  {name}: {n} rows")?;
        }
        writeln!(f, "  error_stream: {} rows", self.error_rows)?;
        writeln!(
            f,
            "  window rows drained at most {} ms (virtual) after their window closed",
            self.max_window_delay_ms
        )?;
        match self.peak_rss_mib {
            Some(m) => write!(f, "  peak resident memory (VmHWM): {m:.1} MiB"),
            None => write!(f, "  peak resident memory: unavailable"),
        }
    }
}

/// Peak resident set size from /proc/self/status (Linux), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs `app` over `records` (each one record's text; at most `limit` of them).
pub fn run(
    app: &BenchApp,
    records: &mut dyn Iterator<Item = String>,
    limit: usize,
) -> Result<BenchReport, SqlError> {
    let inputs = [InAppStream {
        name: app.stream.clone(),
        columns: app.schema.columns.clone(),
    }];
    let program = validate(&ValidationRequest {
        code: &app.code,
        inputs: &inputs,
        reference: app.reference.as_ref().map(|r| &r.table),
        outputs: &app.outputs,
    })?;
    let outputs = &app.outputs;
    let columns: Vec<_> = outputs
        .iter()
        .map(|o| program.columns(o).unwrap_or_default().to_vec())
        .collect();
    let mut engine = Engine::new(program, 42)?;
    let reference = match &app.reference {
        Some(r) => {
            let started = Instant::now();
            let rows = engine.load_reference(&r.table.name, r.rows.clone())?;
            Some((rows, started.elapsed().as_secs_f64()))
        }
        None => None,
    };
    let parser = RecordParser::new(&app.schema)?;
    let stream = engine.input_id(&app.stream)?;

    let mut counts = vec![0usize; outputs.len()];
    let mut errors = 0usize;
    let mut max_delay = 0i64;
    let mut sink = 0usize;
    let mut elapsed = std::time::Duration::ZERO;
    // Take records in chunks outside the timed section, so the figure is the engine's own.
    const CHUNK: usize = 8192;
    let mut batch: Vec<String> = Vec::with_capacity(CHUNK);
    let mut total = 0usize;
    loop {
        batch.clear();
        batch.extend((&mut *records).take(CHUNK.min(limit - total)));
        if batch.is_empty() {
            break;
        }
        let started = Instant::now();
        for (k, rec) in batch.iter().enumerate() {
            let t = START_MS + (total + k) as i64;
            engine.push_record(stream, t, &parser, rec.as_bytes())?;
            for (o, name) in outputs.iter().enumerate() {
                for row in engine.drain(name) {
                    max_delay = max_delay.max(t - row.rowtime);
                    sink += serialize_row(OutputFormat::Csv, &columns[o], &row).len();
                    counts[o] += 1;
                }
            }
            errors += engine.drain_errors().len();
        }
        elapsed += started.elapsed();
        total += batch.len();
    }
    // Close the last window, as time moving on would.
    let started = Instant::now();
    let end = START_MS + total as i64 + i64::from(app.window_seconds) * 1000;
    engine.advance_to(end)?;
    for (o, name) in outputs.iter().enumerate() {
        for row in engine.drain(name) {
            sink += serialize_row(OutputFormat::Csv, &columns[o], &row).len();
            counts[o] += 1;
        }
    }
    elapsed += started.elapsed();
    std::hint::black_box(sink);
    let seconds = elapsed.as_secs_f64();
    Ok(BenchReport {
        records: total,
        rcf: app.code.contains("RANDOM_CUT_FOREST"),
        reference,
        seconds,
        records_per_sec: if seconds > 0.0 {
            total as f64 / seconds
        } else {
            0.0
        },
        output_rows: outputs.iter().cloned().zip(counts).collect(),
        error_rows: errors,
        max_window_delay_ms: max_delay,
        peak_rss_mib: peak_rss_mib(),
    })
}
