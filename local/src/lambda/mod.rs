//! AWS Lambda (`2015-03-31`, restJson1) on the twin: functions whose code runs as real local
//! processes under the Lambda Runtime API, and built-in functions that run in the twin's
//! process (the bootstrap's tasks in process, the reference application's stand-ins).
//!
//! Layout:
//! - [`model`]: what is stored about a function (its `$LATEST`, versions, aliases), the wire
//!   shapes.
//! - `routes`: method and path -> operation (the restJson1 seam of [`crate::service`]).
//! - `functions`: Create/Get/GetConfiguration/List/Delete/UpdateFunctionCode/Configuration,
//!   and concurrency.
//! - `versions`: PublishVersion, ListVersionsByFunction, the alias operations.
//! - `invoke`: Invoke (RequestResponse, Event, DryRun; `LogType: Tail`).
//! - [`code`]: zips stored by digest and unpacked once.
//! - [`runtime`]: processes with their Runtime API, warm pools, timeouts, logs.
//! - [`builtin`]: the in-process functions.
//!
//! Step Functions tasks and the Kinesis Analytics data plane invoke through
//! [`Lambda::invoke_function`] (the [`LambdaFunctions`] seam of `kdaflow-asl`): stored
//! functions first, then built-ins.

pub mod builtin;
pub mod code;
pub mod error;
mod functions;
mod invoke;
mod languages;
pub mod model;
pub mod recent;
mod routes;
pub mod runtime;
mod versions;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::task::{LambdaError, LambdaFunctions};
use serde_json::Value;

pub use builtin::{FnFunction, FunctionFuture, LambdaRegistry, LocalFunction, function};
pub use error::LambdaApiError;
pub use functions::LocalFunctionSpec;
pub use invoke::{InvocationType, Invoked};

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::protocol::AwsError;
use crate::resources::Table;
use crate::service::{BoxFuture, Handler, Operation, Operations, Protocol, Reply, Request};
use crate::store::Store;
use model::FunctionRecord;

/// The service name (signing name, fault injection).
pub const SERVICE_NAME: &str = "lambda";
/// The store table of functions, keyed by name.
const TABLE: &str = "lambda.functions";
/// Instances a function may run at once unless its reserved concurrency says otherwise (the
/// twin's default, far below the account's 1,000: a laptop, not a fleet).
pub const DEFAULT_CONCURRENCY: usize = 10;

/// The Lambda service of the twin.
#[derive(Debug)]
pub struct Lambda {
    config: TwinConfig,
    clock: SharedClock,
    functions: Table<FunctionRecord>,
    builtins: LambdaRegistry,
    code: code::CodeStore,
    /// Where `Code.S3Bucket`/`S3Key` packages are read from.
    s3: Arc<crate::s3::S3>,
    runtimes: runtime::Runtimes,
    /// The twin's own endpoint, set when it serves: functions get it as `AWS_ENDPOINT_URL`.
    endpoint: OnceLock<String>,
    /// Prepared language runtimes (the interface clients), once each.
    python: tokio::sync::OnceCell<Result<PathBuf, String>>,
    node: tokio::sync::OnceCell<Result<PathBuf, String>>,
    concurrency: usize,
    /// The latest invocations of each function.
    recent: recent::Recent,
}

impl Lambda {
    /// The service, with the functions found in `store`; code lives under the state directory
    /// (or a temporary directory).
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        s3: Arc<crate::s3::S3>,
    ) -> Result<Self, LocalError> {
        let code = code::CodeStore::open(config.state_dir.as_deref()).map_err(|source| {
            LocalError::StateDir {
                path: config.state_dir.clone().unwrap_or_else(std::env::temp_dir),
                source,
            }
        })?;
        let arn_prefix = format!(
            "arn:aws:lambda:{}:{}:function:",
            config.region, config.account_id
        );
        let functions = Table::load(
            TABLE,
            store,
            clock.clone(),
            move |name: &str| {
                LambdaApiError::ResourceNotFound
                    .with(format!("Function not found: {arn_prefix}{name}"))
            },
            |_| (),
        )?;
        Ok(Self {
            builtins: LambdaRegistry::new(&config.region, &config.account_id),
            runtimes: runtime::Runtimes::new(clock.clone()),
            config,
            clock,
            functions,
            code,
            s3,
            endpoint: OnceLock::new(),
            python: tokio::sync::OnceCell::new(),
            node: tokio::sync::OnceCell::new(),
            concurrency: DEFAULT_CONCURRENCY,
            recent: recent::Recent::default(),
        })
    }

    /// Tells the service the twin's endpoint (functions call the twin's services through it).
    pub fn set_endpoint(&self, url: &str) {
        let _ = self.endpoint.set(url.to_string());
    }

    /// The ARN of function `name` on this twin.
    pub fn arn(&self, name: &str) -> String {
        self.builtins.arn(name)
    }

    /// Registers (or replaces) built-in function `name`, run in the twin's process; returns
    /// its ARN.
    pub fn register(&self, name: &str, function: Arc<dyn LocalFunction>) -> String {
        self.builtins.register(name, function)
    }

    /// Removes stored function `name` if there is one (its built-in namesake, if any, is
    /// invoked again).
    pub fn forget(&self, name: &str) {
        if let Err(e) = self.functions.remove(name, |_| Ok(())) {
            tracing::warn!(function = name, error = %e, "could not remove a stored function");
        }
        self.runtimes.retire(name);
    }

    /// The names of the built-in functions.
    pub fn builtin_names(&self) -> Vec<String> {
        self.builtins.names()
    }

    /// Invokes a function synchronously (stored or built-in) with a JSON event: the Step
    /// Functions task integration and the data plane call this.
    pub async fn invoke(&self, name_or_arn: &str, payload: Value) -> Result<Value, LambdaError> {
        self.invoke_function(name_or_arn, payload).await
    }

    /// Whether function `name_or_arn` exists (stored or built-in).
    pub fn exists(&self, name_or_arn: &str) -> bool {
        let (name, _) = self.split_name(name_or_arn);
        name.as_deref()
            .is_some_and(|n| self.functions.contains(n) || self.builtins.resolve(n).is_ok())
    }

    /// The zip of stored function `name`'s `$LATEST` (what GetFunction's `Code.Location` gives).
    pub fn code_zip(&self, name: &str) -> Option<Vec<u8>> {
        let sha = self
            .functions
            .read(name, |row| row.record.latest.code_sha256.clone())
            .ok()?;
        std::fs::read(self.code.zip_path(&sha)).ok()
    }

    /// Function `name`'s latest invocations, newest first.
    pub fn recent_invocations(&self, name: &str) -> Vec<recent::Invocation> {
        self.recent.of(name)
    }

    /// Invokes built-in function `name`, keeping the invocation among the recent ones.
    async fn invoke_builtin(&self, name: &str, payload: Value) -> Result<Value, LambdaError> {
        let at_ms = self.clock.now().timestamp_millis();
        let started = std::time::Instant::now();
        let text = recent::clip(payload.to_string().as_bytes());
        let result = self.builtins.invoke(name, payload).await;
        let (short, _) = self.split_name(name);
        let (response, error) = match &result {
            Ok(v) => (recent::clip(v.to_string().as_bytes()), None),
            Err(e) => (
                String::new(),
                Some(format!(
                    "{}: {}",
                    e.error_type.as_deref().unwrap_or("Exception"),
                    e.error_message
                )),
            ),
        };
        self.recent.push(
            short.as_deref().unwrap_or(name),
            recent::Invocation::ended(at_ms, started, text, response, error),
        );
        result
    }

    /// The function log of `name` (what its processes wrote), oldest line first.
    pub fn logs(&self, name: &str) -> Vec<String> {
        self.runtimes.log(name).lines()
    }

    /// A function name, partial ARN or ARN (with an optional `:qualifier`) as `(name,
    /// qualifier)`; `None` for an ARN of another region or account, or not of a function.
    pub(crate) fn split_name(&self, value: &str) -> (Option<String>, Option<String>) {
        let parts: Vec<&str> = value.split(':').collect();
        match parts.as_slice() {
            // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
            [
                "arn",
                _,
                "lambda",
                region,
                account,
                "function",
                name,
                rest @ ..,
            ] => {
                if *region != self.config.region || *account != self.config.account_id {
                    return (None, None);
                }
                (
                    Some((*name).to_string()),
                    rest.first().map(|q| (*q).to_string()),
                )
            }
            // <account>:function:<name>[:<qualifier>]
            [account, "function", name, rest @ ..] if account.len() == 12 => {
                if *account != self.config.account_id {
                    return (None, None);
                }
                (
                    Some((*name).to_string()),
                    rest.first().map(|q| (*q).to_string()),
                )
            }
            [name] => (Some((*name).to_string()), None),
            [name, qualifier] => (Some((*name).to_string()), Some((*qualifier).to_string())),
            _ => (None, None),
        }
    }
}

/// The Lambda errors Step Functions and the data plane see for a failed call (the service's
/// exception, prefixed `Lambda.` as Step Functions names it).
fn service_error(e: &AwsError) -> LambdaError {
    LambdaError {
        error_type: Some(format!("Lambda.{}", e.code)),
        error_message: e.message.clone(),
    }
}

#[async_trait]
impl LambdaFunctions for Lambda {
    /// Invokes a function synchronously: a stored function through its processes, else a
    /// built-in; a function error is its `errorType` and `errorMessage`.
    async fn invoke_function(&self, function: &str, payload: Value) -> Result<Value, LambdaError> {
        let (name, qualifier) = self.split_name(function);
        let Some(name) = name else {
            return Err(LambdaError {
                error_type: Some("Lambda.ResourceNotFoundException".into()),
                error_message: format!(
                    "Function not found: {function} (this twin hosts functions of account {} in {})",
                    self.config.account_id, self.config.region
                ),
            });
        };
        if !self.functions.contains(&name) {
            return self.invoke_builtin(function, payload).await;
        }
        let body = Bytes::from(payload.to_string());
        let invoked = self
            .invoke_stored(
                &name,
                qualifier.as_deref(),
                body,
                InvocationType::RequestResponse,
                false,
                None,
            )
            .await
            .map_err(|e| service_error(&e))?;
        match invoked.function_error {
            None => Ok(
                serde_json::from_slice(&invoked.payload).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&invoked.payload).into_owned())
                }),
            ),
            Some(_) => {
                let v: Value = serde_json::from_slice(&invoked.payload).unwrap_or_default();
                Err(LambdaError {
                    error_type: v["errorType"].as_str().map(str::to_string),
                    error_message: v["errorMessage"].as_str().unwrap_or_default().to_string(),
                })
            }
        }
    }
}

impl Operations for Lambda {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::RestJson;
    const TABLE: &'static [Operation<Self>] = routes::TABLE;

    fn route(&self, request: &Request) -> Option<&'static str> {
        routes::operation(&request.method, request.uri.path())
    }
}

/// A table row for a REST operation.
pub(crate) const fn rest(
    name: &'static str,
    f: fn(Arc<Lambda>, Request) -> BoxFuture<Result<Reply, AwsError>>,
) -> Operation<Lambda> {
    Operation {
        name,
        handler: Handler::Rest(f),
    }
}
