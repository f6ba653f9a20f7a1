//! A compiled Kinesis Analytics program (`kdaflow_sql::Program`) as a Flink job: tables,
//! views and one statement set, plus the report of how each part was translated.
//!
//! Every stage of a pump becomes a temporary view over the one before (a window table
//! function takes a table name, not a subquery), named `<pump>__<n>`; an in-application
//! stream the code creates becomes a view, the UNION ALL of the pumps that write it; an input
//! stream is a source table with ROWTIME as its event-time column; each output (every created
//! stream, with the `local` profile) is a sink table `<stream>__OUT` fed by one INSERT.
//! RANDOM_CUT_FOREST is the one stage that is not SQL: a [`Step::Rcf`], which the generated
//! `main.py` runs as a Python function at parallelism 1 over `rcf3`, the engine's forest.

use std::collections::BTreeSet;

use kdaflow_sql::Program;
use kdaflow_sql::ast::Frame;
use kdaflow_sql::engine::stage_seed;
use kdaflow_sql::plan::{PumpPlan, StageSpec, StreamKind, WindowFn};
use kdaflow_sql::types::SqlType;
use serde::{Deserialize, Serialize};

use crate::expr::{
    Reason, Refs, Types, aggregate, cast, expr, flink_type, ident, interval, string, type_of,
    unit_ms,
};
use crate::report::{Item, Kind, Report};

/// Where the translated job reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Filesystem sources and sinks (JSON lines) under directories given at run time: for
    /// running and verifying on this machine.
    Local,
    /// The Kinesis and Firehose connectors, as on Managed Service for Apache Flink.
    Aws,
}

/// How an input stream is fed on AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    /// A Kinesis data stream.
    Kinesis,
    /// A Firehose delivery stream (Flink has no Firehose source).
    Firehose,
}

/// An input of the application.
#[derive(Debug, Clone)]
pub struct Input {
    /// The in-application stream (`SOURCE_SQL_STREAM_001`).
    pub stream: String,
    /// What feeds it.
    pub kind: InputKind,
    /// The stream's ARN.
    pub arn: String,
    /// Whether an input preprocessing Lambda transforms the records first.
    pub preprocessor: bool,
    /// The record format: CSV with this column delimiter, or JSON (`None`).
    pub csv_delimiter: Option<String>,
    /// JSON mappings that are not `$.<column>` (nested or renamed members).
    pub nested_mappings: Vec<String>,
}

/// Where an output goes on AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// A Kinesis data stream.
    Kinesis,
    /// A Firehose delivery stream.
    Firehose,
    /// A Lambda function (Flink has no Lambda sink).
    Lambda,
}

/// An output of the application.
#[derive(Debug, Clone)]
pub struct Output {
    /// The in-application stream.
    pub stream: String,
    /// Where it goes.
    pub kind: OutputKind,
    /// The destination's ARN.
    pub arn: String,
    /// CSV (true) or JSON records.
    pub csv: bool,
}

/// What to translate.
#[derive(Debug)]
pub struct Request<'a> {
    /// The application's name.
    pub name: &'a str,
    /// Its validated program.
    pub program: &'a Program,
    /// Its inputs (for the `aws` profile and the report).
    pub inputs: &'a [Input],
    /// Its outputs (for the `aws` profile and the report).
    pub outputs: &'a [Output],
    /// The engine's seed (RANDOM_CUT_FOREST stages are seeded from it as the engine does).
    pub seed: u64,
    /// Where the job reads and writes.
    pub profile: Profile,
    /// Put before every table and view name and every directory (empty for one application;
    /// distinct per application when several are merged into one job, see [`Job::merge`]).
    pub prefix: &'a str,
}

/// A column of a table the job reads or writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The in-application column name.
    pub name: String,
    /// Its Flink type.
    pub flink_type: String,
}

/// A table the job reads or writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    /// The in-application stream.
    pub stream: String,
    /// The Flink table.
    pub table: String,
    /// Its directory under the input or output directory (the local profile).
    pub dir: String,
    /// Its columns (ROWTIME last).
    pub columns: Vec<ColumnInfo>,
}

/// One step of the job, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Step {
    /// A DDL statement (CREATE TABLE, CREATE TEMPORARY VIEW).
    Sql {
        /// The statement.
        sql: String,
        /// The same table as the kdaflow twin runs it (the `aws` profile's Kinesis and
        /// Firehose tables as filesystem tables under `${TWIN_DIR}`, which the twin feeds from
        /// and drains into its own streams; see [`TwinTable`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        twin: Option<String>,
    },
    /// RANDOM_CUT_FOREST over `input`, registered as the view `output` (its columns and
    /// ANOMALY_SCORE), run in Python at parallelism 1.
    Rcf {
        /// The view read.
        input: String,
        /// The view made.
        output: String,
        /// The input's columns (ROWTIME not included).
        columns: Vec<ColumnInfo>,
        /// The columns that feed the forest.
        numeric: Vec<usize>,
        /// numberOfTrees.
        trees: usize,
        /// subSampleSize.
        sample_size: usize,
        /// timeDecay.
        time_decay: u64,
        /// shingleSize.
        shingle_size: usize,
        /// The forest's seed (the engine's for this stage).
        seed: u64,
        /// The numeric columns' names (the explanation's keys).
        #[serde(default)]
        column_names: Vec<String>,
        /// ANOMALY_EXPLANATION too: without (`false`) or with (`true`) directionality.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<bool>,
    },
}

/// A table of the `aws` profile's job as the kdaflow twin bridges it: a source directory it
/// writes the stream's records into (each with its arrival time as `ROWTIME`), or a sink
/// directory whose committed files it sends to the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwinTable {
    /// The Flink table.
    pub table: String,
    /// `source` or `sink`.
    pub role: String,
    /// `kinesis` or `firehose`.
    pub service: String,
    /// The stream: a name, an ARN, or a `${NAME}` placeholder of the `kdaflow` property group.
    pub stream: String,
    /// The directory under `${TWIN_DIR}/in` (sources) or `${TWIN_DIR}/out` (sinks).
    pub dir: String,
    /// The records' format: `json` or `csv`.
    pub format: String,
    /// The CSV field delimiter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The translated job: what `main.py` runs (`job.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The application's name.
    pub name: String,
    /// The profile it was translated for.
    pub profile: Profile,
    /// Tables and views, in dependency order.
    pub steps: Vec<Step>,
    /// The statement set.
    pub inserts: Vec<String>,
    /// The source tables.
    pub sources: Vec<TableInfo>,
    /// The sink tables.
    pub sinks: Vec<TableInfo>,
    /// The `aws` profile's Kinesis and Firehose tables as the kdaflow twin bridges them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub twin: Vec<TwinTable>,
}

impl Job {
    /// One job of several (translated with distinct prefixes): a single Flink job runs them
    /// all, which saves a JVM start per application.
    pub fn merge(name: &str, jobs: Vec<Job>) -> Job {
        let mut out = Job {
            name: name.to_string(),
            profile: jobs.first().map(|j| j.profile).unwrap_or(Profile::Local),
            steps: Vec::new(),
            inserts: Vec::new(),
            sources: Vec::new(),
            sinks: Vec::new(),
            twin: Vec::new(),
        };
        for j in jobs {
            out.steps.extend(j.steps);
            out.inserts.extend(j.inserts);
            out.sources.extend(j.sources);
            out.sinks.extend(j.sinks);
            out.twin.extend(j.twin);
        }
        out
    }

    /// The job as one Flink SQL script for people (`job.sql`).
    pub fn sql(&self) -> String {
        let mut s = format!(
            "-- {} translated to Flink SQL by kdaflow (profile {:?}).\n-- main.py runs these statements in order; see report.md.\n\n",
            self.name, self.profile
        );
        for step in &self.steps {
            match step {
                Step::Sql { sql, .. } => {
                    s.push_str(sql);
                    s.push_str(";\n\n");
                }
                Step::Rcf {
                    input,
                    output,
                    trees,
                    sample_size,
                    time_decay,
                    shingle_size,
                    seed,
                    explanation,
                    ..
                } => s.push_str(&format!(
                    "-- {output}: RANDOM_CUT_FOREST over {input} (numberOfTrees {trees}, subSampleSize {sample_size},\n--   timeDecay {time_decay}, shingleSize {shingle_size}, seed {seed}): the Python function in\n--   kdaflow_rcf.py, at parallelism 1, appending ANOMALY_SCORE{}.\n\n",
                    if explanation.is_some() {
                        " and ANOMALY_EXPLANATION"
                    } else {
                        ""
                    }
                )),
            }
        }
        s.push_str("EXECUTE STATEMENT SET\nBEGIN\n");
        for i in &self.inserts {
            s.push_str(i);
            s.push_str(";\n");
        }
        s.push_str("END;\n");
        s
    }
}

/// The translation and its report.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The job.
    pub job: Job,
    /// What was translated how.
    pub report: Report,
}

/// A relation a stage reads: a table or view, its columns and whether its ROWTIME is an
/// event-time attribute (windows need one).
#[derive(Debug, Clone)]
struct Rel {
    name: String,
    cols: Vec<(String, SqlType)>,
    event_time: bool,
}

impl Rel {
    fn refs(&self) -> Vec<String> {
        self.cols.iter().map(|(n, _)| ident(n)).collect()
    }
    fn types(&self) -> Vec<SqlType> {
        self.cols.iter().map(|(_, t)| t.clone()).collect()
    }
}

/// Columns (name, type) as the job describes them to `main.py`.
fn column_infos(cols: &[(String, SqlType)]) -> Result<Vec<ColumnInfo>, Reason> {
    cols.iter()
        .map(|(n, t)| {
            Ok(ColumnInfo {
                name: n.clone(),
                flink_type: flink_type(t)?,
            })
        })
        .collect()
}

/// The watermark of a source: one millisecond behind the latest ROWTIME, so rows that share
/// a ROWTIME are all on time. The local sources are single files in ROWTIME order; Kinesis
/// sources get AWS's one second.
fn watermark(profile: Profile) -> &'static str {
    match profile {
        Profile::Local => "`ROWTIME` - INTERVAL '0.001' SECOND",
        Profile::Aws => "`ROWTIME` - INTERVAL '1' SECOND",
    }
}

const AWS_CONNECTORS: &str = "org.apache.flink:flink-sql-connector-kinesis:5.0.0-1.20 (the `kinesis-legacy` source with metadata columns and the `kinesis` sink) and org.apache.flink:flink-sql-connector-aws-kinesis-firehose:5.0.0-1.20";

/// The region of an ARN (`arn:aws:kinesis:REGION:...`).
fn region(arn: &str) -> String {
    arn.split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .unwrap_or("${AWS_REGION}")
        .to_string()
}

/// A placeholder for a property the user sets (`${INPUT_SOURCE_SQL_STREAM_001_STREAM_NAME}`:
/// the `kinesis-legacy` source takes a stream's name, the `kinesis` sink its ARN).
fn placeholder(prefix: &str, stream: &str, what: &str) -> String {
    let clean: String = stream
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("${{{prefix}_{clean}_STREAM_{what}}}")
}

struct Translator<'a> {
    req: &'a Request<'a>,
    steps: Vec<Step>,
    items: Vec<Item>,
    twin: Vec<TwinTable>,
}

impl<'a> Translator<'a> {
    /// A table, view or directory name with the request's prefix.
    fn n(&self, name: &str) -> String {
        format!("{}{name}", self.req.prefix)
    }

    fn item(
        &mut self,
        subject: impl Into<String>,
        construct: &str,
        kind: Kind,
        detail: impl Into<String>,
    ) {
        self.items.push(Item {
            subject: subject.into(),
            construct: construct.into(),
            kind,
            detail: detail.into(),
        });
    }

    fn sql(&mut self, sql: String) {
        self.steps.push(Step::Sql { sql, twin: None });
    }

    /// A table of the `aws` profile with its twin variant (same columns and watermark, a
    /// filesystem connector under `${TWIN_DIR}`), and how the twin bridges it.
    fn sql_with_twin(&mut self, sql: String, twin_sql: String, table: TwinTable) {
        self.steps.push(Step::Sql {
            sql,
            twin: Some(twin_sql),
        });
        self.twin.push(table);
    }

    /// The columns of a table as DDL lines.
    fn columns_ddl(cols: &[(String, SqlType)]) -> Result<Vec<String>, Reason> {
        cols.iter()
            .map(|(n, t)| Ok(format!("  {} {}", ident(n), flink_type(t)?)))
            .collect()
    }

    fn source(&mut self, stream: &kdaflow_sql::plan::StreamDef) -> Result<TableInfo, Reason> {
        let cols: Vec<(String, SqlType)> = stream
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        let mut lines = Self::columns_ddl(&cols)?;
        let profile = self.req.profile;
        let with = match profile {
            Profile::Local => {
                lines.push("  `ROWTIME` TIMESTAMP(3)".into());
                format!(
                    "  'connector' = 'filesystem',\n  'path' = '${{INPUT_DIR}}/{}',\n  'format' = 'json',\n  'json.timestamp-format.standard' = 'ISO-8601',\n  'json.fail-on-missing-field' = 'false'",
                    self.n(&stream.name)
                )
            }
            Profile::Aws => {
                lines.push("  `ROWTIME` TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL".into());
                let input = self.req.inputs.iter().find(|i| i.stream == stream.name);
                let (arn, format) = match input {
                    Some(i) => {
                        let arn = match i.kind {
                            InputKind::Kinesis => i.arn.clone(),
                            InputKind::Firehose => placeholder("INPUT", &stream.name, "NAME"),
                        };
                        let format = match &i.csv_delimiter {
                            Some(d) => format!(
                                "  'format' = 'csv',\n  'csv.field-delimiter' = {},\n  'csv.ignore-parse-errors' = 'true'",
                                string(d)
                            ),
                            None => {
                                "  'format' = 'json',\n  'json.ignore-parse-errors' = 'true'".into()
                            }
                        };
                        (arn, format)
                    }
                    None => (
                        placeholder("INPUT", &stream.name, "NAME"),
                        "  'format' = 'json'".into(),
                    ),
                };
                format!(
                    "  'connector' = 'kinesis-legacy',\n  'stream' = '{}',\n  'aws.region' = '{}',\n  'scan.stream.initpos' = 'LATEST',\n{format}",
                    arn.rsplit('/').next().unwrap_or(&arn),
                    region(&arn),
                )
            }
        };
        lines.push(format!(
            "  WATERMARK FOR `ROWTIME` AS {}",
            watermark(profile)
        ));
        let ddl = format!(
            "CREATE TABLE {} (\n{}\n) WITH (\n{with}\n)",
            ident(&self.n(&stream.name)),
            lines.join(",\n")
        );
        match profile {
            Profile::Local => self.sql(ddl),
            Profile::Aws => {
                // On the twin: the same columns, ROWTIME a physical column the twin fills with
                // each record's arrival time (last field of a CSV record, a member of a JSON
                // one), read from files the twin writes as records arrive.
                let input = self.req.inputs.iter().find(|i| i.stream == stream.name);
                let delimiter = input.and_then(|i| i.csv_delimiter.clone());
                let stream_ref = match input {
                    Some(i) if i.kind == InputKind::Kinesis => i.arn.clone(),
                    _ => placeholder("INPUT", &stream.name, "NAME"),
                };
                let mut twin_lines = Self::columns_ddl(&cols)?;
                twin_lines.push("  `ROWTIME` TIMESTAMP(3)".into());
                twin_lines.push(format!(
                    "  WATERMARK FOR `ROWTIME` AS {}",
                    watermark(profile)
                ));
                let dir = self.n(&stream.name);
                let format = match &delimiter {
                    Some(d) => format!(
                        "  'format' = 'csv',\n  'csv.field-delimiter' = {},\n  'csv.ignore-parse-errors' = 'true'",
                        string(d)
                    ),
                    None => "  'format' = 'json',\n  'json.timestamp-format.standard' = 'ISO-8601',\n  'json.ignore-parse-errors' = 'true'".into(),
                };
                let twin_ddl = format!(
                    "CREATE TABLE {} (\n{}\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '${{TWIN_DIR}}/in/{dir}',\n  'source.monitor-interval' = '1 s',\n{format}\n)",
                    ident(&self.n(&stream.name)),
                    twin_lines.join(",\n")
                );
                let twin = TwinTable {
                    table: self.n(&stream.name),
                    role: "source".into(),
                    service: "kinesis".into(),
                    stream: stream_ref,
                    dir,
                    format: if delimiter.is_some() { "csv" } else { "json" }.into(),
                    delimiter,
                };
                self.sql_with_twin(ddl, twin_ddl, twin);
            }
        }
        let mut columns = column_infos(&cols)?;
        columns.push(ColumnInfo {
            name: "ROWTIME".into(),
            flink_type: "TIMESTAMP(3)".into(),
        });
        Ok(TableInfo {
            stream: stream.name.clone(),
            table: self.n(&stream.name),
            dir: self.n(&stream.name),
            columns,
        })
    }

    fn sink(&mut self, stream: &str, rel: &Rel) -> Result<Option<(TableInfo, String)>, Reason> {
        let table = self.n(&format!("{stream}__OUT"));
        let dir = self.n(stream);
        let profile = self.req.profile;
        let output = self.req.outputs.iter().find(|o| o.stream == stream);
        let mut cols = rel.cols.clone();
        let with = match profile {
            Profile::Local => {
                cols.push(("ROWTIME".into(), SqlType::Timestamp));
                format!(
                    "  'connector' = 'filesystem',\n  'path' = '${{OUTPUT_DIR}}/{dir}',\n  'format' = 'json',\n  'json.timestamp-format.standard' = 'ISO-8601',\n  'json.encode.decimal-as-plain-number' = 'true'"
                )
            }
            Profile::Aws => {
                let Some(o) = output else {
                    return Ok(None);
                };
                let format = if o.csv {
                    "  'format' = 'csv'"
                } else {
                    "  'format' = 'json'"
                };
                match o.kind {
                    OutputKind::Kinesis => format!(
                        "  'connector' = 'kinesis',\n  'stream.arn' = '{}',\n  'aws.region' = '{}',\n  'sink.partitioner' = 'random',\n{format}",
                        o.arn,
                        region(&o.arn)
                    ),
                    OutputKind::Lambda => {
                        let arn = placeholder("OUTPUT", stream, "ARN");
                        format!(
                            "  'connector' = 'kinesis',\n  'stream.arn' = '{arn}',\n  'aws.region' = '{}',\n  'sink.partitioner' = 'random',\n{format}",
                            region(&o.arn)
                        )
                    }
                    OutputKind::Firehose => format!(
                        "  'connector' = 'firehose',\n  'delivery-stream' = '{}',\n  'aws.region' = '{}',\n{format}",
                        o.arn.rsplit('/').next().unwrap_or(&o.arn),
                        region(&o.arn)
                    ),
                }
            }
        };
        let lines = Self::columns_ddl(&cols)?;
        let ddl = format!(
            "CREATE TABLE {} (\n{}\n) WITH (\n{with}\n)",
            ident(&table),
            lines.join(",\n")
        );
        match (profile, output) {
            (Profile::Aws, Some(o)) => {
                // On the twin: files under ${TWIN_DIR}/out, rolled every second and committed
                // at each checkpoint, which the twin sends to the stream.
                let (service, stream_ref) = match o.kind {
                    OutputKind::Kinesis => ("kinesis", o.arn.clone()),
                    OutputKind::Lambda => ("kinesis", placeholder("OUTPUT", stream, "ARN")),
                    OutputKind::Firehose => ("firehose", o.arn.clone()),
                };
                let format = if o.csv { "csv" } else { "json" };
                let twin_ddl = format!(
                    "CREATE TABLE {} (\n{}\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '${{TWIN_DIR}}/out/{dir}',\n  'format' = '{format}',\n  'sink.rolling-policy.rollover-interval' = '1 s',\n  'sink.rolling-policy.check-interval' = '1 s'\n)",
                    ident(&table),
                    lines.join(",\n")
                );
                let twin = TwinTable {
                    table: table.clone(),
                    role: "sink".into(),
                    service: service.into(),
                    stream: stream_ref,
                    dir: dir.clone(),
                    format: format.into(),
                    delimiter: None,
                };
                self.sql_with_twin(ddl, twin_ddl, twin);
            }
            _ => self.sql(ddl),
        }
        let names: Vec<String> = cols.iter().map(|(n, _)| ident(n)).collect();
        let insert = format!(
            "INSERT INTO {} SELECT {} FROM {}",
            ident(&table),
            names.join(", "),
            ident(&self.n(stream))
        );
        let columns = column_infos(&cols)?;
        Ok(Some((
            TableInfo {
                stream: stream.to_string(),
                table,
                dir,
                columns,
            },
            insert,
        )))
    }

    /// A view of the stage's query; its output columns are named c0, c1, ...
    fn view(&mut self, name: &str, select: String) -> String {
        let name = self.n(name);
        self.sql(format!(
            "CREATE TEMPORARY VIEW {} AS\n{select}",
            ident(&name)
        ));
        name
    }

    fn out_cols(types: Vec<SqlType>) -> Vec<(String, SqlType)> {
        types
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("c{i}"), t))
            .collect()
    }

    fn need_event_time(rel: &Rel, what: &str) -> Result<(), Reason> {
        if rel.event_time {
            Ok(())
        } else {
            Err(format!(
                "{what} over the output of a window: its ROWTIME (the window's end) is not an event-time attribute in Flink, whose window_time is the end minus 1 ms"
            ))
        }
    }

    fn window_ms(w: WindowFn) -> Result<i64, Reason> {
        match w {
            WindowFn::Step(ms) => Ok(ms),
            WindowFn::Floor(u) => unit_ms(u).ok_or_else(|| {
                format!(
                    "FLOOR(ROWTIME TO {}): calendar windows of months or years (Flink's TUMBLE has a fixed size)",
                    u.name()
                )
            }),
            WindowFn::Months(n) => Err(format!(
                "STEP(ROWTIME BY INTERVAL '{n}' MONTH): calendar windows (Flink's TUMBLE has a fixed size)"
            )),
        }
    }

    /// One stage over `rel`: the relation it makes, and notes for the report.
    fn stage(
        &mut self,
        pump: usize,
        j: usize,
        stage: &StageSpec,
        rel: &Rel,
        notes: &mut Vec<(Kind, String, String)>,
    ) -> Result<Rel, Reason> {
        let pname = &self.req.program.pumps[pump].name;
        // The branches of a UNION ALL are pumps of one name: number the later ones.
        let branch = self.req.program.pumps[..pump]
            .iter()
            .filter(|p| &p.name == pname)
            .count();
        let vname = match branch {
            0 => format!("{pname}__{}", j + 1),
            b => format!("{pname}__u{}__{}", b + 1, j + 1),
        };
        let refs = rel.refs();
        let types = rel.types();
        let r = Refs {
            cols: &refs,
            ..Refs::default()
        };
        let t = Types {
            cols: &types,
            ..Types::default()
        };
        let time = ident("ROWTIME");
        match stage {
            StageSpec::Project { filter, items } => {
                let mut sel = Vec::new();
                let mut out = Vec::new();
                for (i, e) in items.iter().enumerate() {
                    sel.push(format!("{} AS `c{i}`", expr(e, &r, &t)?));
                    out.push(type_of(e, &t));
                }
                sel.push(time.clone());
                let mut q = format!("SELECT {} FROM {}", sel.join(", "), ident(&rel.name));
                if let Some(f) = filter {
                    q.push_str(&format!(" WHERE {}", expr(f, &r, &t)?));
                }
                notes.push((Kind::Exact, "SELECT / WHERE".into(), "a projection and filter".into()));
                Ok(Rel {
                    name: self.view(&vname, q),
                    cols: Self::out_cols(out),
                    event_time: rel.event_time,
                })
            }
            StageSpec::Tumbling {
                filter,
                window_key,
                window,
                keys,
                aggs,
                having,
                items,
            } => {
                Self::need_event_time(rel, "a GROUP BY window")?;
                let size = Self::window_ms(*window)?;
                // The keys and the aggregates' arguments are computed first, in a view the
                // window function reads.
                let mut pre = vec!["*".to_string()];
                let mut key_refs = Vec::new();
                let mut key_types = Vec::new();
                let mut group = vec!["window_start".to_string(), "window_end".to_string()];
                for (i, k) in keys.iter().enumerate() {
                    key_types.push(type_of(k, &t));
                    if i == *window_key {
                        key_refs.push("window_start".to_string());
                        continue;
                    }
                    pre.push(format!("{} AS `$k{i}`", expr(k, &r, &t)?));
                    key_refs.push(format!("`$k{i}`"));
                    group.push(format!("`$k{i}`"));
                }
                let agg_refs = agg_args(aggs, &r, &t, &mut pre)?;
                let agg_types: Vec<SqlType> = aggs.iter().map(|a| a.ty.clone()).collect();
                let mut q = format!("SELECT {} FROM {}", pre.join(", "), ident(&rel.name));
                if let Some(f) = filter {
                    q.push_str(&format!(" WHERE {}", expr(f, &r, &t)?));
                }
                let input = self.view(&format!("{vname}__in"), q);
                let gr = Refs {
                    cols: &[],
                    keys: &key_refs,
                    aggs: &agg_refs,
                };
                let gt = Types {
                    cols: &[],
                    keys: &key_types,
                    aggs: &agg_types,
                };
                let mut sel = Vec::new();
                let mut out = Vec::new();
                for (i, e) in items.iter().enumerate() {
                    sel.push(format!("{} AS `c{i}`", expr(e, &gr, &gt)?));
                    out.push(type_of(e, &gt));
                }
                sel.push("window_end AS `ROWTIME`".into());
                let mut q = format!(
                    "SELECT {} FROM TABLE(TUMBLE(TABLE {}, DESCRIPTOR(`ROWTIME`), {}))\nGROUP BY {}",
                    sel.join(", "),
                    ident(&input),
                    interval(size),
                    group.join(", ")
                );
                if let Some(h) = having {
                    q.push_str(&format!(" HAVING {}", expr(h, &gr, &gt)?));
                }
                notes.push((
                    Kind::Exact,
                    "GROUP BY STEP/FLOOR(ROWTIME)".into(),
                    format!(
                        "a TUMBLE window table function of {} ms, epoch-aligned; the window's end is the row's ROWTIME",
                        size
                    ),
                ));
                Ok(Rel {
                    name: self.view(&vname, q),
                    cols: Self::out_cols(out),
                    event_time: false,
                })
            }
            StageSpec::Sliding {
                filter,
                partition,
                frame,
                aggs,
                items,
            } => {
                Self::need_event_time(rel, "a sliding window")?;
                let mut pre = vec!["*".to_string()];
                let mut parts = Vec::new();
                for (i, p) in partition.iter().enumerate() {
                    pre.push(format!("{} AS `$p{i}`", expr(p, &r, &t)?));
                    parts.push(format!("`$p{i}`"));
                }
                // `CAST(AGG(x) AS T)` becomes `CAST(AGG(x) OVER w AS T)`.
                let agg_refs: Vec<String> = agg_args(aggs, &r, &t, &mut pre)?
                    .into_iter()
                    .map(|sql| match sql.strip_prefix("CAST(") {
                        Some(rest) => {
                            let at = rest.rfind(" AS ").unwrap_or(rest.len());
                            format!("CAST({} OVER w{}", &rest[..at], &rest[at..])
                        }
                        None => format!("{sql} OVER w"),
                    })
                    .collect();
                let mut q = format!("SELECT {} FROM {}", pre.join(", "), ident(&rel.name));
                if let Some(f) = filter {
                    q.push_str(&format!(" WHERE {}", expr(f, &r, &t)?));
                }
                let input = self.view(&format!("{vname}__in"), q);
                let agg_types: Vec<SqlType> = aggs.iter().map(|a| a.ty.clone()).collect();
                let sr = Refs {
                    cols: &refs,
                    keys: &[],
                    aggs: &agg_refs,
                };
                let st = Types {
                    cols: &types,
                    keys: &[],
                    aggs: &agg_types,
                };
                let mut sel = Vec::new();
                let mut out = Vec::new();
                for (i, e) in items.iter().enumerate() {
                    sel.push(format!("{} AS `c{i}`", expr(e, &sr, &st)?));
                    out.push(type_of(e, &st));
                }
                sel.push(time.clone());
                let bounds = match frame {
                    Frame::Range(ms) => {
                        notes.push((
                            Kind::Conditional,
                            "OVER (RANGE ... PRECEDING)".into(),
                            "an OVER window; exact when no two rows of a partition share a ROWTIME (Flink's RANGE frame includes a row's peers)".into(),
                        ));
                        format!("RANGE BETWEEN {} PRECEDING AND CURRENT ROW", interval(*ms))
                    }
                    Frame::Rows(n) => {
                        notes.push((
                            Kind::Exact,
                            "OVER (ROWS ... PRECEDING)".into(),
                            "an OVER window".into(),
                        ));
                        format!("ROWS BETWEEN {n} PRECEDING AND CURRENT ROW")
                    }
                };
                let partition_by = if parts.is_empty() {
                    String::new()
                } else {
                    format!("PARTITION BY {} ", parts.join(", "))
                };
                let q = format!(
                    "SELECT {} FROM {}\nWINDOW w AS ({partition_by}ORDER BY `ROWTIME` {bounds})",
                    sel.join(", "),
                    ident(&input)
                );
                Ok(Rel {
                    name: self.view(&vname, q),
                    cols: Self::out_cols(out),
                    event_time: true,
                })
            }
            StageSpec::Rcf(spec) => {
                Self::need_event_time(rel, "RANDOM_CUT_FOREST")?;
                let columns = column_infos(&rel.cols)?;
                let seed = stage_seed(self.req.seed, pump, j);
                let output = self.n(&vname);
                self.steps.push(Step::Rcf {
                    input: rel.name.clone(),
                    output: output.clone(),
                    columns,
                    numeric: spec.numeric_columns.clone(),
                    trees: spec.trees,
                    sample_size: spec.sample_size,
                    time_decay: spec.time_decay,
                    shingle_size: spec.shingle_size,
                    seed,
                    column_names: spec.column_names.clone(),
                    explanation: spec.explanation,
                });
                let construct = match spec.explanation {
                    None => "RANDOM_CUT_FOREST",
                    Some(_) => "RANDOM_CUT_FOREST_WITH_EXPLANATION",
                };
                let wheel = if self.req.profile == Profile::Aws {
                    "; rcf3's wheel is built for manylinux_2_28 (glibc 2.28 or later): check the runtime's image"
                } else {
                    ""
                };
                notes.push((
                    Kind::Udf,
                    construct.into(),
                    format!(
                        "a Python function over rcf3 0.5.2 (the engine's forest) at parallelism 1, numberOfTrees {}, subSampleSize {}, timeDecay {}, shingleSize {}, seed {seed}{}; its state is not in Flink's checkpoints{wheel}",
                        spec.trees,
                        spec.sample_size,
                        spec.time_decay,
                        spec.shingle_size,
                        if spec.explanation.is_some() {
                            ", ANOMALY_EXPLANATION as the engine writes it"
                        } else {
                            ""
                        }
                    ),
                ));
                let mut cols = rel.cols.clone();
                cols.push(("ANOMALY_SCORE".into(), SqlType::Double));
                if spec.explanation.is_some() {
                    cols.push(("ANOMALY_EXPLANATION".into(), SqlType::Varchar(20480)));
                }
                Ok(Rel {
                    name: output,
                    cols,
                    event_time: true,
                })
            }
            StageSpec::CountDistinct { column, window_ms } => {
                Self::need_event_time(rel, "COUNT_DISTINCT_ITEMS_TUMBLING")?;
                let q = format!(
                    "SELECT CAST(COUNT(DISTINCT {}) AS BIGINT) AS `c0`, window_end AS `ROWTIME`\nFROM TABLE(TUMBLE(TABLE {}, DESCRIPTOR(`ROWTIME`), {}))\nGROUP BY window_start, window_end",
                    refs[*column],
                    ident(&rel.name),
                    interval(*window_ms)
                );
                notes.push((
                    Kind::Exact,
                    "COUNT_DISTINCT_ITEMS_TUMBLING".into(),
                    "COUNT(DISTINCT) per TUMBLE window: exact as the service is up to 10,000 distinct items a window (above that the service and the engine estimate with HyperLogLog, Flink counts exactly)".into(),
                ));
                Ok(Rel {
                    name: self.view(&vname, q),
                    cols: vec![("c0".into(), SqlType::BigInt)],
                    event_time: false,
                })
            }
            StageSpec::TopK {
                column,
                k,
                window_ms,
            } => {
                Self::need_event_time(rel, "TOP_K_ITEMS_TUMBLING")?;
                let item = &refs[*column];
                let q = format!(
                    "SELECT `item` AS `c0`, `cnt` AS `c1`, `ROWTIME` FROM (\n  SELECT `item`, `cnt`, window_end AS `ROWTIME`,\n    ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY `cnt` DESC, `item` ASC) AS `rn`\n  FROM (\n    SELECT window_start, window_end, {item} AS `item`, COUNT(*) AS `cnt`\n    FROM TABLE(TUMBLE(TABLE {}, DESCRIPTOR(`ROWTIME`), {}))\n    WHERE {item} IS NOT NULL\n    GROUP BY window_start, window_end, {item}\n  )\n) WHERE `rn` <= {k}",
                    ident(&rel.name),
                    interval(*window_ms)
                );
                notes.push((
                    Kind::Exact,
                    "TOP_K_ITEMS_TUMBLING".into(),
                    "Window Top-N over a TUMBLE window's counts, ties broken by the item ascending as the engine does".into(),
                ));
                Ok(Rel {
                    name: self.view(&vname, q),
                    cols: vec![
                        ("c0".into(), rel.cols[*column].1.clone()),
                        ("c1".into(), SqlType::BigInt),
                    ],
                    event_time: false,
                })
            }
            StageSpec::Stagger { .. } => Err(
                "WINDOWED BY STAGGER opens a window per key at its first row; Flink has no such window (AWS's guidance replaces it with TUMBLE, which groups differently)"
                    .into(),
            ),
            StageSpec::RefJoin(_) => Err(
                "a JOIN with the reference table (a filesystem or S3 table joined with a lookup join is not generated yet)"
                    .into(),
            ),
            StageSpec::StreamJoin(_) => {
                Err("a JOIN of two streams (an interval join is not generated yet)".into())
            }
            StageSpec::Hotspots { .. } => Err(
                "HOTSPOTS has no Flink equivalent (a Python function is not generated for it)"
                    .into(),
            ),
            StageSpec::GroupRank { .. } => Err(
                "GROUP_RANK has no Flink equivalent (Flink's ROW_NUMBER over a window is not its release rule)"
                    .into(),
            ),
            StageSpec::Distinct { .. } => Err(
                "SELECT DISTINCT over a monotonic column (window deduplication is not generated yet)"
                    .into(),
            ),
            StageSpec::Sort { .. } => Err(
                "ORDER BY within a time batch (Flink sorts a stream only by its time attribute)"
                    .into(),
            ),
        }
    }

    /// A pump as a SELECT of the target stream's columns and ROWTIME.
    fn pump(&mut self, i: usize, p: &PumpPlan, source: &Rel) -> Result<String, (Reason, usize)> {
        let mut rel = source.clone();
        let mut notes = Vec::new();
        let mark = self.steps.len();
        for (j, stage) in p.stages.iter().enumerate() {
            match self.stage(i, j, stage, &rel, &mut notes) {
                Ok(next) => rel = next,
                Err(reason) => {
                    self.steps.truncate(mark);
                    return Err((reason, j));
                }
            }
        }
        for (kind, construct, detail) in notes {
            self.item(format!("pump {}", p.name), &construct, kind, detail);
        }
        let target = &self.req.program.streams[p.target];
        let mut sel = Vec::new();
        for (ti, tc) in target.columns.iter().enumerate() {
            let ty = flink_type(&tc.ty).map_err(|e| (e, p.stages.len()))?;
            let value = match p.target_columns.iter().position(|&c| c == ti) {
                Some(k) => cast(&ident(&rel.cols[k].0), &rel.cols[k].1, &tc.ty)
                    .map_err(|e| (e, p.stages.len()))?,
                None => format!("CAST(NULL AS {ty})"),
            };
            sel.push(format!("{value} AS {}", ident(&tc.name)));
        }
        sel.push(ident("ROWTIME"));
        Ok(format!(
            "SELECT {} FROM {}",
            sel.join(", "),
            ident(&rel.name)
        ))
    }
}

/// The aggregates of a stage over their arguments, which are computed in the view before
/// (`pre`, as `$a<i>`).
fn agg_args(
    aggs: &[kdaflow_sql::plan::AggCall],
    r: &Refs<'_>,
    t: &Types<'_>,
    pre: &mut Vec<String>,
) -> Result<Vec<String>, Reason> {
    let mut out = Vec::new();
    for (i, a) in aggs.iter().enumerate() {
        let arg = match &a.arg {
            Some(e) => {
                pre.push(format!("{} AS `$a{i}`", expr(e, r, t)?));
                Some(format!("`$a{i}`"))
            }
            None => None,
        };
        out.push(aggregate(a, arg.as_deref())?);
    }
    Ok(out)
}

/// Translates a program.
pub fn translate(req: &Request<'_>) -> Translation {
    let program = req.program;
    let mut t = Translator {
        req,
        steps: Vec::new(),
        items: Vec::new(),
        twin: Vec::new(),
    };
    let mut rels: Vec<Option<Rel>> = vec![None; program.streams.len()];
    let mut sources = Vec::new();
    for (id, s) in program.streams.iter().enumerate() {
        if s.kind != StreamKind::Input {
            continue;
        }
        match t.source(s) {
            Ok(info) => {
                sources.push(info);
                rels[id] = Some(Rel {
                    name: t.n(&s.name),
                    cols: s
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.ty.clone()))
                        .collect(),
                    event_time: true,
                });
                t.input_items(&s.name);
            }
            Err(reason) => t.item(
                format!("input {}", s.name),
                "source table",
                Kind::Untranslatable,
                reason,
            ),
        }
    }
    for s in &program.streams {
        if s.kind == StreamKind::Reference {
            t.item(
                format!("reference table {}", s.name),
                "reference data",
                Kind::Untranslatable,
                "the reference table (a filesystem or S3 table is not generated yet); pumps that join it are not translated",
            );
        }
        if s.kind == StreamKind::Error {
            t.item(
                "error_stream",
                "error_stream",
                Kind::Untranslatable,
                "rows a pump fails on (a CAST that fails, a division by zero) go to error_stream in the service and the engine; in Flink such a row fails the job, and records that do not parse are dropped by the format's ignore-parse-errors (aws) or rejected before Flink by kdaflow (local)",
            );
        }
    }
    // Pumps in dependency order: a pump runs once its source's relation exists; a created
    // stream's relation exists once every pump that writes it was translated.
    let mut done = vec![false; program.pumps.len()];
    let mut failed: BTreeSet<usize> = BTreeSet::new();
    let mut branches: Vec<Vec<String>> = vec![Vec::new(); program.streams.len()];
    loop {
        let mut progress = false;
        for (i, p) in program.pumps.iter().enumerate() {
            if done[i] {
                continue;
            }
            if failed.contains(&p.source) {
                done[i] = true;
                failed.insert(p.target);
                progress = true;
                t.item(
                    format!("pump {}", p.name),
                    "INSERT INTO ... SELECT",
                    Kind::Untranslatable,
                    format!(
                        "it reads {}, which could not be translated",
                        program.streams[p.source].name
                    ),
                );
                continue;
            }
            let Some(source) = rels[p.source].clone() else {
                continue;
            };
            done[i] = true;
            progress = true;
            match t.pump(i, p, &source) {
                Ok(select) => branches[p.target].push(select),
                Err((reason, stage)) => {
                    failed.insert(p.target);
                    t.item(
                        format!("pump {}", p.name),
                        &format!("stage {}", stage + 1),
                        Kind::Untranslatable,
                        reason,
                    );
                }
            }
            // The target's view, once all its pumps are done.
            let target = p.target;
            let all_done = program
                .pumps
                .iter()
                .enumerate()
                .all(|(k, q)| q.target != target || done[k]);
            if all_done && !failed.contains(&target) && rels[target].is_none() {
                let s = &program.streams[target];
                let q = branches[target].join("\nUNION ALL\n");
                let name = t.view(&s.name, q);
                rels[target] = Some(Rel {
                    name,
                    cols: s
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.ty.clone()))
                        .collect(),
                    // A union keeps event time only when every branch has it; be strict.
                    event_time: false,
                });
            }
        }
        if !progress {
            break;
        }
    }
    for (i, p) in program.pumps.iter().enumerate() {
        if !done[i] {
            t.item(
                format!("pump {}", p.name),
                "INSERT INTO ... SELECT",
                Kind::Untranslatable,
                format!(
                    "it reads {}, which no translated pump completes (a cycle)",
                    program.streams[p.source].name
                ),
            );
        }
    }
    // Sinks.
    let mut sinks = Vec::new();
    let mut inserts = Vec::new();
    for (id, s) in program.streams.iter().enumerate() {
        if s.kind != StreamKind::Created {
            continue;
        }
        let Some(rel) = rels[id].clone() else {
            continue;
        };
        let is_output = req.outputs.iter().any(|o| o.stream == s.name)
            || program.outputs.iter().any(|o| o == &s.name);
        if req.profile == Profile::Aws && !is_output {
            continue;
        }
        match t.sink(&s.name, &rel) {
            Ok(Some((info, insert))) => {
                sinks.push(info);
                inserts.push(insert);
                t.output_items(&s.name);
            }
            Ok(None) => {}
            Err(reason) => t.item(
                format!("output {}", s.name),
                "sink table",
                Kind::Untranslatable,
                reason,
            ),
        }
    }
    for o in req.outputs {
        if !sinks.iter().any(|s: &TableInfo| s.stream == o.stream) {
            t.item(
                format!("output {}", o.stream),
                "sink table",
                Kind::Untranslatable,
                "its stream could not be translated",
            );
        }
    }
    let job = Job {
        name: req.name.to_string(),
        profile: req.profile,
        steps: t.steps,
        inserts,
        sources,
        sinks,
        twin: t.twin,
    };
    let report = Report::new(req.name, req.profile, t.items);
    Translation { job, report }
}

impl Translator<'_> {
    fn input_items(&mut self, stream: &str) {
        let Some(input) = self.req.inputs.iter().find(|i| i.stream == stream) else {
            self.item(
                format!("input {stream}"),
                "source table",
                Kind::Exact,
                "a source table with ROWTIME as its event-time column",
            );
            return;
        };
        let input = input.clone();
        let subject = format!("input {stream}");
        match (self.req.profile, &input.kind) {
            (Profile::Local, _) => self.item(
                &subject,
                "source table",
                Kind::Exact,
                "a filesystem table of JSON lines (the parsed records with their ROWTIME), watermark 1 ms behind",
            ),
            (Profile::Aws, InputKind::Kinesis) => self.item(
                &subject,
                "source table",
                Kind::Exact,
                format!(
                    "the `kinesis-legacy` source on {}; ROWTIME is the record's ApproximateArrivalTimestamp (metadata 'timestamp'), watermark 1 s behind. Put the connector jar in lib/: {AWS_CONNECTORS}",
                    input.arn
                ),
            ),
            (Profile::Aws, InputKind::Firehose) => self.item(
                &subject,
                "Firehose input",
                Kind::Replaced,
                format!(
                    "Flink has no Firehose source (Firehose only pushes): send the records to a Kinesis data stream instead and set {} to its name in the `kdaflow` property group",
                    placeholder("INPUT", stream, "NAME")
                ),
            ),
        }
        if input.preprocessor {
            self.item(
                &subject,
                "input preprocessing Lambda",
                Kind::Replaced,
                "Flink calls no preprocessing function: move its transformation into the job (a Python function) or upstream of the stream",
            );
        }
        if !input.nested_mappings.is_empty() && self.req.profile == Profile::Aws {
            self.item(
                &subject,
                "JSON mappings",
                Kind::Untranslatable,
                format!(
                    "the json format reads top-level members by column name; these mappings are not: {}",
                    input.nested_mappings.join(", ")
                ),
            );
        }
    }

    fn output_items(&mut self, stream: &str) {
        let subject = format!("output {stream}");
        let Some(o) = self
            .req
            .outputs
            .iter()
            .find(|o| o.stream == stream)
            .cloned()
        else {
            self.item(
                &subject,
                "sink table",
                Kind::Exact,
                "a filesystem table of JSON lines with ROWTIME",
            );
            return;
        };
        match (self.req.profile, &o.kind) {
            (Profile::Local, _) => self.item(
                &subject,
                "sink table",
                Kind::Exact,
                "a filesystem table of JSON lines with ROWTIME",
            ),
            (Profile::Aws, OutputKind::Kinesis) => self.item(
                &subject,
                "Kinesis output",
                Kind::Exact,
                format!("the `kinesis` sink on {}", o.arn),
            ),
            (Profile::Aws, OutputKind::Firehose) => self.item(
                &subject,
                "Firehose output",
                Kind::Exact,
                format!("the `firehose` sink on {}", o.arn),
            ),
            (Profile::Aws, OutputKind::Lambda) => self.item(
                &subject,
                "Lambda output",
                Kind::Replaced,
                format!(
                    "Flink has no Lambda sink: the rows go to a Kinesis data stream ({} in the `kdaflow` property group) and {} consumes it through an event source mapping",
                    placeholder("OUTPUT", stream, "ARN"),
                    o.arn
                ),
            ),
        }
    }
}
