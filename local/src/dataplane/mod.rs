//! The data plane: runs the RUNNING Kinesis Analytics applications of the twin.
//!
//! For each RUNNING application it keeps a compiled `kdaflow_sql` [`Engine`]. Records that reach
//! the application's input (a Firehose delivery stream or a Kinesis stream, from the starting
//! position chosen at StartApplication) go through the input preprocessing Lambda, when one is
//! configured ([`preprocess`]), are parsed per the InputSchema into the in-application stream,
//! and the rows the pumps produce are delivered to the outputs ([`deliver`]): Lambda functions
//! (with the output contract and retries), Kinesis streams and Firehose delivery streams, as CSV
//! or JSON per DestinationSchema. An application leaving RUNNING stops processing and
//! remembers where it stopped, for `LAST_STOPPED_POINT`.
//!
//! Time: everything happens in [`DataPlane::tick`], which processes what is due at the clock's
//! now and returns what it did. Tests on virtual time advance the clock and call
//! [`crate::Twin::pump`]; `kdaflow serve` runs [`DataPlane::spawn_ticker`], which ticks every
//! [`TICK_INTERVAL`] on the clock. ROWTIME is the record's arrival time on the twin's clock
//! (never earlier than the application's start and never decreasing), so results do not depend
//! on when ticks happen.
//!
//! Layout: [`run`] (one application: engine, input, outputs), [`preprocess`] (the input
//! preprocessing contract), [`deliver`] (outputs and the output Lambda contract), [`checks`]
//! (what StartApplication requires to exist), [`discover`] (the streams DiscoverInputSchema
//! samples), [`sample`] (sample reviews streamed through the
//! twin, for `kdaflow up` and `kdaflow send`).

pub mod checks;
pub mod deliver;
pub mod discover;
pub mod preprocess;
pub mod reference;
pub mod run;
pub mod sample;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use kdaflow_asl::clock::SharedClock;
use parking_lot::Mutex;
use serde_json::json;

use crate::error::LocalError;
use crate::firehose::Firehose;
use crate::gateway::Service;
use crate::kinesis::Kinesis;
use crate::kinesisanalytics::app::{AppRecord, Status};
use crate::kinesisanalytics::{KinesisAnalytics, StartHook};
use crate::lambda::Lambda;
use crate::store::Store;
use reference::ObjectSource;
use run::{AppRun, Cursor, Source};
use serde::{Deserialize, Serialize};

pub use kdaflow_sql::Engine;

/// How often the background ticker of `kdaflow serve` processes (a window's rows are delivered
/// at most this long after it closes, plus processing time).
pub const TICK_INTERVAL: Duration = Duration::from_millis(2);

/// Rows delivered to one output in one tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The application.
    pub application: String,
    /// The output's `Name` (the in-application stream).
    pub output: String,
    /// The destination's ARN.
    pub destination: String,
    /// The records accepted by the destination, serialised per DestinationSchema.
    pub records: Vec<String>,
}

/// A row of an application's `error_stream`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    /// The application.
    pub application: String,
    /// ERROR_NAME.
    pub name: String,
    /// MESSAGE.
    pub message: String,
    /// DATA_ROW (hex of the original data).
    pub data_row: String,
}

/// Rows of one in-application stream of a RUNNING application, as they were produced (the
/// live view of the console): its input stream (the source records as parsed), every stream
/// the code creates, and `error_stream`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LiveRows {
    /// The application.
    pub application: String,
    /// The in-application stream.
    pub stream: String,
    /// `ROWTIME` and the stream's columns.
    pub columns: Vec<String>,
    /// Each row: ROWTIME (epoch milliseconds), then the values as JSON output writes them.
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TickReport {
    /// Input records read (before preprocessing).
    pub records_in: usize,
    /// Deliveries, in order.
    pub deliveries: Vec<Delivery>,
    /// error_stream rows produced.
    pub errors: Vec<ErrorRow>,
    /// Things that keep an application from running or delivering (missing resources, …).
    pub problems: Vec<String>,
}

impl TickReport {
    /// The records delivered to `output` of any application, in order.
    pub fn delivered(&self, output: &str) -> Vec<String> {
        self.deliveries
            .iter()
            .filter(|d| d.output == output)
            .flat_map(|d| d.records.iter().cloned())
            .collect()
    }

    fn merge(&mut self, other: TickReport) {
        self.records_in += other.records_in;
        self.deliveries.extend(other.deliveries);
        self.errors.extend(other.errors);
        self.problems.extend(other.problems);
    }
}

/// Where and when an application was asked to start.
#[derive(Debug, Clone)]
struct StartPoint {
    at_ms: i64,
    position: String,
    /// The input's end when the start was accepted (where `NOW` begins).
    now: Option<Cursor>,
}

/// Where a RUNNING application stands, stored so that a restarted twin resumes it exactly.
///
/// The engine's state (open windows, a Random Cut Forest's trees) is rebuilt, not stored: a
/// restarted twin replays the input from where the run began (what retention still holds)
/// through a fresh engine, which is deterministic, and skips the rows each output had already
/// accepted; so no record is lost and no closed window is delivered twice (a row accepted by
/// a destination just before a crash, before its count was stored, is delivered again: the
/// service's own guarantee to destinations is at least once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPoint {
    /// The application version the run compiled.
    pub version: i64,
    /// Where the run began reading.
    pub start: Cursor,
    /// ROWTIME's floor at the start (the start time).
    pub since_ms: i64,
    /// Rows each output (`name -> destination ARN`) accepted since the start.
    pub delivered: BTreeMap<String, u64>,
    /// Where the input stood when the application stopped (`LAST_STOPPED_POINT`).
    pub stopped: Option<Cursor>,
}

/// The store table of run points, by application name.
const POINTS: &str = "dataplane.points";

#[derive(Debug, Default)]
struct State {
    listed: bool,
    runs: BTreeMap<String, AppRun>,
    stopped: BTreeMap<String, Cursor>,
    points: BTreeMap<String, RunPoint>,
}

/// The data plane of a twin.
#[derive(Debug)]
pub struct DataPlane {
    pub(crate) kda: Arc<KinesisAnalytics>,
    pub(crate) firehose: Arc<Firehose>,
    pub(crate) kinesis: Arc<Kinesis>,
    pub(crate) lambda: Arc<Lambda>,
    pub(crate) clock: SharedClock,
    check_resources: bool,
    known: Mutex<BTreeSet<String>>,
    starts: Mutex<BTreeMap<String, StartPoint>>,
    state: tokio::sync::Mutex<State>,
    events: tokio::sync::broadcast::Sender<Arc<TickReport>>,
    /// Every in-application stream's rows, while someone watches ([`DataPlane::subscribe_rows`]).
    live: tokio::sync::broadcast::Sender<Arc<LiveRows>>,
    objects: parking_lot::RwLock<Option<Arc<dyn ObjectSource>>>,
    /// Where delivery streams with an S3 destination write.
    s3: Arc<crate::s3::S3>,
    /// Where run points are kept.
    store: Arc<Store>,
}

/// The services a data plane runs over.
#[derive(Debug)]
pub struct Services {
    /// Kinesis Analytics: the applications.
    pub kda: Arc<KinesisAnalytics>,
    /// Firehose: inputs and outputs.
    pub firehose: Arc<Firehose>,
    /// Kinesis: inputs and outputs.
    pub kinesis: Arc<Kinesis>,
    /// Lambda: preprocessing and output functions.
    pub lambda: Arc<Lambda>,
    /// S3: reference data and Firehose's S3 destinations.
    pub s3: Arc<crate::s3::S3>,
}

impl DataPlane {
    /// A data plane over the twin's services, with the run points found in `store`. With
    /// `check_resources`, StartApplication fails when the application's input, preprocessing
    /// function or destinations do not exist.
    pub fn new(
        services: Services,
        store: Arc<Store>,
        clock: SharedClock,
        check_resources: bool,
    ) -> Result<Self, LocalError> {
        let Services {
            kda,
            firehose,
            kinesis,
            lambda,
            s3,
        } = services;
        let points = store.load_all::<RunPoint>(POINTS)?.into_iter().collect();
        Ok(Self {
            kda,
            firehose,
            kinesis,
            lambda,
            clock,
            check_resources,
            known: Mutex::new(BTreeSet::new()),
            starts: Mutex::new(BTreeMap::new()),
            state: tokio::sync::Mutex::new(State {
                points,
                ..State::default()
            }),
            events: tokio::sync::broadcast::channel(1024).0,
            live: tokio::sync::broadcast::channel(1024).0,
            objects: parking_lot::RwLock::new(Some(s3.clone())),
            s3,
            store,
        })
    }

    /// Stores an application's run point (logged when the disk refuses: the application
    /// keeps running, and a restart before the next write replays from the last one stored).
    fn save_point(&self, state: &mut State, name: &str, point: RunPoint) {
        if let Err(e) = self.store.put(POINTS, name, &point) {
            tracing::warn!(application = name, error = %e, "cannot store where the application stands");
        }
        state.points.insert(name.to_string(), point);
    }

    /// Where reference data objects come from (see [`reference`]; the twin's S3 unless an
    /// embedder sets another); applications that start or change after this read their
    /// reference tables from it.
    pub fn set_object_source(&self, objects: Arc<dyn ObjectSource>) {
        *self.objects.write() = Some(objects);
    }

    /// Whether StartApplication checks that resources exist.
    pub fn checks_resources(&self) -> bool {
        self.check_resources
    }

    /// Every tick's report with deliveries or errors, as it happens (for `kdaflow up`, which
    /// shows windows as they close whoever ticks).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<TickReport>> {
        self.events.subscribe()
    }

    /// The rows of every in-application stream of every RUNNING application as they are
    /// produced, from the first tick after subscribing (applications keep the rows of their
    /// streams for this only while someone is subscribed).
    pub fn subscribe_rows(&self) -> tokio::sync::broadcast::Receiver<Arc<LiveRows>> {
        self.live.subscribe()
    }

    /// Whether someone watches the rows.
    pub(crate) fn rows_watched(&self) -> bool {
        self.live.receiver_count() > 0
    }

    /// Hands `rows` to the watchers.
    pub(crate) fn publish_rows(&self, rows: LiveRows) {
        if !rows.rows.is_empty() {
            let _ = self.live.send(Arc::new(rows));
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The applications on the twin (ListApplications, page by page).
    async fn list_applications(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut body = json!({ "Limit": 50 });
            if let Some(s) = &start {
                body["ExclusiveStartApplicationName"] = json!(s);
            }
            let Ok(bytes) = self
                .kda
                .clone()
                .call("ListApplications", body.to_string().into())
                .await
            else {
                return names;
            };
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let page: Vec<String> = v["ApplicationSummaries"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["ApplicationName"].as_str().map(str::to_string))
                .collect();
            start = page.last().cloned();
            names.extend(page);
            if v["HasMoreApplications"] != json!(true) || start.is_none() {
                return names;
            }
        }
    }

    /// Processes everything due at the clock's now: new input records, closed windows, output
    /// deliveries and retries that are due.
    pub async fn tick(&self) -> TickReport {
        let mut state = self.state.lock().await;
        if !state.listed {
            let names = self.list_applications().await;
            self.known.lock().extend(names);
            state.listed = true;
        }
        let names: Vec<String> = self.known.lock().iter().cloned().collect();
        let mut report = TickReport::default();
        for name in names {
            let now = self.now_ms();
            match self.kda.snapshot(&name) {
                None => {
                    state.runs.remove(&name);
                    state.stopped.remove(&name);
                    if state.points.remove(&name).is_some()
                        && let Err(e) = self.store.delete(POINTS, &name)
                    {
                        tracing::warn!(application = %name, error = %e, "cannot forget a deleted application's run point");
                    }
                    self.starts.lock().remove(&name);
                    self.known.lock().remove(&name);
                }
                Some(app) if app.status == Status::Running => {
                    let stale = state
                        .runs
                        .get(&name)
                        .is_none_or(|r| r.version() != app.version);
                    if stale {
                        let previous = state.runs.remove(&name).map(|r| r.cursor());
                        let stored = state.points.get(&name).cloned();
                        let stopped = state
                            .stopped
                            .remove(&name)
                            .or_else(|| stored.as_ref().and_then(|p| p.stopped.clone()));
                        // Found RUNNING with a run point of a run that never stopped: the twin
                        // restarted under it, so the run is replayed.
                        let replay = stored.filter(|p| {
                            p.stopped.is_none()
                                && previous.is_none()
                                && !self.starts.lock().contains_key(&name)
                        });
                        let begun = match replay {
                            Some(point) => self.resume(&app, point, &mut report.problems),
                            None => self
                                .begin(&app, previous, stopped, now, &mut report.problems)
                                .map(|(run, point)| {
                                    self.save_point(&mut state, &name, point);
                                    run
                                }),
                        };
                        match begun {
                            Ok(run) => {
                                state.runs.insert(name.clone(), run);
                            }
                            Err(problem) => {
                                report
                                    .problems
                                    .push(format!("application {name}: {problem}"));
                                continue;
                            }
                        }
                    }
                    if let Some(run) = state.runs.get_mut(&name) {
                        report.merge(run.process(self, now).await);
                        let delivered = run.delivered();
                        if let Some(point) = state.points.get(&name)
                            && point.delivered != delivered
                        {
                            let point = RunPoint {
                                delivered,
                                ..point.clone()
                            };
                            self.save_point(&mut state, &name, point);
                        }
                    }
                }
                Some(_) => {
                    if let Some(run) = state.runs.remove(&name) {
                        let cursor = run.cursor();
                        let point = RunPoint {
                            stopped: Some(cursor.clone()),
                            ..state.points.get(&name).cloned().unwrap_or_default()
                        };
                        self.save_point(&mut state, &name, point);
                        state.stopped.insert(name, cursor);
                    }
                }
            }
        }
        drop(state);
        // Delivery streams' S3 destinations, after this tick's outputs reached their streams.
        report
            .problems
            .extend(self.firehose.deliver_to_s3(&self.s3).await);
        if !report.deliveries.is_empty() || !report.errors.is_empty() {
            let _ = self.events.send(Arc::new(report.clone()));
        }
        report
    }

    /// Prepares an application that became RUNNING: where its input starts, its engine.
    fn begin(
        &self,
        app: &AppRecord,
        previous: Option<Cursor>,
        stopped: Option<Cursor>,
        now: i64,
        problems: &mut Vec<String>,
    ) -> Result<(AppRun, RunPoint), String> {
        let start = self.starts.lock().remove(&app.name);
        let source = Source::of(app).ok_or("it has no input")?;
        let end = || self.end_cursor(&source);
        let cursor = match (previous, &start) {
            // Reconfigured while running: carry on where it was.
            (Some(c), None) => c,
            (_, Some(s)) => match s.position.as_str() {
                "TRIM_HORIZON" => Cursor::Beginning,
                "LAST_STOPPED_POINT" => stopped.or_else(|| s.now.clone()).unwrap_or_else(end),
                _ => s.now.clone().unwrap_or_else(end),
            },
            // Resumed after an update, or found RUNNING when the twin started.
            (None, None) => stopped.unwrap_or_else(end),
        };
        let since = start.map_or(now, |s| s.at_ms);
        let point = RunPoint {
            version: app.version,
            start: cursor.clone(),
            since_ms: since,
            delivered: BTreeMap::new(),
            stopped: None,
        };
        let run = self.prepare(app, source, cursor, since, &BTreeMap::new(), problems)?;
        Ok((run, point))
    }

    /// A run replayed from its stored point (see [`RunPoint`]).
    fn resume(
        &self,
        app: &AppRecord,
        point: RunPoint,
        problems: &mut Vec<String>,
    ) -> Result<AppRun, String> {
        let source = Source::of(app).ok_or("it has no input")?;
        tracing::info!(application = %app.name, "resuming after a restart: replaying its input from where it started");
        self.prepare(
            app,
            source,
            point.start,
            point.since_ms,
            &point.delivered,
            problems,
        )
    }

    fn prepare(
        &self,
        app: &AppRecord,
        source: Source,
        cursor: Cursor,
        since_ms: i64,
        delivered: &BTreeMap<String, u64>,
        problems: &mut Vec<String>,
    ) -> Result<AppRun, String> {
        let mut run = AppRun::new(app, source, cursor, since_ms, delivered)?;
        let objects = self.objects.read().clone();
        if let Err(problem) = run.load_reference(app, objects.as_deref()) {
            problems.push(format!("application {}: {problem}", app.name));
        }
        Ok(run)
    }

    fn end_cursor(&self, source: &Source) -> Cursor {
        match source {
            Source::Firehose(arn) => self
                .firehose
                .end_offset(arn)
                .map_or(Cursor::Beginning, Cursor::Offset),
            Source::Kinesis(arn) => self
                .kinesis
                .end_positions(arn)
                .map_or(Cursor::Beginning, Cursor::Shards),
        }
    }

    /// Runs [`DataPlane::tick`] every [`TICK_INTERVAL`] on the clock in a background task, until
    /// the returned guard is dropped. A virtual clock gets no ticker (its sleeps would move
    /// time): whoever moves virtual time calls `tick` (or `Twin::pump`).
    pub fn spawn_ticker(self: &Arc<Self>) -> Option<Ticker> {
        if self.clock.is_virtual() {
            return None;
        }
        let dp = self.clone();
        let task = tokio::spawn(async move {
            loop {
                dp.tick().await;
                let next =
                    dp.clock.now() + chrono::Duration::from_std(TICK_INTERVAL).unwrap_or_default();
                dp.clock.sleep_until(next).await;
            }
        });
        Some(Ticker(task))
    }
}

/// The background ticker; dropping it stops it.
#[derive(Debug)]
pub struct Ticker(tokio::task::JoinHandle<()>);

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The hook the twin installs on Kinesis Analytics. It holds the data plane weakly: the data
/// plane holds the Kinesis Analytics service, and a cycle would keep the store open forever.
#[derive(Debug)]
pub struct Hook(std::sync::Weak<DataPlane>);

impl DataPlane {
    /// The [`StartHook`] to install on the Kinesis Analytics service.
    pub fn hook(self: &Arc<Self>) -> Arc<dyn StartHook> {
        Arc::new(Hook(Arc::downgrade(self)))
    }
}

impl StartHook for Hook {
    fn missing(&self, app: &AppRecord) -> Vec<String> {
        self.0.upgrade().map(|d| d.missing(app)).unwrap_or_default()
    }

    fn starting(&self, app: &AppRecord, now_ms: i64) {
        if let Some(d) = self.0.upgrade() {
            d.starting(app, now_ms);
        }
    }
}

impl StartHook for DataPlane {
    fn missing(&self, app: &AppRecord) -> Vec<String> {
        if self.check_resources {
            checks::missing(self, app)
        } else {
            Vec::new()
        }
    }

    fn starting(&self, app: &AppRecord, now_ms: i64) {
        let position = app
            .inputs
            .first()
            .and_then(|i| i.input_starting_position_configuration.as_ref())
            .and_then(|p| p.input_starting_position.clone())
            .unwrap_or_else(|| "NOW".to_string());
        let now = Source::of(app).map(|s| self.end_cursor(&s));
        self.starts.lock().insert(
            app.name.clone(),
            StartPoint {
                at_ms: now_ms,
                position,
                now,
            },
        );
        self.known.lock().insert(app.name.clone());
    }
}

/// Stable per-application seed for the engine's random cut forests.
pub(crate) fn seed_for(name: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
