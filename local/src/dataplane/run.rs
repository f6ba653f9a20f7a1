//! One RUNNING application: its engine, where its input stands, its outputs.

use std::collections::BTreeMap;

use bytes::Bytes;
use kdaflow_sql::plan::StreamKind;
use kdaflow_sql::validate::error_stream_columns;
use kdaflow_sql::{
    ERROR_STREAM, Engine, RecordParser, Row, SourceSchema, ValidationRequest, Value,
};

use super::deliver::{Dest, OutputRun};
use super::preprocess::{self, InRecord, Outcome};
use super::{DataPlane, ErrorRow, LiveRows, TickReport, seed_for};
use crate::kinesisanalytics::app::AppRecord;
use crate::kinesisanalytics::model::SourceSchema as ApiSchema;
use crate::kinesisanalytics::sql::{input_streams, reference_table};

/// Records read from the input per step (and per preprocessing invocation at most).
pub const READ_BATCH: usize = 500;
/// The most record bytes per preprocessing invocation: a Lambda request payload is at most
/// 6 MB and base64 grows data by a third.
pub const MAX_INVOKE_BYTES: usize = 4 * 1024 * 1024;

/// Where an application's input stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cursor {
    /// The oldest record still kept (`TRIM_HORIZON`).
    #[default]
    Beginning,
    /// A Firehose log offset.
    Offset(u64),
    /// A position per Kinesis shard.
    Shards(Vec<u64>),
}

/// An application's streaming source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A Firehose delivery stream (ARN).
    Firehose(String),
    /// A Kinesis stream (ARN).
    Kinesis(String),
}

impl Source {
    /// The source of an application's first (only) input.
    pub fn of(app: &AppRecord) -> Option<Self> {
        let input = app.inputs.first()?;
        if let Some(arn) = input
            .kinesis_firehose_input_description
            .as_ref()
            .and_then(|f| f.resource_arn.clone())
        {
            return Some(Source::Firehose(arn));
        }
        input
            .kinesis_streams_input_description
            .as_ref()
            .and_then(|k| k.resource_arn.clone())
            .map(Source::Kinesis)
    }

    fn arn(&self) -> &str {
        match self {
            Source::Firehose(a) | Source::Kinesis(a) => a,
        }
    }
}

/// The engine-side schema of an API `SourceSchema`.
fn schema(api: &ApiSchema) -> Result<SourceSchema, String> {
    crate::kinesisanalytics::sql::engine_schema(api)
}

/// A running application.
#[derive(Debug)]
pub struct AppRun {
    name: String,
    arn: String,
    version: i64,
    engine: Engine,
    source: Source,
    cursor: Cursor,
    stream_id: usize,
    parser: RecordParser,
    processor: Option<String>,
    outputs: Vec<OutputRun>,
    /// ROWTIME never goes below this: the start, then the last row's.
    floor_ms: i64,
    invocations: u64,
    /// Whether every stream keeps its rows for the live view ([`DataPlane::subscribe_rows`]).
    watching: bool,
}

impl AppRun {
    /// Compiles the application and prepares its input and outputs.
    pub fn new(
        app: &AppRecord,
        source: Source,
        cursor: Cursor,
        since_ms: i64,
        delivered: &BTreeMap<String, u64>,
    ) -> Result<Self, String> {
        let code = app
            .code
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .ok_or("it has no application code")?;
        let input = app.inputs.first().ok_or("it has no input")?;
        let api_schema = input
            .input_schema
            .as_ref()
            .ok_or("its input has no InputSchema")?;
        let inputs = input_streams(app);
        let reference = reference_table(app);
        let outputs: Vec<String> = app.outputs.iter().filter_map(|o| o.name.clone()).collect();
        let program = kdaflow_sql::validate(&ValidationRequest {
            code,
            inputs: &inputs,
            reference: reference.as_ref(),
            outputs: &outputs,
        })
        .map_err(|e| format!("its code does not validate: {e}"))?;
        let mut runs = Vec::new();
        for o in &app.outputs {
            let name = o.name.clone().unwrap_or_default();
            let columns = if name == ERROR_STREAM {
                error_stream_columns()
            } else {
                program.columns(&name).unwrap_or_default().to_vec()
            };
            let Some(dest) = Dest::of(o) else { continue };
            let mut run = OutputRun::new(o, name, dest, columns);
            run.skip(delivered.get(&run.key()).copied().unwrap_or(0));
            runs.push(run);
        }
        let engine = Engine::new(program, seed_for(&app.name)).map_err(|e| e.to_string())?;
        // Parallel in-application streams all get the records of the first (see the README).
        let first = inputs
            .first()
            .ok_or("its input creates no in-application stream")?;
        let stream_id = engine.input_id(&first.name).map_err(|e| e.to_string())?;
        let parser = RecordParser::new(&schema(api_schema)?).map_err(|e| e.to_string())?;
        let processor = input
            .input_processing_configuration_description
            .as_ref()
            .and_then(|p| p.input_lambda_processor_description.as_ref())
            .and_then(|l| l.resource_arn.clone());
        Ok(Self {
            name: app.name.clone(),
            arn: app.arn.clone(),
            version: app.version,
            engine,
            source,
            cursor,
            stream_id,
            parser,
            processor,
            outputs: runs,
            floor_ms: since_ms,
            invocations: 0,
            watching: false,
        })
    }

    /// Loads the reference table from its object (see [`super::reference`]): the rows
    /// loaded, or what kept the table from loading.
    pub fn load_reference(
        &mut self,
        app: &AppRecord,
        objects: Option<&dyn super::reference::ObjectSource>,
    ) -> Result<Option<usize>, String> {
        super::reference::load(&mut self.engine, app, objects)
    }

    /// The application version this run compiled.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Where the input stands.
    pub fn cursor(&self) -> Cursor {
        self.cursor.clone()
    }

    /// Rows each output accepted since the run began (see [`super::RunPoint`]).
    pub fn delivered(&self) -> BTreeMap<String, u64> {
        self.outputs
            .iter()
            .map(|o| (o.key(), o.delivered()))
            .collect()
    }

    /// Reads the next batch of input records, advancing the cursor.
    fn read(&mut self, dp: &DataPlane) -> Result<Vec<InRecord>, String> {
        match &self.source {
            Source::Firehose(arn) => {
                let from = match self.cursor {
                    Cursor::Offset(o) => o,
                    _ => 0,
                };
                let (records, next) = dp
                    .firehose
                    .read(arn, from, READ_BATCH)
                    .map_err(|e| e.message)?;
                self.cursor = Cursor::Offset(next);
                Ok(records.into_iter().map(InRecord::from_firehose).collect())
            }
            Source::Kinesis(arn) => {
                let mut positions = match &self.cursor {
                    Cursor::Shards(p) => p.clone(),
                    _ => Vec::new(),
                };
                let records = dp
                    .kinesis
                    .read_all(arn, &mut positions, READ_BATCH)
                    .map_err(|e| e.message)?;
                self.cursor = Cursor::Shards(positions);
                Ok(records.into_iter().map(InRecord::from_kinesis).collect())
            }
        }
    }

    /// Processes what is due at `now`: input, closed windows, deliveries.
    pub async fn process(&mut self, dp: &DataPlane, now: i64) -> TickReport {
        let mut report = TickReport::default();
        let mut errors: Vec<Row> = Vec::new();
        // Windows close up to where the input is settled, taken before reading: every record
        // that arrived earlier is visible now (and read below), every later one arrives no
        // earlier. So a record still being made durable still falls into its window, and
        // ROWTIMEs are the same whether the input is read live or replayed after a restart.
        let settled = match &self.source {
            Source::Firehose(arn) => dp.firehose.settled_ms(arn, now),
            Source::Kinesis(arn) => dp.kinesis.settled_ms(arn, now),
        };
        loop {
            let records = match self.read(dp) {
                Ok(r) => r,
                Err(problem) => {
                    report.problems.push(format!(
                        "application {}: cannot read its input {}: {problem}",
                        self.name,
                        self.source.arn()
                    ));
                    break;
                }
            };
            if records.is_empty() {
                break;
            }
            report.records_in += records.len();
            for chunk in chunks(&records) {
                let outcomes = match &self.processor {
                    Some(f) => {
                        self.invocations += 1;
                        let id = uuid::Uuid::from_u64_pair(seed_for(&self.name), self.invocations);
                        preprocess::invoke(
                            &dp.lambda,
                            f,
                            &self.arn,
                            self.source.arn(),
                            &id.to_string(),
                            chunk,
                        )
                        .await
                    }
                    None => chunk.iter().map(|r| Outcome::Ok(r.data.clone())).collect(),
                };
                for (record, outcome) in chunk.iter().zip(outcomes) {
                    let rowtime = record.arrival_ms.max(self.floor_ms);
                    self.floor_ms = rowtime;
                    match outcome {
                        Outcome::Ok(data) => {
                            if let Err(e) = self.engine.push_record(
                                self.stream_id,
                                rowtime,
                                &self.parser,
                                &data,
                            ) {
                                report
                                    .problems
                                    .push(format!("application {}: {e}", self.name));
                            }
                        }
                        Outcome::Dropped => {}
                        Outcome::Failed(message) => {
                            errors.push(error_row(rowtime, &message, &record.data));
                        }
                    }
                }
            }
        }
        if settled >= self.floor_ms
            && let Err(e) = self.engine.advance_to(settled)
        {
            report
                .problems
                .push(format!("application {}: {e}", self.name));
        }
        self.floor_ms = self.floor_ms.max(settled);
        errors.extend(self.engine.drain_errors());
        for row in &errors {
            report.errors.push(ErrorRow {
                application: self.name.clone(),
                name: text(&row.values[2]),
                message: text(&row.values[3]),
                data_row: text(&row.values[5]),
            });
        }
        // Each in-application stream is drained once and fanned out to its outputs.
        let mut drained: Vec<(String, Vec<Row>)> = Vec::new();
        for o in &self.outputs {
            if !drained.iter().any(|(n, _)| *n == o.name) {
                let rows = if o.name == ERROR_STREAM {
                    errors.clone()
                } else {
                    self.engine.drain(&o.name)
                };
                drained.push((o.name.clone(), rows));
            }
        }
        self.show(dp, &drained, &errors);
        for o in &mut self.outputs {
            if let Some((_, rows)) = drained.iter().find(|(n, _)| *n == o.name) {
                o.enqueue(rows, now);
            }
            if let Some(d) = o.flush(dp, &self.name, &self.arn, now).await {
                report.deliveries.push(d);
            }
        }
        report
    }
}

impl AppRun {
    /// The live view: while someone watches, every in-application stream keeps its rows and
    /// each tick hands them over (the outputs' rows as drained for delivery, `errors` as
    /// error_stream's); once no one watches, the rows are still drained and dropped.
    fn show(&mut self, dp: &DataPlane, drained: &[(String, Vec<Row>)], errors: &[Row]) {
        let watched = dp.rows_watched();
        if watched && !self.watching {
            let names: Vec<String> = self
                .engine
                .program()
                .streams
                .iter()
                .filter(|s| matches!(s.kind, StreamKind::Input | StreamKind::Created))
                .map(|s| s.name.clone())
                .collect();
            for n in &names {
                self.engine.watch(n);
            }
            self.watching = true;
        }
        if !self.watching {
            return;
        }
        let streams: Vec<(String, Vec<String>)> = self
            .engine
            .program()
            .streams
            .iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    StreamKind::Input | StreamKind::Created | StreamKind::Error
                )
            })
            .map(|s| {
                let mut columns = vec!["ROWTIME".to_string()];
                columns.extend(s.columns.iter().map(|c| c.name.clone()));
                (s.name.clone(), columns)
            })
            .collect();
        for (name, columns) in streams {
            let taken;
            let rows: &[Row] = if name == ERROR_STREAM {
                errors
            } else if let Some((_, rows)) = drained.iter().find(|(n, _)| *n == name) {
                rows
            } else {
                taken = self.engine.drain(&name);
                &taken
            };
            if watched {
                dp.publish_rows(LiveRows {
                    application: self.name.clone(),
                    stream: name,
                    columns,
                    rows: rows
                        .iter()
                        .map(|r| {
                            let mut v = vec![serde_json::Value::from(r.rowtime)];
                            v.extend(r.values.iter().map(kdaflow_sql::output::to_json));
                            v
                        })
                        .collect(),
                });
            }
        }
    }
}

fn text(v: &Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

/// Splits records into preprocessing invocations within the payload bound.
fn chunks(records: &[InRecord]) -> Vec<&[InRecord]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, r) in records.iter().enumerate() {
        if i > start && bytes + r.data.len() > MAX_INVOKE_BYTES {
            out.push(&records[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += r.data.len();
    }
    if start < records.len() {
        out.push(&records[start..]);
    }
    out
}

/// The error_stream row of a record the preprocessing function failed.
fn error_row(at: i64, message: &str, data: &Bytes) -> Row {
    Row {
        rowtime: at,
        values: vec![
            Value::Timestamp(at),
            Value::str("ERROR"),
            Value::str(preprocess::ERROR_NAME),
            Value::str(message),
            Value::Timestamp(at),
            Value::str(&kdaflow_sql::coerce::hex(data)),
            Value::Null,
        ],
    }
}
