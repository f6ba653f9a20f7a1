//! Running a translated job on a real Flink: the mini-cluster inside `python main.py`, or a
//! standalone cluster (one JobManager, TaskManagers) started from PyFlink's own distribution
//! and stopped afterwards; the sinks' files read back; the wall time and the peak resident
//! memory of every process the run started.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kdaflow_asl::clock::{Clock, SystemClock};
use tokio::process::{Child, Command};

use base64::Engine as _;
use kdaflow_sql::coerce::{format_date, format_time, format_timestamp};
use kdaflow_sql::plan::Column;
use kdaflow_sql::{Row, Value};

use crate::env::{FlinkEnv, Java};
use crate::translate::TableInfo;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A process could not be started.
    #[error("cannot start {what}: {source}")]
    Spawn {
        /// What.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// The job failed; the log's last lines say why.
    #[error("the Flink job failed ({status}); the end of its log ({log}):\n{tail}")]
    Failed {
        /// The exit status.
        status: String,
        /// The log file.
        log: PathBuf,
        /// Its last lines.
        tail: String,
    },
    /// The job did not finish in time.
    #[error("the Flink job did not finish within {0:?}; it was stopped (log: {1})")]
    Timeout(Duration, PathBuf),
    /// Ctrl-C: the job (and the cluster) were stopped.
    #[error("interrupted: the Flink job and its cluster were stopped")]
    Interrupted,
    /// The standalone cluster did not come up.
    #[error("the standalone cluster did not start: {0}")]
    Cluster(String),
    /// Reading inputs or outputs failed.
    #[error("{0}")]
    Io(String),
}

/// What a run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunStats {
    /// From starting the job to its end (the cluster's start-up not included).
    pub job_seconds: f64,
    /// Starting the cluster (0 for the mini-cluster, which starts inside the job).
    pub cluster_seconds: f64,
    /// The largest sum of resident memory of the run's processes, sampled every 100 ms (kB).
    pub peak_rss_kb: u64,
}

/// Where to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The mini-cluster inside the Python process's JVM.
    Mini,
    /// A standalone cluster of one JobManager and this many TaskManagers (two slots each).
    Standalone(usize),
}

/// A run's directories and settings.
#[derive(Debug, Clone)]
pub struct RunSpec<'a> {
    /// The application directory (`main.py`, `job.json`).
    pub app: &'a Path,
    /// The source directories' parent.
    pub input: &'a Path,
    /// The sink directories' parent.
    pub output: &'a Path,
    /// The job's parallelism.
    pub parallelism: usize,
    /// Where.
    pub target: Target,
    /// Stop the job after this long.
    pub timeout: Duration,
}

/// The resident memory (kB) of `roots` and all their descendants.
pub fn tree_rss_kb(roots: &[u32]) -> u64 {
    let mut parent: BTreeMap<u32, u32> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces, so split after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
        if let Some(ppid) = ppid {
            parent.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if roots.contains(&pid) {
                return true;
            }
            match parent.get(&pid) {
                Some(&p) if p != 0 && p != pid => pid = p,
                _ => return false,
            }
        }
        false
    };
    parent
        .keys()
        .filter(|&&pid| in_tree(pid))
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                })
                .unwrap_or(0)
        })
        .sum()
}

/// Samples the memory of a set of process trees every 100 ms until dropped.
struct Sampler {
    stop: Option<mpsc::Sender<()>>,
    peak: Arc<AtomicU64>,
    roots: Arc<parking_lot::Mutex<Vec<u32>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start() -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let peak = Arc::new(AtomicU64::new(0));
        let roots: Arc<parking_lot::Mutex<Vec<u32>>> = Arc::default();
        let thread = {
            let (peak, roots) = (peak.clone(), roots.clone());
            std::thread::spawn(move || {
                // A sample, then the next one unless told to stop meanwhile.
                loop {
                    let now = tree_rss_kb(&roots.lock());
                    peak.fetch_max(now, Ordering::Relaxed);
                    match stopped.recv_timeout(Duration::from_millis(100)) {
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
            })
        };
        Self {
            stop: Some(stop),
            peak,
            roots,
            thread: Some(thread),
        }
    }

    fn watch(&self, pid: u32) {
        self.roots.lock().push(pid);
    }

    fn peak(mut self) -> u64 {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // Dropping the sender stops the thread.
        self.stop.take();
    }
}

fn kill_group(pid: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// What a failed job's log says: its exception messages (Java's and Python's, without the
/// stack frames), else its last `n` lines.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut causes: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        let is_cause = (l.contains("Exception:") || l.contains("Error:"))
            && !l.starts_with("at ")
            && !causes.contains(&l);
        if is_cause {
            causes.push(l);
        }
    }
    if !causes.is_empty() {
        return causes
            .iter()
            .rev()
            .take(n)
            .rev()
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Waits for a child, killing its process group after `timeout` or on Ctrl-C.
async fn wait(mut child: Child, timeout: Duration, log: &Path) -> Result<(), RunError> {
    let pid = child.id().unwrap_or(0);
    let waited = tokio::select! {
        w = tokio::time::timeout(timeout, child.wait()) => w,
        _ = tokio::signal::ctrl_c() => {
            kill_group(pid);
            let _ = child.wait().await;
            return Err(RunError::Interrupted);
        }
    };
    match waited {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(RunError::Failed {
            status: status.to_string(),
            log: log.to_path_buf(),
            tail: tail(log, 12),
        }),
        Ok(Err(e)) => Err(RunError::Io(format!("waiting for the job: {e}"))),
        Err(_) => {
            kill_group(pid);
            let _ = child.wait().await;
            Err(RunError::Timeout(timeout, log.to_path_buf()))
        }
    }
}

fn command(program: &Path, java: &Java, log: &Path) -> Result<Command, RunError> {
    let out = std::fs::File::create(log)
        .map_err(|e| RunError::Io(format!("cannot create {}: {e}", log.display())))?;
    let err = out
        .try_clone()
        .map_err(|e| RunError::Io(format!("{}: {e}", log.display())))?;
    let mut c = Command::new(program);
    c.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .kill_on_drop(true);
    if let Some(home) = &java.home {
        c.env("JAVA_HOME", home);
    }
    Ok(c)
}

/// A job the kdaflow twin runs for a kinesisanalyticsv2 application: `main.py --twin-dir` on
/// the mini-cluster, in its own process group, until it ends or is stopped.
#[derive(Debug)]
pub struct TwinJob {
    child: Child,
    log: PathBuf,
}

impl TwinJob {
    /// Starts the job of the application directory `app` (a translated application's zip,
    /// extracted), its tables under `twin_dir`, its runtime properties in `properties`, from
    /// the savepoint `restore` if one is given.
    #[allow(clippy::too_many_arguments)]
    pub fn spawn(
        env: &FlinkEnv,
        java: &Java,
        app: &Path,
        twin_dir: &Path,
        properties: &Path,
        region: &str,
        parallelism: u32,
        restore: Option<(&str, bool)>,
    ) -> Result<Self, RunError> {
        let log = twin_dir.join("flink.log");
        let mut c = command(&env.python(), java, &log)?;
        c.arg(app.join("main.py"))
            .arg("--twin-dir")
            .arg(twin_dir)
            .args(["--parallelism", &parallelism.max(1).to_string()])
            .env("KDAFLOW_PROPERTIES", properties)
            .env("AWS_REGION", region)
            .current_dir(app);
        if let Some((savepoint, allow_non_restored_state)) = restore {
            c.args(["--restore", savepoint]);
            if allow_non_restored_state {
                c.arg("--allow-non-restored-state");
            }
        }
        let child = c.spawn().map_err(|source| RunError::Spawn {
            what: env.python().display().to_string(),
            source,
        })?;
        Ok(Self { child, log })
    }

    /// The Flink job's id, once `main.py` has submitted it.
    pub fn submitted(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.log).ok()?;
        text.lines().find_map(|l| {
            l.strip_prefix("kdaflow: job ")
                .and_then(|r| r.strip_suffix(" submitted"))
                .map(str::to_string)
        })
    }

    /// Waits for the job's process to end; the error says why it did (its log's exceptions).
    pub async fn ended(&mut self) -> String {
        match self.child.wait().await {
            Ok(status) => format!("the Flink job ended ({status}): {}", tail(&self.log, 6)),
            Err(e) => format!("the Flink job could not be watched: {e}"),
        }
    }

    /// Stops the job: its process group is killed (the mini-cluster lives in it).
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            kill_group(pid);
        }
        let _ = self.child.wait().await;
    }

    /// The job's log.
    pub fn log(&self) -> &Path {
        &self.log
    }
}

/// Asks the job whose tables are under `twin_dir` for a savepoint named `name` (`stop`: and to
/// stop with it); [`savepoint_answer`] says how it went.
pub fn request_savepoint(twin_dir: &Path, name: &str, stop: bool) -> std::io::Result<()> {
    let control = twin_dir.join("control");
    std::fs::create_dir_all(&control)?;
    let kind = if stop { "stop" } else { "savepoint" };
    let hidden = control.join(format!(".{kind}-{name}"));
    std::fs::write(&hidden, b"")?;
    std::fs::rename(&hidden, control.join(format!("{kind}-{name}")))
}

/// The job's answer to [`request_savepoint`]: the savepoint's path, or why it failed; `None`
/// while it is being taken.
pub fn savepoint_answer(twin_dir: &Path, name: &str) -> Option<Result<String, String>> {
    let control = twin_dir.join("control");
    if let Ok(path) = std::fs::read_to_string(control.join(format!("done-{name}"))) {
        return Some(Ok(path.trim().to_string()));
    }
    std::fs::read_to_string(control.join(format!("failed-{name}")))
        .ok()
        .map(|why| Err(why.trim().to_string()))
}

/// Runs a job and returns what it measured; the sinks' files are under `spec.output`.
pub async fn run(env: &FlinkEnv, java: &Java, spec: &RunSpec<'_>) -> Result<RunStats, RunError> {
    std::fs::create_dir_all(spec.output)
        .map_err(|e| RunError::Io(format!("cannot create {}: {e}", spec.output.display())))?;
    let sampler = Sampler::start();
    let log = spec.app.join("flink.log");
    let args = [
        "--input-dir".to_string(),
        spec.input.display().to_string(),
        "--output-dir".to_string(),
        spec.output.display().to_string(),
        "--parallelism".to_string(),
        spec.parallelism.to_string(),
    ];
    match spec.target {
        Target::Mini => {
            let started = Instant::now();
            let mut c = command(&env.python(), java, &log)?;
            c.arg(spec.app.join("main.py"))
                .args(&args)
                .current_dir(spec.app);
            let child = c.spawn().map_err(|source| RunError::Spawn {
                what: env.python().display().to_string(),
                source,
            })?;
            sampler.watch(child.id().unwrap_or(0));
            wait(child, spec.timeout, &log).await?;
            Ok(RunStats {
                job_seconds: started.elapsed().as_secs_f64(),
                cluster_seconds: 0.0,
                peak_rss_kb: sampler.peak(),
            })
        }
        Target::Standalone(workers) => {
            let started = Instant::now();
            let cluster = Cluster::start(env, java, workers, spec.app, &sampler).await?;
            let cluster_seconds = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let flink = cluster.home.join("bin").join("flink");
            let mut c = command(&flink, java, &log)?;
            c.env("FLINK_CONF_DIR", &cluster.conf)
                .args(["run", "--python"])
                .arg(spec.app.join("main.py"))
                .arg("--pyFiles")
                .arg(spec.app.join("kdaflow_rcf.py"))
                .arg("--pyClientExecutable")
                .arg(env.python())
                .arg("--pyExecutable")
                .arg(env.python())
                .args(["--parallelism", &spec.parallelism.to_string()])
                .args(&args)
                .current_dir(spec.app);
            let child = c.spawn().map_err(|source| RunError::Spawn {
                what: flink.display().to_string(),
                source,
            })?;
            sampler.watch(child.id().unwrap_or(0));
            let result = wait(child, spec.timeout, &log).await;
            let job_seconds = started.elapsed().as_secs_f64();
            cluster.stop().await;
            result?;
            Ok(RunStats {
                job_seconds,
                cluster_seconds,
                peak_rss_kb: sampler.peak(),
            })
        }
    }
}

/// A standalone cluster on loopback with a private configuration directory.
struct Cluster {
    home: PathBuf,
    conf: PathBuf,
    java: Java,
    /// The pid files the scripts write.
    pids: PathBuf,
}

impl Cluster {
    async fn start(
        env: &FlinkEnv,
        java: &Java,
        workers: usize,
        scratch: &Path,
        sampler: &Sampler,
    ) -> Result<Self, RunError> {
        let home = env.flink_home().ok_or_else(|| {
            RunError::Cluster(format!("{} has no pyflink/bin", env.dir.display()))
        })?;
        let conf = scratch.join("cluster-conf");
        let pids = scratch.join("cluster-pids");
        let logs = scratch.join("cluster-logs");
        for d in [&conf, &pids, &logs] {
            std::fs::create_dir_all(d)
                .map_err(|e| RunError::Io(format!("cannot create {}: {e}", d.display())))?;
        }
        // Everything on loopback; ports picked free so two runs never collide.
        let port = |start: u16| -> u16 {
            (start..start + 1000)
                .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
                .unwrap_or(start)
        };
        let rpc = port(16123);
        let rest = port(18081);
        // The JVM flags Flink needs on Java 17 (`--add-opens ...`), from the distribution's own
        // configuration.
        let default_conf =
            std::fs::read_to_string(home.join("conf").join("config.yaml")).unwrap_or_default();
        let java_opts = default_conf
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("all:")
                    .filter(|o| o.contains("--add-opens"))
            })
            .unwrap_or_default()
            .trim()
            .to_string();
        let config = format!(
            "env.java.opts.all: {java_opts}\njobmanager.rpc.address: 127.0.0.1\njobmanager.bind-host: 127.0.0.1\njobmanager.rpc.port: {rpc}\nrest.address: 127.0.0.1\nrest.bind-address: 127.0.0.1\nrest.port: {rest}\ntaskmanager.bind-host: 127.0.0.1\ntaskmanager.host: 127.0.0.1\ntaskmanager.numberOfTaskSlots: 2\njobmanager.memory.process.size: 768m\ntaskmanager.memory.process.size: 2048m\ntaskmanager.memory.network.max: 512mb\npekko.ask.timeout: 120 s\nheartbeat.timeout: 120000\nparallelism.default: 1\nenv.pid.dir: {}\nenv.log.dir: {}\n",
            pids.display(),
            logs.display()
        );
        std::fs::write(conf.join("config.yaml"), config)
            .map_err(|e| RunError::Io(format!("cannot write the cluster's config: {e}")))?;
        for f in [
            "log4j.properties",
            "log4j-console.properties",
            "log4j-cli.properties",
            "logback.xml",
        ] {
            let _ = std::fs::copy(home.join("conf").join(f), conf.join(f));
        }
        std::fs::write(conf.join("masters"), "127.0.0.1:0\n")
            .and_then(|_| {
                std::fs::write(conf.join("workers"), "127.0.0.1\n".repeat(workers.max(1)))
            })
            .map_err(|e| RunError::Io(format!("cannot write the cluster's hosts: {e}")))?;
        let cluster = Self {
            home: home.clone(),
            conf: conf.clone(),
            java: java.clone(),
            pids,
        };
        let script = |name: &str| -> Result<Child, RunError> {
            let log = logs.join(format!("{name}.out"));
            let mut c = command(&home.join("bin").join(name), java, &log)?;
            c.env("FLINK_CONF_DIR", &conf).arg("start");
            c.spawn().map_err(|source| RunError::Spawn {
                what: name.to_string(),
                source,
            })
        };
        let started = script("jobmanager.sh")?;
        wait(
            started,
            Duration::from_secs(60),
            &logs.join("jobmanager.sh.out"),
        )
        .await?;
        for _ in 0..workers.max(1) {
            let started = script("taskmanager.sh")?;
            wait(
                started,
                Duration::from_secs(60),
                &logs.join("taskmanager.sh.out"),
            )
            .await?;
        }
        for pid in cluster.daemon_pids() {
            sampler.watch(pid);
        }
        // Ready when the REST API reports every TaskManager.
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(n) = taskmanagers(rest)
                && n >= workers.max(1)
            {
                return Ok(cluster);
            }
            if Instant::now() > deadline {
                cluster.stop().await;
                return Err(RunError::Cluster(format!(
                    "{} TaskManager(s) did not register within 90 s (logs: {})",
                    workers,
                    logs.display()
                )));
            }
            // The JobManager has no way to wait for registrations: poll its REST API.
            SystemClock.sleep(chrono::Duration::milliseconds(250)).await;
        }
    }

    fn daemon_pids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.pids) {
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                out.extend(
                    text.split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                );
            }
        }
        out
    }

    async fn stop(&self) {
        for (script, arg) in [
            ("taskmanager.sh", "stop-all"),
            ("jobmanager.sh", "stop-all"),
        ] {
            let _ = Command::new(self.home.join("bin").join(script))
                .env("FLINK_CONF_DIR", &self.conf)
                .envs(self.java.home.iter().map(|h| ("JAVA_HOME", h)))
                .arg(arg)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .await;
        }
        // Whatever the scripts left.
        for pid in self.daemon_pids() {
            if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
                let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
            }
        }
    }
}

/// The number of TaskManagers the JobManager's REST API lists, if it answers.
fn taskmanagers(port: u16) -> Option<usize> {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET /taskmanagers HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let json = body.split_once("\r\n\r\n")?.1;
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    Some(v.get("taskmanagers")?.as_array()?.len())
}

/// The rows a sink wrote: every committed file under `<output>/<dir>/` (in-progress files
/// are hidden, starting with `.`), one JSON object per line.
pub fn read_sink(
    output: &Path,
    sink: &TableInfo,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, RunError> {
    let dir = output.join(&sink.dir);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect(),
        // A sink that got no row makes no directory.
        Err(_) => return Ok(Vec::new()),
    };
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        let file = std::fs::File::open(&f)
            .map_err(|e| RunError::Io(format!("cannot read {}: {e}", f.display())))?;
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line =
                line.map_err(|e| RunError::Io(format!("cannot read {}: {e}", f.display())))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(serde_json::Value::Object(m)) => rows.push(m),
                _ => {
                    return Err(RunError::Io(format!(
                        "{}:{}: not a JSON object: {line}",
                        f.display(),
                        i + 1
                    )));
                }
            }
        }
    }
    Ok(rows)
}

/// A value as Flink's `json` format reads it (ISO-8601 times, plain decimals, base64 bytes).
pub fn json_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Double(d) if d.is_finite() => format!("{d:?}"),
        Value::Double(_) => "null".into(),
        Value::Decimal(d) => d.to_string(),
        Value::Str(s) => serde_json::to_string(&**s).unwrap_or_default(),
        Value::Bytes(b) => format!(
            "\"{}\"",
            base64::engine::general_purpose::STANDARD.encode(b)
        ),
        Value::Timestamp(ms) => format!("\"{}\"", format_timestamp(*ms).replacen(' ', "T", 1)),
        Value::Date(d) => format!("\"{}\"", format_date(*d)),
        Value::Time(t) => format!("\"{}\"", format_time(*t)),
        Value::Interval(ms) => ms.to_string(),
    }
}

/// Writes a source table's rows (values in the stream's column order, and ROWTIME) as the
/// one file of its directory under `input`, in the order given (ROWTIME order: the watermark
/// follows it). Returns the rows written.
pub fn write_source(
    input: &Path,
    source: &TableInfo,
    columns: &[Column],
    rows: impl IntoIterator<Item = (i64, Vec<Value>)>,
) -> Result<usize, RunError> {
    use std::io::Write;
    let dir = input.join(&source.dir);
    let io = |e: std::io::Error| RunError::Io(format!("cannot write {}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(dir.join("part-0.json")).map_err(io)?);
    let mut n = 0;
    for (t, values) in rows {
        let mut obj = String::from("{");
        for (c, v) in columns.iter().zip(&values) {
            obj.push_str(&serde_json::to_string(&c.name).unwrap_or_default());
            obj.push(':');
            obj.push_str(&json_value(v));
            obj.push(',');
        }
        obj.push_str(&format!(
            "\"ROWTIME\":{}}}",
            json_value(&Value::Timestamp(t))
        ));
        writeln!(out, "{obj}").map_err(io)?;
        n += 1;
    }
    out.flush().map_err(io)?;
    Ok(n)
}

/// A sink's rows as engine rows of the stream's `columns`.
pub fn read_rows(
    output: &Path,
    sink: &TableInfo,
    columns: &[Column],
) -> Result<Vec<Row>, RunError> {
    read_sink(output, sink)?
        .iter()
        .map(|m| crate::compare::row(columns, m))
        .collect::<Result<Vec<Row>, String>>()
        .map_err(|e| RunError::Io(format!("{}: {e}", sink.stream)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_as_flink_reads_them() {
        assert_eq!(
            json_value(&Value::Timestamp(1_767_225_600_000)),
            "\"2026-01-01T00:00:00.000\""
        );
        assert_eq!(json_value(&Value::str("a\"b")), "\"a\\\"b\"");
        assert_eq!(json_value(&Value::Double(2.0)), "2.0");
        assert_eq!(json_value(&Value::Bytes(b"ab"[..].into())), "\"YWI=\"");
    }
}
