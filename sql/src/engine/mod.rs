//! The streaming executor. It owns no thread, clock or I/O: the caller pushes rows with their
//! ROWTIME, advances time so tumbling windows close, and drains output streams.
//!
//! ```
//! use kdaflow_sql::{validate, Engine, InAppStream, RecordColumn, ValidationRequest, Value};
//! let input = InAppStream { name: "IN".into(), columns: vec![RecordColumn::new("x", "INTEGER")] };
//! let code = r#"CREATE STREAM "OUT" (n BIGINT);
//!   CREATE PUMP "P" AS INSERT INTO "OUT"
//!   SELECT STREAM COUNT(*) FROM "IN" GROUP BY STEP("IN".ROWTIME BY INTERVAL '1' SECOND);"#;
//! let outputs = ["OUT".to_string()];
//! let program = validate(&ValidationRequest { code, inputs: &[input], reference: None, outputs: &outputs }).unwrap();
//! let mut engine = Engine::new(program, 7).unwrap();
//! engine.push_row("IN", 100, vec![Value::Int(1)]).unwrap();
//! engine.push_row("IN", 900, vec![Value::Int(2)]).unwrap();
//! assert!(engine.drain("OUT").is_empty()); // the window [0, 1000) is still open
//! engine.advance_to(1000);
//! let rows = engine.drain("OUT");
//! assert_eq!(rows[0].values, vec![Value::Int(2)]);
//! assert_eq!(rows[0].rowtime, 1000); // emitted at the window's end
//! ```

pub mod agg;
pub mod eval;
pub mod join;
pub mod key;
pub mod sliding;
pub mod sort;
pub mod stage;
pub mod stagger;
pub mod tumbling;
pub mod window;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::coerce::hex;
use crate::error::SqlError;
use crate::input::{RecordParser, RowParseError};
use crate::plan::{StageSpec, StreamId, StreamKind};
use crate::types::Value;
use crate::validate::Program;
use stage::{RowFailure, Stage};

/// A row of an in-application stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// ROWTIME, epoch milliseconds.
    pub rowtime: i64,
    /// Column values in the stream's column order.
    pub values: Vec<Value>,
}

/// A running pump: its stages and scratch buffers reused between rows.
#[derive(Debug)]
struct Pump {
    name: Arc<str>,
    target: StreamId,
    target_columns: Vec<usize>,
    stages: Vec<Stage>,
}

/// The executor for one application.
#[derive(Debug)]
pub struct Engine {
    program: Program,
    pumps: Vec<Pump>,
    /// Per stream, the pumps that read it (and whether as a stream join's right side).
    readers: Vec<Vec<(usize, bool)>>,
    /// Per stream, buffered rows for the caller, if the stream is drained (outputs,
    /// error_stream and watched streams); `None` means not kept.
    buffers: Vec<Option<Vec<Row>>>,
    now: i64,
    queue: VecDeque<(StreamId, Row)>,
}

/// The seed of stage `stage` of pump `pump` (its forest's, for RANDOM_CUT_FOREST): distinct
/// per stage and stable across runs, so another back end seeds the same forest.
pub fn stage_seed(seed: u64, pump: usize, stage: usize) -> u64 {
    seed ^ ((pump as u64) << 32 | stage as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Engine {
    /// Prepares a validated program to run. `seed` makes RANDOM_CUT_FOREST deterministic.
    pub fn new(program: Program, seed: u64) -> Result<Self, SqlError> {
        let mut pumps = Vec::new();
        let mut readers = vec![Vec::new(); program.streams.len()];
        for (i, p) in program.pumps.iter().enumerate() {
            let mut stages = Vec::new();
            for (j, s) in p.stages.iter().enumerate() {
                stages.push(Stage::new(s, stage_seed(seed, i, j))?);
            }
            readers[p.source].push((i, false));
            if let Some(StageSpec::StreamJoin(j)) = p.stages.first() {
                readers[j.right].push((i, true));
            }
            pumps.push(Pump {
                name: Arc::from(p.name.as_str()),
                target: p.target,
                target_columns: p.target_columns.clone(),
                stages,
            });
        }
        let mut buffers: Vec<Option<Vec<Row>>> = vec![None; program.streams.len()];
        buffers[program.error_stream] = Some(Vec::new());
        for out in &program.outputs {
            if let Some(id) = program.stream_id(out) {
                buffers[id] = Some(Vec::new());
            }
        }
        Ok(Self {
            program,
            pumps,
            readers,
            buffers,
            now: i64::MIN,
            queue: VecDeque::new(),
        })
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The latest time pushed or advanced to (epoch ms), `i64::MIN` before the first.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Also keep the rows of stream `name` for [`Engine::drain`] (outputs and error_stream
    /// are always kept). Returns false if there is no such stream.
    pub fn watch(&mut self, name: &str) -> bool {
        match self.program.stream_id(name) {
            Some(id) => {
                self.buffers[id].get_or_insert_with(Vec::new);
                true
            }
            None => false,
        }
    }

    /// The id of input stream `name`, for the `_id` fast paths.
    pub fn input_id(&self, name: &str) -> Result<StreamId, SqlError> {
        match self.program.stream_id(name) {
            Some(id) if self.program.streams[id].kind == StreamKind::Input => Ok(id),
            _ => Err(SqlError::UnknownInputStream(name.to_string())),
        }
    }

    /// Replaces the contents of the reference table `name` (as a reference data source
    /// loads it when the application starts or its source changes); every join reads the new
    /// rows from the next stream row on. Values are coerced to the table's column types; a
    /// row that does not convert goes to error_stream and is left out. Returns how many rows
    /// the table holds.
    pub fn load_reference(&mut self, name: &str, rows: Vec<Vec<Value>>) -> Result<usize, SqlError> {
        let id = self.reference_id(name)?;
        let at = self.now.max(0);
        let mut typed = Vec::with_capacity(rows.len());
        for values in rows {
            match self.reference_row(id, values) {
                Ok(v) => typed.push(v),
                Err((message, row)) => {
                    let data = row_text(&Row {
                        rowtime: at,
                        values: row,
                    });
                    self.error_row(
                        at,
                        "Type conversion error",
                        &message,
                        at,
                        data.as_bytes(),
                        None,
                    );
                }
            }
        }
        Ok(self.set_reference(id, typed))
    }

    /// Parses a reference data object (`data`, in the table's record format) with `parser`
    /// and loads its rows as [`Engine::load_reference`] does; rows that do not parse go to
    /// error_stream.
    pub fn load_reference_records(
        &mut self,
        name: &str,
        parser: &RecordParser,
        data: &[u8],
    ) -> Result<usize, SqlError> {
        let id = self.reference_id(name)?;
        let at = self.now.max(0);
        let mut rows = Vec::new();
        let mut failures: Vec<RowParseError> = Vec::new();
        parser.parse(data, |res| match res {
            Ok(values) => rows.push(values),
            Err(e) => failures.push(e),
        });
        for f in failures {
            self.error_row(at, f.name, &f.message, at, &f.raw, None);
        }
        Ok(self.set_reference(id, rows))
    }

    fn reference_id(&self, name: &str) -> Result<StreamId, SqlError> {
        match self.program.stream_id(name) {
            Some(id) if self.program.streams[id].kind == StreamKind::Reference => Ok(id),
            _ => Err(SqlError::UnknownReferenceTable(name.to_string())),
        }
    }

    fn reference_row(
        &self,
        id: StreamId,
        values: Vec<Value>,
    ) -> Result<Vec<Value>, (String, Vec<Value>)> {
        let cols = &self.program.streams[id].columns;
        if values.len() != cols.len() {
            return Err((
                format!(
                    "the row has {} values, the table has {} columns",
                    values.len(),
                    cols.len()
                ),
                values,
            ));
        }
        let mut typed = Vec::with_capacity(values.len());
        for (v, c) in values.iter().zip(cols) {
            match c.ty.coerce(v.clone()) {
                Ok(v) => typed.push(v),
                Err(e) => return Err((e.to_string(), values)),
            }
        }
        Ok(typed)
    }

    fn set_reference(&mut self, id: StreamId, rows: Vec<Vec<Value>>) -> usize {
        let n = rows.len();
        let rows: join::TableRows = Arc::new(rows);
        for pump in &mut self.pumps {
            for stage in &mut pump.stages {
                if let Stage::RefJoin(j) = stage
                    && j.table() == id
                {
                    j.load(&rows);
                }
            }
        }
        n
    }

    /// Pushes one row into input stream `stream` at `rowtime` (epoch ms). Windows that end at
    /// or before `rowtime` close first. Values are coerced to the column types (strings
    /// truncated); a value that does not convert sends the row to error_stream instead.
    pub fn push_row(
        &mut self,
        stream: &str,
        rowtime: i64,
        values: Vec<Value>,
    ) -> Result<(), SqlError> {
        let id = self.input_id(stream)?;
        let expected = self.program.streams[id].columns.len();
        if values.len() != expected {
            return Err(SqlError::RowArity {
                stream: stream.to_string(),
                got: values.len(),
                expected,
            });
        }
        self.advance_to(rowtime)?;
        let cols = &self.program.streams[id].columns;
        let mut typed = Vec::with_capacity(values.len());
        for (v, c) in values.into_iter().zip(cols) {
            match c.ty.coerce(v) {
                Ok(v) => typed.push(v),
                Err(e) => {
                    let row = Row {
                        rowtime,
                        values: typed,
                    };
                    let data = row_text(&row);
                    self.error_row(
                        rowtime,
                        "Type conversion error",
                        &e.to_string(),
                        rowtime,
                        data.as_bytes(),
                        None,
                    );
                    return Ok(());
                }
            }
        }
        self.deliver(
            id,
            Row {
                rowtime,
                values: typed,
            },
        );
        Ok(())
    }

    /// Parses one raw record (which may hold several rows) with `parser` and pushes its rows
    /// into input stream `stream_id` at `rowtime`. Rows that fail to parse or convert go to
    /// error_stream. Returns how many rows were accepted.
    pub fn push_record(
        &mut self,
        stream_id: StreamId,
        rowtime: i64,
        parser: &RecordParser,
        data: &[u8],
    ) -> Result<usize, SqlError> {
        if self.program.streams.get(stream_id).map(|s| s.kind) != Some(StreamKind::Input) {
            return Err(SqlError::UnknownInputStream(format!("#{stream_id}")));
        }
        self.advance_to(rowtime)?;
        let mut accepted = 0;
        let mut failures: Vec<RowParseError> = Vec::new();
        parser.parse(data, |res| match res {
            Ok(values) => {
                accepted += 1;
                self.deliver(stream_id, Row { rowtime, values });
            }
            Err(e) => failures.push(e),
        });
        for f in failures {
            self.error_row(rowtime, f.name, &f.message, rowtime, &f.raw, None);
        }
        Ok(accepted)
    }

    /// Advances time to `t` (epoch ms): every tumbling window ending at or before `t` closes
    /// and emits its rows. Time never goes back.
    pub fn advance_to(&mut self, t: i64) -> Result<(), SqlError> {
        if t < self.now {
            return Err(SqlError::TimeWentBackwards {
                got: t,
                current: self.now,
            });
        }
        self.now = t;
        // A pump's window rows can feed another pump's window; repeat until quiet.
        loop {
            let mut emitted = false;
            for p in 0..self.pumps.len() {
                let mut failures = Vec::new();
                let mut out = Vec::new();
                let pump = &mut self.pumps[p];
                for i in 0..pump.stages.len() {
                    let mut rows = Vec::new();
                    pump.stages[i].advance(t, &mut rows, &mut failures);
                    if !rows.is_empty() {
                        run_stages(&mut pump.stages[i + 1..], rows, &mut out, &mut failures);
                    }
                }
                emitted |= !out.is_empty();
                self.finish_pump(p, out, failures);
            }
            self.flush_queue();
            if !emitted {
                return Ok(());
            }
        }
    }

    /// The end of the input: every open window closes and emits, as if time moved on by more
    /// than the longest window (a year). Rows pushed afterwards start new windows.
    pub fn finish(&mut self) -> Result<(), SqlError> {
        const LONGER_THAN_ANY_WINDOW_MS: i64 = 367 * 86_400_000;
        self.advance_to(self.now.max(0).saturating_add(LONGER_THAN_ANY_WINDOW_MS))
    }

    /// Takes the rows buffered for stream `name` (an output, error_stream or a watched
    /// stream). Unknown or unbuffered streams give an empty list.
    pub fn drain(&mut self, name: &str) -> Vec<Row> {
        match self.program.stream_id(name) {
            Some(id) => self.buffers[id]
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// Takes the rows of `error_stream`.
    pub fn drain_errors(&mut self) -> Vec<Row> {
        let id = self.program.error_stream;
        self.buffers[id]
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    fn deliver(&mut self, stream: StreamId, row: Row) {
        self.queue.push_back((stream, row));
        self.flush_queue();
    }

    fn flush_queue(&mut self) {
        while let Some((stream, row)) = self.queue.pop_front() {
            for r in 0..self.readers[stream].len() {
                let (p, right) = self.readers[stream][r];
                let mut failures = Vec::new();
                let mut out = Vec::new();
                let pump = &mut self.pumps[p];
                if let Some((first, rest)) = pump.stages.split_first_mut() {
                    let mut rows = Vec::new();
                    if right {
                        first.push_right(&row, &mut rows, &mut failures);
                    } else {
                        first.push(&row, &mut rows, &mut failures);
                    }
                    if !rows.is_empty() {
                        run_stages(rest, rows, &mut out, &mut failures);
                    }
                }
                self.finish_pump(p, out, failures);
            }
            if let Some(buf) = self.buffers[stream].as_mut() {
                buf.push(row);
            }
        }
    }

    /// Maps a pump's output rows onto its target stream and queues them; failures go to
    /// error_stream with the pump's name.
    fn finish_pump(&mut self, p: usize, out: Vec<Row>, failures: Vec<RowFailure>) {
        let pump = &self.pumps[p];
        let name = pump.name.clone();
        let target = pump.target;
        let cols = &self.program.streams[target].columns;
        let mut errors = Vec::new();
        for row in out {
            let mut values = vec![Value::Null; cols.len()];
            let mut bad = None;
            for (v, &ti) in row.values.iter().zip(&pump.target_columns) {
                match crate::coerce::assign(&cols[ti].ty, v.clone()) {
                    Ok(v) => values[ti] = v,
                    Err(e) => {
                        bad = Some(e.to_string());
                        break;
                    }
                }
            }
            match bad {
                None => self.queue.push_back((
                    target,
                    Row {
                        rowtime: row.rowtime,
                        values,
                    },
                )),
                Some(m) => errors.push(RowFailure { message: m, row }),
            }
        }
        for f in failures.into_iter().chain(errors) {
            let data = row_text(&f.row);
            self.error_row(
                self.now.max(f.row.rowtime),
                "SQL error",
                &f.message,
                f.row.rowtime,
                data.as_bytes(),
                Some(&name),
            );
        }
    }

    fn error_row(
        &mut self,
        at: i64,
        name: &str,
        message: &str,
        data_rowtime: i64,
        data: &[u8],
        pump: Option<&str>,
    ) {
        let id = self.program.error_stream;
        let row = Row {
            rowtime: at,
            values: vec![
                Value::Timestamp(at),
                Value::str("ERROR"),
                Value::str(name),
                Value::str(message),
                Value::Timestamp(data_rowtime),
                Value::str(&hex(data)),
                pump.map_or(Value::Null, Value::str),
            ],
        };
        if let Some(buf) = self.buffers[id].as_mut() {
            buf.push(row);
        }
    }
}

/// Runs `rows` through `stages` in order, appending the last stage's rows to `out`.
fn run_stages(
    stages: &mut [Stage],
    mut rows: Vec<Row>,
    out: &mut Vec<Row>,
    failures: &mut Vec<RowFailure>,
) {
    for stage in stages.iter_mut() {
        let mut next = Vec::new();
        for r in &rows {
            stage.push(r, &mut next, failures);
        }
        rows = next;
        if rows.is_empty() {
            return;
        }
    }
    out.append(&mut rows);
}

/// A row as text for error_stream's DATA_ROW (comma-separated values).
fn row_text(row: &Row) -> String {
    row.values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
