//! The reference application benchmark (`kdaflow bench sql`, `cargo bench -p kdaflow-sql`).
//!
//! Runs the reference application's pumps over generated (or given, tab-separated) reviews on
//! virtual time, one record per millisecond: CSV parsing, the three pumps, output
//! serialisation as CSV. Reports records per second of wall time and the peak resident memory.

use std::fmt;
use std::path::Path;
use std::time::Instant;

use crate::RecordParser;
use crate::engine::Engine;
use crate::error::SqlError;
use crate::output::serialize_row;
use crate::schema::{InAppStream, OutputFormat, RecordColumn, RecordFormat, SourceSchema};
use crate::validate::{ValidationRequest, validate};

/// The reference application's code (issue 4), with `{stream}` and `{window}` placeholders.
pub const REFERENCE_CODE: &str = r#"CREATE OR REPLACE STREAM "AVG_STAR_RATING_SQL_STREAM" (avg_star_rating DOUBLE);
CREATE OR REPLACE PUMP "AVG_STAR_RATING_SQL_STREAM_PUMP" AS
    INSERT INTO "AVG_STAR_RATING_SQL_STREAM"
        SELECT STREAM AVG(CAST("star_rating" AS DOUBLE)) AS avg_star_rating
        FROM "{stream}"
        GROUP BY STEP("{stream}".ROWTIME BY INTERVAL '{window}' SECOND);
CREATE OR REPLACE STREAM "ANOMALY_SCORE_SQL_STREAM" (anomaly_score DOUBLE);
CREATE OR REPLACE PUMP "ANOMALY_SCORE_STREAM_PUMP" AS
    INSERT INTO "ANOMALY_SCORE_SQL_STREAM"
    SELECT STREAM anomaly_score
    FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "star_rating" FROM "{stream}")));
CREATE OR REPLACE STREAM "APPROXIMATE_COUNT_SQL_STREAM" (number_of_distinct_items BIGINT);
CREATE OR REPLACE PUMP "APPROXIMATE_COUNT_STREAM_PUMP" AS
    INSERT INTO "APPROXIMATE_COUNT_SQL_STREAM"
    SELECT STREAM number_of_distinct_items
    FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM "review_id" FROM "{stream}"), 'review_id', {window}));
"#;

/// The reference application's in-application input stream name.
pub const REFERENCE_STREAM: &str = "SOURCE_SQL_STREAM_001";
/// Its window in seconds.
pub const REFERENCE_WINDOW: u32 = 5;
/// First virtual ROWTIME of a benchmark run (2023-11-14T22:13:20Z); any fixed instant works.
const START_MS: i64 = 1_700_000_000_000;

/// The reference code with its placeholders filled.
pub fn reference_code(stream: &str, window: u32) -> String {
    REFERENCE_CODE
        .replace("{stream}", stream)
        .replace("{window}", &window.to_string())
}

/// The reference input's columns: review_id VARCHAR(14), star_rating INTEGER,
/// product_category VARCHAR(24), review_body VARCHAR(65535).
pub fn reference_columns() -> Vec<RecordColumn> {
    vec![
        RecordColumn::new("review_id", "VARCHAR(14)"),
        RecordColumn::new("star_rating", "INTEGER"),
        RecordColumn::new("product_category", "VARCHAR(24)"),
        RecordColumn::new("review_body", "VARCHAR(65535)"),
    ]
}

/// The reference input schema: CSV, rows on `\n`, columns on `\t`.
pub fn reference_schema() -> SourceSchema {
    SourceSchema {
        format: RecordFormat::Csv {
            row_delimiter: "\n".into(),
            column_delimiter: "\t".into(),
        },
        columns: reference_columns(),
    }
}

/// The reference outputs' names (with or without the anomaly stream).
pub fn reference_outputs(rcf: bool) -> Vec<String> {
    let mut v = vec![
        "AVG_STAR_RATING_SQL_STREAM".to_string(),
        "APPROXIMATE_COUNT_SQL_STREAM".to_string(),
    ];
    if rcf {
        v.insert(1, "ANOMALY_SCORE_SQL_STREAM".to_string());
    }
    v
}

/// The reference code without the RANDOM_CUT_FOREST stream and pump (for `--no-rcf`): the
/// other two pumps exactly as in [`REFERENCE_CODE`].
pub fn reference_code_without_forest(stream: &str, window: u32) -> String {
    let code = reference_code(stream, window);
    let start = code
        .find("CREATE OR REPLACE STREAM \"ANOMALY_SCORE_SQL_STREAM\"")
        .unwrap_or(code.len());
    let end = code
        .find("CREATE OR REPLACE STREAM \"APPROXIMATE_COUNT_SQL_STREAM\"")
        .unwrap_or(code.len());
    format!("{}{}", &code[..start], &code[end..])
}

/// Deterministic review generator: star ratings mostly 4–5 with a small share of 1–3, and
/// every 997th review an outlier rating of 1; unique review ids.
#[derive(Debug, Clone)]
pub struct ReviewGenerator {
    state: u64,
    n: u64,
}

const CATEGORIES: [&str; 6] = [
    "Books",
    "Electronics",
    "Toys",
    "Kitchen",
    "Music",
    "Video_Games",
];

impl ReviewGenerator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed | 1,
            n: 0,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: small, fast and good enough for synthetic data.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Writes the next review as a tab-separated line (no newline) into `buf`, returning its
    /// star rating.
    pub fn next_into(&mut self, buf: &mut String) -> i64 {
        use std::fmt::Write;
        self.n += 1;
        let r = self.next_u64();
        let rating = if self.n.is_multiple_of(997) {
            1
        } else {
            match r % 100 {
                0..=59 => 5,
                60..=89 => 4,
                90..=95 => 3,
                96..=97 => 2,
                _ => 1,
            }
        };
        buf.clear();
        let _ = write!(
            buf,
            "R{:013}\t{rating}\t{}\tReview number {} of a fine product, rating {rating}.",
            self.n,
            CATEGORIES[(r >> 8) as usize % CATEGORIES.len()],
            self.n
        );
        rating
    }
}

/// What a benchmark run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Records pushed.
    pub records: usize,
    /// Whether the RANDOM_CUT_FOREST pump ran.
    pub rcf: bool,
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
            "reference application, {} records, random cut forest {}",
            self.records,
            if self.rcf { "on (100 trees)" } else { "off" }
        )?;
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

/// Runs the benchmark over `records` generated reviews, or over the lines of `input`
/// (tab-separated reviews; all lines, or the first `records` if `records > 0`).
pub fn run(records: usize, input: Option<&Path>, rcf: bool) -> Result<BenchReport, SqlError> {
    let code = if rcf {
        reference_code(REFERENCE_STREAM, REFERENCE_WINDOW)
    } else {
        reference_code_without_forest(REFERENCE_STREAM, REFERENCE_WINDOW)
    };
    let outputs = reference_outputs(rcf);
    let inputs = [InAppStream {
        name: REFERENCE_STREAM.into(),
        columns: reference_columns(),
    }];
    let program = validate(&ValidationRequest {
        code: &code,
        inputs: &inputs,
        reference: None,
        outputs: &outputs,
    })?;
    let columns: Vec<_> = outputs
        .iter()
        .map(|o| program.columns(o).unwrap_or_default().to_vec())
        .collect();
    let mut engine = Engine::new(program, 42)?;
    let parser = RecordParser::new(&reference_schema())?;
    let stream = engine.input_id(REFERENCE_STREAM)?;

    let file_lines: Option<Vec<String>> = match input {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| SqlError::Io {
                path: p.display().to_string(),
                reason: e.to_string(),
            })?;
            let mut lines: Vec<String> = text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            if records > 0 {
                lines.truncate(records);
            }
            Some(lines)
        }
        None => None,
    };
    let total = file_lines.as_ref().map_or(records, Vec::len);
    let mut generator = ReviewGenerator::new(7);
    let mut counts = vec![0usize; outputs.len()];
    let mut errors = 0usize;
    let mut max_delay = 0i64;
    let mut line = String::new();
    let mut sink = 0usize;
    let mut elapsed = std::time::Duration::ZERO;
    // Generate in chunks outside the timed section, so the figure is the engine's own.
    const CHUNK: usize = 8192;
    let mut batch: Vec<String> = Vec::with_capacity(CHUNK);
    let mut i = 0usize;
    while i < total {
        batch.clear();
        let n = CHUNK.min(total - i);
        for k in 0..n {
            match &file_lines {
                Some(lines) => batch.push(lines[i + k].clone()),
                None => {
                    generator.next_into(&mut line);
                    batch.push(line.clone());
                }
            }
        }
        let started = Instant::now();
        for (k, rec) in batch.iter().enumerate() {
            let t = START_MS + (i + k) as i64;
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
        i += n;
    }
    // Close the last window, as time moving on would.
    let started = Instant::now();
    let end = START_MS + total as i64 + i64::from(REFERENCE_WINDOW) * 1000;
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
        rcf,
        seconds,
        records_per_sec: if seconds > 0.0 {
            total as f64 / seconds
        } else {
            0.0
        },
        output_rows: outputs.into_iter().zip(counts).collect(),
        error_rows: errors,
        max_window_delay_ms: max_delay,
        peak_rss_mib: peak_rss_mib(),
    })
}
