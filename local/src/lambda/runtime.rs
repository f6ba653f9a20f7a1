//! Functions as processes under the Lambda Runtime API.
//!
//! Each process ("instance") gets its own Runtime API server on `127.0.0.1:<port>`
//! (`AWS_LAMBDA_RUNTIME_API`), the interface the official runtime clients speak
//! (`lambda_runtime` for Rust, `awslambdaric` for Python, `aws-lambda-ric` for Node.js):
//! `GET /2018-06-01/runtime/invocation/next` hands the process its next event,
//! `POST .../invocation/{id}/response` and `.../invocation/{id}/error` return its result,
//! `POST .../init/error` reports a failed initialisation. An instance serves one invocation at a
//! time; idle instances are kept warm and reused; a function has at most its concurrency limit
//! of instances. A timeout kills the process; a process that exits mid-invocation fails it with
//! `Runtime.ExitError`. stdout and stderr are the function's logs.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kdaflow_asl::clock::SharedClock;
use parking_lot::Mutex;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// The Runtime API's version prefix.
const API: &str = "/2018-06-01/runtime";
/// How much of an invocation's log `LogType: Tail` returns (the service's 4 KB).
pub const TAIL_BYTES: usize = 4 * 1024;
/// Log lines kept per function for `kdaflow logs` (older ones are dropped first).
pub const KEPT_LOG_LINES: usize = 10_000;

/// How one process is started.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Working directory (`LAMBDA_TASK_ROOT`).
    pub cwd: PathBuf,
    /// The environment, besides `AWS_LAMBDA_RUNTIME_API` (which the instance adds).
    pub env: Vec<(String, String)>,
}

/// One invocation handed to an instance.
#[derive(Debug)]
pub struct Job {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// The event.
    pub payload: Bytes,
    /// `Lambda-Runtime-Deadline-Ms` (wall clock epoch ms: what the function compares with).
    pub deadline_ms: i64,
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    pub function_arn: String,
    /// `Lambda-Runtime-Client-Context`, if any.
    pub client_context: Option<String>,
}

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The function's response.
    Response(Bytes),
    /// A function error: its `errorType` and the error document it posted (or the twin made).
    Error {
        /// `errorType` (`Runtime.ExitError`, `Sandbox.Timedout`, a function's own name...).
        error_type: String,
        /// The payload returned to the caller (`{"errorMessage", "errorType", ...}`).
        body: Bytes,
    },
}

impl Outcome {
    /// A function error with the twin's own wording.
    pub fn error(error_type: &str, message: String) -> Self {
        let body = serde_json::json!({"errorMessage": message, "errorType": error_type});
        Outcome::Error {
            error_type: error_type.to_string(),
            body: Bytes::from(body.to_string()),
        }
    }
}

/// A function's log: what its processes wrote, newest last.
#[derive(Debug, Default)]
pub struct FunctionLog {
    lines: Mutex<VecDeque<String>>,
}

impl FunctionLog {
    fn push(&self, line: String) {
        let mut l = self.lines.lock();
        if l.len() >= KEPT_LOG_LINES {
            l.pop_front();
        }
        l.push_back(line);
    }

    /// Every kept line, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().iter().cloned().collect()
    }
}

#[derive(Debug)]
struct Current {
    request_id: String,
    reply: oneshot::Sender<Outcome>,
    log: Vec<String>,
}

/// The state one Runtime API server shares with its instance.
#[derive(Debug)]
struct Shared {
    jobs: tokio::sync::Mutex<mpsc::UnboundedReceiver<(Job, oneshot::Sender<Outcome>)>>,
    current: Mutex<Option<Current>>,
    init_error: Mutex<Option<Outcome>>,
    log: Arc<FunctionLog>,
}

/// A running process with its Runtime API.
#[derive(Debug)]
pub struct Instance {
    jobs: mpsc::UnboundedSender<(Job, oneshot::Sender<Outcome>)>,
    shared: Arc<Shared>,
    /// Dropping it (or sending) kills the process: the watcher task owns the child.
    kill: Mutex<Option<oneshot::Sender<()>>>,
    exited: tokio::sync::watch::Receiver<Option<String>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.server.abort();
        self.kill.lock().take();
    }
}

/// Why an instance could not be started.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LaunchError(pub String);

impl Instance {
    /// Starts `launch` with its own Runtime API server; `log` collects its output.
    pub async fn start(launch: &Launch, log: Arc<FunctionLog>) -> Result<Arc<Self>, LaunchError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| LaunchError(format!("cannot bind a Runtime API port: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| LaunchError(e.to_string()))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            jobs: tokio::sync::Mutex::new(rx),
            current: Mutex::new(None),
            init_error: Mutex::new(None),
            log,
        });
        let app = Router::new()
            .route(&format!("{API}/invocation/next"), get(next))
            .route(&format!("{API}/invocation/{{id}}/response"), post(response))
            .route(&format!("{API}/invocation/{{id}}/error"), post(error))
            .route(&format!("{API}/init/error"), post(init_error))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let mut command = tokio::process::Command::new(&launch.program);
        command
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .env_clear()
            .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so that killing it kills what it started too (Lambda
            // ends the whole sandbox).
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            server.abort();
            LaunchError(format!("cannot start {}: {e}", launch.program.display()))
        })?;
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let shared = shared.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(pipe).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(c) = shared.current.lock().as_mut() {
                        c.log.push(line.clone());
                    }
                    shared.log.push(line);
                }
            });
        }
        let (exit_tx, exit_rx) = tokio::sync::watch::channel(None);
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        // The watcher owns the process: it reports the exit, and kills on request (or when the
        // instance is dropped, which drops the sender).
        let group = child
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(id as i32));
        tokio::spawn(async move {
            let status = tokio::select! {
                s = child.wait() => s,
                _ = kill_rx => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            // Whatever the function started goes with it (no such group left is fine).
            if let Some(group) = group {
                let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
            }
            let status = match status {
                Ok(s) => exit_text(s),
                Err(e) => e.to_string(),
            };
            let _ = exit_tx.send(Some(status));
        });
        Ok(Arc::new(Self {
            jobs: tx,
            shared,
            kill: Mutex::new(Some(kill_tx)),
            exited: exit_rx,
            server,
        }))
    }

    /// Whether the process has ended.
    pub fn is_gone(&self) -> bool {
        self.exited.borrow().is_some()
    }

    /// Runs one invocation. `timeout` completes when the function's time is up (on the
    /// twin's clock); the process is then killed. Returns the outcome and the invocation's
    /// log lines.
    pub async fn invoke(
        &self,
        job: Job,
        timeout: impl std::future::Future<Output = ()>,
        timeout_seconds: u32,
    ) -> (Outcome, Vec<String>) {
        let request_id = job.request_id.clone();
        if let Some(e) = self.shared.init_error.lock().clone() {
            return (e, Vec::new());
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        if self.jobs.send((job, reply_tx)).is_err() {
            return (
                Outcome::error(
                    "Runtime.ExitError",
                    format!("RequestId: {request_id} Error: Runtime exited"),
                ),
                Vec::new(),
            );
        }
        let mut exited = self.exited.clone();
        tokio::pin!(timeout);
        let outcome = tokio::select! {
            r = reply_rx => r.unwrap_or_else(|_| Outcome::error(
                "Runtime.ExitError",
                format!("RequestId: {request_id} Error: Runtime exited without providing a reason"),
            )),
            status = exited.wait_for(Option::is_some) => {
                let status = status.ok().and_then(|s| s.clone()).unwrap_or_default();
                self.shared.init_error.lock().clone().unwrap_or_else(|| Outcome::error(
                    "Runtime.ExitError",
                    format!("RequestId: {request_id} Error: Runtime exited with error: {status}"),
                ))
            }
            () = &mut timeout => {
                self.kill();
                Outcome::error(
                    "Sandbox.Timedout",
                    format!("RequestId: {request_id} Error: Task timed out after {timeout_seconds}.00 seconds"),
                )
            }
        };
        // What the function wrote just before answering may still be on its way through the
        // pipe: let the log readers run first.
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        let log = self
            .shared
            .current
            .lock()
            .take()
            .map(|c| c.log)
            .unwrap_or_default();
        (outcome, log)
    }

    /// Kills the process.
    pub fn kill(&self) {
        if let Some(k) = self.kill.lock().take() {
            let _ = k.send(());
        }
    }
}

/// An exit status as the service words it: `exit status 3`, `signal: killed`.
fn exit_text(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                6 => "aborted",
                9 => "killed",
                11 => "segmentation fault",
                15 => "terminated",
                _ => return format!("signal: {sig}"),
            };
            return format!("signal: {name}");
        }
    }
    status.to_string()
}

type Srv = State<Arc<Shared>>;

fn text(status: StatusCode, body: &str) -> Response {
    (status, body.to_string()).into_response()
}

async fn next(State(s): Srv) -> Response {
    let job = { s.jobs.lock().await.recv().await };
    let Some((job, reply)) = job else {
        return text(StatusCode::GONE, "the instance is shutting down");
    };
    *s.current.lock() = Some(Current {
        request_id: job.request_id.clone(),
        reply,
        log: Vec::new(),
    });
    let mut response = (StatusCode::OK, job.payload).into_response();
    let h = response.headers_mut();
    let mut set = |k: &'static str, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set("lambda-runtime-aws-request-id", &job.request_id);
    set("lambda-runtime-deadline-ms", &job.deadline_ms.to_string());
    set("lambda-runtime-invoked-function-arn", &job.function_arn);
    set(
        "lambda-runtime-trace-id",
        &format!(
            "Root=1-{:08x}-{}",
            job.deadline_ms / 1000,
            &job.request_id.replace('-', "")[..24]
        ),
    );
    if let Some(c) = &job.client_context {
        set("lambda-runtime-client-context", c);
    }
    set("content-type", "application/json");
    response
}

fn finish(s: &Shared, id: &str, outcome: Outcome) -> Response {
    let mut current = s.current.lock();
    match current.as_ref() {
        Some(c) if c.request_id == id => {}
        _ => {
            return text(
                StatusCode::BAD_REQUEST,
                &format!(
                    "{{\"errorMessage\":\"invalid request id {id}\",\"errorType\":\"InvalidRequestID\"}}"
                ),
            );
        }
    }
    // Keep the log with the invocation; the reply goes now.
    if let Some(c) = current.as_mut() {
        let (tx, _) = oneshot::channel();
        let reply = std::mem::replace(&mut c.reply, tx);
        let _ = reply.send(outcome);
    }
    text(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn response(State(s): Srv, Path(id): Path<String>, body: Bytes) -> Response {
    finish(&s, &id, Outcome::Response(body))
}

fn error_outcome(headers: &HeaderMap, body: Bytes) -> Outcome {
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let error_type = parsed["errorType"]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            headers
                .get("lambda-runtime-function-error-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "Unhandled".to_string());
    Outcome::Error { error_type, body }
}

async fn error(State(s): Srv, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    finish(&s, &id, error_outcome(&headers, body))
}

async fn init_error(State(s): Srv, headers: HeaderMap, body: Bytes) -> Response {
    let outcome = error_outcome(&headers, body);
    *s.init_error.lock() = Some(outcome.clone());
    if let Some(c) = s.current.lock().as_mut() {
        let (tx, _) = oneshot::channel();
        let _ = std::mem::replace(&mut c.reply, tx).send(outcome);
    }
    text(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

/// The warm instances of one function version, and how many are busy.
#[derive(Debug, Default)]
struct Pool {
    idle: Vec<Arc<Instance>>,
    busy: usize,
}

/// Every function's instances.
#[derive(Debug)]
pub struct Runtimes {
    pools: Mutex<HashMap<String, Pool>>,
    logs: Mutex<HashMap<String, Arc<FunctionLog>>>,
    clock: SharedClock,
}

/// An instance taken from a pool; given back (or discarded) when the invocation ends.
#[derive(Debug)]
pub struct Lease {
    /// The instance.
    pub instance: Arc<Instance>,
    /// Whether it was started for this invocation (a cold start).
    pub cold: bool,
    key: String,
}

impl Runtimes {
    /// No instances yet.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            pools: Mutex::new(HashMap::new()),
            logs: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// The log of function `name`.
    pub fn log(&self, name: &str) -> Arc<FunctionLog> {
        self.logs
            .lock()
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    /// How many instances of `function` (any version) are busy.
    pub fn busy(&self, function: &str) -> usize {
        let prefix = format!("{function}\u{0}");
        self.pools
            .lock()
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, p)| p.busy)
            .sum()
    }

    /// An instance of `function` at `version_key`: a warm one, or a new one if fewer than
    /// `limit` are busy. `None`: the limit is reached (the caller throttles).
    pub async fn lease(
        &self,
        function: &str,
        version_key: &str,
        limit: usize,
        launch: impl FnOnce() -> Result<Launch, LaunchError>,
    ) -> Result<Option<Lease>, LaunchError> {
        let key = format!("{function}\u{0}{version_key}");
        {
            let mut pools = self.pools.lock();
            // Instances of older versions of this function are not used again.
            let prefix = format!("{function}\u{0}");
            pools.retain(|k, p| !k.starts_with(&prefix) || *k == key || p.busy > 0);
            for (k, p) in pools.iter_mut() {
                if k.starts_with(&prefix) && *k != key {
                    p.idle.clear();
                }
            }
            let busy: usize = pools
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(_, p)| p.busy)
                .sum();
            let pool = pools.entry(key.clone()).or_default();
            while let Some(i) = pool.idle.pop() {
                if !i.is_gone() {
                    pool.busy += 1;
                    return Ok(Some(Lease {
                        instance: i,
                        cold: false,
                        key,
                    }));
                }
            }
            if busy >= limit {
                return Ok(None);
            }
            pool.busy += 1;
        }
        let started = match launch() {
            Ok(l) => Instance::start(&l, self.log(function)).await,
            Err(e) => Err(e),
        };
        match started {
            Ok(instance) => Ok(Some(Lease {
                instance,
                cold: true,
                key,
            })),
            Err(e) => {
                if let Some(p) = self.pools.lock().get_mut(&key) {
                    p.busy -= 1;
                }
                Err(e)
            }
        }
    }

    /// Gives an instance back: kept warm unless `discard` (it timed out, crashed or failed to
    /// initialise).
    pub fn release(&self, lease: Lease, discard: bool) {
        let mut pools = self.pools.lock();
        if let Some(p) = pools.get_mut(&lease.key) {
            p.busy = p.busy.saturating_sub(1);
            if !discard && !lease.instance.is_gone() {
                p.idle.push(lease.instance);
            }
        }
    }

    /// Stops every instance of `function`.
    pub fn retire(&self, function: &str) {
        let prefix = format!("{function}\u{0}");
        self.pools.lock().retain(|k, _| !k.starts_with(&prefix));
    }

    /// A future that completes when `seconds` have passed on the twin's clock (a virtual clock
    /// only reaches it when something moves it there).
    pub fn deadline(&self, seconds: u32) -> impl std::future::Future<Output = ()> + Send + 'static {
        let clock = self.clock.clone();
        let deadline = clock.now() + chrono::Duration::seconds(i64::from(seconds));
        async move {
            match clock.limit(deadline) {
                Some(guard) => guard.reached().await,
                None => clock.sleep_until(deadline).await,
            }
        }
    }
}

/// `LogType: Tail`'s text for one invocation: the service's START/END/REPORT lines around what
/// the function wrote, cut to the last 4 KB.
pub fn tail(
    request_id: &str,
    version: &str,
    lines: &[String],
    duration_ms: f64,
    memory: u32,
) -> String {
    let mut text = format!("START RequestId: {request_id} Version: {version}\n");
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str(&format!(
        "END RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: {duration_ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {memory} MB\t\n",
        duration_ms.ceil().max(1.0) as u64
    ));
    if text.len() > TAIL_BYTES {
        let mut cut = text.len() - TAIL_BYTES;
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        text = text[cut..].to_string();
    }
    text
}
