//! `kdaflow-local` — the local twin of AWS.
//!
//! One HTTP gateway on loopback hosts the services; each speaks its real wire protocol so the
//! official SDKs, boto3 and the AWS CLI work against it unchanged (point them at
//! [`RunningTwin::endpoint_url`]).
//!
//! Layout:
//! - [`config`]: [`TwinConfig`] and every default.
//! - [`service`]: what a service is — its name, protocol and one operation table.
//! - [`gateway`]: the HTTP server, routing by the SigV4 credential scope's service and then the
//!   protocol (`X-Amz-Target`, or method and path), authentication and size checks,
//!   `/_kdaflow/*` control endpoints.
//! - [`protocol`]: errors in each protocol's shape, the per-service error enums
//!   ([`aws_errors!`]), awsJson bodies.
//! - [`resources`]: the one resource table every service keeps its resources in (load, get,
//!   not found, ARNs, mutate as copy -> persist -> swap).
//! - [`kinesisanalytics`]: Kinesis Data Analytics v1.
//! - [`kinesisanalyticsv2`]: Managed Service for Apache Flink (the v2 API), for Flink applications.
//! - [`firehose`], [`kinesis`]: Data Firehose and Kinesis Data Streams (ingress and egress).
//! - [`validation`]: the one constraint collector every front end reports violations with.
//! - [`dataplane`]: runs RUNNING applications' SQL over their inputs and delivers the results
//!   ([`Twin::pump`] on virtual time, a background ticker in [`Twin::serve`]).
//! - [`standins`]: stand-ins for the reference application's Lambda functions.
//! - [`s3`]: S3 (REST-XML, through s3s): buckets and objects on disk; reference data,
//!   Firehose's S3 destination, DiscoverInputSchema and Lambda code read and write it.
//! - [`lambda`]: Lambda (REST-JSON): functions run as processes under the Runtime API, and
//!   built-in functions run in this process.
//! - [`states`]: Step Functions (the `kdaflow-asl` interpreter behind the API).
//! - [`events`]: EventBridge rules, patterns and Step Functions targets.
//! - [`faults`]: fault injection.
//! - [`store`]: persistence under `--state-dir`; [`journal`]: its group commit of records.
//! - [`error`]: the twin's own errors ([`LocalError`]).
//!
//! Depends on `kdaflow-asl` (the clock, the interpreter) and `kdaflow-sql` (code validation,
//! the engine), and never on `cli`, `handlers` or `tests`.

pub mod config;
mod control;
pub mod dataplane;
pub mod error;
pub mod events;
pub mod faults;
pub mod firehose;
pub mod gateway;
pub mod journal;
pub mod kinesis;
pub mod kinesisanalytics;
pub mod kinesisanalyticsv2;
pub mod lambda;
pub mod protocol;
pub mod resources;
pub mod s3;
pub mod service;
pub mod standins;
pub mod states;
pub mod store;
pub mod validation;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;
use kdaflow_asl::clock::{SharedClock, SystemClock};
use tokio::net::TcpListener;

pub use config::TwinConfig;
use dataplane::DataPlane;
pub use error::LocalError;
use faults::Faults;
use firehose::Firehose;
use gateway::{Gateway, Service};
use kinesis::Kinesis;
use kinesisanalytics::sql::SqlCodeValidator;
use kinesisanalytics::{CodeValidator, KinesisAnalytics};
use lambda::Lambda;
use store::Store;

/// The twin: its services, its clock, its faults.
#[derive(Debug, Clone)]
pub struct Twin {
    config: TwinConfig,
    clock: SharedClock,
    faults: Arc<Faults>,
    kinesis_analytics: Arc<KinesisAnalytics>,
    managed_flink: Arc<kinesisanalyticsv2::ManagedFlink>,
    firehose: Arc<Firehose>,
    kinesis: Arc<Kinesis>,
    data_plane: Arc<DataPlane>,
    standins: Arc<standins::Registry>,
    lambda: Arc<Lambda>,
    s3: Arc<s3::S3>,
    states: Arc<states::StepFunctions>,
    events: Arc<events::EventBridge>,
    gateway: Arc<Gateway>,
    /// Routes served beside the AWS APIs on the same port (the console), see [`Twin::mount`].
    mounted: Arc<parking_lot::RwLock<Option<axum::Router>>>,
}

/// Builds a [`Twin`].
#[derive(Debug)]
pub struct TwinBuilder {
    config: TwinConfig,
    clock: SharedClock,
    validator: Arc<dyn CodeValidator>,
    resource_checks: bool,
    resume_executions: bool,
}

impl TwinBuilder {
    /// Uses `clock` (default: the wall clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Checks application code with `validator` (default: the SQL engine's validator).
    pub fn code_validator(mut self, validator: Arc<dyn CodeValidator>) -> Self {
        self.validator = validator;
        self
    }

    /// Makes StartApplication fail with `InvalidApplicationConfigurationException` when the
    /// application's input stream, preprocessing function or destinations do not exist on the
    /// twin, as the service does (default: off, so API-only uses need not create them).
    pub fn resource_checks(mut self, on: bool) -> Self {
        self.resource_checks = on;
        self
    }

    /// Resume the executions that were RUNNING when the twin stopped as soon as it is built
    /// (default: on). Turn it off when Lambda functions the executions call are registered after
    /// the build, and call [`states::StepFunctions::resume_running`] once they are.
    pub fn resume_executions(mut self, on: bool) -> Self {
        self.resume_executions = on;
        self
    }

    /// Opens the store (if a state directory is configured) and builds the services.
    pub fn build(self) -> Result<Twin, LocalError> {
        let store = Arc::new(match &self.config.state_dir {
            Some(dir) => Store::open(dir)?,
            None => Store::memory(),
        });
        let faults = Arc::new(Faults::default());
        let calls = Arc::new(gateway::Calls::default());
        let s3 = Arc::new(s3::S3::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            faults.clone(),
            calls.clone(),
        )?);
        let kinesis_analytics = Arc::new(KinesisAnalytics::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            faults.clone(),
            self.validator,
        )?);
        let managed_flink = Arc::new(kinesisanalyticsv2::ManagedFlink::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            faults.clone(),
            kinesis_analytics.clone(),
            s3.clone(),
        )?);
        let lambda = Arc::new(Lambda::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            s3.clone(),
        )?);
        let firehose = Arc::new(Firehose::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
        )?);
        let kinesis = Arc::new(Kinesis::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
        )?);
        let sdk = Arc::new(states::sdk::TwinSdk::new());
        let states = Arc::new(states::StepFunctions::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            lambda.clone(),
            sdk.clone(),
        )?);
        let events = Arc::new(events::EventBridge::new(
            self.config.clone(),
            self.clock.clone(),
            store.clone(),
            states.clone(),
        )?);
        let data_plane = Arc::new(DataPlane::new(
            dataplane::Services {
                kda: kinesis_analytics.clone(),
                firehose: firehose.clone(),
                kinesis: kinesis.clone(),
                lambda: lambda.clone(),
                s3: s3.clone(),
            },
            store.clone(),
            self.clock.clone(),
            self.resource_checks,
        )?);
        kinesis_analytics.set_start_hook(data_plane.hook());
        kinesis_analytics.set_record_sampler(Arc::new(dataplane::discover::StreamSampler::new(
            firehose.clone(),
            kinesis.clone(),
            lambda.clone(),
            s3.clone(),
        )));
        let services: Vec<Arc<dyn Service>> = vec![
            states.clone(),
            events.clone(),
            kinesis_analytics.clone(),
            managed_flink.clone(),
            firehose.clone(),
            kinesis.clone(),
            lambda.clone(),
            // Last: unsigned REST requests no other service routes are S3's.
            s3.clone(),
        ];
        sdk.register_all(&services);
        // Executions that were RUNNING when the twin stopped go on where they were.
        if self.resume_executions && tokio::runtime::Handle::try_current().is_ok() {
            states.resume_running();
        }
        let gateway = Arc::new(Gateway::new(
            services,
            faults.clone(),
            self.config.body_limit,
            self.config.require_auth,
            calls,
        ));
        Ok(Twin {
            config: self.config,
            clock: self.clock,
            faults,
            kinesis_analytics,
            managed_flink,
            firehose,
            kinesis,
            data_plane,
            standins: Arc::default(),
            lambda,
            s3,
            states,
            events,
            gateway,
            mounted: Arc::default(),
        })
    }
}

impl Twin {
    /// A builder with `config`, the wall clock and SQL code validation.
    pub fn builder(config: TwinConfig) -> TwinBuilder {
        TwinBuilder {
            config,
            clock: Arc::new(SystemClock),
            validator: Arc::new(SqlCodeValidator),
            resource_checks: false,
            resume_executions: true,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TwinConfig {
        &self.config
    }

    /// The clock every service reads.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Fault injection.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    /// The Kinesis Analytics service.
    pub fn kinesis_analytics(&self) -> &Arc<KinesisAnalytics> {
        &self.kinesis_analytics
    }

    /// The Managed Service for Apache Flink (kinesisanalyticsv2) service.
    pub fn managed_flink(&self) -> &Arc<kinesisanalyticsv2::ManagedFlink> {
        &self.managed_flink
    }

    /// The Firehose service.
    pub fn firehose(&self) -> &Arc<Firehose> {
        &self.firehose
    }

    /// The Kinesis Data Streams service.
    pub fn kinesis(&self) -> &Arc<Kinesis> {
        &self.kinesis
    }

    /// The Step Functions service.
    pub fn states(&self) -> &Arc<states::StepFunctions> {
        &self.states
    }

    /// The data plane (running applications).
    pub fn data_plane(&self) -> &Arc<DataPlane> {
        &self.data_plane
    }

    /// Processes everything due at the clock's now: records that arrived, windows that closed,
    /// deliveries and retries that are due. Tests on virtual time call it after moving the
    /// clock; `serve` runs a ticker that calls it.
    pub async fn pump(&self) -> dataplane::TickReport {
        self.data_plane.tick().await
    }

    /// The inspectable stand-in functions.
    pub fn standins(&self) -> &Arc<standins::Registry> {
        &self.standins
    }

    /// The EventBridge service.
    pub fn events(&self) -> &Arc<events::EventBridge> {
        &self.events
    }

    /// The Lambda service: functions run as processes, and built-in functions run in this
    /// process.
    pub fn lambda(&self) -> &Arc<Lambda> {
        &self.lambda
    }

    /// The S3 service.
    pub fn s3(&self) -> &Arc<s3::S3> {
        &self.s3
    }

    /// Calls per operation (`<service>.<Operation>`, e.g.
    /// `kinesisanalytics.DescribeApplication`) served so far.
    pub fn call_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.gateway.call_counts()
    }

    /// Calls served so far to the operations of service `name` (e.g.
    /// [`kinesisanalytics::SERVICE_NAME`]).
    pub fn calls_to(&self, name: &str) -> u64 {
        let prefix = format!("{name}.");
        self.gateway
            .call_counts()
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v)
            .sum()
    }

    /// Every hosted service, as the gateway routes to them.
    pub fn services(&self) -> &[Arc<dyn Service>] {
        self.gateway.services()
    }

    /// The HTTP router (for in-process tests with `tower::ServiceExt::oneshot`): the AWS APIs,
    /// the `/_kdaflow/` control endpoints and whatever was [mounted](Twin::mount).
    pub fn router(&self) -> axum::Router {
        let router = self.api_router();
        match self.mounted.read().clone() {
            Some(extra) => router.merge(extra),
            None => router,
        }
    }

    /// The AWS APIs and the `/_kdaflow/` control endpoints, without mounted routes (what a
    /// mounted client of the twin, like the console, calls in-process).
    pub fn api_router(&self) -> axum::Router {
        self.gateway.clone().router().merge(control::router(
            self.standins.clone(),
            self.lambda.clone(),
            self.firehose.clone(),
        ))
    }

    /// Serves `routes` beside the AWS APIs on the twin's port from the next [`Twin::serve`]
    /// on (their paths must not be AWS API paths: the console uses `/console/`).
    pub fn mount(&self, routes: axum::Router) {
        *self.mounted.write() = Some(routes);
    }

    /// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if let Ok(addr) = listener.local_addr() {
            // Functions reach the twin's services through this endpoint.
            self.lambda.set_endpoint(&format!("http://{addr}"));
        }
        // Nagle's algorithm would hold small keep-alive responses back for tens of milliseconds.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let _ticker = self.data_plane.spawn_ticker();
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Binds `127.0.0.1:port` (0 picks a free port) and serves in a background task.
    pub async fn spawn(&self, port: u16) -> Result<RunningTwin, LocalError> {
        self.spawn_on(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
    }

    /// Binds `addr` and serves in a background task.
    pub async fn spawn_on(&self, addr: SocketAddr) -> Result<RunningTwin, LocalError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| LocalError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| LocalError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let twin = self.clone();
        let task = tokio::spawn(async move {
            twin.serve(listener, async {
                let _ = rx.await;
            })
            .await
        });
        Ok(RunningTwin {
            addr: local,
            shutdown: Some(tx),
            task,
            twin: self.clone(),
        })
    }
}

/// A twin serving in the background. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningTwin {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    twin: Twin,
}

impl RunningTwin {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, for `--endpoint-url` / `AWS_ENDPOINT_URL`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The twin being served.
    pub fn twin(&self) -> &Twin {
        &self.twin
    }

    /// Stops accepting connections, finishes in-flight requests and waits for the server.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

impl Drop for RunningTwin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
