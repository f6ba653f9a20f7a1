//! `kdaflow-local` — the local twin of AWS.
//!
//! One HTTP gateway on loopback hosts the services; each speaks its real wire protocol so the
//! official SDKs, boto3 and the AWS CLI work against it unchanged (point them at
//! [`RunningTwin::endpoint_url`]).
//!
//! Layout:
//! - [`config`]: [`TwinConfig`] and every default.
//! - [`gateway`]: the HTTP server, routing by `X-Amz-Target`, authentication and size checks,
//!   `/_kdaflow/*` control endpoints.
//! - [`protocol`]: the AWS JSON protocol (errors, bodies).
//! - [`kinesisanalytics`]: Kinesis Data Analytics v1.
//! - [`lambda`]: the registry of in-process Lambda functions.
//! - [`faults`]: fault injection.
//! - [`store`]: persistence under `--state-dir`.
//! - [`error`]: the twin's own errors ([`LocalError`]).
//!
//! Depends on `kdaflow-asl` (the clock, the interpreter) and `kdaflow-sql` (code validation,
//! the engine), and never on `cli`, `handlers` or `tests`.

pub mod config;
pub mod error;
pub mod faults;
pub mod gateway;
pub mod kinesisanalytics;
pub mod lambda;
pub mod protocol;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;
use kdaflow_asl::clock::{SharedClock, SystemClock};
use tokio::net::TcpListener;

pub use config::TwinConfig;
pub use error::LocalError;
use faults::Faults;
use gateway::{Gateway, Service};
use kinesisanalytics::sql::SqlCodeValidator;
use kinesisanalytics::{CodeValidator, KinesisAnalytics};
use lambda::LambdaRegistry;
use store::Store;

/// The twin: its services, its clock, its faults.
#[derive(Debug, Clone)]
pub struct Twin {
    config: TwinConfig,
    clock: SharedClock,
    faults: Arc<Faults>,
    kinesis_analytics: Arc<KinesisAnalytics>,
    lambda: Arc<LambdaRegistry>,
    gateway: Arc<Gateway>,
}

/// Builds a [`Twin`].
#[derive(Debug)]
pub struct TwinBuilder {
    config: TwinConfig,
    clock: SharedClock,
    validator: Arc<dyn CodeValidator>,
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

    /// Opens the store (if a state directory is configured) and builds the services.
    pub fn build(self) -> Result<Twin, LocalError> {
        let store = Arc::new(match &self.config.state_dir {
            Some(dir) => Store::open(dir)?,
            None => Store::memory(),
        });
        let faults = Arc::new(Faults::default());
        let kinesis_analytics = Arc::new(KinesisAnalytics::new(
            self.config.clone(),
            self.clock.clone(),
            store,
            faults.clone(),
            self.validator,
        )?);
        let lambda = Arc::new(LambdaRegistry::new(
            &self.config.region,
            &self.config.account_id,
        ));
        let services: Vec<Arc<dyn Service>> = vec![kinesis_analytics.clone()];
        let gateway = Arc::new(Gateway::new(
            services,
            faults.clone(),
            self.config.body_limit,
            self.config.require_auth,
        ));
        Ok(Twin {
            config: self.config,
            clock: self.clock,
            faults,
            kinesis_analytics,
            lambda,
            gateway,
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

    /// The Lambda functions hosted in this process.
    pub fn lambda(&self) -> &Arc<LambdaRegistry> {
        &self.lambda
    }

    /// The HTTP router (for in-process tests with `tower::ServiceExt::oneshot`).
    pub fn router(&self) -> axum::Router {
        self.gateway.clone().router()
    }

    /// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // Nagle's algorithm would hold small keep-alive responses back for tens of milliseconds.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
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
