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
//!
//! Snapshots are Flink savepoints (`<work>/<application>/tables/savepoints/`, their paths in
//! `savepoints.json`): CreateApplicationSnapshot triggers one, a stop that is not forced stops
//! the job with one, and a start that restores one passes it to Flink. The tables' directories
//! and the source's read positions per shard are kept per application, so a restored job reads
//! on where the savepoint's job stopped; a start without restore begins empty, at the stream's
//! newest record.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use anyhow::{Context, bail};
use kdaflow_asl::clock::SharedClock;
use kdaflow_flink::env::{FlinkEnv, Java};
use kdaflow_flink::run::TwinJob;
use kdaflow_flink::translate::{Job, TwinTable};
use kdaflow_local::kinesisanalyticsv2::app::{FlinkAppRecord, Restart};
use kdaflow_local::kinesisanalyticsv2::{JobRunner, ManagedFlink};
use parking_lot::Mutex;
use tokio::sync::watch;

/// How often the bridges look for records and files, and the supervisor at the job.
const POLL: chrono::Duration = chrono::Duration::milliseconds(250);
/// How long a savepoint may take before the twin gives up on it.
const SAVEPOINT_TIMEOUT: chrono::Duration = chrono::Duration::seconds(120);

/// What the control plane asks of a running job.
#[derive(Debug)]
enum Command {
    /// Take snapshot NAME (a savepoint).
    Snapshot(String),
    /// Stop, with snapshot NAME first if one is named.
    Stop(Option<String>),
    /// Stop (with `take` first) and start this version again (restoring `restore`).
    Restart(Box<FlinkAppRecord>, Restart),
}

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
    /// The commands of each running job, by application.
    jobs: Mutex<HashMap<String, tokio::sync::mpsc::UnboundedSender<Command>>>,
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

    /// Starts again the jobs of the applications that were running when the twin stopped
    /// (`--state-dir`), from their newest snapshot that has a savepoint; without Flink here,
    /// sends them back to READY saying why.
    pub fn resume(&self) {
        use kdaflow_local::kinesisanalyticsv2::app::Status;
        let Some(service) = self.service.upgrade() else {
            return;
        };
        for name in service.names() {
            let Some(app) = service.snapshot(&name) else {
                continue;
            };
            let running = matches!(
                app.status,
                Status::Running | Status::Starting | Status::Updating | Status::RollingBack
            );
            if !running {
                continue;
            }
            if let Some(why) = self.unavailable() {
                service.job_failed(&name, &format!("the twin restarted and {why}"));
                continue;
            }
            let saved = self.savepoints(&name);
            let restore = app
                .snapshots
                .iter()
                .rev()
                .find(|s| s.failed.is_none() && saved.contains_key(&s.name))
                .map(|s| s.name.clone());
            tracing::info!(application = %name, snapshot = ?restore, "resuming the Flink job after a restart");
            JobRunner::start(self, &app, restore.as_deref());
        }
    }

    fn sdk_config(&self) -> aws_config::SdkConfig {
        crate::bootstrap::twin_sdk_config(&self.endpoint, &self.region)
    }

    /// Prepares and runs the job of `app` (from snapshot `restore`) until it ends or is
    /// stopped, answering the control plane's `commands`.
    async fn run(
        self: Arc<Self>,
        app: FlinkAppRecord,
        restore: Option<String>,
        mut commands: tokio::sync::mpsc::UnboundedReceiver<Command>,
    ) {
        let name = app.name.clone();
        let service = self.service.clone();
        let report_failure = |why: String| {
            if let Some(s) = service.upgrade() {
                s.job_failed(&name, &why);
            }
        };
        let (env, java) = match &self.env {
            Ok(e) => e.clone(),
            Err(why) => return report_failure(why.clone()),
        };
        let prepared = match self.prepare(&app, restore.as_deref()) {
            Ok(p) => p,
            Err(e) => return report_failure(format!("{e:#}")),
        };
        let (stop_bridges, bridges_stop) = watch::channel(false);
        let config = self.sdk_config();
        let mut bridges = Vec::new();
        for t in &prepared.tables {
            let side = if t.role == "source" { "in" } else { "out" };
            let b = Bridge {
                table: t.clone(),
                dir: prepared.twin_dir.join(side).join(&t.dir),
                positions: prepared
                    .twin_dir
                    .join("positions")
                    .join(format!("{}.json", t.dir)),
                resume: prepared.savepoint.is_some(),
                clock: self.clock.clone(),
                config: config.clone(),
            };
            let stop = bridges_stop.clone();
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
            prepared.savepoint.as_deref().map(|p| (p, app.run.2)),
        ) {
            Ok(j) => j,
            Err(e) => {
                let _ = stop_bridges.send(true);
                return report_failure(e.to_string());
            }
        };
        tracing::debug!(application = %name, log = %job.log().display(), "Flink job starting");
        let mut submitted = false;
        // Savepoints asked for and not answered yet: (snapshot, asked at).
        let mut pending: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
        let mut stopping = false;
        // The version to start once this job stopped (an update, a rollback).
        let mut then: Option<(FlinkAppRecord, Option<String>)> = None;
        loop {
            let command = tokio::select! {
                c = commands.recv() => Some(c.unwrap_or(Command::Stop(None))),
                why = job.ended() => {
                    // The job ended: the answers it left, the last files drained, then
                    // READY (a stop) or a failure.
                    self.answer(&name, &prepared.twin_dir, &mut pending, true);
                    let _ = stop_bridges.send(true);
                    for b in bridges.drain(..) {
                        let _ = b.await;
                    }
                    match service.upgrade() {
                        Some(_) if then.is_some() => {}
                        Some(s) if stopping => s.job_stopped(&name),
                        Some(s) => s.job_failed(&name, &why),
                        None => {}
                    }
                    break;
                }
                _ = self.clock.sleep(POLL) => None,
            };
            match command {
                Some(Command::Snapshot(snapshot)) => {
                    self.ask(&name, &prepared.twin_dir, &snapshot, false, &mut pending);
                }
                Some(Command::Stop(Some(snapshot))) if !stopping => {
                    stopping = true;
                    self.ask(&name, &prepared.twin_dir, &snapshot, true, &mut pending);
                }
                Some(Command::Restart(app, restart)) if !stopping => {
                    stopping = true;
                    then = Some((*app, restart.restore.clone()));
                    match &restart.take {
                        Some(snapshot) => {
                            self.ask(&name, &prepared.twin_dir, snapshot, true, &mut pending);
                        }
                        None => {
                            let _ = stop_bridges.send(true);
                            for b in bridges.drain(..) {
                                let _ = b.await;
                            }
                            job.stop().await;
                            break;
                        }
                    }
                }
                Some(Command::Restart(..)) => {}
                Some(Command::Stop(_)) => {
                    // No snapshot (or a forced stop after one was asked for): stop now.
                    let _ = stop_bridges.send(true);
                    for b in bridges.drain(..) {
                        let _ = b.await;
                    }
                    job.stop().await;
                    self.answer(&name, &prepared.twin_dir, &mut pending, true);
                    if let Some(s) = service.upgrade() {
                        s.job_stopped(&name);
                    }
                    break;
                }
                None => {}
            }
            self.answer(&name, &prepared.twin_dir, &mut pending, false);
            if !submitted && let Some(id) = job.submitted() {
                submitted = true;
                tracing::debug!(application = %name, job = %id, "Flink job running");
                if let Some(s) = service.upgrade() {
                    s.job_running(&name);
                }
            }
            if let Some(failed) = bridges.iter().position(|b| b.is_finished()) {
                let b = bridges.swap_remove(failed);
                if let Ok(Err(why)) = b.await {
                    let _ = stop_bridges.send(true);
                    job.stop().await;
                    report_failure(format!("the twin could not bridge the job's {why}"));
                    break;
                }
            }
        }
        for b in bridges {
            b.abort();
        }
        // Forget this job's entry, not a newer one a start made meanwhile (whose receiver is
        // alive).
        drop(commands);
        self.jobs
            .lock()
            .retain(|n, tx| *n != name || !tx.is_closed());
        if let Some((app, restore)) = then {
            JobRunner::start(self.as_ref(), &app, restore.as_deref());
        }
    }

    /// Asks the job for savepoint `snapshot` (`stop`: and to stop with it).
    fn ask(
        &self,
        name: &str,
        twin_dir: &Path,
        snapshot: &str,
        stop: bool,
        pending: &mut Vec<(String, chrono::DateTime<chrono::Utc>)>,
    ) {
        match kdaflow_flink::run::request_savepoint(twin_dir, snapshot, stop) {
            Ok(()) => pending.push((snapshot.to_string(), self.clock.now())),
            Err(e) => {
                if let Some(s) = self.service.upgrade() {
                    s.snapshot_taken(
                        name,
                        snapshot,
                        Err(format!("cannot ask the job for a savepoint: {e}")),
                    );
                }
            }
        }
    }

    /// Reports the savepoints the job answered (or, `ended`, can no longer answer).
    fn answer(
        &self,
        name: &str,
        twin_dir: &Path,
        pending: &mut Vec<(String, chrono::DateTime<chrono::Utc>)>,
        ended: bool,
    ) {
        let now = self.clock.now();
        pending.retain(|(snapshot, asked)| {
            let result = match kdaflow_flink::run::savepoint_answer(twin_dir, snapshot) {
                Some(Ok(path)) => {
                    self.remember(name, snapshot, &path);
                    Ok(())
                }
                Some(Err(why)) => Err(format!("the savepoint failed: {why}")),
                None if ended => Err("the job ended before its savepoint was taken".to_string()),
                None if now - *asked > SAVEPOINT_TIMEOUT => Err(format!(
                    "the savepoint was not taken within {} s",
                    SAVEPOINT_TIMEOUT.num_seconds()
                )),
                None => return true,
            };
            if let Some(s) = self.service.upgrade() {
                s.snapshot_taken(name, snapshot, result);
            }
            false
        });
    }

    /// The application's directory under the work directory.
    fn app_dir(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// The savepoints of `name`: snapshot -> path.
    fn savepoints(&self, name: &str) -> HashMap<String, String> {
        std::fs::read(self.app_dir(name).join("savepoints.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write_savepoints(&self, name: &str, map: &HashMap<String, String>) {
        let path = self.app_dir(name).join("savepoints.json");
        if let Ok(bytes) = serde_json::to_vec_pretty(map)
            && let Err(e) = std::fs::write(&path, bytes)
        {
            tracing::warn!(path = %path.display(), error = %e, "cannot record the savepoints");
        }
    }

    fn remember(&self, name: &str, snapshot: &str, path: &str) {
        let mut map = self.savepoints(name);
        map.insert(snapshot.to_string(), path.to_string());
        self.write_savepoints(name, &map);
    }

    /// Extracts the code, writes the runtime properties, resolves the bridged streams.
    fn prepare(&self, app: &FlinkAppRecord, restore: Option<&str>) -> anyhow::Result<Prepared> {
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
        let savepoint = match restore {
            None => None,
            Some(snapshot) => Some(self.savepoints(&app.name).remove(snapshot).with_context(|| {
                format!(
                    "snapshot {snapshot} has no savepoint on this twin (it was taken without a running Flink job); start with SKIP_RESTORE_FROM_SNAPSHOT or another snapshot"
                )
            })?),
        };
        let run = self.app_dir(&app.name).join(format!(
            "v{}-{}",
            app.version,
            self.clock.now().timestamp_millis()
        ));
        let app_dir = run.join("code");
        // The tables live across runs: a restored job's source state names the files it read,
        // and its sink's state the files it was writing. A start without restore begins empty.
        let twin_dir = self.app_dir(&app.name).join("tables");
        if savepoint.is_none() {
            for side in ["in", "out", "positions", "control"] {
                let d = twin_dir.join(side);
                if d.exists() {
                    std::fs::remove_dir_all(&d)
                        .with_context(|| format!("cannot clear {}", d.display()))?;
                }
            }
        }
        std::fs::create_dir_all(&app_dir)?;
        std::fs::create_dir_all(twin_dir.join("positions"))?;
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
            savepoint,
        })
    }
}

/// What [`TwinJobs::prepare`] made.
struct Prepared {
    app_dir: PathBuf,
    twin_dir: PathBuf,
    properties: PathBuf,
    tables: Vec<TwinTable>,
    /// The savepoint the job starts from.
    savepoint: Option<String>,
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
        let Some(this) = self.me.upgrade() else {
            return;
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        if let Some(old) = self.jobs.lock().insert(app.name.clone(), tx) {
            let _ = old.send(Command::Stop(None));
        }
        tokio::spawn(this.run(app.clone(), restore.map(str::to_string), rx));
    }

    fn stop(&self, name: &str, snapshot: Option<&str>) {
        let sent = self
            .jobs
            .lock()
            .get(name)
            .is_some_and(|tx| tx.send(Command::Stop(snapshot.map(str::to_string))).is_ok());
        if !sent && let Some(s) = self.service.upgrade() {
            // No job runs (it failed, or the twin restarted): the stop completes at once.
            if let Some(snapshot) = snapshot {
                s.snapshot_taken(
                    name,
                    snapshot,
                    Err("no Flink job was running to take it".into()),
                );
            }
            s.job_stopped(name);
        }
    }

    fn snapshot(&self, app: &str, snapshot: &str) {
        let sent = self
            .jobs
            .lock()
            .get(app)
            .is_some_and(|tx| tx.send(Command::Snapshot(snapshot.to_string())).is_ok());
        if !sent && let Some(s) = self.service.upgrade() {
            s.snapshot_taken(
                app,
                snapshot,
                Err("no Flink job is running to take it".into()),
            );
        }
    }

    fn restart(&self, app: &FlinkAppRecord, restart: &Restart) {
        let command = Command::Restart(Box::new(app.clone()), restart.clone());
        let sent = self
            .jobs
            .lock()
            .get(&app.name)
            .is_some_and(|tx| tx.send(command).is_ok());
        if !sent {
            // No job runs (it failed, or the twin restarted): start the new version.
            if let (Some(s), Some(taken)) = (self.service.upgrade(), &restart.take) {
                s.snapshot_taken(
                    &app.name,
                    taken,
                    Err("no Flink job was running to take it".into()),
                );
            }
            let restore = restart
                .restore
                .as_deref()
                .filter(|r| Some(*r) != restart.take.as_deref());
            JobRunner::start(self, app, restore);
        }
    }

    fn forget_snapshot(&self, app: &str, snapshot: &str) {
        let mut map = self.savepoints(app);
        if let Some(path) = map.remove(snapshot) {
            let dir = PathBuf::from(path.trim_start_matches("file:"));
            if dir.starts_with(&self.work) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            self.write_savepoints(app, &map);
        }
    }
}

/// The stream side of one bridged table.
struct Bridge {
    table: TwinTable,
    dir: PathBuf,
    /// Where a source keeps its read position per shard (the last sequence number written).
    positions: PathBuf,
    /// Whether the job was restored: a source resumes after its positions, a sink leaves the
    /// files it already sent alone; otherwise a source starts at the newest record.
    resume: bool,
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
        let mut positions: HashMap<String, String> = if self.resume {
            std::fs::read(&self.positions)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default()
        } else {
            HashMap::new()
        };
        let mut iterators = Vec::new();
        for shard in shards.shards() {
            use aws_sdk_kinesis::types::ShardIteratorType;
            let id = shard.shard_id();
            let call = kinesis.get_shard_iterator().stream_name(name).shard_id(id);
            let call = match positions.get(id) {
                Some(seq) => call
                    .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                    .starting_sequence_number(seq),
                None => call.shard_iterator_type(ShardIteratorType::Latest),
            };
            let it = call.send().await?;
            iterators.push((id.to_string(), it.shard_iterator().map(str::to_string)));
        }
        let mut batch = 0u64;
        loop {
            let mut lines = Vec::new();
            for (shard, it) in iterators.iter_mut() {
                let Some(current) = it.clone() else { continue };
                let out = kinesis.get_records().shard_iterator(current).send().await?;
                *it = out.next_shard_iterator().map(str::to_string);
                if let Some(last) = out.records().last() {
                    positions.insert(shard.clone(), last.sequence_number().to_string());
                }
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
                // Named by time, so a restored job's files follow the ones it already read.
                let file = format!("batch-{}-{batch:06}", self.clock.now().timestamp_millis());
                let hidden = self.dir.join(format!(".{file}.tmp"));
                std::fs::write(&hidden, text)?;
                std::fs::rename(&hidden, self.dir.join(file))?;
                // Written after the file: a position never runs ahead of the records kept.
                let hidden = self.positions.with_extension("tmp");
                std::fs::write(&hidden, serde_json::to_vec(&positions)?)?;
                std::fs::rename(&hidden, &self.positions)?;
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
        // A restored job's earlier files were sent by the run before.
        let mut done: BTreeSet<PathBuf> = if self.resume {
            committed(&self.dir).into_iter().collect()
        } else {
            BTreeSet::new()
        };
        let mut sent = 0u64;
        let mut last_pass = false;
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
            if last_pass {
                return Ok(());
            }
            // On stop, one more pass: the files the job committed as it stopped.
            tokio::select! {
                _ = stop.changed() => last_pass = true,
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
