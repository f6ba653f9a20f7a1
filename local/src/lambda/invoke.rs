//! Invoke: RequestResponse (the answer, or the function error with `X-Amz-Function-Error`),
//! Event (queued, 202), DryRun (checked, 204); qualifiers; `LogType: Tail` with the last 4 KB
//! of the invocation's log base64 in `X-Amz-Log-Result`.

use std::sync::Arc;
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use base64::Engine;
use bytes::Bytes;
use kdaflow_asl::clock::{Clock, SystemClock};

use super::languages;
use super::model::{FunctionConfig, LATEST};
use super::routes::Parts;
use super::runtime::{self, Job, Outcome};
use super::{Lambda, LambdaApiError};
use crate::protocol::AwsError;
use crate::service::{BoxFuture, Reply, Request};

/// The largest synchronous request and response payload (6 MB).
pub const MAX_SYNC_PAYLOAD: usize = 6 * 1024 * 1024;
/// The largest asynchronous (`Event`) payload (1 MB since 2025).
pub const MAX_ASYNC_PAYLOAD: usize = 1024 * 1024;

/// `X-Amz-Invocation-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationType {
    /// Wait for the answer.
    RequestResponse,
    /// Queue it; answer 202 at once.
    Event,
    /// Check that it could run; answer 204.
    DryRun,
}

/// What an invocation gave.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// The function's answer, or its error document.
    pub payload: Bytes,
    /// `X-Amz-Function-Error`: `Unhandled` when the function failed.
    pub function_error: Option<&'static str>,
    /// The log, for `LogType: Tail`.
    pub log_tail: Option<String>,
    /// `X-Amz-Executed-Version`.
    pub executed_version: String,
    /// Whether a process was started for it.
    pub cold: bool,
}

impl Lambda {
    /// The environment AWS gives every function process (the user's variables come after).
    fn base_env(
        &self,
        name: &str,
        version: &str,
        config: &FunctionConfig,
        task_root: &std::path::Path,
    ) -> Vec<(String, String)> {
        let runtime = config.runtime.clone().unwrap_or_default();
        let mut env = vec![
            ("AWS_REGION".to_string(), self.config.region.clone()),
            ("AWS_DEFAULT_REGION".to_string(), self.config.region.clone()),
            ("AWS_LAMBDA_FUNCTION_NAME".to_string(), name.to_string()),
            (
                "AWS_LAMBDA_FUNCTION_VERSION".to_string(),
                version.to_string(),
            ),
            (
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_string(),
                config.memory.to_string(),
            ),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME".to_string(),
                format!("/aws/lambda/{name}"),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME".to_string(),
                format!("kdaflow/[{version}]{}", uuid::Uuid::new_v4().simple()),
            ),
            (
                "AWS_LAMBDA_INITIALIZATION_TYPE".to_string(),
                "on-demand".to_string(),
            ),
            (
                "AWS_EXECUTION_ENV".to_string(),
                format!("AWS_Lambda_{runtime}"),
            ),
            (
                "_HANDLER".to_string(),
                config.handler.clone().unwrap_or_default(),
            ),
            (
                "LAMBDA_TASK_ROOT".to_string(),
                task_root.display().to_string(),
            ),
            (
                "LAMBDA_RUNTIME_DIR".to_string(),
                task_root.display().to_string(),
            ),
            // Credentials as the execution role would give them: any credentials work on the twin.
            ("AWS_ACCESS_KEY_ID".to_string(), "kdaflow".to_string()),
            ("AWS_SECRET_ACCESS_KEY".to_string(), "kdaflow".to_string()),
            ("AWS_SESSION_TOKEN".to_string(), "kdaflow".to_string()),
            ("TZ".to_string(), ":UTC".to_string()),
            ("LANG".to_string(), "en_US.UTF-8".to_string()),
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into()),
            ),
        ];
        if let Some(home) = std::env::var_os("HOME") {
            env.push(("HOME".to_string(), home.to_string_lossy().into_owned()));
        }
        if let Some(url) = self.endpoint.get() {
            // SDK calls inside the function reach the twin.
            env.push(("AWS_ENDPOINT_URL".to_string(), url.clone()));
        }
        env
    }

    async fn language(
        &self,
        runtime: &str,
    ) -> Result<(Option<std::path::PathBuf>, Option<std::path::PathBuf>), AwsError> {
        let unavailable = |what: &str, e: &String| {
            LambdaApiError::ServiceException.with(format!(
                "The {what} runtime could not be prepared on this machine: {e}"
            ))
        };
        if runtime.starts_with("python") {
            let env = self.python.get_or_init(languages::python_env).await;
            return env
                .clone()
                .map(|p| (Some(p), None))
                .map_err(|e| unavailable("Python", &e));
        }
        if runtime.starts_with("nodejs") {
            let env = self.node.get_or_init(languages::node_env).await;
            return env
                .clone()
                .map(|p| (None, Some(p)))
                .map_err(|e| unavailable("Node.js", &e));
        }
        Ok((None, None))
    }

    /// Invokes stored function `name` at `qualifier`, keeping the invocation among the recent
    /// ones.
    pub(crate) async fn invoke_stored(
        &self,
        name: &str,
        qualifier: Option<&str>,
        payload: Bytes,
        kind: InvocationType,
        tail: bool,
        client_context: Option<String>,
    ) -> Result<Invoked, AwsError> {
        let at_ms = self.clock.now().timestamp_millis();
        let started = std::time::Instant::now();
        let text = super::recent::clip(&payload);
        let result = self
            .invoke_process(name, qualifier, payload, kind, tail, client_context)
            .await;
        let (response, error) = match &result {
            Ok(i) => {
                let response = super::recent::clip(&i.payload);
                let error = i.function_error.map(|_| {
                    let v: serde_json::Value =
                        serde_json::from_slice(&i.payload).unwrap_or_default();
                    format!(
                        "{}: {}",
                        v["errorType"].as_str().unwrap_or("Unhandled"),
                        v["errorMessage"].as_str().unwrap_or_default()
                    )
                });
                (response, error)
            }
            Err(e) => (String::new(), Some(e.to_string())),
        };
        self.recent.push(
            name,
            super::recent::Invocation::ended(at_ms, started, text, response, error),
        );
        result
    }

    /// Invokes stored function `name` at `qualifier` in one of its processes.
    async fn invoke_process(
        &self,
        name: &str,
        qualifier: Option<&str>,
        payload: Bytes,
        kind: InvocationType,
        tail: bool,
        client_context: Option<String>,
    ) -> Result<Invoked, AwsError> {
        let record = self.functions.read(name, |row| row.record.clone())?;
        let version = record.resolve_qualifier(qualifier).ok_or_else(|| {
            LambdaApiError::ResourceNotFound.with(format!(
                "Function not found: {}:{}",
                record.arn,
                qualifier.unwrap_or_default()
            ))
        })?;
        let config = record
            .version(&version)
            .cloned()
            .unwrap_or(record.latest.clone());
        let limit = match kind {
            InvocationType::Event => MAX_ASYNC_PAYLOAD,
            _ => MAX_SYNC_PAYLOAD,
        };
        if payload.len() > limit {
            return Err(LambdaApiError::RequestEntityTooLarge.with(format!(
                "{} byte payload is too large for the {} invocation type (limit {limit} bytes)",
                payload.len(),
                if kind == InvocationType::Event {
                    "Event"
                } else {
                    "RequestResponse"
                }
            )));
        }
        let runtime = config.runtime.clone().unwrap_or_default();
        let (python, node) = self.language(&runtime).await?;
        let task_root = self
            .code
            .task_root(&config.code_sha256)
            .map_err(|e| LambdaApiError::ServiceException.with(e.to_string()))?;
        let base_env = self.base_env(name, &version, &config, &task_root);
        let limit = record
            .reserved_concurrency
            .map_or(self.concurrency, |n| n as usize);
        if limit == 0 {
            return Err(LambdaApiError::TooManyRequests.with(
                "Rate Exceeded. (Reason: ReservedFunctionConcurrentInvocationLimitExceeded: the function's reserved concurrency is 0)",
            ));
        }
        let key = format!("{version}\u{0}{}", config.revision_id);
        let lease = self
            .runtimes
            .lease(name, &key, limit, || {
                let program = languages::command(
                    &runtime,
                    config.handler.as_deref(),
                    &task_root,
                    python.as_deref(),
                    node.as_deref(),
                )?;
                Ok(languages::launch(
                    program,
                    &task_root,
                    base_env,
                    &config.environment,
                ))
            })
            .await;
        let lease = match lease {
            Ok(Some(l)) => l,
            Ok(None) => {
                return Err(LambdaApiError::TooManyRequests.with(format!(
                    "Rate Exceeded. (Reason: ReservedFunctionConcurrentInvocationLimitExceeded: {limit} invocation(s) of {name} are running)"
                )));
            }
            Err(e) => {
                // The process could not start: an init error, as the service reports it.
                let request_id = uuid::Uuid::new_v4().to_string();
                let outcome = Outcome::error(
                    "Runtime.InvalidEntrypoint",
                    format!("RequestId: {request_id} Error: {}", e.0),
                );
                return Ok(finish(
                    outcome,
                    &request_id,
                    &version,
                    &[],
                    0.0,
                    &config,
                    tail,
                    false,
                ));
            }
        };
        let request_id = uuid::Uuid::new_v4().to_string();
        let deadline_ms = SystemClock.now().timestamp_millis() + i64::from(config.timeout) * 1000;
        let job = Job {
            request_id: request_id.clone(),
            payload,
            deadline_ms,
            function_arn: if version == LATEST {
                record.arn.clone()
            } else {
                format!("{}:{}", record.arn, qualifier.unwrap_or(&version))
            },
            client_context,
        };
        let started = Instant::now();
        let timeout = self.runtimes.deadline(config.timeout);
        let (outcome, log) = lease.instance.invoke(job, timeout, config.timeout).await;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        let discard = match &outcome {
            Outcome::Response(_) => false,
            Outcome::Error { error_type, .. } => {
                matches!(
                    error_type.as_str(),
                    "Sandbox.Timedout" | "Runtime.ExitError"
                ) || lease.instance.is_gone()
            }
        };
        let cold = lease.cold;
        self.runtimes.release(lease, discard);
        Ok(finish(
            outcome,
            &request_id,
            &version,
            &log,
            took,
            &config,
            tail,
            cold,
        ))
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    outcome: Outcome,
    request_id: &str,
    version: &str,
    log: &[String],
    took_ms: f64,
    config: &FunctionConfig,
    tail: bool,
    cold: bool,
) -> Invoked {
    let (payload, function_error) = match outcome {
        Outcome::Response(b) if b.len() > MAX_SYNC_PAYLOAD => (
            Bytes::from(
                serde_json::json!({
                    "errorMessage": format!("Response payload size ({} bytes) exceeded maximum allowed payload size ({MAX_SYNC_PAYLOAD} bytes).", b.len()),
                    "errorType": "Function.ResponseSizeTooLarge",
                })
                .to_string(),
            ),
            Some("Unhandled"),
        ),
        Outcome::Response(b) => (b, None),
        Outcome::Error { body, .. } => (body, Some("Unhandled")),
    };
    Invoked {
        payload,
        function_error,
        log_tail: tail.then(|| runtime::tail(request_id, version, log, took_ms, config.memory)),
        executed_version: version.to_string(),
        cold,
    }
}

fn invocation_type(headers: &HeaderMap) -> Result<InvocationType, AwsError> {
    match headers
        .get("x-amz-invocation-type")
        .and_then(|v| v.to_str().ok())
    {
        None | Some("RequestResponse") => Ok(InvocationType::RequestResponse),
        Some("Event") => Ok(InvocationType::Event),
        Some("DryRun") => Ok(InvocationType::DryRun),
        Some(other) => Err(crate::protocol::CommonError::Validation.with(format!(
            "1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
        ))),
    }
}

pub(super) fn invoke(lambda: Arc<Lambda>, request: Request) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, qualifier) = lambda.target(&parts)?;
        let kind = invocation_type(&request.headers)?;
        let tail = request
            .headers
            .get("x-amz-log-type")
            .and_then(|v| v.to_str().ok())
            == Some("Tail");
        let client_context = request
            .headers
            .get("x-amz-client-context")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let payload = if request.body.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            request.body.clone()
        };
        let mut headers = HeaderMap::new();
        let builtin = !lambda.functions.contains(&name);
        if builtin {
            // A built-in function (or none): the service's answer for it.
            let (record, _) = lambda.record(&name)?;
            let version = record
                .resolve_qualifier(qualifier.as_deref())
                .unwrap_or_else(|| LATEST.to_string());
            if kind == InvocationType::DryRun {
                return Ok(Reply {
                    status: StatusCode::NO_CONTENT,
                    headers,
                    body: Bytes::new(),
                });
            }
            let value: serde_json::Value = serde_json::from_slice(&payload).map_err(|e| {
                LambdaApiError::InvalidRequestContent
                    .with(format!("Could not parse request body into json: {e}"))
            })?;
            let call = {
                let lambda = lambda.clone();
                let name = name.clone();
                async move { lambda.invoke_builtin(&name, value).await }
            };
            if kind == InvocationType::Event {
                tokio::spawn(call);
                return Ok(Reply {
                    status: StatusCode::ACCEPTED,
                    headers,
                    body: Bytes::new(),
                });
            }
            let (body, error) = match call.await {
                Ok(v) => (Bytes::from(v.to_string()), None),
                Err(e) => (
                    Bytes::from(
                        serde_json::json!({
                            "errorMessage": e.error_message,
                            "errorType": e.error_type.unwrap_or_else(|| "Exception".into()),
                        })
                        .to_string(),
                    ),
                    Some("Unhandled"),
                ),
            };
            set(&mut headers, "x-amz-executed-version", &version);
            if let Some(e) = error {
                set(&mut headers, "x-amz-function-error", e);
            }
            set(&mut headers, "content-type", "application/json");
            return Ok(Reply {
                status: StatusCode::OK,
                headers,
                body,
            });
        }
        match kind {
            InvocationType::DryRun => {
                let record = lambda.functions.read(&name, |row| row.record.clone())?;
                record
                    .resolve_qualifier(qualifier.as_deref())
                    .ok_or_else(|| {
                        LambdaApiError::ResourceNotFound
                            .with(format!("Function not found: {}", record.arn))
                    })?;
                Ok(Reply {
                    status: StatusCode::NO_CONTENT,
                    headers,
                    body: Bytes::new(),
                })
            }
            InvocationType::Event => {
                if payload.len() > MAX_ASYNC_PAYLOAD {
                    return Err(LambdaApiError::RequestEntityTooLarge.with(format!(
                        "{} byte payload is too large for the Event invocation type (limit {MAX_ASYNC_PAYLOAD} bytes)",
                        payload.len()
                    )));
                }
                lambda.functions.read(&name, |_| ())?;
                let l = lambda.clone();
                tokio::spawn(async move {
                    if let Err(e) = l
                        .invoke_stored(
                            &name,
                            qualifier.as_deref(),
                            payload,
                            InvocationType::Event,
                            false,
                            client_context,
                        )
                        .await
                    {
                        tracing::warn!(function = %name, error = %e, "an Event invocation failed");
                    }
                });
                Ok(Reply {
                    status: StatusCode::ACCEPTED,
                    headers,
                    body: Bytes::new(),
                })
            }
            InvocationType::RequestResponse => {
                let out = lambda
                    .invoke_stored(
                        &name,
                        qualifier.as_deref(),
                        payload,
                        kind,
                        tail,
                        client_context,
                    )
                    .await?;
                set(
                    &mut headers,
                    "x-amz-executed-version",
                    &out.executed_version,
                );
                if let Some(e) = out.function_error {
                    set(&mut headers, "x-amz-function-error", e);
                }
                if let Some(t) = &out.log_tail {
                    let b64 = base64::engine::general_purpose::STANDARD.encode(t);
                    set(&mut headers, "x-amz-log-result", &b64);
                }
                set(&mut headers, "content-type", "application/json");
                Ok(Reply {
                    status: StatusCode::OK,
                    headers,
                    body: out.payload,
                })
            }
        }
    })
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}
