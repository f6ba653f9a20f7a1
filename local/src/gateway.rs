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
use crate::service::{HTTP_FRONT_END, Protocol, Request};
pub use crate::service::{Service, ServiceFuture};

/// The service a request goes to, and the operation.
type Routed<'a> = (&'a Arc<dyn Service>, String);

/// Calls per operation (`<service>.<Operation>`), injected faults included (AWS bills those
/// too): counted by the gateway, and by a service whose front end routes by itself (S3).
#[derive(Debug, Default)]
pub struct Calls(RwLock<HashMap<String, Arc<AtomicU64>>>);

impl Calls {
    /// Counts one call.
    pub fn count(&self, target: &str) {
        if let Some(c) = self.0.read().get(target) {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.0
            .write()
            .entry(target.to_string())
            .or_default()
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Every count so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect()
    }
}

/// Shared state of the gateway.
#[derive(Debug)]
pub struct Gateway {
    services: Vec<Arc<dyn Service>>,
    faults: Arc<Faults>,
    body_limit: usize,
    require_auth: bool,
    calls: Arc<Calls>,
}

impl Gateway {
    /// A gateway over `services`.
    pub fn new(
        services: Vec<Arc<dyn Service>>,
        faults: Arc<Faults>,
        body_limit: usize,
        require_auth: bool,
        calls: Arc<Calls>,
    ) -> Self {
        Self {
            services,
            faults,
            body_limit,
            require_auth,
            calls,
        }
    }

    /// The hosted services.
    pub fn services(&self) -> &[Arc<dyn Service>] {
        &self.services
    }

    /// How many calls each operation (`<service>.<Operation>`) received so far.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.calls.snapshot()
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
    ) -> Result<Routed<'_>, (AwsError, Protocol)> {
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
                (Protocol::AwsJson { .. }, Some(t)) => {
                    protocol.target_operation(t).map(str::to_string)
                }
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
                self.services
                    .iter()
                    .map(|s| s.signing_name())
                    .collect::<Vec<_>>()
                    .join(", ")
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
        || uri.query().is_some_and(|q| {
            // SigV4's query form, or SigV2's (botocore's S3 presigned URLs).
            q.split('&')
                .any(|kv| kv.starts_with("X-Amz-Algorithm=") || kv.starts_with("AWSAccessKeyId="))
        })
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
    if operation == HTTP_FRONT_END {
        // The service's own front end checks, counts and answers (S3: its errors are XML).
        let Request {
            method,
            uri,
            headers,
            ..
        } = request;
        if gw.require_auth && !authenticated(&headers, &uri) {
            let mut r = (
                StatusCode::FORBIDDEN,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied: sign the request with SigV4 (any credentials work on the twin)</Message></Error>",
            )
                .into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/xml"));
            return r;
        }
        let mut http = axum::http::Request::new(body);
        *http.method_mut() = method;
        *http.uri_mut() = uri;
        *http.headers_mut() = headers;
        let Some(reply) = service.clone().serve_http(http) else {
            return CommonError::UnknownOperation
                .with("This service has no HTTP front end")
                .into_response(protocol, &id);
        };
        let mut response = reply.await;
        if let Ok(v) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-amz-request-id", v);
        }
        return response;
    }
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
    gw.calls.count(&format!("{}.{operation}", service.name()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{BoxFuture, Operation, Operations, Reply};
    use axum::http::Request as HttpRequest;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    /// A REST-JSON service as Lambda will be: `GET /toys/{name}`, errors with restJson1's shape.
    #[derive(Debug)]
    struct Toys;

    crate::aws_errors! {
        /// Toy errors.
        pub enum ToyError {
            /// No such toy.
            NotFound = "ResourceNotFoundException" => 404,
        }
    }

    impl Operations for Toys {
        const NAME: &'static str = "toys";
        const PROTOCOL: Protocol = Protocol::RestJson;
        const TABLE: &'static [Operation<Self>] = &[
            Operation {
                name: "GetToy",
                handler: crate::service::Handler::Rest(|_, request| -> BoxFuture<_> {
                    Box::pin(async move {
                        let name = request.uri.path().trim_start_matches("/toys/").to_string();
                        if name == "bear" {
                            Ok(Reply {
                                status: StatusCode::OK,
                                headers: HeaderMap::new(),
                                body: bytes::Bytes::from_static(br#"{"Name":"bear"}"#),
                            })
                        } else {
                            Err(ToyError::NotFound.with(format!("no toy {name}")))
                        }
                    })
                }),
            },
            Operation::not_implemented("DeleteToy"),
        ];

        fn route(&self, request: &Request) -> Option<&'static str> {
            match (&request.method, request.uri.path().strip_prefix("/toys/")) {
                (&Method::GET, Some(_)) => Some("GetToy"),
                (&Method::DELETE, Some(_)) => Some("DeleteToy"),
                _ => None,
            }
        }
    }

    /// An awsJson service, to sit beside it.
    #[derive(Debug)]
    struct Echo;

    impl Operations for Echo {
        const NAME: &'static str = "echo";
        const PROTOCOL: Protocol = Protocol::AwsJson {
            version: JsonVersion::V1_1,
            target_prefix: "Echo_20260101",
        };
        const TABLE: &'static [Operation<Self>] = &[Operation::sync("Echo", |_, body| {
            Ok(bytes::Bytes::copy_from_slice(body))
        })];
    }

    fn gateway() -> Router {
        let services: Vec<Arc<dyn Service>> = vec![Arc::new(Echo), Arc::new(Toys)];
        Arc::new(Gateway::new(
            services,
            Arc::default(),
            1 << 20,
            true,
            Arc::default(),
        ))
        .router()
    }

    fn signed(service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
        )
    }

    async fn send(req: HttpRequest<Body>) -> (StatusCode, HeaderMap, String) {
        let response = gateway().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[test]
    fn credential_scopes_name_the_service() {
        let mut h = HeaderMap::new();
        h.insert("authorization", signed("kinesis").parse().unwrap());
        assert_eq!(
            credential_scope_service(&h, &Uri::from_static("/")).as_deref(),
            Some("kinesis")
        );
        let presigned = Uri::from_static(
            "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261202%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0",
        );
        assert_eq!(
            credential_scope_service(&HeaderMap::new(), &presigned).as_deref(),
            Some("s3")
        );
        assert_eq!(
            credential_scope_service(&HeaderMap::new(), &Uri::from_static("/")),
            None
        );
    }

    #[tokio::test]
    async fn json_and_rest_services_share_the_port() {
        // awsJson: the scope picks the service, X-Amz-Target the operation.
        let (status, headers, body) = send(
            HttpRequest::post("/")
                .header("authorization", signed("echo"))
                .header("x-amz-target", "Echo_20260101.Echo")
                .body(Body::from(r#"{"a":1}"#))
                .unwrap(),
        )
        .await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, r#"{"a":1}"#));
        assert_eq!(headers["content-type"], "application/x-amz-json-1.1");

        // REST: the method and path pick the operation; errors in restJson1's shape.
        let (status, _, body) = send(
            HttpRequest::get("/toys/bear")
                .header("authorization", signed("toys"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, r#"{"Name":"bear"}"#)
        );
        let (status, headers, body) = send(
            HttpRequest::get("/toys/kite")
                .header("authorization", signed("toys"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers["x-amzn-errortype"], "ResourceNotFoundException");
        assert_eq!(body, r#"{"Type":"User","message":"no toy kite"}"#);
        // A modelled operation the twin does not serve says so.
        let (_, headers, body) = send(
            HttpRequest::delete("/toys/bear")
                .header("authorization", signed("toys"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(headers["x-amzn-errortype"], "UnknownOperationException");
        assert!(
            body.contains("toys.DeleteToy is part of the AWS API but not implemented"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn the_scope_decides_which_services_may_answer() {
        // Signed for the REST service, an awsJson target is not its operation.
        let (status, headers, _) = send(
            HttpRequest::post("/")
                .header("authorization", signed("toys"))
                .header("x-amz-target", "Echo_20260101.Echo")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers["x-amzn-errortype"], "UnknownOperationException");
        // A service the twin does not host is named.
        let (_, _, body) = send(
            HttpRequest::post("/")
                .header("authorization", signed("sqs"))
                .header("x-amz-target", "AmazonSQS.SendMessage")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            body.contains(
                r#"signed for service \"sqs\", which the twin does not host (it hosts echo, toys)"#
            ),
            "{body}"
        );
        // Unsigned requests are refused (the gateway requires auth here), in the shape of the
        // service they are for.
        let (status, headers, _) =
            send(HttpRequest::get("/toys/bear").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            headers["x-amzn-errortype"],
            "MissingAuthenticationTokenException"
        );
    }
}
