//! `kdaflow flink`: the same application on Apache Flink — translate it (`kdaflow-flink`), make
//! the pinned PyFlink environment, run it on a real Flink (mini-cluster or a standalone
//! cluster), and verify that Flink computes what the built-in engine computes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use kdaflow_flink::env::FlinkEnv;
use kdaflow_flink::run::{RunSpec, RunStats, Target};
use kdaflow_flink::translate::{
    Input, InputKind, Output, OutputKind, Profile, Request, TableInfo, Translation,
};
use kdaflow_sql::{Program, RecordParser, Row};
use kdaflow_workflow::spec::{DestinationKind, RecordFormat, SchemaSpec, SourceKind};

use super::sql::{
    Loaded, Printer, RunArgs, SourceArgs, column_rowtime, compile, engine_run, finish,
    input_schema, load, load_program, rate, rate_rowtime, shown_streams,
};

/// The engine's seed, as `kdaflow sql run` uses it.
const SEED: u64 = 7;

/// The subcommands of `kdaflow flink`.
#[derive(Debug, Subcommand)]
pub enum FlinkCommand {
    /// Translate an application into a PyFlink application directory: main.py, the Flink
    /// SQL (job.sql, job.json), the RANDOM_CUT_FOREST function, and report.md / report.json
    /// (what was translated exactly, through a function, replaced, or not at all, and why).
    Translate(TranslateArgs),
    /// Create the pinned PyFlink environment (apache-flink 1.20.5 and rcf3, once).
    Setup(SetupArgs),
    /// Run the translated application on a real Flink over records and print its outputs
    /// like `kdaflow sql run` (same input flags, same --jsonl and --expect).
    Run(FlinkRunArgs),
    /// Run the same records through the built-in engine and through Flink (parallelism 1 on
    /// the mini-cluster, and 2 on a standalone cluster) and compare every output stream.
    Verify(VerifyArgs),
}

/// `--profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// Filesystem sources and sinks (JSON lines), to run here.
    Local,
    /// Kinesis and Firehose connectors, zipped for Managed Service for Apache Flink.
    Aws,
}

/// Flags of `kdaflow flink translate`.
#[derive(Debug, Args)]
pub struct TranslateArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// `local` (filesystem tables) or `aws` (Kinesis/Firehose connectors, MSF's layout).
    #[arg(long, value_enum, default_value = "local")]
    pub profile: ProfileArg,
    /// The application directory to write.
    #[arg(long)]
    pub out: PathBuf,
    /// With `--profile aws`: also write `<out>.zip`, the code Managed Service for Apache
    /// Flink runs (add the connector jar to `<out>/lib/` first; see its README).
    #[arg(long)]
    pub zip: bool,
    /// The PyFlink environment whose rcf3 the `aws` zip bundles (default: setup's).
    #[arg(long, value_name = "DIR")]
    pub env: Option<PathBuf>,
}

/// Flags of `kdaflow flink setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Where to make the environment (default: $KDAFLOW_FLINK_ENV, else
    /// ~/.cache/kdaflow/pyflink-1.20.5).
    #[arg(long, value_name = "DIR")]
    pub env: Option<PathBuf>,
    /// The Python that makes it (3.8 to 3.11).
    #[arg(long, default_value = "python3")]
    pub python: String,
}

/// Where and how a job runs.
#[derive(Debug, Args)]
pub struct FlinkFlags {
    /// The PyFlink environment (default: setup's).
    #[arg(long, value_name = "DIR")]
    pub env: Option<PathBuf>,
    /// Keep the application, its input and its outputs in this directory (default: a
    /// temporary one, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Stop a job that has not finished after this long.
    #[arg(long, default_value = "10m")]
    pub timeout: humantime::Duration,
}

/// Flags of `kdaflow flink run`.
#[derive(Debug, Args)]
pub struct FlinkRunArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub flink: FlinkFlags,
    /// The job's parallelism.
    #[arg(long, default_value_t = 1)]
    pub parallelism: usize,
    /// Run on a local standalone cluster (one JobManager, two TaskManagers), started and
    /// stopped by kdaflow, instead of the mini-cluster.
    #[arg(long)]
    pub cluster: bool,
}

/// Flags of `kdaflow flink verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub flink: FlinkFlags,
    /// Only the mini-cluster at parallelism 1 (not the standalone cluster at 2).
    #[arg(long)]
    pub mini_only: bool,
}

/// Runs `kdaflow flink`.
pub async fn run(command: FlinkCommand) -> anyhow::Result<ExitCode> {
    match command {
        FlinkCommand::Translate(args) => translate_cmd(&args),
        FlinkCommand::Setup(args) => {
            let env = FlinkEnv::at(args.env.as_deref());
            env.setup(&args.python, &mut |line| eprintln!("flink setup: {line}"))?;
            Ok(ExitCode::SUCCESS)
        }
        FlinkCommand::Run(args) => run_cmd(&args).await,
        FlinkCommand::Verify(args) => verify_cmd(&args).await,
    }
}

/// The application's inputs and outputs as the translator sees them.
fn endpoints(app: &Loaded) -> (Vec<Input>, Vec<Output>) {
    let Some(spec) = &app.spec else {
        return (Vec::new(), Vec::new());
    };
    let (csv_delimiter, nested) = match &spec.input.schema {
        SchemaSpec::Csv {
            column_delimiter, ..
        } => (Some(column_delimiter.clone()), Vec::new()),
        SchemaSpec::Json { columns, .. } => (
            None,
            // Flink's json format reads the top-level member of the column's name.
            columns
                .iter()
                .filter_map(|c| {
                    let m = c.mapping.as_deref()?;
                    (m != format!("$.{}", c.name)).then(|| format!("{} <- {m}", c.name))
                })
                .collect(),
        ),
    };
    let inputs = app
        .inputs
        .iter()
        .map(|s| Input {
            stream: s.name.clone(),
            kind: match spec.input.source.kind {
                SourceKind::Firehose => InputKind::Firehose,
                SourceKind::KinesisStream => InputKind::Kinesis,
            },
            arn: spec.input.source.resource_arn.clone(),
            preprocessor: spec.input.processor.is_some(),
            csv_delimiter: csv_delimiter.clone(),
            nested_mappings: nested.clone(),
        })
        .collect();
    let outputs = spec
        .outputs
        .iter()
        .map(|o| Output {
            stream: o.name.clone(),
            kind: match o.destination.kind {
                DestinationKind::Lambda => OutputKind::Lambda,
                DestinationKind::KinesisStream => OutputKind::Kinesis,
                DestinationKind::Firehose => OutputKind::Firehose,
            },
            arn: o.destination.resource_arn.clone(),
            csv: o.format == RecordFormat::Csv,
        })
        .collect();
    (inputs, outputs)
}

fn name(app: &Loaded, path: &Path) -> String {
    match &app.spec {
        Some(s) => s.name.clone(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "application".into()),
    }
}

fn translation(app: &Loaded, program: &Program, path: &Path, profile: Profile) -> Translation {
    let (inputs, outputs) = endpoints(app);
    kdaflow_flink::translate(&Request {
        name: &name(app, path),
        program,
        inputs: &inputs,
        outputs: &outputs,
        seed: SEED,
        profile,
        prefix: "",
    })
}

/// The untranslatable parts of the application (error_stream is said by `verify` when the
/// engine sent rows there, and is always in report.md).
fn print_untranslatable(t: &Translation) {
    for i in t
        .report
        .untranslatable()
        .filter(|i| i.subject != "error_stream")
    {
        eprintln!(
            "not translated: {} ({}): {}",
            i.subject, i.construct, i.detail
        );
    }
}

fn translate_cmd(args: &TranslateArgs) -> anyhow::Result<ExitCode> {
    let Some((app, program)) = load_program(&args.source)? else {
        return Ok(ExitCode::FAILURE);
    };
    let profile = match args.profile {
        ProfileArg::Local => Profile::Local,
        ProfileArg::Aws => Profile::Aws,
    };
    if args.zip && profile != Profile::Aws {
        bail!(
            "--zip builds the Managed Service for Apache Flink code zip: use it with --profile aws"
        );
    }
    let t = translation(&app, &program, &args.source.application, profile);
    let env = FlinkEnv::at(args.env.as_deref());
    let site = env.site_packages();
    if profile == Profile::Aws && kdaflow_flink::app::needs_rcf(&t) && site.is_none() {
        eprintln!(
            "note: RANDOM_CUT_FOREST needs rcf3 in deps/; no PyFlink environment at {} to bundle it from (run `kdaflow flink setup`)",
            env.dir.display()
        );
    }
    let files = kdaflow_flink::app::write(&args.out, &t, site.as_deref())?;
    print_untranslatable(&t);
    let counts = |k: kdaflow_flink::Kind| t.report.items.iter().filter(|i| i.kind == k).count();
    println!(
        "{}: {} files in {} — {} exact, {} exact under a condition, {} UDF, {} replaced, {} not translated (report.md)",
        t.job.name,
        files.len(),
        args.out.display(),
        counts(kdaflow_flink::Kind::Exact),
        counts(kdaflow_flink::Kind::Conditional),
        counts(kdaflow_flink::Kind::Udf),
        counts(kdaflow_flink::Kind::Replaced),
        counts(kdaflow_flink::Kind::Untranslatable),
    );
    if args.zip {
        let zip = args.out.with_extension("zip");
        if !args.out.join(kdaflow_flink::app::CONNECTOR_JAR).is_file() {
            eprintln!(
                "note: {} is not there yet; the zip runs on Managed Service for Apache Flink only with it (see lib/README.md)",
                kdaflow_flink::app::CONNECTOR_JAR
            );
        }
        kdaflow_flink::app::zip(&args.out, &zip)?;
        println!(
            "{}: the code zip (upload it to S3 for CreateApplication)",
            zip.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The application `spec` translated for Managed Service for Apache Flink (`--profile aws`)
/// into `out` and zipped beside it (rcf3 bundled from the PyFlink environment): the zip's path
/// and the application's runtime properties (`properties.json`'s groups).
pub(crate) fn translate_for_msf(
    spec: &Path,
    out: &Path,
) -> anyhow::Result<(PathBuf, serde_json::Value)> {
    let source = SourceArgs {
        application: spec.to_path_buf(),
        schema: None,
        name_prefix: "SOURCE_SQL_STREAM".to_string(),
        reference: None,
    };
    let Some((app, program)) = load_program(&source)? else {
        bail!(
            "{}: the application's code does not validate",
            spec.display()
        );
    };
    let t = translation(&app, &program, spec, Profile::Aws);
    print_untranslatable(&t);
    let site = FlinkEnv::at(None).site_packages();
    kdaflow_flink::app::write(out, &t, site.as_deref())?;
    let zip = out.with_extension("zip");
    kdaflow_flink::app::zip(out, &zip)?;
    Ok((zip, kdaflow_flink::app::properties(&t)))
}

/// Writes the input records, parsed as the engine parses them and timed as `kdaflow sql run`
/// times them, as the source table's JSON lines. Returns (rows written, records rejected).
fn write_input(
    app: &Loaded,
    args: &RunArgs,
    program: &Program,
    source: &TableInfo,
    dir: &Path,
) -> anyhow::Result<(usize, usize)> {
    let stream = &source.stream;
    let (schema, rowtime_column) = input_schema(app, args)?;
    let parser = RecordParser::new(&schema)?;
    let columns = program
        .columns(stream)
        .with_context(|| format!("the program has no input stream {stream}"))?
        .to_vec();
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let rate = rate(args)?;
    let start = args.start.timestamp_millis();
    let mut timed = Vec::new();
    let mut rejected = 0;
    let mut last = i64::MIN;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut rows = Vec::new();
        parser.parse(line.as_bytes(), |r| rows.push(r));
        for r in rows {
            let Ok(values) = r else {
                rejected += 1;
                continue;
            };
            let t = match rowtime_column {
                None => rate_rowtime(start, i, rate),
                Some(col) => column_rowtime(args, i, &values[col], last)?,
            };
            last = t;
            timed.push((t, values));
        }
    }
    let written = kdaflow_flink::run::write_source(dir, source, &columns, timed)?;
    Ok((written, rejected))
}

/// A translated job ready to run: its directories (kept or temporary).
struct Prepared {
    translation: Translation,
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
    rows: usize,
    rejected: usize,
}

impl Prepared {
    fn app(&self) -> PathBuf {
        self.root.join("app")
    }
    fn input(&self) -> PathBuf {
        self.root.join("input")
    }
    fn output(&self, label: &str) -> PathBuf {
        self.root.join(format!("output-{label}"))
    }
}

fn prepare(
    app: &Loaded,
    program: &Program,
    args: &RunArgs,
    flags: &FlinkFlags,
) -> anyhow::Result<Prepared> {
    let t = translation(app, program, &args.source.application, Profile::Local);
    print_untranslatable(&t);
    if t.job.inserts.is_empty() {
        bail!(
            "nothing of {} could be translated to Flink (see above)",
            t.job.name
        );
    }
    let (root, temp) = match &flags.keep {
        Some(dir) => (dir.clone(), None),
        None => {
            let t = tempfile::Builder::new()
                .prefix("kdaflow-flink-")
                .tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let app_dir = root.join("app");
    kdaflow_flink::app::write(&app_dir, &t, None)?;
    let source = t
        .job
        .sources
        .first()
        .with_context(|| format!("{}: the translation has no source table", t.job.name))?
        .clone();
    let (rows, rejected) = write_input(app, args, program, &source, &root.join("input"))?;
    // The records go to the first input stream, as with `kdaflow sql run`; the others (an
    // InputParallelism above 1) are empty.
    for other in t.job.sources.iter().skip(1) {
        let columns = program.columns(&other.stream).unwrap_or_default();
        kdaflow_flink::run::write_source(&root.join("input"), other, columns, Vec::new())?;
    }
    if rejected > 0 {
        eprintln!(
            "{rejected} record(s) do not parse as the input schema: the engine sends them to error_stream; they are not given to Flink"
        );
    }
    Ok(Prepared {
        translation: t,
        root,
        _temp: temp,
        rows,
        rejected,
    })
}

fn target_text(target: Target, parallelism: usize) -> String {
    match target {
        Target::Mini => format!("the Flink mini-cluster, parallelism {parallelism}"),
        Target::Standalone(n) => format!(
            "a standalone Flink cluster (1 JobManager, {n} TaskManagers), parallelism {parallelism}"
        ),
    }
}

/// Runs the prepared job and reads its sinks back as engine rows, by stream.
async fn run_flink(
    p: &Prepared,
    program: &Program,
    flags: &FlinkFlags,
    target: Target,
    parallelism: usize,
    label: &str,
) -> anyhow::Result<(BTreeMap<String, Vec<Row>>, RunStats)> {
    let (env, java) = FlinkEnv::require(flags.env.as_deref())?;
    eprintln!(
        "running {} rows on {} (Java {}) ...",
        p.rows,
        target_text(target, parallelism),
        java.major
    );
    let output = p.output(label);
    let _ = std::fs::remove_dir_all(&output);
    let stats = kdaflow_flink::run::run(
        &env,
        &java,
        &RunSpec {
            app: &p.app(),
            input: &p.input(),
            output: &output,
            parallelism,
            target,
            timeout: Duration::from(flags.timeout),
        },
    )
    .await?;
    eprintln!(
        "  done: job {:.1} s{}, peak memory {} MiB",
        stats.job_seconds,
        if stats.cluster_seconds > 0.0 {
            format!(" (cluster up in {:.1} s)", stats.cluster_seconds)
        } else {
            String::new()
        },
        stats.peak_rss_kb / 1024
    );
    let mut rows = BTreeMap::new();
    for sink in &p.translation.job.sinks {
        let columns = program.columns(&sink.stream).unwrap_or_default();
        rows.insert(
            sink.stream.clone(),
            kdaflow_flink::run::read_rows(&output, sink, columns)?,
        );
    }
    Ok((rows, stats))
}

async fn run_cmd(args: &FlinkRunArgs) -> anyhow::Result<ExitCode> {
    let Some((app, program)) = load_program(&args.run.source)? else {
        return Ok(ExitCode::FAILURE);
    };
    if args.parallelism == 0 {
        bail!("--parallelism must be at least 1");
    }
    let p = prepare(&app, &program, &args.run, &args.flink)?;
    let target = if args.cluster {
        Target::Standalone(2)
    } else {
        Target::Mini
    };
    let (rows, _) = run_flink(&p, &program, &args.flink, target, args.parallelism, "run").await?;
    // In ROWTIME order, streams in declaration order within one ROWTIME.
    let shown = shown_streams(&program);
    let mut all: Vec<(i64, usize, &str, &Row)> = Vec::new();
    for (i, s) in shown.iter().enumerate() {
        for r in rows.get(s).map(Vec::as_slice).unwrap_or_default() {
            all.push((r.rowtime, i, s, r));
        }
    }
    all.sort_by_key(|(t, i, _, _)| (*t, *i));
    let mut printer = Printer::new(&args.run);
    for (_, _, s, r) in all {
        printer.row(&program, s, r)?;
    }
    if let Some(keep) = &args.flink.keep {
        eprintln!("application, input and outputs kept in {}", keep.display());
    }
    finish(&args.run, printer, p.rows + p.rejected, rows.len())
}

async fn verify_cmd(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let Some((app, program)) = load_program(&args.run.source)? else {
        return Ok(ExitCode::FAILURE);
    };
    let p = prepare(&app, &program, &args.run, &args.flink)?;
    let mut engine = Printer::collector();
    engine_run(&app, program.clone(), &args.run, &mut engine)?;
    let engine_rows = engine.collected.take().unwrap_or_default();
    let mut runs = vec![(Target::Mini, 1usize, "p1")];
    if !args.mini_only {
        runs.push((Target::Standalone(2), 2, "p2"));
    }
    let mut failed = false;
    for (target, parallelism, label) in runs {
        let (flink_rows, _) =
            run_flink(&p, &program, &args.flink, target, parallelism, label).await?;
        println!("{}:", target_text(target, parallelism));
        for sink in &p.translation.job.sinks {
            let e = engine_rows
                .get(&sink.stream)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let f = flink_rows
                .get(&sink.stream)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let c = kdaflow_flink::compare::compare(&sink.stream, e, f);
            if c.same() {
                println!(
                    "  {:<32} same: {} rows{}",
                    c.stream,
                    c.engine_rows,
                    if c.max_relative > 0.0 {
                        format!(" (doubles within {:.1e} relative)", c.max_relative)
                    } else {
                        " (bit for bit)".into()
                    }
                );
            } else {
                failed = true;
                println!(
                    "  {:<32} DIFFERENT: engine {} rows, Flink {} rows, {} differ (- engine, + Flink):",
                    c.stream, c.engine_rows, c.flink_rows, c.differing
                );
                for d in &c.differences {
                    println!("      {d}");
                }
            }
        }
    }
    let errors = engine_rows
        .get(kdaflow_sql::ERROR_STREAM)
        .map(Vec::len)
        .unwrap_or(0);
    if errors > 0 {
        println!(
            "  error_stream: the engine sent {errors} rows there; Flink has no error_stream (see report.md)"
        );
    }
    let untranslated: Vec<_> = p
        .translation
        .report
        .untranslatable()
        .filter(|i| i.subject != "error_stream")
        .collect();
    for i in &untranslated {
        println!(
            "  not translated: {} ({}): {}",
            i.subject, i.construct, i.detail
        );
    }
    if failed {
        Ok(ExitCode::FAILURE)
    } else if !p.translation.report.complete || errors > 0 {
        println!("the translated streams are the same; the rest could not be verified");
        Ok(ExitCode::from(2))
    } else {
        println!("equivalent: every output stream is the same on Flink");
        Ok(ExitCode::SUCCESS)
    }
}

/// `kdaflow bench flink`: the reference application's pumps over the same generated reviews
/// on the built-in engine, on Flink's mini-cluster at parallelism 1 and on a standalone
/// cluster at parallelism 2: records/s, start-up time and peak memory, side by side.
pub(crate) async fn bench(records: usize, env: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    use clap::Parser;
    use std::time::Instant;

    #[derive(Parser)]
    struct Wrapped {
        #[command(flatten)]
        run: RunArgs,
    }
    let dir = tempfile::Builder::new()
        .prefix("kdaflow-bench-flink-")
        .tempdir()?;
    let spec = dir.path().join("reference-app.toml");
    std::fs::write(&spec, kdaflow_workflow::spec::REFERENCE_SPEC_TOML)?;
    let write = |name: &str, n: usize| -> anyhow::Result<PathBuf> {
        let path = dir.path().join(name);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for r in kdaflow_workflow::sample::Reviews::new(7, 50).take(n) {
            std::io::Write::write_all(&mut out, r.line().as_bytes())?;
        }
        std::io::Write::flush(&mut out)?;
        Ok(path)
    };
    eprintln!("writing {records} generated reviews ...");
    let full = write("reviews.tsv", records)?;
    let small = write("start-up.tsv", 1_000)?;
    let args_for = |input: &Path| {
        Wrapped::try_parse_from([
            "bench".as_ref(),
            spec.as_os_str(),
            "--input".as_ref(),
            input.as_os_str(),
            "--rate".as_ref(),
            "1000".as_ref(),
        ])
        .map(|w| w.run)
    };
    let (full_args, small_args) = (args_for(&full)?, args_for(&small)?);
    let app = load(&full_args.source)?;
    let program = compile(&app, &spec).map_err(|e| anyhow::anyhow!(e))?;

    eprintln!("the built-in engine ...");
    let started = Instant::now();
    let mut counter = Printer::counter();
    engine_run(&app, program.clone(), &full_args, &mut counter)?;
    let engine_seconds = started.elapsed().as_secs_f64();
    let engine_peak = kdaflow_sql::bench::peak_rss_mib().unwrap_or(0.0);
    let engine_rows = counter.rows();

    let flags = FlinkFlags {
        env,
        keep: None,
        timeout: Duration::from_secs(3600).into(),
    };
    let mut lines = Vec::new();
    for (target, parallelism, label) in [
        (Target::Mini, 1, "Flink mini-cluster, parallelism 1"),
        (
            Target::Standalone(2),
            2,
            "Flink standalone (2 TaskManagers), parallelism 2",
        ),
    ] {
        let p = prepare(&app, &program, &small_args, &flags)?;
        let (_, start) = run_flink(&p, &program, &flags, target, parallelism, "start-up").await?;
        let p = prepare(&app, &program, &full_args, &flags)?;
        let (rows, stats) = run_flink(&p, &program, &flags, target, parallelism, "full").await?;
        let out: usize = rows.values().map(Vec::len).sum();
        if out != engine_rows {
            eprintln!("note: {label} wrote {out} rows, the engine {engine_rows}");
        }
        let marginal = stats.job_seconds - start.job_seconds;
        lines.push(format!(
            "  {label:<50} {:>10.0} {:>10.0} {:>9.1} s {:>8.1} s {:>8.0} MiB{}",
            records as f64 / stats.job_seconds,
            if marginal > 0.0 {
                records as f64 / marginal
            } else {
                f64::NAN
            },
            start.job_seconds,
            stats.job_seconds,
            stats.peak_rss_kb as f64 / 1024.0,
            if stats.cluster_seconds > 0.0 {
                format!("  (cluster up in {:.1} s)", stats.cluster_seconds)
            } else {
                String::new()
            }
        ));
    }
    println!(
        "kdaflow bench flink: the reference application's three pumps (AVG per 5 s window, RANDOM_CUT_FOREST, COUNT_DISTINCT_ITEMS_TUMBLING) over {records} generated reviews, one per ms of ROWTIME"
    );
    println!(
        "  {:<50} {:>10} {:>10} {:>11} {:>10} {:>12}",
        "", "records/s", "marginal", "start-up", "total", "peak memory"
    );
    println!(
        "  {:<50} {:>10.0} {:>10} {:>9.1} s {:>8.1} s {:>8.0} MiB",
        "built-in engine (one thread, in process)",
        records as f64 / engine_seconds,
        "",
        0.0,
        engine_seconds,
        engine_peak
    );
    for l in lines {
        println!("{l}");
    }
    println!(
        "  records/s: records over the whole run (Flink: its process from start to end, input and output files included); marginal: records over the time beyond a 1,000-record run's (the start-up)"
    );
    Ok(ExitCode::SUCCESS)
}
