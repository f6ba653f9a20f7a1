//! `kdaflow sql`: validate and run a Kinesis Analytics SQL application offline — the service
//! console's edit-and-see loop without a twin. The engine is the twin's own (`kdaflow-sql`);
//! time is virtual, so a run takes as long as its computation, not its stream.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use kdaflow_sql::plan::StreamKind;
use kdaflow_sql::{
    Engine, InAppStream, OutputFormat, Program, RecordFormat, RecordParser, Row, SourceSchema,
    ValidationRequest, Value, serialize_row, validate,
};
use kdaflow_workflow::prerequisites::Prerequisites;
use kdaflow_workflow::spec::ApplicationSpec;

/// The subcommands of `kdaflow sql`.
#[derive(Debug, Subcommand)]
pub enum SqlCommand {
    /// Validate an application's SQL as CreateApplication does (the error with line and column).
    Check(SourceArgs),
    /// Run an application over records on virtual time and print each in-application
    /// stream's rows as its windows close, and the error_stream.
    Run(RunArgs),
    /// Print the plan of each pump: what it reads and writes, and its stages.
    Explain(SourceArgs),
}

/// Where the application comes from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// An application spec (TOML or JSON, as `kdaflow spec` documents), or a `.sql` file of
    /// application code (then `--schema` gives its input schema).
    pub application: PathBuf,
    /// With a `.sql` file: the API's `InputSchema` JSON (`RecordFormat`, `RecordColumns`).
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// With a `.sql` file: the input's `NamePrefix` (the stream is `<prefix>_001`).
    #[arg(long, default_value = "SOURCE_SQL_STREAM")]
    pub name_prefix: String,
    /// The application's reference data source: the API's `ReferenceDataSource` JSON
    /// (`TableName`, `ReferenceSchema`; an `S3ReferenceDataSource` is not read), so that code
    /// joining the table validates (and, with `run --reference-data`, runs).
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
}

/// Flags of `kdaflow sql run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The records: one per line (a CSV line without a header, or a JSON document).
    #[arg(long)]
    pub input: PathBuf,
    /// How the input file's records are read, instead of the schema's `RecordFormat`: `csv`
    /// (comma-separated), `tsv` (tab-separated) or `json` (a JSON object per line; columns
    /// without a `Mapping` read the member of their name).
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// ROWTIME from this input column (a TIMESTAMP column; rows must be in time order).
    #[arg(long, conflicts_with = "rate")]
    pub rowtime_column: Option<String>,
    /// ROWTIME from a steady arrival rate: this many records per second.
    #[arg(long)]
    pub rate: Option<f64>,
    /// With `--rate`: the first record's ROWTIME (RFC 3339).
    #[arg(long, default_value = "2026-01-01T00:00:00Z")]
    pub start: chrono::DateTime<chrono::Utc>,
    /// Print JSON lines (`{"stream": ..., "ROWTIME": ..., columns...}`) instead of a table.
    #[arg(long)]
    pub jsonl: bool,
    /// With `--reference`: the reference table's rows, in its `ReferenceSchema`'s record
    /// format (as the S3 object would hold them). Without it the table is empty.
    #[arg(long, value_name = "FILE", requires = "reference")]
    pub reference_data: Option<PathBuf>,
    /// Compare the output with these expected rows (JSON lines as `--jsonl` prints them) and
    /// print the difference; exit 1 when they differ (a unit test for an application).
    #[arg(long)]
    pub expect: Option<PathBuf>,
}

/// `kdaflow sql run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Comma-separated values, no header.
    Csv,
    /// Tab-separated values, no header.
    Tsv,
    /// A JSON object per line.
    Json,
}

impl InputFormat {
    /// The schema with this record format (the columns unchanged; JSON columns without a
    /// mapping read `$.<name>`).
    fn apply(self, schema: &SourceSchema) -> SourceSchema {
        let mut schema = schema.clone();
        schema.format = match self {
            InputFormat::Csv | InputFormat::Tsv => RecordFormat::Csv {
                row_delimiter: "\n".into(),
                column_delimiter: if self == InputFormat::Csv { "," } else { "\t" }.into(),
            },
            InputFormat::Json => {
                for c in &mut schema.columns {
                    if c.mapping.is_none() {
                        c.mapping = Some(format!("$.{}", c.name));
                    }
                }
                RecordFormat::Json {
                    row_path: "$".into(),
                }
            }
        };
        schema
    }
}

/// An application ready for the engine.
pub(crate) struct Loaded {
    pub(crate) code: String,
    pub(crate) schema: SourceSchema,
    pub(crate) inputs: Vec<InAppStream>,
    pub(crate) outputs: Vec<String>,
    /// The reference table and its record format.
    pub(crate) reference: Option<(InAppStream, SourceSchema)>,
    /// The spec, when the application is one (not a `.sql` file).
    pub(crate) spec: Option<ApplicationSpec>,
}

/// `--reference FILE`: the table a `ReferenceDataSource` JSON describes.
fn reference(args: &SourceArgs) -> anyhow::Result<Option<(InAppStream, SourceSchema)>> {
    let Some(path) = &args.reference else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let source: kdaflow_local::kinesisanalytics::model::ReferenceDataSource =
        serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a ReferenceDataSource (TableName, ReferenceSchema)",
                path.display()
            )
        })?;
    let name = source.table_name.clone().with_context(|| {
        format!(
            "{}: the ReferenceDataSource has no TableName",
            path.display()
        )
    })?;
    let api = source.reference_schema.as_ref().with_context(|| {
        format!(
            "{}: the ReferenceDataSource has no ReferenceSchema",
            path.display()
        )
    })?;
    let schema = kdaflow_local::kinesisanalytics::sql::engine_schema(api)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(Some((
        InAppStream {
            name,
            columns: schema.columns.clone(),
        },
        schema,
    )))
}

pub(crate) fn load(args: &SourceArgs) -> anyhow::Result<Loaded> {
    let path = &args.application;
    if path.extension().is_some_and(|e| e == "sql") {
        let code = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let Some(schema_path) = &args.schema else {
            bail!(
                "{} is application code: give its input schema with --schema FILE (the API's InputSchema JSON, e.g. {{\"RecordFormat\": {{\"RecordFormatType\": \"CSV\"}}, \"RecordColumns\": [{{\"Name\": \"x\", \"SqlType\": \"INTEGER\"}}]}})",
                path.display()
            );
        };
        let text = std::fs::read_to_string(schema_path)
            .with_context(|| format!("cannot read {}", schema_path.display()))?;
        let api: kdaflow_local::kinesisanalytics::model::SourceSchema = serde_json::from_str(&text)
            .with_context(|| {
                format!(
                    "{} is not an InputSchema (RecordFormat, RecordColumns)",
                    schema_path.display()
                )
            })?;
        let schema = kdaflow_local::kinesisanalytics::sql::engine_schema(&api)
            .map_err(|e| anyhow::anyhow!("{}: {e}", schema_path.display()))?;
        let inputs = vec![InAppStream {
            name: format!("{}_001", args.name_prefix),
            columns: schema.columns.clone(),
        }];
        return Ok(Loaded {
            code,
            schema,
            inputs,
            outputs: Vec::new(),
            reference: reference(args)?,
            spec: None,
        });
    }
    let spec = ApplicationSpec::load(path)?;
    // The ARNs do not matter offline: the example prerequisites fill the placeholders.
    let spec = spec.render(
        &Prerequisites::example("us-east-1", "000000000000"),
        None,
        None,
    )?;
    let (schema, inputs) = kdaflow::bootstrap::sql_input(&spec);
    Ok(Loaded {
        code: spec.code.clone(),
        schema,
        inputs,
        outputs: spec.outputs.iter().map(|o| o.name.clone()).collect(),
        reference: reference(args)?,
        spec: Some(spec),
    })
}

pub(crate) fn compile(app: &Loaded, path: &Path) -> Result<Program, String> {
    validate(&ValidationRequest {
        code: &app.code,
        inputs: &app.inputs,
        reference: app.reference.as_ref().map(|r| &r.0),
        outputs: &app.outputs,
    })
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// The application and its program; `None` (the `CodeValidationException` printed) when the
/// code does not validate.
pub(crate) fn load_program(args: &SourceArgs) -> anyhow::Result<Option<(Loaded, Program)>> {
    let app = load(args)?;
    match compile(&app, &args.application) {
        Ok(p) => Ok(Some((app, p))),
        Err(e) => {
            eprintln!("CodeValidationException: {e}");
            Ok(None)
        }
    }
}

/// Runs `kdaflow sql`.
pub fn run(command: SqlCommand) -> anyhow::Result<ExitCode> {
    match command {
        SqlCommand::Check(args) => {
            let app = load(&args)?;
            match compile(&app, &args.application) {
                Ok(program) => {
                    let created: Vec<&str> = program
                        .streams
                        .iter()
                        .filter(|s| s.kind == StreamKind::Created)
                        .map(|s| s.name.as_str())
                        .collect();
                    println!(
                        "{}: valid — {} pump(s) into {}",
                        args.application.display(),
                        program.pumps.len(),
                        created.join(", ")
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("CodeValidationException: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        SqlCommand::Run(args) => run_records(&args),
        SqlCommand::Explain(args) => match load_program(&args)? {
            Some((_, program)) => {
                print!("{}", explain(&program));
                Ok(ExitCode::SUCCESS)
            }
            None => Ok(ExitCode::FAILURE),
        },
    }
}

fn window_text(w: kdaflow_sql::plan::WindowFn) -> String {
    match w {
        kdaflow_sql::plan::WindowFn::Step(ms) => format!("STEP {} s", ms as f64 / 1000.0),
        kdaflow_sql::plan::WindowFn::Months(n) => format!("STEP {n} calendar month(s)"),
        kdaflow_sql::plan::WindowFn::Floor(unit) => format!("FLOOR to {unit:?}"),
    }
}

fn aggs_text(aggs: &[kdaflow_sql::plan::AggCall]) -> String {
    aggs.iter()
        .map(|a| format!("{:?}", a.func).to_uppercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan of every pump, a line per stage.
pub fn explain(program: &Program) -> String {
    use kdaflow_sql::ast::Frame;
    use kdaflow_sql::plan::StageSpec;
    let mut out = String::new();
    for p in &program.pumps {
        let source = &program.streams[p.source].name;
        let target = &program.streams[p.target].name;
        out.push_str(&format!(
            "PUMP {}: {source} -> {target}
",
            p.name
        ));
        for (i, stage) in p.stages.iter().enumerate() {
            let line = match stage {
                StageSpec::Project { filter, items } => format!(
                    "project {} column(s){}",
                    items.len(),
                    if filter.is_some() { ", WHERE" } else { "" }
                ),
                StageSpec::Tumbling {
                    filter,
                    window,
                    keys,
                    aggs,
                    having,
                    ..
                } => format!(
                    "tumbling window ({}), {} other key(s), aggregates [{}]{}{}; rows at the window's end",
                    window_text(*window),
                    keys.len().saturating_sub(1),
                    aggs_text(aggs),
                    if filter.is_some() { ", WHERE" } else { "" },
                    if having.is_some() { ", HAVING" } else { "" }
                ),
                StageSpec::Sliding {
                    partition,
                    frame,
                    aggs,
                    ..
                } => format!(
                    "sliding window ({}), {} partition key(s), aggregates [{}]; a row per input row",
                    match frame {
                        Frame::Range(ms) => format!("RANGE {} s PRECEDING", *ms as f64 / 1000.0),
                        Frame::Rows(n) => format!("ROWS {n} PRECEDING"),
                    },
                    partition.len(),
                    aggs_text(aggs)
                ),
                StageSpec::RefJoin(j) => format!(
                    "{} {}: hash lookup on {} key(s){}",
                    if j.outer { "LEFT OUTER JOIN" } else { "JOIN" },
                    match &j.constant {
                        Some(rows) => format!("VALUES ({} rows)", rows.len()),
                        None => format!("reference table {}", program.streams[j.table].name),
                    },
                    j.table_keys.len(),
                    if j.residual.is_some() {
                        ", then the rest of ON"
                    } else {
                        ""
                    }
                ),
                StageSpec::Stagger {
                    keys,
                    range_ms,
                    aggs,
                    ..
                } => format!(
                    "stagger windows of {} s per {} partition key(s), aggregates [{}]; a row when a key's window closes",
                    *range_ms as f64 / 1000.0,
                    keys.len(),
                    aggs_text(aggs)
                ),
                StageSpec::StreamJoin(j) => {
                    let frame = |f: Option<Frame>| match f {
                        Some(Frame::Range(ms)) => format!("RANGE {} s", ms as f64 / 1000.0),
                        Some(Frame::Rows(n)) => format!("ROWS {n}"),
                        None => "its current row".to_string(),
                    };
                    format!(
                        "JOIN with stream {} ({}{}); left keeps {}, right keeps {}; a row at the later ROWTIME",
                        program.streams[j.right].name,
                        match (j.keep_left, j.keep_right) {
                            (true, true) => "FULL OUTER",
                            (true, false) => "LEFT OUTER",
                            (false, true) => "RIGHT OUTER",
                            (false, false) => "INNER",
                        },
                        if j.on.is_some() { ", ON" } else { "" },
                        frame(j.left_window),
                        frame(j.right_window)
                    )
                }
                StageSpec::Hotspots {
                    window,
                    radius,
                    min_points,
                    columns,
                } => format!(
                    "HOTSPOTS over {} numeric column(s): the last {window} rows, radius {radius}, at least {min_points} points",
                    columns.len()
                ),
                StageSpec::GroupRank {
                    desc, output_max, ..
                } => format!(
                    "GROUP_RANK: the rows of each ROWTIME ranked {}{}",
                    if *desc { "descending" } else { "ascending" },
                    if *output_max > 0 {
                        format!(", at most {output_max} emitted")
                    } else {
                        String::new()
                    }
                ),
                StageSpec::Distinct { .. } => {
                    "DISTINCT: equal rows dropped while the time-based item keeps its value"
                        .to_string()
                }
                StageSpec::Sort { keys, leading, .. } => format!(
                    "ORDER BY {} key(s): rows held while the leading key keeps its value{}",
                    keys.len(),
                    if leading.is_none() {
                        " (a window's rows)"
                    } else {
                        ""
                    }
                ),
                StageSpec::Rcf(r) => format!(
                    "RANDOM_CUT_FOREST{} over [{}]: {} trees, sample {}, time decay {}, shingle {}",
                    if r.explanation.is_some() {
                        "_WITH_EXPLANATION"
                    } else {
                        ""
                    },
                    r.column_names.join(", "),
                    r.trees,
                    r.sample_size,
                    r.time_decay,
                    r.shingle_size
                ),
                StageSpec::CountDistinct { window_ms, .. } => format!(
                    "COUNT_DISTINCT_ITEMS_TUMBLING per {} s window",
                    *window_ms as f64 / 1000.0
                ),
                StageSpec::TopK { k, window_ms, .. } => format!(
                    "TOP_K_ITEMS_TUMBLING top {k} per {} s window",
                    *window_ms as f64 / 1000.0
                ),
            };
            out.push_str(&format!("  {}. {line}\n", i + 1));
        }
    }
    out
}

/// Prints rows as a table or JSON lines (or keeps them, for `kdaflow flink verify`).
pub(crate) struct Printer {
    jsonl: bool,
    /// Print nothing (the rows are only kept).
    quiet: bool,
    out: std::io::BufWriter<std::io::Stdout>,
    rows: usize,
    /// With `--expect`: every row as `--jsonl` prints it, to compare at the end.
    kept: Option<Vec<serde_json::Value>>,
    /// Every row by stream, when asked for.
    pub(crate) collected: Option<std::collections::BTreeMap<String, Vec<Row>>>,
}

impl Printer {
    /// A printer for `kdaflow sql run`'s (and `kdaflow flink run`'s) flags.
    pub(crate) fn new(args: &RunArgs) -> Self {
        Self {
            jsonl: args.jsonl,
            quiet: false,
            out: std::io::BufWriter::new(std::io::stdout()),
            rows: 0,
            kept: args.expect.as_ref().map(|_| Vec::new()),
            collected: None,
        }
    }

    /// A printer that prints nothing and only counts the rows.
    pub(crate) fn counter() -> Self {
        Self {
            collected: None,
            ..Self::collector()
        }
    }

    /// The rows given so far.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// A printer that prints nothing and keeps every row by stream.
    pub(crate) fn collector() -> Self {
        Self {
            jsonl: false,
            quiet: true,
            out: std::io::BufWriter::new(std::io::stdout()),
            rows: 0,
            kept: None,
            collected: Some(Default::default()),
        }
    }

    pub(crate) fn row(
        &mut self,
        program: &Program,
        stream: &str,
        row: &Row,
    ) -> std::io::Result<()> {
        self.rows += 1;
        if let Some(c) = &mut self.collected {
            c.entry(stream.to_string()).or_default().push(row.clone());
        }
        if self.quiet {
            return Ok(());
        }
        let columns = program.columns(stream).unwrap_or_default();
        let time = kdaflow_sql::coerce::format_timestamp(row.rowtime);
        if self.jsonl || self.kept.is_some() {
            let mut v: serde_json::Value =
                serde_json::from_str(&serialize_row(OutputFormat::Json, columns, row))
                    .unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.shift_insert(0, "stream".into(), stream.into());
                m.shift_insert(1, "ROWTIME".into(), time.clone().into());
            }
            if self.jsonl {
                writeln!(self.out, "{v}")?;
            }
            if let Some(kept) = &mut self.kept {
                kept.push(v);
            }
        }
        if self.jsonl {
            return Ok(());
        }
        let cells: Vec<String> = columns
            .iter()
            .zip(&row.values)
            .map(|(c, v)| match v {
                Value::Null => format!("{}=NULL", c.name),
                v => format!("{}={v}", c.name),
            })
            .collect();
        writeln!(self.out, "{time}  {stream:<24} {}", cells.join("  "))
    }
}

fn drain(engine: &mut Engine, shown: &[String], p: &mut Printer) -> std::io::Result<()> {
    for name in shown {
        for row in engine.drain(name) {
            p.row(engine.program(), name, &row)?;
        }
    }
    Ok(())
}

fn run_records(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let Some((app, program)) = load_program(&args.source)? else {
        return Ok(ExitCode::FAILURE);
    };
    let mut printer = Printer::new(args);
    let (records, shown) = engine_run(&app, program, args, &mut printer)?;
    finish(args, printer, records, shown)
}

/// The end of a run: the counts, and with `--expect` the comparison.
pub(crate) fn finish(
    args: &RunArgs,
    mut printer: Printer,
    records: usize,
    shown: usize,
) -> anyhow::Result<ExitCode> {
    printer.out.flush()?;
    eprintln!(
        "{records} records in, {} rows out ({shown} streams shown)",
        printer.rows
    );
    match &args.expect {
        None => Ok(ExitCode::SUCCESS),
        Some(path) => expect(path, printer.kept.as_deref().unwrap_or_default()),
    }
}

/// The streams a run shows: every stream the code creates, then error_stream, in
/// declaration order.
pub(crate) fn shown_streams(program: &Program) -> Vec<String> {
    program
        .streams
        .iter()
        .filter(|s| !matches!(s.kind, StreamKind::Input | StreamKind::Internal))
        .map(|s| s.name.clone())
        .collect()
}

/// The ROWTIME of the `i`-th line of the input with `--rate` (records per second).
pub(crate) fn rate_rowtime(start_ms: i64, i: usize, rate: f64) -> i64 {
    start_ms + (i as f64 * 1000.0 / rate) as i64
}

/// The ROWTIME of line `i` from its `--rowtime-column` value: a TIMESTAMP, not before the
/// previous row's (`previous`).
pub(crate) fn column_rowtime(
    args: &RunArgs,
    i: usize,
    value: &Value,
    previous: i64,
) -> anyhow::Result<i64> {
    match *value {
        Value::Timestamp(t) if t >= previous => Ok(t),
        Value::Timestamp(t) => bail!(
            "{}:{}: ROWTIME {} is before the previous row's; sort the input by --rowtime-column",
            args.input.display(),
            i + 1,
            kdaflow_sql::coerce::format_timestamp(t)
        ),
        ref other => bail!(
            "{}:{}: the ROWTIME column is {other} (a TIMESTAMP is needed)",
            args.input.display(),
            i + 1
        ),
    }
}

/// The `--rate` given (10 records per second when absent), checked.
pub(crate) fn rate(args: &RunArgs) -> anyhow::Result<f64> {
    let rate = args.rate.unwrap_or(10.0);
    if !(rate > 0.0 && rate.is_finite()) {
        bail!("--rate must be a positive number of records per second");
    }
    Ok(rate)
}

/// The input schema with `--format` applied, and the index of `--rowtime-column`.
pub(crate) fn input_schema(
    app: &Loaded,
    args: &RunArgs,
) -> anyhow::Result<(SourceSchema, Option<usize>)> {
    let schema = match args.format {
        Some(f) => f.apply(&app.schema),
        None => app.schema.clone(),
    };
    let rowtime_column = match &args.rowtime_column {
        Some(c) => Some(
            schema
                .columns
                .iter()
                .position(|col| col.name.eq_ignore_ascii_case(c))
                .with_context(|| {
                    format!("--rowtime-column {c}: the input schema has no such column")
                })?,
        ),
        None => None,
    };
    Ok((schema, rowtime_column))
}

/// Runs the records through the engine, giving each output row to `printer`. Returns the
/// number of records and of streams shown.
pub(crate) fn engine_run(
    app: &Loaded,
    program: Program,
    args: &RunArgs,
    printer: &mut Printer,
) -> anyhow::Result<(usize, usize)> {
    let input_stream = app.inputs[0].name.clone();
    let (schema, rowtime_column) = input_schema(app, args)?;
    let parser = RecordParser::new(&schema)?;
    let shown = shown_streams(&program);
    let mut engine = Engine::new(program, 7)?;
    if let (Some((table, schema)), Some(path)) = (&app.reference, &args.reference_data) {
        let data =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let rows =
            engine.load_reference_records(&table.name, &RecordParser::new(schema)?, &data)?;
        eprintln!(
            "reference table {}: {rows} rows from {}",
            table.name,
            path.display()
        );
    }
    for s in &shown {
        engine.watch(s);
    }
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let rate = rate(args)?;
    let start = args.start.timestamp_millis();
    let mut records = 0usize;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        records += 1;
        let data = line.as_bytes();
        match rowtime_column {
            None => {
                let t = rate_rowtime(start, i, rate);
                engine.push_record(engine.input_id(&input_stream)?, t, &parser, data)?;
            }
            Some(col) => {
                let mut parsed = None;
                parser.parse(data, |r| parsed = Some(r));
                match parsed {
                    Some(Ok(values)) => {
                        let t = column_rowtime(args, i, &values[col], engine.now())?;
                        engine.push_row(&input_stream, t, values)?;
                    }
                    // A row that does not parse goes to error_stream, at the current time
                    // (before any row, at the epoch: its own time is unknown).
                    _ => {
                        let t = engine.now().max(0);
                        engine.push_record(engine.input_id(&input_stream)?, t, &parser, data)?;
                    }
                }
            }
        }
        drain(&mut engine, &shown, printer)?;
    }
    // The end of the input closes every open window.
    engine.finish()?;
    drain(&mut engine, &shown, printer)?;
    Ok((records, shown.len()))
}

/// Compares the rows with the expected JSON lines (as values, so key order and number
/// spelling do not matter) and prints a diff.
fn expect(path: &Path, got: &[serde_json::Value]) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut wanted = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON row", path.display(), i + 1))?;
        wanted.push(v);
    }
    let mut differences = 0;
    for i in 0..wanted.len().max(got.len()) {
        match (wanted.get(i), got.get(i)) {
            (Some(w), Some(g)) if w == g => {}
            (w, g) => {
                differences += 1;
                eprintln!("row {}:", i + 1);
                if let Some(w) = w {
                    eprintln!("- {w}");
                }
                if let Some(g) = g {
                    eprintln!("+ {g}");
                }
            }
        }
    }
    if differences == 0 {
        eprintln!("as expected: {} rows match {}", got.len(), path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{differences} row(s) differ from {} (- expected, + got)",
            path.display()
        );
        Ok(ExitCode::FAILURE)
    }
}
