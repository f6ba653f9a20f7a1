//! The Flink jobs of the twin's kinesisanalyticsv2: a started application's code (its zip, from
//! the twin's S3) runs on this machine's real Flink (the PyFlink environment of `kdaflow flink
//! setup`), its Kinesis and Firehose tables bridged to the twin's streams.
//!
//! The zip is a kdaflow-translated application (`kdaflow flink translate --profile aws --zip`):
//! its `job.json` says, per Kinesis or Firehose table, how the twin runs it instead
//! ([`kdaflow_flink::translate::TwinTable`]). `main.py --twin-dir DIR` then reads each source
//! from `DIR/in/<table>/` — files this runner writes as records arrive on the stream, each
//! record with its arrival time as `ROWTIME` — and writes each sink into `DIR/out/<table>/`,
//! whose committed files this runner sends to the stream. The application is RUNNING once
//! `main.py` has submitted the job; a job that ends sends it back to READY with the job's own
//! error (AWS may keep reporting RUNNING; the twin does not).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use anyhow::{Context, bail};
use kdaflow_asl::clock::SharedClock;
use kdaflow_flink::env::{FlinkEnv, Java};
use kdaflow_flink::run::TwinJob;
use kdaflow_flink::translate::{Job, TwinTable};
use kdaflow_local::kinesisanalyticsv2::app::FlinkAppRecord;
use kdaflow_local::kinesisanalyticsv2::{JobRunner, ManagedFlink};
use parking_lot::Mutex;
use tokio::sync::watch;

/// How often the bridges look for records and files, and the supervisor at the job.
const POLL: chrono::Duration = chrono::Duration::milliseconds(250);

/// Runs the jobs of the twin's Flink applications.
#[derive(Debug)]
pub struct TwinJobs {
    env: Result<(FlinkEnv, Java), String>,
    endpoint: String,
    region: String,
    work: PathBuf,
    clock: SharedClock,
    s3: Arc<kdaflow_local::s3::S3>,
    service: Weak<ManagedFlink>,
    /// The stop signal of each running job, by application.
    jobs: Mutex<HashMap<String, watch::Sender<bool>>>,
    /// Itself, for the tasks it spawns.
    me: Weak<TwinJobs>,
}

impl TwinJobs {
    /// A runner for `twin`, whose gateway is at `endpoint`; jobs work under `work`. Without a
    /// ready PyFlink environment and Java, every start is refused with the reason.
    pub fn new(twin: &kdaflow_local::Twin, endpoint: &str, work: PathBuf) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            me: me.clone(),
            env: FlinkEnv::require(None).map_err(|e| e.to_string()),
            endpoint: endpoint.to_string(),
            region: twin.config().region.clone(),
            work,
            clock: twin.clock().clone(),
            s3: twin.s3().clone(),
            service: Arc::downgrade(twin.managed_flink()),
            jobs: Mutex::new(HashMap::new()),
        })
    }

    fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region.clone()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "kdaflow",
                        "kdaflow",
                        None,
                        None,
                        "kdaflow-twin",
                    ),
                ),
            )
            .build()
    }

    /// Prepares and runs the job of `app` until it ends or `stop` says so.
    async fn run(self: Arc<Self>, app: FlinkAppRecord, mut stop: watch::Receiver<bool>) {
        let name = app.name.clone();
        let report_failure = |why: String| {
            if let Some(s) = self.service.upgrade() {
                s.job_failed(&name, &why);
            }
        };
        let (env, java) = match &self.env {
            Ok(e) => e.clone(),
            Err(why) => return report_failure(why.clone()),
        };
        let prepared = match self.prepare(&app) {
            Ok(p) => p,
            Err(e) => return report_failure(format!("{e:#}")),
        };
        let config = self.sdk_config();
        let mut bridges = Vec::new();
        for t in &prepared.tables {
            let b = Bridge {
                table: t.clone(),
                dir: prepared
                    .twin_dir
                    .join(if t.role == "source" { "in" } else { "out" })
                    .join(&t.dir),
                clock: self.clock.clone(),
                config: config.clone(),
            };
            let stop = stop.clone();
            bridges.push(tokio::spawn(async move {
                let r = if b.table.role == "source" {
                    b.feed(stop).await
                } else {
                    b.drain(stop).await
                };
                r.map_err(|e| format!("{} {}: {e:#}", b.table.role, b.table.stream))
            }));
        }
        let parallelism = u32::try_from(app.config.parallelism.1).unwrap_or(1);
        let mut job = match TwinJob::spawn(
            &env,
            &java,
            &prepared.app_dir,
            &prepared.twin_dir,
            &prepared.properties,
            &self.region,
            parallelism,
        ) {
            Ok(j) => j,
            Err(e) => {
                let _ = self.jobs.lock().remove(&name);
                return report_failure(e.to_string());
            }
        };
        tracing::info!(application = %name, log = %job.log().display(), "Flink job starting");
        let mut submitted = false;
        loop {
            let stopping = tokio::select! {
                _ = stop.changed() => true,
                why = job.ended() => {
                    if !*stop.borrow() {
                        report_failure(why);
                    }
                    break;
                }
                _ = self.clock.sleep(POLL) => false,
            };
            if stopping {
                job.stop().await;
                break;
            }
            if !submitted && let Some(id) = job.submitted() {
                submitted = true;
                tracing::info!(application = %name, job = %id, "Flink job running");
                if let Some(s) = self.service.upgrade() {
                    s.job_running(&name);
                }
            }
            if let Some(failed) = bridges.iter().position(|b| b.is_finished()) {
                let b = bridges.swap_remove(failed);
                if let Ok(Err(why)) = b.await {
                    job.stop().await;
                    report_failure(format!("the twin could not bridge the job's {why}"));
                    break;
                }
            }
        }
        for b in bridges {
            b.abort();
        }
    }

    /// Extracts the code, writes the runtime properties, resolves the bridged streams.
    fn prepare(&self, app: &FlinkAppRecord) -> anyhow::Result<Prepared> {
        let code = app
            .config
            .code
            .as_ref()
            .context("the application has no code")?;
        let bytes = match (&code.s3, &code.zip) {
            (Some((bucket_arn, key, _)), _) => {
                let bucket = bucket_arn.trim_start_matches("arn:aws:s3:::");
                self.s3
                    .get_bytes(bucket, key)
                    .map_err(|e| anyhow::anyhow!("the code at s3://{bucket}/{key}: {e}"))?
            }
            (None, Some(zip)) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(zip)?
            }
            (None, None) => bail!("the application has no code"),
        };
        let run = self.work.join(&app.name).join(format!(
            "v{}-{}",
            app.version,
            self.clock.now().timestamp_millis()
        ));
        let app_dir = run.join("code");
        let twin_dir = run.join("tables");
        std::fs::create_dir_all(&app_dir)?;
        zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .context("the code is not a zip")?
            .extract(&app_dir)
            .context("cannot extract the code")?;
        let entry = app
            .config
            .properties
            .iter()
            .find(|(id, _)| id == kdaflow_workflow::flink::RUN_OPTIONS)
            .and_then(|(_, m)| m.get("python"))
            .cloned()
            .context(
                "the application has no kinesis.analytics.flink.run.options property group with `python` (its entry point); the twin runs Python applications",
            )?;
        if entry != "main.py" || !app_dir.join("job.json").is_file() {
            bail!(
                "the twin runs applications kdaflow translated (`kdaflow flink translate --profile aws --zip`: main.py and job.json); this code's entry point is {entry}{}",
                if app_dir.join("job.json").is_file() {
                    ""
                } else {
                    " and it has no job.json"
                }
            );
        }
        let job: Job = serde_json::from_slice(&std::fs::read(app_dir.join("job.json"))?)
            .context("job.json is not a translated job")?;
        if job.twin.is_empty() {
            bail!(
                "job.json has no Kinesis or Firehose tables for the twin to bridge (translate with --profile aws)"
            );
        }
        let groups: Vec<serde_json::Value> = app
            .config
            .properties
            .iter()
            .map(|(id, map)| serde_json::json!({"PropertyGroupId": id, "PropertyMap": map}))
            .collect();
        let properties = run.join("application_properties.json");
        std::fs::write(&properties, serde_json::to_vec_pretty(&groups)?)?;
        let values: HashMap<String, String> = app
            .config
            .properties
            .iter()
            .find(|(id, _)| id == "kdaflow")
            .map(|(_, m)| m.clone().into_iter().collect())
            .unwrap_or_default();
        let mut tables = Vec::new();
        for t in &job.twin {
            let stream = fill(&t.stream, &values)?;
            let stream = stream.rsplit('/').next().unwrap_or(&stream).to_string();
            let side = if t.role == "source" { "in" } else { "out" };
            std::fs::create_dir_all(twin_dir.join(side).join(&t.dir))?;
            tables.push(TwinTable {
                stream,
                ..t.clone()
            });
        }
        Ok(Prepared {
            app_dir,
            twin_dir,
            properties,
            tables,
        })
    }
}

/// What [`TwinJobs::prepare`] made.
struct Prepared {
    app_dir: PathBuf,
    twin_dir: PathBuf,
    properties: PathBuf,
    tables: Vec<TwinTable>,
}

/// Fills the `${NAME}` placeholders of `text` from the `kdaflow` property group.
fn fill(text: &str, values: &HashMap<String, String>) -> anyhow::Result<String> {
    let out = kdaflow_workflow::placeholders::substitute(text, |name| {
        values.get(name).cloned().ok_or_else(|| {
            anyhow::anyhow!(
                "the job needs ${{{name}}}: give it in the application's `kdaflow` property group"
            )
        })
    });
    match out {
        Ok(s) => Ok(s),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

impl JobRunner for TwinJobs {
    fn unavailable(&self) -> Option<String> {
        self.env.as_ref().err().cloned()
    }

    fn reports(&self) -> bool {
        true
    }

    fn start(&self, app: &FlinkAppRecord, restore: Option<&str>) {
        if let Some(s) = restore {
            tracing::info!(application = %app.name, snapshot = s, "the twin's Flink jobs start without state (snapshots are not savepoints yet)");
        }
        let Some(this) = self.me.upgrade() else {
            return;
        };
        let (tx, rx) = watch::channel(false);
        if let Some(old) = self.jobs.lock().insert(app.name.clone(), tx) {
            let _ = old.send(true);
        }
        tokio::spawn(this.run(app.clone(), rx));
    }

    fn stop(&self, name: &str) {
        if let Some(tx) = self.jobs.lock().remove(name) {
            let _ = tx.send(true);
        }
    }
}

/// The stream side of one bridged table.
struct Bridge {
    table: TwinTable,
    dir: PathBuf,
    clock: SharedClock,
    config: aws_config::SdkConfig,
}

impl Bridge {
    /// Source: every record that arrives on the stream from now on goes into a new file of
    /// `dir` (written hidden, then renamed, so Flink never reads half a file), with its arrival
    /// time as ROWTIME.
    async fn feed(&self, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
        let kinesis = aws_sdk_kinesis::Client::new(&self.config);
        let name = &self.table.stream;
        let shards = kinesis
            .list_shards()
            .stream_name(name)
            .send()
            .await
            .with_context(|| format!("cannot list the shards of Kinesis stream {name}"))?;
        let mut iterators = Vec::new();
        for shard in shards.shards() {
            let it = kinesis
                .get_shard_iterator()
                .stream_name(name)
                .shard_id(shard.shard_id())
                .shard_iterator_type(aws_sdk_kinesis::types::ShardIteratorType::Latest)
                .send()
                .await?;
            iterators.push(it.shard_iterator().map(str::to_string));
        }
        let mut batch = 0u64;
        loop {
            let mut lines = Vec::new();
            for it in iterators.iter_mut() {
                let Some(current) = it.clone() else { continue };
                let out = kinesis.get_records().shard_iterator(current).send().await?;
                *it = out.next_shard_iterator().map(str::to_string);
                for r in out.records() {
                    let data = String::from_utf8_lossy(r.data().as_ref())
                        .trim_end()
                        .to_string();
                    let at = r
                        .approximate_arrival_timestamp()
                        .and_then(|t| chrono::DateTime::from_timestamp_millis(t.to_millis().ok()?))
                        .unwrap_or_default();
                    if let Some(line) = self.line(&data, at) {
                        lines.push((at, line));
                    }
                }
            }
            if !lines.is_empty() {
                lines.sort_by_key(|(at, _)| *at);
                batch += 1;
                let text: String = lines.into_iter().map(|(_, l)| l + "\n").collect();
                let hidden = self.dir.join(format!(".batch-{batch:010}.tmp"));
                std::fs::write(&hidden, text)?;
                std::fs::rename(&hidden, self.dir.join(format!("batch-{batch:010}")))?;
            }
            tokio::select! {
                _ = stop.changed() => return Ok(()),
                _ = self.clock.sleep(POLL) => {}
            }
        }
    }

    /// One record as the twin table's format reads it: ROWTIME appended (a JSON member, or the
    /// last CSV field).
    fn line(&self, data: &str, at: chrono::DateTime<chrono::Utc>) -> Option<String> {
        if self.table.format == "csv" {
            let d = self.table.delimiter.as_deref().unwrap_or(",");
            Some(format!("{data}{d}{}", at.format("%Y-%m-%d %H:%M:%S%.3f")))
        } else {
            let mut v: serde_json::Value = serde_json::from_str(data).ok()?;
            v.as_object_mut()?.insert(
                "ROWTIME".into(),
                at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string().into(),
            );
            Some(v.to_string())
        }
    }

    /// Sink: every file the job commits into `dir` goes to the stream, a record per line.
    async fn drain(&self, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
        let kinesis = aws_sdk_kinesis::Client::new(&self.config);
        let firehose = aws_sdk_firehose::Client::new(&self.config);
        let mut done: BTreeSet<PathBuf> = BTreeSet::new();
        let mut sent = 0u64;
        loop {
            for file in committed(&self.dir) {
                if done.contains(&file) {
                    continue;
                }
                let text = std::fs::read_to_string(&file)?;
                let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
                for chunk in lines.chunks(500) {
                    if self.table.service == "firehose" {
                        let records = chunk
                            .iter()
                            .map(|l| {
                                aws_sdk_firehose::types::Record::builder()
                                    .data(aws_sdk_firehose::primitives::Blob::new(format!("{l}\n")))
                                    .build()
                                    .map_err(anyhow::Error::from)
                            })
                            .collect::<anyhow::Result<Vec<_>>>()?;
                        firehose
                            .put_record_batch()
                            .delivery_stream_name(&self.table.stream)
                            .set_records(Some(records))
                            .send()
                            .await?;
                    } else {
                        let records = chunk
                            .iter()
                            .map(|l| {
                                sent += 1;
                                aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                                    .data(aws_sdk_kinesis::primitives::Blob::new(l.as_bytes()))
                                    .partition_key(sent.to_string())
                                    .build()
                                    .map_err(anyhow::Error::from)
                            })
                            .collect::<anyhow::Result<Vec<_>>>()?;
                        kinesis
                            .put_records()
                            .stream_name(&self.table.stream)
                            .set_records(Some(records))
                            .send()
                            .await?;
                    }
                }
                done.insert(file);
            }
            tokio::select! {
                _ = stop.changed() => return Ok(()),
                _ = self.clock.sleep(POLL) => {}
            }
        }
    }
}

/// The files a filesystem sink committed under `dir` (in-progress files are hidden), oldest
/// name first.
fn committed(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let hidden = e.file_name().to_string_lossy().starts_with(['.', '_']);
            if hidden {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
