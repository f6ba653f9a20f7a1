//! The HTTP gateway: one loopback port, every service behind it.
//!
//! A request reaches its service in two steps, the way AWS's own endpoints are split:
//! 1. the **service**, by the SigV4 credential scope's service name (`Credential=AKID/<date>/
//!    <region>/<service>/aws4_request`, in the `Authorization` header or the presigned query's
//!    `X-Amz-Credential`), which every SDK sends; an unsigned request (allowed with `--no-auth`)
//!    is offered to every service;
//! 2. the **operation**, by the service's [`Protocol`]: the `X-Amz-Target` header for the
//!    awsJson protocols, the method and path for the REST ones ([`Service::route`]).
//!
//! The gateway then checks, in the order AWS front ends do: an authentication header (else
//! `MissingAuthenticationTokenException`, 403), a body within the limit (else 413
//! `SerializationException`), then armed faults, then hands the request to the service. Errors
//! are written in the protocol's shape ([`AwsError::into_response`]).
//!
//! Twin-specific control endpoints live under `/_kdaflow/` (health, fault injection); no AWS
//! API uses that path.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::faults::{FaultRequest, Faults};
use crate::protocol::{AwsError, CommonError, JsonVersion};
pub use crate::service::{Service, ServiceFuture};
use crate::service::{Protocol, Request};

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

    /// The axum router: AWS calls on every other path, `/_kdaflow/*` for control.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/_kdaflow/health", get(health))
            .route(
                "/_kdaflow/faults",
                get(list_faults).post(arm_fault).delete(clear_faults),
            )
            .fallback(aws_call)
            .with_state(self)
    }

    /// The service and operation a request is for, or the error that says why there is none.
    fn route(
        &self,
        scope: Option<&str>,
        request: &Request,
    ) -> Result<(&Arc<dyn Service>, String), (AwsError, Protocol)> {
        let candidates = || {
            self.services
                .iter()
                .filter(move |s| scope.is_none_or(|name| s.signing_name() == name))
        };
        let target = request
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok());
        for service in candidates() {
            let protocol = service.protocol();
            let operation = match (protocol, target) {
                (Protocol::AwsJson { .. }, Some(t)) => protocol.target_operation(t).map(str::to_string),
                (Protocol::AwsJson { .. }, None) => None,
                (Protocol::RestJson | Protocol::RestXml, _) => {
                    service.route(request).map(str::to_string)
                }
            };
            if let Some(operation) = operation {
                return Ok((service, operation));
            }
        }
        // No service took it: answer in the shape the caller's protocol expects.
        let protocol = candidates()
            .map(|s| s.protocol())
            .find(|p| matches!(p, Protocol::AwsJson { .. }) == target.is_some())
            .unwrap_or(Protocol::AwsJson {
                version: JsonVersion::V1_1,
                target_prefix: "",
            });
        let what = match target {
            Some(t) => format!("The operation {t:?} is not known to this endpoint"),
            None => format!(
                "{} {} is not an operation of this endpoint; AWS JSON calls are POST / with an X-Amz-Target header",
                request.method,
                request.uri.path()
            ),
        };
        let hosted = match scope {
            Some(name) if candidates().next().is_none() => format!(
                ". The request is signed for service {name:?}, which the twin does not host (it hosts {})",
                self.services.iter().map(|s| s.signing_name()).collect::<Vec<_>>().join(", ")
            ),
            _ => String::new(),
        };
        let status = if target.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::NOT_FOUND
        };
        let mut error = CommonError::UnknownOperation.with(format!("{what}{hosted}"));
        error.status = status;
        Err((error, protocol))
    }
}

/// The service name of a SigV4 credential scope (`AKID/20260101/us-east-1/states/aws4_request`),
/// from the `Authorization` header or a presigned URL's `X-Amz-Credential`.
pub fn credential_scope_service(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let from_header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("Credential=").nth(1))
        .map(|c| c.split([',', ' ']).next().unwrap_or_default().to_string());
    let credential = from_header.or_else(|| {
        uri.query()?.split('&').find_map(|kv| {
            let v = kv.strip_prefix("X-Amz-Credential=")?;
            Some(v.replace("%2F", "/").replace("%2f", "/"))
        })
    })?;
    // AKID / date / region / service / aws4_request
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [.., service, "aws4_request"] if parts.len() >= 5 => Some((*service).to_string()),
        _ => None,
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
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let id = request_id();
    let scope = credential_scope_service(&headers, &uri);
    let mut request = Request {
        method,
        uri,
        headers,
        body: bytes::Bytes::new(),
    };
    let (service, operation) = match gw.route(scope.as_deref(), &request) {
        Ok(found) => found,
        Err((error, protocol)) => return error.into_response(protocol, &id),
    };
    let protocol = service.protocol();
    if gw.require_auth && !authenticated(&request.headers, &request.uri) {
        return CommonError::MissingAuthenticationToken
            .with("Missing Authentication Token: sign the request with SigV4 (any credentials work on the twin)")
            .into_response(protocol, &id);
    }
    request.body = match to_bytes(body, gw.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            let mut error = CommonError::Serialization.with(format!(
                "The request body is larger than the {} bytes this endpoint accepts",
                gw.body_limit
            ));
            error.status = StatusCode::PAYLOAD_TOO_LARGE;
            return error.into_response(protocol, &id);
        }
    };
    gw.count(&format!("{}.{operation}", service.name()));
    if let Some(e) = gw.faults.take_error(service.name(), &operation) {
        return e.into_response(protocol, &id);
    }
    let reply = match protocol {
        Protocol::AwsJson { version, .. } => service
            .clone()
            .call(&operation, request.body)
            .await
            .map(|bytes| {
                let mut response = (StatusCode::OK, bytes).into_response();
                response.headers_mut().insert(
                    "content-type",
                    HeaderValue::from_static(version.content_type()),
                );
                response
            }),
        Protocol::RestJson | Protocol::RestXml => service
            .clone()
            .call_rest(&operation, request)
            .await
            .map(|reply| {
                let mut response = (reply.status, reply.body).into_response();
                response.headers_mut().extend(reply.headers);
                response
            }),
    };
    match reply {
        Ok(mut response) => {
            if let Ok(v) = HeaderValue::from_str(&id) {
                let name = if protocol == Protocol::RestXml {
                    "x-amz-request-id"
                } else {
                    "x-amzn-requestid"
                };
                response.headers_mut().insert(name, v);
            }
            response
        }
        Err(e) => e.into_response(protocol, &id),
    }
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut r = (status, value.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn health(State(gw): State<Arc<Gateway>>) -> Response {
    let names: Vec<_> = gw.services.iter().map(|s| s.name()).collect();
    let services: serde_json::Map<String, serde_json::Value> = gw
        .services
        .iter()
        .map(|s| {
            (
                s.name().to_string(),
                serde_json::json!({
                    "signingName": s.signing_name(),
                    "operations": s.operations(),
                    "notImplemented": s.not_implemented(),
                }),
            )
        })
        .collect();
    json(
        StatusCode::OK,
        serde_json::json!({"status": "ok", "services": names, "operations": services}),
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
