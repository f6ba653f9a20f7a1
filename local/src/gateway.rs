//! The HTTP gateway: one loopback port, requests routed to services by `X-Amz-Target`.
//!
//! Every AWS JSON-protocol call is `POST /` with `X-Amz-Target: <prefix>.<Operation>`. The
//! gateway checks, in the order AWS front ends do: a known target (else
//! `UnknownOperationException`), an authentication header (else
//! `MissingAuthenticationTokenException`, 403), a body within the limit (else 413
//! `SerializationException`), then armed faults, then hands the body to the service.
//!
//! Twin-specific control endpoints live under `/_kdaflow/` (health, fault injection); no AWS
//! API uses that path.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;

use crate::faults::{FaultRequest, Faults};
use crate::protocol::{AwsError, JsonVersion};

/// What a service returns for one call.
pub type ServiceFuture = Pin<Box<dyn Future<Output = Result<Bytes, AwsError>> + Send>>;

/// A service hosted on the gateway.
pub trait Service: Send + Sync + Debug + 'static {
    /// Short name (`kinesisanalytics`), used by fault injection.
    fn name(&self) -> &'static str;
    /// The `X-Amz-Target` prefix, e.g. `KinesisAnalytics_20150814`.
    fn target_prefix(&self) -> &'static str;
    /// Which JSON protocol version it speaks.
    fn json_version(&self) -> JsonVersion;
    /// Handles one operation; the body is the raw request JSON.
    fn call(self: Arc<Self>, operation: &str, body: Bytes) -> ServiceFuture;
}

/// Implements [`Service`] for a service whose operations all answer at once through an
/// inherent `fn dispatch(&self, operation: &str, body: &[u8]) -> Result<Bytes, AwsError>`.
#[macro_export]
macro_rules! sync_service {
    ($ty:ty, $name:expr, $prefix:expr, $version:expr) => {
        impl $crate::gateway::Service for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn target_prefix(&self) -> &'static str {
                $prefix
            }

            fn json_version(&self) -> $crate::protocol::JsonVersion {
                $version
            }

            fn call(
                self: std::sync::Arc<Self>,
                operation: &str,
                body: bytes::Bytes,
            ) -> $crate::gateway::ServiceFuture {
                let result = self.dispatch(operation, &body);
                Box::pin(std::future::ready(result))
            }
        }
    };
}

/// Shared state of the gateway.
#[derive(Debug)]
pub struct Gateway {
    services: Vec<Arc<dyn Service>>,
    faults: Arc<Faults>,
    body_limit: usize,
    require_auth: bool,
    /// Calls per `X-Amz-Target`, injected faults included (AWS bills those too).
    calls: RwLock<HashMap<String, Arc<AtomicU64>>>,
}

impl Gateway {
    /// A gateway over `services`.
    pub fn new(
        services: Vec<Arc<dyn Service>>,
        faults: Arc<Faults>,
        body_limit: usize,
        require_auth: bool,
    ) -> Self {
        Self {
            services,
            faults,
            body_limit,
            require_auth,
            calls: RwLock::new(HashMap::new()),
        }
    }

    fn count(&self, target: &str) {
        if let Some(c) = self.calls.read().get(target) {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.calls
            .write()
            .entry(target.to_string())
            .or_default()
            .fetch_add(1, Ordering::Relaxed);
    }

    /// How many calls each operation (`X-Amz-Target`) received so far.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.calls
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect()
    }

    /// The axum router: `POST /` for AWS calls, `/_kdaflow/*` for control.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/", post(aws_call))
            .route("/_kdaflow/health", get(health))
            .route(
                "/_kdaflow/faults",
                get(list_faults).post(arm_fault).delete(clear_faults),
            )
            .fallback(fallback)
            .with_state(self)
    }

    fn route(&self, target: &str) -> Option<(&Arc<dyn Service>, String)> {
        let (prefix, operation) = target.split_once('.')?;
        let service = self.services.iter().find(|s| s.target_prefix() == prefix)?;
        Some((service, operation.to_string()))
    }
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn authenticated(headers: &HeaderMap, uri: &Uri) -> bool {
    headers.contains_key("authorization")
        || uri
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("X-Amz-Algorithm=")))
}

async fn aws_call(
    State(gw): State<Arc<Gateway>>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let id = request_id();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let Some((service, operation)) = gw.route(&target) else {
        let version = if target.starts_with("AWSStepFunctions") {
            JsonVersion::V1_0
        } else {
            JsonVersion::V1_1
        };
        return AwsError::unknown_operation(&target).into_response_for(version, &id);
    };
    let version = service.json_version();
    if gw.require_auth && !authenticated(&headers, &uri) {
        return AwsError::named(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request with SigV4 (any credentials work on the twin)",
        )
        .into_response_for(version, &id);
    }
    let body = match to_bytes(body, gw.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            return AwsError::with_status(
                "SerializationException",
                format!(
                    "The request body is larger than the {} bytes this endpoint accepts",
                    gw.body_limit
                ),
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .into_response_for(version, &id);
        }
    };
    gw.count(&target);
    if let Some(e) = gw.faults.take_error(service.name(), &operation) {
        return e.into_response_for(version, &id);
    }
    match service.clone().call(&operation, body).await {
        Ok(bytes) => {
            let mut response = (StatusCode::OK, bytes).into_response();
            let h = response.headers_mut();
            h.insert(
                "content-type",
                HeaderValue::from_static(version.content_type()),
            );
            if let Ok(v) = HeaderValue::from_str(&id) {
                h.insert("x-amzn-requestid", v);
            }
            response
        }
        Err(e) => e.into_response_for(version, &id),
    }
}

async fn fallback(
    State(gw): State<Arc<Gateway>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    if method == Method::POST && headers.contains_key("x-amz-target") {
        return aws_call(State(gw), headers, uri, body).await;
    }
    let target = format!("{method} {}", uri.path());
    AwsError::with_status(
        "UnknownOperationException",
        format!("{target} is not an operation of this endpoint; AWS JSON calls are POST / with an X-Amz-Target header"),
        StatusCode::NOT_FOUND,
    )
    .into_response_for(JsonVersion::V1_1, &request_id())
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut r = (status, value.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn health(State(gw): State<Arc<Gateway>>) -> Response {
    let services: Vec<_> = gw.services.iter().map(|s| s.name()).collect();
    json(
        StatusCode::OK,
        serde_json::json!({"status": "ok", "services": services}),
    )
}

async fn list_faults(State(gw): State<Arc<Gateway>>) -> Response {
    json(
        StatusCode::OK,
        serde_json::json!({"faults": gw.faults.list()}),
    )
}

async fn arm_fault(State(gw): State<Arc<Gateway>>, body: Body) -> Response {
    let bytes = match to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": e.to_string()}),
            );
        }
    };
    match serde_json::from_slice::<FaultRequest>(&bytes) {
        Ok(fault) => {
            gw.faults.arm(fault.clone());
            json(StatusCode::OK, serde_json::json!({"armed": fault}))
        }
        Err(e) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": format!("not a fault: {e}. Expected e.g. {{\"kind\":\"error\",\"service\":\"kinesisanalytics\",\"operation\":\"StartApplication\",\"error\":\"ThrottlingException\",\"count\":2}} or {{\"kind\":\"start\",\"behaviour\":\"hang\"}}")}),
        ),
    }
}

async fn clear_faults(State(gw): State<Arc<Gateway>>) -> Response {
    gw.faults.clear();
    json(StatusCode::OK, serde_json::json!({"faults": []}))
}
